/* hds-message: implemented in progress */

/* hds-frame: implemented in progress */

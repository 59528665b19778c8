/* http: implemented in progress */

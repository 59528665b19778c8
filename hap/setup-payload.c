/* setup-payload: implemented in progress */

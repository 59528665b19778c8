/* session-crypto: implemented in progress */

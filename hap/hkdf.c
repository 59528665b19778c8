/* hkdf: implemented in progress */

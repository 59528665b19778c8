/* srp: implemented in progress */

/* tlv8: implemented in progress */

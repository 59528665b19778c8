/* camera-tlv: implemented in progress */

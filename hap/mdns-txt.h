/* libhap: the TXT record of the `_hap._tcp` service (pure; used by hap/mdns.c).
 *
 * Keys, in this order (HAP specification R2 section 6.4 "Discovery"; the same set and values as
 * HAP-NodeJS 1.2.0 CiaoAdvertiser.createTxt()):
 *
 *   c#  current configuration number, 1..65535, wrapping to 1 (hap_mdns_config_number_next())
 *   ff  pairing feature flags (0: no MFi hardware authentication)
 *   id  device ID "XX:XX:XX:XX:XX:XX" (upper case)
 *   md  model name
 *   pv  protocol version ("1.1")
 *   s#  current state number (always 1 for HAP over IP)
 *   sf  status flags: 1 while unpaired, 0 once paired
 *   ci  accessory category (17 IP camera, 18 video doorbell)
 *   sh  setup hash: base64 of 4 bytes (hap_setup_hash_txt() in hap/setup-payload.h); optional
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAP_MDNS_PROTOCOL_VERSION "1.1"
#define HAP_MDNS_CONFIG_NUMBER_MAX 65535

typedef struct {
  guint config_number;    /* c#: 1..65535 */
  guint feature_flags;    /* ff: 0..255 */
  const char *device_id;  /* id */
  const char *model;      /* md: 1..200 bytes of UTF-8 */
  guint category;         /* ci: 1..65535 */
  gboolean paired;        /* sf = paired ? 0 : 1 */
  const char *setup_hash; /* sh, or NULL to leave it out */
} HapMdnsTxt;

/* TRUE when `txt` has valid fields; FALSE and a g_debug line naming the field otherwise. */
gboolean hap_mdns_txt_is_valid (const HapMdnsTxt *txt);

/* The TXT strings "key=value", in the order above, NULL-terminated (free with g_strfreev()).
 * NULL when `txt` is invalid (caller misuse). */
gchar **hap_mdns_txt_build (const HapMdnsTxt *txt);

/* The configuration number after `config_number`: +1, and 65535 wraps to 1. */
guint hap_mdns_config_number_next (guint config_number);

G_END_DECLS

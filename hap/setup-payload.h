/* libhap: HAP setup code, setup ID, device ID, setup payload (QR code / NFC URI) and the `sh`
 * TXT record value.
 *
 * Pure: no I/O, no global state of its own (the generators call sodium_init(), which is
 * idempotent, and take their randomness from libsodium's randombytes).
 *
 * Setup payload layout. The payload is "X-HM://" + 9 base-36 characters (0-9, A-Z, upper case,
 * most significant first, zero-padded) + the 4-character setup ID. The 9 characters encode a
 * 46-bit value (bit 0 = least significant):
 *
 *   bits 45..43  version (3 bits)       always 0
 *   bits 42..39  reserved (4 bits)      always 0
 *   bits 38..31  category (8 bits)      accessory category (17 IP camera, 18 video doorbell)
 *   bits 30..27  setup flags (4 bits)   bit 27 paired, bit 28 supports HAP over IP,
 *                                       bit 29 supports HAP over BLE, bit 30 unassigned (0)
 *   bits 26..0   setup code (27 bits)   the 8 digits of XXX-XX-XXX read as one decimal integer
 *                                       (0 when the payload carries no code: a paired accessory)
 *
 * Source: Apple's HomeKitADK, HAP/HAPAccessorySetup.c (HAPAccessorySetupGetSetupPayload, bit
 * ranges 45-43 version, 42-39 reserved, 38-31 category, 29 BLE, 28 IP, 27 paired, 26-00 code)
 * and its test vectors in Tests/HAPAccessorySetupGetSetupPayloadTest.c; HAP-NodeJS 1.2.0's
 * Accessory.setupURI() builds the same value (code | 1 << 28 | category << 31). 36^9 > 2^46, so
 * 9 characters always suffice.
 *
 * Setup hash (`sh` TXT record of _hap._tcp): base64 of the first 4 bytes of
 * SHA-512(setup ID || device ID), both as ASCII, the device ID upper case with colons
 * (HomeKitADK HAPAccessorySetupGetSetupHash; vectors in Tests/HAPAccessorySetupGetSetupHashTest.c).
 */
#pragma once

#include <glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

#define HAP_SETUP_CODE_LEN 10 /* "XXX-XX-XXX" */
#define HAP_SETUP_ID_LEN 4    /* 4 characters of 0-9 A-Z */
#define HAP_DEVICE_ID_LEN 17  /* "XX:XX:XX:XX:XX:XX", upper-case hex */
#define HAP_DEVICE_ID_BYTES 6
#define HAP_SETUP_PAYLOAD_LEN 20 /* "X-HM://" + 9 + 4 */
#define HAP_SETUP_PAYLOAD_PREFIX "X-HM://"
#define HAP_SETUP_HASH_LEN 4 /* raw bytes of the setup hash; its base64 is 8 characters */

/* HAP accessory categories used by this project (HAP spec, "Accessory Categories"). */
#define HAP_CATEGORY_IP_CAMERA 17
#define HAP_CATEGORY_VIDEO_DOORBELL 18

/* The 4 setup-flag bits (payload bits 27..30), shifted down to bit 0. */
typedef enum {
  HAP_SETUP_FLAG_PAIRED = 1 << 0, /* payload bit 27 */
  HAP_SETUP_FLAG_IP = 1 << 1,     /* payload bit 28: supports HAP over IP */
  HAP_SETUP_FLAG_BLE = 1 << 2,    /* payload bit 29: supports HAP over BLE */
} HapSetupFlags;

#define HAP_SETUP_FLAGS_ALL (HAP_SETUP_FLAG_PAIRED | HAP_SETUP_FLAG_IP | HAP_SETUP_FLAG_BLE)

/* Setup code. Valid: exactly "XXX-XX-XXX" with decimal digits, and not one of the trivial codes
 * HAP forbids (000-00-000, 111-11-111, ..., 999-99-999, 123-45-678, 876-54-321). Returns FALSE
 * with HAP_CODEC_ERROR_MALFORMED (format) or HAP_CODEC_ERROR_OUT_OF_RANGE (trivial code). */
gboolean hap_setup_code_validate (const char *code, GError **error);
/* A random valid setup code (uniform digits from libsodium, trivial codes redrawn). */
gchar *hap_setup_code_generate (void);

/* Setup ID: exactly 4 characters of 0-9 A-Z (upper case). HAP_CODEC_ERROR_MALFORMED otherwise. */
gboolean hap_setup_id_validate (const char *setup_id, GError **error);
gchar *hap_setup_id_generate (void);

/* Device ID: exactly "XX:XX:XX:XX:XX:XX" with upper-case hex digits (the form that `id` and the
 * setup hash use). On success writes the 6 bytes to `out` if it is not NULL. */
gboolean hap_device_id_parse (const char *device_id, guint8 *out, GError **error);
/* Formats 6 bytes as an upper-case device ID. */
gchar *hap_device_id_format (const guint8 *bytes);
/* A random device ID. */
gchar *hap_device_id_generate (void);

/* The 46-bit payload value (see the layout above). `code_number` is the setup code's 8 digits as
 * an integer (<= 99999999), 0 for none; `category` 1..255. */
guint64 hap_setup_payload_pack (guint32 code_number, guint category, HapSetupFlags flags);

/* "X-HM://" + 9 base-36 characters + setup ID. `setup_code` and `setup_id` must both be valid,
 * or both NULL (a paired accessory: code 0, setup ID "0000"). Caller misuse returns NULL. */
gchar *hap_setup_payload_build (
    const char *setup_code, const char *setup_id, guint category, HapSetupFlags flags);

/* A decoded setup payload. */
typedef struct {
  gchar setup_code[HAP_SETUP_CODE_LEN + 1]; /* "XXX-XX-XXX", or "" when the code field is 0 */
  gchar setup_id[HAP_SETUP_ID_LEN + 1];
  guint category;
  HapSetupFlags flags;
} HapSetupPayload;

/* Parses a setup payload of `len` bytes (-1: NUL-terminated). The prefix is matched
 * case-insensitively; the rest must be upper case. Errors (HAP_CODEC_ERROR): MALFORMED (length,
 * prefix, characters, setup ID), OUT_OF_RANGE (value over 46 bits, non-zero version, reserved or
 * unassigned bits, category 0, code field over 99999999). The setup code is reported as found:
 * it is not checked against the trivial-code list. */
gboolean hap_setup_payload_parse (
    const char *payload, gssize len, HapSetupPayload *out, GError **error);

/* SHA-512(setup_id || device_id)[0..4): both must be valid (caller misuse otherwise). */
void hap_setup_hash (const char *setup_id, const char *device_id, guint8 out[HAP_SETUP_HASH_LEN]);
/* The `sh` TXT value: base64 of hap_setup_hash() (8 characters). NULL on caller misuse. */
gchar *hap_setup_hash_txt (const char *setup_id, const char *device_id);

G_END_DECLS

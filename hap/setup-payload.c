/* libhap: setup code, setup ID, device ID, setup payload and setup hash. See hap/setup-payload.h
 * for the payload bit layout and its sources. */
#include "hap/setup-payload.h"

#include <sodium.h>
#include <string.h>

#define CODE_SHIFT 0
#define CODE_MAX 99999999u /* 8 decimal digits; < 2^27 */
#define FLAGS_SHIFT 27
#define FLAGS_FIELD_MASK 0xFu
#define CATEGORY_SHIFT 31
#define RESERVED_SHIFT 39
#define VERSION_SHIFT 43
#define VALUE_BITS 46
#define BASE36_DIGITS 9

static const char base36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* ---- Setup code ---------------------------------------------------------------------------- */

/* Digits of a well-formed code, in order (8 of them). */
static gboolean
code_digits (const char *code, gsize len, guint8 digits[8])
{
  guint d = 0;

  if (len != HAP_SETUP_CODE_LEN)
    return FALSE;
  for (gsize i = 0; i < HAP_SETUP_CODE_LEN; i++) {
    if (i == 3 || i == 6) {
      if (code[i] != '-')
        return FALSE;
    } else {
      if (!g_ascii_isdigit (code[i]))
        return FALSE;
      digits[d++] = (guint8) (code[i] - '0');
    }
  }
  return TRUE;
}

static gboolean
code_is_trivial (const guint8 digits[8])
{
  static const guint8 ascending[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  static const guint8 descending[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };
  gboolean all_equal = TRUE;

  for (guint i = 1; i < 8; i++)
    all_equal = all_equal && digits[i] == digits[0];
  return all_equal || memcmp (digits, ascending, 8) == 0 || memcmp (digits, descending, 8) == 0;
}

static guint32
code_number (const guint8 digits[8])
{
  guint32 n = 0;

  for (guint i = 0; i < 8; i++)
    n = n * 10 + digits[i];
  return n;
}

gboolean
hap_setup_code_validate (const char *code, GError **error)
{
  guint8 digits[8];

  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!code_digits (code, strlen (code), digits)) {
    g_set_error_literal (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "Setup code must have the form XXX-XX-XXX with decimal digits");
    return FALSE;
  }
  if (code_is_trivial (digits)) {
    g_set_error_literal (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "Setup code is one of the trivial codes HomeKit rejects (all digits equal, 123-45-678 "
        "or 876-54-321)");
    return FALSE;
  }
  return TRUE;
}

gchar *
hap_setup_code_generate (void)
{
  guint8 digits[8];

  g_return_val_if_fail (sodium_init () >= 0, NULL);

  do {
    for (guint i = 0; i < 8; i++)
      digits[i] = (guint8) randombytes_uniform (10);
  } while (code_is_trivial (digits));
  return g_strdup_printf ("%u%u%u-%u%u-%u%u%u", digits[0], digits[1], digits[2], digits[3],
      digits[4], digits[5], digits[6], digits[7]);
}

/* ---- Setup ID ------------------------------------------------------------------------------ */

static gboolean
is_base36_upper (char c)
{
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

static gboolean
setup_id_ok (const char *id, gsize len)
{
  if (len != HAP_SETUP_ID_LEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_base36_upper (id[i]))
      return FALSE;
  return TRUE;
}

gboolean
hap_setup_id_validate (const char *setup_id, GError **error)
{
  g_return_val_if_fail (setup_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!setup_id_ok (setup_id, strlen (setup_id))) {
    g_set_error_literal (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "Setup ID must be 4 characters of 0-9 and A-Z (upper case)");
    return FALSE;
  }
  return TRUE;
}

gchar *
hap_setup_id_generate (void)
{
  gchar *id;

  g_return_val_if_fail (sodium_init () >= 0, NULL);

  id = g_malloc (HAP_SETUP_ID_LEN + 1);
  for (guint i = 0; i < HAP_SETUP_ID_LEN; i++)
    id[i] = base36[randombytes_uniform (36)];
  id[HAP_SETUP_ID_LEN] = '\0';
  return id;
}

/* ---- Device ID ----------------------------------------------------------------------------- */

static gint
upper_hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

gboolean
hap_device_id_parse (const char *device_id, guint8 *out, GError **error)
{
  guint8 bytes[HAP_DEVICE_ID_BYTES];
  gboolean ok;

  g_return_val_if_fail (device_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = strlen (device_id) == HAP_DEVICE_ID_LEN;
  for (guint i = 0; ok && i < HAP_DEVICE_ID_BYTES; i++) {
    gint hi = upper_hex_value (device_id[3 * i]);
    gint lo = upper_hex_value (device_id[3 * i + 1]);

    ok = hi >= 0 && lo >= 0 && (i == HAP_DEVICE_ID_BYTES - 1 || device_id[3 * i + 2] == ':');
    if (ok)
      bytes[i] = (guint8) (hi << 4 | lo);
  }
  if (!ok) {
    g_set_error_literal (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "Device ID must have the form XX:XX:XX:XX:XX:XX with upper-case hex digits");
    return FALSE;
  }
  if (out)
    memcpy (out, bytes, sizeof bytes);
  return TRUE;
}

gchar *
hap_device_id_format (const guint8 *bytes)
{
  g_return_val_if_fail (bytes != NULL, NULL);
  return g_strdup_printf (
      "%02X:%02X:%02X:%02X:%02X:%02X", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]);
}

gchar *
hap_device_id_generate (void)
{
  guint8 bytes[HAP_DEVICE_ID_BYTES];

  g_return_val_if_fail (sodium_init () >= 0, NULL);
  randombytes_buf (bytes, sizeof bytes);
  return hap_device_id_format (bytes);
}

/* ---- Setup payload ------------------------------------------------------------------------- */

guint64
hap_setup_payload_pack (guint32 code, guint category, HapSetupFlags flags)
{
  g_return_val_if_fail (code <= CODE_MAX, 0);
  g_return_val_if_fail (category >= 1 && category <= 255, 0);
  g_return_val_if_fail ((flags & ~HAP_SETUP_FLAGS_ALL) == 0, 0);

  return (guint64) code << CODE_SHIFT | (guint64) flags << FLAGS_SHIFT
         | (guint64) category << CATEGORY_SHIFT;
}

gchar *
hap_setup_payload_build (
    const char *setup_code, const char *setup_id, guint category, HapSetupFlags flags)
{
  guint8 digits[8];
  guint32 code = 0;
  guint64 value;
  gchar *out, *p;

  g_return_val_if_fail ((setup_code == NULL) == (setup_id == NULL), NULL);
  g_return_val_if_fail (category >= 1 && category <= 255, NULL);
  g_return_val_if_fail ((flags & ~HAP_SETUP_FLAGS_ALL) == 0, NULL);
  if (setup_code) {
    g_return_val_if_fail (hap_setup_code_validate (setup_code, NULL), NULL);
    g_return_val_if_fail (hap_setup_id_validate (setup_id, NULL), NULL);
    code_digits (setup_code, HAP_SETUP_CODE_LEN, digits);
    code = code_number (digits);
  }

  value = hap_setup_payload_pack (code, category, flags);
  out = g_malloc (HAP_SETUP_PAYLOAD_LEN + 1);
  memcpy (out, HAP_SETUP_PAYLOAD_PREFIX, strlen (HAP_SETUP_PAYLOAD_PREFIX));
  p = out + strlen (HAP_SETUP_PAYLOAD_PREFIX);
  for (gint i = BASE36_DIGITS - 1; i >= 0; i--) {
    p[i] = base36[value % 36];
    value /= 36;
  }
  memcpy (p + BASE36_DIGITS, setup_id ? setup_id : "0000", HAP_SETUP_ID_LEN);
  out[HAP_SETUP_PAYLOAD_LEN] = '\0';
  return out;
}

static gboolean
payload_error (GError **error, HapCodecError code, const char *what)
{
  g_debug ("setup payload rejected: %s", what);
  g_set_error (error, HAP_CODEC_ERROR, code, "Invalid setup payload: %s", what);
  return FALSE;
}

gboolean
hap_setup_payload_parse (const char *payload, gssize len, HapSetupPayload *out, GError **error)
{
  const gsize prefix_len = strlen (HAP_SETUP_PAYLOAD_PREFIX);
  const char *digits, *id;
  guint64 value = 0;
  guint32 code;
  guint category, flag_bits;

  g_return_val_if_fail (payload != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len < 0)
    len = (gssize) strlen (payload);
  if ((gsize) len != HAP_SETUP_PAYLOAD_LEN)
    return payload_error (error, HAP_CODEC_ERROR_MALFORMED, "length is not 20 characters");
  if (g_ascii_strncasecmp (payload, HAP_SETUP_PAYLOAD_PREFIX, prefix_len) != 0)
    return payload_error (error, HAP_CODEC_ERROR_MALFORMED, "prefix is not X-HM://");

  digits = payload + prefix_len;
  for (guint i = 0; i < BASE36_DIGITS; i++) {
    const char *pos = is_base36_upper (digits[i]) ? strchr (base36, digits[i]) : NULL;

    if (!pos)
      return payload_error (
          error, HAP_CODEC_ERROR_MALFORMED, "payload characters are not upper-case base 36");
    value = value * 36 + (guint64) (pos - base36); /* 36^9 < 2^64: no overflow */
  }
  id = digits + BASE36_DIGITS;
  if (!setup_id_ok (id, HAP_SETUP_ID_LEN))
    return payload_error (error, HAP_CODEC_ERROR_MALFORMED, "setup ID is not 4 of 0-9 A-Z");

  if (value >> VALUE_BITS)
    return payload_error (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "value exceeds 46 bits");
  if ((value >> VERSION_SHIFT) & 0x7)
    return payload_error (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "unknown version");
  if ((value >> RESERVED_SHIFT) & 0xF)
    return payload_error (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "reserved bits set");
  flag_bits = (guint) (value >> FLAGS_SHIFT) & FLAGS_FIELD_MASK;
  if (flag_bits & ~(guint) HAP_SETUP_FLAGS_ALL)
    return payload_error (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "unassigned flag bit set");
  category = (guint) (value >> CATEGORY_SHIFT) & 0xFF;
  if (category == 0)
    return payload_error (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "category 0");
  code = (guint32) (value & ((1u << FLAGS_SHIFT) - 1));
  if (code > CODE_MAX)
    return payload_error (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "setup code over 8 digits");

  memset (out, 0, sizeof *out);
  if (code != 0)
    g_snprintf (out->setup_code, sizeof out->setup_code, "%03u-%02u-%03u", code / 100000,
        code / 1000 % 100, code % 1000);
  memcpy (out->setup_id, id, HAP_SETUP_ID_LEN);
  out->category = category;
  out->flags = (HapSetupFlags) flag_bits;
  return TRUE;
}

/* ---- Setup hash ---------------------------------------------------------------------------- */

void
hap_setup_hash (const char *setup_id, const char *device_id, guint8 out[HAP_SETUP_HASH_LEN])
{
  guint8 input[HAP_SETUP_ID_LEN + HAP_DEVICE_ID_LEN];
  guint8 digest[crypto_hash_sha512_BYTES];

  g_return_if_fail (setup_id != NULL && hap_setup_id_validate (setup_id, NULL));
  g_return_if_fail (device_id != NULL && hap_device_id_parse (device_id, NULL, NULL));
  g_return_if_fail (out != NULL);
  g_return_if_fail (sodium_init () >= 0);

  memcpy (input, setup_id, HAP_SETUP_ID_LEN);
  memcpy (input + HAP_SETUP_ID_LEN, device_id, HAP_DEVICE_ID_LEN);
  crypto_hash_sha512 (digest, input, sizeof input);
  memcpy (out, digest, HAP_SETUP_HASH_LEN);
}

gchar *
hap_setup_hash_txt (const char *setup_id, const char *device_id)
{
  guint8 hash[HAP_SETUP_HASH_LEN];

  g_return_val_if_fail (setup_id != NULL && hap_setup_id_validate (setup_id, NULL), NULL);
  g_return_val_if_fail (device_id != NULL && hap_device_id_parse (device_id, NULL, NULL), NULL);

  hap_setup_hash (setup_id, device_id, hash);
  return g_base64_encode (hash, sizeof hash);
}

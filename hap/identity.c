/* libhap: accessory identity. See hap/identity.h. */
#include "hap/identity.h"

#include <string.h>
#include <sodium.h>

#include "hap/parse.h"

#define MAGIC "HAPI"
#define MAGIC_LEN 4
#define VERSION 1
#define SEED_LEN crypto_sign_SEEDBYTES
#define CHECK_LEN 4

G_STATIC_ASSERT (
    MAGIC_LEN + 1 + HAP_DEVICE_ID_LEN + SEED_LEN + CHECK_LEN == HAP_IDENTITY_SERIALIZED_LEN);
G_STATIC_ASSERT (crypto_sign_SEEDBYTES == 32);

gboolean
hap_identity_init (HapIdentity *identity, const char *device_id, const guint8 seed[32])
{
  g_return_val_if_fail (identity != NULL && device_id != NULL && seed != NULL, FALSE);
  g_return_val_if_fail (hap_device_id_parse (device_id, NULL, NULL), FALSE);
  g_return_val_if_fail (sodium_init () >= 0, FALSE);

  memset (identity, 0, sizeof (*identity));
  memcpy (identity->device_id, device_id, HAP_DEVICE_ID_LEN);
  crypto_sign_seed_keypair (identity->ltpk, identity->ltsk, seed);
  return TRUE;
}

void
hap_identity_generate (HapIdentity *identity)
{
  g_autofree gchar *device_id = NULL;
  guint8 seed[SEED_LEN];

  g_return_if_fail (identity != NULL);
  g_return_if_fail (sodium_init () >= 0);

  device_id = hap_device_id_generate ();
  randombytes_buf (seed, sizeof (seed));
  hap_identity_init (identity, device_id, seed);
  sodium_memzero (seed, sizeof (seed));
}

GBytes *
hap_identity_serialize (const HapIdentity *identity)
{
  guint8 *out;

  g_return_val_if_fail (identity != NULL, NULL);

  out = g_malloc (HAP_IDENTITY_SERIALIZED_LEN);
  memcpy (out, MAGIC, MAGIC_LEN);
  out[MAGIC_LEN] = VERSION;
  memcpy (out + MAGIC_LEN + 1, identity->device_id, HAP_DEVICE_ID_LEN);
  /* libsodium's secret key starts with the seed. */
  memcpy (out + MAGIC_LEN + 1 + HAP_DEVICE_ID_LEN, identity->ltsk, SEED_LEN);
  memcpy (out + MAGIC_LEN + 1 + HAP_DEVICE_ID_LEN + SEED_LEN, identity->ltpk, CHECK_LEN);
  return g_bytes_new_take (out, HAP_IDENTITY_SERIALIZED_LEN);
}

gboolean
hap_identity_deserialize (HapIdentity *identity, const guint8 *data, gsize len, GError **error)
{
  gchar device_id[HAP_DEVICE_ID_LEN + 1];
  HapIdentity parsed;
  gboolean ok;

  g_return_val_if_fail (identity != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len < MAGIC_LEN + 1 || memcmp (data, MAGIC, MAGIC_LEN) != 0) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "identity: bad magic");
    return FALSE;
  }
  if (data[MAGIC_LEN] != VERSION) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "identity: unsupported version %u", data[MAGIC_LEN]);
    return FALSE;
  }
  if (len != HAP_IDENTITY_SERIALIZED_LEN) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "identity: %" G_GSIZE_FORMAT " bytes, expected %d", len, HAP_IDENTITY_SERIALIZED_LEN);
    return FALSE;
  }
  memcpy (device_id, data + MAGIC_LEN + 1, HAP_DEVICE_ID_LEN);
  device_id[HAP_DEVICE_ID_LEN] = '\0';
  if (memchr (data + MAGIC_LEN + 1, 0, HAP_DEVICE_ID_LEN) != NULL
      || !hap_device_id_parse (device_id, NULL, NULL)) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "identity: bad device id");
    return FALSE;
  }
  if (!hap_identity_init (&parsed, device_id, data + MAGIC_LEN + 1 + HAP_DEVICE_ID_LEN))
    return FALSE;
  ok = sodium_memcmp (parsed.ltpk, data + MAGIC_LEN + 1 + HAP_DEVICE_ID_LEN + SEED_LEN, CHECK_LEN)
       == 0;
  if (!ok) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "identity: the key does not match its check bytes");
  } else {
    *identity = parsed;
  }
  hap_identity_clear (&parsed);
  return ok;
}

void
hap_identity_clear (HapIdentity *identity)
{
  g_return_if_fail (identity != NULL);

  sodium_memzero (identity, sizeof (*identity));
}

/* libhap: pair-setup, controller side. See hap/pair-setup-client.h. */
#include "hap/pair-setup-client.h"

#include <string.h>
#include <sodium.h>

#include "hap/pairing-tlv.h"
#include "hap/parse.h"
#include "hap/srp.h"
#include "hap/tlv8.h"

struct _HapPairSetupClient {
  gchar *setup_code;
  gsize setup_code_len;
  guint8 method;
  guint32 flags;
  guint8 expected_state; /* 2, 4, 6; 0 when done or failed */
  gboolean done;
  gboolean corrupt_signature;
  HapSrpClient *srp;
  guint8 session_key[HAP_SRP_SHA512_LEN];
  guint8 encrypt_key[HAP_PAIRING_KEY_LEN];
  HapControllerPairing pairing;
};

void
hap_controller_pairing_clear (HapControllerPairing *pairing)
{
  g_return_if_fail (pairing != NULL);

  sodium_memzero (pairing, sizeof (*pairing));
}

HapPairSetupClient *
hap_pair_setup_client_new (const char *setup_code, const char *controller_id, const guint8 *ltsk)
{
  HapPairSetupClient *client;

  g_return_val_if_fail (setup_code != NULL && controller_id != NULL, NULL);
  g_return_val_if_fail (hap_pairing_id_is_valid ((const guint8 *) controller_id,
                            strlen (controller_id), HAP_PAIRING_ID_MAX),
      NULL);
  g_return_val_if_fail (sodium_init () >= 0, NULL);

  client = g_new0 (HapPairSetupClient, 1);
  client->setup_code = g_strdup (setup_code);
  client->setup_code_len = strlen (setup_code);
  g_strlcpy (client->pairing.controller_id, controller_id, sizeof (client->pairing.controller_id));
  if (ltsk != NULL) {
    memcpy (client->pairing.controller_ltsk, ltsk, 64);
    crypto_sign_ed25519_sk_to_pk (client->pairing.controller_ltpk, ltsk);
  } else {
    crypto_sign_keypair (client->pairing.controller_ltpk, client->pairing.controller_ltsk);
  }
  client->method = HAP_PAIRING_METHOD_PAIR_SETUP;
  return client;
}

void
hap_pair_setup_client_free (HapPairSetupClient *client)
{
  if (client == NULL)
    return;
  g_clear_pointer (&client->srp, hap_srp_client_free);
  sodium_memzero (client->setup_code, client->setup_code_len);
  g_free (client->setup_code);
  sodium_memzero (client, sizeof (*client));
  g_free (client);
}

void
hap_pair_setup_client_set_method (HapPairSetupClient *client, guint8 method, guint32 flags)
{
  g_return_if_fail (client != NULL);

  client->method = method;
  client->flags = flags;
}

void
hap_pair_setup_client_set_corrupt_signature (HapPairSetupClient *client, gboolean corrupt)
{
  g_return_if_fail (client != NULL);

  client->corrupt_signature = corrupt;
}

GBytes *
hap_pair_setup_client_start (HapPairSetupClient *client)
{
  HapTlv8Writer w;

  g_return_val_if_fail (client != NULL, NULL);
  g_return_val_if_fail (client->srp == NULL && !client->done, NULL);

  client->srp = hap_srp_client_new (HAP_SRP_GROUP_3072, HAP_SRP_HASH_SHA512, HAP_SRP_USERNAME,
      (const guint8 *) client->setup_code, client->setup_code_len, NULL, 0);
  g_return_val_if_fail (client->srp != NULL, NULL);
  client->expected_state = 2;

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, 1);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_METHOD, client->method);
  if (client->flags != 0)
    hap_tlv8_add_uint (&w, HAP_PAIRING_TLV_FLAGS, client->flags);
  return hap_tlv8_writer_take_bytes (&w);
}

static HapPairClientStatus
fail (HapPairSetupClient *client, GError **error, gint code, const char *message)
{
  if (message != NULL)
    g_set_error_literal (error, HAP_CODEC_ERROR, code, message);
  g_clear_pointer (&client->srp, hap_srp_client_free);
  sodium_memzero (client->session_key, sizeof (client->session_key));
  sodium_memzero (client->encrypt_key, sizeof (client->encrypt_key));
  client->expected_state = 0;
  return HAP_PAIR_CLIENT_FAILED;
}

static HapPairClientStatus
handle_m2 (HapPairSetupClient *client, const HapTlv8 *tlv, GBytes **request, GError **error)
{
  const HapTlv8Item *salt = hap_tlv8_find (tlv, HAP_PAIRING_TLV_SALT);
  const HapTlv8Item *b_pub = hap_tlv8_find (tlv, HAP_PAIRING_TLV_PUBLIC_KEY);
  const guint8 *value;
  gsize len;
  HapTlv8Writer w;

  if (salt == NULL || b_pub == NULL)
    return fail (client, error, HAP_CODEC_ERROR_MISSING, "M2 without salt or public key");
  if (!hap_srp_client_set_server_public_key (
          client->srp, salt->value, salt->len, b_pub->value, b_pub->len, error))
    return fail (client, error, 0, NULL);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, 3);
  value = hap_srp_client_get_public_key (client->srp, &len);
  hap_tlv8_add (&w, HAP_PAIRING_TLV_PUBLIC_KEY, value, len);
  value = hap_srp_client_get_proof (client->srp, &len);
  hap_tlv8_add (&w, HAP_PAIRING_TLV_PROOF, value, len);
  *request = hap_tlv8_writer_take_bytes (&w);
  client->expected_state = 4;
  return HAP_PAIR_CLIENT_CONTINUE;
}

static HapPairClientStatus
handle_m4 (HapPairSetupClient *client, const HapTlv8 *tlv, GBytes **request, GError **error)
{
  const HapTlv8Item *proof = hap_tlv8_find (tlv, HAP_PAIRING_TLV_PROOF);
  HapControllerPairing *p = &client->pairing;
  guint8 signature[HAP_PAIRING_SIGNATURE_LEN];
  guint8 x[HAP_PAIRING_KEY_LEN];
  const guint8 *value;
  gsize len;

  if (proof == NULL)
    return fail (client, error, HAP_CODEC_ERROR_MISSING, "M4 without proof");
  if (!hap_srp_client_verify_server_proof (client->srp, proof->value, proof->len, error))
    return fail (client, error, 0, NULL);
  value = hap_srp_client_get_session_key (client->srp, &len);
  g_assert (len == sizeof (client->session_key));
  memcpy (client->session_key, value, len);
  hap_pairing_derive_key (client->session_key, sizeof (client->session_key),
      "Pair-Setup-Encrypt-Salt", "Pair-Setup-Encrypt-Info", client->encrypt_key);

  hap_pairing_derive_key (client->session_key, sizeof (client->session_key),
      "Pair-Setup-Controller-Sign-Salt", "Pair-Setup-Controller-Sign-Info", x);
  hap_pairing_sign_info (x, (const guint8 *) p->controller_id, strlen (p->controller_id),
      p->controller_ltpk, p->controller_ltsk, signature);
  sodium_memzero (x, sizeof (x));
  if (client->corrupt_signature)
    signature[0] ^= 0x01;

  *request = hap_pairing_encrypted_body (
      5, NULL, client->encrypt_key, "PS-Msg05", p->controller_id, p->controller_ltpk, signature);
  client->expected_state = 6;
  return HAP_PAIR_CLIENT_CONTINUE;
}

static HapPairClientStatus
handle_m6 (HapPairSetupClient *client, const HapTlv8 *tlv, GError **error)
{
  const HapTlv8Item *encrypted = hap_tlv8_find (tlv, HAP_PAIRING_TLV_ENCRYPTED_DATA);
  g_autoptr (HapTlv8) sub = NULL;
  const HapTlv8Item *id, *ltpk, *signature;
  guint8 x[HAP_PAIRING_KEY_LEN];
  gboolean decrypts, verified;

  if (encrypted == NULL)
    return fail (client, error, HAP_CODEC_ERROR_MISSING, "M6 without encrypted data");
  sub = hap_pairing_decrypt_tlv (
      client->encrypt_key, "PS-Msg06", encrypted->value, encrypted->len, &decrypts);
  if (!decrypts)
    return fail (client, error, HAP_CODEC_ERROR_AUTH, "M6 does not decrypt");
  if (sub == NULL)
    return fail (client, error, HAP_CODEC_ERROR_MALFORMED, "M6 sub-TLV is malformed");
  if (!hap_pairing_find_signed_id (sub, HAP_PAIRING_ID_MAX, &id, &ltpk, &signature))
    return fail (client, error, HAP_CODEC_ERROR_MALFORMED, "M6 sub-TLV lacks a valid field");
  hap_pairing_derive_key (client->session_key, sizeof (client->session_key),
      "Pair-Setup-Accessory-Sign-Salt", "Pair-Setup-Accessory-Sign-Info", x);
  verified
      = hap_pairing_verify_info (x, id->value, id->len, ltpk->value, ltpk->value, signature->value);
  sodium_memzero (x, sizeof (x));
  if (!verified)
    return fail (client, error, HAP_CODEC_ERROR_AUTH, "M6 signature does not verify");

  memcpy (client->pairing.accessory_id, id->value, id->len);
  client->pairing.accessory_id[id->len] = '\0';
  memcpy (client->pairing.accessory_ltpk, ltpk->value, HAP_PAIRING_LTPK_LEN);
  fail (client, NULL, 0, NULL); /* wipes the exchange's secrets */
  client->done = TRUE;
  return HAP_PAIR_CLIENT_DONE;
}

HapPairClientStatus
hap_pair_setup_client_handle (
    HapPairSetupClient *client, const guint8 *body, gsize len, GBytes **request, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  guint8 state;

  g_return_val_if_fail (client != NULL && request != NULL, HAP_PAIR_CLIENT_FAILED);
  g_return_val_if_fail (body != NULL || len == 0, HAP_PAIR_CLIENT_FAILED);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PAIR_CLIENT_FAILED);
  g_return_val_if_fail (client->expected_state != 0, HAP_PAIR_CLIENT_FAILED);

  *request = NULL;
  tlv = hap_pairing_parse_response (body, len, client->expected_state, error);
  if (tlv == NULL)
    return fail (client, error, 0, NULL);
  state = client->expected_state;
  switch (state) {
    case 2:
      return handle_m2 (client, tlv, request, error);
    case 4:
      return handle_m4 (client, tlv, request, error);
    default:
      return handle_m6 (client, tlv, error);
  }
}

const HapControllerPairing *
hap_pair_setup_client_get_pairing (const HapPairSetupClient *client)
{
  g_return_val_if_fail (client != NULL, NULL);

  return client->done ? &client->pairing : NULL;
}

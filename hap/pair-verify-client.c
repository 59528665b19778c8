/* libhap: pair-verify, controller side. See hap/pair-verify-client.h. */
#include "hap/pair-verify-client.h"

#include <string.h>
#include <sodium.h>

#include "hap/pairing-tlv.h"
#include "hap/parse.h"
#include "hap/tlv8.h"

struct _HapPairVerifyClient {
  HapControllerPairing pairing;
  guint8 expected_state; /* 2, 4; 0 when done or failed */
  gboolean done;
  guint8 eph_secret[HAP_PAIRING_CURVE_KEY_LEN];
  guint8 eph_public[HAP_PAIRING_CURVE_KEY_LEN];
  guint8 shared_secret[HAP_PAIRING_CURVE_KEY_LEN];
  guint8 encrypt_key[HAP_PAIRING_KEY_LEN];
};

HapPairVerifyClient *
hap_pair_verify_client_new (const HapControllerPairing *pairing)
{
  HapPairVerifyClient *client;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (sodium_init () >= 0, NULL);

  client = g_new0 (HapPairVerifyClient, 1);
  client->pairing = *pairing;
  return client;
}

void
hap_pair_verify_client_free (HapPairVerifyClient *client)
{
  if (client == NULL)
    return;
  sodium_memzero (client, sizeof (*client));
  g_free (client);
}

GBytes *
hap_pair_verify_client_start (HapPairVerifyClient *client)
{
  HapTlv8Writer w;

  g_return_val_if_fail (client != NULL, NULL);
  g_return_val_if_fail (client->expected_state == 0 && !client->done, NULL);

  crypto_box_keypair (client->eph_public, client->eph_secret);
  client->expected_state = 2;
  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, 1);
  hap_tlv8_add (&w, HAP_PAIRING_TLV_PUBLIC_KEY, client->eph_public, HAP_PAIRING_CURVE_KEY_LEN);
  return hap_tlv8_writer_take_bytes (&w);
}

static HapPairClientStatus
fail (HapPairVerifyClient *client, GError **error, gint code, const char *message)
{
  if (message != NULL)
    g_set_error_literal (error, HAP_CODEC_ERROR, code, message);
  sodium_memzero (client->eph_secret, sizeof (client->eph_secret));
  sodium_memzero (client->shared_secret, sizeof (client->shared_secret));
  sodium_memzero (client->encrypt_key, sizeof (client->encrypt_key));
  client->expected_state = 0;
  return HAP_PAIR_CLIENT_FAILED;
}

static HapPairClientStatus
handle_m2 (HapPairVerifyClient *client, const HapTlv8 *tlv, GBytes **request, GError **error)
{
  const HapControllerPairing *p = &client->pairing;
  const HapTlv8Item *peer = hap_tlv8_find (tlv, HAP_PAIRING_TLV_PUBLIC_KEY);
  const HapTlv8Item *encrypted = hap_tlv8_find (tlv, HAP_PAIRING_TLV_ENCRYPTED_DATA);
  g_autoptr (HapTlv8) sub = NULL;
  const HapTlv8Item *id, *signature;
  guint8 my_signature[HAP_PAIRING_SIGNATURE_LEN];
  gboolean decrypts;

  if (peer == NULL || encrypted == NULL || peer->len != HAP_PAIRING_CURVE_KEY_LEN)
    return fail (client, error, HAP_CODEC_ERROR_MALFORMED, "M2 lacks a valid field");
  if (crypto_scalarmult (client->shared_secret, client->eph_secret, peer->value) != 0)
    return fail (client, error, HAP_CODEC_ERROR_MALFORMED, "M2 public key is degenerate");
  hap_pairing_derive_key (client->shared_secret, sizeof (client->shared_secret),
      "Pair-Verify-Encrypt-Salt", "Pair-Verify-Encrypt-Info", client->encrypt_key);
  sub = hap_pairing_decrypt_tlv (
      client->encrypt_key, "PV-Msg02", encrypted->value, encrypted->len, &decrypts);
  if (!decrypts)
    return fail (client, error, HAP_CODEC_ERROR_AUTH, "M2 does not decrypt");
  if (sub == NULL)
    return fail (client, error, HAP_CODEC_ERROR_MALFORMED, "M2 sub-TLV is malformed");
  id = hap_tlv8_find (sub, HAP_PAIRING_TLV_IDENTIFIER);
  signature = hap_tlv8_find (sub, HAP_PAIRING_TLV_SIGNATURE);
  if (id == NULL || signature == NULL || signature->len != HAP_PAIRING_SIGNATURE_LEN)
    return fail (client, error, HAP_CODEC_ERROR_MALFORMED, "M2 sub-TLV lacks a valid field");
  if (id->len != strlen (p->accessory_id) || memcmp (id->value, p->accessory_id, id->len) != 0)
    return fail (client, error, HAP_CODEC_ERROR_AUTH, "M2 comes from another accessory");

  /* AccessoryInfo = accessory eph. key || accessory id || controller eph. key */
  if (!hap_pairing_verify_info (
          peer->value, id->value, id->len, client->eph_public, p->accessory_ltpk, signature->value))
    return fail (client, error, HAP_CODEC_ERROR_AUTH, "M2 signature does not verify");

  /* iOSDeviceInfo = controller eph. key || controller id || accessory eph. key */
  hap_pairing_sign_info (client->eph_public, (const guint8 *) p->controller_id,
      strlen (p->controller_id), peer->value, p->controller_ltsk, my_signature);
  *request = hap_pairing_encrypted_body (
      3, NULL, client->encrypt_key, "PV-Msg03", p->controller_id, NULL, my_signature);
  client->expected_state = 4;
  return HAP_PAIR_CLIENT_CONTINUE;
}

HapPairClientStatus
hap_pair_verify_client_handle (
    HapPairVerifyClient *client, const guint8 *body, gsize len, GBytes **request, GError **error)
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
  if (state == 2)
    return handle_m2 (client, tlv, request, error);

  sodium_memzero (client->eph_secret, sizeof (client->eph_secret));
  sodium_memzero (client->encrypt_key, sizeof (client->encrypt_key));
  client->expected_state = 0;
  client->done = TRUE;
  return HAP_PAIR_CLIENT_DONE;
}

void
hap_pair_verify_client_get_session_keys (const HapPairVerifyClient *client,
    guint8 accessory_to_controller[32], guint8 controller_to_accessory[32])
{
  g_return_if_fail (client != NULL);
  g_return_if_fail (accessory_to_controller != NULL && controller_to_accessory != NULL);

  if (!hap_pairing_derive_control_keys (client->done ? client->shared_secret : NULL,
          accessory_to_controller, controller_to_accessory))
    g_return_if_reached ();
}

const guint8 *
hap_pair_verify_client_get_shared_secret (const HapPairVerifyClient *client)
{
  g_return_val_if_fail (client != NULL, NULL);

  return client->done ? client->shared_secret : NULL;
}

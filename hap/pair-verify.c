/* libhap: pair-verify, accessory side. See hap/pair-verify.h. */
#include "hap/pair-verify.h"

#include <string.h>
#include <sodium.h>

#include "hap/pairing-tlv.h"
#include "hap/tlv8.h"

struct _HapPairVerify {
  const HapIdentity *identity;
  const HapPairings *pairings;
  guint8 expected_state; /* 1, 3; 0 after VERIFIED */
  gboolean verified;
  guint8 eph_secret[HAP_PAIRING_CURVE_KEY_LEN];
  guint8 eph_public[HAP_PAIRING_CURVE_KEY_LEN];
  guint8 controller_eph_public[HAP_PAIRING_CURVE_KEY_LEN];
  guint8 shared_secret[HAP_PAIRING_CURVE_KEY_LEN];
  guint8 encrypt_key[HAP_PAIRING_KEY_LEN];
  gchar controller_id[HAP_PAIRING_ID_MAX + 1];
};

HapPairVerify *
hap_pair_verify_new (const HapIdentity *identity, const HapPairings *pairings)
{
  HapPairVerify *verify;

  g_return_val_if_fail (identity != NULL && pairings != NULL, NULL);
  g_return_val_if_fail (sodium_init () >= 0, NULL);

  verify = g_new0 (HapPairVerify, 1);
  verify->identity = identity;
  verify->pairings = pairings;
  verify->expected_state = 1;
  return verify;
}

static void
reset (HapPairVerify *verify)
{
  const HapIdentity *identity = verify->identity;
  const HapPairings *pairings = verify->pairings;

  sodium_memzero (verify, sizeof (*verify));
  verify->identity = identity;
  verify->pairings = pairings;
  verify->expected_state = 1;
}

void
hap_pair_verify_free (HapPairVerify *verify)
{
  if (verify == NULL)
    return;
  sodium_memzero (verify, sizeof (*verify));
  g_free (verify);
}

static HapPairVerifyStatus
fail (HapPairVerify *verify, guint8 state, HapPairingError error, GBytes **response)
{
  g_debug ("pair-verify: M%u fails with error %d", state, (gint) error);
  reset (verify);
  *response = hap_pairing_error_response (state, error);
  return HAP_PAIR_VERIFY_FAILED;
}

static HapPairVerifyStatus
handle_m1 (HapPairVerify *verify, const HapTlv8 *tlv, GBytes **response)
{
  const HapIdentity *identity = verify->identity;
  const HapTlv8Item *peer = hap_tlv8_find (tlv, HAP_PAIRING_TLV_PUBLIC_KEY);
  guint8 signature[HAP_PAIRING_SIGNATURE_LEN];

  reset (verify);
  if (peer == NULL || peer->len != HAP_PAIRING_CURVE_KEY_LEN)
    return fail (verify, 2, HAP_PAIRING_ERROR_UNKNOWN, response);
  memcpy (verify->controller_eph_public, peer->value, HAP_PAIRING_CURVE_KEY_LEN);
  crypto_box_keypair (verify->eph_public, verify->eph_secret);
  if (crypto_scalarmult (verify->shared_secret, verify->eph_secret, verify->controller_eph_public)
      != 0)
    return fail (verify, 2, HAP_PAIRING_ERROR_AUTHENTICATION, response);

  /* AccessoryInfo = accessory eph. key || accessory id || controller eph. key */
  hap_pairing_sign_info (verify->eph_public, (const guint8 *) identity->device_id,
      strlen (identity->device_id), verify->controller_eph_public, identity->ltsk, signature);

  hap_pairing_derive_key (verify->shared_secret, sizeof (verify->shared_secret),
      "Pair-Verify-Encrypt-Salt", "Pair-Verify-Encrypt-Info", verify->encrypt_key);
  *response = hap_pairing_encrypted_body (
      2, verify->eph_public, verify->encrypt_key, "PV-Msg02", identity->device_id, NULL, signature);
  verify->expected_state = 3;
  return HAP_PAIR_VERIFY_CONTINUE;
}

static HapPairVerifyStatus
handle_m3 (HapPairVerify *verify, const HapTlv8 *tlv, GBytes **response)
{
  const HapTlv8Item *encrypted = hap_tlv8_find (tlv, HAP_PAIRING_TLV_ENCRYPTED_DATA);
  g_autoptr (HapTlv8) sub = NULL;
  const HapTlv8Item *id, *signature;
  const HapPairing *pairing;
  gchar controller_id[HAP_PAIRING_ID_MAX + 1];
  gboolean decrypts;
  HapTlv8Writer w;

  if (encrypted == NULL)
    return fail (verify, 4, HAP_PAIRING_ERROR_UNKNOWN, response);
  sub = hap_pairing_decrypt_tlv (
      verify->encrypt_key, "PV-Msg03", encrypted->value, encrypted->len, &decrypts);
  if (!decrypts) {
    g_debug ("pair-verify: M3 does not decrypt");
    return fail (verify, 4, HAP_PAIRING_ERROR_AUTHENTICATION, response);
  }
  if (sub == NULL)
    return fail (verify, 4, HAP_PAIRING_ERROR_UNKNOWN, response);
  id = hap_tlv8_find (sub, HAP_PAIRING_TLV_IDENTIFIER);
  signature = hap_tlv8_find (sub, HAP_PAIRING_TLV_SIGNATURE);
  if (id == NULL || signature == NULL || signature->len != HAP_PAIRING_SIGNATURE_LEN)
    return fail (verify, 4, HAP_PAIRING_ERROR_UNKNOWN, response);
  if (!hap_pairing_id_is_valid (id->value, id->len, HAP_PAIRING_ID_MAX))
    return fail (verify, 4, HAP_PAIRING_ERROR_AUTHENTICATION, response);
  memcpy (controller_id, id->value, id->len);
  controller_id[id->len] = '\0';
  pairing = hap_pairings_find (verify->pairings, controller_id);
  if (pairing == NULL) {
    g_debug ("pair-verify: unknown controller %s", controller_id);
    return fail (verify, 4, HAP_PAIRING_ERROR_AUTHENTICATION, response);
  }

  /* iOSDeviceInfo = controller eph. key || pairing id || accessory eph. key */
  if (!hap_pairing_verify_info (verify->controller_eph_public, id->value, id->len,
          verify->eph_public, pairing->ltpk, signature->value)) {
    g_debug ("pair-verify: M3 signature of %s does not verify", controller_id);
    return fail (verify, 4, HAP_PAIRING_ERROR_AUTHENTICATION, response);
  }

  memcpy (verify->controller_id, controller_id, sizeof (controller_id));
  sodium_memzero (verify->eph_secret, sizeof (verify->eph_secret));
  sodium_memzero (verify->encrypt_key, sizeof (verify->encrypt_key));
  verify->verified = TRUE;
  verify->expected_state = 0;
  g_debug ("pair-verify: controller %s verified", controller_id);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, 4);
  *response = hap_tlv8_writer_take_bytes (&w);
  return HAP_PAIR_VERIFY_VERIFIED;
}

HapPairVerifyStatus
hap_pair_verify_handle (HapPairVerify *verify, const guint8 *body, gsize len, GBytes **response)
{
  g_autoptr (HapTlv8) tlv = NULL;
  guint8 state;
  guint8 reply_state;

  g_return_val_if_fail (verify != NULL && response != NULL, HAP_PAIR_VERIFY_FAILED);
  g_return_val_if_fail (body != NULL || len == 0, HAP_PAIR_VERIFY_FAILED);

  *response = NULL;
  reply_state = verify->expected_state != 0 ? verify->expected_state + 1 : 2;
  tlv = hap_tlv8_parse (body, len, NULL);
  if (tlv == NULL || !hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_STATE, &state)) {
    g_debug ("pair-verify: malformed request");
    return fail (verify, reply_state, HAP_PAIRING_ERROR_UNKNOWN, response);
  }
  if (state == 1 || state == 3)
    reply_state = state + 1;
  if (state == 1)
    return handle_m1 (verify, tlv, response);
  if (state != verify->expected_state) {
    g_debug ("pair-verify: M%u while expecting M%u", state, verify->expected_state);
    return fail (verify, reply_state, HAP_PAIRING_ERROR_UNKNOWN, response);
  }
  return handle_m3 (verify, tlv, response);
}

const char *
hap_pair_verify_get_controller_id (const HapPairVerify *verify)
{
  g_return_val_if_fail (verify != NULL, NULL);

  return verify->verified ? verify->controller_id : NULL;
}

void
hap_pair_verify_get_session_keys (const HapPairVerify *verify, guint8 accessory_to_controller[32],
    guint8 controller_to_accessory[32])
{
  g_return_if_fail (verify != NULL);
  g_return_if_fail (accessory_to_controller != NULL && controller_to_accessory != NULL);

  if (!hap_pairing_derive_control_keys (verify->verified ? verify->shared_secret : NULL,
          accessory_to_controller, controller_to_accessory))
    g_return_if_reached ();
}

const guint8 *
hap_pair_verify_get_shared_secret (const HapPairVerify *verify)
{
  g_return_val_if_fail (verify != NULL, NULL);

  return verify->verified ? verify->shared_secret : NULL;
}

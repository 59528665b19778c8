/* libhap: pair-setup, accessory side. See hap/pair-setup.h. */
#include "hap/pair-setup.h"

#include <string.h>
#include <sodium.h>

#include "hap/pairing-tlv.h"
#include "hap/srp.h"
#include "hap/tlv8.h"

struct _HapPairSetup {
  const HapIdentity *identity;
  HapPairings *pairings;
  HapPairSetupGuard *guard;
  gchar *setup_code;
  gsize setup_code_len;
  guint8 expected_state; /* 1, 3, 5; 0 after PAIRED */
  HapSrpServer *srp;
  guint8 session_key[HAP_SRP_SHA512_LEN];  /* SRP K */
  guint8 encrypt_key[HAP_PAIRING_KEY_LEN]; /* Pair-Setup-Encrypt */
  gchar controller_id[HAP_PAIRING_ID_MAX + 1];
};

HapPairSetup *
hap_pair_setup_new (const HapIdentity *identity, const char *setup_code, HapPairings *pairings,
    HapPairSetupGuard *guard)
{
  HapPairSetup *setup;

  g_return_val_if_fail (identity != NULL && setup_code != NULL, NULL);
  g_return_val_if_fail (pairings != NULL && guard != NULL, NULL);

  setup = g_new0 (HapPairSetup, 1);
  setup->identity = identity;
  setup->pairings = pairings;
  setup->guard = guard;
  setup->setup_code_len = strlen (setup_code);
  setup->setup_code = g_strdup (setup_code);
  setup->expected_state = 1;
  return setup;
}

static gboolean
owns_guard (const HapPairSetup *setup)
{
  return setup->guard->owner == setup;
}

/* Ends the attempt: wipes the SRP state and keys, releases the guard. */
static void
reset (HapPairSetup *setup)
{
  g_clear_pointer (&setup->srp, hap_srp_server_free);
  sodium_memzero (setup->session_key, sizeof (setup->session_key));
  sodium_memzero (setup->encrypt_key, sizeof (setup->encrypt_key));
  if (owns_guard (setup)) {
    setup->guard->owner = NULL;
    setup->guard->owner_since_us = 0;
  }
  setup->expected_state = 1;
}

void
hap_pair_setup_free (HapPairSetup *setup)
{
  if (setup == NULL)
    return;
  reset (setup);
  sodium_memzero (setup->setup_code, setup->setup_code_len);
  g_free (setup->setup_code);
  g_free (setup);
}

const char *
hap_pair_setup_get_controller_id (const HapPairSetup *setup)
{
  g_return_val_if_fail (setup != NULL, NULL);

  return setup->controller_id[0] != '\0' ? setup->controller_id : NULL;
}

static HapPairSetupStatus
fail (HapPairSetup *setup, guint8 state, HapPairingError error, GBytes **response)
{
  g_debug ("pair-setup: M%u fails with error %d", state, (gint) error);
  reset (setup);
  *response = hap_pairing_error_response (state, error);
  return HAP_PAIR_SETUP_FAILED;
}

static HapPairSetupStatus
handle_m1 (HapPairSetup *setup, const HapTlv8 *tlv, gint64 now_us, GBytes **response)
{
  HapPairSetupGuard *guard = setup->guard;
  guint64 method = HAP_PAIRING_METHOD_PAIR_SETUP, flags = 0;
  gint64 since_us = now_us;
  gsize len;
  const guint8 *value;
  HapTlv8Writer w;

  if (hap_tlv8_find (tlv, HAP_PAIRING_TLV_METHOD) != NULL
      && !hap_tlv8_get_uint (tlv, HAP_PAIRING_TLV_METHOD, &method))
    return fail (setup, 2, HAP_PAIRING_ERROR_UNKNOWN, response);
  if (hap_tlv8_find (tlv, HAP_PAIRING_TLV_FLAGS) != NULL
      && !hap_tlv8_get_uint (tlv, HAP_PAIRING_TLV_FLAGS, &flags))
    return fail (setup, 2, HAP_PAIRING_ERROR_UNKNOWN, response);

  /* A new M1 restarts this connection's attempt; it keeps the time the attempt started, so
   * that repeating M1 cannot hold the guard for ever. */
  if (owns_guard (setup))
    since_us = guard->owner_since_us;
  reset (setup);
  if (hap_pairings_count (setup->pairings) > 0)
    return fail (setup, 2, HAP_PAIRING_ERROR_UNAVAILABLE, response);
  if (guard->failed_attempts >= HAP_PAIR_SETUP_MAX_FAILED_ATTEMPTS)
    return fail (setup, 2, HAP_PAIRING_ERROR_MAX_TRIES, response);
  if (guard->owner != NULL && now_us - guard->owner_since_us < HAP_PAIR_SETUP_ABANDON_US)
    return fail (setup, 2, HAP_PAIRING_ERROR_BUSY, response);
  if (method != HAP_PAIRING_METHOD_PAIR_SETUP && method != HAP_PAIRING_METHOD_PAIR_SETUP_WITH_AUTH)
    return fail (setup, 2, HAP_PAIRING_ERROR_UNKNOWN, response);
  if ((flags & (HAP_PAIRING_FLAG_TRANSIENT | HAP_PAIRING_FLAG_SPLIT)) != 0)
    return fail (setup, 2, HAP_PAIRING_ERROR_UNAVAILABLE, response);

  if (guard->owner != NULL)
    g_debug ("pair-setup: taking over an abandoned attempt");
  guard->owner = setup;
  guard->owner_since_us = since_us;

  setup->srp = hap_srp_server_new (HAP_SRP_GROUP_3072, HAP_SRP_HASH_SHA512, HAP_SRP_USERNAME,
      (const guint8 *) setup->setup_code, setup->setup_code_len, NULL, 0, NULL, 0);
  if (setup->srp == NULL)
    return fail (setup, 2, HAP_PAIRING_ERROR_UNKNOWN, response);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, 2);
  value = hap_srp_server_get_public_key (setup->srp, &len);
  hap_tlv8_add (&w, HAP_PAIRING_TLV_PUBLIC_KEY, value, len);
  value = hap_srp_server_get_salt (setup->srp, &len);
  hap_tlv8_add (&w, HAP_PAIRING_TLV_SALT, value, len);
  *response = hap_tlv8_writer_take_bytes (&w);
  setup->expected_state = 3;
  return HAP_PAIR_SETUP_CONTINUE;
}

static HapPairSetupStatus
handle_m3 (HapPairSetup *setup, const HapTlv8 *tlv, GBytes **response)
{
  const HapTlv8Item *a_pub = hap_tlv8_find (tlv, HAP_PAIRING_TLV_PUBLIC_KEY);
  const HapTlv8Item *proof = hap_tlv8_find (tlv, HAP_PAIRING_TLV_PROOF);
  g_autoptr (GError) error = NULL;
  const guint8 *value;
  gsize len;
  HapTlv8Writer w;

  if (a_pub == NULL || proof == NULL)
    return fail (setup, 4, HAP_PAIRING_ERROR_UNKNOWN, response);
  if (!hap_srp_server_set_client_public_key (setup->srp, a_pub->value, a_pub->len, &error)) {
    g_debug ("pair-setup: M3: %s", error->message);
    return fail (setup, 4, HAP_PAIRING_ERROR_AUTHENTICATION, response);
  }
  if (!hap_srp_server_verify_client_proof (setup->srp, proof->value, proof->len, &error)) {
    setup->guard->failed_attempts++;
    g_debug (
        "pair-setup: M3: wrong setup code (%u failed attempts)", setup->guard->failed_attempts);
    return fail (setup, 4, HAP_PAIRING_ERROR_AUTHENTICATION, response);
  }

  value = hap_srp_server_get_session_key (setup->srp, &len);
  g_assert (len == sizeof (setup->session_key));
  memcpy (setup->session_key, value, len);
  hap_pairing_derive_key (setup->session_key, sizeof (setup->session_key),
      "Pair-Setup-Encrypt-Salt", "Pair-Setup-Encrypt-Info", setup->encrypt_key);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, 4);
  value = hap_srp_server_get_proof (setup->srp, &len);
  hap_tlv8_add (&w, HAP_PAIRING_TLV_PROOF, value, len);
  *response = hap_tlv8_writer_take_bytes (&w);
  setup->expected_state = 5;
  return HAP_PAIR_SETUP_CONTINUE;
}

static HapPairSetupStatus
build_m6 (HapPairSetup *setup, GBytes **response)
{
  const HapIdentity *identity = setup->identity;
  guint8 signature[HAP_PAIRING_SIGNATURE_LEN];
  guint8 x[HAP_PAIRING_KEY_LEN];

  hap_pairing_derive_key (setup->session_key, sizeof (setup->session_key),
      "Pair-Setup-Accessory-Sign-Salt", "Pair-Setup-Accessory-Sign-Info", x);
  hap_pairing_sign_info (x, (const guint8 *) identity->device_id, strlen (identity->device_id),
      identity->ltpk, identity->ltsk, signature);
  sodium_memzero (x, sizeof (x));

  *response = hap_pairing_encrypted_body (
      6, NULL, setup->encrypt_key, "PS-Msg06", identity->device_id, identity->ltpk, signature);
  return HAP_PAIR_SETUP_PAIRED;
}

static HapPairSetupStatus
handle_m5 (HapPairSetup *setup, const HapTlv8 *tlv, GBytes **response)
{
  const HapTlv8Item *encrypted = hap_tlv8_find (tlv, HAP_PAIRING_TLV_ENCRYPTED_DATA);
  g_autoptr (HapTlv8) sub = NULL;
  g_autoptr (GError) error = NULL;
  const HapTlv8Item *id, *ltpk, *signature;
  guint8 x[HAP_PAIRING_KEY_LEN];
  gboolean decrypts, verified;
  gchar controller_id[HAP_PAIRING_ID_MAX + 1];

  if (encrypted == NULL)
    return fail (setup, 6, HAP_PAIRING_ERROR_UNKNOWN, response);
  sub = hap_pairing_decrypt_tlv (
      setup->encrypt_key, "PS-Msg05", encrypted->value, encrypted->len, &decrypts);
  if (!decrypts) {
    g_debug ("pair-setup: M5 does not decrypt");
    return fail (setup, 6, HAP_PAIRING_ERROR_AUTHENTICATION, response);
  }
  if (sub == NULL)
    return fail (setup, 6, HAP_PAIRING_ERROR_UNKNOWN, response);
  if (!hap_pairing_find_signed_id (sub, HAP_PAIRING_ID_MAX, &id, &ltpk, &signature))
    return fail (setup, 6, HAP_PAIRING_ERROR_UNKNOWN, response);

  hap_pairing_derive_key (setup->session_key, sizeof (setup->session_key),
      "Pair-Setup-Controller-Sign-Salt", "Pair-Setup-Controller-Sign-Info", x);
  verified
      = hap_pairing_verify_info (x, id->value, id->len, ltpk->value, ltpk->value, signature->value);
  sodium_memzero (x, sizeof (x));
  if (!verified) {
    g_debug ("pair-setup: M5 signature does not verify");
    return fail (setup, 6, HAP_PAIRING_ERROR_AUTHENTICATION, response);
  }

  memcpy (controller_id, id->value, id->len);
  controller_id[id->len] = '\0';
  if (hap_pairings_count (setup->pairings) > 0)
    return fail (setup, 6, HAP_PAIRING_ERROR_UNAVAILABLE, response);
  if (!hap_pairings_add (
          setup->pairings, controller_id, ltpk->value, HAP_PAIRING_PERM_ADMIN, &error)) {
    g_debug ("pair-setup: M5: %s", error->message);
    return fail (setup, 6,
        error->domain == HAP_PAIRING_ERROR ? (HapPairingError) error->code
                                           : HAP_PAIRING_ERROR_UNKNOWN,
        response);
  }
  memcpy (setup->controller_id, controller_id, sizeof (controller_id));
  setup->guard->failed_attempts = 0;
  g_debug ("pair-setup: paired with controller %s", controller_id);

  build_m6 (setup, response);
  reset (setup);
  setup->expected_state = 0;
  return HAP_PAIR_SETUP_PAIRED;
}

HapPairSetupStatus
hap_pair_setup_handle (
    HapPairSetup *setup, const guint8 *body, gsize len, gint64 now_us, GBytes **response)
{
  g_autoptr (HapTlv8) tlv = NULL;
  guint8 state;
  guint8 reply_state;

  g_return_val_if_fail (setup != NULL && response != NULL, HAP_PAIR_SETUP_FAILED);
  g_return_val_if_fail (body != NULL || len == 0, HAP_PAIR_SETUP_FAILED);

  *response = NULL;
  reply_state = setup->expected_state != 0 ? setup->expected_state + 1 : 2;
  tlv = hap_tlv8_parse (body, len, NULL);
  if (tlv == NULL || !hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_STATE, &state)) {
    g_debug ("pair-setup: malformed request");
    return fail (setup, reply_state, HAP_PAIRING_ERROR_UNKNOWN, response);
  }
  if (state == 1 || state == 3 || state == 5)
    reply_state = state + 1;
  if (state == 1)
    return handle_m1 (setup, tlv, now_us, response);
  if (state != setup->expected_state) {
    g_debug ("pair-setup: M%u while expecting M%u", state, setup->expected_state);
    return fail (setup, reply_state, HAP_PAIRING_ERROR_UNKNOWN, response);
  }
  if (!owns_guard (setup)) {
    g_debug ("pair-setup: this attempt was taken over by another connection");
    return fail (setup, reply_state, HAP_PAIRING_ERROR_UNKNOWN, response);
  }
  setup->guard->owner_since_us = now_us;
  if (state == 3)
    return handle_m3 (setup, tlv, response);
  return handle_m5 (setup, tlv, response);
}

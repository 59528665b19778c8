/* libFuzzer target for the pairing state machines and stores: hap/pair-setup.c,
 * hap/pair-verify.c, hap/pairings-request.c (accessory side, fresh machines), the controller
 * side (hap/pair-setup-client.c, hap/pair-verify-client.c) fed accessory bytes, and the
 * identity / pairings deserializers.
 *
 * Input: byte 0 selects the target (mod 6), the rest is split into bodies at every 2-byte
 * sequence ff fe, fed in order to one machine:
 *   0 pair-setup (accessory)        every response parses and has a State; FAILED has an Error;
 *                                   nothing gets paired; the guard is released after FAILED
 *   1 pair-setup after a real M1    same, with the machine waiting for M3
 *   2 pair-verify (accessory)       same checks; never VERIFIED (no valid signature)
 *   3 /pairings                     sessions alternate admin / user; afterwards the pairings
 *                                   have an admin or are empty, and survive a serialize /
 *                                   deserialize round trip
 *   4 controller side               pair-setup-client and pair-verify-client get the bodies as
 *                                   responses; they never succeed
 *   5 deserializers                 identity and pairings: on success re-serializing gives the
 *                                   input back
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hap/identity.h"
#include "hap/pair-setup-client.h"
#include "hap/pair-setup.h"
#include "hap/pair-verify-client.h"
#include "hap/pair-verify.h"
#include "hap/pairing-tlv.h"
#include "hap/pairings-request.h"
#include "hap/tlv8.h"
#include "tests/fuzz/fuzz-target.h"

#define MAX_BODIES 8

static const guint8 seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
  20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const guint8 key_a[32] = { 0xa1 };
static const guint8 key_b[32] = { 0xb1 };

typedef struct {
  const guint8 *data;
  gsize len;
} Body;

static guint
split (const guint8 *data, gsize size, Body *bodies)
{
  guint n = 0;
  gsize start = 0;

  for (gsize i = 0; i + 1 < size && n < MAX_BODIES - 1; i++) {
    if (data[i] == 0xff && data[i + 1] == 0xfe) {
      bodies[n].data = data + start;
      bodies[n].len = i - start;
      n++;
      start = i + 2;
      i++;
    }
  }
  bodies[n].data = data + start;
  bodies[n].len = size - start;
  return n + 1;
}

/* The response's State (and Error, 0 if none); aborts if it is not a well-formed response. */
static guint8
check_response (GBytes *response, guint8 *error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  guint8 state;

  CHECK (response != NULL);
  tlv = hap_tlv8_parse (g_bytes_get_data (response, NULL), g_bytes_get_size (response), NULL);
  CHECK (tlv != NULL);
  CHECK (hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_STATE, &state));
  if (!hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_ERROR, error))
    *error = 0;
  return state;
}

static void
fuzz_setup (const HapIdentity *identity, const Body *bodies, guint n, gboolean real_m1)
{
  g_autoptr (HapPairings) pairings = hap_pairings_new ();
  HapPairSetupGuard guard = { 0 };
  HapPairSetup *setup = hap_pair_setup_new (identity, "031-45-154", pairings, &guard);
  gint64 now = 0;

  if (real_m1) {
    static const guint8 m1[] = { 0x06, 0x01, 0x01, 0x00, 0x01, 0x00 };
    g_autoptr (GBytes) response = NULL;
    CHECK (
        hap_pair_setup_handle (setup, m1, sizeof (m1), now, &response) == HAP_PAIR_SETUP_CONTINUE);
    CHECK (guard.owner == setup);
  }
  for (guint i = 0; i < n; i++) {
    g_autoptr (GBytes) response = NULL;
    guint8 error;
    HapPairSetupStatus status;

    now += G_USEC_PER_SEC;
    status = hap_pair_setup_handle (setup, bodies[i].data, bodies[i].len, now, &response);
    check_response (response, &error);
    CHECK (status != HAP_PAIR_SETUP_PAIRED);
    CHECK ((status == HAP_PAIR_SETUP_FAILED) == (error != 0));
    if (status == HAP_PAIR_SETUP_FAILED)
      CHECK (guard.owner == NULL);
    else
      CHECK (guard.owner == setup);
  }
  CHECK (hap_pairings_count (pairings) == 0);
  hap_pair_setup_free (setup);
  CHECK (guard.owner == NULL);
}

static void
fuzz_verify (const HapIdentity *identity, const Body *bodies, guint n)
{
  g_autoptr (HapPairings) pairings = hap_pairings_new ();
  g_autoptr (HapPairVerify) verify = NULL;

  CHECK (hap_pairings_add (pairings, "admin", key_a, 1, NULL));
  verify = hap_pair_verify_new (identity, pairings);
  for (guint i = 0; i < n; i++) {
    g_autoptr (GBytes) response = NULL;
    guint8 error;
    HapPairVerifyStatus status;

    status = hap_pair_verify_handle (verify, bodies[i].data, bodies[i].len, &response);
    check_response (response, &error);
    CHECK (status != HAP_PAIR_VERIFY_VERIFIED);
    CHECK ((status == HAP_PAIR_VERIFY_FAILED) == (error != 0));
    CHECK (hap_pair_verify_get_controller_id (verify) == NULL);
  }
}

static void
fuzz_pairings_request (const Body *bodies, guint n)
{
  g_autoptr (HapPairings) pairings = hap_pairings_new ();
  g_autoptr (GBytes) bytes = NULL, again = NULL;
  g_autoptr (HapPairings) copy = NULL;

  CHECK (hap_pairings_add (pairings, "admin", key_a, 1, NULL));
  CHECK (hap_pairings_add (pairings, "user", key_b, 0, NULL));
  for (guint i = 0; i < n; i++) {
    HapPairingsRequestResult result;
    g_autoptr (GBytes) response = NULL;
    guint8 error, state;
    guint before = hap_pairings_count (pairings);

    response = hap_pairings_request_handle (
        pairings, i % 2 == 0 ? "admin" : "user", bodies[i].data, bodies[i].len, &result);
    state = check_response (response, &error);
    CHECK (state == 2);
    if (i % 2 == 1 && hap_pairings_find (pairings, "user") != NULL
        && hap_pairings_find (pairings, "user")->permissions == 0)
      CHECK (error == HAP_PAIRING_ERROR_AUTHENTICATION);
    if (error != 0)
      CHECK (!result.changed && result.removed_ids->len == 0
             && hap_pairings_count (pairings) == before);
    CHECK (hap_pairings_count (pairings) == 0 || hap_pairings_has_admin (pairings));
    CHECK (hap_pairings_count (pairings) <= HAP_PAIRINGS_MAX);
    for (guint r = 0; r < result.removed_ids->len; r++)
      CHECK (hap_pairings_find (pairings, g_ptr_array_index (result.removed_ids, r)) == NULL);
    hap_pairings_request_result_clear (&result);
  }
  bytes = hap_pairings_serialize (pairings);
  copy = hap_pairings_deserialize (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  CHECK (copy != NULL);
  again = hap_pairings_serialize (copy);
  CHECK (g_bytes_equal (bytes, again));
}

static void
fuzz_clients (const Body *bodies, guint n)
{
  HapControllerPairing pairing;
  g_autoptr (HapPairSetupClient) setup = hap_pair_setup_client_new ("031-45-154", "ctrl", NULL);
  g_autoptr (HapPairVerifyClient) verify = NULL;
  g_autoptr (GBytes) m1 = hap_pair_setup_client_start (setup);
  g_autoptr (GBytes) v1 = NULL;
  gboolean setup_alive = TRUE, verify_alive = TRUE;

  memset (&pairing, 0, sizeof (pairing));
  g_strlcpy (pairing.controller_id, "ctrl", sizeof (pairing.controller_id));
  g_strlcpy (pairing.accessory_id, "01:02:03:04:05:06", sizeof (pairing.accessory_id));
  memcpy (pairing.accessory_ltpk, key_a, 32);
  verify = hap_pair_verify_client_new (&pairing);
  v1 = hap_pair_verify_client_start (verify);
  for (guint i = 0; i < n; i++) {
    if (setup_alive) {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) request = NULL;
      HapPairClientStatus status
          = hap_pair_setup_client_handle (setup, bodies[i].data, bodies[i].len, &request, &error);
      CHECK (status != HAP_PAIR_CLIENT_DONE);
      CHECK ((status == HAP_PAIR_CLIENT_FAILED) == (error != NULL));
      CHECK ((status == HAP_PAIR_CLIENT_CONTINUE) == (request != NULL));
      setup_alive = status == HAP_PAIR_CLIENT_CONTINUE;
    }
    if (verify_alive) {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) request = NULL;
      HapPairClientStatus status
          = hap_pair_verify_client_handle (verify, bodies[i].data, bodies[i].len, &request, &error);
      CHECK (status != HAP_PAIR_CLIENT_DONE);
      CHECK ((status == HAP_PAIR_CLIENT_FAILED) == (error != NULL));
      verify_alive = status == HAP_PAIR_CLIENT_CONTINUE;
    }
  }
}

static void
fuzz_deserializers (const guint8 *data, gsize size)
{
  HapIdentity identity;
  g_autoptr (HapPairings) pairings = NULL;

  if (hap_identity_deserialize (&identity, data, size, NULL)) {
    g_autoptr (GBytes) bytes = hap_identity_serialize (&identity);
    CHECK (g_bytes_get_size (bytes) == size
           && memcmp (g_bytes_get_data (bytes, NULL), data, size) == 0);
    hap_identity_clear (&identity);
  }
  pairings = hap_pairings_deserialize (data, size, NULL);
  if (pairings != NULL) {
    g_autoptr (GBytes) bytes = hap_pairings_serialize (pairings);
    CHECK (g_bytes_get_size (bytes) == size
           && memcmp (g_bytes_get_data (bytes, NULL), data, size) == 0);
    CHECK (hap_pairings_count (pairings) <= HAP_PAIRINGS_MAX);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static HapIdentity identity;
  static gboolean initialised;
  Body bodies[MAX_BODIES];
  guint n;

  if (!initialised) {
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    CHECK (hap_identity_init (&identity, "1A:2B:3C:4D:5E:6F", seed));
    initialised = TRUE;
  }
  if (size < 1)
    return 0;
  n = split (data + 1, size - 1, bodies);
  switch (data[0] % 6) {
    case 0:
      fuzz_setup (&identity, bodies, n, FALSE);
      break;
    case 1:
      fuzz_setup (&identity, bodies, n, TRUE);
      break;
    case 2:
      fuzz_verify (&identity, bodies, n);
      break;
    case 3:
      fuzz_pairings_request (bodies, n);
      break;
    case 4:
      fuzz_clients (bodies, n);
      break;
    default:
      fuzz_deserializers (data + 1, size - 1);
      break;
  }
  return 0;
}

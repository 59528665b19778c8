/* Unit tests for the pairing state machines: hap/pair-setup.c, hap/pair-verify.c (accessory)
 * against hap/pair-setup-client.c, hap/pair-verify-client.c (controller), through an in-memory
 * transport (each body handed from one machine to the other). */
#include <string.h>
#include <sodium.h>

#include "hap/pair-setup-client.h"
#include "hap/pair-setup.h"
#include "hap/pair-verify-client.h"
#include "hap/pair-verify.h"
#include "hap/pairing-tlv.h"
#include "hap/parse.h"
#include "hap/tlv8.h"
#include "tests/common/test-util.h"

#define SETUP_CODE "031-45-154"
#define CONTROLLER_ID "3A1B8C2D-5E6F-4A7B-8C9D-0E1F2A3B4C5D"
#define SECOND (G_USEC_PER_SEC)

typedef struct {
  HapIdentity identity;
  HapPairings *pairings;
  HapPairSetupGuard guard;
} Accessory;

static void
accessory_init (Accessory *acc)
{
  guint8 seed[32];

  memset (acc, 0, sizeof (*acc));
  for (guint i = 0; i < sizeof (seed); i++)
    seed[i] = (guint8) (i * 7 + 1);
  g_assert_true (hap_identity_init (&acc->identity, "1A:2B:3C:4D:5E:6F", seed));
  acc->pairings = hap_pairings_new ();
}

static void
accessory_clear (Accessory *acc)
{
  hap_pairings_free (acc->pairings);
  hap_identity_clear (&acc->identity);
}

/* The State and Error of a response (error 0: none). */
static void
read_response (GBytes *response, guint8 *state, guint8 *error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (response, &len);

  tlv = hap_tlv8_parse (data, len, NULL);
  g_assert_nonnull (tlv);
  g_assert_true (hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_STATE, state));
  if (!hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_ERROR, error))
    *error = 0;
}

#define assert_tlv_error(response, want_state, want_error) \
  G_STMT_START                                             \
  {                                                        \
    guint8 state_, error_;                                 \
    read_response ((response), &state_, &error_);          \
    g_assert_cmpuint (state_, ==, (want_state));           \
    g_assert_cmpuint (error_, ==, (want_error));           \
  }                                                        \
  G_STMT_END

static HapPairSetupStatus
setup_send (HapPairSetup *setup, GBytes *request, gint64 now, GBytes **response)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (request, &len);

  return hap_pair_setup_handle (setup, data, len, now, response);
}

static HapPairClientStatus
client_take (HapPairSetupClient *client, GBytes *response, GBytes **request, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (response, &len);

  return hap_pair_setup_client_handle (client, data, len, request, error);
}

/* Runs a whole pair-setup; returns the client (caller frees) after DONE. */
static HapPairSetupClient *
pair (Accessory *acc, guint8 method)
{
  HapPairSetupClient *client = hap_pair_setup_client_new (SETUP_CODE, CONTROLLER_ID, NULL);
  g_autoptr (HapPairSetup) setup = NULL;
  g_autoptr (GBytes) request = NULL;
  HapPairClientStatus client_status = HAP_PAIR_CLIENT_CONTINUE;
  guint rounds = 0;

  setup = hap_pair_setup_new (&acc->identity, SETUP_CODE, acc->pairings, &acc->guard);
  hap_pair_setup_client_set_method (client, method, 0);
  request = hap_pair_setup_client_start (client);
  while (client_status == HAP_PAIR_CLIENT_CONTINUE) {
    g_autoptr (GBytes) response = NULL;
    g_autoptr (GError) error = NULL;
    GBytes *next = NULL;
    HapPairSetupStatus status = setup_send (setup, request, 0, &response);

    g_assert_cmpint (status, ==, rounds < 2 ? HAP_PAIR_SETUP_CONTINUE : HAP_PAIR_SETUP_PAIRED);
    client_status = client_take (client, response, &next, &error);
    g_assert_no_error (error);
    g_clear_pointer (&request, g_bytes_unref);
    request = next;
    rounds++;
  }
  g_assert_cmpint (client_status, ==, HAP_PAIR_CLIENT_DONE);
  g_assert_cmpuint (rounds, ==, 3);
  g_assert_null (request);
  g_assert_cmpstr (hap_pair_setup_get_controller_id (setup), ==, CONTROLLER_ID);
  g_assert_null (acc->guard.owner);
  return client;
}

/* Runs pair-verify; returns the status of the accessory's last step. */
typedef struct {
  HapPairVerifyStatus accessory_status;
  HapPairClientStatus client_status;
  GError *client_error;
  guint8 last_state, last_error;
  guint8 a2c[32], c2a[32], client_a2c[32], client_c2a[32];
} VerifyRun;

static void
verify_run (Accessory *acc, const HapControllerPairing *pairing, VerifyRun *run)
{
  g_autoptr (HapPairVerify) verify = hap_pair_verify_new (&acc->identity, acc->pairings);
  g_autoptr (HapPairVerifyClient) client = hap_pair_verify_client_new (pairing);
  g_autoptr (GBytes) request = hap_pair_verify_client_start (client);

  memset (run, 0, sizeof (*run));
  run->client_status = HAP_PAIR_CLIENT_CONTINUE;
  while (run->client_status == HAP_PAIR_CLIENT_CONTINUE) {
    g_autoptr (GBytes) response = NULL;
    GBytes *next = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data (request, &len);

    run->accessory_status = hap_pair_verify_handle (verify, data, len, &response);
    read_response (response, &run->last_state, &run->last_error);
    data = g_bytes_get_data (response, &len);
    run->client_status
        = hap_pair_verify_client_handle (client, data, len, &next, &run->client_error);
    g_clear_pointer (&request, g_bytes_unref);
    request = next;
  }
  if (run->accessory_status == HAP_PAIR_VERIFY_VERIFIED) {
    g_assert_cmpstr (hap_pair_verify_get_controller_id (verify), ==, pairing->controller_id);
    hap_pair_verify_get_session_keys (verify, run->a2c, run->c2a);
  }
  if (run->client_status == HAP_PAIR_CLIENT_DONE) {
    hap_pair_verify_client_get_session_keys (client, run->client_a2c, run->client_c2a);
    g_assert_nonnull (hap_pair_verify_get_shared_secret (verify));
    g_assert_cmpmem (hap_pair_verify_get_shared_secret (verify), 32,
        hap_pair_verify_client_get_shared_secret (client), 32);
  }
}

static void
verify_run_clear (VerifyRun *run)
{
  g_clear_error (&run->client_error);
}

static void
test_pair_and_verify (void)
{
  Accessory acc;
  g_autoptr (HapPairSetupClient) client = NULL;
  const HapControllerPairing *p;
  const HapPairing *stored;
  VerifyRun run;
  guint8 zero[32] = { 0 };

  accessory_init (&acc);
  client = pair (&acc, HAP_PAIRING_METHOD_PAIR_SETUP);
  p = hap_pair_setup_client_get_pairing (client);
  g_assert_nonnull (p);
  g_assert_cmpstr (p->accessory_id, ==, "1A:2B:3C:4D:5E:6F");
  g_assert_cmpmem (p->accessory_ltpk, 32, acc.identity.ltpk, 32);
  g_assert_cmpuint (hap_pairings_count (acc.pairings), ==, 1);
  stored = hap_pairings_find (acc.pairings, CONTROLLER_ID);
  g_assert_nonnull (stored);
  g_assert_cmpuint (stored->permissions, ==, HAP_PAIRING_PERM_ADMIN);
  g_assert_cmpmem (stored->ltpk, 32, p->controller_ltpk, 32);

  verify_run (&acc, p, &run);
  g_assert_no_error (run.client_error);
  g_assert_cmpint (run.accessory_status, ==, HAP_PAIR_VERIFY_VERIFIED);
  g_assert_cmpint (run.client_status, ==, HAP_PAIR_CLIENT_DONE);
  g_assert_cmpuint (run.last_state, ==, 4);
  g_assert_cmpuint (run.last_error, ==, 0);
  g_assert_cmpmem (run.a2c, 32, run.client_a2c, 32);
  g_assert_cmpmem (run.c2a, 32, run.client_c2a, 32);
  g_assert_true (memcmp (run.a2c, run.c2a, 32) != 0);
  g_assert_true (memcmp (run.a2c, zero, 32) != 0);

  /* A second verify gives new keys (new ephemeral keys). */
  {
    VerifyRun again;
    verify_run (&acc, p, &again);
    g_assert_cmpint (again.accessory_status, ==, HAP_PAIR_VERIFY_VERIFIED);
    g_assert_true (memcmp (again.a2c, run.a2c, 32) != 0);
    verify_run_clear (&again);
  }
  verify_run_clear (&run);
  accessory_clear (&acc);
}

static void
test_pair_method_with_auth (void)
{
  Accessory acc;
  g_autoptr (HapPairSetupClient) client = NULL;

  accessory_init (&acc);
  client = pair (&acc, HAP_PAIRING_METHOD_PAIR_SETUP_WITH_AUTH);
  g_assert_cmpuint (hap_pairings_count (acc.pairings), ==, 1);
  accessory_clear (&acc);
}

/* M1 with a method / flags: the expected first response. */
static void
test_m1_methods_and_flags (void)
{
  static const struct {
    guint8 method;
    guint32 flags;
    guint8 error; /* 0: M2 */
  } cases[] = {
    { HAP_PAIRING_METHOD_PAIR_SETUP, 0, 0 },
    { HAP_PAIRING_METHOD_PAIR_SETUP_WITH_AUTH, 0, 0 },
    { HAP_PAIRING_METHOD_PAIR_SETUP, 0x01, 0 }, /* unknown flag bits are ignored */
    { HAP_PAIRING_METHOD_PAIR_VERIFY, 0, HAP_PAIRING_ERROR_UNKNOWN },
    { HAP_PAIRING_METHOD_ADD_PAIRING, 0, HAP_PAIRING_ERROR_UNKNOWN },
    { 0x42, 0, HAP_PAIRING_ERROR_UNKNOWN },
    { HAP_PAIRING_METHOD_PAIR_SETUP, HAP_PAIRING_FLAG_TRANSIENT, HAP_PAIRING_ERROR_UNAVAILABLE },
    { HAP_PAIRING_METHOD_PAIR_SETUP, HAP_PAIRING_FLAG_SPLIT, HAP_PAIRING_ERROR_UNAVAILABLE },
    { HAP_PAIRING_METHOD_PAIR_SETUP, HAP_PAIRING_FLAG_SPLIT | HAP_PAIRING_FLAG_TRANSIENT,
        HAP_PAIRING_ERROR_UNAVAILABLE },
  };
  Accessory acc;

  accessory_init (&acc);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (HapPairSetupClient) client
        = hap_pair_setup_client_new (SETUP_CODE, CONTROLLER_ID, NULL);
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) m1 = NULL;
    g_autoptr (GBytes) response = NULL;
    HapPairSetupStatus status;

    g_test_message ("case %u", i);
    hap_pair_setup_client_set_method (client, cases[i].method, cases[i].flags);
    m1 = hap_pair_setup_client_start (client);
    status = setup_send (setup, m1, 0, &response);
    assert_tlv_error (response, 2, cases[i].error);
    g_assert_cmpint (status, ==, cases[i].error ? HAP_PAIR_SETUP_FAILED : HAP_PAIR_SETUP_CONTINUE);
    g_assert_true (acc.guard.owner == (cases[i].error ? NULL : setup));
  }
  g_assert_null (acc.guard.owner);
  accessory_clear (&acc);
}

static void
test_wrong_code (void)
{
  Accessory acc;
  g_autoptr (HapPairSetupClient) client = hap_pair_setup_client_new ("111-22-333", "c", NULL);
  g_autoptr (HapPairSetup) setup = NULL;
  g_autoptr (GBytes) m1 = NULL, m2 = NULL, m3 = NULL, m4 = NULL, m5 = NULL;
  g_autoptr (GError) error = NULL;

  accessory_init (&acc);
  setup = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
  m1 = hap_pair_setup_client_start (client);
  g_assert_cmpint (setup_send (setup, m1, 0, &m2), ==, HAP_PAIR_SETUP_CONTINUE);
  g_assert_cmpint (client_take (client, m2, &m3, &error), ==, HAP_PAIR_CLIENT_CONTINUE);
  g_assert_cmpint (setup_send (setup, m3, 0, &m4), ==, HAP_PAIR_SETUP_FAILED);
  assert_tlv_error (m4, 4, HAP_PAIRING_ERROR_AUTHENTICATION);
  g_assert_cmpuint (acc.guard.failed_attempts, ==, 1);
  g_assert_null (acc.guard.owner);
  g_assert_cmpint (client_take (client, m4, &m5, &error), ==, HAP_PAIR_CLIENT_FAILED);
  g_assert_null (m5);
  g_assert_error (error, HAP_PAIRING_ERROR, HAP_PAIRING_ERROR_AUTHENTICATION);
  g_assert_cmpuint (hap_pairings_count (acc.pairings), ==, 0);

  /* The right code still pairs afterwards, and success resets the counter. */
  {
    g_autoptr (HapPairSetupClient) good = pair (&acc, 0);
    g_assert_cmpuint (acc.guard.failed_attempts, ==, 0);
  }
  accessory_clear (&acc);
}

/* One failed attempt with a valid A and a wrong proof (cheaper than a whole client). */
static void
fail_once (Accessory *acc, GBytes *m3)
{
  g_autoptr (HapPairSetup) setup
      = hap_pair_setup_new (&acc->identity, SETUP_CODE, acc->pairings, &acc->guard);
  g_autoptr (GBytes) m1 = hap_test_hex ("06 01 01 00 01 00");
  g_autoptr (GBytes) m2 = NULL, m4 = NULL;

  g_assert_cmpint (setup_send (setup, m1, 0, &m2), ==, HAP_PAIR_SETUP_CONTINUE);
  g_assert_cmpint (setup_send (setup, m3, 0, &m4), ==, HAP_PAIR_SETUP_FAILED);
  assert_tlv_error (m4, 4, HAP_PAIRING_ERROR_AUTHENTICATION);
}

static void
test_max_tries (void)
{
  Accessory acc;
  g_autoptr (HapPairSetupClient) client = hap_pair_setup_client_new (SETUP_CODE, "c", NULL);
  g_autoptr (GBytes) m1 = hap_pair_setup_client_start (client);
  g_autoptr (GBytes) m3 = NULL;
  HapTlv8Writer w;
  const guint8 *a;
  gsize a_len;
  guint8 proof[64];

  accessory_init (&acc);
  {
    /* Get a real A through one exchange with the client. */
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) m2 = NULL, real_m3 = NULL;
    g_autoptr (HapTlv8) tlv = NULL;
    const HapTlv8Item *item;
    g_assert_cmpint (setup_send (setup, m1, 0, &m2), ==, HAP_PAIR_SETUP_CONTINUE);
    g_assert_cmpint (client_take (client, m2, &real_m3, NULL), ==, HAP_PAIR_CLIENT_CONTINUE);
    tlv = hap_tlv8_parse (g_bytes_get_data (real_m3, NULL), g_bytes_get_size (real_m3), NULL);
    item = hap_tlv8_find (tlv, HAP_PAIRING_TLV_PUBLIC_KEY);
    g_assert_nonnull (item);
    a = item->value;
    a_len = item->len;
    memset (proof, 0x5a, sizeof (proof));
    hap_tlv8_writer_init (&w);
    hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, 3);
    hap_tlv8_add (&w, HAP_PAIRING_TLV_PUBLIC_KEY, a, a_len);
    hap_tlv8_add (&w, HAP_PAIRING_TLV_PROOF, proof, sizeof (proof));
    m3 = hap_tlv8_writer_take_bytes (&w);
  }

  for (guint i = 0; i < HAP_PAIR_SETUP_MAX_FAILED_ATTEMPTS; i++) {
    g_assert_cmpuint (acc.guard.failed_attempts, ==, i);
    fail_once (&acc, m3);
  }
  g_assert_cmpuint (acc.guard.failed_attempts, ==, 100);

  /* Every M1 now gets MaxTries, whatever the method or code. */
  for (guint i = 0; i < 3; i++) {
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) response = NULL;
    g_assert_cmpint (setup_send (setup, m1, i * 60 * SECOND, &response), ==, HAP_PAIR_SETUP_FAILED);
    assert_tlv_error (response, 2, HAP_PAIRING_ERROR_MAX_TRIES);
    g_assert_null (acc.guard.owner);
  }
  /* Until the owner resets the counter. */
  acc.guard.failed_attempts = 0;
  {
    g_autoptr (HapPairSetupClient) good = pair (&acc, 0);
  }
  accessory_clear (&acc);
}

static void
test_unavailable_when_paired (void)
{
  Accessory acc;
  g_autoptr (HapPairSetup) setup = NULL;
  g_autoptr (GBytes) m1 = hap_test_hex ("00 01 00 06 01 01");
  g_autoptr (GBytes) response = NULL;
  guint8 ltpk[32] = { 1 };

  accessory_init (&acc);
  g_assert_true (hap_pairings_add (acc.pairings, "someone", ltpk, 1, NULL));
  setup = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
  g_assert_cmpint (setup_send (setup, m1, 0, &response), ==, HAP_PAIR_SETUP_FAILED);
  assert_tlv_error (response, 2, HAP_PAIRING_ERROR_UNAVAILABLE);
  /* Unavailable comes before MaxTries and Busy. */
  acc.guard.failed_attempts = 100;
  acc.guard.owner = &acc;
  g_clear_pointer (&response, g_bytes_unref);
  g_assert_cmpint (setup_send (setup, m1, 0, &response), ==, HAP_PAIR_SETUP_FAILED);
  assert_tlv_error (response, 2, HAP_PAIRING_ERROR_UNAVAILABLE);
  acc.guard.owner = NULL;
  accessory_clear (&acc);
}

static void
test_busy (void)
{
  Accessory acc;
  g_autoptr (HapPairSetupClient) client_a = hap_pair_setup_client_new (SETUP_CODE, "a", NULL);
  g_autoptr (HapPairSetupClient) client_c = hap_pair_setup_client_new (SETUP_CODE, "c", NULL);
  HapPairSetup *a, *b, *c;
  g_autoptr (GBytes) m1 = hap_test_hex ("06 01 01 00 01 00");
  g_autoptr (GBytes) a_m1 = NULL, a_m2 = NULL, a_m3 = NULL, a_m4 = NULL;
  g_autoptr (GBytes) c_m1 = NULL, c_m2 = NULL, c_m3 = NULL, c_m4 = NULL;
  GBytes *r = NULL;

  accessory_init (&acc);
  a = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
  b = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
  c = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);

  a_m1 = hap_pair_setup_client_start (client_a);
  g_assert_cmpint (setup_send (a, a_m1, 100 * SECOND, &a_m2), ==, HAP_PAIR_SETUP_CONTINUE);
  g_assert_true (acc.guard.owner == a);

  /* b is Busy while a is in progress, including 29 s later. */
  g_assert_cmpint (setup_send (b, m1, 101 * SECOND, &r), ==, HAP_PAIR_SETUP_FAILED);
  assert_tlv_error (r, 2, HAP_PAIRING_ERROR_BUSY);
  g_clear_pointer (&r, g_bytes_unref);
  g_assert_cmpint (setup_send (b, m1, 129 * SECOND, &r), ==, HAP_PAIR_SETUP_FAILED);
  assert_tlv_error (r, 2, HAP_PAIRING_ERROR_BUSY);
  g_clear_pointer (&r, g_bytes_unref);
  g_assert_true (acc.guard.owner == a);

  /* a makes progress at 120 s: the 30 s count again from there. */
  g_assert_cmpint (client_take (client_a, a_m2, &a_m3, NULL), ==, HAP_PAIR_CLIENT_CONTINUE);
  g_assert_cmpint (setup_send (a, a_m3, 120 * SECOND, &a_m4), ==, HAP_PAIR_SETUP_CONTINUE);
  g_assert_cmpint (setup_send (b, m1, 149 * SECOND, &r), ==, HAP_PAIR_SETUP_FAILED);
  assert_tlv_error (r, 2, HAP_PAIRING_ERROR_BUSY);
  g_clear_pointer (&r, g_bytes_unref);

  /* a is abandoned: 30 s without progress, c takes over and pairs. */
  c_m1 = hap_pair_setup_client_start (client_c);
  g_assert_cmpint (setup_send (c, c_m1, 150 * SECOND, &c_m2), ==, HAP_PAIR_SETUP_CONTINUE);
  g_assert_true (acc.guard.owner == c);
  /* a's next step is refused and does not release c's guard. */
  {
    g_autoptr (GBytes) a_m5 = NULL;
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (client_take (client_a, a_m4, &a_m5, &error), ==, HAP_PAIR_CLIENT_CONTINUE);
    g_assert_cmpint (setup_send (a, a_m5, 151 * SECOND, &r), ==, HAP_PAIR_SETUP_FAILED);
    assert_tlv_error (r, 6, HAP_PAIRING_ERROR_UNKNOWN);
    g_clear_pointer (&r, g_bytes_unref);
  }
  g_assert_true (acc.guard.owner == c);
  hap_pair_setup_free (a);
  g_assert_true (acc.guard.owner == c);

  /* Freeing the owner releases the guard: b can start. */
  hap_pair_setup_free (c);
  g_assert_null (acc.guard.owner);
  g_assert_cmpint (setup_send (b, m1, 152 * SECOND, &r), ==, HAP_PAIR_SETUP_CONTINUE);
  g_clear_pointer (&r, g_bytes_unref);
  g_assert_true (acc.guard.owner == b);
  /* A repeated M1 on the owner restarts its own attempt instead of Busy, without restarting
   * its clock: repeating M1 does not hold the guard past 30 s. */
  g_assert_cmpint (setup_send (b, m1, 170 * SECOND, &r), ==, HAP_PAIR_SETUP_CONTINUE);
  g_clear_pointer (&r, g_bytes_unref);
  g_assert_true (acc.guard.owner == b);
  g_assert_cmpint (acc.guard.owner_since_us, ==, 152 * SECOND);
  {
    HapPairSetup *d = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_assert_cmpint (setup_send (d, m1, 181 * SECOND, &r), ==, HAP_PAIR_SETUP_FAILED);
    assert_tlv_error (r, 2, HAP_PAIRING_ERROR_BUSY);
    g_clear_pointer (&r, g_bytes_unref);
    g_assert_cmpint (setup_send (d, m1, 182 * SECOND, &r), ==, HAP_PAIR_SETUP_CONTINUE);
    g_clear_pointer (&r, g_bytes_unref);
    g_assert_true (acc.guard.owner == d);
    hap_pair_setup_free (d);
  }
  hap_pair_setup_free (b);
  g_assert_null (acc.guard.owner);
  accessory_clear (&acc);
}

/* Requests that do not fit the state machine's state. */
static void
test_setup_out_of_order (void)
{
  static const struct {
    const gchar *body;
    guint8 state;
  } fresh[] = {
    { "06 01 03 03 01 00 04 01 00", 4 },                      /* M3 first */
    { "06 01 05 05 10 00000000000000000000000000000000", 6 }, /* M5 first */
    { "06 01 02", 2 },                                        /* a response state */
    { "06 01 06", 2 },
    { "06 01 07", 2 },
    { "06 01 00", 2 },
    { "06 01 ff", 2 },
  };
  Accessory acc;

  accessory_init (&acc);
  for (guint i = 0; i < G_N_ELEMENTS (fresh); i++) {
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) body = hap_test_hex (fresh[i].body);
    g_autoptr (GBytes) response = NULL;
    g_test_message ("case %u", i);
    g_assert_cmpint (setup_send (setup, body, 0, &response), ==, HAP_PAIR_SETUP_FAILED);
    assert_tlv_error (response, fresh[i].state, HAP_PAIRING_ERROR_UNKNOWN);
    g_assert_null (acc.guard.owner);
  }
  /* M1 then M5: Unknown, and the guard is released. */
  {
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) m1 = hap_test_hex ("06 01 01 00 01 00");
    g_autoptr (GBytes) m5 = hap_test_hex ("06 01 05 05 10 00000000000000000000000000000000");
    g_autoptr (GBytes) m1_again = NULL;
    g_autoptr (GBytes) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL;
    g_assert_cmpint (setup_send (setup, m1, 0, &r1), ==, HAP_PAIR_SETUP_CONTINUE);
    g_assert_cmpint (setup_send (setup, m5, 0, &r2), ==, HAP_PAIR_SETUP_FAILED);
    assert_tlv_error (r2, 6, HAP_PAIRING_ERROR_UNKNOWN);
    g_assert_null (acc.guard.owner);
    /* After the failure the attempt is over: M3 is out of order too. */
    g_assert_cmpint (setup_send (setup, m5, 0, &r3), ==, HAP_PAIR_SETUP_FAILED);
    assert_tlv_error (r3, 6, HAP_PAIRING_ERROR_UNKNOWN);
  }
  g_assert_cmpuint (acc.guard.failed_attempts, ==, 0);
  accessory_clear (&acc);
}

/* Malformed bodies to a fresh machine and to one waiting for M3: Unknown (1). */
static const struct {
  const gchar *body;
  guint8 state_fresh; /* the error response's State from a fresh machine */
} garbage[] = {
  { "", 2 },                                  /* no state */
  { "06", 2 },                                /* truncated header */
  { "06 01", 2 },                             /* truncated value */
  { "06 02 01 00", 2 },                       /* state of 2 bytes */
  { "06 00", 2 },                             /* empty state */
  { "00 01 00", 2 },                          /* method only */
  { "06 01 01 00 02 00 00", 2 },              /* M1 with a 2-byte method... accepted as 0 */
  { "06 01 01 00 00", 2 },                    /* M1 with an empty method */
  { "06 01 01 13 00", 2 },                    /* M1 with empty flags */
  { "06 01 01 13 09 000000000000000000", 2 }, /* M1 with 9-byte flags */
  { "06 01 03 03 01 00", 4 },                 /* M3 without proof */
  { "06 01 05", 6 },                          /* M5 without data */
};

static void
test_setup_garbage (void)
{
  Accessory acc;

  accessory_init (&acc);
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++) {
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) body = hap_test_hex (garbage[i].body);
    g_autoptr (GBytes) response = NULL;
    HapPairSetupStatus status;
    guint8 state, error;

    g_test_message ("case %u: %s", i, garbage[i].body);
    status = setup_send (setup, body, 0, &response);
    read_response (response, &state, &error);
    if (i == 6) {
      /* A method of 2 bytes is still a little-endian 0: M2. */
      g_assert_cmpint (status, ==, HAP_PAIR_SETUP_CONTINUE);
      continue;
    }
    g_assert_cmpint (status, ==, HAP_PAIR_SETUP_FAILED);
    g_assert_cmpuint (state, ==, garbage[i].state_fresh);
    g_assert_cmpuint (error, ==, HAP_PAIRING_ERROR_UNKNOWN);
    g_assert_null (acc.guard.owner);
  }
  /* The same bodies while waiting for M3. */
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++) {
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) m1 = hap_test_hex ("06 01 01 00 01 00");
    g_autoptr (GBytes) body = hap_test_hex (garbage[i].body);
    g_autoptr (GBytes) r1 = NULL, response = NULL;
    guint8 state, error;

    g_assert_cmpint (setup_send (setup, m1, 0, &r1), ==, HAP_PAIR_SETUP_CONTINUE);
    if (g_str_has_prefix (garbage[i].body, "06 01 01 "))
      continue; /* a new M1 */
    g_assert_cmpint (setup_send (setup, body, 0, &response), ==, HAP_PAIR_SETUP_FAILED);
    read_response (response, &state, &error);
    g_assert_cmpuint (state, ==, garbage[i].state_fresh == 2 ? 4 : garbage[i].state_fresh);
    g_assert_cmpuint (error, ==, HAP_PAIRING_ERROR_UNKNOWN);
    g_assert_null (acc.guard.owner);
  }
  g_assert_cmpuint (acc.guard.failed_attempts, ==, 0);
  accessory_clear (&acc);
}

/* Runs M1-M4 and returns the client's M5 (the accessory waiting for it). */
static GBytes *
run_to_m5 (Accessory *acc, HapPairSetup *setup, HapPairSetupClient *client)
{
  g_autoptr (GBytes) m1 = hap_pair_setup_client_start (client);
  g_autoptr (GBytes) m2 = NULL, m3 = NULL, m4 = NULL;
  GBytes *m5 = NULL;

  g_assert_cmpint (setup_send (setup, m1, 0, &m2), ==, HAP_PAIR_SETUP_CONTINUE);
  g_assert_cmpint (client_take (client, m2, &m3, NULL), ==, HAP_PAIR_CLIENT_CONTINUE);
  g_assert_cmpint (setup_send (setup, m3, 0, &m4), ==, HAP_PAIR_SETUP_CONTINUE);
  g_assert_cmpint (client_take (client, m4, &m5, NULL), ==, HAP_PAIR_CLIENT_CONTINUE);
  g_assert_true (acc->guard.owner == setup);
  return m5;
}

static GBytes *
flip_byte (GBytes *bytes, gsize offset_from_end)
{
  gsize len;
  guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (bytes), &len);

  copy[len - 1 - offset_from_end] ^= 0x80;
  return g_bytes_new_take (copy, len);
}

static void
test_m5_tampered (void)
{
  Accessory acc;

  accessory_init (&acc);
  /* The tag (last bytes), and a byte in the middle of the ciphertext. */
  for (gsize offset = 0; offset < 40; offset += 20) {
    g_autoptr (HapPairSetupClient) client = hap_pair_setup_client_new (SETUP_CODE, "c", NULL);
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) m5 = run_to_m5 (&acc, setup, client);
    g_autoptr (GBytes) bad = flip_byte (m5, offset);
    g_autoptr (GBytes) response = NULL;

    g_assert_cmpint (setup_send (setup, bad, 0, &response), ==, HAP_PAIR_SETUP_FAILED);
    assert_tlv_error (response, 6, HAP_PAIRING_ERROR_AUTHENTICATION);
    g_assert_cmpuint (hap_pairings_count (acc.pairings), ==, 0);
    g_assert_null (acc.guard.owner);
    /* The attempt is over: the genuine M5 is refused now. */
    g_clear_pointer (&response, g_bytes_unref);
    g_assert_cmpint (setup_send (setup, m5, 0, &response), ==, HAP_PAIR_SETUP_FAILED);
    assert_tlv_error (response, 6, HAP_PAIRING_ERROR_UNKNOWN);
  }
  g_assert_cmpuint (acc.guard.failed_attempts, ==, 0);
  accessory_clear (&acc);
}

static void
test_m5_bad_signature (void)
{
  Accessory acc;
  g_autoptr (HapPairSetupClient) client = hap_pair_setup_client_new (SETUP_CODE, "c", NULL);
  g_autoptr (HapPairSetup) setup = NULL;
  g_autoptr (GBytes) m5 = NULL, response = NULL;
  g_autoptr (GError) error = NULL;
  GBytes *next = NULL;

  accessory_init (&acc);
  setup = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
  hap_pair_setup_client_set_corrupt_signature (client, TRUE);
  m5 = run_to_m5 (&acc, setup, client);
  g_assert_cmpint (setup_send (setup, m5, 0, &response), ==, HAP_PAIR_SETUP_FAILED);
  assert_tlv_error (response, 6, HAP_PAIRING_ERROR_AUTHENTICATION);
  g_assert_cmpuint (hap_pairings_count (acc.pairings), ==, 0);
  g_assert_cmpint (client_take (client, response, &next, &error), ==, HAP_PAIR_CLIENT_FAILED);
  g_assert_error (error, HAP_PAIRING_ERROR, HAP_PAIRING_ERROR_AUTHENTICATION);
  g_assert_null (next);
  accessory_clear (&acc);
}

/* The controller side refuses a forged M4 (wrong proof) and a tampered M6. */
static void
test_client_rejects (void)
{
  Accessory acc;

  accessory_init (&acc);
  {
    g_autoptr (HapPairSetupClient) client = hap_pair_setup_client_new (SETUP_CODE, "c", NULL);
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) m1 = hap_pair_setup_client_start (client);
    g_autoptr (GBytes) m2 = NULL, m3 = NULL, m4 = NULL, bad = NULL;
    g_autoptr (GError) error = NULL;
    GBytes *next = NULL;

    g_assert_cmpint (setup_send (setup, m1, 0, &m2), ==, HAP_PAIR_SETUP_CONTINUE);
    g_assert_cmpint (client_take (client, m2, &m3, NULL), ==, HAP_PAIR_CLIENT_CONTINUE);
    g_assert_cmpint (setup_send (setup, m3, 0, &m4), ==, HAP_PAIR_SETUP_CONTINUE);
    bad = flip_byte (m4, 0);
    g_assert_cmpint (client_take (client, bad, &next, &error), ==, HAP_PAIR_CLIENT_FAILED);
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
    g_assert_null (next);
    g_assert_null (hap_pair_setup_client_get_pairing (client));
  }
  {
    g_autoptr (HapPairSetupClient) client = hap_pair_setup_client_new (SETUP_CODE, "c", NULL);
    g_autoptr (HapPairSetup) setup
        = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
    g_autoptr (GBytes) m5 = run_to_m5 (&acc, setup, client);
    g_autoptr (GBytes) m6 = NULL, bad = NULL;
    g_autoptr (GError) error = NULL;
    GBytes *next = NULL;

    g_assert_cmpint (setup_send (setup, m5, 0, &m6), ==, HAP_PAIR_SETUP_PAIRED);
    bad = flip_byte (m6, 3);
    g_assert_cmpint (client_take (client, bad, &next, &error), ==, HAP_PAIR_CLIENT_FAILED);
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
    g_assert_null (hap_pair_setup_client_get_pairing (client));
  }
  /* Responses in the wrong order or malformed. */
  {
    static const gchar *bodies[] = { "", "06 01 04", "06 01 06", "06", "06 01 02",
      "06 01 02 02 10 00000000000000000000000000000000" };
    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++) {
      g_autoptr (HapPairSetupClient) client = hap_pair_setup_client_new (SETUP_CODE, "c", NULL);
      g_autoptr (GBytes) m1 = hap_pair_setup_client_start (client);
      g_autoptr (GBytes) body = hap_test_hex (bodies[i]);
      g_autoptr (GError) error = NULL;
      GBytes *next = NULL;
      g_test_message ("client case %u", i);
      g_assert_cmpint (client_take (client, body, &next, &error), ==, HAP_PAIR_CLIENT_FAILED);
      g_assert_nonnull (error);
      g_assert_true (error->domain == HAP_CODEC_ERROR);
      g_assert_null (next);
    }
  }
  accessory_clear (&acc);
}

static void
test_verify_errors (void)
{
  Accessory acc;
  g_autoptr (HapPairSetupClient) setup_client = NULL;
  HapControllerPairing p;
  VerifyRun run;

  accessory_init (&acc);
  setup_client = pair (&acc, 0);
  p = *hap_pair_setup_client_get_pairing (setup_client);

  /* Unknown controller. */
  {
    HapControllerPairing unknown = p;
    g_strlcpy (unknown.controller_id, "stranger", sizeof (unknown.controller_id));
    verify_run (&acc, &unknown, &run);
    g_assert_cmpint (run.accessory_status, ==, HAP_PAIR_VERIFY_FAILED);
    g_assert_cmpuint (run.last_state, ==, 4);
    g_assert_cmpuint (run.last_error, ==, HAP_PAIRING_ERROR_AUTHENTICATION);
    g_assert_error (run.client_error, HAP_PAIRING_ERROR, HAP_PAIRING_ERROR_AUTHENTICATION);
    verify_run_clear (&run);
  }
  /* Known id, other key: the signature does not verify. */
  {
    HapControllerPairing forged = p;
    crypto_sign_keypair (forged.controller_ltpk, forged.controller_ltsk);
    verify_run (&acc, &forged, &run);
    g_assert_cmpint (run.accessory_status, ==, HAP_PAIR_VERIFY_FAILED);
    g_assert_cmpuint (run.last_state, ==, 4);
    g_assert_cmpuint (run.last_error, ==, HAP_PAIRING_ERROR_AUTHENTICATION);
    verify_run_clear (&run);
  }
  /* The controller refuses an accessory with another key or another id. */
  {
    HapControllerPairing other = p;
    guint8 sk[64];
    crypto_sign_keypair (other.accessory_ltpk, sk);
    verify_run (&acc, &other, &run);
    g_assert_cmpint (run.accessory_status, ==, HAP_PAIR_VERIFY_CONTINUE);
    g_assert_cmpint (run.client_status, ==, HAP_PAIR_CLIENT_FAILED);
    g_assert_error (run.client_error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
    verify_run_clear (&run);
    other = p;
    g_strlcpy (other.accessory_id, "AA:AA:AA:AA:AA:AA", sizeof (other.accessory_id));
    verify_run (&acc, &other, &run);
    g_assert_cmpint (run.client_status, ==, HAP_PAIR_CLIENT_FAILED);
    g_assert_error (run.client_error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
    verify_run_clear (&run);
  }
  /* Tampered M3, and tampered M2 seen by the controller. */
  {
    g_autoptr (HapPairVerify) verify = hap_pair_verify_new (&acc.identity, acc.pairings);
    g_autoptr (HapPairVerifyClient) client = hap_pair_verify_client_new (&p);
    g_autoptr (GBytes) m1 = hap_pair_verify_client_start (client);
    g_autoptr (GBytes) m2 = NULL, m3 = NULL, bad = NULL, m4 = NULL, m3_again = NULL;
    GBytes *next = NULL;
    g_autoptr (GError) error = NULL;

    g_assert_cmpint (
        hap_pair_verify_handle (verify, g_bytes_get_data (m1, NULL), g_bytes_get_size (m1), &m2),
        ==, HAP_PAIR_VERIFY_CONTINUE);
    g_assert_cmpint (hap_pair_verify_client_handle (
                         client, g_bytes_get_data (m2, NULL), g_bytes_get_size (m2), &m3, NULL),
        ==, HAP_PAIR_CLIENT_CONTINUE);
    bad = flip_byte (m3, 5);
    g_assert_cmpint (
        hap_pair_verify_handle (verify, g_bytes_get_data (bad, NULL), g_bytes_get_size (bad), &m4),
        ==, HAP_PAIR_VERIFY_FAILED);
    assert_tlv_error (m4, 4, HAP_PAIRING_ERROR_AUTHENTICATION);
    g_assert_null (hap_pair_verify_get_controller_id (verify));
    g_assert_null (hap_pair_verify_get_shared_secret (verify));
    /* The exchange is over: the genuine M3 is now out of order. */
    g_clear_pointer (&m4, g_bytes_unref);
    g_assert_cmpint (
        hap_pair_verify_handle (verify, g_bytes_get_data (m3, NULL), g_bytes_get_size (m3), &m4),
        ==, HAP_PAIR_VERIFY_FAILED);
    assert_tlv_error (m4, 4, HAP_PAIRING_ERROR_UNKNOWN);
    (void) next;
    (void) error;
  }
  {
    g_autoptr (HapPairVerify) verify = hap_pair_verify_new (&acc.identity, acc.pairings);
    g_autoptr (HapPairVerifyClient) client = hap_pair_verify_client_new (&p);
    g_autoptr (GBytes) m1 = hap_pair_verify_client_start (client);
    g_autoptr (GBytes) m2 = NULL, bad = NULL;
    g_autoptr (GError) error = NULL;
    GBytes *next = NULL;

    g_assert_cmpint (
        hap_pair_verify_handle (verify, g_bytes_get_data (m1, NULL), g_bytes_get_size (m1), &m2),
        ==, HAP_PAIR_VERIFY_CONTINUE);
    bad = flip_byte (m2, 1);
    g_assert_cmpint (hap_pair_verify_client_handle (client, g_bytes_get_data (bad, NULL),
                         g_bytes_get_size (bad), &next, &error),
        ==, HAP_PAIR_CLIENT_FAILED);
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
    g_assert_null (next);
  }
  verify_run_clear (&run);
  accessory_clear (&acc);
}

static void
test_verify_garbage (void)
{
  static const struct {
    const gchar *body;
    guint8 state;
    guint8 error;
  } fresh[] = {
    { "", 2, HAP_PAIRING_ERROR_UNKNOWN },
    { "06", 2, HAP_PAIRING_ERROR_UNKNOWN },
    { "06 01 01", 2, HAP_PAIRING_ERROR_UNKNOWN }, /* no key */
    { "06 01 01 03 1f 00000000000000000000000000000000000000000000000000000000000000", 2,
        HAP_PAIRING_ERROR_UNKNOWN }, /* 31 bytes */
    { "06 01 01 03 20 0000000000000000000000000000000000000000000000000000000000000000", 2,
        HAP_PAIRING_ERROR_AUTHENTICATION }, /* all-zero key */
    { "06 01 01 03 20 0100000000000000000000000000000000000000000000000000000000000000", 2,
        HAP_PAIRING_ERROR_AUTHENTICATION }, /* low order */
    { "06 01 03 05 10 00000000000000000000000000000000", 4, HAP_PAIRING_ERROR_UNKNOWN }, /* M3 */
    { "06 01 02", 2, HAP_PAIRING_ERROR_UNKNOWN },
    { "06 01 04", 2, HAP_PAIRING_ERROR_UNKNOWN },
    { "06 01 05", 2, HAP_PAIRING_ERROR_UNKNOWN },
  };
  Accessory acc;

  accessory_init (&acc);
  for (guint i = 0; i < G_N_ELEMENTS (fresh); i++) {
    g_autoptr (HapPairVerify) verify = hap_pair_verify_new (&acc.identity, acc.pairings);
    g_autoptr (GBytes) body = hap_test_hex (fresh[i].body);
    g_autoptr (GBytes) response = NULL;

    g_test_message ("case %u", i);
    g_assert_cmpint (hap_pair_verify_handle (
                         verify, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &response),
        ==, HAP_PAIR_VERIFY_FAILED);
    assert_tlv_error (response, fresh[i].state, fresh[i].error);
  }
  /* After M1: M3 without data, too short, and undecryptable. */
  {
    static const gchar *m3s[] = { "06 01 03", "06 01 03 05 0f 000000000000000000000000000000",
      "06 01 03 05 10 00000000000000000000000000000000", "06 01 03 05 00" };
    for (guint i = 0; i < G_N_ELEMENTS (m3s); i++) {
      g_autoptr (HapPairVerify) verify = hap_pair_verify_new (&acc.identity, acc.pairings);
      g_autoptr (GBytes) m1 = hap_test_hex (
          "06 01 01 03 20 de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
      g_autoptr (GBytes) body = hap_test_hex (m3s[i]);
      g_autoptr (GBytes) r1 = NULL, response = NULL;
      guint8 state, error;

      g_assert_cmpint (
          hap_pair_verify_handle (verify, g_bytes_get_data (m1, NULL), g_bytes_get_size (m1), &r1),
          ==, HAP_PAIR_VERIFY_CONTINUE);
      g_assert_cmpint (hap_pair_verify_handle (verify, g_bytes_get_data (body, NULL),
                           g_bytes_get_size (body), &response),
          ==, HAP_PAIR_VERIFY_FAILED);
      read_response (response, &state, &error);
      g_assert_cmpuint (state, ==, 4);
      g_assert_cmpuint (
          error, ==, i == 0 ? HAP_PAIRING_ERROR_UNKNOWN : HAP_PAIRING_ERROR_AUTHENTICATION);
    }
  }
  accessory_clear (&acc);
}

/* The controller side's M1 and the accessory's M2 have the documented layout. */
static void
test_message_layout (void)
{
  Accessory acc;
  g_autoptr (HapPairSetupClient) client = hap_pair_setup_client_new (SETUP_CODE, "c", NULL);
  g_autoptr (HapPairSetup) setup = NULL;
  g_autoptr (GBytes) m1 = NULL, m2 = NULL;
  g_autoptr (HapTlv8) tlv = NULL;
  const HapTlv8Item *item;

  accessory_init (&acc);
  m1 = hap_pair_setup_client_start (client);
  hap_test_assert_hex_equal (
      g_bytes_get_data (m1, NULL), g_bytes_get_size (m1), "06 01 01 00 01 00");
  setup = hap_pair_setup_new (&acc.identity, SETUP_CODE, acc.pairings, &acc.guard);
  g_assert_cmpint (setup_send (setup, m1, 0, &m2), ==, HAP_PAIR_SETUP_CONTINUE);
  tlv = hap_tlv8_parse (g_bytes_get_data (m2, NULL), g_bytes_get_size (m2), NULL);
  g_assert_nonnull (tlv);
  item = hap_tlv8_find (tlv, HAP_PAIRING_TLV_SALT);
  g_assert_nonnull (item);
  g_assert_cmpuint (item->len, ==, 16);
  item = hap_tlv8_find (tlv, HAP_PAIRING_TLV_PUBLIC_KEY);
  g_assert_nonnull (item);
  g_assert_cmpuint (item->len, ==, 384);
  /* 384 bytes travel as two fragments: 255 + 129. */
  g_assert_cmpuint (g_bytes_get_size (m2), ==, 3 + (2 + 255) + (2 + 129) + (2 + 16));
  accessory_clear (&acc);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/pairing/pair-and-verify", test_pair_and_verify);
  g_test_add_func ("/pairing/pair-method-with-auth", test_pair_method_with_auth);
  g_test_add_func ("/pairing/m1-methods-and-flags", test_m1_methods_and_flags);
  g_test_add_func ("/pairing/message-layout", test_message_layout);
  g_test_add_func ("/pairing/wrong-code", test_wrong_code);
  g_test_add_func ("/pairing/max-tries", test_max_tries);
  g_test_add_func ("/pairing/unavailable-when-paired", test_unavailable_when_paired);
  g_test_add_func ("/pairing/busy", test_busy);
  g_test_add_func ("/pairing/setup-out-of-order", test_setup_out_of_order);
  g_test_add_func ("/pairing/setup-garbage", test_setup_garbage);
  g_test_add_func ("/pairing/m5-tampered", test_m5_tampered);
  g_test_add_func ("/pairing/m5-bad-signature", test_m5_bad_signature);
  g_test_add_func ("/pairing/client-rejects", test_client_rejects);
  g_test_add_func ("/pairing/verify-errors", test_verify_errors);
  g_test_add_func ("/pairing/verify-garbage", test_verify_garbage);
  return g_test_run ();
}

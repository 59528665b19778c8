/* Interop helper: drives the pairing state machines from a line protocol on stdin/stdout so
 * that tests/interop/pairing.test.js can run them against hap-controller's PairingProtocol (a
 * controller) and HAP-NodeJS's HAPServer pairing handlers (an accessory).
 *
 * One command per line, tokens separated by single spaces; byte values in hex ("-" for empty).
 * Each command answers exactly one line: "ok key=value ..." (values in hex) or
 * "error <code> <message>".
 * Accessory side (C accessory, one "connection" at a time):
 *   acc-new SETUP_CODE          -> ok id=<device id, ASCII as hex> ltpk=..   (new identity,
 *                                  no pairings)
 *   acc-conn                    -> ok                  (new connection: fresh machines)
 *   acc-setup BODY              -> ok status=<00 continue|01 paired|02 failed> body=..
 *   acc-verify BODY             -> ok status=<00|01 verified|02 failed> body=.. [a2c= c2a=
 *                                  shared= controller=]
 *   acc-pairings CTRL_ID BODY   -> ok body=.. count=<number of pairings, 1 byte>
 *   acc-failed                  -> ok n=<failed attempts, 1 byte>
 * Controller side (C controller):
 *   ctl-setup-new CODE CTRL_ID METHOD  -> ok body=M1
 *   ctl-setup BODY              -> ok status=<00|01 done> body=.. [accessory= altpk= ltpk=]
 *   ctl-verify-new              -> ok body=M1          (with the pairing of the last setup)
 *   ctl-verify BODY             -> ok status=<00|01 done> body=.. [a2c= c2a= shared=]
 *   quit
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "hap/identity.h"
#include "hap/pair-setup-client.h"
#include "hap/pair-setup.h"
#include "hap/pair-verify-client.h"
#include "hap/pair-verify.h"
#include "hap/pairings-request.h"
#include "tests/common/test-util.h"

static HapIdentity identity;
static HapPairings *pairings;
static HapPairSetupGuard guard;
static gchar *setup_code;
static HapPairSetup *acc_setup;
static HapPairVerify *acc_verify;
static HapPairSetupClient *ctl_setup;
static HapPairVerifyClient *ctl_verify;
static HapControllerPairing ctl_pairing;

static GBytes *
from_hex (const gchar *hex)
{
  if (hex == NULL)
    return NULL;
  if (strcmp (hex, "-") == 0)
    return g_bytes_new (NULL, 0);
  return hap_test_hex_parse (hex);
}

static void
print_hex (const gchar *key, const guint8 *data, gsize len)
{
  g_autofree gchar *hex = hap_test_to_hex (data, len);

  printf (" %s=%s", key, len ? hex : "-");
}

static void
print_bytes (const gchar *key, GBytes *bytes)
{
  gsize len = 0;
  const guint8 *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  print_hex (key, data, len);
}

static void
print_u8 (const gchar *key, guint8 v)
{
  print_hex (key, &v, 1);
}

static void
new_connection (void)
{
  g_clear_pointer (&acc_setup, hap_pair_setup_free);
  g_clear_pointer (&acc_verify, hap_pair_verify_free);
  acc_setup = hap_pair_setup_new (&identity, setup_code, pairings, &guard);
  acc_verify = hap_pair_verify_new (&identity, pairings);
}

static void
handle (gchar **argv, guint argc)
{
  const gchar *cmd = argv[0];
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *data = NULL;
  gsize len = 0;

  if (argc >= 2 && strcmp (cmd, "acc-pairings") != 0 && strcmp (cmd, "acc-new") != 0
      && strcmp (cmd, "ctl-setup-new") != 0) {
    body = from_hex (argv[1]);
    if (body == NULL) {
      printf ("error -1 bad hex\n");
      return;
    }
    data = g_bytes_get_data (body, &len);
  }

  if (strcmp (cmd, "acc-new") == 0 && argc == 2) {
    hap_identity_generate (&identity);
    g_clear_pointer (&pairings, hap_pairings_free);
    pairings = hap_pairings_new ();
    memset (&guard, 0, sizeof (guard));
    g_free (setup_code);
    setup_code = g_strdup (argv[1]);
    new_connection ();
    printf ("ok");
    print_hex ("id", (const guint8 *) identity.device_id, strlen (identity.device_id));
    print_hex ("ltpk", identity.ltpk, 32);
    printf ("\n");
  } else if (strcmp (cmd, "acc-conn") == 0 && pairings != NULL) {
    new_connection ();
    printf ("ok\n");
  } else if (strcmp (cmd, "acc-setup") == 0 && body != NULL && acc_setup != NULL) {
    HapPairSetupStatus status = hap_pair_setup_handle (acc_setup, data, len, 0, &out);
    printf ("ok");
    print_u8 ("status", (guint8) status);
    print_bytes ("body", out);
    printf ("\n");
  } else if (strcmp (cmd, "acc-verify") == 0 && body != NULL && acc_verify != NULL) {
    HapPairVerifyStatus status = hap_pair_verify_handle (acc_verify, data, len, &out);
    printf ("ok");
    print_u8 ("status", (guint8) status);
    print_bytes ("body", out);
    if (status == HAP_PAIR_VERIFY_VERIFIED) {
      guint8 a2c[32], c2a[32];
      const char *id = hap_pair_verify_get_controller_id (acc_verify);
      hap_pair_verify_get_session_keys (acc_verify, a2c, c2a);
      print_hex ("a2c", a2c, 32);
      print_hex ("c2a", c2a, 32);
      print_hex ("shared", hap_pair_verify_get_shared_secret (acc_verify), 32);
      print_hex ("controller", (const guint8 *) id, strlen (id));
    }
    printf ("\n");
  } else if (strcmp (cmd, "acc-pairings") == 0 && argc == 3 && pairings != NULL) {
    g_autoptr (GBytes) id = from_hex (argv[1]);
    g_autofree gchar *id_str = NULL;
    HapPairingsRequestResult result;

    body = from_hex (argv[2]);
    if (id == NULL || body == NULL) {
      printf ("error -1 bad hex\n");
      return;
    }
    id_str = g_strndup (g_bytes_get_data (id, NULL), g_bytes_get_size (id));
    data = g_bytes_get_data (body, &len);
    out = hap_pairings_request_handle (pairings, id_str, data, len, &result);
    printf ("ok");
    print_bytes ("body", out);
    print_u8 ("count", (guint8) hap_pairings_count (pairings));
    printf ("\n");
    hap_pairings_request_result_clear (&result);
  } else if (strcmp (cmd, "acc-failed") == 0 && pairings != NULL) {
    printf ("ok");
    print_u8 ("n", (guint8) MIN (guard.failed_attempts, 255));
    printf ("\n");
  } else if (strcmp (cmd, "ctl-setup-new") == 0 && argc == 4) {
    g_autoptr (GBytes) id = from_hex (argv[2]);
    g_autofree gchar *id_str = NULL;

    if (id == NULL) {
      printf ("error -1 bad hex\n");
      return;
    }
    id_str = g_strndup (g_bytes_get_data (id, NULL), g_bytes_get_size (id));
    g_clear_pointer (&ctl_setup, hap_pair_setup_client_free);
    ctl_setup = hap_pair_setup_client_new (argv[1], id_str, NULL);
    hap_pair_setup_client_set_method (ctl_setup, (guint8) atoi (argv[3]), 0);
    out = hap_pair_setup_client_start (ctl_setup);
    printf ("ok");
    print_bytes ("body", out);
    printf ("\n");
  } else if (strcmp (cmd, "ctl-setup") == 0 && body != NULL && ctl_setup != NULL) {
    HapPairClientStatus status = hap_pair_setup_client_handle (ctl_setup, data, len, &out, &error);
    if (status == HAP_PAIR_CLIENT_FAILED) {
      printf ("error %d %s\n", error->code, error->message);
      return;
    }
    printf ("ok");
    print_u8 ("status", (guint8) status);
    print_bytes ("body", out);
    if (status == HAP_PAIR_CLIENT_DONE) {
      ctl_pairing = *hap_pair_setup_client_get_pairing (ctl_setup);
      print_hex ("accessory", (const guint8 *) ctl_pairing.accessory_id,
          strlen (ctl_pairing.accessory_id));
      print_hex ("altpk", ctl_pairing.accessory_ltpk, 32);
      print_hex ("ltpk", ctl_pairing.controller_ltpk, 32);
    }
    printf ("\n");
  } else if (strcmp (cmd, "ctl-verify-new") == 0) {
    g_clear_pointer (&ctl_verify, hap_pair_verify_client_free);
    ctl_verify = hap_pair_verify_client_new (&ctl_pairing);
    out = hap_pair_verify_client_start (ctl_verify);
    printf ("ok");
    print_bytes ("body", out);
    printf ("\n");
  } else if (strcmp (cmd, "ctl-verify") == 0 && body != NULL && ctl_verify != NULL) {
    HapPairClientStatus status
        = hap_pair_verify_client_handle (ctl_verify, data, len, &out, &error);
    if (status == HAP_PAIR_CLIENT_FAILED) {
      printf ("error %d %s\n", error->code, error->message);
      return;
    }
    printf ("ok");
    print_u8 ("status", (guint8) status);
    print_bytes ("body", out);
    if (status == HAP_PAIR_CLIENT_DONE) {
      guint8 a2c[32], c2a[32];
      hap_pair_verify_client_get_session_keys (ctl_verify, a2c, c2a);
      print_hex ("a2c", a2c, 32);
      print_hex ("c2a", c2a, 32);
      print_hex ("shared", hap_pair_verify_client_get_shared_secret (ctl_verify), 32);
    }
    printf ("\n");
  } else {
    printf ("error -1 unknown command or state: %s\n", cmd);
  }
}

int
main (void)
{
  gchar line[65536];

  if (sodium_init () < 0)
    return 1;
  setvbuf (stdout, NULL, _IOLBF, 0);
  while (fgets (line, sizeof line, stdin) != NULL) {
    g_auto (GStrv) argv = NULL;
    guint argc;

    g_strchomp (line);
    if (strcmp (line, "quit") == 0)
      break;
    argv = g_strsplit (line, " ", 0);
    argc = g_strv_length (argv);
    if (argc == 0) {
      printf ("error -1 empty line\n");
      continue;
    }
    handle (argv, argc);
  }
  g_clear_pointer (&acc_setup, hap_pair_setup_free);
  g_clear_pointer (&acc_verify, hap_pair_verify_free);
  g_clear_pointer (&ctl_setup, hap_pair_setup_client_free);
  g_clear_pointer (&ctl_verify, hap_pair_verify_client_free);
  g_clear_pointer (&pairings, hap_pairings_free);
  hap_identity_clear (&identity);
  hap_controller_pairing_clear (&ctl_pairing);
  g_free (setup_code);
  return 0;
}

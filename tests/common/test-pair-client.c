/* Pairing exchanges of the test client. See tests/common/test-pair-client.h. */
#include "tests/common/test-pair-client.h"

#include <string.h>

#include "hap/pair-verify-client.h"

typedef HapPairClientStatus (*HandleFunc) (
    gpointer machine, const guint8 *body, gsize len, GBytes **request, GError **error);

static HapPairClientStatus
handle_setup (gpointer machine, const guint8 *body, gsize len, GBytes **request, GError **error)
{
  return hap_pair_setup_client_handle (machine, body, len, request, error);
}

static HapPairClientStatus
handle_verify (gpointer machine, const guint8 *body, gsize len, GBytes **request, GError **error)
{
  return hap_pair_verify_client_handle (machine, body, len, request, error);
}

/* POSTs `request` (consumed) and each next request to `path` until the state machine is done
 * or fails. */
static HapPairClientStatus
exchange (HapTestClient *client, const char *path, GBytes *request, HandleFunc handle,
    gpointer machine, GError **error)
{
  for (;;) {
    g_autoptr (GBytes) body = NULL;
    GBytes *next = NULL;
    HapPairClientStatus status;

    hap_test_client_request (client, "POST", path, "application/pairing+tlv8",
        g_bytes_get_data (request, NULL), g_bytes_get_size (request));
    body = hap_test_client_expect (client, 200);
    status = handle (machine, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &next, error);
    g_bytes_unref (request);
    request = next;
    if (status != HAP_PAIR_CLIENT_CONTINUE) {
      g_clear_pointer (&request, g_bytes_unref);
      return status;
    }
  }
}

HapControllerPairing *
hap_test_client_pair_setup (
    HapTestClient *client, const char *code, const char *controller_id, GError **error)
{
  g_autoptr (HapPairSetupClient) setup = hap_pair_setup_client_new (code, controller_id, NULL);

  if (exchange (
          client, "/pair-setup", hap_pair_setup_client_start (setup), handle_setup, setup, error)
      != HAP_PAIR_CLIENT_DONE)
    return NULL;
  return g_memdup2 (hap_pair_setup_client_get_pairing (setup), sizeof (HapControllerPairing));
}

gboolean
hap_test_client_pair_verify (HapTestClient *client, const HapControllerPairing *pairing,
    guint8 shared_secret[HAP_CONNECTION_SHARED_SECRET_LEN], GError **error)
{
  g_autoptr (HapPairVerifyClient) verify = hap_pair_verify_client_new (pairing);
  guint8 a2c[32];
  guint8 c2a[32];

  if (exchange (client, "/pair-verify", hap_pair_verify_client_start (verify), handle_verify,
          verify, error)
      != HAP_PAIR_CLIENT_DONE)
    return FALSE;
  hap_pair_verify_client_get_session_keys (verify, a2c, c2a);
  client->crypto = hap_session_crypto_new (c2a, a2c);
  if (shared_secret != NULL)
    memcpy (shared_secret, hap_pair_verify_client_get_shared_secret (verify),
        HAP_CONNECTION_SHARED_SECRET_LEN);
  return TRUE;
}

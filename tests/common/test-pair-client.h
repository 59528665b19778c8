/* Pair-setup and pair-verify of a test client (tests/common/test-server-util.h) against a real
 * server, driven by the controller-side state machines (hap/pair-setup-client.h,
 * hap/pair-verify-client.h). Linked with test-server-util.c and the pairing modules. */
#pragma once

#include "hap/connection.h"
#include "hap/pair-setup-client.h"
#include "tests/common/test-server-util.h"

G_BEGIN_DECLS

/* Pair-setup over `client` (plaintext). Returns the pairing (g_free() it), or NULL with
 * `error`. */
HapControllerPairing *hap_test_client_pair_setup (
    HapTestClient *client, const char *code, const char *controller_id, GError **error);

/* Pair-verify over `client`, then switches `client` to session frames; `shared_secret` (or NULL)
 * gets the controller side's pair-verify shared secret. */
gboolean hap_test_client_pair_verify (HapTestClient *client, const HapControllerPairing *pairing,
    guint8 shared_secret[HAP_CONNECTION_SHARED_SECRET_LEN], GError **error);

G_END_DECLS

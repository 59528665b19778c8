/* libhap: pair-verify, controller side (M1-M4), for the tests and for hksv-hub.
 *
 * Mirrors hap/pair-verify.h with the controller's HapControllerPairing (from
 * hap/pair-setup-client.h): hap_pair_verify_client_start() produces M1; M2 goes into
 * hap_pair_verify_client_handle(), which checks the accessory's id and signature and produces
 * M3; M4 ends it with DONE. Then the session keys and shared secret are available.
 *
 * Failures (FAILED, `error` set): a TLV error from the accessory in HAP_PAIRING_ERROR with its
 * kTLVError code; bad bytes in HAP_CODEC_ERROR (MALFORMED: unexpected state, missing or invalid
 * field, an all-zero shared secret; AUTH: M2 that does not decrypt, another accessory id, a
 * signature that does not verify). After FAILED the object is spent.
 */
#pragma once

#include <glib.h>

#include "hap/pair-setup-client.h"

G_BEGIN_DECLS

typedef struct _HapPairVerifyClient HapPairVerifyClient;

/* `pairing` is copied. */
HapPairVerifyClient *hap_pair_verify_client_new (const HapControllerPairing *pairing);
/* The M1 request body. Call once, first. */
GBytes *hap_pair_verify_client_start (HapPairVerifyClient *client);
/* Takes the accessory's response; on CONTINUE `*request` is the next request body (M3). */
HapPairClientStatus hap_pair_verify_client_handle (
    HapPairVerifyClient *client, const guint8 *body, gsize len, GBytes **request, GError **error);
/* After DONE (zeros / NULL before): */
void hap_pair_verify_client_get_session_keys (const HapPairVerifyClient *client,
    guint8 accessory_to_controller[32], guint8 controller_to_accessory[32]);
const guint8 *hap_pair_verify_client_get_shared_secret (const HapPairVerifyClient *client);
/* Wipes every secret. NULL allowed. */
void hap_pair_verify_client_free (HapPairVerifyClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapPairVerifyClient, hap_pair_verify_client_free)

G_END_DECLS

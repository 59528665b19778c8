/* libhap: pair-setup, controller side (M1-M6), for the tests and for hksv-hub.
 *
 * Mirrors hap/pair-setup.h: hap_pair_setup_client_start() produces the M1 body, then each
 * response body from the accessory goes into hap_pair_setup_client_handle(), which produces the
 * next request body (M3, M5) until DONE (M6 verified). The result is a HapControllerPairing:
 * the controller's id and Ed25519 key pair and the accessory's id and LTPK, what
 * hap/pair-verify-client.h needs afterwards.
 *
 * Failures (status FAILED, `error` set): a TLV error from the accessory is reported in
 * HAP_PAIRING_ERROR with the kTLVError code; bad bytes from the accessory in HAP_CODEC_ERROR
 * (MALFORMED: unexpected state or missing field; AUTH: wrong SRP proof M2, M6 that does not
 * decrypt or whose signature does not verify). After FAILED the object is spent.
 */
#pragma once

#include <glib.h>

#include "hap/pairings.h"

G_BEGIN_DECLS

/* What a controller keeps about one accessory it paired with. */
typedef struct {
  gchar controller_id[HAP_PAIRING_ID_MAX + 1];
  guint8 controller_ltpk[32];
  guint8 controller_ltsk[64];
  gchar accessory_id[HAP_PAIRING_ID_MAX + 1];
  guint8 accessory_ltpk[32];
} HapControllerPairing;

/* Wipes the whole struct (secret key included). */
void hap_controller_pairing_clear (HapControllerPairing *pairing);

typedef enum {
  HAP_PAIR_CLIENT_CONTINUE, /* send the request produced */
  HAP_PAIR_CLIENT_DONE,     /* the exchange succeeded; nothing more to send */
  HAP_PAIR_CLIENT_FAILED,   /* see `error` */
} HapPairClientStatus;

typedef struct _HapPairSetupClient HapPairSetupClient;

/* `controller_id`: the controller's pairing id (1..64 bytes of UTF-8). `ltsk`: its Ed25519
 * secret key (libsodium layout), or NULL to generate a new key pair. */
HapPairSetupClient *hap_pair_setup_client_new (
    const char *setup_code, const char *controller_id, const guint8 *ltsk);
/* Method and flags sent in M1 (default: method 0, no flags item). */
void hap_pair_setup_client_set_method (HapPairSetupClient *client, guint8 method, guint32 flags);
/* The M1 request body. Call once, first. */
GBytes *hap_pair_setup_client_start (HapPairSetupClient *client);
/* Takes the accessory's response; on CONTINUE `*request` is the next request body, otherwise
 * NULL. */
HapPairClientStatus hap_pair_setup_client_handle (
    HapPairSetupClient *client, const guint8 *body, gsize len, GBytes **request, GError **error);
/* After DONE, NULL before. */
const HapControllerPairing *hap_pair_setup_client_get_pairing (const HapPairSetupClient *client);
/* Wipes every secret. NULL allowed. */
void hap_pair_setup_client_free (HapPairSetupClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapPairSetupClient, hap_pair_setup_client_free)

/* Test hook: M5 carries a signature with one bit flipped (to make an accessory see a bad
 * signature inside a well-encrypted body). */
void hap_pair_setup_client_set_corrupt_signature (HapPairSetupClient *client, gboolean corrupt);

G_END_DECLS

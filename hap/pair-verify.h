/* libhap: pair-verify, accessory side (POST /pair-verify, M1-M4; PROTOCOL.md section 1).
 *
 * Pure: one request body (TLV8) in, one response body (TLV8) out. TLV errors are responses
 * ("State = n, Error = kTLVError_*") with status HAP_PAIR_VERIFY_FAILED:
 * - M1 without a 32-byte X25519 public key, or one giving an all-zero shared secret: Unknown (1)
 *   / Authentication (2);
 * - M3 that does not decrypt (nonce "PV-Msg03"): Authentication (2);
 * - M3 from a controller that is not in the pairings: Authentication (2);
 * - M3 whose signature over controller eph. key || pairing id || accessory eph. key does not
 *   verify with the stored LTPK: Authentication (2);
 * - an unexpected state or a malformed TLV: Unknown (1).
 * Every error ends the exchange; a new M1 starts a new one. After VERIFIED the session keys
 * (HKDF-SHA512 of the shared secret, salt "Control-Salt", info "Control-Read-Encryption-Key" =
 * accessory -> controller, "Control-Write-Encryption-Key" = controller -> accessory) and the
 * shared secret (for HDS) are available until the HapPairVerify is freed.
 */
#pragma once

#include <glib.h>

#include "hap/identity.h"
#include "hap/pairings.h"

G_BEGIN_DECLS

typedef enum {
  HAP_PAIR_VERIFY_CONTINUE,
  HAP_PAIR_VERIFY_VERIFIED,
  HAP_PAIR_VERIFY_FAILED,
} HapPairVerifyStatus;

typedef struct _HapPairVerify HapPairVerify;

/* `identity` and `pairings` must outlive the HapPairVerify. */
HapPairVerify *hap_pair_verify_new (const HapIdentity *identity, const HapPairings *pairings);
/* Handles one request body; `*response` is always set. */
HapPairVerifyStatus hap_pair_verify_handle (
    HapPairVerify *verify, const guint8 *body, gsize len, GBytes **response);
/* After VERIFIED (NULL / zeros before): */
const char *hap_pair_verify_get_controller_id (const HapPairVerify *verify);
void hap_pair_verify_get_session_keys (const HapPairVerify *verify,
    guint8 accessory_to_controller[32], guint8 controller_to_accessory[32]);
const guint8 *hap_pair_verify_get_shared_secret (const HapPairVerify *verify); /* 32 bytes */
/* Wipes every key. NULL allowed. */
void hap_pair_verify_free (HapPairVerify *verify);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapPairVerify, hap_pair_verify_free)

G_END_DECLS

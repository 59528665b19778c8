/* libhap: pair-setup, accessory side (POST /pair-setup, M1-M6; PROTOCOL.md section 1).
 *
 * Pure: one request body (TLV8) in, one response body (TLV8) out; time comes from the caller.
 * Errors that HAP answers with a TLV error are not failures of the call: they are a response
 * "State = n, Error = kTLVError_*" with status HAP_PAIR_SETUP_FAILED.
 *
 * One HapPairSetup per connection; every HapPairSetup of one accessory shares one
 * HapPairSetupGuard (owned by the server) that enforces:
 * - M1 when already paired (any pairing exists): Unavailable (6);
 * - M1 after HAP_PAIR_SETUP_MAX_FAILED_ATTEMPTS wrong setup codes: MaxTries (5), until the owner
 *   resets `failed_attempts` (a successful pair-setup resets it to 0);
 * - M1 while another connection's pair-setup is in progress: Busy (7). An attempt that made no
 *   progress (M1, M3 or M5) for HAP_PAIR_SETUP_ABANDON_US stops blocking; it is then taken over
 *   and the old attempt's next request gets Unknown (1). A repeated M1 on the connection that
 *   holds the guard restarts its attempt but not its clock.
 * Checked in that order. Then:
 * - M1 Method must be 0 (PairSetup) or 1 (PairSetupWithAuth; there is no MFi authentication
 *   chip, so both run the same software pair-setup and M4 carries no certificate). Any other
 *   method: Unknown (1). Flags: transient pairing (0x10) and split (0x01000000) are not
 *   implemented and answered with Unavailable (6); other flag bits are ignored.
 * - M3 with a wrong setup code: Authentication (2) and failed_attempts++; with an invalid A:
 *   Authentication (2), not counted.
 * - M5 that does not decrypt, or whose signature over
 *   HKDF(K, "Pair-Setup-Controller-Sign-Salt"/"-Info") || pairing id || LTPK does not verify:
 *   Authentication (2). Otherwise the controller is added as admin (MaxPeers (4) if full) and
 *   M6 carries the accessory's id, LTPK and signature (Pair-Setup-Accessory-Sign-Salt/Info).
 * - A request with an unexpected state or malformed TLV: Unknown (1).
 * Every error ends the attempt (the guard is released); a new M1 on the same HapPairSetup starts
 * a new one. The error response's State is the received state + 1 (or the expected one + 1
 * when the received state is missing or not 1, 3 or 5).
 */
#pragma once

#include <glib.h>

#include "hap/identity.h"
#include "hap/pairings.h"

G_BEGIN_DECLS

#define HAP_PAIR_SETUP_MAX_FAILED_ATTEMPTS 100
#define HAP_PAIR_SETUP_ABANDON_US (30 * G_USEC_PER_SEC)

/* Shared by all connections of one accessory, owned by the server. Zero-initialise it. */
typedef struct {
  guint failed_attempts; /* wrong setup codes; at 100 every M1 gets MaxTries */
  gconstpointer owner;   /* the pair-setup in progress (Busy for the others), or NULL */
  gint64 owner_since_us; /* an abandoned attempt stops blocking after 30 s */
} HapPairSetupGuard;

typedef enum {
  HAP_PAIR_SETUP_CONTINUE, /* send the response, more requests follow */
  HAP_PAIR_SETUP_PAIRED,   /* M6 sent: the controller was added to the pairings */
  HAP_PAIR_SETUP_FAILED,   /* the response is a TLV error; this attempt is over */
} HapPairSetupStatus;

typedef struct _HapPairSetup HapPairSetup;

/* `identity`, `pairings` and `guard` must outlive the HapPairSetup; `setup_code` is copied
 * (and wiped on free). */
HapPairSetup *hap_pair_setup_new (const HapIdentity *identity, const char *setup_code,
    HapPairings *pairings, HapPairSetupGuard *guard);
/* Handles one request body; `*response` is always set (free it with g_bytes_unref()). */
HapPairSetupStatus hap_pair_setup_handle (
    HapPairSetup *setup, const guint8 *body, gsize len, gint64 now_us, GBytes **response);
/* The id of the controller added by M5, once PAIRED; NULL before. */
const char *hap_pair_setup_get_controller_id (const HapPairSetup *setup);
/* Releases the guard if it holds it. NULL allowed. */
void hap_pair_setup_free (HapPairSetup *setup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapPairSetup, hap_pair_setup_free)

G_END_DECLS

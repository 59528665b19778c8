/* libhap: the controllers paired with the accessory (pairing id, Ed25519 LTPK, permissions)
 * and the rules HAP puts on them.
 *
 * - At most HAP_PAIRINGS_MAX pairings; ids are 1 to HAP_PAIRING_ID_MAX bytes of UTF-8
 *   without NUL (iOS uses upper-case UUID strings).
 * - Adding an id that exists with the same LTPK updates its permissions; with another LTPK it
 *   is refused (HAP_PAIRING_ERROR_UNKNOWN, what /pairings answers then).
 * - The "last admin removed -> remove every pairing" rule is the caller's (see
 *   hap/pairings-request.h): this store only reports hap_pairings_has_admin().
 *
 * Serialized form (stored by the server as `pairings`):
 *   "HAPP" magic, u8 version 1, u8 count, then per pairing: u8 id length (1..64), id bytes,
 *   32-byte LTPK, u8 permissions (0 or 1).
 * The storage module adds its own header and checksum around it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAP_PAIRING_ID_MAX 64 /* bytes of the controller's pairing identifier */
#define HAP_PAIRINGS_MAX 32   /* pairings one accessory keeps */

typedef enum { HAP_PAIRING_PERM_USER = 0, HAP_PAIRING_PERM_ADMIN = 1 } HapPairingPermissions;

typedef struct {
  gchar id[HAP_PAIRING_ID_MAX + 1];
  guint8 ltpk[32];
  guint8 permissions;
} HapPairing;

typedef struct _HapPairings HapPairings;

HapPairings *hap_pairings_new (void);
void hap_pairings_free (HapPairings *pairings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapPairings, hap_pairings_free)

guint hap_pairings_count (const HapPairings *pairings);
/* The index-th pairing in insertion order, NULL past the end. Valid until the next change. */
const HapPairing *hap_pairings_get (const HapPairings *pairings, guint index);
const HapPairing *hap_pairings_find (const HapPairings *pairings, const char *id);
gboolean hap_pairings_has_admin (const HapPairings *pairings);
/* Adds or updates a pairing. Errors: HAP_CODEC_ERROR_MALFORMED (id not valid),
 * HAP_CODEC_ERROR_OUT_OF_RANGE (permissions other than 0/1), HAP_PAIRING_ERROR_UNKNOWN (same id,
 * other key), HAP_PAIRING_ERROR_MAX_PEERS (full). */
gboolean hap_pairings_add (HapPairings *pairings, const char *id, const guint8 ltpk[32],
    guint8 permissions, GError **error);
/* Removes `id`; FALSE when there was no such pairing. */
gboolean hap_pairings_remove (HapPairings *pairings, const char *id);
void hap_pairings_clear (HapPairings *pairings);

GBytes *hap_pairings_serialize (const HapPairings *pairings);
/* NULL with HAP_CODEC_ERROR_* for anything but a well-formed serialization: bad magic,
 * unknown version, truncation, trailing bytes, invalid id, duplicate id, permissions over 1,
 * more than HAP_PAIRINGS_MAX. */
HapPairings *hap_pairings_deserialize (const guint8 *data, gsize len, GError **error);

G_END_DECLS

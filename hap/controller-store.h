/* libhap: what a controller (the hub simulator) keeps between runs: its identities and the
 * accessories it paired with, in a storage directory (hap/storage.h: atomic 0600 files with a
 * checksum, one process at a time).
 *
 * Items:
 *   controller-N  one controller identity (N = 0..HAP_CONTROLLER_MAX_IDENTITIES-1; 0 is the
 *                 one that pair-setup makes the admin, the others are extra hubs added
 *                 through /pairings). TLV8: 0 version (1), 1 pairing id (UTF-8, 1..64 bytes),
 *                 2 Ed25519 seed (32 bytes; the key pair is derived from it).
 *   accessory-H   one paired accessory, H = the first 16 hex digits of SHA-256 of its id.
 *                 TLV8: 0 version (1), 1 accessory pairing id, 2 accessory LTPK (32 bytes),
 *                 3 host (1..255 bytes), 4 port (u16), 5 controllers (u32 bitmask of the
 *                 identities known to be paired with it).
 * Deserializers check everything (they read files a user may have edited): HAP_CODEC_ERROR
 * naming the field.
 */
#pragma once

#include <glib.h>

#include "hap/pair-setup-client.h"

G_BEGIN_DECLS

#define HAP_CONTROLLER_MAX_IDENTITIES 32
#define HAP_CONTROLLER_HOST_MAX 255

typedef struct {
  gchar id[HAP_PAIRING_ID_MAX + 1];
  guint8 ltpk[32];
  guint8 ltsk[64]; /* libsodium layout: seed || public key */
} HapControllerIdentity;

typedef struct {
  gchar accessory_id[HAP_PAIRING_ID_MAX + 1];
  guint8 accessory_ltpk[32];
  gchar host[HAP_CONTROLLER_HOST_MAX + 1];
  guint16 port;
  guint32 controllers; /* bit N: controller-N is paired with this accessory */
} HapAccessoryRecord;

/* A new identity: an upper-case random UUID as pairing id (as iOS uses) and a new key pair. */
void hap_controller_identity_generate (HapControllerIdentity *identity);
void hap_controller_identity_clear (HapControllerIdentity *identity);
GBytes *hap_controller_identity_serialize (const HapControllerIdentity *identity);
gboolean hap_controller_identity_deserialize (
    const guint8 *data, gsize len, HapControllerIdentity *out, GError **error);

GBytes *hap_accessory_record_serialize (const HapAccessoryRecord *record);
gboolean hap_accessory_record_deserialize (
    const guint8 *data, gsize len, HapAccessoryRecord *out, GError **error);

/* What hap/pair-verify-client.h needs to verify `identity` with `record`'s accessory. */
void hap_accessory_record_to_pairing (const HapAccessoryRecord *record,
    const HapControllerIdentity *identity, HapControllerPairing *out);

typedef struct _HapControllerStore HapControllerStore;

HapControllerStore *hap_controller_store_open (const char *dir, GError **error);
void hap_controller_store_free (HapControllerStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapControllerStore, hap_controller_store_free)
const char *hap_controller_store_get_dir (const HapControllerStore *store);

/* Identity N. Absent: with `create` a new one is generated and stored; without, FALSE and no
 * error. */
gboolean hap_controller_store_get_identity (HapControllerStore *store, guint index, gboolean create,
    HapControllerIdentity *out, GError **error);

/* Every stored accessory (HapAccessoryRecord*, sorted by accessory id). */
GPtrArray *hap_controller_store_list (HapControllerStore *store, GError **error);
/* The record of `accessory_id`, or with NULL the only stored one (an error when there is none
 * or more than one: the message lists them). */
gboolean hap_controller_store_find (
    HapControllerStore *store, const char *accessory_id, HapAccessoryRecord *out, GError **error);
gboolean hap_controller_store_save (
    HapControllerStore *store, const HapAccessoryRecord *record, GError **error);
gboolean hap_controller_store_remove (
    HapControllerStore *store, const char *accessory_id, GError **error);

G_END_DECLS

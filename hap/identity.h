/* libhap: the accessory's identity: its device id ("XX:XX:XX:XX:XX:XX", also its pairing
 * identifier) and its Ed25519 long-term key pair (LTPK/LTSK).
 *
 * Serialized form (stored by the server as `identity`), 58 bytes:
 *   "HAPI"  magic (4 bytes)
 *   0x01    version
 *   17      device id, ASCII, upper-case hex with colons
 *   32      Ed25519 seed (the LTSK and LTPK are derived from it)
 *   4       check bytes: the first 4 bytes of the LTPK derived from the seed, so that a
 *           corrupted seed is detected
 * The storage module adds its own header and checksum around it.
 */
#pragma once

#include <glib.h>

#include "hap/setup-payload.h"

G_BEGIN_DECLS

#define HAP_IDENTITY_SERIALIZED_LEN 58

typedef struct {
  gchar device_id[HAP_DEVICE_ID_LEN + 1]; /* "XX:XX:XX:XX:XX:XX" */
  guint8 ltpk[32];                        /* Ed25519 public key */
  guint8 ltsk[64];                        /* Ed25519 secret key (libsodium layout: seed || pk) */
} HapIdentity;

/* A random device id and a new key pair. */
void hap_identity_generate (HapIdentity *identity);
/* The same from a given device id and 32-byte seed (tests, and re-deriving keys). Returns
 * FALSE (caller misuse) when the device id is not valid. */
gboolean hap_identity_init (HapIdentity *identity, const char *device_id, const guint8 seed[32]);
/* The serialized form above. Contains the secret seed: the caller wipes it after storing it
 * (the GBytes' buffer is freed without being wiped). */
GBytes *hap_identity_serialize (const HapIdentity *identity);
/* Parses the serialized form. HAP_CODEC_ERROR_MALFORMED for a wrong length, magic, device id or
 * check bytes, HAP_CODEC_ERROR_OUT_OF_RANGE for an unknown version. `identity` is only written on
 * success. */
gboolean hap_identity_deserialize (
    HapIdentity *identity, const guint8 *data, gsize len, GError **error);
/* Wipes the whole struct (secret key included). */
void hap_identity_clear (HapIdentity *identity);

G_END_DECLS

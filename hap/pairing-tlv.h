/* libhap: what the pairing exchanges share (PROTOCOL.md section 1): TLV8 types, states,
 * methods, flags and kTLVError codes of /pair-setup, /pair-verify and /pairings, and the small
 * crypto steps every one of them repeats (HKDF-SHA512 with ASCII salt/info, ChaCha20-Poly1305
 * IETF of a sub-TLV with an 8-byte ASCII nonce label such as "PS-Msg05" after 4 zero bytes).
 *
 * Pure: no I/O, no global state (libsodium is initialised on first use; sodium_init() is
 * idempotent).
 */
#pragma once

#include <glib.h>

#include "hap/tlv8.h"

G_BEGIN_DECLS

/* TLV8 types of the pairing bodies. */
typedef enum {
  HAP_PAIRING_TLV_METHOD = 0x00,
  HAP_PAIRING_TLV_IDENTIFIER = 0x01,
  HAP_PAIRING_TLV_SALT = 0x02,
  HAP_PAIRING_TLV_PUBLIC_KEY = 0x03,
  HAP_PAIRING_TLV_PROOF = 0x04,
  HAP_PAIRING_TLV_ENCRYPTED_DATA = 0x05,
  HAP_PAIRING_TLV_STATE = 0x06,
  HAP_PAIRING_TLV_ERROR = 0x07,
  HAP_PAIRING_TLV_RETRY_DELAY = 0x08,
  HAP_PAIRING_TLV_CERTIFICATE = 0x09,
  HAP_PAIRING_TLV_SIGNATURE = 0x0A,
  HAP_PAIRING_TLV_PERMISSIONS = 0x0B,
  HAP_PAIRING_TLV_FRAGMENT_DATA = 0x0C,
  HAP_PAIRING_TLV_FRAGMENT_LAST = 0x0D,
  HAP_PAIRING_TLV_FLAGS = 0x13,
  HAP_PAIRING_TLV_SEPARATOR = 0xFF,
} HapPairingTlvType;

/* kTLVType_Method values. */
typedef enum {
  HAP_PAIRING_METHOD_PAIR_SETUP = 0,
  HAP_PAIRING_METHOD_PAIR_SETUP_WITH_AUTH = 1,
  HAP_PAIRING_METHOD_PAIR_VERIFY = 2,
  HAP_PAIRING_METHOD_ADD_PAIRING = 3,
  HAP_PAIRING_METHOD_REMOVE_PAIRING = 4,
  HAP_PAIRING_METHOD_LIST_PAIRINGS = 5,
} HapPairingMethod;

/* kTLVType_Flags bits of pair-setup M1. */
#define HAP_PAIRING_FLAG_TRANSIENT (1u << 4)
#define HAP_PAIRING_FLAG_SPLIT (1u << 24)

/* kTLVError_* values. They are also the GError codes in HAP_PAIRING_ERROR: the controller side
 * reports an accessory's TLV error with them, and HapPairings reports refused changes. */
#define HAP_PAIRING_ERROR (hap_pairing_error_quark ())
GQuark hap_pairing_error_quark (void);
typedef enum {
  HAP_PAIRING_ERROR_UNKNOWN = 1,
  HAP_PAIRING_ERROR_AUTHENTICATION = 2,
  HAP_PAIRING_ERROR_BACKOFF = 3,
  HAP_PAIRING_ERROR_MAX_PEERS = 4,
  HAP_PAIRING_ERROR_MAX_TRIES = 5,
  HAP_PAIRING_ERROR_UNAVAILABLE = 6,
  HAP_PAIRING_ERROR_BUSY = 7,
} HapPairingError;

/* Ed25519 / X25519 sizes used by the pairing modules. */
#define HAP_PAIRING_LTPK_LEN 32
#define HAP_PAIRING_LTSK_LEN 64
#define HAP_PAIRING_SIGNATURE_LEN 64
#define HAP_PAIRING_CURVE_KEY_LEN 32
#define HAP_PAIRING_KEY_LEN 32
#define HAP_PAIRING_TAG_LEN 16

/* The response body "State = state, Error = error". */
GBytes *hap_pairing_error_response (guint8 state, HapPairingError error);

/* out = HKDF-SHA512 (ikm, salt, info), 32 bytes; salt and info are ASCII strings. */
void hap_pairing_derive_key (const guint8 *ikm, gsize ikm_len, const char *salt, const char *info,
    guint8 out[HAP_PAIRING_KEY_LEN]);

/* Controller side: when `response` carries kTLVType_Error, sets `error` (HAP_PAIRING_ERROR, code
 * = the TLV error value) and returns TRUE. */
gboolean hap_pairing_response_has_error (const HapTlv8 *response, GError **error);

/* Controller side: parses an accessory's response body, which must carry State =
 * `expected_state` and no kTLVType_Error. Returns the TLV, or NULL with `error` set: the parse
 * error (HAP_CODEC_ERROR), the accessory's TLV error (hap_pairing_response_has_error()) or
 * HAP_CODEC_ERROR_MALFORMED "unexpected state". */
HapTlv8 *hap_pairing_parse_response (
    const guint8 *body, gsize len, guint8 expected_state, GError **error);

/* The session keys of a verified pair-verify: HKDF-SHA512 of the X25519 `shared_secret` with
 * salt "Control-Salt" and info "Control-Read-Encryption-Key" (accessory to controller) and
 * "Control-Write-Encryption-Key" (controller to accessory). With `shared_secret` NULL (not
 * verified) both keys are zeroed and it returns FALSE. */
gboolean hap_pairing_derive_control_keys (const guint8 *shared_secret,
    guint8 accessory_to_controller[HAP_PAIRING_KEY_LEN],
    guint8 controller_to_accessory[HAP_PAIRING_KEY_LEN]);

/* ChaCha20-Poly1305 IETF with nonce = 4 zero bytes || the 8 ASCII bytes of `label`, no
 * additional data. encrypt returns ciphertext || 16-byte tag. */
GBytes *hap_pairing_encrypt (
    const guint8 key[HAP_PAIRING_KEY_LEN], const char *label, const guint8 *plaintext, gsize len);
/* Returns the plaintext (g_malloc'd, `*out_len` bytes; free it with hap_pairing_free_secret()),
 * or NULL when `len` is under 16 bytes or the tag does not verify (peer bytes: not an error of
 * the caller). */
guint8 *hap_pairing_decrypt (const guint8 key[HAP_PAIRING_KEY_LEN], const char *label,
    const guint8 *ciphertext, gsize len, gsize *out_len);
/* Wipes then frees `len` bytes (NULL allowed). */
void hap_pairing_free_secret (guint8 *data, gsize len);

/* A pairing identifier from a peer: 1 to `max_len` bytes of UTF-8 without NUL. */
gboolean hap_pairing_id_is_valid (const guint8 *id, gsize len, gsize max_len);

/* The info every pairing signature covers: head || id || tail, where head and tail are 32
 * bytes (pair-setup: the derived X and the LTPK; pair-verify: the two ephemeral keys). The
 * buffer is wiped after use. sign writes an Ed25519 signature made with `ltsk`; verify returns
 * whether `signature` verifies with `ltpk`. */
void hap_pairing_sign_info (const guint8 head[HAP_PAIRING_KEY_LEN], const guint8 *id, gsize id_len,
    const guint8 tail[HAP_PAIRING_KEY_LEN], const guint8 ltsk[HAP_PAIRING_LTSK_LEN],
    guint8 signature[HAP_PAIRING_SIGNATURE_LEN]);
gboolean hap_pairing_verify_info (const guint8 head[HAP_PAIRING_KEY_LEN], const guint8 *id,
    gsize id_len, const guint8 tail[HAP_PAIRING_KEY_LEN], const guint8 ltpk[HAP_PAIRING_LTPK_LEN],
    const guint8 signature[HAP_PAIRING_SIGNATURE_LEN]);

/* The body "State = state, [PublicKey = public_key (32 bytes),] EncryptedData =
 * hap_pairing_encrypt (key, label, sub-TLV)" with the sub-TLV "Identifier = id, [PublicKey =
 * ltpk,] Signature = signature" (pair-setup M5/M6, pair-verify M2/M3). public_key and ltpk may
 * be NULL. */
GBytes *hap_pairing_encrypted_body (guint8 state, const guint8 *public_key,
    const guint8 key[HAP_PAIRING_KEY_LEN], const char *label, const char *id, const guint8 *ltpk,
    const guint8 signature[HAP_PAIRING_SIGNATURE_LEN]);

/* Decrypts `ciphertext` (hap_pairing_decrypt) and parses the plaintext as TLV8, wiping it.
 * Returns the sub-TLV, or NULL with `*decrypts` FALSE when the tag does not verify, or NULL with
 * `*decrypts` TRUE when the plaintext is malformed (peer bytes: not an error of the caller). */
HapTlv8 *hap_pairing_decrypt_tlv (const guint8 key[HAP_PAIRING_KEY_LEN], const char *label,
    const guint8 *ciphertext, gsize len, gboolean *decrypts);

/* Pair-setup M5/M6 sub-TLV: finds Identifier (a valid pairing id of at most `id_max` bytes),
 * PublicKey (an LTPK) and Signature, each of the right size; FALSE when one lacks. */
gboolean hap_pairing_find_signed_id (const HapTlv8 *sub, gsize id_max, const HapTlv8Item **id,
    const HapTlv8Item **ltpk, const HapTlv8Item **signature);

G_END_DECLS

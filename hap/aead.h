/* libhap: ChaCha20-Poly1305 IETF (RFC 8439) with a counter nonce, shared by the HAP session
 * frames (session-crypto) and the HDS frames (hds-frame). Internal to libhap.
 *
 * The 12-byte nonce is 4 zero bytes followed by the u64 LE frame counter (PROTOCOL.md sections
 * 1 and 3). Encryption and decryption are detached (the tag is separate from the ciphertext) and
 * authenticate additional data, the frame header of the caller. Counters are the callers': this
 * module holds no state.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAP_AEAD_KEY_LEN 32
#define HAP_AEAD_NONCE_LEN 12
#define HAP_AEAD_TAG_LEN 16

/* Initialises libsodium (idempotent and thread-safe; selects the fastest ChaCha20
 * implementation). FALSE if it cannot be used. */
gboolean hap_aead_init (void);

/* Writes 4 zero bytes + `counter` as u64 LE. */
void hap_aead_nonce (guint8 nonce[HAP_AEAD_NONCE_LEN], guint64 counter);

/* Encrypts `len` bytes of `in` to `out` (which may be `in`, not a partial overlap) under `key`
 * with the nonce of `counter`, authenticating `aad`; writes the tag to `tag`. */
void hap_aead_encrypt (const guint8 key[HAP_AEAD_KEY_LEN], guint64 counter, const guint8 *aad,
    gsize aad_len, const guint8 *in, gsize len, guint8 *out, guint8 tag[HAP_AEAD_TAG_LEN]);

/* Verifies `tag` over `aad` and the `len` ciphertext bytes of `in` and decrypts them to `out`
 * (which may be `in`). With `out` NULL only verifies. FALSE if the tag does not verify; `out`
 * then holds nothing of the plaintext (libsodium writes at most zeros to it). */
gboolean hap_aead_decrypt (const guint8 key[HAP_AEAD_KEY_LEN], guint64 counter, const guint8 *aad,
    gsize aad_len, const guint8 *in, gsize len, const guint8 tag[HAP_AEAD_TAG_LEN], guint8 *out);

/* Overwrites `len` bytes at `mem` with zeros in a way the compiler cannot drop (keys, plaintext).
 * NULL is allowed with len 0. */
void hap_aead_wipe (gpointer mem, gsize len);

G_END_DECLS

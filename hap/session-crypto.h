/* libhap: HAP encrypted session frames (PROTOCOL.md section 1).
 *
 * After pair-verify every byte of a HAP connection travels in frames:
 *
 *   [length u16 LE][ciphertext, 1..1024 bytes][Poly1305 tag, 16 bytes]
 *
 * ChaCha20-Poly1305 IETF (RFC 8439); the 2-byte length field is the additional data; the
 * 12-byte nonce is 4 zero bytes followed by a u64 LE frame counter. Each direction has its own
 * key and its own counter, both counters start at 0.
 *
 * HapSessionCrypto holds both directions: the encoder splits any plaintext into frames, the
 * incremental decoder takes the peer's bytes split at any position and yields one plaintext
 * frame at a time. A frame that does not authenticate (or has a length of 0 or over 1024) puts
 * the decoder in a failed state for good; nothing of such a frame is ever returned and the
 * caller must close the connection.
 *
 * Pure: no I/O, no global state of its own (it calls sodium_init(), which is idempotent).
 * Keys are wiped when the object is freed. No allocation per frame.
 */
#pragma once

#include <glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

#define HAP_SESSION_KEY_LEN 32
#define HAP_SESSION_LENGTH_LEN 2
#define HAP_SESSION_TAG_LEN 16
/* Largest plaintext (= ciphertext) of one frame. */
#define HAP_SESSION_MAX_PAYLOAD 1024
/* Bytes a frame adds to its payload. */
#define HAP_SESSION_FRAME_OVERHEAD (HAP_SESSION_LENGTH_LEN + HAP_SESSION_TAG_LEN)
#define HAP_SESSION_MAX_FRAME (HAP_SESSION_MAX_PAYLOAD + HAP_SESSION_FRAME_OVERHEAD)

typedef struct _HapSessionCrypto HapSessionCrypto;

/* `encrypt_key` protects what we send (for an accessory: the Control-Read key, accessory ->
 * controller), `decrypt_key` what we receive (Control-Write). Both are copied. */
HapSessionCrypto *hap_session_crypto_new (
    const guint8 encrypt_key[HAP_SESSION_KEY_LEN], const guint8 decrypt_key[HAP_SESSION_KEY_LEN]);
/* Wipes both keys and any buffered bytes. NULL is allowed. */
void hap_session_crypto_free (HapSessionCrypto *self);

/* Frame counters: the number of frames encrypted / decrypted so far (= the next nonce). */
guint64 hap_session_crypto_get_encrypt_counter (const HapSessionCrypto *self);
guint64 hap_session_crypto_get_decrypt_counter (const HapSessionCrypto *self);

/* Size of the frames that hap_session_crypto_encrypt() makes of `plaintext_len` bytes:
 * plaintext_len + 18 per started 1024-byte chunk. 0 for 0 bytes (no frame is sent).
 * Returns 0 when the result would not fit in a gsize. */
gsize hap_session_crypto_encrypted_size (gsize plaintext_len);

/* Encrypts `len` bytes into consecutive frames of at most 1024 payload bytes, written to
 * `out` (out_size >= hap_session_crypto_encrypted_size(len); `out` must not overlap
 * `plaintext`). Returns the number of bytes written, or 0 on caller misuse (buffer too small)
 * or when the encrypt counter is exhausted; the counter then is unchanged. */
gsize hap_session_crypto_encrypt (
    HapSessionCrypto *self, const guint8 *plaintext, gsize len, guint8 *out, gsize out_size);

/* Same, appending the frames to `out`. Returns FALSE only when the counter is exhausted. */
gboolean hap_session_crypto_encrypt_append (
    HapSessionCrypto *self, const guint8 *plaintext, gsize len, GByteArray *out);

/* Incremental decoder. Consumes bytes of `data` up to the end of the first complete frame
 * (or all of them) and sets *consumed (always; bytes of an unfinished frame are buffered).
 *  - HAP_PARSE_OK: one frame authenticated; its plaintext (1..1024 bytes) is in `out`
 *    (room for HAP_SESSION_MAX_PAYLOAD bytes) and its length in *out_len. Call again with
 *    the rest of `data` (data + *consumed), which may hold further frames.
 *  - HAP_PARSE_NEED_MORE: all of `data` was consumed without completing a frame.
 *  - HAP_PARSE_INVALID: bad length field or tag (HAP_CODEC_ERROR_OUT_OF_RANGE /
 *    HAP_CODEC_ERROR_AUTH), or the decoder had already failed (HAP_CODEC_ERROR_MALFORMED).
 *    `out` holds nothing of the frame, and every later call fails the same way.
 * `data` may be NULL when len is 0. */
HapParseResult hap_session_crypto_decrypt (HapSessionCrypto *self, const guint8 *data, gsize len,
    gsize *consumed, guint8 out[HAP_SESSION_MAX_PAYLOAD], gsize *out_len, GError **error);

/* Convenience over hap_session_crypto_decrypt(): consumes all of `data` and appends the
 * plaintext of every frame it completes to `out`. Returns HAP_PARSE_OK if at least one frame
 * was completed, HAP_PARSE_NEED_MORE if none was, HAP_PARSE_INVALID on a bad frame - `out`
 * is then restored to its length before the call. */
HapParseResult hap_session_crypto_decrypt_append (
    HapSessionCrypto *self, const guint8 *data, gsize len, GByteArray *out, GError **error);

/* TRUE once the decoder has rejected a frame. */
gboolean hap_session_crypto_has_failed (const HapSessionCrypto *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapSessionCrypto, hap_session_crypto_free)

G_END_DECLS

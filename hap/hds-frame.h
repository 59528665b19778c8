/* libhap: HomeKit Data Stream (HDS) frames (PROTOCOL.md section 3).
 *
 *   [type u8 = 0x01][payload length u24 BE][ciphertext][Poly1305 tag, 16 bytes]
 *
 * ChaCha20-Poly1305 IETF (RFC 8439); the 4-byte header is the additional data; the nonce is
 * 4 zero bytes followed by a u64 LE frame counter, one key and one counter per direction, both
 * counters from 0. Payload lengths over 0xFFFFF and types other than 0x01 are rejected.
 *
 * Keys: for an accessory, `encrypt_key` is the HDS-Read-Encryption-Key (accessory ->
 * controller) and `decrypt_key` the HDS-Write-Encryption-Key (controller -> accessory), both
 * HKDF-SHA512(shared secret, salt = controller salt || accessory salt, info, 32 bytes). The
 * derivation is not part of this module: callers pass the keys.
 *
 * The plaintext of a frame is `u8 header length` + header + message
 * (hap_hds_plaintext_split() / hap_hds_plaintext_join()).
 *
 * Pure: no I/O, no global state of its own (it calls sodium_init(), which is idempotent).
 * Keys and buffered plaintext are wiped when the codec is freed. No copies beyond what the
 * cipher itself writes: encode_in_place() encrypts in the caller's buffer, decode() decrypts
 * from the caller's bytes into one reusable buffer owned by the codec.
 */
#pragma once

#include <glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

#define HAP_HDS_KEY_LEN 32
#define HAP_HDS_FRAME_HEADER_LEN 4
#define HAP_HDS_FRAME_TAG_LEN 16
#define HAP_HDS_FRAME_OVERHEAD (HAP_HDS_FRAME_HEADER_LEN + HAP_HDS_FRAME_TAG_LEN)
/* The only frame type: encrypted message. */
#define HAP_HDS_FRAME_TYPE_ENCRYPTED 0x01
#define HAP_HDS_FRAME_MAX_PAYLOAD 0xFFFFF
#define HAP_HDS_FRAME_MAX (HAP_HDS_FRAME_MAX_PAYLOAD + HAP_HDS_FRAME_OVERHEAD)

typedef struct _HapHdsFrameCodec HapHdsFrameCodec;

/* Both keys are copied. */
HapHdsFrameCodec *hap_hds_frame_codec_new (
    const guint8 encrypt_key[HAP_HDS_KEY_LEN], const guint8 decrypt_key[HAP_HDS_KEY_LEN]);
/* Wipes keys and buffers. NULL is allowed. */
void hap_hds_frame_codec_free (HapHdsFrameCodec *self);

/* Frames encrypted / decrypted so far (= the next nonce counter of each direction). */
guint64 hap_hds_frame_codec_get_encrypt_counter (const HapHdsFrameCodec *self);
guint64 hap_hds_frame_codec_get_decrypt_counter (const HapHdsFrameCodec *self);
/* TRUE once the decoder has rejected input; it then rejects everything. */
gboolean hap_hds_frame_codec_has_failed (const HapHdsFrameCodec *self);

/* Checks a frame header. OK: *payload_len is set (frame size = payload_len + 20).
 * NEED_MORE: fewer than 4 bytes, all valid so far. INVALID: unknown type
 * (HAP_CODEC_ERROR_MALFORMED) or length over 0xFFFFF (HAP_CODEC_ERROR_TOO_LARGE). */
HapParseResult hap_hds_frame_parse_header (
    const guint8 *data, gsize len, gsize *payload_len, GError **error);

/* Encrypts a frame in place. `frame` holds payload_len + HAP_HDS_FRAME_OVERHEAD bytes with the
 * plaintext at frame + HAP_HDS_FRAME_HEADER_LEN; writes the header in front and the tag
 * behind it. Returns FALSE on caller misuse (payload_len over 0xFFFFF) or when the encrypt
 * counter is exhausted; the counter then does not move. */
gboolean hap_hds_frame_encode_in_place (HapHdsFrameCodec *self, guint8 *frame, gsize payload_len);

/* Encrypts `len` payload bytes into one frame at `out` (out_size >= len + 20; `out` must not
 * overlap `payload`). Returns the frame size, or 0 on misuse / counter exhaustion. */
gsize hap_hds_frame_encode (
    HapHdsFrameCodec *self, const guint8 *payload, gsize len, guint8 *out, gsize out_size);

/* Same, appending the frame to `out`. */
gboolean hap_hds_frame_encode_append (
    HapHdsFrameCodec *self, const guint8 *payload, gsize len, GByteArray *out);

/* Incremental decoder: consumes bytes of `data` up to the end of the first complete frame (or
 * all of them), sets *consumed (always; an unfinished frame is buffered).
 *  - HAP_PARSE_OK: one frame authenticated; *payload points to its plaintext (*payload_len
 *    bytes, possibly 0) in a buffer owned by the codec, valid until the next decode call or
 *    free. Call again with data + *consumed for further frames.
 *  - HAP_PARSE_NEED_MORE: all of `data` consumed, no frame completed.
 *  - HAP_PARSE_INVALID: unknown type (MALFORMED), length over 0xFFFFF (TOO_LARGE), bad tag
 *    (AUTH), counter exhausted (OUT_OF_RANGE) or already failed (MALFORMED). Nothing of the
 *    frame is returned; every later call fails. *consumed then counts bytes up to the
 *    rejected field. */
HapParseResult hap_hds_frame_decode (HapHdsFrameCodec *self, const guint8 *data, gsize len,
    gsize *consumed, const guint8 **payload, gsize *payload_len, GError **error);

/* Decodes a frame at the start of a caller-owned, writable buffer, decrypting in place (for a
 * caller that buffers the stream itself; must not be mixed with decode() while that holds a
 * partial frame). OK: *payload = frame + 4 and *consumed = the frame size. NEED_MORE: the
 * frame is not complete yet (nothing consumed, nothing changed). INVALID as for decode(); the
 * buffer's ciphertext may then be overwritten with zeros. */
HapParseResult hap_hds_frame_decode_in_place (HapHdsFrameCodec *self, guint8 *data, gsize len,
    gsize *consumed, guint8 **payload, gsize *payload_len, GError **error);

/* Checks without any state whether `data` starts with a frame that authenticates under `key`
 * as the first frame of a connection (counter 0); the plaintext is not produced. Used to match
 * a new TCP connection to one of several pending set-ups. OK: it does. NEED_MORE: the first
 * frame is not complete yet. INVALID: bad header, or it does not authenticate under this key
 * (HAP_CODEC_ERROR_AUTH). */
HapParseResult hap_hds_frame_trial_decrypt (
    const guint8 key[HAP_HDS_KEY_LEN], const guint8 *data, gsize len, GError **error);

/* Splits a decrypted payload into header and message: `u8 header length` + header + message.
 * INVALID (HAP_CODEC_ERROR_TRUNCATED) for an empty payload or a header length past the end.
 * The message may be empty. The pointers point into `data`. */
HapParseResult hap_hds_plaintext_split (const guint8 *data, gsize len, const guint8 **header,
    gsize *header_len, const guint8 **message, gsize *message_len, GError **error);

/* Appends `u8 header_len` + header + message to `out`. To encrypt without a copy, reserve
 * HAP_HDS_FRAME_HEADER_LEN bytes in front, join, grow by HAP_HDS_FRAME_TAG_LEN and call
 * hap_hds_frame_encode_in_place(). Returns FALSE on misuse (header_len over 255). */
gboolean hap_hds_plaintext_join (const guint8 *header, gsize header_len, const guint8 *message,
    gsize message_len, GByteArray *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapHdsFrameCodec, hap_hds_frame_codec_free)

G_END_DECLS

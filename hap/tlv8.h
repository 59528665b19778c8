/* libhap: TLV8 (HAP "type-length-value" with 8-bit type and length) reader and writer.
 *
 * Pure codec: no I/O, no global state. Integers are little-endian.
 * - Values over 255 bytes are split into consecutive items of the same type; the reader merges
 *   an item into the previous one only when the previous fragment was exactly 255 bytes long
 *   and has the same type.
 * - A list of items of the same type is separated by a zero-length separator item
 *   (HAP_TLV8_TYPE_SEPARATOR 0xFF in pairing, 0x00 in camera TLVs). The reader keeps separators
 *   as items of length 0 so that callers can split lists.
 */
#pragma once

#include <glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

#define HAP_TLV8_TYPE_SEPARATOR 0xFF
/* Inputs larger than this are rejected by hap_tlv8_parse() (HAP bodies are far smaller). */
#define HAP_TLV8_MAX_INPUT (1024 * 1024)

/* One decoded item. `value` points into memory owned by the HapTlv8 it came from. */
typedef struct {
  guint8 type;
  gsize len;
  const guint8 *value;
} HapTlv8Item;

/* A parsed TLV8 buffer: an ordered list of items with fragments merged. Immutable. */
typedef struct _HapTlv8 HapTlv8;

/* Parses `len` bytes. Returns NULL and sets `error` (HAP_CODEC_ERROR) when the input is
 * truncated (an item's length runs past the end: HAP_CODEC_ERROR_TRUNCATED) or larger than
 * HAP_TLV8_MAX_INPUT (HAP_CODEC_ERROR_TOO_LARGE). An empty input parses to an empty list.
 * The HapTlv8 owns a copy of the values; `data` may be freed afterwards. */
HapTlv8 *hap_tlv8_parse (const guint8 *data, gsize len, GError **error);
void hap_tlv8_free (HapTlv8 *tlv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapTlv8, hap_tlv8_free)

guint hap_tlv8_n_items (const HapTlv8 *tlv);
/* The index-th item (0-based), separators included; NULL past the end. */
const HapTlv8Item *hap_tlv8_item (const HapTlv8 *tlv, guint index);

/* First item of `type`, or NULL. */
const HapTlv8Item *hap_tlv8_find (const HapTlv8 *tlv, guint8 type);

/* Typed getters for the first item of `type`. They return FALSE when the item is absent or
 * its length is not exactly the width of the type. */
gboolean hap_tlv8_get_u8 (const HapTlv8 *tlv, guint8 type, guint8 *out);
gboolean hap_tlv8_get_u16 (const HapTlv8 *tlv, guint8 type, guint16 *out);
gboolean hap_tlv8_get_u32 (const HapTlv8 *tlv, guint8 type, guint32 *out);
gboolean hap_tlv8_get_u64 (const HapTlv8 *tlv, guint8 type, guint64 *out);
/* Any little-endian unsigned integer of 1 to 8 bytes. */
gboolean hap_tlv8_get_uint (const HapTlv8 *tlv, guint8 type, guint64 *out);

/* Parses the value of the first item of `type` as nested TLV8; NULL with `error` set when the
 * item is absent (HAP_CODEC_ERROR_MISSING) or malformed. */
HapTlv8 *hap_tlv8_get_tlv8 (const HapTlv8 *tlv, guint8 type, GError **error);

/* Splits the list into runs separated by zero-length items of `separator_type`: returns a
 * GPtrArray of HapTlv8 (free func set), one per run; an empty input gives an empty array.
 * N separators give N + 1 runs (a leading, trailing or doubled separator gives an empty run);
 * separators are not part of any run. Each run owns a copy of its values. */
GPtrArray *hap_tlv8_split (const HapTlv8 *tlv, guint8 separator_type);

/* Collects every item of `type` (in order) into a new array of HapTlv8Item pointers (pointing
 * into `tlv`; the array must not outlive it). */
GPtrArray *hap_tlv8_find_all (const HapTlv8 *tlv, guint8 type);

/* Writer: appends items to a growing buffer. */
typedef struct {
  GByteArray *buf;
} HapTlv8Writer;

void hap_tlv8_writer_init (HapTlv8Writer *w);
void hap_tlv8_writer_clear (HapTlv8Writer *w);
/* Returns the bytes written and resets the writer to empty. */
GBytes *hap_tlv8_writer_take_bytes (HapTlv8Writer *w);
const guint8 *hap_tlv8_writer_data (const HapTlv8Writer *w, gsize *len);

/* Appends one value, fragmented into 255-byte items when longer. A zero-length value is
 * written as one empty item. Two consecutive values of the same type must be separated by an
 * item of another type (a separator): otherwise a reader merges the second into the first
 * whenever the first one's last fragment is 255 bytes long. */
void hap_tlv8_add (HapTlv8Writer *w, guint8 type, const guint8 *value, gsize len);
void hap_tlv8_add_u8 (HapTlv8Writer *w, guint8 type, guint8 v);
void hap_tlv8_add_u16 (HapTlv8Writer *w, guint8 type, guint16 v);
void hap_tlv8_add_u32 (HapTlv8Writer *w, guint8 type, guint32 v);
void hap_tlv8_add_u64 (HapTlv8Writer *w, guint8 type, guint64 v);
/* The shortest little-endian encoding of `v` (1 to 8 bytes). */
void hap_tlv8_add_uint (HapTlv8Writer *w, guint8 type, guint64 v);
void hap_tlv8_add_string (HapTlv8Writer *w, guint8 type, const char *s);
/* A zero-length item of `type` (a list separator). */
void hap_tlv8_add_separator (HapTlv8Writer *w, guint8 type);
/* Appends the content of `child` as the value of one item of `type`. */
void hap_tlv8_add_writer (HapTlv8Writer *w, guint8 type, const HapTlv8Writer *child);

G_END_DECLS

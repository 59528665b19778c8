/* libhap: internals shared by the HDS message codec files (not installed): the OPACK tags,
 * the value representation and the helpers one file of the codec uses from another.
 *   hds-value.c    value model: construction, inspection, equality
 *   hds-opack.c    OPACK encoder and decoder
 *   hds-message.c  payload (header length + header + message) and header dictionary helpers
 */
#pragma once

#include "hap/hds-message.h"

G_BEGIN_DECLS
/* Tags (PROTOCOL.md section 4). */
enum {
  TAG_TRUE = 0x01,
  TAG_FALSE = 0x02,
  TAG_TERMINATOR = 0x03,
  TAG_NULL = 0x04,
  TAG_UUID = 0x05,
  TAG_DATE = 0x06,
  TAG_MINUS_ONE = 0x07,
  TAG_SMALL_INT = 0x08, /* 0x08-0x2F: 0..39 */
  TAG_SMALL_INT_LAST = 0x2F,
  TAG_INT8 = 0x30, /* 0x30-0x33: int8/16/32/64 */
  TAG_INT64 = 0x33,
  TAG_FLOAT32 = 0x35,
  TAG_FLOAT64 = 0x36,
  TAG_STRING = 0x40, /* 0x40-0x60: 0..32 bytes inline */
  TAG_STRING_LAST_INLINE = 0x60,
  TAG_STRING_LEN8 = 0x61, /* 0x61-0x64: u8/u16/u32/u64 length */
  TAG_STRING_LEN64 = 0x64,
  TAG_STRING_NUL = 0x6F,
  TAG_DATA = 0x70, /* 0x70-0x90: 0..32 bytes inline */
  TAG_DATA_LAST_INLINE = 0x90,
  TAG_DATA_LEN8 = 0x91, /* 0x91-0x94: u8/u16/u32/u64 length */
  TAG_DATA_LEN64 = 0x94,
  TAG_DATA_CHUNKED = 0x9F,
  TAG_REF = 0xA0, /* 0xA0-0xCF: back-reference 0..47 */
  TAG_REF_LAST = 0xCF,
  TAG_ARRAY = 0xD0, /* 0xD0-0xDE: 0..14 elements */
  TAG_ARRAY_TERMINATED = 0xDF,
  TAG_DICT = 0xE0, /* 0xE0-0xEE: 0..14 entries */
  TAG_DICT_TERMINATED = 0xEF,
};

#define INLINE_MAX 32
#define COUNTED_MAX 14
/* Data values at least this long are referenced, not copied, when decoding from a GBytes. */
#define ZERO_COPY_MIN 64
/* Dictionaries with more entries than this use a hash table to find duplicate keys. */
#define DICT_LINEAR_MAX 16

typedef struct {
  gchar *key;
  HapHdsValue *value;
} DictEntry;

struct _HapHdsValue {
  gint ref_count;
  HapHdsType type;
  guint8 int_width; /* HAP_HDS_TYPE_INT: 0 = smallest form, else 1/2/4/8 */
  union {
    gboolean b;
    gint64 i;
    gdouble d;
    gfloat f;
    guint8 uuid[16];
    struct {
      gchar *str;
      gsize len;
    } s;
    GBytes *data;
    GPtrArray *array; /* HapHdsValue* */
    GArray *dict;     /* DictEntry */
  } u;
};

/* A value of `type` with one reference and nothing else set. */
HapHdsValue *hap_hds_value_alloc (HapHdsType type);
/* A string value owning `str` (`len` bytes plus a NUL). */
HapHdsValue *hap_hds_value_new_string_take (gchar *str, gsize len);
/* Appends an entry to a dictionary, taking `key` and `value`; no duplicate check. */
void hap_hds_value_dict_append_take (HapHdsValue *dict, gchar *key, HapHdsValue *value);
/* Whether `value` fits a signed integer of `width` bytes (1, 2, 4 or 8). */
gboolean hap_hds_int_fits (gint64 value, guint width);

gsize hap_hds_value_encoded_size (const HapHdsValue *v);
/* Writes the encoding of `v` at `p` (hap_hds_value_encoded_size() bytes); returns its end. */
guint8 *hap_hds_value_encode_to (const HapHdsValue *v, guint8 *p);
/* Decodes exactly `len` bytes; `src` (optional) holds `data` at `src_offset` for zero-copy. */
HapHdsValue *hap_hds_value_decode_region (
    const guint8 *data, gsize len, GBytes *src, gsize src_offset, GError **error);

/* Sets `error` (if not NULL) in HAP_CODEC_ERROR; returns FALSE. */
gboolean hap_hds_fail (GError **error, gint code, const gchar *format, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS

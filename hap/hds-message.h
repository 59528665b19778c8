/* libhap: HomeKit Data Stream message codec ("OPACK", PROTOCOL.md section 4).
 *
 * A decrypted HDS frame payload is `u8 header length` + header (dictionary) + message
 * (dictionary). Both dictionaries use the OPACK-like encoding below. This module is pure:
 * bytes in, values out, no I/O, no global state.
 *
 * Value model: HapHdsValue is a small reference-counted tagged tree (null, bool, int, float32,
 * float64, date, UUID, string, data, array, dictionary). Scalars are immutable once built, so a
 * decoded back-reference simply shares the referenced node. Arrays and dictionaries are built
 * with the append/set functions and must not be modified once they are shared. Dictionary keys
 * are UTF-8 strings (HDS never uses anything else; the decoder rejects other keys and duplicate
 * keys).
 *
 * Decoder: every tag of the table in PROTOCOL.md section 4, including the non-simple forms
 * (0x6F NUL-terminated strings, 0x9F chunked data, 0xDF/0xEF terminated containers, 0xA0-0xCF
 * back-references). Strict bounds checks, UTF-8 validation, a nesting limit, a limit on the
 * number of values and on the bytes that back-references may expand to. Every failure is a
 * GError in HAP_CODEC_ERROR; the decoder never asserts on peer bytes.
 *
 * Back-references: 0xA0 + n names the n-th entry (from 0) of a table that the decoder fills in
 * decoding order, one table per decoded top-level value (the header and the message of an HDS
 * payload have separate tables). Entering the table: every value decoded from a multi-byte
 * scalar form - UUID, date, int8/16/32/64, float32/64, strings of any form and length (the
 * empty string too), data of any form and length (a 0x9F value once, as a whole). Not entering:
 * the one-byte forms true, false, null, -1 and 0..39, arrays, dictionaries, the terminator and
 * back-references themselves. Equal values are not merged (each literal gets its own index).
 * This is the rule of Apple's OPACK as described by pyatv (docs "Pointers"; its encoder skips
 * one-byte encodings) and of the hap-nodejs encoder (DataStreamWriter.compressDataIfPossible).
 * The hap-nodejs *decoder* also tracks true/false/-1/0..39, which disagrees with its own
 * encoder; that is a peer bug we do not copy. Apple's CoreUtils OPACK uses 0xA0-0xC0 for
 * indices 0..32 and 0xC1-0xC4 for 1..4-byte indices; HDS peers (PROTOCOL.md, hap-nodejs) use
 * 0xA0-0xCF for indices 0..47, which is what we decode.
 *
 * Encoder: simple forms only, never back-references: -1, 0..39 inline, otherwise the smallest
 * of int8/16/32/64 (unless the value asks for a width, see hap_hds_value_new_int_sized()),
 * strings and data inline up to 32 bytes then u8/u16/u32/u64 lengths, arrays and dictionaries
 * counted up to 14 elements then the 0x03-terminated forms.
 *
 * Data values decoded from a GBytes reference the input without copying
 * (g_bytes_new_from_bytes) when they are large, so recording chunks of 262144 bytes are not
 * copied on the receive path.
 */
#pragma once

#include <glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

/* Decoder limits. */
#define HAP_HDS_MAX_DEPTH 32     /* nesting of arrays/dictionaries */
#define HAP_HDS_MAX_VALUES 65536 /* values per decoded top-level value (refs included) */
#define HAP_HDS_MAX_REF_EXPANSION (1024 * 1024) /* string/data bytes reachable via back-refs */
#define HAP_HDS_MAX_HEADER_LEN 255              /* the header length is one byte */

typedef enum {
  HAP_HDS_TYPE_NULL,
  HAP_HDS_TYPE_BOOL,
  HAP_HDS_TYPE_INT,
  HAP_HDS_TYPE_FLOAT32,
  HAP_HDS_TYPE_FLOAT64,
  HAP_HDS_TYPE_DATE, /* f64 seconds since 2001-01-01 00:00:00 UTC */
  HAP_HDS_TYPE_UUID,
  HAP_HDS_TYPE_STRING,
  HAP_HDS_TYPE_DATA,
  HAP_HDS_TYPE_ARRAY,
  HAP_HDS_TYPE_DICT,
} HapHdsType;

typedef struct _HapHdsValue HapHdsValue;

/* ---- construction (each returns a new reference) ---- */
HapHdsValue *hap_hds_value_new_null (void);
HapHdsValue *hap_hds_value_new_bool (gboolean value);
/* Encoded in the smallest form. */
HapHdsValue *hap_hds_value_new_int (gint64 value);
/* Encoded with exactly `width` bytes (1, 2, 4 or 8; the value must fit), e.g. width 8 for the
 * header `id` and `status` that peers write as int64. */
HapHdsValue *hap_hds_value_new_int_sized (gint64 value, guint width);
HapHdsValue *hap_hds_value_new_float32 (gfloat value);
HapHdsValue *hap_hds_value_new_float64 (gdouble value);
HapHdsValue *hap_hds_value_new_date (gdouble seconds_since_2001);
HapHdsValue *hap_hds_value_new_uuid (const guint8 uuid[16]);
/* `value` must be valid UTF-8 without NUL bytes. */
HapHdsValue *hap_hds_value_new_string (const gchar *value);
/* Takes a reference to `data` (no copy). */
HapHdsValue *hap_hds_value_new_data (GBytes *data);
/* Copies `len` bytes. */
HapHdsValue *hap_hds_value_new_data_copy (const guint8 *data, gsize len);
HapHdsValue *hap_hds_value_new_array (void);
HapHdsValue *hap_hds_value_new_dict (void);

/* Takes ownership of `element`. */
void hap_hds_value_array_append (HapHdsValue *array, HapHdsValue *element);
/* Takes ownership of `value`; replaces an existing entry with the same key. */
void hap_hds_value_dict_set (HapHdsValue *dict, const gchar *key, HapHdsValue *value);
void hap_hds_value_dict_set_int (HapHdsValue *dict, const gchar *key, gint64 value);
void hap_hds_value_dict_set_bool (HapHdsValue *dict, const gchar *key, gboolean value);
void hap_hds_value_dict_set_string (HapHdsValue *dict, const gchar *key, const gchar *value);
void hap_hds_value_dict_set_data (HapHdsValue *dict, const gchar *key, GBytes *data);

HapHdsValue *hap_hds_value_ref (HapHdsValue *value);
void hap_hds_value_unref (HapHdsValue *value);

/* ---- inspection ---- */
HapHdsType hap_hds_value_get_type (const HapHdsValue *value);
gboolean hap_hds_value_get_bool (const HapHdsValue *value);
gint64 hap_hds_value_get_int (const HapHdsValue *value);
/* 0 for the smallest form, else the forced or decoded width 1/2/4/8. */
guint hap_hds_value_get_int_width (const HapHdsValue *value);
/* float32, float64 and date values. */
gdouble hap_hds_value_get_double (const HapHdsValue *value);
gfloat hap_hds_value_get_float32 (const HapHdsValue *value);
const guint8 *hap_hds_value_get_uuid (const HapHdsValue *value);
/* NUL-terminated; `len` (optional) gets the byte length. */
const gchar *hap_hds_value_get_string (const HapHdsValue *value, gsize *len);
/* Borrowed. */
GBytes *hap_hds_value_get_data (const HapHdsValue *value);
/* Number of elements of an array or entries of a dictionary. */
guint hap_hds_value_get_length (const HapHdsValue *value);
/* Borrowed. */
HapHdsValue *hap_hds_value_array_get (const HapHdsValue *array, guint index);
/* Borrowed; `key` (optional) gets the entry's key. */
HapHdsValue *hap_hds_value_dict_get_entry (const HapHdsValue *dict, guint index, const gchar **key);

/* Dictionary lookups: NULL / FALSE when `dict` is not a dictionary, the key is absent or the
 * value has another type. Results are borrowed from `dict`. */
HapHdsValue *hap_hds_value_dict_get (const HapHdsValue *dict, const gchar *key);
gboolean hap_hds_value_dict_get_int (const HapHdsValue *dict, const gchar *key, gint64 *out);
gboolean hap_hds_value_dict_get_bool (const HapHdsValue *dict, const gchar *key, gboolean *out);
const gchar *hap_hds_value_dict_get_string (const HapHdsValue *dict, const gchar *key);
GBytes *hap_hds_value_dict_get_data (const HapHdsValue *dict, const gchar *key);
HapHdsValue *hap_hds_value_dict_get_dict (const HapHdsValue *dict, const gchar *key);
HapHdsValue *hap_hds_value_dict_get_array (const HapHdsValue *dict, const gchar *key);

/* Deep equality: same types and values (floats compared bit for bit, int widths ignored,
 * dictionaries compared in order). */
gboolean hap_hds_value_equal (const HapHdsValue *a, const HapHdsValue *b);

/* ---- encoding ---- */
/* Exact number of bytes hap_hds_value_encode_append() writes. */
gsize hap_hds_value_get_encoded_size (const HapHdsValue *value);
void hap_hds_value_encode_append (const HapHdsValue *value, GByteArray *out);
GBytes *hap_hds_value_encode (const HapHdsValue *value);

/* ---- decoding ---- */
/* Decodes exactly one value that must span all of `data` (trailing bytes are an error). Data
 * values are copied. */
HapHdsValue *hap_hds_value_decode (const guint8 *data, gsize len, GError **error);
/* Same, but large data values reference `bytes` without copying. */
HapHdsValue *hap_hds_value_decode_bytes (GBytes *bytes, GError **error);

/* ---- HDS plaintext payload: u8 header length + header dict + message dict ---- */
/* Fails (HAP_CODEC_ERROR_TOO_LARGE) when the encoded header exceeds 255 bytes. */
GBytes *hap_hds_message_encode (
    const HapHdsValue *header, const HapHdsValue *message, GError **error);
/* Both parts must be dictionaries. `payload`'s large data values are referenced, not copied. */
gboolean hap_hds_message_decode (
    GBytes *payload, HapHdsValue **header, HapHdsValue **message, GError **error);

/* ---- header dictionary ---- */
typedef enum {
  HAP_HDS_KIND_EVENT,
  HAP_HDS_KIND_REQUEST,
  HAP_HDS_KIND_RESPONSE,
} HapHdsKind;

/* HDS status codes (header `status` of a response). */
typedef enum {
  HAP_HDS_STATUS_SUCCESS = 0,
  HAP_HDS_STATUS_OUT_OF_MEMORY = 1,
  HAP_HDS_STATUS_TIMEOUT = 2,
  HAP_HDS_STATUS_HEADER_ERROR = 3,
  HAP_HDS_STATUS_PAYLOAD_ERROR = 4,
  HAP_HDS_STATUS_MISSING_PROTOCOL = 5,
  HAP_HDS_STATUS_PROTOCOL_SPECIFIC_ERROR = 6,
} HapHdsStatus;

typedef struct {
  HapHdsKind kind;
  gchar *protocol;
  gchar *topic;  /* value of `event`, `request` or `response` */
  gint64 id;     /* requests and responses */
  gint64 status; /* responses */
} HapHdsHeader;

/* {protocol, event|request|response: topic[, id][, status]}; id and status as int64. */
HapHdsValue *hap_hds_header_build (
    HapHdsKind kind, const gchar *protocol, const gchar *topic, gint64 id, gint64 status);
/* Requires `protocol` and exactly one of event/request/response (strings); `id` for requests
 * and responses and `status` for responses (any integer form). Unknown keys are ignored.
 * `out` must be cleared with hap_hds_header_clear(), also after a failure. */
gboolean hap_hds_header_parse (const HapHdsValue *header, HapHdsHeader *out, GError **error);
void hap_hds_header_clear (HapHdsHeader *header);

/* Whole payloads in one call; `body` NULL means an empty dictionary. */
GBytes *hap_hds_message_encode_event (
    const gchar *protocol, const gchar *topic, const HapHdsValue *body);
GBytes *hap_hds_message_encode_request (
    const gchar *protocol, const gchar *topic, gint64 id, const HapHdsValue *body);
GBytes *hap_hds_message_encode_response (
    const gchar *protocol, const gchar *topic, gint64 id, gint64 status, const HapHdsValue *body);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapHdsValue, hap_hds_value_unref)

G_END_DECLS

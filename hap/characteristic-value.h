/* libhap: characteristic formats, permissions, definitions, values and their validation.
 *
 * A characteristic is described by a HapCharacteristicDef (type, format, permissions, unit,
 * range, valid values, lengths), which is meant to be written as a static const table by the
 * owner of an accessory database (hap/accessory-db.h). Its value is a HapValue of that
 * format. hap_value_from_json() turns the JSON value of a controller's write into a HapValue
 * and checks it against the definition, with the HAP status of the result; hap_value_append_json()
 * writes a value in the JSON form of HAP (base64 for tlv8 and data, locale-independent numbers).
 *
 * Write validation (the rules of Apple's HomeKitADK, HAPCharacteristic.c / HAPIPAccessoryServer.c):
 * - bool: true/false, or the numbers 0 and 1.
 * - uint8/16/32/64, int: an integer number (1.0 counts as 1) within the format's bounds and
 *   the definition's minValue/maxValue, a multiple of minStep counted from minValue, and, when
 *   the definition lists valid values or valid ranges, one of them. Booleans are refused.
 * - float: a finite number (integers accepted) within minValue/maxValue; with a minStep, the
 *   value must be within a tenth of a step of a multiple of the step (counted from minValue)
 *   and is rounded to it.
 * - string: a JSON string of at most maxLen bytes (default 64, at most 256).
 * - tlv8, data: a JSON string in strict base64 (RFC 4648 alphabet, padding required) whose
 *   decoded length is at most maxDataLen (tlv8: no limit unless set; data: default 2097152).
 * Anything else is HAP_STATUS_INVALID_VALUE (-70410).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* HAP status codes of the IP transport (PROTOCOL.md section 1). */
typedef enum {
  HAP_STATUS_SUCCESS = 0,
  HAP_STATUS_INSUFFICIENT_PRIVILEGES = -70401,
  HAP_STATUS_UNABLE_TO_COMMUNICATE = -70402,
  HAP_STATUS_BUSY = -70403,
  HAP_STATUS_READ_ONLY = -70404,
  HAP_STATUS_WRITE_ONLY = -70405,
  HAP_STATUS_NOTIFICATION_NOT_SUPPORTED = -70406,
  HAP_STATUS_OUT_OF_RESOURCES = -70407,
  HAP_STATUS_TIMED_OUT = -70408,
  HAP_STATUS_RESOURCE_DOES_NOT_EXIST = -70409,
  HAP_STATUS_INVALID_VALUE = -70410,
  HAP_STATUS_INSUFFICIENT_AUTHORIZATION = -70411,
  HAP_STATUS_NOT_ALLOWED_IN_CURRENT_STATE = -70412,
} HapStatus;

typedef enum {
  HAP_FORMAT_BOOL,
  HAP_FORMAT_UINT8,
  HAP_FORMAT_UINT16,
  HAP_FORMAT_UINT32,
  HAP_FORMAT_UINT64,
  HAP_FORMAT_INT, /* int32 */
  HAP_FORMAT_FLOAT,
  HAP_FORMAT_STRING,
  HAP_FORMAT_TLV8,
  HAP_FORMAT_DATA,
} HapFormat;

/* Permissions, written in JSON as "pr", "pw", "ev", "aa", "tw", "hd", "wr". */
typedef enum {
  HAP_PERM_PR = 1 << 0, /* paired read */
  HAP_PERM_PW = 1 << 1, /* paired write */
  HAP_PERM_EV = 1 << 2, /* notify */
  HAP_PERM_AA = 1 << 3, /* additional authorization */
  HAP_PERM_TW = 1 << 4, /* timed write: plain writes are refused (-70410) */
  HAP_PERM_HD = 1 << 5, /* hidden from the user */
  HAP_PERM_WR = 1 << 6, /* write response ("r": true) */
} HapPerms;

/* Owner flags: not sent to controllers. */
typedef enum {
  HAP_CHAR_FLAG_ADMIN_WRITE = 1 << 0, /* writes by non-admin controllers: -70401 */
  HAP_CHAR_FLAG_ADMIN_READ = 1 << 1,  /* reads and subscriptions by non-admins: -70401 */
  HAP_CHAR_FLAG_IMMEDIATE = 1 << 2,   /* events skip the coalescing window (button events) */
} HapCharFlags;

/* Units of HAP. */
#define HAP_UNIT_CELSIUS "celsius"
#define HAP_UNIT_PERCENTAGE "percentage"
#define HAP_UNIT_ARCDEGREES "arcdegrees"
#define HAP_UNIT_LUX "lux"
#define HAP_UNIT_SECONDS "seconds"

#define HAP_STRING_MAX_LEN_DEFAULT 64
#define HAP_STRING_MAX_LEN_LIMIT 256
#define HAP_DATA_MAX_LEN_DEFAULT 2097152

/* minValue / maxValue / minStep. For integer formats the bounds are intersected with the
 * format's own bounds; `step` 0 means none. */
typedef struct {
  gboolean set;
  gdouble min;
  gdouble max;
  gdouble step;
} HapRange;

/* One valid-values-range entry: [start, end], inclusive. */
typedef struct {
  guint64 start;
  guint64 end;
} HapValidRange;

/* Everything a controller learns about a characteristic except its instance id and value.
 * Pointers are copied when the definition is added to a database. */
typedef struct {
  const gchar *type; /* short ("25") or full UUID; see hap/hap-uuids.h */
  HapFormat format;
  guint perms; /* HapPerms */
  guint flags; /* HapCharFlags */
  const gchar *unit;
  const gchar *description;
  HapRange range;
  guint max_len;      /* string: 0 = 64 */
  guint max_data_len; /* data: 0 = 2097152; tlv8: 0 = unlimited */
  const guint64 *valid_values;
  guint n_valid_values;
  const HapValidRange *valid_ranges;
  guint n_valid_ranges;
} HapCharacteristicDef;

/* A value of one format. Strings hold UTF-8 bytes without a terminating NUL in `bytes`. */
typedef struct {
  HapFormat format;
  union {
    gboolean b;
    guint64 u; /* uint8 .. uint64 */
    gint64 i;  /* int */
    gdouble f;
  } v;
  GBytes *bytes; /* string, tlv8, data (never NULL for these after init) */
} HapValue;

const gchar *hap_format_to_string (HapFormat format);
gboolean hap_format_is_integer (HapFormat format); /* uint8 .. int */
gboolean hap_format_is_numeric (HapFormat format); /* integers and float */
/* Appends the JSON array of permission names, e.g. ["pr","ev"]. */
void hap_perms_append_json (GString *out, guint perms);
const gchar *hap_status_to_string (HapStatus status);

/* The zero value of a format: false, 0, 0.0, "" or empty bytes. */
void hap_value_init (HapValue *value, HapFormat format);
void hap_value_init_bool (HapValue *value, gboolean b);
void hap_value_init_uint (HapValue *value, HapFormat format, guint64 u);
void hap_value_init_int (HapValue *value, gint64 i);
void hap_value_init_float (HapValue *value, gdouble f);
void hap_value_init_string (HapValue *value, const gchar *s);
void hap_value_init_bytes (HapValue *value, HapFormat format, const guint8 *data, gsize len);
void hap_value_copy (HapValue *dest, const HapValue *src); /* dest uninitialised */
void hap_value_clear (HapValue *value);
gboolean hap_value_equal (const HapValue *a, const HapValue *b);
/* The string of a string value (a new NUL-terminated copy). */
gchar *hap_value_dup_string (const HapValue *value);

/* Checks a value of the definition's format against its range, valid values and lengths.
 * Floats are not rounded here. */
HapStatus hap_value_check (const HapCharacteristicDef *def, const HapValue *value);

/* Converts the JSON value of a write (see the rules above) into `out` (initialised on
 * success only). Returns HAP_STATUS_SUCCESS or HAP_STATUS_INVALID_VALUE. */
HapStatus hap_value_from_json (const HapCharacteristicDef *def, JsonNode *node, HapValue *out);

/* Appends the JSON text of a value. */
void hap_value_append_json (GString *out, const HapValue *value);
/* Appends the meta properties of a definition as JSON members, each preceded by a comma:
 * ,"format":"uint8","unit":...,"minValue":...,"maxValue":...,"minStep":...,"maxLen":...,
 * "maxDataLen":...,"valid-values":[...],"valid-values-range":[[a,b],...] */
void hap_def_append_meta_json (GString *out, const HapCharacteristicDef *def);

/* JSON text helpers: a quoted, escaped string (`len` -1: NUL-terminated), and a finite double
 * in the shortest of %.15g/%.17g that reads back exactly, never with a locale's comma. */
void hap_json_append_string (GString *out, const gchar *s, gssize len);
void hap_json_append_double (GString *out, gdouble d);
/* Integers in decimal (no printf: they are in every response). */
void hap_json_append_uint (GString *out, guint64 v);
void hap_json_append_int (GString *out, gint64 v);

/* Parses a request body into its root node (free with json_node_unref()); NULL when it is
 * not acceptable: empty, a NUL byte, invalid UTF-8, nesting deeper than HAP_JSON_MAX_DEPTH
 * (json-glib 1.6 recurses without limit), or invalid JSON. Integer literals beyond the
 * 64-bit range are read as (inexact) doubles instead of wrapping as json-glib 1.6 does. */
#define HAP_JSON_MAX_DEPTH 16
JsonNode *hap_json_parse_body (const guint8 *json, gsize len);

/* Strict base64 (RFC 4648 section 4, padding required, no whitespace). NULL when invalid. */
GBytes *hap_base64_decode_strict (const gchar *text, gsize len);

G_END_DECLS

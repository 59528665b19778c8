/* libhap: characteristic formats, values and validation. See characteristic-value.h. */
#include "hap/characteristic-value.h"

#include <math.h>
#include <string.h>

const gchar *
hap_format_to_string (HapFormat format)
{
  switch (format) {
    case HAP_FORMAT_BOOL:
      return "bool";
    case HAP_FORMAT_UINT8:
      return "uint8";
    case HAP_FORMAT_UINT16:
      return "uint16";
    case HAP_FORMAT_UINT32:
      return "uint32";
    case HAP_FORMAT_UINT64:
      return "uint64";
    case HAP_FORMAT_INT:
      return "int";
    case HAP_FORMAT_FLOAT:
      return "float";
    case HAP_FORMAT_STRING:
      return "string";
    case HAP_FORMAT_TLV8:
      return "tlv8";
    case HAP_FORMAT_DATA:
      return "data";
  }
  return "data";
}

gboolean
hap_format_is_integer (HapFormat format)
{
  return format >= HAP_FORMAT_UINT8 && format <= HAP_FORMAT_INT;
}

gboolean
hap_format_is_numeric (HapFormat format)
{
  return hap_format_is_integer (format) || format == HAP_FORMAT_FLOAT;
}

static gboolean
format_has_bytes (HapFormat format)
{
  return format == HAP_FORMAT_STRING || format == HAP_FORMAT_TLV8 || format == HAP_FORMAT_DATA;
}

void
hap_perms_append_json (GString *out, guint perms)
{
  static const struct {
    guint perm;
    const gchar *name;
  } names[] = {
    { HAP_PERM_PR, "pr" },
    { HAP_PERM_PW, "pw" },
    { HAP_PERM_EV, "ev" },
    { HAP_PERM_AA, "aa" },
    { HAP_PERM_TW, "tw" },
    { HAP_PERM_HD, "hd" },
    { HAP_PERM_WR, "wr" },
  };
  gboolean first = TRUE;

  g_string_append_c (out, '[');
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    if (!(perms & names[i].perm))
      continue;
    g_string_append_printf (out, "%s\"%s\"", first ? "" : ",", names[i].name);
    first = FALSE;
  }
  g_string_append_c (out, ']');
}

const gchar *
hap_status_to_string (HapStatus status)
{
  switch (status) {
    case HAP_STATUS_SUCCESS:
      return "success";
    case HAP_STATUS_INSUFFICIENT_PRIVILEGES:
      return "insufficient privileges";
    case HAP_STATUS_UNABLE_TO_COMMUNICATE:
      return "unable to communicate";
    case HAP_STATUS_BUSY:
      return "busy";
    case HAP_STATUS_READ_ONLY:
      return "read-only";
    case HAP_STATUS_WRITE_ONLY:
      return "write-only";
    case HAP_STATUS_NOTIFICATION_NOT_SUPPORTED:
      return "notification not supported";
    case HAP_STATUS_OUT_OF_RESOURCES:
      return "out of resources";
    case HAP_STATUS_TIMED_OUT:
      return "timed out";
    case HAP_STATUS_RESOURCE_DOES_NOT_EXIST:
      return "resource does not exist";
    case HAP_STATUS_INVALID_VALUE:
      return "invalid value";
    case HAP_STATUS_INSUFFICIENT_AUTHORIZATION:
      return "insufficient authorization";
    case HAP_STATUS_NOT_ALLOWED_IN_CURRENT_STATE:
      return "not allowed in current state";
  }
  return "unknown status";
}

/* ---- values ---- */

void
hap_value_init (HapValue *value, HapFormat format)
{
  g_return_if_fail (value != NULL);

  memset (value, 0, sizeof *value);
  value->format = format;
  if (format_has_bytes (format))
    value->bytes = g_bytes_new (NULL, 0);
}

void
hap_value_init_bool (HapValue *value, gboolean b)
{
  hap_value_init (value, HAP_FORMAT_BOOL);
  value->v.b = b ? TRUE : FALSE;
}

void
hap_value_init_uint (HapValue *value, HapFormat format, guint64 u)
{
  g_return_if_fail (format >= HAP_FORMAT_UINT8 && format <= HAP_FORMAT_UINT64);

  hap_value_init (value, format);
  value->v.u = u;
}

void
hap_value_init_int (HapValue *value, gint64 i)
{
  hap_value_init (value, HAP_FORMAT_INT);
  value->v.i = i;
}

void
hap_value_init_float (HapValue *value, gdouble f)
{
  hap_value_init (value, HAP_FORMAT_FLOAT);
  value->v.f = f;
}

void
hap_value_init_string (HapValue *value, const gchar *s)
{
  g_return_if_fail (s != NULL);

  hap_value_init_bytes (value, HAP_FORMAT_STRING, (const guint8 *) s, strlen (s));
}

void
hap_value_init_bytes (HapValue *value, HapFormat format, const guint8 *data, gsize len)
{
  g_return_if_fail (format_has_bytes (format));
  g_return_if_fail (data != NULL || len == 0);

  memset (value, 0, sizeof *value);
  value->format = format;
  value->bytes = g_bytes_new (data, len);
}

void
hap_value_copy (HapValue *dest, const HapValue *src)
{
  g_return_if_fail (dest != NULL && src != NULL);

  *dest = *src;
  if (src->bytes)
    dest->bytes = g_bytes_ref (src->bytes);
}

void
hap_value_clear (HapValue *value)
{
  g_return_if_fail (value != NULL);

  g_clear_pointer (&value->bytes, g_bytes_unref);
  memset (&value->v, 0, sizeof value->v);
}

gboolean
hap_value_equal (const HapValue *a, const HapValue *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->format != b->format)
    return FALSE;
  switch (a->format) {
    case HAP_FORMAT_BOOL:
      return !a->v.b == !b->v.b;
    case HAP_FORMAT_UINT8:
    case HAP_FORMAT_UINT16:
    case HAP_FORMAT_UINT32:
    case HAP_FORMAT_UINT64:
      return a->v.u == b->v.u;
    case HAP_FORMAT_INT:
      return a->v.i == b->v.i;
    case HAP_FORMAT_FLOAT:
      return a->v.f == b->v.f;
    case HAP_FORMAT_STRING:
    case HAP_FORMAT_TLV8:
    case HAP_FORMAT_DATA:
      return a->bytes && b->bytes && g_bytes_equal (a->bytes, b->bytes);
  }
  return FALSE;
}

gchar *
hap_value_dup_string (const HapValue *value)
{
  gsize len = 0;
  const gchar *data;

  g_return_val_if_fail (value != NULL && value->bytes != NULL, NULL);

  data = g_bytes_get_data (value->bytes, &len);
  return g_strndup (data ? data : "", len);
}

/* ---- validation ---- */

/* libm-free helpers (libhap does not link libm). */
static gdouble
abs_double (gdouble d)
{
  return d < 0 ? -d : d;
}

/* floor() for finite doubles. */
static gdouble
floor_double (gdouble d)
{
  gdouble t;

  if (abs_double (d) >= 4503599627370496.0) /* 2^52: already integral */
    return d;
  t = (gdouble) (gint64) d;
  return t > d ? t - 1 : t;
}

static void
format_bounds (HapFormat format, gdouble *min, gdouble *max)
{
  switch (format) {
    case HAP_FORMAT_UINT8:
      *min = 0, *max = G_MAXUINT8;
      break;
    case HAP_FORMAT_UINT16:
      *min = 0, *max = G_MAXUINT16;
      break;
    case HAP_FORMAT_UINT32:
      *min = 0, *max = G_MAXUINT32;
      break;
    case HAP_FORMAT_UINT64:
      *min = 0, *max = 18446744073709551615.0;
      break;
    case HAP_FORMAT_INT:
      *min = G_MININT32, *max = G_MAXINT32;
      break;
    default:
      *min = -G_MAXDOUBLE, *max = G_MAXDOUBLE;
      break;
  }
}

static gboolean
in_valid_values (const HapCharacteristicDef *def, guint64 u)
{
  if (def->n_valid_values == 0 && def->n_valid_ranges == 0)
    return TRUE;
  for (guint i = 0; i < def->n_valid_values; i++)
    if (def->valid_values[i] == u)
      return TRUE;
  for (guint i = 0; i < def->n_valid_ranges; i++)
    if (u >= def->valid_ranges[i].start && u <= def->valid_ranges[i].end)
      return TRUE;
  return FALSE;
}

/* Integer values: exact comparisons on the integer, range bounds rounded inward. */
static HapStatus
check_integer (const HapCharacteristicDef *def, gboolean negative, guint64 magnitude)
{
  gdouble fmin, fmax;
  gdouble as_double = negative ? -(gdouble) magnitude : (gdouble) magnitude;

  format_bounds (def->format, &fmin, &fmax);
  if (def->format == HAP_FORMAT_INT) {
    if (negative ? magnitude > (guint64) G_MAXINT32 + 1 : magnitude > G_MAXINT32)
      return HAP_STATUS_INVALID_VALUE;
  } else {
    if (negative && magnitude != 0)
      return HAP_STATUS_INVALID_VALUE;
    if (def->format != HAP_FORMAT_UINT64 && magnitude > (guint64) fmax)
      return HAP_STATUS_INVALID_VALUE;
  }
  if (def->range.set) {
    if (as_double < def->range.min || as_double > def->range.max)
      return HAP_STATUS_INVALID_VALUE;
    if (def->range.step >= 1) {
      /* The value is >= min here: count whole steps from the first integer >= min. */
      gdouble first = -floor_double (-def->range.min);
      guint64 step = (guint64) def->range.step;
      guint64 from;
      if (negative)
        from = (guint64) ((gint64) first < 0 ? -(gint64) first : 0) - magnitude;
      else if (first < 0)
        from = magnitude + (guint64) (-(gint64) first);
      else
        from = magnitude - (guint64) first;
      if (from % step != 0)
        return HAP_STATUS_INVALID_VALUE;
    }
  }
  if (!negative && !in_valid_values (def, magnitude))
    return HAP_STATUS_INVALID_VALUE;
  return HAP_STATUS_SUCCESS;
}

static HapStatus
check_float (const HapCharacteristicDef *def, gdouble f, gdouble *rounded)
{
  if (!isfinite (f))
    return HAP_STATUS_INVALID_VALUE;
  if (rounded)
    *rounded = f;
  if (!def->range.set)
    return HAP_STATUS_SUCCESS;
  if (f < def->range.min || f > def->range.max)
    return HAP_STATUS_INVALID_VALUE;
  if (def->range.step > 0) {
    gdouble steps = (f - def->range.min) / def->range.step;
    gdouble nearest = floor_double (steps + 0.5);
    if (abs_double (steps - nearest) > 0.1)
      return HAP_STATUS_INVALID_VALUE;
    if (rounded)
      *rounded = MIN (def->range.min + nearest * def->range.step, def->range.max);
  }
  return HAP_STATUS_SUCCESS;
}

static gsize
def_max_bytes (const HapCharacteristicDef *def)
{
  switch (def->format) {
    case HAP_FORMAT_STRING:
      return def->max_len ? MIN (def->max_len, HAP_STRING_MAX_LEN_LIMIT)
                          : HAP_STRING_MAX_LEN_DEFAULT;
    case HAP_FORMAT_DATA:
      return def->max_data_len ? def->max_data_len : HAP_DATA_MAX_LEN_DEFAULT;
    case HAP_FORMAT_TLV8:
      return def->max_data_len ? def->max_data_len : G_MAXSIZE;
    default:
      return 0;
  }
}

HapStatus
hap_value_check (const HapCharacteristicDef *def, const HapValue *value)
{
  g_return_val_if_fail (def != NULL && value != NULL, HAP_STATUS_INVALID_VALUE);

  if (value->format != def->format)
    return HAP_STATUS_INVALID_VALUE;
  switch (def->format) {
    case HAP_FORMAT_BOOL:
      return HAP_STATUS_SUCCESS;
    case HAP_FORMAT_UINT8:
    case HAP_FORMAT_UINT16:
    case HAP_FORMAT_UINT32:
    case HAP_FORMAT_UINT64:
      return check_integer (def, FALSE, value->v.u);
    case HAP_FORMAT_INT:
      return check_integer (def, value->v.i < 0,
          value->v.i < 0 ? (guint64) - (value->v.i + 1) + 1 : (guint64) value->v.i);
    case HAP_FORMAT_FLOAT:
      return check_float (def, value->v.f, NULL);
    case HAP_FORMAT_STRING: {
      gsize len = 0;
      const gchar *s = g_bytes_get_data (value->bytes, &len);
      if (len > def_max_bytes (def) || (len > 0 && !g_utf8_validate_len (s, len, NULL))
          || (len > 0 && memchr (s, 0, len) != NULL))
        return HAP_STATUS_INVALID_VALUE;
      return HAP_STATUS_SUCCESS;
    }
    case HAP_FORMAT_TLV8:
    case HAP_FORMAT_DATA:
      return g_bytes_get_size (value->bytes) <= def_max_bytes (def) ? HAP_STATUS_SUCCESS
                                                                    : HAP_STATUS_INVALID_VALUE;
  }
  return HAP_STATUS_INVALID_VALUE;
}

/* An integral JSON number as sign + magnitude; FALSE for fractions, infinities, NaN and
 * anything that is not a number. */
static gboolean
json_integer (JsonNode *node, gboolean *negative, guint64 *magnitude)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64) {
    gint64 i = json_node_get_int (node);
    *negative = i < 0;
    *magnitude = i < 0 ? (guint64) - (i + 1) + 1 : (guint64) i;
    return TRUE;
  }
  if (type == G_TYPE_DOUBLE) {
    gdouble d = json_node_get_double (node);
    if (!isfinite (d) || d != floor_double (d) || abs_double (d) >= 18446744073709551616.0)
      return FALSE;
    *negative = d < 0;
    *magnitude = (guint64) abs_double (d);
    return TRUE;
  }
  return FALSE;
}

HapStatus
hap_value_from_json (const HapCharacteristicDef *def, JsonNode *node, HapValue *out)
{
  gboolean negative = FALSE;
  guint64 magnitude = 0;
  HapStatus status;

  g_return_val_if_fail (def != NULL && out != NULL, HAP_STATUS_INVALID_VALUE);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return HAP_STATUS_INVALID_VALUE;

  switch (def->format) {
    case HAP_FORMAT_BOOL:
      if (json_node_get_value_type (node) == G_TYPE_BOOLEAN) {
        hap_value_init_bool (out, json_node_get_boolean (node));
        return HAP_STATUS_SUCCESS;
      }
      if (json_integer (node, &negative, &magnitude) && !negative && magnitude <= 1) {
        hap_value_init_bool (out, magnitude == 1);
        return HAP_STATUS_SUCCESS;
      }
      return HAP_STATUS_INVALID_VALUE;
    case HAP_FORMAT_UINT8:
    case HAP_FORMAT_UINT16:
    case HAP_FORMAT_UINT32:
    case HAP_FORMAT_UINT64:
    case HAP_FORMAT_INT:
      if (!json_integer (node, &negative, &magnitude))
        return HAP_STATUS_INVALID_VALUE;
      status = check_integer (def, negative, magnitude);
      if (status != HAP_STATUS_SUCCESS)
        return status;
      if (def->format == HAP_FORMAT_INT)
        hap_value_init_int (out, negative ? -(gint64) (magnitude - 1) - 1 : (gint64) magnitude);
      else
        hap_value_init_uint (out, def->format, magnitude);
      return HAP_STATUS_SUCCESS;
    case HAP_FORMAT_FLOAT: {
      GType type = json_node_get_value_type (node);
      gdouble f, rounded = 0;
      if (type == G_TYPE_INT64)
        f = (gdouble) json_node_get_int (node);
      else if (type == G_TYPE_DOUBLE)
        f = json_node_get_double (node);
      else
        return HAP_STATUS_INVALID_VALUE;
      status = check_float (def, f, &rounded);
      if (status != HAP_STATUS_SUCCESS)
        return status;
      hap_value_init_float (out, rounded);
      return HAP_STATUS_SUCCESS;
    }
    case HAP_FORMAT_STRING: {
      const gchar *s;
      HapValue v;
      if (json_node_get_value_type (node) != G_TYPE_STRING)
        return HAP_STATUS_INVALID_VALUE;
      s = json_node_get_string (node);
      hap_value_init_string (&v, s ? s : "");
      status = hap_value_check (def, &v);
      if (status != HAP_STATUS_SUCCESS) {
        hap_value_clear (&v);
        return status;
      }
      *out = v;
      return HAP_STATUS_SUCCESS;
    }
    case HAP_FORMAT_TLV8:
    case HAP_FORMAT_DATA: {
      const gchar *s;
      GBytes *bytes;
      if (json_node_get_value_type (node) != G_TYPE_STRING)
        return HAP_STATUS_INVALID_VALUE;
      s = json_node_get_string (node);
      bytes = hap_base64_decode_strict (s ? s : "", s ? strlen (s) : 0);
      if (bytes == NULL)
        return HAP_STATUS_INVALID_VALUE;
      if (g_bytes_get_size (bytes) > def_max_bytes (def)) {
        g_bytes_unref (bytes);
        return HAP_STATUS_INVALID_VALUE;
      }
      memset (out, 0, sizeof *out);
      out->format = def->format;
      out->bytes = bytes;
      return HAP_STATUS_SUCCESS;
    }
  }
  return HAP_STATUS_INVALID_VALUE;
}

/* ---- JSON output ---- */

void
hap_json_append_string (GString *out, const gchar *s, gssize len)
{
  gsize n = len < 0 ? strlen (s) : (gsize) len;

  g_string_append_c (out, '"');
  for (gsize i = 0; i < n; i++) {
    guchar c = (guchar) s[i];
    switch (c) {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\r':
        g_string_append (out, "\\r");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          g_string_append_printf (out, "\\u%04x", c);
        else
          g_string_append_c (out, (gchar) c);
        break;
    }
  }
  g_string_append_c (out, '"');
}

void
hap_json_append_double (GString *out, gdouble d)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (d)) {
    /* JSON has no NaN or infinity; the database never stores one. */
    g_string_append (out, "0");
    return;
  }
  g_ascii_formatd (buf, sizeof buf, "%.15g", d);
  if (g_ascii_strtod (buf, NULL) != d)
    g_ascii_formatd (buf, sizeof buf, "%.17g", d);
  g_string_append (out, buf);
}

void
hap_json_append_uint (GString *out, guint64 v)
{
  gchar digits[20];
  guint n = 0;

  g_return_if_fail (out != NULL);
  do {
    digits[sizeof digits - ++n] = (gchar) ('0' + v % 10);
    v /= 10;
  } while (v > 0);
  g_string_append_len (out, digits + sizeof digits - n, (gssize) n);
}

void
hap_json_append_int (GString *out, gint64 v)
{
  g_return_if_fail (out != NULL);
  if (v < 0) {
    g_string_append_c (out, '-');
    hap_json_append_uint (out, (guint64) 0 - (guint64) v); /* G_MININT64 too */
  } else {
    hap_json_append_uint (out, (guint64) v);
  }
}

static void
append_base64 (GString *out, GBytes *bytes)
{
  gsize len = 0;
  const guint8 *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;
  g_autofree gchar *b64 = g_base64_encode (data, len);

  g_string_append_c (out, '"');
  g_string_append (out, b64);
  g_string_append_c (out, '"');
}

void
hap_value_append_json (GString *out, const HapValue *value)
{
  g_return_if_fail (out != NULL && value != NULL);

  switch (value->format) {
    case HAP_FORMAT_BOOL:
      g_string_append (out, value->v.b ? "true" : "false");
      break;
    case HAP_FORMAT_UINT8:
    case HAP_FORMAT_UINT16:
    case HAP_FORMAT_UINT32:
    case HAP_FORMAT_UINT64:
      hap_json_append_uint (out, value->v.u);
      break;
    case HAP_FORMAT_INT:
      hap_json_append_int (out, value->v.i);
      break;
    case HAP_FORMAT_FLOAT:
      hap_json_append_double (out, value->v.f);
      break;
    case HAP_FORMAT_STRING: {
      gsize len = 0;
      const gchar *s = value->bytes ? g_bytes_get_data (value->bytes, &len) : NULL;
      hap_json_append_string (out, s ? s : "", (gssize) len);
      break;
    }
    case HAP_FORMAT_TLV8:
    case HAP_FORMAT_DATA:
      append_base64 (out, value->bytes);
      break;
  }
}

/* A bound in the format's notation: an integer for integer formats. */
static void
append_number (GString *out, HapFormat format, gdouble d)
{
  if (hap_format_is_integer (format) && abs_double (d) < 9007199254740992.0)
    hap_json_append_int (out, (gint64) d);
  else
    hap_json_append_double (out, d);
}

void
hap_def_append_meta_json (GString *out, const HapCharacteristicDef *def)
{
  g_return_if_fail (out != NULL && def != NULL);

  g_string_append (out, ",\"format\":");
  hap_json_append_string (out, hap_format_to_string (def->format), -1);
  if (def->unit) {
    g_string_append (out, ",\"unit\":");
    hap_json_append_string (out, def->unit, -1);
  }
  if (def->range.set && hap_format_is_numeric (def->format)) {
    g_string_append (out, ",\"minValue\":");
    append_number (out, def->format, def->range.min);
    g_string_append (out, ",\"maxValue\":");
    append_number (out, def->format, def->range.max);
    if (def->range.step > 0) {
      g_string_append (out, ",\"minStep\":");
      append_number (out, def->format, def->range.step);
    }
  }
  if (def->format == HAP_FORMAT_STRING && def->max_len)
    g_string_append_printf (out, ",\"maxLen\":%u", (guint) def_max_bytes (def));
  if ((def->format == HAP_FORMAT_DATA || def->format == HAP_FORMAT_TLV8) && def->max_data_len)
    g_string_append_printf (out, ",\"maxDataLen\":%u", def->max_data_len);
  if (def->n_valid_values) {
    g_string_append (out, ",\"valid-values\":[");
    for (guint i = 0; i < def->n_valid_values; i++)
      g_string_append_printf (out, "%s%" G_GUINT64_FORMAT, i ? "," : "", def->valid_values[i]);
    g_string_append_c (out, ']');
  }
  if (def->n_valid_ranges) {
    g_string_append (out, ",\"valid-values-range\":[");
    for (guint i = 0; i < def->n_valid_ranges; i++)
      g_string_append_printf (out, "%s[%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "]", i ? "," : "",
          def->valid_ranges[i].start, def->valid_ranges[i].end);
    g_string_append_c (out, ']');
  }
}

/* ---- JSON body ---- */

/* Whether the integer literal s[0..len) ('-'? digits) is outside the gint64 range. */
static gboolean
integer_overflows (const gchar *s, gsize len)
{
  gboolean negative = len > 0 && s[0] == '-';
  const gchar *digits = negative ? s + 1 : s;
  gsize n = negative ? len - 1 : len;
  const gchar *limit = negative ? "9223372036854775808" : "9223372036854775807";

  while (n > 1 && digits[0] == '0')
    digits++, n--;
  if (n != 19)
    return n > 19;
  return memcmp (digits, limit, 19) > 0;
}

JsonNode *
hap_json_parse_body (const guint8 *json, gsize len)
{
  g_autoptr (GString) text = NULL;
  g_autoptr (JsonParser) parser = NULL;
  gboolean in_string = FALSE, escape = FALSE;
  guint depth = 0;
  JsonNode *root;

  if (json == NULL || len == 0 || len > G_MAXSSIZE)
    return NULL;
  if (memchr (json, 0, len) != NULL || !g_utf8_validate_len ((const gchar *) json, len, NULL))
    return NULL;

  /* json-glib 1.6 recurses without a depth limit and wraps integers beyond 64 bits:
   * bound the nesting, and turn such integers into doubles ("...0" -> "...0.0"). */
  text = g_string_sized_new (len + 16);
  for (gsize i = 0; i < len;) {
    gchar c = (gchar) json[i];
    if (in_string) {
      if (escape)
        escape = FALSE;
      else if (c == '\\')
        escape = TRUE;
      else if (c == '"')
        in_string = FALSE;
      g_string_append_c (text, c);
      i++;
      continue;
    }
    if (c == '"') {
      in_string = TRUE;
    } else if (c == '[' || c == '{') {
      if (++depth > HAP_JSON_MAX_DEPTH)
        return NULL;
    } else if (c == ']' || c == '}') {
      if (depth > 0)
        depth--;
    } else if (c == '-' || g_ascii_isdigit (c)) {
      gsize end = i + 1;
      gboolean integer = TRUE;
      while (end < len
             && (g_ascii_isdigit (json[end]) || json[end] == '.' || json[end] == 'e'
                 || json[end] == 'E' || json[end] == '+' || json[end] == '-')) {
        if (!g_ascii_isdigit (json[end]))
          integer = FALSE;
        end++;
      }
      g_string_append_len (text, (const gchar *) json + i, (gssize) (end - i));
      if (integer && integer_overflows ((const gchar *) json + i, end - i))
        g_string_append (text, ".0");
      i = end;
      continue;
    }
    g_string_append_c (text, c);
    i++;
  }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text->str, (gssize) text->len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root ? json_node_ref (root) : NULL;
}

/* ---- base64 ---- */

static gint
b64_digit (gchar c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

GBytes *
hap_base64_decode_strict (const gchar *text, gsize len)
{
  GByteArray *out;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len % 4 != 0)
    return NULL;
  out = g_byte_array_sized_new (len / 4 * 3);
  for (gsize i = 0; i < len; i += 4) {
    gint d[4];
    guint pad = 0;
    gboolean last = i + 4 == len;
    for (guint k = 0; k < 4; k++) {
      d[k] = b64_digit (text[i + k]);
      if (d[k] < 0) {
        if (text[i + k] == '=' && last && k >= 2) {
          d[k] = 0;
          pad++;
          continue;
        }
        g_byte_array_unref (out);
        return NULL;
      }
      if (pad) { /* a digit after '=' */
        g_byte_array_unref (out);
        return NULL;
      }
    }
    {
      guint32 word = ((guint32) d[0] << 18) | ((guint32) d[1] << 12) | ((guint32) d[2] << 6)
                     | (guint32) d[3];
      guint8 bytes[3] = { (guint8) (word >> 16), (guint8) (word >> 8), (guint8) word };
      /* Non-canonical encodings (bits set in the padding) are refused. */
      if ((pad == 1 && (d[2] & 0x3)) || (pad == 2 && (d[1] & 0xf))) {
        g_byte_array_unref (out);
        return NULL;
      }
      g_byte_array_append (out, bytes, 3 - pad);
    }
  }
  return g_byte_array_free_to_bytes (out);
}

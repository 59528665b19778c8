/* Interop helper for hds-message.test.js: decodes bytes with hap/hds-message.c, prints the
 * decoded value as typed JSON and re-encodes it with our encoder.
 *
 * One command per stdin line, one answer per stdout line:
 *   value HEX  -> ok JSON HEX   (bare value; HEX = our re-encoding)
 *   msg HEX    -> ok JSON HEX   (HDS payload; JSON = {"header":..,"message":..,"parsed":..},
 *                                HEX = payload rebuilt from the parsed header + message)
 *   quit
 * or "error CODE MESSAGE" when our decoder rejects the bytes.
 *
 * Typed JSON: null, true/false, strings as JSON strings, {"int":"DECIMAL"}, {"f32":N},
 * {"f64":N}, {"date":N}, {"uuid":"HEX"}, {"data":"HEX"}, arrays, {"dict":{KEY:VALUE...}}.
 */
#include <stdio.h>
#include <string.h>

#include "hap/hds-message.h"
#include "tests/common/test-util.h"

static void
append_json_string (GString *out, const gchar *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf (out, "\\%c", *p);
    else if (*p < 0x20)
      g_string_append_printf (out, "\\u%04x", *p);
    else
      g_string_append_c (out, (gchar) *p);
  }
  g_string_append_c (out, '"');
}

static void
append_json (GString *out, const HapHdsValue *v)
{
  gsize len;
  const guint8 *d;

  switch (hap_hds_value_get_type (v)) {
    case HAP_HDS_TYPE_NULL:
      g_string_append (out, "null");
      break;
    case HAP_HDS_TYPE_BOOL:
      g_string_append (out, hap_hds_value_get_bool (v) ? "true" : "false");
      break;
    case HAP_HDS_TYPE_INT:
      g_string_append_printf (out, "{\"int\":\"%" G_GINT64_FORMAT "\"}", hap_hds_value_get_int (v));
      break;
    case HAP_HDS_TYPE_FLOAT32:
      g_string_append_printf (out, "{\"f32\":%.17g}", hap_hds_value_get_double (v));
      break;
    case HAP_HDS_TYPE_FLOAT64:
      g_string_append_printf (out, "{\"f64\":%.17g}", hap_hds_value_get_double (v));
      break;
    case HAP_HDS_TYPE_DATE:
      g_string_append_printf (out, "{\"date\":%.17g}", hap_hds_value_get_double (v));
      break;
    case HAP_HDS_TYPE_UUID:
      g_string_append (out, "{\"uuid\":\"");
      hap_test_append_hex (out, hap_hds_value_get_uuid (v), 16);
      g_string_append (out, "\"}");
      break;
    case HAP_HDS_TYPE_STRING:
      append_json_string (out, hap_hds_value_get_string (v, NULL));
      break;
    case HAP_HDS_TYPE_DATA:
      d = g_bytes_get_data (hap_hds_value_get_data (v), &len);
      g_string_append (out, "{\"data\":\"");
      hap_test_append_hex (out, d, len);
      g_string_append (out, "\"}");
      break;
    case HAP_HDS_TYPE_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < hap_hds_value_get_length (v); i++) {
        if (i)
          g_string_append_c (out, ',');
        append_json (out, hap_hds_value_array_get (v, i));
      }
      g_string_append_c (out, ']');
      break;
    case HAP_HDS_TYPE_DICT:
      g_string_append (out, "{\"dict\":{");
      for (guint i = 0; i < hap_hds_value_get_length (v); i++) {
        const gchar *key;
        HapHdsValue *value = hap_hds_value_dict_get_entry (v, i, &key);

        if (i)
          g_string_append_c (out, ',');
        append_json_string (out, key);
        g_string_append_c (out, ':');
        append_json (out, value);
      }
      g_string_append (out, "}}");
      break;
  }
}

static void
answer_error (GError *error)
{
  printf ("error %d %s\n", error->code, error->message);
}

static void
answer_ok (GString *json, GBytes *encoded)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (encoded, &len);

  g_string_append_c (json, ' ');
  hap_test_append_hex (json, d, len);
  printf ("ok %s\n", json->str);
}

static void
do_value (GBytes *in)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HapHdsValue) v = hap_hds_value_decode_bytes (in, &error);
  g_autoptr (GString) json = g_string_new (NULL);
  g_autoptr (GBytes) enc = NULL;

  if (!v) {
    answer_error (error);
    return;
  }
  append_json (json, v);
  enc = hap_hds_value_encode (v);
  answer_ok (json, enc);
}

static const gchar *const kinds[] = { "event", "request", "response" };

static void
do_msg (GBytes *in)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HapHdsValue) header = NULL;
  g_autoptr (HapHdsValue) message = NULL;
  g_autoptr (HapHdsValue) rebuilt = NULL;
  g_autoptr (GString) json = g_string_new ("{\"header\":");
  g_autoptr (GBytes) enc = NULL;
  HapHdsHeader h;

  if (!hap_hds_message_decode (in, &header, &message, &error)) {
    answer_error (error);
    return;
  }
  if (!hap_hds_header_parse (header, &h, &error)) {
    hap_hds_header_clear (&h);
    answer_error (error);
    return;
  }
  append_json (json, header);
  g_string_append (json, ",\"message\":");
  append_json (json, message);
  g_string_append_printf (json,
      ",\"parsed\":{\"kind\":\"%s\",\"protocol\":\"%s\",\"topic\":\"%s\",\"id\":\"%" G_GINT64_FORMAT
      "\",\"status\":\"%" G_GINT64_FORMAT "\"}}",
      kinds[h.kind], h.protocol, h.topic, h.id, h.status);
  rebuilt = hap_hds_header_build (h.kind, h.protocol, h.topic, h.id, h.status);
  hap_hds_header_clear (&h);
  enc = hap_hds_message_encode (rebuilt, message, &error);
  if (!enc) {
    answer_error (error);
    return;
  }
  answer_ok (json, enc);
}

int
main (int argc, char **argv)
{
  GIOChannel *in = g_io_channel_unix_new (0);
  gchar *line = NULL;
  gsize len;

  g_io_channel_set_encoding (in, NULL, NULL);
  while (g_io_channel_read_line (in, &line, &len, NULL, NULL) == G_IO_STATUS_NORMAL) {
    gchar *sp;
    g_autoptr (GBytes) bytes = NULL;

    g_strchomp (line);
    sp = strchr (line, ' ');
    if (g_str_equal (line, "quit")) {
      g_free (line);
      break;
    }
    if (!sp || !(bytes = hap_test_hex_parse (sp + 1))) {
      printf ("error -1 bad command\n");
    } else {
      *sp = 0;
      if (g_str_equal (line, "value"))
        do_value (bytes);
      else if (g_str_equal (line, "msg"))
        do_msg (bytes);
      else
        printf ("error -1 unknown command\n");
    }
    fflush (stdout);
    g_free (line);
  }
  g_io_channel_unref (in);
  return 0;
}

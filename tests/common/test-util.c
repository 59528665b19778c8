/* Helpers shared by the tests: see test-util.h. */
#include <stdio.h>
#include <string.h>

#include "tests/common/test-util.h"

/* Bytes shown before and after the first difference in a failure message. */
#define CONTEXT_BEFORE 8
#define CONTEXT_AFTER 16

/* Decodes `s` into `out`. With `notation`, whitespace is skipped and 'text' gives its ASCII
 * bytes; without it only hex digits are allowed. Returns FALSE and sets `bad_at` to the offset of
 * the offending character (strlen (s) for an odd digit count or an unterminated quote). */
static gboolean
decode (const gchar *s, gboolean notation, GByteArray *out, gsize *bad_at)
{
  const gchar *p = s;
  gint hi = -1;

  while (*p) {
    gint d;

    if (notation && g_ascii_isspace (*p)) {
      p++;
      continue;
    }
    if (notation && *p == '\'' && hi < 0) {
      const gchar *end = strchr (p + 1, '\'');

      if (end == NULL) {
        *bad_at = strlen (s);
        return FALSE;
      }
      g_byte_array_append (out, (const guint8 *) p + 1, (guint) (end - p - 1));
      p = end + 1;
      continue;
    }
    d = g_ascii_xdigit_value (*p);
    if (d < 0) {
      *bad_at = (gsize) (p - s);
      return FALSE;
    }
    if (hi < 0) {
      hi = d;
    } else {
      guint8 b = (guint8) (hi << 4 | d);

      g_byte_array_append (out, &b, 1);
      hi = -1;
    }
    p++;
  }
  if (hi >= 0) {
    *bad_at = (gsize) (p - s);
    return FALSE;
  }
  return TRUE;
}

static GByteArray *
decode_or_fail (const gchar *notation)
{
  GByteArray *out;
  gsize bad_at = 0;

  g_assert_nonnull (notation);
  /* Sized so that the data pointer is never NULL, also for an empty vector. */
  out = g_byte_array_sized_new ((guint) (strlen (notation) / 2 + 1));
  if (!decode (notation, TRUE, out, &bad_at)) {
    g_autofree gchar *msg = g_strdup_printf (
        "malformed test vector at offset %" G_GSIZE_FORMAT ": \"%s\"", bad_at, notation);

    g_byte_array_unref (out);
    g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
    return g_byte_array_sized_new (1);
  }
  return out;
}

GBytes *
hap_test_hex (const gchar *notation)
{
  return g_byte_array_free_to_bytes (decode_or_fail (notation));
}

guint8 *
hap_test_unhex (const gchar *notation, gsize *len)
{
  GByteArray *out = decode_or_fail (notation);

  *len = out->len;
  return g_byte_array_free (out, FALSE);
}

GBytes *
hap_test_hex_parse (const gchar *hex)
{
  GByteArray *out;
  gsize bad_at;

  g_return_val_if_fail (hex != NULL, NULL);
  out = g_byte_array_sized_new ((guint) (strlen (hex) / 2 + 1));
  if (!decode (hex, FALSE, out, &bad_at)) {
    g_byte_array_unref (out);
    return NULL;
  }
  return g_byte_array_free_to_bytes (out);
}

void
hap_test_append_hex (GString *out, const guint8 *data, gsize len)
{
  static const gchar digits[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++) {
    g_string_append_c (out, digits[data[i] >> 4]);
    g_string_append_c (out, digits[data[i] & 15]);
  }
}

gchar *
hap_test_to_hex (const guint8 *data, gsize len)
{
  GString *out = g_string_sized_new (2 * len + 1);

  hap_test_append_hex (out, data, len);
  return g_string_free (out, FALSE);
}

GBytes *
hap_test_b64 (const gchar *b64)
{
  gsize len;
  guchar *data = g_base64_decode (b64, &len);

  return g_bytes_new_take (data, len);
}

/* "  NAME [FROM..]: xx xx xx ..." for data[from..to), marking cut ends with "..". */
static void
append_window (GString *msg, const gchar *name, const guint8 *data, gsize len, gsize from)
{
  gsize to = MIN (len, from + CONTEXT_BEFORE + CONTEXT_AFTER);

  g_string_append_printf (msg, "\n  %s [%" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT "):%s", name, from,
      to, from > 0 ? " .." : "");
  for (gsize i = from; i < to; i++)
    g_string_append_printf (msg, " %02x", data[i]);
  if (to < len)
    g_string_append (msg, " ..");
}

void
hap_test_assert_mem_equal_impl (const gchar *domain, const gchar *file, gint line,
    const gchar *func, const gchar *got_expr, gconstpointer got, gsize got_len,
    const gchar *want_expr, gconstpointer want, gsize want_len)
{
  const guint8 *g = got, *w = want;
  gsize common = MIN (got_len, want_len), at = 0, from;
  GString *msg;

  if (got_len != 0 && got == NULL) {
    g_autofree gchar *m = g_strdup_printf (
        "assertion failed (%s != NULL): NULL with length %" G_GSIZE_FORMAT, got_expr, got_len);

    g_assertion_message (domain, file, line, func, m);
    return;
  }
  if (want_len != 0 && want == NULL) {
    g_autofree gchar *m = g_strdup_printf (
        "assertion failed (%s != NULL): NULL with length %" G_GSIZE_FORMAT, want_expr, want_len);

    g_assertion_message (domain, file, line, func, m);
    return;
  }
  while (at < common && g[at] == w[at])
    at++;
  if (at == common && got_len == want_len)
    return;

  msg = g_string_new (NULL);
  g_string_append_printf (msg, "assertion failed (%s == %s): ", got_expr, want_expr);
  if (at < common)
    g_string_append_printf (msg,
        "first difference at offset %" G_GSIZE_FORMAT
        " (0x%02x != 0x%02x), lengths %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT,
        at, g[at], w[at], got_len, want_len);
  else
    g_string_append_printf (msg,
        "lengths differ (%" G_GSIZE_FORMAT " != %" G_GSIZE_FORMAT
        "), equal up to offset %" G_GSIZE_FORMAT,
        got_len, want_len, at);
  from = at > CONTEXT_BEFORE ? at - CONTEXT_BEFORE : 0;
  append_window (msg, "got ", g, got_len, from);
  append_window (msg, "want", w, want_len, from);
  g_assertion_message (domain, file, line, func, msg->str);
  g_string_free (msg, TRUE);
}

void
hap_test_assert_bytes_equal_impl (const gchar *domain, const gchar *file, gint line,
    const gchar *func, const gchar *got_expr, GBytes *got, const gchar *want_expr, GBytes *want)
{
  gsize got_len, want_len;
  gconstpointer g, w;

  if (got == NULL || want == NULL) {
    g_autofree gchar *m
        = g_strdup_printf ("assertion failed (%s != NULL)", got == NULL ? got_expr : want_expr);

    g_assertion_message (domain, file, line, func, m);
    return;
  }
  g = g_bytes_get_data (got, &got_len);
  w = g_bytes_get_data (want, &want_len);
  hap_test_assert_mem_equal_impl (
      domain, file, line, func, got_expr, g, got_len, want_expr, w, want_len);
}

void
hap_test_assert_hex_equal_impl (const gchar *domain, const gchar *file, gint line,
    const gchar *func, const gchar *got_expr, gconstpointer got, gsize got_len,
    const gchar *want_expr, const gchar *want_notation)
{
  gsize want_len;
  g_autofree guint8 *want = hap_test_unhex (want_notation, &want_len);

  hap_test_assert_mem_equal_impl (
      domain, file, line, func, got_expr, got, got_len, want_expr, want, want_len);
}

void
hap_test_say (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

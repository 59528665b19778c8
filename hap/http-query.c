/* libhap: HTTP/1.1 codec for HAP over IP, query strings. See http.h. */
#include "hap/http-private.h"

#include <string.h>

/* ---- query strings ---- */

static void
query_param_free (gpointer data)
{
  HapHttpQueryParam *qp = data;

  g_free (qp->key);
  g_free (qp->value);
  g_free (qp);
}

/* Percent-decodes s[0..len) into a new string, or NULL on a bad escape or a NUL. */
static gchar *
percent_decode (const gchar *s, gsize len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++) {
    guint8 c = (guint8) s[i];

    if (c == '%') {
      if (i + 2 >= len || !g_ascii_isxdigit (s[i + 1]) || !g_ascii_isxdigit (s[i + 2]))
        goto bad;
      c = (guint8) (g_ascii_xdigit_value (s[i + 1]) << 4 | g_ascii_xdigit_value (s[i + 2]));
      i += 2;
    }
    if (c == 0)
      goto bad;
    g_string_append_c (out, (gchar) c);
  }
  return g_string_free (out, FALSE);

bad:
  g_string_free (out, TRUE);
  return NULL;
}

GPtrArray *
hap_http_query_parse (const gchar *query, gssize len, GError **error)
{
  GPtrArray *params;
  gsize n, start = 0;

  g_return_val_if_fail (query != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = len < 0 ? strlen (query) : (gsize) len;
  params = g_ptr_array_new_with_free_func (query_param_free);
  if (n && memchr (query, '\0', n)) {
    g_set_error_literal (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "NUL in query string");
    goto bad;
  }
  while (start <= n && n > 0) {
    const gchar *seg = query + start;
    const gchar *amp = memchr (seg, '&', n - start);
    gsize seg_len = amp ? (gsize) (amp - seg) : n - start;

    if (seg_len > 0) {
      const gchar *eq = memchr (seg, '=', seg_len);
      gsize key_len = eq ? (gsize) (eq - seg) : seg_len;
      HapHttpQueryParam *qp = g_new0 (HapHttpQueryParam, 1);

      g_ptr_array_add (params, qp);
      qp->key = percent_decode (seg, key_len);
      qp->value = eq ? percent_decode (eq + 1, seg_len - key_len - 1) : g_strdup ("");
      if (!qp->key || !qp->value) {
        g_set_error_literal (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
            "bad percent-escape in query string");
        goto bad;
      }
    }
    start += seg_len + 1;
  }
  return params;

bad:
  g_debug ("http: rejecting query string");
  g_ptr_array_unref (params);
  return NULL;
}

const gchar *
hap_http_query_lookup (const GPtrArray *params, const gchar *key)
{
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < params->len; i++) {
    const HapHttpQueryParam *qp = g_ptr_array_index ((GPtrArray *) params, i);

    if (strcmp (qp->key, key) == 0)
      return qp->value;
  }
  return NULL;
}

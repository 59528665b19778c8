/* libhap: HTTP/1.1 codec for HAP over IP, query strings. See http.h. */
#include "hap/http-private.h"

#include <string.h>

/* ---- query strings ---- */

/* Percent-decodes s[0..len) into `dest` (room for len + 1 bytes) with a NUL; FALSE on a bad
 * escape or a NUL. */
static gboolean
percent_decode (const gchar *s, gsize len, gchar *dest)
{
  for (gsize i = 0; i < len; i++) {
    guint8 c = (guint8) s[i];

    if (c == '%') {
      if (i + 2 >= len || !g_ascii_isxdigit (s[i + 1]) || !g_ascii_isxdigit (s[i + 2]))
        return FALSE;
      c = (guint8) (g_ascii_xdigit_value (s[i + 1]) << 4 | g_ascii_xdigit_value (s[i + 2]));
      i += 2;
    }
    if (c == 0)
      return FALSE;
    *dest++ = (gchar) c;
  }
  *dest = '\0';
  return TRUE;
}

GPtrArray *
hap_http_query_parse (const gchar *query, gssize len, GError **error)
{
  GPtrArray *params;
  gsize n, start = 0;

  g_return_val_if_fail (query != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = len < 0 ? strlen (query) : (gsize) len;
  /* A pair is one block: the struct, then its key and value (decoding never lengthens). */
  params = g_ptr_array_new_with_free_func (g_free);
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
      HapHttpQueryParam *qp = g_malloc (sizeof (HapHttpQueryParam) + seg_len + 2);

      g_ptr_array_add (params, qp);
      qp->key = (gchar *) (qp + 1);
      qp->value = qp->key + key_len + 1;
      if (!percent_decode (seg, key_len, qp->key)
          || !percent_decode (eq ? eq + 1 : "", eq ? seg_len - key_len - 1 : 0, qp->value)) {
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

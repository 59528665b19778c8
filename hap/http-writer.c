/* libhap: HTTP/1.1 codec for HAP over IP, writers. See http.h. */
#include "hap/http-private.h"

#include <string.h>

/* ---- writers ---- */

const gchar *
hap_http_reason_phrase (guint status)
{
  /* RFC 9110 section 15, RFC 6585 (429, 431), RFC 4918 (207), HAP (470). */
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 207:
      return "Multi-Status";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 470:
      return "Connection Authorization Required";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

static gboolean
headers_valid (const gchar *const *headers)
{
  if (!headers)
    return TRUE;
  for (gsize i = 0; headers[i]; i += 2) {
    const gchar *name = headers[i], *value = headers[i + 1];

    if (!value || !is_token ((const guint8 *) name, strlen (name))
        || !is_text ((const guint8 *) value, strlen (value))
        || g_ascii_strcasecmp (name, "Content-Length") == 0
        || g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
      return FALSE;
  }
  return TRUE;
}

static void
append_str (GByteArray *out, const gchar *s)
{
  g_byte_array_append (out, (const guint8 *) s, (guint) strlen (s));
}

/* Decimal digits without printf: every response has a number or two. */
static void
append_uint (GByteArray *out, guint64 v)
{
  guint8 digits[20];
  guint n = 0;

  do {
    digits[sizeof digits - ++n] = (guint8) ('0' + v % 10);
    v /= 10;
  } while (v > 0);
  g_byte_array_append (out, digits + sizeof digits - n, n);
}

/* Headers, optional Content-Length, the empty line and the body. */
static void
append_rest (GByteArray *out, const gchar *const *headers, gboolean content_length,
    const guint8 *body, gsize body_len)
{
  for (gsize i = 0; headers && headers[i]; i += 2) {
    append_str (out, headers[i]);
    append_str (out, ": ");
    append_str (out, headers[i + 1]);
    append_str (out, "\r\n");
  }
  if (content_length) {
    append_str (out, "Content-Length: ");
    append_uint (out, body_len);
    append_str (out, "\r\n");
  }
  append_str (out, "\r\n");
  if (body_len)
    g_byte_array_append (out, body, (guint) body_len);
}

gboolean
hap_http_write_response (GByteArray *out, guint status, const gchar *reason,
    const gchar *const *headers, const guint8 *body, gsize body_len)
{
  gboolean no_length = status < 200 || status == 204;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (status >= 100 && status <= 599, FALSE);
  g_return_val_if_fail (
      reason == NULL || is_text ((const guint8 *) reason, strlen (reason)), FALSE);
  g_return_val_if_fail (headers_valid (headers), FALSE);
  g_return_val_if_fail (body != NULL || body_len == 0, FALSE);
  g_return_val_if_fail (!no_length || body_len == 0, FALSE);
  g_return_val_if_fail (body_len < G_MAXUINT - out->len, FALSE);

  append_str (out, "HTTP/1.1 ");
  append_uint (out, status);
  append_str (out, " ");
  append_str (out, reason ? reason : hap_http_reason_phrase (status));
  append_str (out, "\r\n");
  append_rest (out, headers, !no_length, body, body_len);
  return TRUE;
}

gboolean
hap_http_write_event (GByteArray *out, const guint8 *json, gsize json_len)
{
  static const gchar *const headers[] = { "Content-Type", "application/hap+json", NULL };

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (json != NULL || json_len == 0, FALSE);
  g_return_val_if_fail (json_len < G_MAXUINT - out->len, FALSE);

  append_str (out, "EVENT/1.0 200 OK\r\n");
  append_rest (out, headers, TRUE, json, json_len);
  return TRUE;
}

gboolean
hap_http_write_request (GByteArray *out, const gchar *method, const gchar *target,
    const gchar *const *headers, const guint8 *body, gsize body_len)
{
  gboolean content_length;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (
      method != NULL && is_token ((const guint8 *) method, strlen (method)), FALSE);
  g_return_val_if_fail (
      target != NULL && is_origin_form ((const guint8 *) target, strlen (target)), FALSE);
  g_return_val_if_fail (headers_valid (headers), FALSE);
  g_return_val_if_fail (body != NULL || body_len == 0, FALSE);
  g_return_val_if_fail (body_len < G_MAXUINT - out->len, FALSE);

  content_length = body_len > 0 || (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0);
  append_str (out, method);
  append_str (out, " ");
  append_str (out, target);
  append_str (out, " HTTP/1.1\r\n");
  append_rest (out, headers, content_length, body, body_len);
  return TRUE;
}

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

/* The writers size the message first and grow `out` once: a response is a dozen short pieces,
 * and appending each to a GByteArray costs more than writing it. */
typedef struct {
  guint8 *p;
} Cursor;

static void
put (Cursor *c, const void *s, gsize len)
{
  memcpy (c->p, s, len);
  c->p += len;
}

static void
put_str (Cursor *c, const gchar *s)
{
  put (c, s, strlen (s));
}

/* Decimal digits without printf; returns how many (at most 20). */
static guint
format_uint (guint64 v, gchar digits[20])
{
  gchar tmp[20];
  guint n = 0;

  do {
    tmp[sizeof tmp - ++n] = (gchar) ('0' + v % 10);
    v /= 10;
  } while (v > 0);
  memcpy (digits, tmp + sizeof tmp - n, n);
  return n;
}

/* Bytes of the headers, the optional Content-Length, the empty line and the body. */
static gsize
rest_size (const gchar *const *headers, gboolean content_length, gsize body_len, guint n_digits)
{
  gsize size = 2 + body_len;

  for (gsize i = 0; headers && headers[i]; i += 2)
    size += strlen (headers[i]) + 2 + strlen (headers[i + 1]) + 2;
  if (content_length)
    size += strlen ("Content-Length: ") + n_digits + 2;
  return size;
}

static void
put_rest (Cursor *c, const gchar *const *headers, gboolean content_length, const gchar *digits,
    guint n_digits, const guint8 *body, gsize body_len)
{
  for (gsize i = 0; headers && headers[i]; i += 2) {
    put_str (c, headers[i]);
    put (c, ": ", 2);
    put_str (c, headers[i + 1]);
    put (c, "\r\n", 2);
  }
  if (content_length) {
    put_str (c, "Content-Length: ");
    put (c, digits, n_digits);
    put (c, "\r\n", 2);
  }
  put (c, "\r\n", 2);
  if (body_len)
    put (c, body, body_len);
}

/* Grows `out` by `size` bytes; the cursor points at the first new one. */
static Cursor
grow (GByteArray *out, gsize size)
{
  guint old = out->len;

  g_byte_array_set_size (out, old + (guint) size);
  return (Cursor){ out->data + old };
}

gboolean
hap_http_write_response (GByteArray *out, guint status, const gchar *reason,
    const gchar *const *headers, const guint8 *body, gsize body_len)
{
  gboolean no_length = status < 200 || status == 204;
  gchar code[20], length[20];
  guint n_code, n_length;
  const gchar *phrase;
  gsize size;
  Cursor c;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (status >= 100 && status <= 599, FALSE);
  g_return_val_if_fail (
      reason == NULL || is_text ((const guint8 *) reason, strlen (reason)), FALSE);
  g_return_val_if_fail (headers_valid (headers), FALSE);
  g_return_val_if_fail (body != NULL || body_len == 0, FALSE);
  g_return_val_if_fail (!no_length || body_len == 0, FALSE);
  g_return_val_if_fail (body_len < G_MAXUINT - out->len, FALSE);

  phrase = reason ? reason : hap_http_reason_phrase (status);
  n_code = format_uint (status, code);
  n_length = format_uint (body_len, length);
  size = strlen ("HTTP/1.1 ") + n_code + 1 + strlen (phrase) + 2
         + rest_size (headers, !no_length, body_len, n_length);
  g_return_val_if_fail (size < G_MAXUINT - out->len, FALSE);
  c = grow (out, size);
  put_str (&c, "HTTP/1.1 ");
  put (&c, code, n_code);
  put (&c, " ", 1);
  put_str (&c, phrase);
  put (&c, "\r\n", 2);
  put_rest (&c, headers, !no_length, length, n_length, body, body_len);
  return TRUE;
}

gboolean
hap_http_write_event (GByteArray *out, const guint8 *json, gsize json_len)
{
  static const gchar *const headers[] = { "Content-Type", "application/hap+json", NULL };
  gchar length[20];
  guint n_length;
  gsize size;
  Cursor c;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (json != NULL || json_len == 0, FALSE);
  g_return_val_if_fail (json_len < G_MAXUINT - out->len, FALSE);

  n_length = format_uint (json_len, length);
  size = strlen ("EVENT/1.0 200 OK\r\n") + rest_size (headers, TRUE, json_len, n_length);
  g_return_val_if_fail (size < G_MAXUINT - out->len, FALSE);
  c = grow (out, size);
  put_str (&c, "EVENT/1.0 200 OK\r\n");
  put_rest (&c, headers, TRUE, length, n_length, json, json_len);
  return TRUE;
}

gboolean
hap_http_write_request (GByteArray *out, const gchar *method, const gchar *target,
    const gchar *const *headers, const guint8 *body, gsize body_len)
{
  gboolean content_length;
  gchar length[20];
  guint n_length;
  gsize size;
  Cursor c;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (
      method != NULL && is_token ((const guint8 *) method, strlen (method)), FALSE);
  g_return_val_if_fail (
      target != NULL && is_origin_form ((const guint8 *) target, strlen (target)), FALSE);
  g_return_val_if_fail (headers_valid (headers), FALSE);
  g_return_val_if_fail (body != NULL || body_len == 0, FALSE);
  g_return_val_if_fail (body_len < G_MAXUINT - out->len, FALSE);

  content_length = body_len > 0 || (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0);
  n_length = format_uint (body_len, length);
  size = strlen (method) + 1 + strlen (target) + strlen (" HTTP/1.1\r\n")
         + rest_size (headers, content_length, body_len, n_length);
  g_return_val_if_fail (size < G_MAXUINT - out->len, FALSE);
  c = grow (out, size);
  put_str (&c, method);
  put (&c, " ", 1);
  put_str (&c, target);
  put_str (&c, " HTTP/1.1\r\n");
  put_rest (&c, headers, content_length, length, n_length, body, body_len);
  return TRUE;
}

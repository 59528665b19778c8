/* libFuzzer target for hap/http.c.
 *
 * The input goes to a request parser and to a response parser three times: in one piece,
 * split in two at an input-derived point, and in input-derived small slices. All three must
 * give the same messages, message ends and final result (the parser must not depend on how
 * the bytes arrive). Every parsed message is also written back with the writers and parsed
 * again, which must give the same message, and every request's query goes through the query
 * splitter. The first byte picks the default or tiny limits, so that limit paths are reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hap/http.h"
#include "tests/fuzz/fuzz-target.h"

static void
put_u64 (GByteArray *out, guint64 v)
{
  g_byte_array_append (out, (const guint8 *) &v, sizeof v);
}

static void
put_str (GByteArray *out, const gchar *s)
{
  if (!s) {
    put_u64 (out, G_MAXUINT64);
    return;
  }
  put_u64 (out, strlen (s));
  g_byte_array_append (out, (const guint8 *) s, (guint) strlen (s));
}

static void
put_headers (GByteArray *out, GPtrArray *headers)
{
  put_u64 (out, headers->len);
  for (guint i = 0; i < headers->len; i++) {
    HapHttpHeader *h = g_ptr_array_index (headers, i);

    put_str (out, h->name);
    put_str (out, h->value);
  }
}

static void
put_body (GByteArray *out, GBytes *body)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (body, &len);

  put_u64 (out, len);
  if (len)
    g_byte_array_append (out, d, (guint) len);
}

static void
put_request (GByteArray *out, const HapHttpRequest *r)
{
  put_str (out, r->method);
  put_str (out, r->target);
  put_str (out, r->path);
  put_str (out, r->query);
  put_u64 (out, (guint64) r->content_length);
  put_headers (out, r->headers);
  put_body (out, r->body);
}

static void
put_response (GByteArray *out, const HapHttpResponse *r)
{
  put_u64 (out, r->is_event);
  put_u64 (out, r->status);
  put_str (out, r->reason);
  put_u64 (out, (guint64) r->content_length);
  put_u64 (out, r->chunked);
  put_headers (out, r->headers);
  put_body (out, r->body);
}

/* Headers without the framing ones, as a NULL-terminated name/value list for the writers. */
static GPtrArray *
writer_headers (GPtrArray *headers)
{
  GPtrArray *list = g_ptr_array_new ();

  for (guint i = 0; i < headers->len; i++) {
    HapHttpHeader *h = g_ptr_array_index (headers, i);

    if (g_ascii_strcasecmp (h->name, "Content-Length") == 0
        || g_ascii_strcasecmp (h->name, "Transfer-Encoding") == 0)
      continue;
    g_ptr_array_add (list, h->name);
    g_ptr_array_add (list, h->value);
  }
  g_ptr_array_add (list, NULL);
  return list;
}

static gboolean
same_headers (GPtrArray *list, GPtrArray *headers)
{
  guint j = 0;

  for (guint i = 0; i < headers->len; i++) {
    HapHttpHeader *h = g_ptr_array_index (headers, i);

    if (g_ascii_strcasecmp (h->name, "Content-Length") == 0)
      continue;
    if (!g_ptr_array_index (list, j) || strcmp (g_ptr_array_index (list, j), h->name) != 0
        || strcmp (g_ptr_array_index (list, j + 1), h->value) != 0)
      return FALSE;
    j += 2;
  }
  return g_ptr_array_index (list, j) == NULL;
}

static void
roundtrip_request (const HapHttpRequest *r, const HapHttpLimits *limits)
{
  HapHttpLimits big = *limits;
  GPtrArray *list = writer_headers (r->headers);
  GByteArray *out = g_byte_array_new ();
  HapHttpParser *p;
  HapHttpRequest *again = NULL;
  gsize body_len, consumed;
  const guint8 *body = g_bytes_get_data (r->body, &body_len);
  GPtrArray *params;

  big.max_header_bytes = G_MAXSIZE / 2;
  big.max_headers = G_MAXUINT;
  if (!hap_http_write_request (
          out, r->method, r->target, (const gchar *const *) list->pdata, body, body_len))
    abort ();
  p = hap_http_parser_new_request (&big);
  if (hap_http_parser_feed_request (p, out->data, out->len, &consumed, &again, NULL) != HAP_PARSE_OK
      || consumed != out->len || strcmp (again->method, r->method) != 0
      || strcmp (again->target, r->target) != 0 || !g_bytes_equal (again->body, r->body)
      || !same_headers (list, again->headers))
    abort ();
  hap_http_request_free (again);
  hap_http_parser_free (p);
  g_byte_array_unref (out);
  g_ptr_array_unref (list);

  if (r->query) {
    params = hap_http_query_parse (r->query, -1, NULL);
    if (params) {
      for (guint i = 0; i < params->len; i++) {
        HapHttpQueryParam *qp = g_ptr_array_index (params, i);

        if (!hap_http_query_lookup (params, qp->key))
          abort ();
      }
      g_ptr_array_unref (params);
    }
  }
}

static void
roundtrip_response (const HapHttpResponse *r, const HapHttpLimits *limits)
{
  HapHttpLimits big = *limits;
  GPtrArray *list;
  GByteArray *out;
  HapHttpParser *p;
  HapHttpResponse *again = NULL;
  gsize body_len, consumed;
  const guint8 *body = g_bytes_get_data (r->body, &body_len);

  if (r->is_event)
    return;
  big.max_start_line = limits->max_start_line + 1; /* "HTTP/1.1 200" gains a SP */
  big.max_header_bytes = G_MAXSIZE / 2;
  big.max_headers = G_MAXUINT;
  list = writer_headers (r->headers);
  out = g_byte_array_new ();
  if (!hap_http_write_response (
          out, r->status, r->reason, (const gchar *const *) list->pdata, body, body_len))
    abort ();
  p = hap_http_parser_new_response (&big);
  if (hap_http_parser_feed_response (p, out->data, out->len, &consumed, &again, NULL)
          != HAP_PARSE_OK
      || consumed != out->len || again->status != r->status
      || strcmp (again->reason, r->reason) != 0 || !g_bytes_equal (again->body, r->body))
    abort ();
  hap_http_response_free (again);
  hap_http_parser_free (p);
  g_byte_array_unref (out);
  g_ptr_array_unref (list);
}

/* Feeds data in slices: the first ends at `split` (when > 0), the others are `step` bytes long
 * (0: the rest). Returns a serialization of everything the parser reported. */
static GByteArray *
run (gboolean request, const HapHttpLimits *limits, const guint8 *data, gsize size, gsize split,
    gsize step, gboolean check_roundtrip)
{
  GByteArray *out = g_byte_array_new ();
  HapHttpParser *p
      = request ? hap_http_parser_new_request (limits) : hap_http_parser_new_response (limits);
  gsize pos = 0;
  HapParseResult r = HAP_PARSE_NEED_MORE;
  GError *error = NULL;

  while (pos < size && r != HAP_PARSE_INVALID) {
    gsize end = split > pos ? split : (step ? MIN (pos + step, size) : size);

    while (pos < end) {
      gsize consumed = 0;

      if (request) {
        HapHttpRequest *req = NULL;

        r = hap_http_parser_feed_request (p, data + pos, end - pos, &consumed, &req, &error);
        if (req) {
          put_request (out, req);
          if (check_roundtrip)
            roundtrip_request (req, limits);
          hap_http_request_free (req);
        }
      } else {
        HapHttpResponse *resp = NULL;

        r = hap_http_parser_feed_response (p, data + pos, end - pos, &consumed, &resp, &error);
        if (resp) {
          put_response (out, resp);
          if (check_roundtrip)
            roundtrip_response (resp, limits);
          hap_http_response_free (resp);
        }
      }
      if (consumed > end - pos || (r == HAP_PARSE_NEED_MORE && consumed != end - pos))
        abort ();
      pos += consumed;
      put_u64 (out, pos);
      if (r == HAP_PARSE_INVALID)
        break;
      if (r == HAP_PARSE_OK)
        put_u64 (out, G_MAXUINT64); /* message end marker, independent of slicing */
      else
        out->len -= sizeof (guint64); /* NEED_MORE positions depend on slicing */
    }
  }
  if (r == HAP_PARSE_INVALID) {
    /* The error position depends on slicing; the error does not. */
    out->len -= sizeof (guint64);
    if (!error || error->domain != HAP_HTTP_ERROR)
      abort ();
    put_u64 (out, 1000 + (guint64) error->code);
    put_u64 (out, hap_http_error_to_status (error));
    g_clear_error (&error);
  } else {
    put_u64 (out, hap_http_parser_is_idle (p));
    if (!request) {
      HapHttpResponse *resp = NULL;

      r = hap_http_parser_finish_response (p, &resp, &error);
      put_u64 (out, r);
      if (resp) {
        put_response (out, resp);
        hap_http_response_free (resp);
      }
      if (error)
        put_u64 (out, 1000 + (guint64) error->code);
      g_clear_error (&error);
    }
  }
  hap_http_parser_free (p);
  return out;
}

static void
check (gboolean request, const HapHttpLimits *limits, const guint8 *data, gsize size, gsize split,
    gsize step)
{
  GByteArray *whole = run (request, limits, data, size, 0, 0, TRUE);
  GByteArray *two = run (request, limits, data, size, split, 0, FALSE);
  GByteArray *small = run (request, limits, data, size, 0, step, FALSE);

  if (whole->len != two->len || memcmp (whole->data, two->data, whole->len) != 0)
    abort ();
  if (whole->len != small->len || memcmp (whole->data, small->data, whole->len) != 0)
    abort ();
  g_byte_array_unref (whole);
  g_byte_array_unref (two);
  g_byte_array_unref (small);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  HapHttpLimits limits;
  gsize split, step;

  if (size > 256 * 1024)
    return 0;
  hap_http_limits_init_default (&limits);
  if (size > 0 && (data[0] & 0x80)) {
    limits.max_start_line = 32;
    limits.max_header_bytes = 64;
    limits.max_headers = 4;
    limits.max_body = 16;
  }
  split = size > 2 ? ((gsize) data[1] << 8 | data[2]) % size : 0;
  step = size > 3 ? 1 + data[3] % 13 : 1;

  check (TRUE, &limits, data, size, split, step);
  check (FALSE, &limits, data, size, split, step);
  return 0;
}

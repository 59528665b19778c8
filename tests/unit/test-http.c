/* Unit tests for hap/http.c (HTTP/1.1 codec for HAP).
 *
 * Expected values come from the inputs themselves and from the standards they follow:
 * RFC 9112 (HTTP/1.1 message syntax: start lines 3/4, field lines 5, framing 6.3, chunked 7.1),
 * RFC 9110 (field values 5.5, Content-Length 8.6, status codes 15), RFC 3986 2.1
 * (percent-encoding) and the HAP messages of PROTOCOL.md section 1 (POST /pair-setup with
 * application/pairing+tlv8, GET/PUT /characteristics, POST /resource, 470 with
 * {"status":-70401}, EVENT/1.0 with application/hap+json). Bodies' lengths were counted
 * independently (Python len()).
 */
#include <string.h>

#include "hap/http.h"

#define RAW(s) s, sizeof (s) - 1

/* M1 of pair-setup: kTLVType_State(6)=1, kTLVType_Method(0)=0 (PROTOCOL.md section 1). */
#define PAIR_SETUP_M1 "\x06\x01\x01\x00\x01\x00"
/* M2 error answer: State=2, Error(7)=2 (authentication). */
#define PAIR_SETUP_M2_ERR "\x06\x01\x02\x07\x01\x02"

/* ---- helpers ---- */

/* The outcome of feeding a whole buffer in slices: the messages and the final result. */
typedef struct {
  GPtrArray *messages; /* HapHttpRequest * or HapHttpResponse * */
  GArray *ends;        /* gsize: input offset right after each message */
  HapParseResult last; /* NEED_MORE after the last message, or INVALID */
  GError *error;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->messages, g_ptr_array_unref);
  g_clear_pointer (&o->ends, g_array_unref);
  g_clear_error (&o->error);
}

/* Feeds data[0..len) to a new parser in slices of `step` bytes (0: one slice), except that
 * the first slice ends at `split` when split > 0. */
static Outcome
run (gboolean request, const HapHttpLimits *limits, const guint8 *data, gsize len, gsize split,
    gsize step)
{
  Outcome o = { 0 };
  g_autoptr (HapHttpParser) p
      = request ? hap_http_parser_new_request (limits) : hap_http_parser_new_response (limits);
  gsize pos = 0;

  o.messages = g_ptr_array_new_with_free_func (
      request ? (GDestroyNotify) hap_http_request_free : (GDestroyNotify) hap_http_response_free);
  o.ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  o.last = HAP_PARSE_NEED_MORE;
  while (pos < len) {
    gsize end = split > pos ? split : (step ? MIN (pos + step, len) : len);
    gsize off = pos;

    while (off < end) {
      gsize consumed = 0;
      gpointer msg = NULL;
      HapParseResult r = request ? hap_http_parser_feed_request (p, data + off, end - off,
                             &consumed, (HapHttpRequest **) &msg, &o.error)
                                 : hap_http_parser_feed_response (p, data + off, end - off,
                                     &consumed, (HapHttpResponse **) &msg, &o.error);

      g_assert_cmpuint (consumed, <=, end - off);
      if (r == HAP_PARSE_INVALID) {
        g_assert_null (msg);
        g_assert_nonnull (o.error);
        o.last = r;
        return o;
      }
      off += consumed;
      if (r == HAP_PARSE_OK) {
        g_assert_nonnull (msg);
        g_ptr_array_add (o.messages, msg);
        g_array_append_val (o.ends, off);
      } else {
        g_assert_cmpint (r, ==, HAP_PARSE_NEED_MORE);
        g_assert_null (msg);
        g_assert_cmpuint (off, ==, end);
      }
    }
    pos = end;
  }
  return o;
}

static void
assert_headers_equal (GPtrArray *a, GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++) {
    HapHttpHeader *ha = g_ptr_array_index (a, i), *hb = g_ptr_array_index (b, i);

    g_assert_cmpstr (ha->name, ==, hb->name);
    g_assert_cmpstr (ha->value, ==, hb->value);
  }
}

static void
assert_requests_equal (const HapHttpRequest *a, const HapHttpRequest *b)
{
  g_assert_cmpstr (a->method, ==, b->method);
  g_assert_cmpstr (a->target, ==, b->target);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpstr (a->query, ==, b->query);
  g_assert_cmpint (a->content_length, ==, b->content_length);
  assert_headers_equal (a->headers, b->headers);
  g_assert_true (g_bytes_equal (a->body, b->body));
}

static void
assert_responses_equal (const HapHttpResponse *a, const HapHttpResponse *b)
{
  g_assert_cmpint (a->is_event, ==, b->is_event);
  g_assert_cmpuint (a->status, ==, b->status);
  g_assert_cmpstr (a->reason, ==, b->reason);
  g_assert_cmpint (a->content_length, ==, b->content_length);
  g_assert_cmpint (a->chunked, ==, b->chunked);
  assert_headers_equal (a->headers, b->headers);
  g_assert_true (g_bytes_equal (a->body, b->body));
}

static void
assert_outcomes_equal (gboolean request, const Outcome *a, const Outcome *b)
{
  g_assert_cmpint (a->last, ==, b->last);
  g_assert_cmpuint (a->messages->len, ==, b->messages->len);
  for (guint i = 0; i < a->messages->len; i++) {
    g_assert_cmpuint (g_array_index (a->ends, gsize, i), ==, g_array_index (b->ends, gsize, i));
    if (request)
      assert_requests_equal (
          g_ptr_array_index (a->messages, i), g_ptr_array_index (b->messages, i));
    else
      assert_responses_equal (
          g_ptr_array_index (a->messages, i), g_ptr_array_index (b->messages, i));
  }
  if (a->error)
    g_assert_error (b->error, a->error->domain, a->error->code);
}

static void
assert_body (GBytes *body, const gchar *want, gsize want_len)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (body, &len);

  g_assert_cmpmem (data, len, want, want_len);
}

/* ---- request vectors ---- */

typedef struct {
  const gchar *raw;
  gsize raw_len;
  const gchar *method;
  const gchar *path;
  const gchar *query;
  guint n_headers;
  const gchar *content_type;
  gint64 content_length;
  const gchar *body;
  gsize body_len;
} RequestVector;

static const RequestVector request_vectors[] = {
  { RAW ("POST /pair-setup HTTP/1.1\r\n"
         "Host: Camera._hap._tcp.local\r\n"
         "Content-Length: 6\r\n"
         "Content-Type: application/pairing+tlv8\r\n"
         "\r\n" PAIR_SETUP_M1),
      "POST", "/pair-setup", NULL, 3, "application/pairing+tlv8", 6, RAW (PAIR_SETUP_M1) },
  { RAW ("POST /pair-verify HTTP/1.1\r\n"
         "Host: Camera._hap._tcp.local\r\n"
         "Content-Type: application/pairing+tlv8\r\n"
         "Content-Length: 3\r\n"
         "\r\n"
         "\x06\x01\x01"),
      "POST", "/pair-verify", NULL, 3, "application/pairing+tlv8", 3, RAW ("\x06\x01\x01") },
  { RAW ("GET /accessories HTTP/1.1\r\n"
         "Host: Camera._hap._tcp.local\r\n"
         "\r\n"),
      "GET", "/accessories", NULL, 1, NULL, -1, RAW ("") },
  { RAW ("GET /characteristics?id=1.2,1.3&ev=1 HTTP/1.1\r\n"
         "Host: Camera._hap._tcp.local\r\n"
         "\r\n"),
      "GET", "/characteristics", "id=1.2,1.3&ev=1", 1, NULL, -1, RAW ("") },
  { RAW ("PUT /characteristics HTTP/1.1\r\n"
         "Host: Camera._hap._tcp.local\r\n"
         "Content-Type: application/hap+json\r\n"
         "Content-Length: 53\r\n"
         "\r\n"
         "{\"characteristics\":[{\"aid\":1,\"iid\":10,\"value\":true}]}"),
      "PUT", "/characteristics", NULL, 3, "application/hap+json", 53,
      RAW ("{\"characteristics\":[{\"aid\":1,\"iid\":10,\"value\":true}]}") },
  { RAW ("POST /resource HTTP/1.1\r\n"
         "Host: Camera._hap._tcp.local\r\n"
         "Content-Type: application/hap+json\r\n"
         "Content-Length: 62\r\n"
         "\r\n"
         "{\"resource-type\":\"image\",\"image-width\":640,\"image-height\":360}"),
      "POST", "/resource", NULL, 3, "application/hap+json", 62,
      RAW ("{\"resource-type\":\"image\",\"image-width\":640,\"image-height\":360}") },
  /* Lower-case names, OWS around values, bare LF line endings (tolerated, RFC 9112 2.2),
   * an empty query and a value with obs-text. */
  { RAW ("PUT /characteristics? HTTP/1.1\n"
         "host:cam\n"
         "content-type: \t application/hap+json \t\n"
         "X-Note: caf\xc3\xa9\n"
         "content-length:  2 \n"
         "\n"
         "{}"),
      "PUT", "/characteristics", "", 4, "application/hap+json", 2, RAW ("{}") },
  /* Empty lines before the request line are skipped (RFC 9112 2.2); equal duplicate and
   * list Content-Length values are one value (RFC 9110 8.6); Content-Length: 0. */
  { RAW ("\r\n\r\nPOST /pairings HTTP/1.1\r\n"
         "Content-Length: 0\r\n"
         "Content-Length: 0, 0\r\n"
         "\r\n"),
      "POST", "/pairings", NULL, 2, NULL, 0, RAW ("") },
  /* A bare-LF empty line as the very first bytes, then no field at all (found by fuzzing). */
  { RAW ("\nGET / HTTP/1.1\n\n"), "GET", "/", NULL, 0, NULL, -1, RAW ("") },
};

static void
check_request_vector (const RequestVector *v, const HapHttpRequest *r)
{
  gchar *target = v->query ? g_strconcat (v->path, "?", v->query, NULL) : g_strdup (v->path);

  g_assert_cmpstr (r->method, ==, v->method);
  g_assert_cmpstr (r->path, ==, v->path);
  g_assert_cmpstr (r->query, ==, v->query);
  g_assert_cmpstr (r->target, ==, target);
  g_assert_cmpuint (r->headers->len, ==, v->n_headers);
  g_assert_cmpstr (hap_http_request_get_header (r, "Content-Type"), ==, v->content_type);
  g_assert_cmpstr (hap_http_request_get_header (r, "CONTENT-TYPE"), ==, v->content_type);
  g_assert_cmpint (r->content_length, ==, v->content_length);
  assert_body (r->body, v->body, v->body_len);
  g_free (target);
}

static void
test_request_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (request_vectors); i++) {
    const RequestVector *v = &request_vectors[i];
    Outcome o = run (TRUE, NULL, (const guint8 *) v->raw, v->raw_len, 0, 0);

    g_test_message ("request vector %" G_GSIZE_FORMAT, i);
    g_assert_no_error (o.error);
    g_assert_cmpuint (o.messages->len, ==, 1);
    g_assert_cmpuint (g_array_index (o.ends, gsize, 0), ==, v->raw_len);
    check_request_vector (v, g_ptr_array_index (o.messages, 0));
    outcome_clear (&o);
  }
}

static void
test_request_headers (void)
{
  const RequestVector *v = &request_vectors[6];
  Outcome o = run (TRUE, NULL, (const guint8 *) v->raw, v->raw_len, 0, 0);
  HapHttpRequest *r = g_ptr_array_index (o.messages, 0);
  HapHttpHeader *h;

  h = g_ptr_array_index (r->headers, 0);
  g_assert_cmpstr (h->name, ==, "host");
  g_assert_cmpstr (h->value, ==, "cam");
  h = g_ptr_array_index (r->headers, 2);
  g_assert_cmpstr (h->name, ==, "X-Note");
  g_assert_cmpstr (h->value, ==, "caf\xc3\xa9");
  g_assert_cmpstr (hap_http_request_get_header (r, "Host"), ==, "cam");
  g_assert_null (hap_http_request_get_header (r, "Accept"));
  outcome_clear (&o);
}

/* Every request fed in two pieces, at every split point, then byte by byte. */
static void
test_request_splits (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (request_vectors); i++) {
    const RequestVector *v = &request_vectors[i];
    const guint8 *raw = (const guint8 *) v->raw;
    Outcome whole = run (TRUE, NULL, raw, v->raw_len, 0, 0);

    for (gsize split = 1; split < v->raw_len; split++) {
      Outcome o = run (TRUE, NULL, raw, v->raw_len, split, 0);

      assert_outcomes_equal (TRUE, &whole, &o);
      check_request_vector (v, g_ptr_array_index (o.messages, 0));
      outcome_clear (&o);
    }
    {
      Outcome o = run (TRUE, NULL, raw, v->raw_len, 0, 1);

      assert_outcomes_equal (TRUE, &whole, &o);
      outcome_clear (&o);
    }
    outcome_clear (&whole);
  }
}

/* All vectors back to back in one buffer: one message each, each ending where its bytes end. */
static void
test_request_pipelined (void)
{
  GByteArray *all = g_byte_array_new ();
  gsize steps[] = { 0, 1, 7, 64 };

  for (gsize i = 0; i < G_N_ELEMENTS (request_vectors); i++)
    g_byte_array_append (
        all, (const guint8 *) request_vectors[i].raw, (guint) request_vectors[i].raw_len);
  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++) {
    Outcome o = run (TRUE, NULL, all->data, all->len, 0, steps[s]);
    gsize end = 0;

    g_assert_no_error (o.error);
    g_assert_cmpint (o.last, ==, HAP_PARSE_NEED_MORE);
    g_assert_cmpuint (o.messages->len, ==, G_N_ELEMENTS (request_vectors));
    for (gsize i = 0; i < G_N_ELEMENTS (request_vectors); i++) {
      end += request_vectors[i].raw_len;
      g_assert_cmpuint (g_array_index (o.ends, gsize, i), ==, end);
      check_request_vector (&request_vectors[i], g_ptr_array_index (o.messages, i));
    }
    outcome_clear (&o);
  }
  g_byte_array_unref (all);
}

/* A feed call stops at the end of a message and leaves the rest to the caller; the parser is
 * idle between messages only. */
static void
test_request_consumed (void)
{
  static const gchar two[] = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  g_autoptr (HapHttpParser) p = hap_http_parser_new_request (NULL);
  g_autoptr (HapHttpRequest) r = NULL;
  g_autoptr (HapHttpRequest) r2 = NULL;
  gsize consumed;

  g_assert_true (hap_http_parser_is_idle (p));
  g_assert_cmpint (
      hap_http_parser_feed_request (p, NULL, 0, &consumed, &r, NULL), ==, HAP_PARSE_NEED_MORE);
  g_assert_cmpuint (consumed, ==, 0);
  g_assert_cmpint (hap_http_parser_feed_request (p, (const guint8 *) two, 5, &consumed, &r, NULL),
      ==, HAP_PARSE_NEED_MORE);
  g_assert_cmpuint (consumed, ==, 5);
  g_assert_false (hap_http_parser_is_idle (p));
  g_assert_cmpint (hap_http_parser_feed_request (
                       p, (const guint8 *) two + 5, sizeof two - 1 - 5, &consumed, &r, NULL),
      ==, HAP_PARSE_OK);
  g_assert_cmpuint (consumed, ==, 19 - 5);
  g_assert_cmpstr (r->path, ==, "/a");
  g_assert_true (hap_http_parser_is_idle (p));
  g_assert_cmpint (
      hap_http_parser_feed_request (p, (const guint8 *) two + 19, 19, &consumed, &r2, NULL), ==,
      HAP_PARSE_OK);
  g_assert_cmpuint (consumed, ==, 19);
  g_assert_cmpstr (r2->path, ==, "/b");
}

/* ---- invalid requests ---- */

typedef struct {
  const gchar *raw;
  gsize raw_len;
  HapHttpError code;
  guint status;
} InvalidVector;

static const InvalidVector invalid_requests[] = {
  /* Request line (RFC 9112 3). */
  { RAW ("G@T / HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_METHOD, 400 },
  { RAW ("GET(x) / HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_METHOD, 400 },
  { RAW ("GE\0T / HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_METHOD, 400 },
  { RAW (" GET / HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  { RAW ("GET\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  { RAW ("GET /\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  { RAW ("GET / \r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  { RAW ("GET  / HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  { RAW ("GET / HTTP/1.1 \r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  { RAW ("GET / http/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  { RAW ("GET / HTTP/1.1x\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  { RAW ("GET /a b HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  { RAW ("GET / HTTP/2.0\r\n\r\n"), HAP_HTTP_ERROR_UNSUPPORTED_VERSION, 505 },
  { RAW ("GET / HTTP/1.0\r\n\r\n"), HAP_HTTP_ERROR_UNSUPPORTED_VERSION, 505 },
  { RAW ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), HAP_HTTP_ERROR_BAD_TARGET, 400 },
  { RAW ("GET http://cam/accessories HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_TARGET, 400 },
  { RAW ("GET /a<b HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_TARGET, 400 },
  { RAW ("GET /%zz HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_TARGET, 400 },
  { RAW ("GET /%4 HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_TARGET, 400 },
  { RAW ("GET /a\0b HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_TARGET, 400 },
  { RAW ("GET /a\x80 HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_TARGET, 400 },
  { RAW ("GET / HTTP/1.1\rX\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE, 400 },
  /* Field lines (RFC 9112 5, RFC 9110 5.5). */
  { RAW ("GET / HTTP/1.1\r\nHost example\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nHost : example\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nHost\t: example\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\n: example\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nX(y): 1\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nX-A: 1\0002\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nX\0: 1\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nX-A: 1\x7f\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nX-A: 1\x01\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nX-A: 1\r2\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nX-A: 1\r\n\r\r\n"), HAP_HTTP_ERROR_BAD_HEADER, 400 },
  { RAW ("GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n"), HAP_HTTP_ERROR_OBS_FOLD, 400 },
  { RAW ("GET / HTTP/1.1\r\nX-A: 1\r\n\tcontinued\r\n\r\n"), HAP_HTTP_ERROR_OBS_FOLD, 400 },
  { RAW ("GET / HTTP/1.1\r\n Host: x\r\n\r\n"), HAP_HTTP_ERROR_OBS_FOLD, 400 },
  /* Content-Length (RFC 9110 8.6). */
  { RAW ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, 400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 1a\r\n\r\n"), HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, 400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n"), HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, 400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n"), HAP_HTTP_ERROR_BAD_CONTENT_LENGTH,
      400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"), HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, 400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n"), HAP_HTTP_ERROR_BAD_CONTENT_LENGTH,
      400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"),
      HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, 400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n"),
      HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, 400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
      HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, 400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\nhello!"),
      HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, 400 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\nhello"), HAP_HTTP_ERROR_BAD_CONTENT_LENGTH,
      400 },
  /* Limits (defaults: 1 MiB body). */
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n"), HAP_HTTP_ERROR_BODY_TOO_LARGE,
      413 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n"),
      HAP_HTTP_ERROR_BODY_TOO_LARGE, 413 },
  /* Transfer-Encoding: HAP requests never use it. */
  { RAW ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
      HAP_HTTP_ERROR_TRANSFER_ENCODING, 411 },
  { RAW ("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello"),
      HAP_HTTP_ERROR_TRANSFER_ENCODING, 411 },
  { RAW ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), HAP_HTTP_ERROR_TRANSFER_ENCODING,
      411 },
};

static void
check_invalid (gboolean request, const HapHttpLimits *limits, const guint8 *raw, gsize len,
    HapHttpError code, guint status)
{
  Outcome whole = run (request, limits, raw, len, 0, 0);

  g_assert_cmpint (whole.last, ==, HAP_PARSE_INVALID);
  g_assert_error (whole.error, HAP_HTTP_ERROR, (gint) code);
  g_assert_cmpuint (whole.messages->len, ==, 0);
  if (status)
    g_assert_cmpuint (hap_http_error_to_status (whole.error), ==, status);
  /* The same error however the input is sliced. */
  for (gsize split = 1; split < len && len < 512; split++) {
    Outcome o = run (request, limits, raw, len, split, 0);

    assert_outcomes_equal (request, &whole, &o);
    outcome_clear (&o);
  }
  {
    Outcome o = run (request, limits, raw, len, 0, 1);

    assert_outcomes_equal (request, &whole, &o);
    outcome_clear (&o);
  }
  outcome_clear (&whole);
}

static void
test_request_invalid (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_requests); i++) {
    const InvalidVector *v = &invalid_requests[i];

    g_test_message ("invalid request %" G_GSIZE_FORMAT, i);
    check_invalid (TRUE, NULL, (const guint8 *) v->raw, v->raw_len, v->code, v->status);
  }
}

/* Default limits: request line 4096, field section 8192 bytes, 64 field lines. */
static void
test_request_default_limits (void)
{
  GString *s;

  /* "GET /" + 4087 'a' + " HTTP/1.1" is 4101 bytes: over the 4096-byte request line. */
  s = g_string_new ("GET /");
  for (guint i = 0; i < 4087; i++)
    g_string_append_c (s, 'a');
  g_string_append (s, " HTTP/1.1\r\n\r\n");
  check_invalid (
      TRUE, NULL, (const guint8 *) s->str, s->len, HAP_HTTP_ERROR_START_LINE_TOO_LONG, 414);
  g_string_free (s, TRUE);

  /* A line that never ends is rejected as soon as it is too long. */
  s = g_string_new ("GET /");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (s, 'a');
  check_invalid (
      TRUE, NULL, (const guint8 *) s->str, s->len, HAP_HTTP_ERROR_START_LINE_TOO_LONG, 414);
  g_string_free (s, TRUE);

  /* One 9000-byte field line. */
  s = g_string_new ("GET / HTTP/1.1\r\nX-Big: ");
  for (guint i = 0; i < 9000; i++)
    g_string_append_c (s, 'b');
  g_string_append (s, "\r\n\r\n");
  check_invalid (
      TRUE, NULL, (const guint8 *) s->str, s->len, HAP_HTTP_ERROR_HEADERS_TOO_LARGE, 431);
  g_string_free (s, TRUE);

  /* 65 short field lines. */
  s = g_string_new ("GET / HTTP/1.1\r\n");
  for (guint i = 0; i < 65; i++)
    g_string_append_printf (s, "X-%u: 1\r\n", i);
  g_string_append (s, "\r\n");
  check_invalid (TRUE, NULL, (const guint8 *) s->str, s->len, HAP_HTTP_ERROR_TOO_MANY_HEADERS, 431);
  g_string_free (s, TRUE);

  /* 64 are fine. */
  s = g_string_new ("GET / HTTP/1.1\r\n");
  for (guint i = 0; i < 64; i++)
    g_string_append_printf (s, "X-%u: 1\r\n", i);
  g_string_append (s, "\r\n");
  {
    Outcome o = run (TRUE, NULL, (const guint8 *) s->str, s->len, 0, 0);

    g_assert_no_error (o.error);
    g_assert_cmpuint (o.messages->len, ==, 1);
    g_assert_cmpuint (((HapHttpRequest *) g_ptr_array_index (o.messages, 0))->headers->len, ==, 64);
    outcome_clear (&o);
  }
  g_string_free (s, TRUE);
}

static void
expect_ok (gboolean request, const HapHttpLimits *limits, const gchar *raw)
{
  Outcome o = run (request, limits, (const guint8 *) raw, strlen (raw), 0, 1);

  g_assert_no_error (o.error);
  g_assert_cmpuint (o.messages->len, ==, 1);
  outcome_clear (&o);
}

static void
expect_error (gboolean request, const HapHttpLimits *limits, const gchar *raw, HapHttpError code)
{
  check_invalid (request, limits, (const guint8 *) raw, strlen (raw), code, 0);
}

/* Each limit exactly at its boundary and one past it. */
static void
test_request_custom_limits (void)
{
  HapHttpLimits limits;

  hap_http_limits_init_default (&limits);
  g_assert_cmpuint (limits.max_start_line, ==, 4096);
  g_assert_cmpuint (limits.max_header_bytes, ==, 8192);
  g_assert_cmpuint (limits.max_headers, ==, 64);
  g_assert_cmpuint (limits.max_body, ==, 1048576);

  /* "GET /x HTTP/1.1" is 15 bytes, with CRLF or bare LF. */
  limits.max_start_line = 15;
  expect_ok (TRUE, &limits, "GET /x HTTP/1.1\r\n\r\n");
  expect_ok (TRUE, &limits, "GET /x HTTP/1.1\n\n");
  limits.max_start_line = 14;
  expect_error (TRUE, &limits, "GET /x HTTP/1.1\r\n\r\n", HAP_HTTP_ERROR_START_LINE_TOO_LONG);
  expect_error (TRUE, &limits, "GET /x HTTP/1.1\n\n", HAP_HTTP_ERROR_START_LINE_TOO_LONG);
  hap_http_limits_init_default (&limits);

  /* Field section "A: 1\r\nB: 2\r\n\r\n" is 14 bytes. */
  limits.max_header_bytes = 14;
  expect_ok (TRUE, &limits, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n");
  limits.max_header_bytes = 13;
  expect_error (
      TRUE, &limits, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", HAP_HTTP_ERROR_HEADERS_TOO_LARGE);
  hap_http_limits_init_default (&limits);

  limits.max_headers = 2;
  expect_ok (TRUE, &limits, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n");
  limits.max_headers = 1;
  expect_error (
      TRUE, &limits, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", HAP_HTTP_ERROR_TOO_MANY_HEADERS);
  hap_http_limits_init_default (&limits);

  limits.max_body = 4;
  expect_ok (TRUE, &limits, "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd");
  expect_error (TRUE, &limits, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde",
      HAP_HTTP_ERROR_BODY_TOO_LARGE);
  /* Chunked and close-delimited response bodies too. */
  expect_ok (FALSE, &limits,
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n");
  expect_error (FALSE, &limits,
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n",
      HAP_HTTP_ERROR_BODY_TOO_LARGE);
  expect_error (FALSE, &limits, "HTTP/1.1 200 OK\r\n\r\nabcde", HAP_HTTP_ERROR_BODY_TOO_LARGE);
}

/* An error is sticky until reset; reset gives a fresh parser. */
static void
test_request_error_sticky (void)
{
  static const gchar bad[] = "GET / HTTP/2.0\r\n\r\n";
  static const gchar good[] = "GET / HTTP/1.1\r\n\r\n";
  g_autoptr (HapHttpParser) p = hap_http_parser_new_request (NULL);
  g_autoptr (HapHttpRequest) r = NULL;
  GError *error = NULL;
  gsize consumed;

  g_assert_cmpint (
      hap_http_parser_feed_request (p, (const guint8 *) bad, sizeof bad - 1, &consumed, &r, &error),
      ==, HAP_PARSE_INVALID);
  g_assert_error (error, HAP_HTTP_ERROR, HAP_HTTP_ERROR_UNSUPPORTED_VERSION);
  g_clear_error (&error);
  g_assert_false (hap_http_parser_is_idle (p));
  g_assert_cmpint (hap_http_parser_feed_request (
                       p, (const guint8 *) good, sizeof good - 1, &consumed, &r, &error),
      ==, HAP_PARSE_INVALID);
  g_assert_error (error, HAP_HTTP_ERROR, HAP_HTTP_ERROR_UNSUPPORTED_VERSION);
  g_assert_cmpuint (consumed, ==, 0);
  g_clear_error (&error);
  /* A NULL error pointer is fine too. */
  g_assert_cmpint (
      hap_http_parser_feed_request (p, (const guint8 *) good, sizeof good - 1, &consumed, &r, NULL),
      ==, HAP_PARSE_INVALID);

  hap_http_parser_reset (p);
  g_assert_true (hap_http_parser_is_idle (p));
  g_assert_cmpint (hap_http_parser_feed_request (
                       p, (const guint8 *) good, sizeof good - 1, &consumed, &r, &error),
      ==, HAP_PARSE_OK);
  g_assert_no_error (error);
  g_assert_cmpstr (r->method, ==, "GET");
}

/* ---- responses ---- */

typedef struct {
  const gchar *raw;
  gsize raw_len;
  gboolean is_event;
  guint status;
  const gchar *reason;
  guint n_headers;
  gint64 content_length;
  gboolean chunked;
  const gchar *body;
  gsize body_len;
} ResponseVector;

static const ResponseVector response_vectors[] = {
  { RAW ("HTTP/1.1 200 OK\r\n"
         "Content-Type: application/pairing+tlv8\r\n"
         "Content-Length: 6\r\n"
         "\r\n" PAIR_SETUP_M2_ERR),
      FALSE, 200, "OK", 2, 6, FALSE, RAW (PAIR_SETUP_M2_ERR) },
  /* 204 has no body even with a Content-Length (RFC 9112 6.3 rule 1). */
  { RAW ("HTTP/1.1 204 No Content\r\n\r\n"), FALSE, 204, "No Content", 0, -1, FALSE, RAW ("") },
  { RAW ("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n"), FALSE, 204, "No Content", 1, 3,
      FALSE, RAW ("") },
  { RAW ("HTTP/1.1 207 Multi-Status\r\n"
         "Content-Type: application/hap+json\r\n"
         "Content-Length: 56\r\n"
         "\r\n"
         "{\"characteristics\":[{\"aid\":1,\"iid\":10,\"status\":-70404}]}"),
      FALSE, 207, "Multi-Status", 2, 56, FALSE,
      RAW ("{\"characteristics\":[{\"aid\":1,\"iid\":10,\"status\":-70404}]}") },
  { RAW ("HTTP/1.1 470 Connection Authorization Required\r\n"
         "Content-Type: application/hap+json\r\n"
         "Content-Length: 17\r\n"
         "\r\n"
         "{\"status\":-70401}"),
      FALSE, 470, "Connection Authorization Required", 2, 17, FALSE, RAW ("{\"status\":-70401}") },
  { RAW ("EVENT/1.0 200 OK\r\n"
         "Content-Type: application/hap+json\r\n"
         "Content-Length: 50\r\n"
         "\r\n"
         "{\"characteristics\":[{\"aid\":1,\"iid\":12,\"value\":1}]}"),
      TRUE, 200, "OK", 2, 50, FALSE,
      RAW ("{\"characteristics\":[{\"aid\":1,\"iid\":12,\"value\":1}]}") },
  /* The chunked example of Wikipedia's "Chunked transfer encoding" article. */
  { RAW ("HTTP/1.1 200 OK\r\n"
         "Content-Type: text/plain\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "4\r\nWiki\r\n"
         "5\r\npedia\r\n"
         "E\r\n in\r\n\r\nchunks.\r\n"
         "0\r\n"
         "\r\n"),
      FALSE, 200, "OK", 2, -1, TRUE, RAW ("Wikipedia in\r\n\r\nchunks.") },
  /* Chunk extensions, upper/lower-case hex, leading zeros and a trailer (RFC 9112 7.1.1-7.1.2):
   * 0x1a = 26 and 0x10 = 16 bytes. */
  { RAW ("HTTP/1.1 200 OK\r\n"
         "transfer-encoding: Chunked\r\n"
         "\r\n"
         "1a; ext=\"v\"\r\nabcdefghijklmnopqrstuvwxyz\r\n"
         "0010 ;x\r\n1234567890ABCDEF\r\n"
         "000\r\n"
         "Expires: never\r\n"
         "X-Other: 1\r\n"
         "\r\n"),
      FALSE, 200, "OK", 1, -1, TRUE, RAW ("abcdefghijklmnopqrstuvwxyz1234567890ABCDEF") },
  /* Bare LF, empty reason with and without its SP (RFC 9112 4). */
  { RAW ("HTTP/1.1 200 \nContent-Length: 2\n\nok"), FALSE, 200, "", 1, 2, FALSE, RAW ("ok") },
  { RAW ("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n"), FALSE, 404, "", 1, 0, FALSE, RAW ("") },
  { RAW ("HTTP/1.1 100 Continue\r\n\r\n"), FALSE, 100, "Continue", 0, -1, FALSE, RAW ("") },
};

static void
check_response_vector (const ResponseVector *v, const HapHttpResponse *r)
{
  g_assert_cmpint (r->is_event, ==, v->is_event);
  g_assert_cmpuint (r->status, ==, v->status);
  g_assert_cmpstr (r->reason, ==, v->reason);
  g_assert_cmpuint (r->headers->len, ==, v->n_headers);
  g_assert_cmpint (r->content_length, ==, v->content_length);
  g_assert_cmpint (r->chunked, ==, v->chunked);
  assert_body (r->body, v->body, v->body_len);
}

static void
test_response_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (response_vectors); i++) {
    const ResponseVector *v = &response_vectors[i];
    const guint8 *raw = (const guint8 *) v->raw;
    Outcome whole = run (FALSE, NULL, raw, v->raw_len, 0, 0);

    g_test_message ("response vector %" G_GSIZE_FORMAT, i);
    g_assert_no_error (whole.error);
    g_assert_cmpuint (whole.messages->len, ==, 1);
    g_assert_cmpuint (g_array_index (whole.ends, gsize, 0), ==, v->raw_len);
    check_response_vector (v, g_ptr_array_index (whole.messages, 0));
    for (gsize split = 1; split < v->raw_len; split++) {
      Outcome o = run (FALSE, NULL, raw, v->raw_len, split, 0);

      assert_outcomes_equal (FALSE, &whole, &o);
      outcome_clear (&o);
    }
    {
      Outcome o = run (FALSE, NULL, raw, v->raw_len, 0, 1);

      assert_outcomes_equal (FALSE, &whole, &o);
      outcome_clear (&o);
    }
    outcome_clear (&whole);
  }
}

static void
test_response_event_lookup (void)
{
  const ResponseVector *v = &response_vectors[5];
  Outcome o = run (FALSE, NULL, (const guint8 *) v->raw, v->raw_len, 0, 0);
  HapHttpResponse *r = g_ptr_array_index (o.messages, 0);

  g_assert_true (r->is_event);
  g_assert_cmpstr (hap_http_response_get_header (r, "content-type"), ==, "application/hap+json");
  g_assert_null (hap_http_response_get_header (r, "Transfer-Encoding"));
  outcome_clear (&o);
}

/* Responses and events interleaved on one connection, as a controller sees them. */
static void
test_response_pipelined (void)
{
  GByteArray *all = g_byte_array_new ();
  gsize steps[] = { 0, 1, 3, 100 };

  for (gsize i = 0; i < G_N_ELEMENTS (response_vectors); i++)
    g_byte_array_append (
        all, (const guint8 *) response_vectors[i].raw, (guint) response_vectors[i].raw_len);
  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++) {
    Outcome o = run (FALSE, NULL, all->data, all->len, 0, steps[s]);
    gsize end = 0;

    g_assert_no_error (o.error);
    g_assert_cmpuint (o.messages->len, ==, G_N_ELEMENTS (response_vectors));
    for (gsize i = 0; i < G_N_ELEMENTS (response_vectors); i++) {
      end += response_vectors[i].raw_len;
      g_assert_cmpuint (g_array_index (o.ends, gsize, i), ==, end);
      check_response_vector (&response_vectors[i], g_ptr_array_index (o.messages, i));
    }
    outcome_clear (&o);
  }
  g_byte_array_unref (all);
}

/* Without Content-Length or Transfer-Encoding a response body runs until the connection
 * closes (RFC 9112 6.3 rule 8). */
static void
test_response_close_delimited (void)
{
  static const gchar raw[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello";
  g_autoptr (HapHttpParser) p = hap_http_parser_new_response (NULL);
  HapHttpResponse *r = NULL;
  GError *error = NULL;
  gsize consumed;

  /* Clean close between messages. */
  g_assert_cmpint (hap_http_parser_finish_response (p, &r, &error), ==, HAP_PARSE_OK);
  g_assert_no_error (error);
  g_assert_null (r);

  g_assert_cmpint (hap_http_parser_feed_response (
                       p, (const guint8 *) raw, sizeof raw - 1, &consumed, &r, &error),
      ==, HAP_PARSE_NEED_MORE);
  g_assert_cmpuint (consumed, ==, sizeof raw - 1);
  g_assert_cmpint (hap_http_parser_finish_response (p, &r, &error), ==, HAP_PARSE_OK);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (r->content_length, ==, -1);
  assert_body (r->body, RAW ("hello"));
  g_clear_pointer (&r, hap_http_response_free);
  g_assert_true (hap_http_parser_is_idle (p));

  /* Closed inside the field section. */
  g_assert_cmpint (
      hap_http_parser_feed_response (p, (const guint8 *) raw, 20, &consumed, &r, &error), ==,
      HAP_PARSE_NEED_MORE);
  g_assert_cmpint (hap_http_parser_finish_response (p, &r, &error), ==, HAP_PARSE_INVALID);
  g_assert_error (error, HAP_HTTP_ERROR, HAP_HTTP_ERROR_TRUNCATED);
  g_assert_null (r);
  g_clear_error (&error);

  /* Closed inside a Content-Length body. */
  hap_http_parser_reset (p);
  g_assert_cmpint (hap_http_parser_feed_response (p,
                       (const guint8 *) "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 41,
                       &consumed, &r, &error),
      ==, HAP_PARSE_NEED_MORE);
  g_assert_cmpint (hap_http_parser_finish_response (p, &r, &error), ==, HAP_PARSE_INVALID);
  g_assert_error (error, HAP_HTTP_ERROR, HAP_HTTP_ERROR_TRUNCATED);
  g_clear_error (&error);
}

static const InvalidVector invalid_responses[] = {
  { RAW ("HTTP/1.1 20 OK\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("HTTP/1.1 2000 OK\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("HTTP/1.1 099 Low\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("HTTP/1.1 600 High\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("HTTP/1.1 2x0 OK\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("HTTP/1.1  200 OK\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("HTTP/1.1\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("HTTP/1.1 200 O\0K\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("HTTP/1.1 200 O\x01K\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("http/1.1 200 OK\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("EVENT/2.0 200 OK\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("EVENT/1.0\r\n\r\n"), HAP_HTTP_ERROR_BAD_START_LINE },
  { RAW ("HTTP/2.0 200 OK\r\n\r\n"), HAP_HTTP_ERROR_UNSUPPORTED_VERSION },
  { RAW ("HTTP/1.0 200 OK\r\n\r\n"), HAP_HTTP_ERROR_UNSUPPORTED_VERSION },
  { RAW ("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n"), HAP_HTTP_ERROR_BAD_CONTENT_LENGTH },
  { RAW ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"),
      HAP_HTTP_ERROR_BAD_CONTENT_LENGTH },
  { RAW ("HTTP/1.1 200 OK\r\nX: 1\r\n folded\r\n\r\n"), HAP_HTTP_ERROR_OBS_FOLD },
  { RAW ("HTTP/1.1 200 OK\r\nX : 1\r\n\r\n"), HAP_HTTP_ERROR_BAD_HEADER },
  /* Transfer codings. */
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), HAP_HTTP_ERROR_TRANSFER_ENCODING },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
      HAP_HTTP_ERROR_TRANSFER_ENCODING },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
      HAP_HTTP_ERROR_TRANSFER_ENCODING },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"),
      HAP_HTTP_ERROR_TRANSFER_ENCODING },
  /* Chunk framing (RFC 9112 7.1). */
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), HAP_HTTP_ERROR_BAD_CHUNK },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"), HAP_HTTP_ERROR_BAD_CHUNK },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n"), HAP_HTTP_ERROR_BAD_CHUNK },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4 x\r\n"),
      HAP_HTTP_ERROR_BAD_CHUNK },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;\0\r\n"),
      HAP_HTTP_ERROR_BAD_CHUNK },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n"),
      HAP_HTTP_ERROR_BAD_CHUNK },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWikiX\r\n"),
      HAP_HTTP_ERROR_BAD_CHUNK },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\rX"),
      HAP_HTTP_ERROR_BAD_CHUNK },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\r\n"),
      HAP_HTTP_ERROR_BAD_CHUNK },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n"),
      HAP_HTTP_ERROR_BODY_TOO_LARGE },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n"),
      HAP_HTTP_ERROR_BAD_HEADER },
  { RAW ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n y\r\n\r\n"),
      HAP_HTTP_ERROR_OBS_FOLD },
};

static void
test_response_invalid (void)
{
  GString *s;

  for (gsize i = 0; i < G_N_ELEMENTS (invalid_responses); i++) {
    const InvalidVector *v = &invalid_responses[i];

    g_test_message ("invalid response %" G_GSIZE_FORMAT, i);
    check_invalid (FALSE, NULL, (const guint8 *) v->raw, v->raw_len, v->code, 0);
  }

  /* A chunk-size line that never ends. */
  s = g_string_new ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1");
  for (guint i = 0; i < 5000; i++)
    g_string_append_c (s, '0');
  check_invalid (FALSE, NULL, (const guint8 *) s->str, s->len, HAP_HTTP_ERROR_BAD_CHUNK, 0);
  g_string_free (s, TRUE);

  /* A trailer section over the field-section limit. */
  s = g_string_new ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ");
  for (guint i = 0; i < 9000; i++)
    g_string_append_c (s, 't');
  g_string_append (s, "\r\n\r\n");
  check_invalid (FALSE, NULL, (const guint8 *) s->str, s->len, HAP_HTTP_ERROR_HEADERS_TOO_LARGE, 0);
  g_string_free (s, TRUE);
}

/* ---- query strings ---- */

typedef struct {
  const gchar *query;
  guint n;
  const gchar *pairs[8]; /* key, value, key, value... */
} QueryVector;

static const QueryVector query_vectors[] = {
  /* The GET /characteristics query of HAP. */
  { "id=1.10,1.11&meta=1&ev=1", 3, { "id", "1.10,1.11", "meta", "1", "ev", "1" } },
  { "id=1.2,1.3&ev=1", 2, { "id", "1.2,1.3", "ev", "1" } },
  /* RFC 3986 2.1: %2C is ',' (hex digits of either case). */
  { "id=1.2%2C1.3%2c1.4", 1, { "id", "1.2,1.3,1.4" } },
  { "a=%41%62&b", 2, { "a", "Ab", "b", "" } },
  { "k%3Dx=v%26w", 1, { "k=x", "v&w" } },
  { "a=b=c", 1, { "a", "b=c" } },
  { "a=1&&b=2&", 2, { "a", "1", "b", "2" } },
  { "=1&x=", 2, { "", "1", "x", "" } },
  { "+=%20%E2%9C%93", 1, { "+", " \xe2\x9c\x93" } },
  { "", 0, { NULL } },
  { "&&", 0, { NULL } },
};

static void
test_query_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (query_vectors); i++) {
    const QueryVector *v = &query_vectors[i];
    GError *error = NULL;
    GPtrArray *params = hap_http_query_parse (v->query, -1, &error);

    g_assert_no_error (error);
    g_assert_nonnull (params);
    g_assert_cmpuint (params->len, ==, v->n);
    for (guint j = 0; j < v->n; j++) {
      HapHttpQueryParam *qp = g_ptr_array_index (params, j);

      g_assert_cmpstr (qp->key, ==, v->pairs[2 * j]);
      g_assert_cmpstr (qp->value, ==, v->pairs[2 * j + 1]);
    }
    g_ptr_array_unref (params);
  }
}

static void
test_query_lookup (void)
{
  GPtrArray *params = hap_http_query_parse ("id=1.2&ev=1&ev=0&meta", -1, NULL);

  g_assert_cmpstr (hap_http_query_lookup (params, "id"), ==, "1.2");
  g_assert_cmpstr (hap_http_query_lookup (params, "ev"), ==, "1");
  g_assert_cmpstr (hap_http_query_lookup (params, "meta"), ==, "");
  g_assert_null (hap_http_query_lookup (params, "perms"));
  g_assert_null (hap_http_query_lookup (params, "ID"));
  g_ptr_array_unref (params);

  /* An explicit length stops before the end of the string. */
  params = hap_http_query_parse ("a=1&b=2", 3, NULL);
  g_assert_cmpuint (params->len, ==, 1);
  g_assert_cmpstr (hap_http_query_lookup (params, "a"), ==, "1");
  g_ptr_array_unref (params);
}

static void
test_query_invalid (void)
{
  static const struct {
    const gchar *query;
    gssize len;
  } bad[] = {
    { "a=%", -1 },
    { "a=%4", -1 },
    { "a=%zz", -1 },
    { "a=%4g", -1 },
    { "a=%00", -1 },
    { "%G0=1", -1 },
    { "a%=1", -1 },
    { "ok=1&a=%", -1 },
    { "a=1\0b", 5 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    GError *error = NULL;
    GPtrArray *params = hap_http_query_parse (bad[i].query, bad[i].len, &error);

    g_assert_null (params);
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
  }
}

/* ---- writers ---- */

static void
assert_bytes (GByteArray *out, const gchar *want, gsize want_len)
{
  g_assert_cmpmem (out->data, out->len, want, want_len);
}

static void
test_write_response (void)
{
  static const gchar *const json[] = { "Content-Type", "application/hap+json", NULL };
  static const gchar *const tlv[] = { "Content-Type", "application/pairing+tlv8", NULL };
  GByteArray *out = g_byte_array_new ();

  g_assert_true (hap_http_write_response (out, 204, NULL, NULL, NULL, 0));
  assert_bytes (out, RAW ("HTTP/1.1 204 No Content\r\n\r\n"));
  g_byte_array_set_size (out, 0);

  g_assert_true (
      hap_http_write_response (out, 470, NULL, json, (const guint8 *) "{\"status\":-70401}", 17));
  assert_bytes (out, RAW ("HTTP/1.1 470 Connection Authorization Required\r\n"
                          "Content-Type: application/hap+json\r\n"
                          "Content-Length: 17\r\n"
                          "\r\n"
                          "{\"status\":-70401}"));
  g_byte_array_set_size (out, 0);

  g_assert_true (
      hap_http_write_response (out, 200, NULL, tlv, (const guint8 *) PAIR_SETUP_M2_ERR, 6));
  assert_bytes (out, RAW ("HTTP/1.1 200 OK\r\n"
                          "Content-Type: application/pairing+tlv8\r\n"
                          "Content-Length: 6\r\n"
                          "\r\n" PAIR_SETUP_M2_ERR));
  g_byte_array_set_size (out, 0);

  /* Content-Length even when empty; own reason; appends to what is there. */
  g_byte_array_append (out, (const guint8 *) "x", 1);
  g_assert_true (hap_http_write_response (out, 207, "Multi", NULL, NULL, 0));
  assert_bytes (out, RAW ("xHTTP/1.1 207 Multi\r\nContent-Length: 0\r\n\r\n"));
  g_byte_array_set_size (out, 0);

  /* A status without a known phrase gets an empty one (RFC 9112 4). */
  g_assert_true (hap_http_write_response (out, 299, NULL, NULL, NULL, 0));
  assert_bytes (out, RAW ("HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n"));
  g_byte_array_unref (out);

  g_assert_cmpstr (hap_http_reason_phrase (200), ==, "OK");
  g_assert_cmpstr (hap_http_reason_phrase (207), ==, "Multi-Status");
  g_assert_cmpstr (hap_http_reason_phrase (413), ==, "Content Too Large");
  g_assert_cmpstr (hap_http_reason_phrase (431), ==, "Request Header Fields Too Large");
  g_assert_cmpstr (hap_http_reason_phrase (470), ==, "Connection Authorization Required");
  g_assert_cmpstr (hap_http_reason_phrase (299), ==, "");
}

/* The same bytes HAP-NodeJS 1.2.0 writes for an event (lib/util/eventedhttp.js,
 * writeEventNotification: status line, Content-Type, Content-Length, in that order). */
static void
test_write_event (void)
{
  GByteArray *out = g_byte_array_new ();
  static const gchar json[] = "{\"characteristics\":[{\"aid\":1,\"iid\":12,\"value\":1}]}";

  g_assert_true (hap_http_write_event (out, (const guint8 *) json, sizeof json - 1));
  assert_bytes (out, RAW ("EVENT/1.0 200 OK\r\n"
                          "Content-Type: application/hap+json\r\n"
                          "Content-Length: 50\r\n"
                          "\r\n"
                          "{\"characteristics\":[{\"aid\":1,\"iid\":12,\"value\":1}]}"));
  g_byte_array_unref (out);
}

/* hap-controller 0.10.2 (lib/transport/ip/http-connection.js) frames its requests the same
 * way: GET without Content-Length, POST/PUT always with one. */
static void
test_write_request (void)
{
  static const gchar *const host[] = { "Host", "Camera._hap._tcp.local", NULL };
  static const gchar *const tlv[]
      = { "Host", "Camera._hap._tcp.local", "Content-Type", "application/pairing+tlv8", NULL };
  GByteArray *out = g_byte_array_new ();

  g_assert_true (hap_http_write_request (out, "GET", "/accessories", host, NULL, 0));
  assert_bytes (out, RAW ("GET /accessories HTTP/1.1\r\nHost: Camera._hap._tcp.local\r\n\r\n"));
  g_byte_array_set_size (out, 0);

  g_assert_true (
      hap_http_write_request (out, "POST", "/pair-setup", tlv, (const guint8 *) PAIR_SETUP_M1, 6));
  assert_bytes (out, RAW ("POST /pair-setup HTTP/1.1\r\n"
                          "Host: Camera._hap._tcp.local\r\n"
                          "Content-Type: application/pairing+tlv8\r\n"
                          "Content-Length: 6\r\n"
                          "\r\n" PAIR_SETUP_M1));
  g_byte_array_set_size (out, 0);

  g_assert_true (hap_http_write_request (out, "PUT", "/characteristics", NULL, NULL, 0));
  assert_bytes (out, RAW ("PUT /characteristics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
  g_byte_array_set_size (out, 0);

  g_assert_true (
      hap_http_write_request (out, "GET", "/characteristics?id=1.2%2C1.3&ev=1", NULL, NULL, 0));
  assert_bytes (out, RAW ("GET /characteristics?id=1.2%2C1.3&ev=1 HTTP/1.1\r\n\r\n"));
  g_byte_array_unref (out);
}

/* Every request vector parsed, written back and parsed again is the same request (apart from
 * the Content-Length the writer sets itself). */
static void
test_write_roundtrip (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (request_vectors); i++) {
    const RequestVector *v = &request_vectors[i];
    Outcome a = run (TRUE, NULL, (const guint8 *) v->raw, v->raw_len, 0, 0);
    HapHttpRequest *ra = g_ptr_array_index (a.messages, 0), *rb;
    GPtrArray *list = g_ptr_array_new ();
    GByteArray *out = g_byte_array_new ();
    gsize body_len;
    const guint8 *body = g_bytes_get_data (ra->body, &body_len);
    Outcome b;

    for (guint j = 0; j < ra->headers->len; j++) {
      HapHttpHeader *h = g_ptr_array_index (ra->headers, j);

      if (g_ascii_strcasecmp (h->name, "Content-Length") == 0)
        continue;
      g_ptr_array_add (list, h->name);
      g_ptr_array_add (list, h->value);
    }
    g_ptr_array_add (list, NULL);
    g_assert_true (hap_http_write_request (
        out, ra->method, ra->target, (const gchar *const *) list->pdata, body, body_len));
    b = run (TRUE, NULL, out->data, out->len, 0, 0);
    g_assert_no_error (b.error);
    g_assert_cmpuint (b.messages->len, ==, 1);
    rb = g_ptr_array_index (b.messages, 0);
    g_assert_cmpstr (rb->method, ==, ra->method);
    g_assert_cmpstr (rb->target, ==, ra->target);
    g_assert_true (g_bytes_equal (ra->body, rb->body));
    g_assert_cmpstr (hap_http_request_get_header (rb, "Content-Type"), ==,
        hap_http_request_get_header (ra, "Content-Type"));
    g_assert_cmpstr (
        hap_http_request_get_header (rb, "Host"), ==, hap_http_request_get_header (ra, "Host"));
    g_ptr_array_unref (list);
    g_byte_array_unref (out);
    outcome_clear (&a);
    outcome_clear (&b);
  }
}

/* Caller misuse is a critical and leaves the output untouched. */
static void
test_write_misuse (void)
{
  static const gchar *const cl[] = { "Content-Length", "3", NULL };
  static const gchar *const te[] = { "transfer-encoding", "chunked", NULL };
  static const gchar *const crlf[] = { "X-A", "1\r\nX-Injected: 1", NULL };
  static const gchar *const badname[] = { "X A", "1", NULL };
  static const gchar *const odd[] = { "X-A", NULL };
  GByteArray *out = g_byte_array_new ();

#define EXPECT_MISUSE(call)                                                           \
  G_STMT_START                                                                        \
  {                                                                                   \
    g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*assertion*failed*"); \
    g_assert_false (call);                                                            \
    g_test_assert_expected_messages ();                                               \
    g_assert_cmpuint (out->len, ==, 0);                                               \
  }                                                                                   \
  G_STMT_END

  EXPECT_MISUSE (hap_http_write_response (out, 200, NULL, cl, (const guint8 *) "abc", 3));
  EXPECT_MISUSE (hap_http_write_response (out, 200, NULL, te, NULL, 0));
  EXPECT_MISUSE (hap_http_write_response (out, 200, NULL, crlf, NULL, 0));
  EXPECT_MISUSE (hap_http_write_response (out, 200, NULL, badname, NULL, 0));
  EXPECT_MISUSE (hap_http_write_response (out, 200, NULL, odd, NULL, 0));
  EXPECT_MISUSE (hap_http_write_response (out, 200, "O\r\nK", NULL, NULL, 0));
  EXPECT_MISUSE (hap_http_write_response (out, 99, NULL, NULL, NULL, 0));
  EXPECT_MISUSE (hap_http_write_response (out, 600, NULL, NULL, NULL, 0));
  EXPECT_MISUSE (hap_http_write_response (out, 204, NULL, NULL, (const guint8 *) "abc", 3));
  EXPECT_MISUSE (hap_http_write_response (out, 200, NULL, NULL, NULL, 3));
  EXPECT_MISUSE (hap_http_write_request (out, "GET ", "/", NULL, NULL, 0));
  EXPECT_MISUSE (hap_http_write_request (out, "GET", "http://cam/", NULL, NULL, 0));
  EXPECT_MISUSE (hap_http_write_request (out, "GET", "/a b", NULL, NULL, 0));
  EXPECT_MISUSE (hap_http_write_request (out, "POST", "/", cl, (const guint8 *) "abc", 3));
  EXPECT_MISUSE (hap_http_write_event (out, NULL, 5));
#undef EXPECT_MISUSE
  g_byte_array_unref (out);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/request/vectors", test_request_vectors);
  g_test_add_func ("/http/request/headers", test_request_headers);
  g_test_add_func ("/http/request/splits", test_request_splits);
  g_test_add_func ("/http/request/pipelined", test_request_pipelined);
  g_test_add_func ("/http/request/consumed", test_request_consumed);
  g_test_add_func ("/http/request/invalid", test_request_invalid);
  g_test_add_func ("/http/request/default-limits", test_request_default_limits);
  g_test_add_func ("/http/request/custom-limits", test_request_custom_limits);
  g_test_add_func ("/http/request/error-sticky", test_request_error_sticky);
  g_test_add_func ("/http/response/vectors", test_response_vectors);
  g_test_add_func ("/http/response/event-lookup", test_response_event_lookup);
  g_test_add_func ("/http/response/pipelined", test_response_pipelined);
  g_test_add_func ("/http/response/close-delimited", test_response_close_delimited);
  g_test_add_func ("/http/response/invalid", test_response_invalid);
  g_test_add_func ("/http/query/vectors", test_query_vectors);
  g_test_add_func ("/http/query/lookup", test_query_lookup);
  g_test_add_func ("/http/query/invalid", test_query_invalid);
  g_test_add_func ("/http/write/response", test_write_response);
  g_test_add_func ("/http/write/event", test_write_event);
  g_test_add_func ("/http/write/request", test_write_request);
  g_test_add_func ("/http/write/roundtrip", test_write_roundtrip);
  g_test_add_func ("/http/write/misuse", test_write_misuse);
  return g_test_run ();
}

/* libhap: HTTP/1.1 codec for HAP over IP, the parser. See http.h for what is accepted and why.
 *
 * The parser is a byte-driven state machine: it copies what it needs (the current line, the
 * body) and never looks back at earlier input, so the result depends only on the bytes fed,
 * never on how they were sliced. Every limit is checked on cumulative counts before data is
 * copied, so memory stays bounded by the limits whatever the slices are.
 *
 * Nothing from a message (target, header values, body) is ever logged: after pair-verify these
 * are decrypted payloads.
 */
#include "hap/http-private.h"

#include <string.h>

/* Longest chunk-size line (size and extensions) of a chunked response. */
#define MAX_CHUNK_LINE 1024

G_DEFINE_QUARK (hap - http - error - quark, hap_http_error)

typedef enum {
  KIND_REQUEST,
  KIND_RESPONSE,
} Kind;

typedef enum {
  STATE_START_LINE,
  STATE_HEADERS,
  STATE_BODY_LENGTH,
  STATE_CHUNK_SIZE,
  STATE_CHUNK_DATA,
  STATE_CHUNK_DATA_END,
  STATE_TRAILERS,
  STATE_BODY_CLOSE,
  STATE_ERROR,
} State;

struct _HapHttpParser {
  Kind kind;
  HapHttpLimits limits;
  State state;
  GError *error;       /* sticky, in STATE_ERROR */
  GByteArray *line;    /* the current line without its LF */
  gsize section_bytes; /* bytes of the current field or trailer section */
  guint section_lines; /* field or trailer lines in it */
  guint64 remaining;   /* body or chunk bytes still to come */
  gboolean complete;   /* the message under construction is done */

  /* The message under construction. */
  HapHttpRequest *request;
  HapHttpResponse *response;
  GPtrArray *headers;
  GByteArray *body; /* created at the first body byte */
  gint64 content_length;
  gboolean chunked;
  GBytes *empty_body; /* shared by every message without a body */
};

/* ---- limits, errors, messages ---- */

void
hap_http_limits_init_default (HapHttpLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_start_line = HAP_HTTP_DEFAULT_MAX_START_LINE;
  limits->max_header_bytes = HAP_HTTP_DEFAULT_MAX_HEADER_BYTES;
  limits->max_headers = HAP_HTTP_DEFAULT_MAX_HEADERS;
  limits->max_body = HAP_HTTP_DEFAULT_MAX_BODY;
}

guint
hap_http_error_to_status (const GError *error)
{
  g_return_val_if_fail (error != NULL, 400);

  if (error->domain != HAP_HTTP_ERROR)
    return 400;
  switch ((HapHttpError) error->code) {
    case HAP_HTTP_ERROR_UNSUPPORTED_VERSION:
      return 505;
    case HAP_HTTP_ERROR_START_LINE_TOO_LONG:
      return 414;
    case HAP_HTTP_ERROR_HEADERS_TOO_LARGE:
    case HAP_HTTP_ERROR_TOO_MANY_HEADERS:
      return 431;
    case HAP_HTTP_ERROR_BODY_TOO_LARGE:
      return 413;
    case HAP_HTTP_ERROR_TRANSFER_ENCODING:
      return 411;
    default:
      return 400;
  }
}

static void
header_free (gpointer data)
{
  g_free (data); /* name and value live in the same block */
}

void
hap_http_request_free (HapHttpRequest *request)
{
  if (!request)
    return;
  /* method, target, path and query live in the request's own block. */
  g_clear_pointer (&request->headers, g_ptr_array_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

void
hap_http_response_free (HapHttpResponse *response)
{
  if (!response)
    return;
  g_free (response->reason);
  g_clear_pointer (&response->headers, g_ptr_array_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}

static const gchar *
headers_lookup (const GPtrArray *headers, const gchar *name)
{
  if (!headers)
    return NULL;
  for (guint i = 0; i < headers->len; i++) {
    const HapHttpHeader *h = g_ptr_array_index (headers, i);

    if (g_ascii_strcasecmp (h->name, name) == 0)
      return h->value;
  }
  return NULL;
}

const gchar *
hap_http_request_get_header (const HapHttpRequest *request, const gchar *name)
{
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return headers_lookup (request->headers, name);
}

const gchar *
hap_http_response_get_header (const HapHttpResponse *response, const gchar *name)
{
  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return headers_lookup (response->headers, name);
}

/* ---- parser object ---- */

static gsize
body_len (const HapHttpParser *p)
{
  return p->body != NULL ? p->body->len : 0;
}

static GByteArray *
body_array (HapHttpParser *p)
{
  if (p->body == NULL)
    p->body = g_byte_array_new ();
  return p->body;
}

static GBytes *
steal_body (HapHttpParser *p)
{
  if (p->body == NULL)
    return g_bytes_ref (p->empty_body);
  return g_byte_array_free_to_bytes (g_steal_pointer (&p->body));
}

static void
clear_message (HapHttpParser *p)
{
  g_clear_pointer (&p->request, hap_http_request_free);
  g_clear_pointer (&p->response, hap_http_response_free);
  g_clear_pointer (&p->headers, g_ptr_array_unref);
  g_clear_pointer (&p->body, g_byte_array_unref);
  p->content_length = -1;
  p->chunked = FALSE;
  p->remaining = 0;
  p->complete = FALSE;
  p->section_bytes = 0;
  p->section_lines = 0;
  g_byte_array_set_size (p->line, 0);
}

static HapHttpParser *
parser_new (Kind kind, const HapHttpLimits *limits)
{
  HapHttpParser *p = g_new0 (HapHttpParser, 1);

  p->kind = kind;
  if (limits)
    p->limits = *limits;
  else
    hap_http_limits_init_default (&p->limits);
  p->line = g_byte_array_new ();
  p->empty_body = g_bytes_new (NULL, 0);
  p->state = STATE_START_LINE;
  clear_message (p);
  return p;
}

static gboolean
limits_valid (const HapHttpLimits *limits)
{
  /* A GByteArray holds at most G_MAXUINT bytes. */
  return !limits
         || (limits->max_start_line > 0 && limits->max_start_line < G_MAXSIZE
             && limits->max_header_bytes > 0 && limits->max_body < G_MAXUINT);
}

HapHttpParser *
hap_http_parser_new_request (const HapHttpLimits *limits)
{
  g_return_val_if_fail (limits_valid (limits), NULL);

  return parser_new (KIND_REQUEST, limits);
}

HapHttpParser *
hap_http_parser_new_response (const HapHttpLimits *limits)
{
  g_return_val_if_fail (limits_valid (limits), NULL);

  return parser_new (KIND_RESPONSE, limits);
}

void
hap_http_parser_free (HapHttpParser *parser)
{
  if (!parser)
    return;
  clear_message (parser);
  g_byte_array_unref (parser->line);
  g_bytes_unref (parser->empty_body);
  g_clear_error (&parser->error);
  g_free (parser);
}

void
hap_http_parser_reset (HapHttpParser *parser)
{
  g_return_if_fail (parser != NULL);

  clear_message (parser);
  g_clear_error (&parser->error);
  parser->state = STATE_START_LINE;
}

gboolean
hap_http_parser_is_idle (const HapHttpParser *parser)
{
  g_return_val_if_fail (parser != NULL, FALSE);

  return parser->state == STATE_START_LINE && parser->line->len == 0;
}

/* Puts the parser in error: returns FALSE so that callers can `return fail (...)`. */
G_GNUC_PRINTF (3, 4)
static gboolean
fail (HapHttpParser *p, HapHttpError code, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  p->error = g_error_new_valist (HAP_HTTP_ERROR, code, format, args);
  va_end (args);
  p->state = STATE_ERROR;
  g_debug ("http: rejecting %s: %s", p->kind == KIND_REQUEST ? "request" : "response",
      p->error->message);
  return FALSE;
}

/* ---- start lines ---- */

/* "HTTP/" DIGIT "." DIGIT */
static gboolean
is_http_version (const guint8 *s, gsize len)
{
  return len == 8 && memcmp (s, "HTTP/", 5) == 0 && g_ascii_isdigit (s[5]) && s[6] == '.'
         && g_ascii_isdigit (s[7]);
}

/* Copies s[0..len) to `dest` with a NUL; returns `dest`. */
static gchar *
copy_string (gchar *dest, const guint8 *s, gsize len)
{
  memcpy (dest, s, len);
  dest[len] = '\0';
  return dest;
}

static gboolean
parse_request_line (HapHttpParser *p, const guint8 *s, gsize len)
{
  gsize m = 0, t, t_end;
  const guint8 *q;

  while (m < len && is_tchar (s[m]))
    m++;
  if (m < len && s[m] != ' ')
    return fail (p, HAP_HTTP_ERROR_BAD_METHOD, "method is not a token");
  if (m == 0 || m == len)
    return fail (p, HAP_HTTP_ERROR_BAD_START_LINE, "request line has no method or target");

  t = m + 1;
  t_end = t;
  while (t_end < len && s[t_end] != ' ')
    t_end++;
  if (t_end == t || t_end == len)
    return fail (p, HAP_HTTP_ERROR_BAD_START_LINE, "request line has no target or version");
  if (!is_origin_form (s + t, t_end - t))
    return fail (p, HAP_HTTP_ERROR_BAD_TARGET, "request target is not a valid origin-form");

  if (!is_http_version (s + t_end + 1, len - t_end - 1))
    return fail (p, HAP_HTTP_ERROR_BAD_START_LINE, "request line has no valid HTTP version");
  if (memcmp (s + t_end + 1, "HTTP/1.1", 8) != 0)
    return fail (p, HAP_HTTP_ERROR_UNSUPPORTED_VERSION, "only HTTP/1.1 is supported");

  /* One block for the request and its four strings: one allocation per request, not five. */
  q = memchr (s + t, '?', t_end - t);
  p->request = g_malloc0 (sizeof (HapHttpRequest) + m + 1 + 2 * (t_end - t + 1));
  p->request->method = copy_string ((gchar *) (p->request + 1), s, m);
  p->request->target = copy_string (p->request->method + m + 1, s + t, t_end - t);
  p->request->path = copy_string (
      p->request->target + (t_end - t) + 1, s + t, q ? (gsize) (q - (s + t)) : t_end - t);
  if (q)
    p->request->query
        = copy_string (p->request->path + (q - (s + t)) + 1, q + 1, s + t_end - q - 1);
  return TRUE;
}

static gboolean
parse_status_line (HapHttpParser *p, const guint8 *s, gsize len)
{
  gboolean is_event;
  guint status;

  if (len >= 9 && memcmp (s, "HTTP/1.1 ", 9) == 0) {
    is_event = FALSE;
  } else if (len >= 10 && memcmp (s, "EVENT/1.0 ", 10) == 0) {
    is_event = TRUE;
    s++;
    len--;
  } else if (len >= 9 && is_http_version (s, 8) && s[8] == ' ') {
    return fail (
        p, HAP_HTTP_ERROR_UNSUPPORTED_VERSION, "only HTTP/1.1 and EVENT/1.0 are supported");
  } else {
    return fail (p, HAP_HTTP_ERROR_BAD_START_LINE, "status line has no valid version");
  }
  /* s[9..11] is the status code; an empty reason may come without its SP (RFC 9112 4). */
  if (len < 12 || !g_ascii_isdigit (s[9]) || !g_ascii_isdigit (s[10]) || !g_ascii_isdigit (s[11])
      || (len > 12 && s[12] != ' '))
    return fail (p, HAP_HTTP_ERROR_BAD_START_LINE, "status line has no 3-digit status code");
  status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
  if (status < 100 || status > 599)
    return fail (p, HAP_HTTP_ERROR_BAD_START_LINE, "status code out of range");
  if (len > 13 && !is_text (s + 13, len - 13))
    return fail (p, HAP_HTTP_ERROR_BAD_START_LINE, "invalid character in reason phrase");

  p->response = g_new0 (HapHttpResponse, 1);
  p->response->is_event = is_event;
  p->response->status = status;
  p->response->reason = len > 13 ? g_strndup ((const gchar *) s + 13, len - 13) : g_strdup ("");
  return TRUE;
}

/* ---- field lines ---- */

static gboolean
parse_field_line (HapHttpParser *p, const guint8 *s, gsize len, GPtrArray *into)
{
  gsize n = 0, v, v_end;

  if (len > 0 && is_ows (s[0]))
    return fail (p, HAP_HTTP_ERROR_OBS_FOLD, "obsolete line folding (line starts with whitespace)");
  while (n < len && is_tchar (s[n]))
    n++;
  if (n == 0 || n == len || s[n] != ':')
    return fail (
        p, HAP_HTTP_ERROR_BAD_HEADER, "field line has no token name directly followed by ':'");
  v = n + 1;
  v_end = len;
  while (v < v_end && is_ows (s[v]))
    v++;
  while (v_end > v && is_ows (s[v_end - 1]))
    v_end--;
  if (!is_text (s + v, v_end - v))
    return fail (p, HAP_HTTP_ERROR_BAD_HEADER, "invalid character in field value");
  if (into) {
    /* The header, its name and its value in one block. */
    HapHttpHeader *h = g_malloc (sizeof (HapHttpHeader) + n + 1 + (v_end - v) + 1);

    h->name = copy_string ((gchar *) (h + 1), s, n);
    h->value = copy_string (h->name + n + 1, s + v, v_end - v);
    g_ptr_array_add (into, h);
  }
  return TRUE;
}

/* Content-Length = 1*DIGIT, possibly repeated as a list; every value must be the same. */
static gboolean
merge_content_length (HapHttpParser *p, const gchar *value)
{
  const gchar *s = value;

  for (;;) {
    guint64 n = 0;
    gsize digits = 0;

    while (is_ows (*s))
      s++;
    while (g_ascii_isdigit (*s)) {
      guint d = *s - '0';

      if (n > ((guint64) G_MAXINT64 - d) / 10)
        return fail (p, HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, "Content-Length overflows");
      n = n * 10 + d;
      s++;
      digits++;
    }
    while (is_ows (*s))
      s++;
    if (digits == 0 || (*s != '\0' && *s != ','))
      return fail (p, HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, "Content-Length is not a number");
    if (p->content_length >= 0 && (guint64) p->content_length != n)
      return fail (p, HAP_HTTP_ERROR_BAD_CONTENT_LENGTH, "conflicting Content-Length values");
    p->content_length = (gint64) n;
    if (*s == '\0')
      return TRUE;
    s++;
  }
}

static gboolean
no_body_status (guint status)
{
  return status < 200 || status == 204 || status == 304;
}

/* The field section ended: decide how the body is framed. */
static gboolean
end_of_headers (HapHttpParser *p)
{
  guint n_te = 0;

  for (guint i = 0; i < p->headers->len; i++) {
    const HapHttpHeader *h = g_ptr_array_index (p->headers, i);

    if (g_ascii_strcasecmp (h->name, "Content-Length") == 0) {
      if (!merge_content_length (p, h->value))
        return FALSE;
    } else if (g_ascii_strcasecmp (h->name, "Transfer-Encoding") == 0) {
      if (p->kind == KIND_REQUEST)
        return fail (p, HAP_HTTP_ERROR_TRANSFER_ENCODING,
            "Transfer-Encoding (chunked) requests are not supported; send Content-Length");
      if (g_ascii_strcasecmp (h->value, "chunked") != 0)
        return fail (p, HAP_HTTP_ERROR_TRANSFER_ENCODING, "unsupported transfer coding");
      n_te++;
    }
  }
  if (n_te > 1)
    return fail (p, HAP_HTTP_ERROR_TRANSFER_ENCODING, "chunked applied more than once");
  if (n_te && p->content_length >= 0)
    return fail (p, HAP_HTTP_ERROR_TRANSFER_ENCODING, "both Transfer-Encoding and Content-Length");

  if (p->kind == KIND_RESPONSE && no_body_status (p->response->status)) {
    p->complete = TRUE;
  } else if (n_te) {
    p->chunked = TRUE;
    p->state = STATE_CHUNK_SIZE;
  } else if (p->content_length >= 0) {
    if ((guint64) p->content_length > p->limits.max_body)
      return fail (p, HAP_HTTP_ERROR_BODY_TOO_LARGE, "body larger than %" G_GSIZE_FORMAT " bytes",
          p->limits.max_body);
    p->remaining = (guint64) p->content_length;
    p->state = STATE_BODY_LENGTH;
    p->complete = p->remaining == 0;
  } else if (p->kind == KIND_RESPONSE) {
    p->state = STATE_BODY_CLOSE;
  } else {
    p->complete = TRUE;
  }
  return TRUE;
}

/* ---- chunked responses (RFC 9112 7.1) ---- */

static gboolean
parse_chunk_size (HapHttpParser *p, const guint8 *s, gsize len)
{
  guint64 size = 0;
  gsize i = 0;

  while (i < len && g_ascii_isxdigit (s[i])) {
    if (size > G_MAXUINT64 >> 4)
      return fail (p, HAP_HTTP_ERROR_BAD_CHUNK, "chunk size overflows");
    size = size << 4 | (guint64) g_ascii_xdigit_value (s[i]);
    i++;
  }
  if (i == 0)
    return fail (p, HAP_HTTP_ERROR_BAD_CHUNK, "chunk size is not hexadecimal");
  /* chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): parsed loosely and dropped. */
  while (i < len && is_ows (s[i]))
    i++;
  if (i < len && (s[i] != ';' || !is_text (s + i, len - i)))
    return fail (p, HAP_HTTP_ERROR_BAD_CHUNK, "malformed chunk extension");
  if (size > p->limits.max_body - body_len (p))
    return fail (p, HAP_HTTP_ERROR_BODY_TOO_LARGE, "body larger than %" G_GSIZE_FORMAT " bytes",
        p->limits.max_body);
  if (size == 0) {
    p->state = STATE_TRAILERS;
    p->section_bytes = 0;
    p->section_lines = 0;
  } else {
    p->remaining = size;
    p->state = STATE_CHUNK_DATA;
  }
  return TRUE;
}

/* ---- line handling ---- */

/* A complete line (without LF) is in p->line: act on it. */
static gboolean
process_line (HapHttpParser *p)
{
  const guint8 *s = p->line->data;
  gsize len = p->line->len;
  gboolean ok = TRUE;

  if (len > 0 && s[len - 1] == '\r')
    len--;
  if (len > 0 && memchr (s, '\r', len)) {
    /* A bare CR (RFC 9112 2.2): reported as what the line is. */
    switch (p->state) {
      case STATE_START_LINE:
        return fail (p, HAP_HTTP_ERROR_BAD_START_LINE, "bare CR in start line");
      case STATE_CHUNK_SIZE:
      case STATE_CHUNK_DATA_END:
        return fail (p, HAP_HTTP_ERROR_BAD_CHUNK, "bare CR in chunk framing");
      default:
        return fail (p, HAP_HTTP_ERROR_BAD_HEADER, "bare CR in field line");
    }
  }

  switch (p->state) {
    case STATE_START_LINE:
      if (len == 0) /* empty lines before a start line are ignored (RFC 9112 2.2) */
        break;
      if (len > p->limits.max_start_line)
        return fail (p, HAP_HTTP_ERROR_START_LINE_TOO_LONG,
            "start line longer than %" G_GSIZE_FORMAT, p->limits.max_start_line);
      ok = p->kind == KIND_REQUEST ? parse_request_line (p, s, len) : parse_status_line (p, s, len);
      if (ok) {
        p->headers = g_ptr_array_new_with_free_func (header_free);
        p->state = STATE_HEADERS;
        p->section_bytes = 0;
        p->section_lines = 0;
      }
      break;
    case STATE_HEADERS:
    case STATE_TRAILERS:
      if (len == 0) {
        if (p->state == STATE_TRAILERS)
          p->complete = TRUE;
        else
          ok = end_of_headers (p);
        break;
      }
      if (++p->section_lines > p->limits.max_headers)
        return fail (
            p, HAP_HTTP_ERROR_TOO_MANY_HEADERS, "more than %u field lines", p->limits.max_headers);
      /* Trailer fields are validated and dropped. */
      ok = parse_field_line (p, s, len, p->state == STATE_HEADERS ? p->headers : NULL);
      break;
    case STATE_CHUNK_SIZE:
      ok = parse_chunk_size (p, s, len);
      break;
    case STATE_CHUNK_DATA_END:
      if (len != 0)
        return fail (p, HAP_HTTP_ERROR_BAD_CHUNK, "chunk data not followed by CRLF");
      p->state = STATE_CHUNK_SIZE;
      break;
    default:
      g_assert_not_reached ();
  }
  g_byte_array_set_size (p->line, 0);
  return ok;
}

/* Takes bytes of the current line from data[0..len). Returns the number taken, or 0 (with
 * the parser in error) when a limit was hit; a line is never empty of bytes, so 0 is free. */
static gsize
take_line_bytes (HapHttpParser *p, const guint8 *data, gsize len)
{
  const guint8 *lf = memchr (data, '\n', len);
  gsize n = lf ? (gsize) (lf - data) : len;
  gsize taken = lf ? n + 1 : n;

  /* Exactly one limit per kind of line, on cumulative counts, so that the outcome does not
   * depend on how the input was sliced. */
  switch (p->state) {
    case STATE_START_LINE:
      /* One extra byte for a CR; the exact length is checked once the line is complete. */
      if (p->line->len + n > p->limits.max_start_line + 1) {
        fail (p, HAP_HTTP_ERROR_START_LINE_TOO_LONG, "start line longer than %" G_GSIZE_FORMAT,
            p->limits.max_start_line);
        return 0;
      }
      break;
    case STATE_HEADERS:
    case STATE_TRAILERS:
      if (taken > p->limits.max_header_bytes - p->section_bytes) {
        fail (p, HAP_HTTP_ERROR_HEADERS_TOO_LARGE, "field section larger than %" G_GSIZE_FORMAT,
            p->limits.max_header_bytes);
        return 0;
      }
      p->section_bytes += taken;
      break;
    case STATE_CHUNK_SIZE:
      if (p->line->len + n > MAX_CHUNK_LINE) {
        fail (p, HAP_HTTP_ERROR_BAD_CHUNK, "chunk size line too long");
        return 0;
      }
      break;
    case STATE_CHUNK_DATA_END:
      if (p->line->len + n > 1) {
        fail (p, HAP_HTTP_ERROR_BAD_CHUNK, "chunk data not followed by CRLF");
        return 0;
      }
      break;
    default:
      g_assert_not_reached ();
  }
  g_byte_array_append (p->line, data, (guint) n);
  if (lf && !process_line (p))
    return 0;
  return taken;
}

static gsize
take_body_bytes (HapHttpParser *p, const guint8 *data, gsize len)
{
  gsize n = (gsize) MIN ((guint64) len, p->remaining);

  g_byte_array_append (body_array (p), data, (guint) n);
  p->remaining -= n;
  if (p->remaining == 0) {
    if (p->state == STATE_CHUNK_DATA)
      p->state = STATE_CHUNK_DATA_END;
    else
      p->complete = TRUE;
  }
  return n;
}

static gsize
take_close_delimited (HapHttpParser *p, const guint8 *data, gsize len)
{
  if (len > p->limits.max_body - body_len (p)) {
    fail (p, HAP_HTTP_ERROR_BODY_TOO_LARGE, "body larger than %" G_GSIZE_FORMAT " bytes",
        p->limits.max_body);
    return 0;
  }
  g_byte_array_append (body_array (p), data, (guint) len);
  return len;
}

static HapParseResult
report_error (HapHttpParser *p, GError **error)
{
  if (error)
    *error = g_error_copy (p->error);
  return HAP_PARSE_INVALID;
}

/* Runs the state machine until a message is complete or the input is used up. */
static HapParseResult
feed (HapHttpParser *p, const guint8 *data, gsize len, gsize *consumed, GError **error)
{
  gsize pos = 0;

  *consumed = 0;
  if (p->state == STATE_ERROR)
    return report_error (p, error);

  while (pos < len) {
    gsize n;

    switch (p->state) {
      case STATE_BODY_LENGTH:
      case STATE_CHUNK_DATA:
        n = take_body_bytes (p, data + pos, len - pos);
        break;
      case STATE_BODY_CLOSE:
        n = take_close_delimited (p, data + pos, len - pos);
        break;
      default:
        n = take_line_bytes (p, data + pos, len - pos);
        break;
    }
    pos += n;
    *consumed = pos;
    if (p->state == STATE_ERROR)
      return report_error (p, error);
    if (p->complete)
      return HAP_PARSE_OK;
  }
  return HAP_PARSE_NEED_MORE;
}

HapParseResult
hap_http_parser_feed_request (HapHttpParser *parser, const guint8 *data, gsize len, gsize *consumed,
    HapHttpRequest **request, GError **error)
{
  HapParseResult res;
  HapHttpRequest *r;

  g_return_val_if_fail (parser != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (parser->kind == KIND_REQUEST, HAP_PARSE_INVALID);
  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (consumed != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (request != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  *request = NULL;
  res = feed (parser, data, len, consumed, error);
  if (res != HAP_PARSE_OK)
    return res;

  r = g_steal_pointer (&parser->request);
  r->headers = g_steal_pointer (&parser->headers);
  r->content_length = parser->content_length;
  r->body = steal_body (parser);
  clear_message (parser);
  parser->state = STATE_START_LINE;
  *request = r;
  return HAP_PARSE_OK;
}

static HapHttpResponse *
steal_response (HapHttpParser *p)
{
  HapHttpResponse *r = g_steal_pointer (&p->response);

  r->headers = g_steal_pointer (&p->headers);
  r->content_length = p->content_length;
  r->chunked = p->chunked;
  r->body = steal_body (p);
  clear_message (p);
  p->state = STATE_START_LINE;
  return r;
}

HapParseResult
hap_http_parser_feed_response (HapHttpParser *parser, const guint8 *data, gsize len,
    gsize *consumed, HapHttpResponse **response, GError **error)
{
  HapParseResult res;

  g_return_val_if_fail (parser != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (parser->kind == KIND_RESPONSE, HAP_PARSE_INVALID);
  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (consumed != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (response != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  *response = NULL;
  res = feed (parser, data, len, consumed, error);
  if (res == HAP_PARSE_OK)
    *response = steal_response (parser);
  return res;
}

HapParseResult
hap_http_parser_finish_response (HapHttpParser *parser, HapHttpResponse **response, GError **error)
{
  g_return_val_if_fail (parser != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (parser->kind == KIND_RESPONSE, HAP_PARSE_INVALID);
  g_return_val_if_fail (response != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  *response = NULL;
  if (parser->state == STATE_BODY_CLOSE) {
    *response = steal_response (parser);
    return HAP_PARSE_OK;
  }
  if (parser->state != STATE_ERROR && !hap_http_parser_is_idle (parser))
    fail (parser, HAP_HTTP_ERROR_TRUNCATED, "connection closed inside a message");
  if (parser->state == STATE_ERROR)
    return report_error (parser, error);
  g_byte_array_set_size (parser->line, 0);
  return HAP_PARSE_OK;
}

/* libhap: HTTP/1.1 codec for HAP over IP (PROTOCOL.md section 1).
 *
 * Pure codec: bytes in, bytes out, no I/O, no global state. Written for HAP, after RFC 9110
 * (semantics) and RFC 9112 (HTTP/1.1 message syntax):
 * - An incremental parser (HapHttpParser) for requests (accessory side) and responses,
 *   including HAP's unsolicited `EVENT/1.0 200 OK` messages (controller side). It may be fed
 *   arbitrary slices, split anywhere, and pipelined input: each feed call stops at the end of
 *   a message and reports how many bytes it took, the caller feeds the rest again.
 * - A query-string splitter with percent-decoding (`?id=1.10,1.11&meta=1&ev=1`).
 * - Writers for responses, EVENT/1.0 messages and requests, into a GByteArray.
 *
 * What the parser accepts (RFC 9112 references in brackets):
 * - Start lines with single SP separators [3, 4]. Requests: method = token, an origin-form
 *   target (starting with '/', RFC 3986 path/query characters, valid %XX escapes), version
 *   exactly HTTP/1.1. Responses: `HTTP/1.1` or `EVENT/1.0`, a 3-digit status 100-599, an
 *   optional reason phrase.
 * - Lines end in CRLF; a bare LF is tolerated [2.2], a bare CR is rejected. Empty lines before
 *   a start line are skipped [2.2].
 * - Field lines: name = token, ':' right after the name (whitespace before the colon is
 *   rejected [5.1]), value trimmed of SP/HTAB and free of CTLs other than HTAB [RFC 9110 5.5].
 *   obs-fold (a line starting with SP/HTAB) is rejected [5.2].
 * - Body framing [6.3]: requests use Content-Length only; any Transfer-Encoding in a request is
 *   rejected (HAP never uses it). Responses use Content-Length, `Transfer-Encoding: chunked`
 *   [7.1] (chunk extensions and trailer fields are parsed and dropped), or, with neither, the
 *   body runs until the connection closes (see hap_http_parser_finish_response()). 1xx, 204
 *   and 304 responses have no body. Content-Length must be 1*DIGIT without overflow; repeated
 *   or comma-listed values are accepted only when they are all equal [RFC 9110 8.6].
 *   Content-Length together with Transfer-Encoding is rejected.
 * - Not supported, because HAP has no use for them: responses to HEAD (the response parser
 *   does not know the request method), absolute-form/authority-form/asterisk-form targets,
 *   HTTP/1.0, and chunked or otherwise transfer-coded requests. The parser does not require
 *   a Host field; that is for the server to decide.
 */
#pragma once

#include <glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

/* Default limits (see HapHttpLimits). */
#define HAP_HTTP_DEFAULT_MAX_START_LINE 4096
#define HAP_HTTP_DEFAULT_MAX_HEADER_BYTES 8192
#define HAP_HTTP_DEFAULT_MAX_HEADERS 64
#define HAP_HTTP_DEFAULT_MAX_BODY (1024 * 1024)

/* Size limits of the parser. Every violation is its own HapHttpError. */
typedef struct {
  /* Request line or status line, without its line ending. */
  gsize max_start_line;
  /* Whole field section after the start line, line endings and the final empty line included;
   * the trailer section of a chunked response has the same limit. */
  gsize max_header_bytes;
  /* Number of field lines (and, separately, of trailer lines). */
  guint max_headers;
  /* Decoded body size. */
  gsize max_body;
} HapHttpLimits;

/* Fills `limits` with the HAP_HTTP_DEFAULT_* values. */
void hap_http_limits_init_default (HapHttpLimits *limits);

/* Why the parser rejected its input. hap_http_error_to_status() maps each to the status a
 * server answers with before closing the connection. */
#define HAP_HTTP_ERROR (hap_http_error_quark ())
GQuark hap_http_error_quark (void);

typedef enum {
  HAP_HTTP_ERROR_BAD_START_LINE,      /* 400: request/status line malformed */
  HAP_HTTP_ERROR_BAD_METHOD,          /* 400: method is not a token */
  HAP_HTTP_ERROR_BAD_TARGET,          /* 400: target not origin-form or bad characters */
  HAP_HTTP_ERROR_UNSUPPORTED_VERSION, /* 505: well-formed version other than HTTP/1.1 */
  HAP_HTTP_ERROR_START_LINE_TOO_LONG, /* 414: over max_start_line */
  HAP_HTTP_ERROR_BAD_HEADER,          /* 400: field line malformed */
  HAP_HTTP_ERROR_OBS_FOLD,            /* 400: obsolete line folding */
  HAP_HTTP_ERROR_HEADERS_TOO_LARGE,   /* 431: over max_header_bytes */
  HAP_HTTP_ERROR_TOO_MANY_HEADERS,    /* 431: over max_headers */
  HAP_HTTP_ERROR_BAD_CONTENT_LENGTH,  /* 400: not a number, overflow, or conflicting values */
  HAP_HTTP_ERROR_BODY_TOO_LARGE,      /* 413: over max_body */
  HAP_HTTP_ERROR_TRANSFER_ENCODING,   /* 411: request with Transfer-Encoding (chunked), or
                                       * a response with a coding other than chunked or with
                                       * both Transfer-Encoding and Content-Length */
  HAP_HTTP_ERROR_BAD_CHUNK,           /* 400: chunk size line or chunk end malformed */
  HAP_HTTP_ERROR_TRUNCATED,           /* 400: the peer closed inside a message */
} HapHttpError;

/* The status code a server should answer with for `error` (400 for an error of another
 * domain). */
guint hap_http_error_to_status (const GError *error);

/* One field line. `name` keeps the peer's case; `value` is trimmed of surrounding SP/HTAB. */
typedef struct {
  gchar *name;
  gchar *value;
} HapHttpHeader;

/* A parsed request. All strings are NUL-terminated and free of NUL bytes, and live in the
 * request's own allocation (as a header's name and value live in the header's): free the whole
 * with hap_http_request_free(), never a string alone. */
typedef struct {
  gchar *method;         /* case-sensitive token, e.g. "POST" */
  gchar *target;         /* raw request-target, e.g. "/characteristics?id=1.2&ev=1" */
  gchar *path;           /* target before '?', not percent-decoded, e.g. "/characteristics" */
  gchar *query;          /* target after the first '?' (may be ""), NULL when there is no '?' */
  GPtrArray *headers;    /* HapHttpHeader *, in order of arrival */
  gint64 content_length; /* -1 when the request had no Content-Length */
  GBytes *body;          /* never NULL; empty when there was no body */
} HapHttpRequest;

/* A parsed response or EVENT/1.0 message. */
typedef struct {
  gboolean is_event;     /* TRUE for `EVENT/1.0`, FALSE for `HTTP/1.1` */
  guint status;          /* 100..599 */
  gchar *reason;         /* reason phrase, possibly "" */
  GPtrArray *headers;    /* HapHttpHeader *, in order of arrival (trailers dropped) */
  gint64 content_length; /* -1 when the message had no Content-Length */
  gboolean chunked;      /* the body came with Transfer-Encoding: chunked */
  GBytes *body;          /* decoded body; never NULL */
} HapHttpResponse;

void hap_http_request_free (HapHttpRequest *request);
void hap_http_response_free (HapHttpResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapHttpRequest, hap_http_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapHttpResponse, hap_http_response_free)

/* Value of the first field named `name` (ASCII case-insensitive), or NULL. */
const gchar *hap_http_request_get_header (const HapHttpRequest *request, const gchar *name);
const gchar *hap_http_response_get_header (const HapHttpResponse *response, const gchar *name);

/* Incremental parser of one direction of one connection. */
typedef struct _HapHttpParser HapHttpParser;

/* `limits` may be NULL for the defaults; it is copied. */
HapHttpParser *hap_http_parser_new_request (const HapHttpLimits *limits);
HapHttpParser *hap_http_parser_new_response (const HapHttpLimits *limits);
void hap_http_parser_free (HapHttpParser *parser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapHttpParser, hap_http_parser_free)

/* Drops any partial message and a previous error: the parser is as new. */
void hap_http_parser_reset (HapHttpParser *parser);

/* TRUE when the parser holds no part of a message (nothing fed yet, or the last message was
 * complete, empty lines aside): a clean place for the connection to end. */
gboolean hap_http_parser_is_idle (const HapHttpParser *parser);

/* Feeds `len` bytes to a request parser.
 * - HAP_PARSE_OK: a request is complete; *request receives it (free with
 *   hap_http_request_free()) and *consumed the number of bytes of `data` it took, the rest
 *   belongs to the next message: feed data + *consumed again.
 * - HAP_PARSE_NEED_MORE: all `len` bytes were taken (*consumed == len); feed more.
 * - HAP_PARSE_INVALID: `error` says why (HAP_HTTP_ERROR); the parser stays in error (every
 *   later feed fails the same way) until hap_http_parser_reset(). Answer
 *   hap_http_error_to_status() and close.
 * `data` may be NULL when len is 0. */
HapParseResult hap_http_parser_feed_request (HapHttpParser *parser, const guint8 *data, gsize len,
    gsize *consumed, HapHttpRequest **request, GError **error);

/* The same for a response parser. */
HapParseResult hap_http_parser_feed_response (HapHttpParser *parser, const guint8 *data, gsize len,
    gsize *consumed, HapHttpResponse **response, GError **error);

/* Tells a response parser that the connection was closed. Returns HAP_PARSE_OK with
 * *response set when this ended a close-delimited body (a response with neither
 * Content-Length nor Transfer-Encoding), HAP_PARSE_OK with *response NULL when the parser was
 * idle, and HAP_PARSE_INVALID with HAP_HTTP_ERROR_TRUNCATED when the connection ended inside
 * a message (or the previous error again). Afterwards the parser is idle or in error. */
HapParseResult hap_http_parser_finish_response (
    HapHttpParser *parser, HapHttpResponse **response, GError **error);

/* One key=value pair of a query string, both percent-decoded (they live in the pair's own
 * allocation). */
typedef struct {
  gchar *key;
  gchar *value; /* "" when the pair had no '=' */
} HapHttpQueryParam;

/* Splits a query string (without the '?'; `len` -1 when NUL-terminated) into its pairs at '&',
 * each pair at its first '=', and percent-decodes keys and values ('+' stays '+', as in
 * RFC 3986). Empty pairs ("a=1&&b=2") are skipped. Returns a GPtrArray of
 * HapHttpQueryParam * (free with g_ptr_array_unref()), or NULL with `error` set
 * (HAP_CODEC_ERROR_MALFORMED) on a bad %-escape, a %00, or a NUL byte in the input. */
GPtrArray *hap_http_query_parse (const gchar *query, gssize len, GError **error);

/* Decoded value of the first pair with key `key`, or NULL. */
const gchar *hap_http_query_lookup (const GPtrArray *params, const gchar *key);

/* Standard reason phrase for `status` ("OK", "Multi-Status", "Connection Authorization
 * Required" for HAP's 470, ...), "" for codes it does not know. */
const gchar *hap_http_reason_phrase (guint status);

/* Writers. `headers` is a NULL-terminated list of alternating names and values, e.g.
 * { "Content-Type", "application/hap+json", NULL }, or NULL. Names must be tokens and values
 * free of CR, LF and NUL; Content-Length and Transfer-Encoding must not be among them (the
 * writers frame the body themselves). On misuse they return FALSE with a critical and leave
 * `out` untouched; otherwise they append the whole message to `out` and return TRUE. */

/* `HTTP/1.1 <status> <reason>` + headers + `Content-Length` + body. `reason` NULL uses
 * hap_http_reason_phrase(). For 1xx and 204 (which must not carry one, RFC 9110 8.6) there
 * is no Content-Length and `body_len` must be 0. */
gboolean hap_http_write_response (GByteArray *out, guint status, const gchar *reason,
    const gchar *const *headers, const guint8 *body, gsize body_len);

/* `EVENT/1.0 200 OK` with `Content-Type: application/hap+json` and the JSON body
 * `{"characteristics":[...]}` the caller built. */
gboolean hap_http_write_event (GByteArray *out, const guint8 *json, gsize json_len);

/* `<method> <target> HTTP/1.1` + headers (the caller passes Host) + body. Content-Length is
 * written whenever there is a body and for every method other than GET and HEAD
 * (RFC 9110 8.6). `target` must be origin-form. */
gboolean hap_http_write_request (GByteArray *out, const gchar *method, const gchar *target,
    const gchar *const *headers, const guint8 *body, gsize body_len);

G_END_DECLS

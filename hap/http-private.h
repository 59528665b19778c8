/* libhap: internals shared by the HTTP codec files (not installed).
 *   http-parser.c  request/response parser and the parsed message objects
 *   http-writer.c  request/response/event writers, reason phrases
 *   http-query.c   query strings
 */
#pragma once

#include "hap/http.h"

G_BEGIN_DECLS

/* ---- character classes (RFC 9110 5.6.2, RFC 3986 3.3/3.4) ---- */

static inline gboolean
is_tchar (guint8 c)
{
  return g_ascii_isalnum (c) || (c != 0 && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Field values and reason phrases: HTAB, SP, VCHAR, obs-text. */
static inline gboolean
is_text_char (guint8 c)
{
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static inline gboolean
is_target_char (guint8 c)
{
  return g_ascii_isalnum (c) || (c != 0 && strchr ("-._~!$&'()*+,;=:@/?%", c) != NULL);
}

static inline gboolean
is_ows (guint8 c)
{
  return c == ' ' || c == '\t';
}

static inline gboolean
is_token (const guint8 *s, gsize len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_tchar (s[i]))
      return FALSE;
  return TRUE;
}

static inline gboolean
is_text (const guint8 *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!is_text_char (s[i]))
      return FALSE;
  return TRUE;
}

/* An origin-form request-target: '/' then path/query characters with valid %XX escapes. */
static inline gboolean
is_origin_form (const guint8 *s, gsize len)
{
  if (len == 0 || s[0] != '/')
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    if (!is_target_char (s[i]))
      return FALSE;
    if (s[i] == '%'
        && (i + 2 >= len || !g_ascii_isxdigit (s[i + 1]) || !g_ascii_isxdigit (s[i + 2])))
      return FALSE;
  }
  return TRUE;
}

G_END_DECLS

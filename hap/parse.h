/* libhap: result codes shared by the pure codecs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a codec says about bytes from a peer. Codecs never assert on peer bytes. */
typedef enum {
  HAP_PARSE_OK = 0,    /* a complete unit was decoded */
  HAP_PARSE_NEED_MORE, /* the input is a valid prefix; feed more bytes */
  HAP_PARSE_INVALID,   /* the input can never become valid; close or reject */
} HapParseResult;

#define HAP_CODEC_ERROR (hap_codec_error_quark ())
GQuark hap_codec_error_quark (void);

/* GError codes in HAP_CODEC_ERROR, for codecs that report why input was rejected. */
typedef enum {
  HAP_CODEC_ERROR_TRUNCATED,    /* input ends inside an item */
  HAP_CODEC_ERROR_TOO_LARGE,    /* over a documented size limit */
  HAP_CODEC_ERROR_MALFORMED,    /* structurally wrong */
  HAP_CODEC_ERROR_MISSING,      /* a required field is absent */
  HAP_CODEC_ERROR_OUT_OF_RANGE, /* a value outside what the protocol allows */
  HAP_CODEC_ERROR_AUTH,         /* authentication tag or proof did not verify */
} HapCodecError;

/* Sets `error` (may be NULL) to `code` in HAP_CODEC_ERROR with a formatted message and returns
 * FALSE, for `return hap_codec_fail (error, ...);` in codecs. */
gboolean hap_codec_fail (GError **error, HapCodecError code, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

G_END_DECLS

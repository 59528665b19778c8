/* libhap: what the pure codecs share (see hap/parse.h). */
#include "hap/parse.h"

G_DEFINE_QUARK (hap - codec - error - quark, hap_codec_error)

gboolean
hap_codec_fail (GError **error, HapCodecError code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HAP_CODEC_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

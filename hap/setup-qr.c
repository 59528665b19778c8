#include "hap/setup-qr.h"

#include <qrencode.h>

#include "hap/parse.h"

#define QUIET_ZONE 2

/* TRUE when the module at (x, y) of the code with its quiet zone is light. */
static gboolean
module_light (const QRcode *qr, int x, int y)
{
  x -= QUIET_ZONE;
  y -= QUIET_ZONE;
  if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
    return TRUE;
  return (qr->data[y * qr->width + x] & 1) == 0;
}

gchar *
hap_setup_qr_render (const char *text, HapSetupQrStyle style, GError **error)
{
  QRcode *qr;
  GString *out;
  int size;

  g_return_val_if_fail (text != NULL, NULL);

  /* Medium error correction, as printed setup codes use; upper-case payloads fit alphanumeric
   * mode, which keeps the code small. */
  qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == NULL) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "cannot encode \"%s\" as a QR code", text);
    return NULL;
  }

  size = qr->width + 2 * QUIET_ZONE;
  out = g_string_new (NULL);
  for (int y = 0; y < size; y += 2) {
    if (style == HAP_SETUP_QR_ANSI)
      g_string_append (out, "\033[30;47m");
    for (int x = 0; x < size; x++) {
      gboolean top = module_light (qr, x, y);
      gboolean bottom = y + 1 < size ? module_light (qr, x, y + 1) : TRUE;
      if (style == HAP_SETUP_QR_ANSI) {
        /* Foreground black on white background: draw the dark halves. */
        if (!top && !bottom)
          g_string_append (out, "\u2588");
        else if (!top)
          g_string_append (out, "\u2580");
        else if (!bottom)
          g_string_append (out, "\u2584");
        else
          g_string_append_c (out, ' ');
      } else {
        if (top && bottom)
          g_string_append (out, "\u2588");
        else if (top)
          g_string_append (out, "\u2580");
        else if (bottom)
          g_string_append (out, "\u2584");
        else
          g_string_append_c (out, ' ');
      }
    }
    if (style == HAP_SETUP_QR_ANSI)
      g_string_append (out, "\033[0m");
    g_string_append_c (out, '\n');
  }
  QRcode_free (qr);
  return g_string_free (out, FALSE);
}

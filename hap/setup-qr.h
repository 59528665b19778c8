/* libhap: the setup payload as a QR code drawn with text, for printing in a terminal. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  /* Light modules as Unicode block characters, dark as spaces: for dark terminals. */
  HAP_SETUP_QR_BLOCKS = 0,
  /* ANSI colours force black on white, whatever the terminal's colours. */
  HAP_SETUP_QR_ANSI = 1,
} HapSetupQrStyle;

/* Renders `text` (an X-HM:// payload) as a QR code, two module rows per text line, with a
 * 2-module quiet zone. Returns NULL with `error` set when the code cannot be encoded. */
gchar *hap_setup_qr_render (const char *text, HapSetupQrStyle style, GError **error);

G_END_DECLS

/* Tests for hap/setup-qr.c: the rendered text is turned back into an image and read by an
 * independent decoder (zbarimg from zbar-tools); skipped when zbarimg is not installed. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hap/setup-qr.h"

#define SCALE 4

/* Parses the block rendering back into a module bitmap (TRUE = light). */
static gboolean *
blocks_to_modules (const char *text, int *width, int *height)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int rows = 0, cols = 0;
  gboolean *modules;

  while (lines[rows] && lines[rows][0])
    rows++;
  cols = (int) g_utf8_strlen (lines[0], -1);
  modules = g_new0 (gboolean, (gsize) cols * rows * 2);
  for (int r = 0; r < rows; r++) {
    const char *p = lines[r];
    g_assert_cmpint (g_utf8_strlen (p, -1), ==, cols);
    for (int c = 0; c < cols; c++, p = g_utf8_next_char (p)) {
      gunichar ch = g_utf8_get_char (p);
      gboolean top = ch == 0x2588 || ch == 0x2580;
      gboolean bottom = ch == 0x2588 || ch == 0x2584;
      g_assert_true (ch == 0x2588 || ch == 0x2580 || ch == 0x2584 || ch == ' ');
      modules[(2 * r) * cols + c] = top;
      modules[(2 * r + 1) * cols + c] = bottom;
    }
  }
  *width = cols;
  *height = rows * 2;
  return modules;
}

/* Writes the modules as a binary PGM image, dark modules black, SCALE pixels per module. */
static gchar *
write_pgm (const gboolean *modules, int width, int height)
{
  GString *img = g_string_new (NULL);
  gchar *path = NULL;
  int fd = g_file_open_tmp ("hap-qr-XXXXXX.pgm", &path, NULL);

  g_assert_cmpint (fd, >=, 0);
  g_string_append_printf (img, "P5\n%d %d\n255\n", width * SCALE, height * SCALE);
  for (int y = 0; y < height * SCALE; y++)
    for (int x = 0; x < width * SCALE; x++)
      g_string_append_c (img, modules[(y / SCALE) * width + x / SCALE] ? (char) 255 : 0);
  g_assert_true (g_file_set_contents (path, img->str, (gssize) img->len, NULL));
  g_close (fd, NULL);
  g_string_free (img, TRUE);
  return path;
}

static void
test_decodes (void)
{
  static const char *payloads[] = {
    "X-HM://0071WK4SM7OSX", /* HomeKitADK's vector: 518-08-582, 7OSX, IP, category 7 */
    "X-HM://00KUTQ4AR1234",
  };
  g_autofree gchar *zbarimg = g_find_program_in_path ("zbarimg");

  if (!zbarimg) {
    g_test_skip ("zbarimg (zbar-tools) is not installed: no independent QR decoder");
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++) {
    g_autofree gchar *text = hap_setup_qr_render (payloads[i], HAP_SETUP_QR_BLOCKS, NULL);
    g_autofree gchar *path = NULL, *out = NULL, *expected = NULL;
    g_autofree gboolean *modules = NULL;
    int w, h, status = -1;
    const char *argv[] = { zbarimg, "--quiet", "--raw", NULL, NULL };

    g_assert_nonnull (text);
    modules = blocks_to_modules (text, &w, &h);
    path = write_pgm (modules, w, h);
    argv[3] = path;
    g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
        NULL, &out, NULL, &status, NULL));
    g_unlink (path);
    expected = g_strconcat (payloads[i], "\n", NULL);
    g_assert_cmpstr (out, ==, expected);
    g_assert_cmpint (status, ==, 0);
  }
}

static void
test_ansi_same_modules (void)
{
  g_autofree gchar *blocks
      = hap_setup_qr_render ("X-HM://0071WK4SM7OSX", HAP_SETUP_QR_BLOCKS, NULL);
  g_autofree gchar *ansi = hap_setup_qr_render ("X-HM://0071WK4SM7OSX", HAP_SETUP_QR_ANSI, NULL);
  g_auto (GStrv) bl = g_strsplit (blocks, "\n", -1);
  g_auto (GStrv) al = g_strsplit (ansi, "\n", -1);

  /* Same number of lines; each ANSI line starts black-on-white and resets at its end. */
  g_assert_cmpuint (g_strv_length (bl), ==, g_strv_length (al));
  for (guint i = 0; al[i] && al[i][0]; i++) {
    g_assert_true (g_str_has_prefix (al[i], "\033[30;47m"));
    g_assert_true (g_str_has_suffix (al[i], "\033[0m"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/setup-qr/decodes", test_decodes);
  g_test_add_func ("/setup-qr/ansi", test_ansi_same_modules);
  return g_test_run ();
}

/* Unit tests for gst/clip-location.c (the file names of hksvsink's standalone clips): a table of
 * patterns with the names they give, and an invalid-input table of patterns without exactly one
 * integer conversion. The expected names are written out by hand, not produced by printf. */
#include "gst/clip-location.h"
#include "tests/common/test-util.h"

static void
test_format (void)
{
  static const struct {
    const gchar *pattern;
    guint index;
    const gchar *name;
  } cases[] = {
    { "clip-%05d.mp4", 42, "clip-00042.mp4" },
    { "clip-%d.mp4", 0, "clip-0.mp4" },
    { "%u", 4294967295u, "4294967295" },
    { "%i.mp4", 7, "7.mp4" },
    { "%3d|", 7, "  7|" },
    { "%-3d|", 7, "7  |" },
    { "%-03d|", 7, "7  |" }, /* left-justified: padded with spaces, as printf */
    { "%02d", 12345, "12345" },
    { "100%%-%d%%", 3, "100%-3%" },
    { "/tmp/a b/%d", 1, "/tmp/a b/1" },
    { "%099d", 1,
        "00000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000001" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *name = hksv_clip_location_format (cases[i].pattern, cases[i].index);
    g_assert_cmpstr (name, ==, cases[i].name);
  }
}

static void
test_invalid (void)
{
  static const gchar *const patterns[] = {
    "",              /* no conversion */
    "clip.mp4",      /* no conversion */
    "100%%.mp4",     /* %% is no conversion */
    "%d-%d.mp4",     /* two */
    "%s.mp4",        /* not an integer */
    "%x.mp4",        /* not decimal */
    "%ld.mp4",       /* no length modifiers */
    "%5.2d.mp4",     /* no precision */
    "%+d.mp4",       /* no + flag */
    "%100d.mp4",     /* width of 100 */
    "%99999999999d", /* a width that would overflow */
    "clip-%",        /* a lone % at the end */
    "clip-%05",      /* a conversion without its type */
    "%d%",           /* a conversion and a lone % */
  };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++) {
    g_autofree gchar *name = hksv_clip_location_format (patterns[i], 1);
    if (name != NULL)
      g_error ("pattern \"%s\" gave \"%s\"; expected refusal", patterns[i], name);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clip-location/format", test_format);
  g_test_add_func ("/clip-location/invalid", test_invalid);
  return g_test_run ();
}

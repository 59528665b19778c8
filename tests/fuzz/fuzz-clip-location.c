/* libFuzzer target for gst/clip-location.c (the file names of hksvsink's clips).
 *
 * Formats the input as a pattern with the smallest and the largest index: a pattern is refused
 * for both or for neither; a name is at most the pattern plus the widest conversion long, and
 * names for different indices differ. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gst/clip-location.h"
#include "tests/fuzz/fuzz-target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gchar *pattern = g_strndup ((const gchar *) data, size); /* stops at an embedded NUL */
  gchar *first = hksv_clip_location_format (pattern, 0);
  gchar *last = hksv_clip_location_format (pattern, G_MAXUINT);

  CHECK ((first == NULL) == (last == NULL));
  if (first) {
    CHECK (strlen (first) <= strlen (pattern) + 99);
    CHECK (strlen (last) <= strlen (pattern) + 99);
    CHECK (strcmp (first, last) != 0);
  }
  g_free (first);
  g_free (last);
  g_free (pattern);
  return 0;
}

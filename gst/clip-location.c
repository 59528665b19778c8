/* libgsthksv: the file name of a standalone clip. See gst/clip-location.h. */
#include "gst/clip-location.h"

gchar *
hksv_clip_location_format (const gchar *pattern, guint index)
{
  g_autoptr (GString) out = NULL;
  gboolean seen = FALSE;

  g_return_val_if_fail (pattern != NULL, NULL);

  out = g_string_new (NULL);
  for (const gchar *p = pattern; *p; p++) {
    gboolean zero = FALSE, left = FALSE;
    guint width = 0;
    gchar digits[16];
    gsize n;

    if (*p != '%') {
      g_string_append_c (out, *p);
      continue;
    }
    p++;
    if (*p == '%') {
      g_string_append_c (out, '%');
      continue;
    }
    for (; *p == '0' || *p == '-'; p++) {
      if (*p == '0')
        zero = TRUE;
      else
        left = TRUE;
    }
    for (; g_ascii_isdigit (*p) && width < 100; p++)
      width = width * 10 + (guint) (*p - '0');
    if ((*p != 'd' && *p != 'i' && *p != 'u') || seen || width >= 100)
      return NULL;
    seen = TRUE;
    n = (gsize) g_snprintf (digits, sizeof (digits), "%u", index);
    if (!left)
      for (; n < width; n++)
        g_string_append_c (out, zero ? '0' : ' ');
    g_string_append (out, digits);
    if (left)
      for (; n < width; n++)
        g_string_append_c (out, ' ');
  }
  if (!seen)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

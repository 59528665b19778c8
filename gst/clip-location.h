/* libgsthksv: the file name of a standalone clip (hksvsink's `location` property).
 *
 * A pattern holds exactly one integer conversion - %d, %i or %u with optional 0 and - flags and
 * a width below 100 (clip-%05d.mp4) - and any number of %% (a percent sign). It is formatted
 * here, never handed to printf, so a user's pattern is never a format string. Pure (GLib only).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `pattern` with its conversion replaced by `index`; NULL when the pattern does not hold exactly
 * one conversion (or holds another one, or a width of 100 or more). */
gchar *hksv_clip_location_format (const gchar *pattern, guint index);

G_END_DECLS

/* libhap: the wire form of HAP service and characteristic types (see hap/hap-uuids.h). Shared
 * by the accessory database (hap/accessory-db.h) and the controller's view of one
 * (hap/remote-db.h). */
#include "hap/hap-uuids.h"

#include <string.h>

static gboolean
all_hex (const gchar *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

gchar *
hap_uuid_normalize (const gchar *type)
{
  gsize len;
  g_autofree gchar *up = NULL;

  g_return_val_if_fail (type != NULL, NULL);

  len = strlen (type);
  if (len >= 1 && len <= 8 && all_hex (type, len)) {
    const gchar *p = type;
    while (*p == '0' && p[1] != '\0')
      p++;
    return g_ascii_strup (p, -1);
  }
  if (len != 36 || type[8] != '-' || type[13] != '-' || type[18] != '-' || type[23] != '-')
    return NULL;
  if (!all_hex (type, 8) || !all_hex (type + 9, 4) || !all_hex (type + 14, 4)
      || !all_hex (type + 19, 4) || !all_hex (type + 24, 12))
    return NULL;
  up = g_ascii_strup (type, -1);
  if (g_str_equal (up + 8, HAP_UUID_APPLE_BASE)) {
    up[8] = '\0';
    return hap_uuid_normalize (up);
  }
  return g_steal_pointer (&up);
}

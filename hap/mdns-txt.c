#include "hap/mdns-txt.h"

#include <string.h>

#include "hap/setup-payload.h"

#define MODEL_MAX 200 /* keeps "md=" + model well under the 255-byte TXT string limit */

static gboolean
device_id_is_valid (const char *id)
{
  gsize i;

  if (id == NULL || strlen (id) != HAP_DEVICE_ID_LEN)
    return FALSE;
  for (i = 0; i < HAP_DEVICE_ID_LEN; i++) {
    if (i % 3 == 2) {
      if (id[i] != ':')
        return FALSE;
    } else if (!g_ascii_isdigit (id[i]) && !(id[i] >= 'A' && id[i] <= 'F')) {
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
setup_hash_is_valid (const char *sh)
{
  g_autofree guchar *raw = NULL;
  gsize i, len;

  if (strlen (sh) != 8)
    return FALSE;
  for (i = 0; i < 8; i++)
    if (!g_ascii_isalnum (sh[i]) && sh[i] != '+' && sh[i] != '/' && sh[i] != '=')
      return FALSE;
  raw = g_base64_decode (sh, &len);
  return len == HAP_SETUP_HASH_LEN;
}

gboolean
hap_mdns_txt_is_valid (const HapMdnsTxt *txt)
{
  if (txt == NULL)
    return FALSE;
  if (txt->config_number < 1 || txt->config_number > HAP_MDNS_CONFIG_NUMBER_MAX) {
    g_debug ("mDNS TXT: c# %u outside 1..%d", txt->config_number, HAP_MDNS_CONFIG_NUMBER_MAX);
    return FALSE;
  }
  if (txt->feature_flags > 255) {
    g_debug ("mDNS TXT: ff %u over 255", txt->feature_flags);
    return FALSE;
  }
  if (!device_id_is_valid (txt->device_id)) {
    g_debug ("mDNS TXT: id is not an upper-case XX:XX:XX:XX:XX:XX device ID");
    return FALSE;
  }
  if (txt->model == NULL || txt->model[0] == '\0' || strlen (txt->model) > MODEL_MAX
      || !g_utf8_validate (txt->model, -1, NULL)) {
    g_debug ("mDNS TXT: md must be 1..%d bytes of UTF-8", MODEL_MAX);
    return FALSE;
  }
  if (txt->category < 1 || txt->category > 65535) {
    g_debug ("mDNS TXT: ci %u outside 1..65535", txt->category);
    return FALSE;
  }
  if (txt->setup_hash != NULL && !setup_hash_is_valid (txt->setup_hash)) {
    g_debug ("mDNS TXT: sh is not the base64 of 4 bytes");
    return FALSE;
  }
  return TRUE;
}

gchar **
hap_mdns_txt_build (const HapMdnsTxt *txt)
{
  GPtrArray *list;

  g_return_val_if_fail (hap_mdns_txt_is_valid (txt), NULL);

  list = g_ptr_array_new ();
  g_ptr_array_add (list, g_strdup_printf ("c#=%u", txt->config_number));
  g_ptr_array_add (list, g_strdup_printf ("ff=%u", txt->feature_flags));
  g_ptr_array_add (list, g_strdup_printf ("id=%s", txt->device_id));
  g_ptr_array_add (list, g_strdup_printf ("md=%s", txt->model));
  g_ptr_array_add (list, g_strdup ("pv=" HAP_MDNS_PROTOCOL_VERSION));
  g_ptr_array_add (list, g_strdup ("s#=1"));
  g_ptr_array_add (list, g_strdup (txt->paired ? "sf=0" : "sf=1"));
  g_ptr_array_add (list, g_strdup_printf ("ci=%u", txt->category));
  if (txt->setup_hash != NULL)
    g_ptr_array_add (list, g_strdup_printf ("sh=%s", txt->setup_hash));
  g_ptr_array_add (list, NULL);
  return (gchar **) g_ptr_array_free (list, FALSE);
}

guint
hap_mdns_config_number_next (guint config_number)
{
  if (config_number >= HAP_MDNS_CONFIG_NUMBER_MAX)
    return 1;
  return config_number + 1;
}

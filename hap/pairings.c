/* libhap: controller pairings. See hap/pairings.h. */
#include "hap/pairings.h"

#include <string.h>
#include <sodium.h>

#include "hap/pairing-tlv.h"
#include "hap/parse.h"

#define MAGIC "HAPP"
#define MAGIC_LEN 4
#define VERSION 1

struct _HapPairings {
  GArray *items; /* HapPairing */
};

HapPairings *
hap_pairings_new (void)
{
  HapPairings *pairings = g_new0 (HapPairings, 1);

  pairings->items = g_array_new (FALSE, TRUE, sizeof (HapPairing));
  return pairings;
}

void
hap_pairings_free (HapPairings *pairings)
{
  if (pairings == NULL)
    return;
  g_array_unref (pairings->items);
  g_free (pairings);
}

guint
hap_pairings_count (const HapPairings *pairings)
{
  g_return_val_if_fail (pairings != NULL, 0);

  return pairings->items->len;
}

const HapPairing *
hap_pairings_get (const HapPairings *pairings, guint index)
{
  g_return_val_if_fail (pairings != NULL, NULL);

  if (index >= pairings->items->len)
    return NULL;
  return &g_array_index (pairings->items, HapPairing, index);
}

static gint
find_index (const HapPairings *pairings, const char *id)
{
  for (guint i = 0; i < pairings->items->len; i++) {
    if (strcmp (g_array_index (pairings->items, HapPairing, i).id, id) == 0)
      return (gint) i;
  }
  return -1;
}

const HapPairing *
hap_pairings_find (const HapPairings *pairings, const char *id)
{
  gint i;

  g_return_val_if_fail (pairings != NULL && id != NULL, NULL);

  i = find_index (pairings, id);
  return i < 0 ? NULL : &g_array_index (pairings->items, HapPairing, i);
}

gboolean
hap_pairings_has_admin (const HapPairings *pairings)
{
  g_return_val_if_fail (pairings != NULL, FALSE);

  for (guint i = 0; i < pairings->items->len; i++) {
    if (g_array_index (pairings->items, HapPairing, i).permissions == HAP_PAIRING_PERM_ADMIN)
      return TRUE;
  }
  return FALSE;
}

gboolean
hap_pairings_add (HapPairings *pairings, const char *id, const guint8 ltpk[32], guint8 permissions,
    GError **error)
{
  HapPairing pairing;
  gint i;

  g_return_val_if_fail (pairings != NULL && id != NULL && ltpk != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!hap_pairing_id_is_valid ((const guint8 *) id, strlen (id), HAP_PAIRING_ID_MAX)) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "invalid pairing id");
    return FALSE;
  }
  if (permissions > HAP_PAIRING_PERM_ADMIN) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE, "invalid permissions %u",
        permissions);
    return FALSE;
  }
  i = find_index (pairings, id);
  if (i >= 0) {
    HapPairing *existing = &g_array_index (pairings->items, HapPairing, i);
    if (sodium_memcmp (existing->ltpk, ltpk, 32) != 0) {
      g_set_error (error, HAP_PAIRING_ERROR, HAP_PAIRING_ERROR_UNKNOWN,
          "pairing %s exists with another key", id);
      return FALSE;
    }
    existing->permissions = permissions;
    return TRUE;
  }
  if (pairings->items->len >= HAP_PAIRINGS_MAX) {
    g_set_error (error, HAP_PAIRING_ERROR, HAP_PAIRING_ERROR_MAX_PEERS, "already %d pairings",
        HAP_PAIRINGS_MAX);
    return FALSE;
  }
  memset (&pairing, 0, sizeof (pairing));
  g_strlcpy (pairing.id, id, sizeof (pairing.id));
  memcpy (pairing.ltpk, ltpk, 32);
  pairing.permissions = permissions;
  g_array_append_val (pairings->items, pairing);
  return TRUE;
}

gboolean
hap_pairings_remove (HapPairings *pairings, const char *id)
{
  gint i;

  g_return_val_if_fail (pairings != NULL && id != NULL, FALSE);

  i = find_index (pairings, id);
  if (i < 0)
    return FALSE;
  g_array_remove_index (pairings->items, (guint) i);
  return TRUE;
}

void
hap_pairings_clear (HapPairings *pairings)
{
  g_return_if_fail (pairings != NULL);

  g_array_set_size (pairings->items, 0);
}

GBytes *
hap_pairings_serialize (const HapPairings *pairings)
{
  GByteArray *out;
  guint8 header[MAGIC_LEN + 2];

  g_return_val_if_fail (pairings != NULL, NULL);

  out = g_byte_array_new ();
  memcpy (header, MAGIC, MAGIC_LEN);
  header[MAGIC_LEN] = VERSION;
  header[MAGIC_LEN + 1] = (guint8) pairings->items->len;
  g_byte_array_append (out, header, sizeof (header));
  for (guint i = 0; i < pairings->items->len; i++) {
    const HapPairing *p = &g_array_index (pairings->items, HapPairing, i);
    guint8 id_len = (guint8) strlen (p->id);
    g_byte_array_append (out, &id_len, 1);
    g_byte_array_append (out, (const guint8 *) p->id, id_len);
    g_byte_array_append (out, p->ltpk, 32);
    g_byte_array_append (out, &p->permissions, 1);
  }
  return g_byte_array_free_to_bytes (out);
}

HapPairings *
hap_pairings_deserialize (const guint8 *data, gsize len, GError **error)
{
  g_autoptr (HapPairings) pairings = NULL;
  gsize pos = MAGIC_LEN + 2;
  guint count;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < MAGIC_LEN + 1 || memcmp (data, MAGIC, MAGIC_LEN) != 0) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "pairings: bad magic");
    return NULL;
  }
  if (data[MAGIC_LEN] != VERSION) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "pairings: unsupported version %u", data[MAGIC_LEN]);
    return NULL;
  }
  if (len < MAGIC_LEN + 2) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED, "pairings: no count");
    return NULL;
  }
  count = data[MAGIC_LEN + 1];
  if (count > HAP_PAIRINGS_MAX) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE,
        "pairings: %u pairings, at most %d", count, HAP_PAIRINGS_MAX);
    return NULL;
  }
  pairings = hap_pairings_new ();
  for (guint i = 0; i < count; i++) {
    gchar id[HAP_PAIRING_ID_MAX + 1];
    gsize id_len;
    const guint8 *ltpk;
    guint8 permissions;

    if (pos >= len) {
      g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED, "pairings: truncated");
      return NULL;
    }
    id_len = data[pos++];
    if (len - pos < id_len + 32 + 1) {
      g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TRUNCATED, "pairings: truncated");
      return NULL;
    }
    if (!hap_pairing_id_is_valid (data + pos, id_len, HAP_PAIRING_ID_MAX)) {
      g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "pairings: invalid id");
      return NULL;
    }
    memcpy (id, data + pos, id_len);
    id[id_len] = '\0';
    ltpk = data + pos + id_len;
    permissions = data[pos + id_len + 32];
    pos += id_len + 32 + 1;
    if (permissions > HAP_PAIRING_PERM_ADMIN) {
      g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE,
          "pairings: invalid permissions %u", permissions);
      return NULL;
    }
    if (find_index (pairings, id) >= 0) {
      g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "pairings: duplicate id");
      return NULL;
    }
    if (!hap_pairings_add (pairings, id, ltpk, permissions, error))
      return NULL;
  }
  if (pos != len) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED, "pairings: trailing bytes");
    return NULL;
  }
  return g_steal_pointer (&pairings);
}

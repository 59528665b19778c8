/* libhap: the layout digest of an accessory database (see accessory-db.h). */
#include "hap/accessory-db-private.h"

#include <string.h>

/* Every field goes in with a tag byte and a fixed width or a length prefix, so that no two
 * different layouts give the same byte stream. */
static void
put_u64 (GChecksum *sum, guint8 tag, guint64 v)
{
  guint8 b[9];
  guint i;

  b[0] = tag;
  for (i = 0; i < 8; i++)
    b[1 + i] = (guint8) (v >> (8 * i));
  g_checksum_update (sum, b, sizeof b);
}

static void
put_double (GChecksum *sum, guint8 tag, gdouble d)
{
  guint64 bits;

  if (d == 0)
    d = 0; /* -0.0 and 0.0 print the same */
  memcpy (&bits, &d, sizeof bits);
  put_u64 (sum, tag, bits);
}

static void
put_string (GChecksum *sum, guint8 tag, const gchar *s)
{
  if (s == NULL) {
    put_u64 (sum, tag, G_MAXUINT64);
    return;
  }
  put_u64 (sum, tag, strlen (s));
  g_checksum_update (sum, (const guchar *) s, (gssize) strlen (s));
}

static void
put_characteristic (GChecksum *sum, const HapCharacteristic *c)
{
  const HapCharacteristicDef *def = &c->def;
  guint i;

  put_u64 (sum, 'C', c->iid);
  put_string (sum, 't', def->type);
  put_u64 (sum, 'f', def->format);
  put_u64 (sum, 'p', def->perms);
  put_string (sum, 'u', def->unit);
  put_string (sum, 'd', def->description);
  put_u64 (sum, 'r', def->range.set);
  if (def->range.set) {
    put_double (sum, '<', def->range.min);
    put_double (sum, '>', def->range.max);
    put_double (sum, '~', def->range.step);
  }
  put_u64 (sum, 'l', def->max_len);
  put_u64 (sum, 'L', def->max_data_len);
  put_u64 (sum, 'v', def->n_valid_values);
  for (i = 0; i < def->n_valid_values; i++)
    put_u64 (sum, '=', def->valid_values[i]);
  put_u64 (sum, 'V', def->n_valid_ranges);
  for (i = 0; i < def->n_valid_ranges; i++) {
    put_u64 (sum, '[', def->valid_ranges[i].start);
    put_u64 (sum, ']', def->valid_ranges[i].end);
  }
}

static void
put_service (GChecksum *sum, const HapService *s)
{
  guint i;

  put_u64 (sum, 'S', s->iid);
  put_string (sum, 't', s->type);
  put_u64 (sum, 'P', (s->flags & HAP_SERVICE_FLAG_PRIMARY) != 0);
  put_u64 (sum, 'H', (s->flags & HAP_SERVICE_FLAG_HIDDEN) != 0);
  put_u64 (sum, 'k', s->linked->len);
  for (i = 0; i < s->linked->len; i++)
    put_u64 (sum, '>', ((const HapService *) g_ptr_array_index (s->linked, i))->iid);
  put_u64 (sum, 'n', s->characteristics->len);
  for (i = 0; i < s->characteristics->len; i++)
    put_characteristic (sum, g_ptr_array_index (s->characteristics, i));
}

void
hap_db_compute_digest (HapAccessoryDb *db, guint8 digest[HAP_DB_DIGEST_LEN])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = HAP_DB_DIGEST_LEN;
  guint i;
  guint j;

  g_return_if_fail (db != NULL);
  g_return_if_fail (digest != NULL);

  put_u64 (sum, 'D', db->accessories->len);
  for (i = 0; i < db->accessories->len; i++) {
    const HapAccessory *a = g_ptr_array_index (db->accessories, i);
    put_u64 (sum, 'A', a->aid);
    put_u64 (sum, 'n', a->services->len);
    for (j = 0; j < a->services->len; j++)
      put_service (sum, g_ptr_array_index (a->services, j));
  }
  g_checksum_get_digest (sum, digest, &len);
}

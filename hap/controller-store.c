/* The hub simulator's identities and paired accessories. See hap/controller-store.h. */
#include "hap/controller-store.h"

#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

#include "hap/pairing-tlv.h"
#include "hap/storage.h"
#include "hap/tlv8.h"

#define FORMAT_VERSION 1

enum {
  T_VERSION = 0,
  T_ID = 1,
  T_KEY = 2,
  T_HOST = 3,
  T_PORT = 4,
  T_CONTROLLERS = 5,
};

struct _HapControllerStore {
  HapStorage *storage;
};

/* ---- identities ---- */

void
hap_controller_identity_generate (HapControllerIdentity *identity)
{
  g_autofree gchar *uuid = g_uuid_string_random ();
  g_autofree gchar *up = g_ascii_strup (uuid, -1);

  g_return_if_fail (identity != NULL);

  if (sodium_init () < 0)
    g_error ("libsodium failed to initialise");
  memset (identity, 0, sizeof *identity);
  g_strlcpy (identity->id, up, sizeof identity->id);
  crypto_sign_keypair (identity->ltpk, identity->ltsk);
}

void
hap_controller_identity_clear (HapControllerIdentity *identity)
{
  if (identity != NULL)
    sodium_memzero (identity, sizeof *identity);
}

GBytes *
hap_controller_identity_serialize (const HapControllerIdentity *identity)
{
  HapTlv8Writer w;

  g_return_val_if_fail (identity != NULL && identity->id[0] != '\0', NULL);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, T_VERSION, FORMAT_VERSION);
  hap_tlv8_add_string (&w, T_ID, identity->id);
  hap_tlv8_add (&w, T_KEY, identity->ltsk, 32); /* the seed */
  return hap_tlv8_writer_take_bytes (&w);
}

static gboolean
bad (GError **error, gint code, const gchar *what)
{
  g_set_error_literal (error, HAP_CODEC_ERROR, code, what);
  return FALSE;
}

static HapTlv8 *
parse_versioned (const guint8 *data, gsize len, GError **error)
{
  g_autoptr (HapTlv8) tlv = hap_tlv8_parse (data, len, error);
  guint8 version;

  if (tlv == NULL)
    return NULL;
  if (!hap_tlv8_get_u8 (tlv, T_VERSION, &version)) {
    bad (error, HAP_CODEC_ERROR_MISSING, "format version missing");
    return NULL;
  }
  if (version != FORMAT_VERSION) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "format version %u (this build reads %u)", version, FORMAT_VERSION);
    return NULL;
  }
  return g_steal_pointer (&tlv);
}

static gboolean
get_id (const HapTlv8 *tlv, gchar out[HAP_PAIRING_ID_MAX + 1], const gchar *name, GError **error)
{
  const HapTlv8Item *item = hap_tlv8_find (tlv, T_ID);

  if (item == NULL || !hap_pairing_id_is_valid (item->value, item->len, HAP_PAIRING_ID_MAX)) {
    g_set_error (error, HAP_CODEC_ERROR, item ? HAP_CODEC_ERROR_MALFORMED : HAP_CODEC_ERROR_MISSING,
        "%s %s", name, item ? "is not 1-64 bytes of UTF-8" : "missing");
    return FALSE;
  }
  memcpy (out, item->value, item->len);
  out[item->len] = '\0';
  return TRUE;
}

static gboolean
get_key (const HapTlv8 *tlv, guint8 out[32], const gchar *name, GError **error)
{
  const HapTlv8Item *item = hap_tlv8_find (tlv, T_KEY);

  if (item == NULL || item->len != 32) {
    g_set_error (error, HAP_CODEC_ERROR, item ? HAP_CODEC_ERROR_MALFORMED : HAP_CODEC_ERROR_MISSING,
        "%s %s", name, item ? "is not 32 bytes" : "missing");
    return FALSE;
  }
  memcpy (out, item->value, 32);
  return TRUE;
}

gboolean
hap_controller_identity_deserialize (
    const guint8 *data, gsize len, HapControllerIdentity *out, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  HapControllerIdentity identity = { 0 };
  guint8 seed[32];

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (sodium_init () < 0)
    g_error ("libsodium failed to initialise");
  tlv = parse_versioned (data, len, error);
  if (tlv == NULL || !get_id (tlv, identity.id, "controller id", error)
      || !get_key (tlv, seed, "key seed", error))
    return FALSE;
  crypto_sign_seed_keypair (identity.ltpk, identity.ltsk, seed);
  sodium_memzero (seed, sizeof seed);
  *out = identity;
  sodium_memzero (&identity, sizeof identity);
  return TRUE;
}

/* ---- accessory records ---- */

GBytes *
hap_accessory_record_serialize (const HapAccessoryRecord *record)
{
  HapTlv8Writer w;

  g_return_val_if_fail (record != NULL && record->accessory_id[0] != '\0', NULL);
  g_return_val_if_fail (record->host[0] != '\0' && record->port > 0, NULL);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, T_VERSION, FORMAT_VERSION);
  hap_tlv8_add_string (&w, T_ID, record->accessory_id);
  hap_tlv8_add (&w, T_KEY, record->accessory_ltpk, 32);
  hap_tlv8_add_string (&w, T_HOST, record->host);
  hap_tlv8_add_u16 (&w, T_PORT, record->port);
  hap_tlv8_add_u32 (&w, T_CONTROLLERS, record->controllers);
  return hap_tlv8_writer_take_bytes (&w);
}

gboolean
hap_accessory_record_deserialize (
    const guint8 *data, gsize len, HapAccessoryRecord *out, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  HapAccessoryRecord record = { 0 };
  const HapTlv8Item *host;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  tlv = parse_versioned (data, len, error);
  if (tlv == NULL || !get_id (tlv, record.accessory_id, "accessory id", error)
      || !get_key (tlv, record.accessory_ltpk, "accessory public key", error))
    return FALSE;
  host = hap_tlv8_find (tlv, T_HOST);
  if (host == NULL || host->len == 0 || host->len > HAP_CONTROLLER_HOST_MAX
      || memchr (host->value, 0, host->len) != NULL
      || !g_utf8_validate_len ((const gchar *) host->value, host->len, NULL))
    return bad (error, host ? HAP_CODEC_ERROR_MALFORMED : HAP_CODEC_ERROR_MISSING,
        host ? "host is not 1-255 bytes of text" : "host missing");
  memcpy (record.host, host->value, host->len);
  if (!hap_tlv8_get_u16 (tlv, T_PORT, &record.port) || record.port == 0)
    return bad (error, HAP_CODEC_ERROR_MALFORMED, "port missing, not 2 bytes or 0");
  if (!hap_tlv8_get_u32 (tlv, T_CONTROLLERS, &record.controllers))
    return bad (error, HAP_CODEC_ERROR_MALFORMED, "controller mask missing or not 4 bytes");
  *out = record;
  return TRUE;
}

void
hap_accessory_record_to_pairing (const HapAccessoryRecord *record,
    const HapControllerIdentity *identity, HapControllerPairing *out)
{
  g_return_if_fail (record != NULL && identity != NULL && out != NULL);

  memset (out, 0, sizeof *out);
  g_strlcpy (out->controller_id, identity->id, sizeof out->controller_id);
  memcpy (out->controller_ltpk, identity->ltpk, 32);
  memcpy (out->controller_ltsk, identity->ltsk, 64);
  g_strlcpy (out->accessory_id, record->accessory_id, sizeof out->accessory_id);
  memcpy (out->accessory_ltpk, record->accessory_ltpk, 32);
}

/* ---- the store ---- */

HapControllerStore *
hap_controller_store_open (const char *dir, GError **error)
{
  HapStorage *storage;
  HapControllerStore *store;

  g_return_val_if_fail (dir != NULL, NULL);

  storage = hap_storage_open (dir, error);
  if (storage == NULL)
    return NULL;
  store = g_new0 (HapControllerStore, 1);
  store->storage = storage;
  return store;
}

void
hap_controller_store_free (HapControllerStore *store)
{
  if (store == NULL)
    return;
  hap_storage_free (store->storage);
  g_free (store);
}

const char *
hap_controller_store_get_dir (const HapControllerStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);
  return hap_storage_get_dir (store->storage);
}

gboolean
hap_controller_store_get_identity (HapControllerStore *store, guint index, gboolean create,
    HapControllerIdentity *out, GError **error)
{
  g_autofree gchar *name = NULL;
  g_autoptr (GBytes) value = NULL;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (store != NULL && out != NULL, FALSE);
  g_return_val_if_fail (index < HAP_CONTROLLER_MAX_IDENTITIES, FALSE);

  name = g_strdup_printf ("controller-%u", index);
  value = hap_storage_get (store->storage, name, &local);
  if (local != NULL) {
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  if (value != NULL) {
    gsize len;
    const guint8 *data = g_bytes_get_data (value, &len);
    if (!hap_controller_identity_deserialize (data, len, out, &local)) {
      g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT, "%s/%s: %s",
          hap_storage_get_dir (store->storage), name, local->message);
      return FALSE;
    }
    return TRUE;
  }
  if (!create)
    return FALSE;
  hap_controller_identity_generate (out);
  g_clear_pointer (&value, g_bytes_unref);
  value = hap_controller_identity_serialize (out);
  if (!hap_storage_set (store->storage, name, value, error)) {
    hap_controller_identity_clear (out);
    return FALSE;
  }
  return TRUE;
}

static gchar *
record_name (const char *accessory_id)
{
  g_autofree gchar *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, accessory_id, -1);

  return g_strdup_printf ("accessory-%.16s", sum);
}

static gint
compare_records (gconstpointer a, gconstpointer b)
{
  const HapAccessoryRecord *ra = *(HapAccessoryRecord *const *) a;
  const HapAccessoryRecord *rb = *(HapAccessoryRecord *const *) b;
  return strcmp (ra->accessory_id, rb->accessory_id);
}

GPtrArray *
hap_controller_store_list (HapControllerStore *store, GError **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = NULL;
  const char *file;

  g_return_val_if_fail (store != NULL, NULL);

  dir = g_dir_open (hap_storage_get_dir (store->storage), 0, error);
  if (dir == NULL)
    return NULL;
  while ((file = g_dir_read_name (dir)) != NULL) {
    g_autoptr (GBytes) value = NULL;
    g_autoptr (GError) local = NULL;
    HapAccessoryRecord *record;
    gsize len;
    const guint8 *data;

    if (!g_str_has_prefix (file, "accessory-") || !hap_storage_name_is_valid (file))
      continue;
    value = hap_storage_get (store->storage, file, &local);
    if (value == NULL) {
      if (local == NULL)
        continue; /* removed meanwhile */
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
    data = g_bytes_get_data (value, &len);
    record = g_new0 (HapAccessoryRecord, 1);
    if (!hap_accessory_record_deserialize (data, len, record, &local)) {
      g_free (record);
      g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT, "%s/%s: %s",
          hap_storage_get_dir (store->storage), file, local->message);
      return NULL;
    }
    g_ptr_array_add (list, record);
  }
  g_ptr_array_sort (list, compare_records);
  return g_steal_pointer (&list);
}

gboolean
hap_controller_store_find (
    HapControllerStore *store, const char *accessory_id, HapAccessoryRecord *out, GError **error)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GString) ids = NULL;
  const HapAccessoryRecord *found = NULL;

  g_return_val_if_fail (store != NULL && out != NULL, FALSE);

  list = hap_controller_store_list (store, error);
  if (list == NULL)
    return FALSE;
  ids = g_string_new (NULL);
  for (guint i = 0; i < list->len; i++) {
    const HapAccessoryRecord *r = g_ptr_array_index (list, i);
    g_string_append_printf (ids, "%s%s", i ? ", " : "", r->accessory_id);
    if (accessory_id != NULL && g_ascii_strcasecmp (r->accessory_id, accessory_id) == 0)
      found = r;
  }
  if (accessory_id == NULL && list->len == 1)
    found = g_ptr_array_index (list, 0);
  if (found != NULL) {
    *out = *found;
    return TRUE;
  }
  if (list->len == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "no accessory is paired in %s (run `hksv-hub pair HOST:PORT CODE` first)",
        hap_storage_get_dir (store->storage));
  else if (accessory_id == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "%u accessories are paired in %s (%s): choose one with --accessory ID", list->len,
        hap_storage_get_dir (store->storage), ids->str);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "accessory %s is not paired in %s (paired: %s)", accessory_id,
        hap_storage_get_dir (store->storage), ids->str);
  return FALSE;
}

gboolean
hap_controller_store_save (
    HapControllerStore *store, const HapAccessoryRecord *record, GError **error)
{
  g_autofree gchar *name = NULL;
  g_autoptr (GBytes) value = NULL;

  g_return_val_if_fail (store != NULL && record != NULL, FALSE);

  name = record_name (record->accessory_id);
  value = hap_accessory_record_serialize (record);
  g_return_val_if_fail (value != NULL, FALSE);
  return hap_storage_set (store->storage, name, value, error);
}

gboolean
hap_controller_store_remove (HapControllerStore *store, const char *accessory_id, GError **error)
{
  g_autofree gchar *name = NULL;

  g_return_val_if_fail (store != NULL && accessory_id != NULL, FALSE);

  name = record_name (accessory_id);
  return hap_storage_delete (store->storage, name, error);
}

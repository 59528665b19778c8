/* Unit tests for hap/controller-store.c (the hub simulator's identities and paired
 * accessories): serialization round trips, the invalid-input tables of both deserializers
 * (hand-assembled TLV8 after the layout in the header), and the store over a temporary
 * directory (create, reload, list, find, remove, a corrupt item). */
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

#include "hap/controller-store.h"
#include "hap/parse.h"
#include "hap/storage.h"
#include "tests/common/test-util.h"

#define SEED32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY32 "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"

static void
test_identity_round_trip (void)
{
  HapControllerIdentity id, back;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  guint8 sig[64];
  const guint8 msg[] = "hub";

  hap_controller_identity_generate (&id);
  g_assert_cmpuint (strlen (id.id), ==, 36);
  g_assert_true (g_uuid_string_is_valid (id.id));
  for (const gchar *c = id.id; *c; c++)
    g_assert_false (g_ascii_islower (*c));
  bytes = hap_controller_identity_serialize (&id);
  g_assert_true (hap_controller_identity_deserialize (
      g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &back, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (back.id, ==, id.id);
  hap_test_assert_mem_equal (back.ltpk, 32, id.ltpk, 32);
  hap_test_assert_mem_equal (back.ltsk, 64, id.ltsk, 64);
  /* The restored key pair signs what the public key verifies. */
  crypto_sign_detached (sig, NULL, msg, sizeof msg, back.ltsk);
  g_assert_cmpint (crypto_sign_verify_detached (sig, msg, sizeof msg, id.ltpk), ==, 0);
  hap_controller_identity_clear (&id);
  hap_controller_identity_clear (&back);
}

static void
test_identity_vector (void)
{
  g_autoptr (GBytes) wire = hap_test_hex ("00 01 01 01 03 'hub' 02 20" SEED32);
  HapControllerIdentity id;
  guint8 pk[32], sk[64], seed[32];

  g_assert_true (hap_controller_identity_deserialize (
      g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), &id, NULL));
  g_assert_cmpstr (id.id, ==, "hub");
  for (guint i = 0; i < 32; i++)
    seed[i] = (guint8) i;
  crypto_sign_seed_keypair (pk, sk, seed);
  hap_test_assert_mem_equal (id.ltpk, 32, pk, 32);
  {
    g_autoptr (GBytes) again = hap_controller_identity_serialize (&id);
    hap_test_assert_bytes_equal (again, wire);
  }
}

static const struct {
  const gchar *name;
  const gchar *hex;
  gint code;
} invalid_identity[] = {
  { "empty", "", HAP_CODEC_ERROR_MISSING },
  { "truncated", "00 01", HAP_CODEC_ERROR_TRUNCATED },
  { "no version", "01 03 'hub' 02 20" SEED32, HAP_CODEC_ERROR_MISSING },
  { "version 2", "00 01 02 01 03 'hub' 02 20" SEED32, HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "no id", "00 01 01 02 20" SEED32, HAP_CODEC_ERROR_MISSING },
  { "empty id", "00 01 01 01 00 02 20" SEED32, HAP_CODEC_ERROR_MALFORMED },
  { "id not UTF-8", "00 01 01 01 02 ff fe 02 20" SEED32, HAP_CODEC_ERROR_MALFORMED },
  { "id with NUL", "00 01 01 01 03 61 00 62 02 20" SEED32, HAP_CODEC_ERROR_MALFORMED },
  { "no seed", "00 01 01 01 03 'hub'", HAP_CODEC_ERROR_MISSING },
  { "seed 31 bytes",
      "00 01 01 01 03 'hub' 02 1f 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
      HAP_CODEC_ERROR_MALFORMED },
};

static void
test_identity_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_identity); i++) {
    g_autoptr (GBytes) wire = hap_test_hex (invalid_identity[i].hex);
    g_autoptr (GError) error = NULL;
    HapControllerIdentity id;

    memset (&id, 0x5a, sizeof id);
    g_test_message ("%s", invalid_identity[i].name);
    g_assert_false (hap_controller_identity_deserialize (
        g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), &id, &error));
    g_assert_error (error, HAP_CODEC_ERROR, invalid_identity[i].code);
    g_assert_cmpuint (((guint8 *) &id)[0], ==, 0x5a); /* untouched */
  }
}

static void
test_record_round_trip (void)
{
  g_autoptr (GBytes) wire = hap_test_hex ("00 01 01 01 11 '2A:3B:4C:5D:6E:7F' 02 20" KEY32
                                          " 03 09 '127.0.0.1' 04 02 39 30 05 04 03 00 00 00");
  g_autoptr (GBytes) again = NULL;
  HapAccessoryRecord r;
  HapControllerIdentity id;
  HapControllerPairing p;

  g_assert_true (hap_accessory_record_deserialize (
      g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), &r, NULL));
  g_assert_cmpstr (r.accessory_id, ==, "2A:3B:4C:5D:6E:7F");
  g_assert_cmpstr (r.host, ==, "127.0.0.1");
  g_assert_cmpuint (r.port, ==, 12345);
  g_assert_cmpuint (r.controllers, ==, 3);
  again = hap_accessory_record_serialize (&r);
  hap_test_assert_bytes_equal (again, wire);

  hap_controller_identity_generate (&id);
  hap_accessory_record_to_pairing (&r, &id, &p);
  g_assert_cmpstr (p.controller_id, ==, id.id);
  g_assert_cmpstr (p.accessory_id, ==, r.accessory_id);
  hap_test_assert_mem_equal (p.accessory_ltpk, 32, r.accessory_ltpk, 32);
  hap_test_assert_mem_equal (p.controller_ltsk, 64, id.ltsk, 64);
  hap_controller_pairing_clear (&p);
  hap_controller_identity_clear (&id);
}

static const struct {
  const gchar *name;
  const gchar *hex;
  gint code;
} invalid_record[] = {
  { "empty", "", HAP_CODEC_ERROR_MISSING },
  { "version 0", "00 01 00", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "no id", "00 01 01 02 20" KEY32 " 03 01 'h' 04 02 39 30 05 04 01 00 00 00",
      HAP_CODEC_ERROR_MISSING },
  { "no key", "00 01 01 01 01 'a' 03 01 'h' 04 02 39 30 05 04 01 00 00 00",
      HAP_CODEC_ERROR_MISSING },
  { "no host", "00 01 01 01 01 'a' 02 20" KEY32 " 04 02 39 30 05 04 01 00 00 00",
      HAP_CODEC_ERROR_MISSING },
  { "empty host", "00 01 01 01 01 'a' 02 20" KEY32 " 03 00 04 02 39 30 05 04 01 00 00 00",
      HAP_CODEC_ERROR_MALFORMED },
  { "host with NUL", "00 01 01 01 01 'a' 02 20" KEY32 " 03 02 68 00 04 02 39 30 05 04 01 00 00 00",
      HAP_CODEC_ERROR_MALFORMED },
  { "no port", "00 01 01 01 01 'a' 02 20" KEY32 " 03 01 'h' 05 04 01 00 00 00",
      HAP_CODEC_ERROR_MALFORMED },
  { "port 0", "00 01 01 01 01 'a' 02 20" KEY32 " 03 01 'h' 04 02 00 00 05 04 01 00 00 00",
      HAP_CODEC_ERROR_MALFORMED },
  { "port 1 byte", "00 01 01 01 01 'a' 02 20" KEY32 " 03 01 'h' 04 01 39 05 04 01 00 00 00",
      HAP_CODEC_ERROR_MALFORMED },
  { "no controllers", "00 01 01 01 01 'a' 02 20" KEY32 " 03 01 'h' 04 02 39 30",
      HAP_CODEC_ERROR_MALFORMED },
};

static void
test_record_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_record); i++) {
    g_autoptr (GBytes) wire = hap_test_hex (invalid_record[i].hex);
    g_autoptr (GError) error = NULL;
    HapAccessoryRecord r;

    g_test_message ("%s", invalid_record[i].name);
    g_assert_false (hap_accessory_record_deserialize (
        g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), &r, &error));
    g_assert_error (error, HAP_CODEC_ERROR, invalid_record[i].code);
  }
}

static void
remove_tree (const gchar *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree gchar *path = g_build_filename (dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (dir);
}

static HapAccessoryRecord
record (const gchar *id, guint16 port)
{
  HapAccessoryRecord r = { 0 };

  g_strlcpy (r.accessory_id, id, sizeof r.accessory_id);
  memset (r.accessory_ltpk, port & 0xff, 32);
  g_strlcpy (r.host, "::1", sizeof r.host);
  r.port = port;
  r.controllers = 1;
  return r;
}

static void
test_store (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("hksv-store-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  HapControllerStore *store;
  HapControllerIdentity a, b;
  HapAccessoryRecord r1 = record ("AA:AA:AA:AA:AA:01", 1001),
                     r2 = record ("AA:AA:AA:AA:AA:02", 1002);
  HapAccessoryRecord found;
  g_autoptr (GPtrArray) list = NULL;

  store = hap_controller_store_open (dir, &error);
  g_assert_no_error (error);
  /* Absent without create: FALSE, no error. */
  g_assert_false (hap_controller_store_get_identity (store, 0, FALSE, &a, &error));
  g_assert_no_error (error);
  g_assert_true (hap_controller_store_get_identity (store, 0, TRUE, &a, &error));
  g_assert_true (hap_controller_store_get_identity (store, 1, TRUE, &b, &error));
  g_assert_cmpstr (a.id, !=, b.id);
  g_assert_false (hap_controller_store_find (store, NULL, &found, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "hksv-hub pair"));
  g_clear_error (&error);

  g_assert_true (hap_controller_store_save (store, &r2, &error));
  g_assert_true (hap_controller_store_save (store, &r1, &error));
  g_assert_no_error (error);
  g_assert_false (hap_controller_store_find (store, NULL, &found, &error));
  g_assert_nonnull (strstr (error->message, "--accessory"));
  g_clear_error (&error);
  g_assert_true (hap_controller_store_find (store, "aa:aa:aa:aa:aa:02", &found, &error));
  g_assert_cmpuint (found.port, ==, 1002);
  list = hap_controller_store_list (store, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (
      ((HapAccessoryRecord *) g_ptr_array_index (list, 0))->accessory_id, ==, r1.accessory_id);
  hap_controller_store_free (store);

  /* Reopened: the same identities and records. */
  store = hap_controller_store_open (dir, &error);
  {
    HapControllerIdentity again;
    g_assert_true (hap_controller_store_get_identity (store, 0, FALSE, &again, &error));
    g_assert_cmpstr (again.id, ==, a.id);
    hap_test_assert_mem_equal (again.ltsk, 64, a.ltsk, 64);
    hap_controller_identity_clear (&again);
  }
  g_assert_true (hap_controller_store_remove (store, r2.accessory_id, &error));
  g_assert_true (hap_controller_store_find (store, NULL, &found, &error));
  g_assert_cmpstr (found.accessory_id, ==, r1.accessory_id);
  g_assert_false (hap_controller_store_find (store, "AA:AA:AA:AA:AA:02", &found, &error));
  g_assert_nonnull (strstr (error->message, "is not paired"));
  g_clear_error (&error);

  /* A corrupt identity item is an error naming the file, not a new identity. */
  {
    g_autofree gchar *path = g_build_filename (dir, "controller-1", NULL);
    HapControllerIdentity c;
    g_assert_true (g_file_set_contents (path, "garbage", -1, NULL));
    g_assert_false (hap_controller_store_get_identity (store, 1, TRUE, &c, &error));
    g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "controller-1"));
  }
  hap_controller_store_free (store);
  hap_controller_identity_clear (&a);
  hap_controller_identity_clear (&b);
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/controller-store/identity/round-trip", test_identity_round_trip);
  g_test_add_func ("/controller-store/identity/vector", test_identity_vector);
  g_test_add_func ("/controller-store/identity/invalid", test_identity_invalid);
  g_test_add_func ("/controller-store/record/round-trip", test_record_round_trip);
  g_test_add_func ("/controller-store/record/invalid", test_record_invalid);
  g_test_add_func ("/controller-store/store", test_store);
  return g_test_run ();
}

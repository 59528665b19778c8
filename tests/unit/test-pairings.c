/* Unit tests for hap/identity.c, hap/pairings.c (store, rules, serialization) and
 * hap/pairings-request.c (POST /pairings: add, remove, list, admin checks, last-admin reset). */
#include <string.h>
#include <sodium.h>

#include "hap/identity.h"
#include "hap/pairing-tlv.h"
#include "hap/pairings-request.h"
#include "hap/pairings.h"
#include "hap/parse.h"
#include "hap/tlv8.h"
#include "tests/common/test-util.h"

/* RFC 8032 section 7.1, TEST 1: secret key (seed) -> public key. An independent known answer
 * for the key derivation hap_identity_init() relies on. */
#define RFC8032_SEED "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define RFC8032_PK "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

static void
test_identity_known_key (void)
{
  HapIdentity identity;
  g_autofree guint8 *seed = NULL;
  gsize len;

  seed = hap_test_unhex (RFC8032_SEED, &len);
  g_assert_cmpuint (len, ==, 32);
  g_assert_true (hap_identity_init (&identity, "AB:CD:EF:01:23:45", seed));
  g_assert_cmpstr (identity.device_id, ==, "AB:CD:EF:01:23:45");
  hap_test_assert_hex_equal (identity.ltpk, 32, RFC8032_PK);
  hap_test_assert_hex_equal (identity.ltsk, 64, RFC8032_SEED RFC8032_PK);
  hap_identity_clear (&identity);
  for (guint i = 0; i < sizeof (identity); i++)
    g_assert_cmpuint (((guint8 *) &identity)[i], ==, 0);
}

static void
test_identity_round_trip (void)
{
  HapIdentity a, b;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *seed = NULL;
  gsize len;

  seed = hap_test_unhex (RFC8032_SEED, &len);
  g_assert_true (hap_identity_init (&a, "AB:CD:EF:01:23:45", seed));
  bytes = hap_identity_serialize (&a);
  hap_test_assert_hex_equal (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
      "'HAPI' 01 'AB:CD:EF:01:23:45'" RFC8032_SEED "d75a9801");
  g_assert_true (hap_identity_deserialize (
      &b, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&a, sizeof (a), &b, sizeof (b));

  /* Generated identities differ and survive a round trip. */
  hap_identity_generate (&a);
  g_assert_true (hap_device_id_parse (a.device_id, NULL, NULL));
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = hap_identity_serialize (&a);
  g_assert_true (hap_identity_deserialize (
      &b, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  g_assert_cmpmem (&a, sizeof (a), &b, sizeof (b));
  hap_identity_generate (&b);
  g_assert_true (memcmp (a.ltsk, b.ltsk, 64) != 0);
}

static const struct {
  const gchar *name;
  const gchar *data;
  gint code;
} invalid_identities[] = {
  { "empty", "", HAP_CODEC_ERROR_MALFORMED },
  { "magic only", "'HAPI'", HAP_CODEC_ERROR_MALFORMED },
  { "bad magic", "'HAPX' 01 'AB:CD:EF:01:23:45'" RFC8032_SEED "d75a9801",
      HAP_CODEC_ERROR_MALFORMED },
  { "version 0", "'HAPI' 00 'AB:CD:EF:01:23:45'" RFC8032_SEED "d75a9801",
      HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "version 2", "'HAPI' 02 'AB:CD:EF:01:23:45'" RFC8032_SEED "d75a9801",
      HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "truncated", "'HAPI' 01 'AB:CD:EF:01:23:45'" RFC8032_SEED "d75a98", HAP_CODEC_ERROR_MALFORMED },
  { "trailing", "'HAPI' 01 'AB:CD:EF:01:23:45'" RFC8032_SEED "d75a9801 00",
      HAP_CODEC_ERROR_MALFORMED },
  { "lower-case id", "'HAPI' 01 'ab:cd:ef:01:23:45'" RFC8032_SEED "d75a9801",
      HAP_CODEC_ERROR_MALFORMED },
  { "id without colons", "'HAPI' 01 'ABCDEF012345ABCDE'" RFC8032_SEED "d75a9801",
      HAP_CODEC_ERROR_MALFORMED },
  { "NUL in id", "'HAPI' 01 'AB:CD:EF:01:23:4' 00" RFC8032_SEED "d75a9801",
      HAP_CODEC_ERROR_MALFORMED },
  { "check bytes", "'HAPI' 01 'AB:CD:EF:01:23:45'" RFC8032_SEED "d75a9802",
      HAP_CODEC_ERROR_MALFORMED },
  { "corrupted seed",
      "'HAPI' 01 'AB:CD:EF:01:23:45'"
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f61 d75a9801",
      HAP_CODEC_ERROR_MALFORMED },
};

static void
test_identity_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_identities); i++) {
    HapIdentity identity;
    g_autoptr (GBytes) data = hap_test_hex (invalid_identities[i].data);
    g_autoptr (GError) error = NULL;

    g_test_message ("%s", invalid_identities[i].name);
    memset (&identity, 0xaa, sizeof (identity));
    g_assert_false (hap_identity_deserialize (
        &identity, g_bytes_get_data (data, NULL), g_bytes_get_size (data), &error));
    g_assert_error (error, HAP_CODEC_ERROR, invalid_identities[i].code);
    /* Untouched on failure. */
    for (guint j = 0; j < sizeof (identity); j++)
      g_assert_cmpuint (((guint8 *) &identity)[j], ==, 0xaa);
  }
}

static const guint8 key_a[32] = { 0xa1, 0xa2 };
static const guint8 key_b[32] = { 0xb1, 0xb2 };
static const guint8 key_c[32] = { 0xc1, 0xc2 };

static void
test_pairings_rules (void)
{
  g_autoptr (HapPairings) p = hap_pairings_new ();
  g_autoptr (GError) error = NULL;
  gchar long_id[HAP_PAIRING_ID_MAX + 2];

  g_assert_cmpuint (hap_pairings_count (p), ==, 0);
  g_assert_false (hap_pairings_has_admin (p));
  g_assert_null (hap_pairings_get (p, 0));
  g_assert_true (hap_pairings_add (p, "A", key_a, HAP_PAIRING_PERM_USER, &error));
  g_assert_false (hap_pairings_has_admin (p));
  g_assert_true (hap_pairings_add (p, "B", key_b, HAP_PAIRING_PERM_ADMIN, &error));
  g_assert_true (hap_pairings_has_admin (p));
  g_assert_cmpuint (hap_pairings_count (p), ==, 2);
  g_assert_cmpstr (hap_pairings_get (p, 1)->id, ==, "B");
  g_assert_null (hap_pairings_find (p, "C"));
  g_assert_null (hap_pairings_find (p, "a"));

  /* Same key: permissions updated; other key: refused, unchanged. */
  g_assert_true (hap_pairings_add (p, "A", key_a, HAP_PAIRING_PERM_ADMIN, &error));
  g_assert_cmpuint (hap_pairings_find (p, "A")->permissions, ==, HAP_PAIRING_PERM_ADMIN);
  g_assert_false (hap_pairings_add (p, "A", key_c, HAP_PAIRING_PERM_USER, &error));
  g_assert_error (error, HAP_PAIRING_ERROR, HAP_PAIRING_ERROR_UNKNOWN);
  g_clear_error (&error);
  g_assert_cmpmem (hap_pairings_find (p, "A")->ltpk, 32, key_a, 32);
  g_assert_cmpuint (hap_pairings_find (p, "A")->permissions, ==, HAP_PAIRING_PERM_ADMIN);

  /* Invalid ids and permissions. */
  memset (long_id, 'x', HAP_PAIRING_ID_MAX + 1);
  long_id[HAP_PAIRING_ID_MAX + 1] = '\0';
  g_assert_false (hap_pairings_add (p, long_id, key_c, 0, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
  g_clear_error (&error);
  long_id[HAP_PAIRING_ID_MAX] = '\0';
  g_assert_true (hap_pairings_add (p, long_id, key_c, 0, &error));
  g_assert_true (hap_pairings_remove (p, long_id));
  g_assert_false (hap_pairings_add (p, "", key_c, 0, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (hap_pairings_add (p, "\xff\xfe", key_c, 0, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (hap_pairings_add (p, "C", key_c, 2, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  g_assert_true (hap_pairings_remove (p, "A"));
  g_assert_false (hap_pairings_remove (p, "A"));
  g_assert_cmpuint (hap_pairings_count (p), ==, 1);
  hap_pairings_clear (p);
  g_assert_cmpuint (hap_pairings_count (p), ==, 0);

  /* Full. */
  for (guint i = 0; i < HAP_PAIRINGS_MAX; i++) {
    g_autofree gchar *id = g_strdup_printf ("c%u", i);
    g_assert_true (hap_pairings_add (p, id, key_a, 0, NULL));
  }
  g_assert_false (hap_pairings_add (p, "one-more", key_a, 0, &error));
  g_assert_error (error, HAP_PAIRING_ERROR, HAP_PAIRING_ERROR_MAX_PEERS);
  g_clear_error (&error);
  /* Updating an existing one still works when full. */
  g_assert_true (hap_pairings_add (p, "c0", key_a, 1, &error));
}

static void
test_pairings_round_trip (void)
{
  g_autoptr (HapPairings) p = hap_pairings_new ();
  g_autoptr (HapPairings) q = NULL;
  g_autoptr (GBytes) bytes = NULL, again = NULL;
  g_autoptr (GError) error = NULL;

  bytes = hap_pairings_serialize (p);
  hap_test_assert_hex_equal (
      g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "'HAPP' 01 00");
  g_assert_true (hap_pairings_add (p, "A", key_a, 0, NULL));
  g_assert_true (hap_pairings_add (p, "Bb", key_b, 1, NULL));
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = hap_pairings_serialize (p);
  hap_test_assert_hex_equal (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
      "'HAPP' 01 02"
      "01 'A' a1a2000000000000000000000000000000000000000000000000000000000000 00"
      "02 'Bb' b1b2000000000000000000000000000000000000000000000000000000000000 01");
  q = hap_pairings_deserialize (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_nonnull (q);
  g_assert_cmpuint (hap_pairings_count (q), ==, 2);
  g_assert_cmpstr (hap_pairings_get (q, 0)->id, ==, "A");
  g_assert_cmpuint (hap_pairings_get (q, 1)->permissions, ==, 1);
  g_assert_cmpmem (hap_pairings_get (q, 1)->ltpk, 32, key_b, 32);
  again = hap_pairings_serialize (q);
  hap_test_assert_bytes_equal (again, bytes);
}

#define KEY0 "0000000000000000000000000000000000000000000000000000000000000000"

static const struct {
  const gchar *name;
  const gchar *data;
  gint code;
} invalid_pairings[] = {
  { "empty", "", HAP_CODEC_ERROR_MALFORMED },
  { "bad magic", "'HAPQ' 01 00", HAP_CODEC_ERROR_MALFORMED },
  { "short magic", "'HAP'", HAP_CODEC_ERROR_MALFORMED },
  { "version 0", "'HAPP' 00 00", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "version 2", "'HAPP' 02 00", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "no count", "'HAPP' 01", HAP_CODEC_ERROR_TRUNCATED },
  { "count over max", "'HAPP' 01 21", HAP_CODEC_ERROR_TOO_LARGE },
  { "missing pairing", "'HAPP' 01 01", HAP_CODEC_ERROR_TRUNCATED },
  { "truncated id", "'HAPP' 01 01 05 'abc'", HAP_CODEC_ERROR_TRUNCATED },
  { "truncated key", "'HAPP' 01 01 01 'a' 0000", HAP_CODEC_ERROR_TRUNCATED },
  { "missing permissions", "'HAPP' 01 01 01 'a'" KEY0, HAP_CODEC_ERROR_TRUNCATED },
  { "empty id", "'HAPP' 01 01 00" KEY0 "00", HAP_CODEC_ERROR_MALFORMED },
  { "id over 64",
      "'HAPP' 01 01 41 "
      "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'" KEY0 "00",
      HAP_CODEC_ERROR_MALFORMED },
  { "NUL in id", "'HAPP' 01 01 02 'a' 00" KEY0 "00", HAP_CODEC_ERROR_MALFORMED },
  { "bad UTF-8 id", "'HAPP' 01 01 02 c328" KEY0 "00", HAP_CODEC_ERROR_MALFORMED },
  { "permissions 2", "'HAPP' 01 01 01 'a'" KEY0 "02", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "duplicate id", "'HAPP' 01 02 01 'a'" KEY0 "00 01 'a'" KEY0 "01", HAP_CODEC_ERROR_MALFORMED },
  { "trailing byte", "'HAPP' 01 01 01 'a'" KEY0 "00 00", HAP_CODEC_ERROR_MALFORMED },
  { "count too small", "'HAPP' 01 00 01 'a'" KEY0 "00", HAP_CODEC_ERROR_MALFORMED },
};

static void
test_pairings_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_pairings); i++) {
    g_autoptr (GBytes) data = hap_test_hex (invalid_pairings[i].data);
    g_autoptr (GError) error = NULL;
    g_autoptr (HapPairings) p = NULL;

    g_test_message ("%s", invalid_pairings[i].name);
    p = hap_pairings_deserialize (g_bytes_get_data (data, NULL), g_bytes_get_size (data), &error);
    g_assert_null (p);
    g_assert_error (error, HAP_CODEC_ERROR, invalid_pairings[i].code);
  }
}

/* ---- POST /pairings ---- */

static GBytes *
request (HapPairings *p, const char *session, const gchar *body, HapPairingsRequestResult *result)
{
  g_autoptr (GBytes) data = hap_test_hex (body);

  return hap_pairings_request_handle (
      p, session, g_bytes_get_data (data, NULL), g_bytes_get_size (data), result);
}

#define assert_response(r, want) \
  hap_test_assert_hex_equal (g_bytes_get_data ((r), NULL), g_bytes_get_size ((r)), want)

#define KEY_A "a1a2000000000000000000000000000000000000000000000000000000000000"
#define KEY_B "b1b2000000000000000000000000000000000000000000000000000000000000"
#define KEY_C "c1c2000000000000000000000000000000000000000000000000000000000000"

static HapPairings *
admin_and_user (void)
{
  HapPairings *p = hap_pairings_new ();

  g_assert_true (hap_pairings_add (p, "admin", key_a, 1, NULL));
  g_assert_true (hap_pairings_add (p, "user", key_b, 0, NULL));
  return p;
}

static void
test_request_list (void)
{
  g_autoptr (HapPairings) p = admin_and_user ();
  HapPairingsRequestResult result;
  g_autoptr (GBytes) response = request (p, "admin", "06 01 01 00 01 05", &result);

  assert_response (response, "06 01 02"
                             "01 05 'admin' 03 20" KEY_A "0b 01 01"
                             "ff 00"
                             "01 04 'user' 03 20" KEY_B "0b 01 00");
  g_assert_false (result.changed);
  g_assert_cmpuint (result.removed_ids->len, ==, 0);
  hap_pairings_request_result_clear (&result);
  g_assert_null (result.removed_ids);
}

static void
test_request_add (void)
{
  g_autoptr (HapPairings) p = admin_and_user ();
  HapPairingsRequestResult result;
  GBytes *r;

  /* New pairing. */
  r = request (p, "admin", "06 01 01 00 01 03 01 03 'new' 03 20" KEY_C "0b 01 00", &result);
  assert_response (r, "06 01 02");
  g_assert_true (result.changed);
  g_assert_cmpuint (result.removed_ids->len, ==, 0);
  g_assert_nonnull (hap_pairings_find (p, "new"));
  g_assert_cmpuint (hap_pairings_find (p, "new")->permissions, ==, 0);
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);

  /* Same again: nothing changes. */
  r = request (p, "admin", "06 01 01 00 01 03 01 03 'new' 03 20" KEY_C "0b 01 00", &result);
  assert_response (r, "06 01 02");
  g_assert_false (result.changed);
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);

  /* Same key, other permissions: updated. */
  r = request (p, "admin", "06 01 01 00 01 03 01 03 'new' 03 20" KEY_C "0b 01 01", &result);
  assert_response (r, "06 01 02");
  g_assert_true (result.changed);
  g_assert_cmpuint (hap_pairings_find (p, "new")->permissions, ==, 1);
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);

  /* Other key: Unknown, unchanged. */
  r = request (p, "admin", "06 01 01 00 01 03 01 03 'new' 03 20" KEY_A "0b 01 00", &result);
  assert_response (r, "06 01 02 07 01 01");
  g_assert_false (result.changed);
  g_assert_cmpmem (hap_pairings_find (p, "new")->ltpk, 32, key_c, 32);
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);

  /* Full: MaxPeers. */
  for (guint i = hap_pairings_count (p); i < HAP_PAIRINGS_MAX; i++) {
    g_autofree gchar *id = g_strdup_printf ("c%u", i);
    g_assert_true (hap_pairings_add (p, id, key_a, 0, NULL));
  }
  r = request (p, "admin", "06 01 01 00 01 03 01 03 'xyz' 03 20" KEY_C "0b 01 00", &result);
  assert_response (r, "06 01 02 07 01 04");
  g_assert_false (result.changed);
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);
}

static void
test_request_remove (void)
{
  g_autoptr (HapPairings) p = admin_and_user ();
  HapPairingsRequestResult result;
  GBytes *r;

  g_assert_true (hap_pairings_add (p, "admin2", key_c, 1, NULL));
  r = request (p, "admin", "06 01 01 00 01 04 01 04 'user'", &result);
  assert_response (r, "06 01 02");
  g_assert_true (result.changed);
  g_assert_cmpuint (result.removed_ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (result.removed_ids, 0), ==, "user");
  g_assert_null (hap_pairings_find (p, "user"));
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);

  /* Idempotent. */
  r = request (p, "admin", "06 01 01 00 01 04 01 04 'user'", &result);
  assert_response (r, "06 01 02");
  g_assert_false (result.changed);
  g_assert_cmpuint (result.removed_ids->len, ==, 0);
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);

  /* An admin removes itself: another admin is left. */
  r = request (p, "admin", "06 01 01 00 01 04 01 05 'admin'", &result);
  assert_response (r, "06 01 02");
  g_assert_cmpuint (result.removed_ids->len, ==, 1);
  g_assert_cmpuint (hap_pairings_count (p), ==, 1);
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);
}

static void
test_request_last_admin (void)
{
  g_autoptr (HapPairings) p = admin_and_user ();
  HapPairingsRequestResult result;
  GBytes *r;

  g_assert_true (hap_pairings_add (p, "user2", key_c, 0, NULL));
  r = request (p, "admin", "06 01 01 00 01 04 01 05 'admin'", &result);
  assert_response (r, "06 01 02");
  g_assert_true (result.changed);
  g_assert_cmpuint (hap_pairings_count (p), ==, 0);
  g_assert_cmpuint (result.removed_ids->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (result.removed_ids, 0), ==, "admin");
  g_assert_cmpstr (g_ptr_array_index (result.removed_ids, 1), ==, "user");
  g_assert_cmpstr (g_ptr_array_index (result.removed_ids, 2), ==, "user2");
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);

  /* Demoting the last admin (add, same key, permissions 0) leaves no admin either: the same
   * reset. */
  g_assert_true (hap_pairings_add (p, "admin", key_a, 1, NULL));
  g_assert_true (hap_pairings_add (p, "user", key_b, 0, NULL));
  r = request (p, "admin", "06 01 01 00 01 03 01 05 'admin' 03 20" KEY_A "0b 01 00", &result);
  assert_response (r, "06 01 02");
  g_assert_true (result.changed);
  g_assert_cmpuint (hap_pairings_count (p), ==, 0);
  g_assert_cmpuint (result.removed_ids->len, ==, 2);
  g_bytes_unref (r);
  hap_pairings_request_result_clear (&result);
}

static void
test_request_not_admin (void)
{
  static const gchar *bodies[] = {
    "06 01 01 00 01 05",
    "06 01 01 00 01 04 01 05 'admin'",
    "06 01 01 00 01 03 01 01 'x' 03 20" KEY_C "0b 01 01",
    "",
    "ff",
  };
  g_autoptr (HapPairings) p = admin_and_user ();

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++) {
    for (guint s = 0; s < 2; s++) {
      HapPairingsRequestResult result;
      g_autoptr (GBytes) r = request (p, s == 0 ? "user" : "stranger", bodies[i], &result);
      assert_response (r, "06 01 02 07 01 02");
      g_assert_false (result.changed);
      g_assert_cmpuint (result.removed_ids->len, ==, 0);
      hap_pairings_request_result_clear (&result);
    }
  }
  g_assert_cmpuint (hap_pairings_count (p), ==, 2);
}

static void
test_request_invalid (void)
{
  static const gchar *bodies[] = {
    "", "06", "06 01 01",                       /* no method */
    "06 01 02 00 01 05",                        /* state 2 */
    "06 02 01 00 00 01 05",                     /* 2-byte state */
    "00 01 05",                                 /* no state */
    "06 01 01 00 01 06",                        /* method 6 */
    "06 01 01 00 01 00",                        /* method 0 */
    "06 01 01 00 02 05 00",                     /* 2-byte method */
    "06 01 01 00 01 04",                        /* remove without id */
    "06 01 01 00 01 04 01 00",                  /* remove, empty id */
    "06 01 01 00 01 04 01 02 'a' 00",           /* remove, NUL in id */
    "06 01 01 00 01 03 03 20" KEY_C "0b 01 00", /* add without id */
    "06 01 01 00 01 03 01 01 'x' 0b 01 00",     /* add without key */
    "06 01 01 00 01 03 01 01 'x' 03 1f"
    "c1c2000000000000000000000000000000000000000000000000000000000000 0b 01 00" /* 31 bytes */,
    "06 01 01 00 01 03 01 01 'x' 03 20" KEY_C,              /* add without permissions */
    "06 01 01 00 01 03 01 01 'x' 03 20" KEY_C "0b 01 02",   /* permissions 2 */
    "06 01 01 00 01 03 01 01 'x' 03 20" KEY_C "0b 02 0100", /* 2-byte permissions */
  };
  g_autoptr (HapPairings) p = admin_and_user ();

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++) {
    HapPairingsRequestResult result;
    g_autoptr (GBytes) r = NULL;

    g_test_message ("case %u: %s", i, bodies[i]);
    r = request (p, "admin", bodies[i], &result);
    assert_response (r, "06 01 02 07 01 01");
    g_assert_false (result.changed);
    hap_pairings_request_result_clear (&result);
  }
  g_assert_cmpuint (hap_pairings_count (p), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/identity/known-key", test_identity_known_key);
  g_test_add_func ("/identity/round-trip", test_identity_round_trip);
  g_test_add_func ("/identity/invalid", test_identity_invalid);
  g_test_add_func ("/pairings/rules", test_pairings_rules);
  g_test_add_func ("/pairings/round-trip", test_pairings_round_trip);
  g_test_add_func ("/pairings/invalid", test_pairings_invalid);
  g_test_add_func ("/pairings-request/list", test_request_list);
  g_test_add_func ("/pairings-request/add", test_request_add);
  g_test_add_func ("/pairings-request/remove", test_request_remove);
  g_test_add_func ("/pairings-request/last-admin", test_request_last_admin);
  g_test_add_func ("/pairings-request/not-admin", test_request_not_admin);
  g_test_add_func ("/pairings-request/invalid", test_request_invalid);
  return g_test_run ();
}

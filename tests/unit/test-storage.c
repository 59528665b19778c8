/* Unit tests for hap/storage.c.
 *
 * The file format known answers (header bytes and BLAKE2b-256 checksum over header || payload ||
 * item name) were computed independently with Python's hashlib.blake2b(digest_size=32) and
 * struct.pack('<II', version, length); libsodium's crypto_generichash with a 32-byte output and
 * no key is the same function (RFC 7693 BLAKE2b, outlen 32). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hap/storage.h"
#include "tests/common/test-util.h"

/* ---- Fixture: a fresh temporary parent directory per test ----------------------------------- */

typedef struct {
  gchar *parent;
  gchar *dir; /* parent/store, not created */
} Fixture;

static void
rm_rf (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *entry;

  if (d != NULL) {
    g_chmod (path, 0700);
    while ((entry = g_dir_read_name (d)) != NULL) {
      gchar *child = g_build_filename (path, entry, NULL);
      GStatBuf st;
      if (g_lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
        rm_rf (child);
      else
        g_unlink (child);
      g_free (child);
    }
    g_dir_close (d);
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  GError *error = NULL;

  (void) data;
  f->parent = g_dir_make_tmp ("test-storage-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir = g_build_filename (f->parent, "store", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  (void) data;
  rm_rf (f->parent);
  g_free (f->parent);
  g_free (f->dir);
}

static HapStorage *
open_ok (const char *dir)
{
  GError *error = NULL;
  HapStorage *storage = hap_storage_open (dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (storage);
  return storage;
}

static void
set_ok (HapStorage *storage, const char *name, const char *notation)
{
  g_autoptr (GBytes) value = hap_test_hex (notation);
  GError *error = NULL;

  g_assert_true (hap_storage_set (storage, name, value, &error));
  g_assert_no_error (error);
}

static void
assert_value (HapStorage *storage, const char *name, const char *notation)
{
  GError *error = NULL;
  g_autoptr (GBytes) got = hap_storage_get (storage, name, &error);
  g_autoptr (GBytes) want = hap_test_hex (notation);

  g_assert_no_error (error);
  g_assert_nonnull (got);
  hap_test_assert_bytes_equal (got, want);
}

static void
assert_absent (HapStorage *storage, const char *name)
{
  GError *error = NULL;
  GBytes *got = hap_storage_get (storage, name, &error);

  g_assert_no_error (error);
  g_assert_null (got);
}

static gchar *
item_path (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
write_file (const char *path, const guint8 *data, gsize len)
{
  GError *error = NULL;

  g_file_set_contents (path, (const gchar *) data, len, &error);
  g_assert_no_error (error);
}

/* get(name) fails with `code` and a message naming the file. */
static void
assert_get_error (HapStorage *storage, const char *path, const char *name, gint code)
{
  GError *error = NULL;
  GBytes *got = hap_storage_get (storage, name, &error);

  g_assert_null (got);
  g_assert_error (error, HAP_STORAGE_ERROR, code);
  if (strstr (error->message, path) == NULL)
    g_error ("error message does not name %s: %s", path, error->message);
  g_error_free (error);
}

static guint
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

/* ---- Format known answers ------------------------------------------------------------------- */

static void
test_format_known_answers (void)
{
  g_autoptr (GBytes) file = NULL;
  g_autoptr (GBytes) empty = NULL;
  g_autoptr (GBytes) back = NULL;
  g_autoptr (GBytes) want = NULL;
  GError *error = NULL;
  const guint8 *data;
  gsize len;

  file = hap_storage_encode ("config", (const guint8 *) "hello", 5);
  data = g_bytes_get_data (file, &len);
  hap_test_assert_hex_equal (data, len,
      "'HAPSTOR' 0a 01000000 05000000 'hello'"
      "ed51c0b023cd623e7927f0c2220365ba59939d486ceec4ec661f501cba9bbc89");
  back = hap_storage_decode ("config", "/x/config", data, len, &error);
  g_assert_no_error (error);
  want = hap_test_hex ("'hello'");
  hap_test_assert_bytes_equal (back, want);

  empty = hap_storage_encode ("kv-empty", NULL, 0);
  data = g_bytes_get_data (empty, &len);
  hap_test_assert_hex_equal (data, len,
      "'HAPSTOR' 0a 01000000 00000000"
      "96bdb8a9e291b607c36d05bcf21a1bdaaffafe456998d8366009866844252ed7");
}

/* ---- Round trips ---------------------------------------------------------------------------- */

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  static const gsize sizes[] = { 0, 1, 31, 32, 255, 4096, 70000 };
  g_autoptr (HapStorage) storage = NULL;
  GError *error = NULL;
  gsize i;

  (void) data;
  storage = open_ok (f->dir);
  g_assert_cmpstr (hap_storage_get_dir (storage), ==, f->dir);
  assert_absent (storage, "identity");

  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    guint8 *buf = g_malloc (sizes[i] + 1);
    g_autoptr (GBytes) value = NULL;
    g_autoptr (GBytes) got = NULL;
    gsize j;

    for (j = 0; j < sizes[i]; j++)
      buf[j] = (guint8) (j * 7 + i);
    value = g_bytes_new_take (buf, sizes[i]);
    g_assert_true (hap_storage_set (storage, "kv-blob", value, &error));
    g_assert_no_error (error);
    got = hap_storage_get (storage, "kv-blob", &error);
    g_assert_no_error (error);
    g_assert_nonnull (got);
    hap_test_assert_bytes_equal (got, value);
  }

  set_ok (storage, "identity", "'one'");
  set_ok (storage, "pairings", "00 01 02");
  assert_value (storage, "identity", "'one'");
  set_ok (storage, "identity", "'two, longer'");
  assert_value (storage, "identity", "'two, longer'");
  assert_value (storage, "pairings", "00 01 02");

  g_assert_true (hap_storage_delete (storage, "identity", &error));
  g_assert_no_error (error);
  assert_absent (storage, "identity");
  g_assert_true (hap_storage_delete (storage, "identity", &error)); /* absent: fine */
  g_assert_no_error (error);
  assert_value (storage, "pairings", "00 01 02");

  /* Values survive closing and reopening. */
  g_clear_pointer (&storage, hap_storage_free);
  storage = open_ok (f->dir);
  assert_value (storage, "pairings", "00 01 02");
  assert_absent (storage, "identity");
  /* The lock file, kv-blob and pairings; no temporary file is left behind. */
  g_assert_cmpuint (count_entries (f->dir), ==, 3);
}

static void
test_too_large (Fixture *f, gconstpointer data)
{
  g_autoptr (HapStorage) storage = open_ok (f->dir);
  g_autoptr (GBytes) big = g_bytes_new_take (
      g_malloc0 (HAP_STORAGE_MAX_VALUE_SIZE + 1), HAP_STORAGE_MAX_VALUE_SIZE + 1);
  GError *error = NULL;

  (void) data;
  g_assert_false (hap_storage_set (storage, "kv-big", big, &error));
  g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  assert_absent (storage, "kv-big");
}

/* ---- Permissions ---------------------------------------------------------------------------- */

static void
test_permissions (Fixture *f, gconstpointer data)
{
  g_autoptr (HapStorage) storage = NULL;
  g_autofree gchar *path = item_path (f, "identity");
  GStatBuf st;
  mode_t old_umask;

  (void) data;
  /* A permissive umask must not widen anything. */
  old_umask = umask (0);
  storage = open_ok (f->dir);
  set_ok (storage, "identity", "'secret'");
  umask (old_umask);

  g_assert_cmpint (g_stat (f->dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);

  /* Overwriting keeps 0600. */
  set_ok (storage, "identity", "'other'");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_clear_pointer (&storage, hap_storage_free);

  /* An existing directory open to others is tightened to 0700. */
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
  storage = open_ok (f->dir);
  g_assert_cmpint (g_stat (f->dir, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
}

static void
test_open_errors (Fixture *f, gconstpointer data)
{
  g_autofree gchar *file = g_build_filename (f->parent, "plain-file", NULL);
  g_autofree gchar *below = g_build_filename (file, "store", NULL);
  GError *error = NULL;
  HapStorage *storage;

  (void) data;
  write_file (file, (const guint8 *) "x", 1);
  storage = hap_storage_open (file, &error);
  g_assert_null (storage);
  g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, file));
  g_clear_error (&error);

  storage = hap_storage_open (below, &error);
  g_assert_null (storage);
  g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_IO);
  g_clear_error (&error);
}

/* ---- Damaged files -------------------------------------------------------------------------- */

/* Writes a valid item, returns its file bytes. */
static guint8 *
valid_file (Fixture *f, HapStorage *storage, const char *name, gsize *len)
{
  g_autofree gchar *path = item_path (f, name);
  gchar *contents = NULL;
  GError *error = NULL;

  set_ok (storage, name, "'a value of some length' 00 01 02 03 ff");
  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return (guint8 *) contents;
}

static void
test_truncation (Fixture *f, gconstpointer data)
{
  g_autoptr (HapStorage) storage = open_ok (f->dir);
  g_autofree gchar *path = item_path (f, "pairings");
  g_autofree guint8 *file = NULL;
  gsize len, cut;

  (void) data;
  file = valid_file (f, storage, "pairings", &len);
  g_assert_cmpuint (len, ==, HAP_STORAGE_HEADER_SIZE + 27 + HAP_STORAGE_CHECKSUM_SIZE);
  for (cut = 0; cut < len; cut++) {
    write_file (path, file, cut);
    assert_get_error (storage, path, "pairings", HAP_STORAGE_ERROR_CORRUPT);
  }
  /* Trailing bytes are refused as well. */
  {
    guint8 *longer = g_malloc (len + 1);
    memcpy (longer, file, len);
    longer[len] = 0;
    write_file (path, longer, len + 1);
    assert_get_error (storage, path, "pairings", HAP_STORAGE_ERROR_CORRUPT);
    g_free (longer);
  }
  /* The intact file still reads. */
  write_file (path, file, len);
  assert_value (storage, "pairings", "'a value of some length' 00 01 02 03 ff");
}

static void
test_bit_flips (Fixture *f, gconstpointer data)
{
  g_autoptr (HapStorage) storage = open_ok (f->dir);
  g_autofree gchar *path = item_path (f, "identity");
  g_autofree guint8 *file = NULL;
  gsize len, bit;

  (void) data;
  file = valid_file (f, storage, "identity", &len);
  for (bit = 0; bit < len * 8; bit++) {
    gsize byte = bit / 8;
    gint want = (byte >= 8 && byte < 12) ? HAP_STORAGE_ERROR_VERSION : HAP_STORAGE_ERROR_CORRUPT;

    file[byte] ^= 1u << (bit % 8);
    write_file (path, file, len);
    assert_get_error (storage, path, "identity", want);
    file[byte] ^= 1u << (bit % 8);
  }
  write_file (path, file, len);
  assert_value (storage, "identity", "'a value of some length' 00 01 02 03 ff");
}

static void
test_foreign_files (Fixture *f, gconstpointer data)
{
  g_autoptr (HapStorage) storage = open_ok (f->dir);
  g_autofree gchar *path = item_path (f, "config");
  g_autofree gchar *other = item_path (f, "identity");
  g_autofree guint8 *file = NULL;
  g_autoptr (GBytes) v2 = NULL;
  gsize len;
  static const char text[] = "{\"config\": 1}\n";

  (void) data;
  /* Wrong magic: a text file and a file with one magic byte changed. */
  write_file (path, (const guint8 *) text, sizeof text - 1);
  assert_get_error (storage, path, "config", HAP_STORAGE_ERROR_CORRUPT);
  file = valid_file (f, storage, "config", &len);
  file[0] = 'h';
  write_file (path, file, len);
  assert_get_error (storage, path, "config", HAP_STORAGE_ERROR_CORRUPT);

  /* A well-formed file of version 2 (checksum correct for it): a version error. */
  v2 = hap_test_hex ("'HAPSTOR' 0a 02000000 05000000 'hello'"
                     "016b6a536ab6652188c8ed523ea7fd464810be4cdc9728e7169d36e797e9aebf");
  write_file (path, g_bytes_get_data (v2, NULL), g_bytes_get_size (v2));
  {
    GError *error = NULL;
    g_assert_null (hap_storage_get (storage, "config", &error));
    g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_VERSION);
    g_assert_nonnull (strstr (error->message, path));
    g_assert_nonnull (strstr (error->message, "version 2"));
    g_clear_error (&error);
  }

  /* A valid file of another item copied over this one. */
  g_free (file);
  file = valid_file (f, storage, "config", &len);
  write_file (other, file, len);
  assert_get_error (storage, other, "identity", HAP_STORAGE_ERROR_CORRUPT);

  /* A length field over the limit. */
  file[12] = 0xff;
  file[13] = 0xff;
  file[14] = 0xff;
  file[15] = 0x7f;
  write_file (path, file, len);
  assert_get_error (storage, path, "config", HAP_STORAGE_ERROR_CORRUPT);
}

static void
test_unreadable (Fixture *f, gconstpointer data)
{
  g_autoptr (HapStorage) storage = open_ok (f->dir);
  g_autofree gchar *path = item_path (f, "identity");
  g_autofree gchar *target = g_build_filename (f->parent, "elsewhere", NULL);
  g_autofree guint8 *file = NULL;
  gsize len;

  (void) data;
  /* A directory where the item should be. */
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  assert_get_error (storage, path, "identity", HAP_STORAGE_ERROR_CORRUPT);
  g_assert_cmpint (g_rmdir (path), ==, 0);

  /* A symbolic link (not followed, even to a valid item file). */
  file = valid_file (f, storage, "identity", &len);
  write_file (target, file, len);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
  assert_get_error (storage, path, "identity", HAP_STORAGE_ERROR_IO);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* A FIFO: refused at once, without blocking. */
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  assert_get_error (storage, path, "identity", HAP_STORAGE_ERROR_CORRUPT);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* No read permission (root reads anyway, so only checked as an ordinary user). */
  write_file (path, file, len);
  g_assert_cmpint (g_chmod (path, 0), ==, 0);
  if (geteuid () != 0)
    assert_get_error (storage, path, "identity", HAP_STORAGE_ERROR_IO);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  assert_value (storage, "identity", "'a value of some length' 00 01 02 03 ff");
}

/* ---- Names ---------------------------------------------------------------------------------- */

static const char *const valid_names[] = {
  "a", "identity", "pairings", "config", "kv-motion-sensitivity", "0", "-", "kv-",
  "0123456789-abcdefghijklmnopqrstuvwxyz",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 64 */
};

static const char *const invalid_names[] = {
  "", ".", "..", ".lock", ".identity.abc123", "../identity", "a/b", "/etc/passwd", "Identity",
  "kv_motion", "kv.motion", "kv motion", " a", "a ", "a\n", "a\\b", "caf\xc3\xa9",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
};

static void
test_names (Fixture *f, gconstpointer data)
{
  g_autoptr (HapStorage) storage = open_ok (f->dir);
  g_autoptr (GBytes) value = hap_test_hex ("01");
  GError *error = NULL;
  gsize i;

  (void) data;
  for (i = 0; i < G_N_ELEMENTS (valid_names); i++) {
    g_assert_true (hap_storage_name_is_valid (valid_names[i]));
    g_assert_true (hap_storage_set (storage, valid_names[i], value, &error));
    g_assert_no_error (error);
    assert_value (storage, valid_names[i], "01");
    g_assert_true (hap_storage_delete (storage, valid_names[i], &error));
    g_assert_no_error (error);
  }
  g_assert_false (hap_storage_name_is_valid (NULL));
  for (i = 0; i < G_N_ELEMENTS (invalid_names); i++) {
    const char *name = invalid_names[i];

    g_assert_false (hap_storage_name_is_valid (name));
    g_assert_false (hap_storage_set (storage, name, value, &error));
    g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_INVALID_NAME);
    g_clear_error (&error);
    g_assert_null (hap_storage_get (storage, name, &error));
    g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_INVALID_NAME);
    g_clear_error (&error);
    g_assert_false (hap_storage_delete (storage, name, &error));
    g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_INVALID_NAME);
    g_clear_error (&error);
  }
  /* Nothing was written but the lock file; ".lock" was not deleted. */
  g_assert_cmpuint (count_entries (f->dir), ==, 1);
}

/* ---- Locking -------------------------------------------------------------------------------- */

static void
test_lock_same_process (Fixture *f, gconstpointer data)
{
  HapStorage *first = open_ok (f->dir);
  HapStorage *second;
  GError *error = NULL;

  (void) data;
  second = hap_storage_open (f->dir, &error);
  g_assert_null (second);
  g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, f->dir));
  g_clear_error (&error);

  hap_storage_free (first);
  second = open_ok (f->dir);
  hap_storage_free (second);
}

static void
test_lock_other_process (Fixture *f, gconstpointer data)
{
  GError *error = NULL;
  HapStorage *storage;
  int ready[2];
  pid_t pid;
  char c;
  int status;

  (void) data;
  g_assert_cmpint (pipe (ready), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0) {
    /* Child: take the storage, say so, and wait to be killed without releasing it. */
    HapStorage *held = hap_storage_open (f->dir, NULL);
    if (held == NULL)
      _exit (1);
    if (write (ready[1], "k", 1) != 1)
      _exit (2);
    for (;;)
      pause ();
  }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
  close (ready[0]);

  storage = hap_storage_open (f->dir, &error);
  g_assert_null (storage);
  g_assert_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_LOCKED);
  g_clear_error (&error);

  /* The holder dies (no cleanup): the kernel releases the lock. */
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  storage = open_ok (f->dir);
  hap_storage_free (storage);
}

/* ---- Crash between write and rename --------------------------------------------------------- */

static void
test_crash_before_rename (Fixture *f, gconstpointer data)
{
  HapStorage *storage = open_ok (f->dir);
  g_autofree gchar *stray = g_build_filename (f->dir, ".identity.Ab3xYz", NULL);
  g_autofree gchar *stray2 = g_build_filename (f->dir, ".pairings.000000", NULL);
  g_autoptr (GBytes) partial = NULL;
  GStatBuf st;

  (void) data;
  set_ok (storage, "identity", "'old value'");
  hap_storage_free (storage);

  /* A process died after writing (part of) the new value to its temporary file, before the
   * rename: a complete new file and a half-written one. */
  partial = hap_storage_encode ("identity", (const guint8 *) "new value", 9);
  write_file (stray, g_bytes_get_data (partial, NULL), g_bytes_get_size (partial));
  write_file (stray2, g_bytes_get_data (partial, NULL), 10);

  storage = open_ok (f->dir);
  /* The old value survives; the temporary files are gone. */
  assert_value (storage, "identity", "'old value'");
  assert_absent (storage, "pairings");
  g_assert_cmpint (g_stat (stray, &st), !=, 0);
  g_assert_cmpint (g_stat (stray2, &st), !=, 0);
  g_assert_cmpuint (count_entries (f->dir), ==, 2); /* .lock, identity */

  /* And writing works as usual afterwards. */
  set_ok (storage, "identity", "'new value'");
  assert_value (storage, "identity", "'new value'");
  hap_storage_free (storage);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  g_test_add_func ("/storage/format-known-answers", test_format_known_answers);
  ADD ("/storage/round-trip", test_round_trip);
  ADD ("/storage/too-large", test_too_large);
  ADD ("/storage/permissions", test_permissions);
  ADD ("/storage/open-errors", test_open_errors);
  ADD ("/storage/truncation", test_truncation);
  ADD ("/storage/bit-flips", test_bit_flips);
  ADD ("/storage/foreign-files", test_foreign_files);
  ADD ("/storage/unreadable", test_unreadable);
  ADD ("/storage/names", test_names);
  ADD ("/storage/lock-same-process", test_lock_same_process);
  ADD ("/storage/lock-other-process", test_lock_other_process);
  ADD ("/storage/crash-before-rename", test_crash_before_rename);
#undef ADD

  return g_test_run ();
}

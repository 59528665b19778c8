#include "hap/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>

#define LOCK_FILE_NAME ".lock"

struct _HapStorage {
  gchar *dir;
  int lock_fd;
};

G_DEFINE_QUARK (hap - storage - error - quark, hap_storage_error)

gboolean
hap_storage_name_is_valid (const char *name)
{
  gsize i;

  if (name == NULL || name[0] == '\0')
    return FALSE;
  for (i = 0; name[i] != '\0'; i++) {
    char c = name[i];
    if (i >= HAP_STORAGE_NAME_MAX)
      return FALSE;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return FALSE;
  }
  return TRUE;
}

static gboolean
check_name (const char *name, GError **error)
{
  if (hap_storage_name_is_valid (name))
    return TRUE;
  g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_INVALID_NAME,
      "Invalid storage item name (want 1-%d characters of a-z, 0-9 and '-')", HAP_STORAGE_NAME_MAX);
  return FALSE;
}

static void
set_io_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_IO, "%s %s: %s", what, path,
      g_strerror (saved_errno));
}

static void
put_le32 (guint8 *p, guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
}

static guint32
get_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static void
checksum (const char *name, const guint8 *data, gsize len, guint8 out[HAP_STORAGE_CHECKSUM_SIZE])
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, HAP_STORAGE_CHECKSUM_SIZE);
  crypto_generichash_update (&state, data, len);
  crypto_generichash_update (&state, (const guint8 *) name, strlen (name));
  crypto_generichash_final (&state, out, HAP_STORAGE_CHECKSUM_SIZE);
}

GBytes *
hap_storage_encode (const char *name, const guint8 *value, gsize len)
{
  guint8 *buf;
  gsize total;

  g_return_val_if_fail (hap_storage_name_is_valid (name), NULL);
  g_return_val_if_fail (value != NULL || len == 0, NULL);
  g_return_val_if_fail (len <= HAP_STORAGE_MAX_VALUE_SIZE, NULL);

  total = HAP_STORAGE_HEADER_SIZE + len + HAP_STORAGE_CHECKSUM_SIZE;
  buf = g_malloc (total);
  memcpy (buf, HAP_STORAGE_MAGIC, 8);
  put_le32 (buf + 8, HAP_STORAGE_FORMAT_VERSION);
  put_le32 (buf + 12, (guint32) len);
  if (len > 0)
    memcpy (buf + HAP_STORAGE_HEADER_SIZE, value, len);
  checksum (name, buf, HAP_STORAGE_HEADER_SIZE + len, buf + HAP_STORAGE_HEADER_SIZE + len);
  return g_bytes_new_take (buf, total);
}

GBytes *
hap_storage_decode (
    const char *name, const char *path, const guint8 *data, gsize len, GError **error)
{
  guint32 version, payload_len;
  guint8 sum[HAP_STORAGE_CHECKSUM_SIZE];

  g_return_val_if_fail (hap_storage_name_is_valid (name), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len < 8 || memcmp (data, HAP_STORAGE_MAGIC, 8) != 0) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT,
        "Storage file %s is corrupt: %s", path,
        len == 0                                                ? "empty file"
        : len < 8 && memcmp (data, HAP_STORAGE_MAGIC, len) == 0 ? "truncated header"
                                                                : "not a libhap storage file");
    return NULL;
  }
  if (len < HAP_STORAGE_HEADER_SIZE) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT,
        "Storage file %s is corrupt: truncated header", path);
    return NULL;
  }
  version = get_le32 (data + 8);
  payload_len = get_le32 (data + 12);
  if (version != HAP_STORAGE_FORMAT_VERSION) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_VERSION,
        "Storage file %s has format version %" G_GUINT32_FORMAT ", this build reads version %d",
        path, version, HAP_STORAGE_FORMAT_VERSION);
    return NULL;
  }
  if (payload_len > HAP_STORAGE_MAX_VALUE_SIZE) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT,
        "Storage file %s is corrupt: length field %" G_GUINT32_FORMAT " over the limit", path,
        payload_len);
    return NULL;
  }
  if (len != HAP_STORAGE_HEADER_SIZE + (gsize) payload_len + HAP_STORAGE_CHECKSUM_SIZE) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT,
        "Storage file %s is corrupt: %" G_GSIZE_FORMAT " bytes, the header says %" G_GSIZE_FORMAT
        " (%s)",
        path, len, HAP_STORAGE_HEADER_SIZE + (gsize) payload_len + HAP_STORAGE_CHECKSUM_SIZE,
        len < HAP_STORAGE_HEADER_SIZE + (gsize) payload_len + HAP_STORAGE_CHECKSUM_SIZE
            ? "truncated"
            : "trailing bytes");
    return NULL;
  }
  checksum (name, data, HAP_STORAGE_HEADER_SIZE + payload_len, sum);
  if (sodium_memcmp (sum, data + HAP_STORAGE_HEADER_SIZE + payload_len, sizeof sum) != 0) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT,
        "Storage file %s is corrupt: checksum mismatch (damaged, or copied from another item)",
        path);
    return NULL;
  }
  return g_bytes_new (data + HAP_STORAGE_HEADER_SIZE, payload_len);
}

/* fsync() of the directory, so that a rename or unlink is durable. */
static gboolean
sync_dir (const char *dir, GError **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd < 0) {
    set_io_error (error, errno, "Cannot open storage directory", dir);
    return FALSE;
  }
  if (fsync (fd) != 0 && errno != EINVAL) {
    saved_errno = errno;
    close (fd);
    set_io_error (error, saved_errno, "Cannot sync storage directory", dir);
    return FALSE;
  }
  close (fd);
  return TRUE;
}

/* Temporary files are ".NAME.XXXXXX"; the lock file is ".lock". While we hold the lock, any
 * temporary file is left over from a process that died between write and rename. */
static void
remove_stray_temporaries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *entry;

  if (d == NULL)
    return;
  while ((entry = g_dir_read_name (d)) != NULL) {
    if (entry[0] == '.' && strcmp (entry, LOCK_FILE_NAME) != 0) {
      gchar *path = g_build_filename (dir, entry, NULL);
      g_debug ("Removing stray temporary file %s", path);
      if (g_unlink (path) != 0)
        g_debug ("Cannot remove %s: %s", path, g_strerror (errno));
      g_free (path);
    }
  }
  g_dir_close (d);
}

HapStorage *
hap_storage_open (const char *dir, GError **error)
{
  HapStorage *storage;
  GStatBuf st;
  gchar *lock_path;
  int fd;

  g_return_val_if_fail (dir != NULL && dir[0] != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (sodium_init () < 0) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_IO, "libsodium failed to initialize");
    return NULL;
  }
  if (g_mkdir_with_parents (dir, 0700) != 0) {
    set_io_error (error, errno, "Cannot create storage directory", dir);
    return NULL;
  }
  if (g_stat (dir, &st) != 0) {
    set_io_error (error, errno, "Cannot stat storage directory", dir);
    return NULL;
  }
  if (!S_ISDIR (st.st_mode)) {
    set_io_error (error, ENOTDIR, "Cannot use storage directory", dir);
    return NULL;
  }
  if ((st.st_mode & 07777) != 0700) {
    g_debug ("Setting the mode of storage directory %s to 0700", dir);
    if (g_chmod (dir, 0700) != 0) {
      set_io_error (error, errno, "Cannot set the mode of storage directory", dir);
      return NULL;
    }
  }

  lock_path = g_build_filename (dir, LOCK_FILE_NAME, NULL);
  fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    set_io_error (error, errno, "Cannot open lock file", lock_path);
    g_free (lock_path);
    return NULL;
  }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
    int saved_errno = errno;
    if (saved_errno == EWOULDBLOCK)
      g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_LOCKED,
          "Storage directory %s is in use by another process (lock file %s)", dir, lock_path);
    else
      set_io_error (error, saved_errno, "Cannot lock", lock_path);
    close (fd);
    g_free (lock_path);
    return NULL;
  }
  g_free (lock_path);

  storage = g_new0 (HapStorage, 1);
  storage->dir = g_strdup (dir);
  storage->lock_fd = fd;
  remove_stray_temporaries (dir);
  return storage;
}

void
hap_storage_free (HapStorage *storage)
{
  if (storage == NULL)
    return;
  if (storage->lock_fd >= 0)
    close (storage->lock_fd); /* drops the flock */
  g_free (storage->dir);
  g_free (storage);
}

const char *
hap_storage_get_dir (const HapStorage *storage)
{
  g_return_val_if_fail (storage != NULL, NULL);
  return storage->dir;
}

/* Reads a whole regular file of at most `max` bytes. NULL with no error: absent. */
static guint8 *
read_item_file (const char *path, gsize max, gsize *len, GError **error)
{
  struct stat st;
  guint8 *buf;
  gsize got = 0;
  int fd;

  /* O_NONBLOCK: a FIFO planted in the directory must not hang us; O_NOFOLLOW: no symlinks. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno != ENOENT)
      set_io_error (error, errno, "Cannot open storage file", path);
    return NULL;
  }
  if (fstat (fd, &st) != 0) {
    set_io_error (error, errno, "Cannot stat storage file", path);
    close (fd);
    return NULL;
  }
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT,
        "Storage file %s is not a regular file", path);
    close (fd);
    return NULL;
  }
  if ((guint64) st.st_size > max) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_CORRUPT,
        "Storage file %s is corrupt: %" G_GUINT64_FORMAT " bytes, over the limit", path,
        (guint64) st.st_size);
    close (fd);
    return NULL;
  }
  /* One byte more than the size, to notice a file that grows under us. */
  buf = g_malloc ((gsize) st.st_size + 1);
  for (;;) {
    ssize_t n = read (fd, buf + got, (gsize) st.st_size + 1 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      set_io_error (error, errno, "Cannot read storage file", path);
      g_free (buf);
      close (fd);
      return NULL;
    }
    if (n == 0)
      break;
    got += n;
    if (got > (gsize) st.st_size)
      break;
  }
  close (fd);
  *len = got;
  return buf;
}

GBytes *
hap_storage_get (HapStorage *storage, const char *name, GError **error)
{
  gchar *path;
  guint8 *data;
  gsize len = 0;
  GError *local = NULL;
  GBytes *value;

  g_return_val_if_fail (storage != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (!check_name (name, error))
    return NULL;

  path = g_build_filename (storage->dir, name, NULL);
  data = read_item_file (path,
      HAP_STORAGE_HEADER_SIZE + HAP_STORAGE_MAX_VALUE_SIZE + HAP_STORAGE_CHECKSUM_SIZE, &len,
      &local);
  if (data == NULL) {
    if (local != NULL)
      g_propagate_error (error, local);
    g_free (path);
    return NULL;
  }
  value = hap_storage_decode (name, path, data, len, error);
  sodium_memzero (data, len);
  g_free (data);
  g_free (path);
  return value;
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0) {
    ssize_t n = write (fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}

gboolean
hap_storage_set (HapStorage *storage, const char *name, GBytes *value, GError **error)
{
  g_autoptr (GBytes) file = NULL;
  gchar *tmp_path = NULL, *path = NULL;
  const guint8 *data;
  gsize len;
  int fd = -1, saved_errno;
  gboolean ok = FALSE;

  g_return_val_if_fail (storage != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (!check_name (name, error))
    return FALSE;
  if (g_bytes_get_size (value) > HAP_STORAGE_MAX_VALUE_SIZE) {
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_TOO_LARGE,
        "Storage item %s: %" G_GSIZE_FORMAT " bytes, over the limit of %d", name,
        g_bytes_get_size (value), HAP_STORAGE_MAX_VALUE_SIZE);
    return FALSE;
  }

  data = g_bytes_get_data (value, &len);
  file = hap_storage_encode (name, data, len);
  data = g_bytes_get_data (file, &len);
  path = g_build_filename (storage->dir, name, NULL);
  tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", storage->dir, name);

  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    set_io_error (error, errno, "Cannot create temporary file", tmp_path);
    goto out;
  }
  if (fchmod (fd, 0600) != 0 || !write_all (fd, data, len) || fsync (fd) != 0) {
    set_io_error (error, errno, "Cannot write temporary file", tmp_path);
    goto out;
  }
  if (close (fd) != 0) {
    fd = -1;
    set_io_error (error, errno, "Cannot write temporary file", tmp_path);
    goto out;
  }
  fd = -1;
  if (g_rename (tmp_path, path) != 0) {
    saved_errno = errno;
    g_set_error (error, HAP_STORAGE_ERROR, HAP_STORAGE_ERROR_IO, "Cannot rename %s to %s: %s",
        tmp_path, path, g_strerror (saved_errno));
    goto out;
  }
  g_clear_pointer (&tmp_path, g_free); /* renamed: nothing to clean up */
  ok = sync_dir (storage->dir, error);

out:
  if (fd >= 0)
    close (fd);
  if (tmp_path != NULL)
    g_unlink (tmp_path);
  g_free (tmp_path);
  g_free (path);
  return ok;
}

gboolean
hap_storage_delete (HapStorage *storage, const char *name, GError **error)
{
  gchar *path;
  gboolean ok;

  g_return_val_if_fail (storage != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (!check_name (name, error))
    return FALSE;

  path = g_build_filename (storage->dir, name, NULL);
  if (g_unlink (path) != 0) {
    if (errno == ENOENT) {
      g_free (path);
      return TRUE;
    }
    set_io_error (error, errno, "Cannot remove storage file", path);
    g_free (path);
    return FALSE;
  }
  ok = sync_dir (storage->dir, error);
  g_free (path);
  return ok;
}

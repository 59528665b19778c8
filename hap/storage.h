/* libhap: the storage directory of an accessory (identity, pairings, config, the owner's items).
 *
 * A storage directory holds named items. Each item is one file named after it, written whole:
 * a temporary file in the same directory (".NAME.XXXXXX", mode 0600), write, fsync, rename over
 * the item, fsync of the directory. A crash at any point leaves either the old or the new value;
 * a stray temporary file is ignored and removed by the next hap_storage_open().
 *
 * File format (all integers little-endian):
 *
 *   offset  size  field
 *   0       8     magic "HAPSTOR\n"
 *   8       4     format version (HAP_STORAGE_FORMAT_VERSION)
 *   12      4     payload length N (at most HAP_STORAGE_MAX_VALUE_SIZE)
 *   16      N     payload (the value)
 *   16+N    32    BLAKE2b-256 (libsodium crypto_generichash, no key) of
 *                 bytes 0..16+N followed by the item name
 *
 * The checksum covers the item name, so a file copied or renamed to another item is refused too.
 * A file that is truncated, too long, corrupted, of another format or version, or not a regular
 * file is an error naming the file, never a crash and never a silent reset to "absent".
 *
 * Item names: 1..HAP_STORAGE_NAME_MAX characters of [a-z0-9-] (no '/', no '.', so no path
 * traversal and no clash with the lock and temporary files, which start with '.').
 *
 * One process at a time: hap_storage_open() takes an exclusive flock() on "DIR/.lock" and holds
 * it until hap_storage_free(); a second open (from another process or the same one) fails with
 * HAP_STORAGE_ERROR_LOCKED. The kernel drops the lock when the process dies.
 *
 * Not thread-safe: use one HapStorage from one thread at a time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAP_STORAGE_ERROR (hap_storage_error_quark ())
GQuark hap_storage_error_quark (void);

typedef enum {
  HAP_STORAGE_ERROR_IO,           /* a system call failed (the message names the file and errno) */
  HAP_STORAGE_ERROR_CORRUPT,      /* truncated, corrupted, foreign or not a regular file */
  HAP_STORAGE_ERROR_VERSION,      /* a valid file of a format version this build cannot read */
  HAP_STORAGE_ERROR_INVALID_NAME, /* an item name outside [a-z0-9-]{1,64} */
  HAP_STORAGE_ERROR_TOO_LARGE,    /* a value over HAP_STORAGE_MAX_VALUE_SIZE */
  HAP_STORAGE_ERROR_LOCKED,       /* the directory is in use by another HapStorage */
} HapStorageError;

#define HAP_STORAGE_FORMAT_VERSION 1
#define HAP_STORAGE_MAGIC "HAPSTOR\n" /* 8 bytes, without the NUL */
#define HAP_STORAGE_HEADER_SIZE 16
#define HAP_STORAGE_CHECKSUM_SIZE 32
#define HAP_STORAGE_NAME_MAX 64
#define HAP_STORAGE_MAX_VALUE_SIZE (4 * 1024 * 1024)

typedef struct _HapStorage HapStorage;

/* Opens (creating it and its parents, mode 0700) the storage directory `dir`, tightens an existing
 * directory to 0700, takes the lock and removes stray temporary files. */
HapStorage *hap_storage_open (const char *dir, GError **error);
void hap_storage_free (HapStorage *storage); /* releases the lock */
const char *hap_storage_get_dir (const HapStorage *storage);

/* The value of item `name`; NULL without an error when the item is absent. */
GBytes *hap_storage_get (HapStorage *storage, const char *name, GError **error);
/* Replaces (or creates) item `name` atomically. */
gboolean hap_storage_set (HapStorage *storage, const char *name, GBytes *value, GError **error);
/* Removes item `name`; an absent item is not an error. */
gboolean hap_storage_delete (HapStorage *storage, const char *name, GError **error);

/* TRUE when `name` is a valid item name (see above). */
gboolean hap_storage_name_is_valid (const char *name);

/* The file bytes of an item (format above), and the inverse. hap_storage_decode() fails with
 * HAP_STORAGE_ERROR_CORRUPT or _VERSION; `path` is used only in the error message. Exposed for
 * the tests and for tools that inspect a storage directory. */
GBytes *hap_storage_encode (const char *name, const guint8 *value, gsize len);
GBytes *hap_storage_decode (
    const char *name, const char *path, const guint8 *data, gsize len, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapStorage, hap_storage_free)

G_END_DECLS

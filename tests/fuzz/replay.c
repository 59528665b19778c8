/* Plain driver for the libFuzzer targets: replays every file of the given corpus
 * directories, then a fixed number of deterministic mutations of each file (bit flips,
 * truncations, byte insertions), so that every build - sanitizer builds in CI included -
 * runs each parser entry point on malformed input without libFuzzer.
 *
 * Usage: replay-NAME [-n MUTATIONS] DIR_OR_FILE...
 */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/fuzz-target.h"

static void
run_one (const guint8 *data, gsize size)
{
  /* Copy into an exact-size heap block so ASan catches any overread. */
  guint8 *copy = g_malloc (size ? size : 1);
  if (size)
    memcpy (copy, data, size);
  LLVMFuzzerTestOneInput (copy, size);
  g_free (copy);
}

static void
mutate_and_run (GRand *rand, const guint8 *data, gsize size, guint n)
{
  for (guint i = 0; i < n; i++) {
    gsize len = size + 8;
    guint8 *buf = g_malloc (len);
    guint kind = g_rand_int_range (rand, 0, 4);
    memcpy (buf, data, size);
    len = size;
    if (kind == 0 && len > 0) { /* flip a few bits */
      guint flips = g_rand_int_range (rand, 1, 5);
      for (guint f = 0; f < flips; f++)
        buf[g_rand_int_range (rand, 0, (gint32) len)] ^= 1u << g_rand_int_range (rand, 0, 8);
    } else if (kind == 1 && len > 0) { /* truncate */
      len = g_rand_int_range (rand, 0, (gint32) len);
    } else if (kind == 2) { /* insert random bytes */
      gsize at = len ? (gsize) g_rand_int_range (rand, 0, (gint32) len + 1) : 0;
      guint add = g_rand_int_range (rand, 1, 9);
      memmove (buf + at + add, buf + at, len - at);
      for (guint a = 0; a < add; a++)
        buf[at + a] = (guint8) g_rand_int (rand);
      len += add;
    } else if (len > 0) { /* overwrite a byte with an interesting value */
      static const guint8 interesting[] = { 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff };
      buf[g_rand_int_range (rand, 0, (gint32) len)]
          = interesting[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting))];
    }
    run_one (buf, len);
    g_free (buf);
  }
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static guint
replay_path (GRand *rand, const char *path, guint mutations)
{
  guint count = 0;

  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    GDir *dir = g_dir_open (path, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
    const char *name;

    if (!dir)
      return 0;
    while ((name = g_dir_read_name (dir)))
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
    g_dir_close (dir);
    /* Sorted, so that mutations are the same on every run. */
    g_ptr_array_sort (names, compare_names);
    for (guint i = 0; i < names->len; i++)
      count += replay_path (rand, g_ptr_array_index (names, i), mutations);
    g_ptr_array_unref (names);
  } else {
    gchar *data = NULL;
    gsize size = 0;
    GError *error = NULL;

    if (!g_file_get_contents (path, &data, &size, &error)) {
      g_printerr ("replay: %s\n", error->message);
      g_error_free (error);
      exit (1);
    }
    run_one ((const guint8 *) data, size);
    mutate_and_run (rand, (const guint8 *) data, size, mutations);
    g_free (data);
    count++;
  }
  return count;
}

int
main (int argc, char **argv)
{
  guint mutations = 2000, files = 0;
  GRand *rand = g_rand_new_with_seed (0x48b5);
  int i = 1;

  if (argc > 2 && strcmp (argv[1], "-n") == 0) {
    mutations = (guint) strtoul (argv[2], NULL, 10);
    i = 3;
  }
  for (; i < argc; i++)
    files += replay_path (rand, argv[i], mutations);
  g_rand_free (rand);
  if (files == 0) {
    g_printerr ("replay: no corpus files found\n");
    return 1;
  }
  g_print ("replayed %u corpus files with %u mutations each\n", files, mutations);
  return 0;
}

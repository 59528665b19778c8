/* Helpers shared by the unit tests, fuzz replay drivers and interop helpers (tests/).
 *
 * Test vectors are written in a small notation parsed by hap_test_hex() and friends: hex digits
 * (either case), whitespace ignored anywhere, and 'text' for the ASCII bytes of text. Examples:
 * "0a 08 ff", "BEB25379 D1A8581E", "48 'protocol'". A malformed vector fails the running test.
 *
 * The comparison macros check exactly what g_assert_cmpmem() checks (a NULL pointer only with
 * length 0, equal lengths, equal bytes) but report the first differing offset and the bytes
 * around it, in hex, at the caller's file and line. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decodes a test vector (see above). Aborts the test when it is malformed. */
GBytes *hap_test_hex (const gchar *notation);

/* The same as a newly allocated buffer (free with g_free(); never NULL, also when empty);
 * `len` receives its size. */
guint8 *hap_test_unhex (const gchar *notation, gsize *len);

/* Strict decoding of hex received from a peer: an even number of hex digits and nothing else.
 * Returns NULL when `hex` is not exactly that. Never fails the test. */
GBytes *hap_test_hex_parse (const gchar *hex);

/* Lowercase hex, two digits per byte, no separators. */
gchar *hap_test_to_hex (const guint8 *data, gsize len);
void hap_test_append_hex (GString *out, const guint8 *data, gsize len);

/* Decodes base64 (g_base64_decode(), which does not validate). */
GBytes *hap_test_b64 (const gchar *b64);

/* For test helper programs that talk to their driver over stdout: prints one line and flushes. */
void hap_test_say (const char *format, ...) G_GNUC_PRINTF (1, 2);

void hap_test_assert_mem_equal_impl (const gchar *domain, const gchar *file, gint line,
    const gchar *func, const gchar *got_expr, gconstpointer got, gsize got_len,
    const gchar *want_expr, gconstpointer want, gsize want_len);
void hap_test_assert_bytes_equal_impl (const gchar *domain, const gchar *file, gint line,
    const gchar *func, const gchar *got_expr, GBytes *got, const gchar *want_expr, GBytes *want);
void hap_test_assert_hex_equal_impl (const gchar *domain, const gchar *file, gint line,
    const gchar *func, const gchar *got_expr, gconstpointer got, gsize got_len,
    const gchar *want_expr, const gchar *want_notation);

/* got[0..got_len) == want[0..want_len) */
#define hap_test_assert_mem_equal(got, got_len, want, want_len)                             \
  hap_test_assert_mem_equal_impl (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, #got, (got), \
      (got_len), #want, (want), (want_len))

/* Two GBytes (neither NULL) with the same contents. */
#define hap_test_assert_bytes_equal(got, want) \
  hap_test_assert_bytes_equal_impl (           \
      G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, #got, (got), #want, (want))

/* got[0..got_len) == the bytes of the test vector `want_notation`. */
#define hap_test_assert_hex_equal(got, got_len, want_notation)                              \
  hap_test_assert_hex_equal_impl (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, #got, (got), \
      (got_len), #want_notation, (want_notation))

G_END_DECLS

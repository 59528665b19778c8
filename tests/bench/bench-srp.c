/* Benchmark: the SRP work of one HAP pair-setup (3072-bit group, SHA-512) on one core.
 *   srp_accessory_ms_per_setup: salt + verifier + b + B (M2), then S/K, M1 check and M2 (M4)
 *   srp_client_ms_per_setup:    a + A, then x/u/S/K/M1 (M3) and the M2 check
 *   hkdf_us_per_key:            one 32-byte HKDF-SHA512 derivation (pair-setup M5 key)
 * Usage: bench-srp [ITERATIONS] (default 200). Prints "key: value" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hap/hkdf.h"
#include "hap/srp.h"

#define CODE "123-45-678"

int
main (int argc, char **argv)
{
  guint iterations = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 200;
  gint64 server_us = 0, client_us = 0, t0, hkdf_us;
  guint8 key[32];
  const guint hkdf_iterations = 20000;

  if (iterations == 0)
    iterations = 1;

  for (guint i = 0; i < iterations; i++) {
    g_autoptr (HapSrpServer) server = NULL;
    g_autoptr (HapSrpClient) client = NULL;
    const guint8 *salt, *b_pub, *a_pub, *m1, *m2, *k1, *k2;
    gsize salt_len, b_len, a_len, m1_len, m2_len, k1_len, k2_len;
    gboolean ok;

    /* Accessory, M1 -> M2: random salt and b, v = g^x, B. */
    t0 = g_get_monotonic_time ();
    server = hap_srp_server_new (HAP_SRP_GROUP_3072, HAP_SRP_HASH_SHA512, HAP_SRP_USERNAME,
        (const guint8 *) CODE, strlen (CODE), NULL, 0, NULL, 0);
    salt = hap_srp_server_get_salt (server, &salt_len);
    b_pub = hap_srp_server_get_public_key (server, &b_len);
    server_us += g_get_monotonic_time () - t0;

    /* Controller, M2 -> M3. */
    t0 = g_get_monotonic_time ();
    client = hap_srp_client_new (HAP_SRP_GROUP_3072, HAP_SRP_HASH_SHA512, HAP_SRP_USERNAME,
        (const guint8 *) CODE, strlen (CODE), NULL, 0);
    ok = hap_srp_client_set_server_public_key (client, salt, salt_len, b_pub, b_len, NULL);
    a_pub = hap_srp_client_get_public_key (client, &a_len);
    m1 = hap_srp_client_get_proof (client, &m1_len);
    client_us += g_get_monotonic_time () - t0;
    g_assert (ok);

    /* Accessory, M3 -> M4. */
    t0 = g_get_monotonic_time ();
    ok = hap_srp_server_set_client_public_key (server, a_pub, a_len, NULL)
         && hap_srp_server_verify_client_proof (server, m1, m1_len, NULL);
    m2 = hap_srp_server_get_proof (server, &m2_len);
    server_us += g_get_monotonic_time () - t0;
    g_assert (ok);

    /* Controller, M4. */
    t0 = g_get_monotonic_time ();
    ok = hap_srp_client_verify_server_proof (client, m2, m2_len, NULL);
    client_us += g_get_monotonic_time () - t0;
    g_assert (ok);

    k1 = hap_srp_server_get_session_key (server, &k1_len);
    k2 = hap_srp_client_get_session_key (client, &k2_len);
    g_assert (k1_len == k2_len && memcmp (k1, k2, k1_len) == 0);
  }

  t0 = g_get_monotonic_time ();
  memset (key, 0x42, sizeof key);
  for (guint i = 0; i < hkdf_iterations; i++)
    hap_hkdf_sha512 (key, sizeof key, (const guint8 *) "Pair-Setup-Encrypt-Salt", 23,
        (const guint8 *) "Pair-Setup-Encrypt-Info", 23, key, sizeof key);
  hkdf_us = g_get_monotonic_time () - t0;

  printf ("srp_iterations: %u\n", iterations);
  printf ("srp_accessory_ms_per_setup: %.3f\n", server_us / 1000.0 / iterations);
  printf ("srp_client_ms_per_setup: %.3f\n", client_us / 1000.0 / iterations);
  printf ("hkdf_us_per_key: %.3f\n", (double) hkdf_us / hkdf_iterations);
  return 0;
}

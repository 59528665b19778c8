/* Benchmark: HDS frame encode+decode against bare libsodium ChaCha20-Poly1305 IETF, and HAP
 * session frames.
 *
 * Every figure is payload megabytes (1e6 bytes) per second through encrypt + decrypt, best of
 * several interleaved runs. The bare libsodium loop is the floor any framing can reach: the
 * same detached AEAD calls on the same buffer sizes with a 4-byte header as AAD, in place.
 *
 *   hds_frame_mb_s / libsodium_aead_mb_s  262144-byte payloads (the fMP4 chunk size)
 *   hds_frame_ratio                       their quotient (target >= 0.9)
 *   session_frame_mb_s                    262144 bytes through HAP session frames
 */
#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hap/hds-frame.h"
#include "hap/session-crypto.h"

#define RUNS 7
#define RUN_SECONDS 0.25

static const guint8 key_a[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
  20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

static volatile guint8 sink;

static void
die (const char *what)
{
  fprintf (stderr, "bench-hds-frame: %s\n", what);
  exit (1);
}

/* Bare libsodium: in-place encrypt then decrypt of one buffer, header as AAD. */
static double
run_libsodium (gsize size)
{
  guint8 *buf = g_malloc (size + 4 + 16);
  guint8 nonce[12] = { 0 };
  guint64 counter = 0, iters = 0;
  gint64 start = g_get_monotonic_time (), now;

  memset (buf, 0x5a, size + 20);
  buf[0] = 0x01;
  buf[1] = (guint8) (size >> 16);
  buf[2] = (guint8) (size >> 8);
  buf[3] = (guint8) size;
  do {
    for (guint k = 0; k < 16; k++) {
      memcpy (nonce + 4, &counter, 8);
      crypto_aead_chacha20poly1305_ietf_encrypt_detached (
          buf + 4, buf + 4 + size, NULL, buf + 4, size, buf, 4, NULL, nonce, key_a);
      if (crypto_aead_chacha20poly1305_ietf_decrypt_detached (
              buf + 4, NULL, buf + 4, size, buf + 4 + size, buf, 4, nonce, key_a)
          != 0)
        die ("libsodium decrypt failed");
      counter++;
      iters++;
    }
    now = g_get_monotonic_time ();
  } while (now - start < RUN_SECONDS * G_USEC_PER_SEC);
  sink ^= buf[4];
  g_free (buf);
  return (double) iters * (double) size / ((double) (now - start) / G_USEC_PER_SEC) / 1e6;
}

/* HDS frames: encode in place, then the incremental decoder (whole frame in one call, the
 * path a socket reader takes), or the in-place decoder. */
static double
run_hds (gsize size, gboolean in_place)
{
  HapHdsFrameCodec *tx = hap_hds_frame_codec_new (key_a, key_a);
  HapHdsFrameCodec *rx = hap_hds_frame_codec_new (key_a, key_a);
  guint8 *frame = g_malloc (size + HAP_HDS_FRAME_OVERHEAD);
  guint64 iters = 0;
  gint64 start = g_get_monotonic_time (), now;

  memset (frame, 0x5a, size + HAP_HDS_FRAME_OVERHEAD);
  do {
    for (guint k = 0; k < 16; k++) {
      gsize consumed, n;
      HapParseResult res;

      if (!hap_hds_frame_encode_in_place (tx, frame, size))
        die ("encode failed");
      if (in_place) {
        guint8 *payload;

        res = hap_hds_frame_decode_in_place (
            rx, frame, size + HAP_HDS_FRAME_OVERHEAD, &consumed, &payload, &n, NULL);
      } else {
        const guint8 *payload;

        res = hap_hds_frame_decode (
            rx, frame, size + HAP_HDS_FRAME_OVERHEAD, &consumed, &payload, &n, NULL);
        sink ^= n ? payload[0] : 0;
      }
      if (res != HAP_PARSE_OK || n != size)
        die ("decode failed");
      iters++;
    }
    now = g_get_monotonic_time ();
  } while (now - start < RUN_SECONDS * G_USEC_PER_SEC);
  g_free (frame);
  hap_hds_frame_codec_free (tx);
  hap_hds_frame_codec_free (rx);
  return (double) iters * (double) size / ((double) (now - start) / G_USEC_PER_SEC) / 1e6;
}

/* HAP session frames: `size` bytes split into 1024-byte frames and decoded again. */
static double
run_session (gsize size)
{
  HapSessionCrypto *tx = hap_session_crypto_new (key_a, key_a);
  HapSessionCrypto *rx = hap_session_crypto_new (key_a, key_a);
  gsize wire_size = hap_session_crypto_encrypted_size (size);
  guint8 *plain = g_malloc (size), *wire = g_malloc (wire_size);
  guint8 out[HAP_SESSION_MAX_PAYLOAD];
  guint64 iters = 0;
  gint64 start = g_get_monotonic_time (), now;

  memset (plain, 0x5a, size);
  do {
    gsize pos = 0;

    if (hap_session_crypto_encrypt (tx, plain, size, wire, wire_size) != wire_size)
      die ("session encrypt failed");
    while (pos < wire_size) {
      gsize consumed, n;

      if (hap_session_crypto_decrypt (rx, wire + pos, wire_size - pos, &consumed, out, &n, NULL)
          != HAP_PARSE_OK)
        die ("session decrypt failed");
      sink ^= out[0];
      pos += consumed;
    }
    iters++;
    now = g_get_monotonic_time ();
  } while (now - start < RUN_SECONDS * G_USEC_PER_SEC);
  g_free (plain);
  g_free (wire);
  hap_session_crypto_free (tx);
  hap_session_crypto_free (rx);
  return (double) iters * (double) size / ((double) (now - start) / G_USEC_PER_SEC) / 1e6;
}

int
main (int argc, char **argv)
{
  static const gsize sizes[] = { 1024, 65536, 262144 };
  double best_sodium[G_N_ELEMENTS (sizes)] = { 0 }, best_hds[G_N_ELEMENTS (sizes)] = { 0 };
  double best_hds_ip[G_N_ELEMENTS (sizes)] = { 0 }, best_session = 0;

  if (sodium_init () < 0)
    die ("sodium_init failed");

  /* Warm-up, then interleaved runs so that frequency changes hit all loops alike. */
  run_libsodium (262144);
  run_hds (262144, FALSE);
  for (guint r = 0; r < RUNS; r++) {
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      best_sodium[s] = MAX (best_sodium[s], run_libsodium (sizes[s]));
      best_hds[s] = MAX (best_hds[s], run_hds (sizes[s], FALSE));
      best_hds_ip[s] = MAX (best_hds_ip[s], run_hds (sizes[s], TRUE));
    }
    best_session = MAX (best_session, run_session (262144));
  }

  printf ("runs: %u x %.2f s, best taken\n", RUNS, RUN_SECONDS);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
    printf ("libsodium_aead_%" G_GSIZE_FORMAT "_mb_s: %.1f\n", sizes[s], best_sodium[s]);
    printf ("hds_frame_%" G_GSIZE_FORMAT "_mb_s: %.1f\n", sizes[s], best_hds[s]);
    printf ("hds_frame_in_place_%" G_GSIZE_FORMAT "_mb_s: %.1f\n", sizes[s], best_hds_ip[s]);
    printf ("hds_frame_%" G_GSIZE_FORMAT "_ratio: %.3f\n", sizes[s], best_hds[s] / best_sodium[s]);
  }
  printf ("libsodium_aead_mb_s: %.1f\n", best_sodium[2]);
  printf ("hds_frame_mb_s: %.1f\n", best_hds[2]);
  printf ("hds_frame_ratio: %.3f\n", best_hds[2] / best_sodium[2]);
  printf ("session_frame_mb_s: %.1f\n", best_session);
  return 0;
}

/* Benchmark: the HDS message codec (hap/hds-message.c) on one core.
 *   hds_message_encode_mb_s:      dataSend `data` event payloads with a 262144-byte chunk,
 *                                 header + body encoded into one buffer (MB = 10^6 bytes)
 *   hds_message_decode_mb_s:      the same payloads decoded (header + body; the chunk is
 *                                 referenced, not copied) and parsed into a typed packet
 *   hds_message_small_msgs_per_s: small control messages (dataSend ack event) encoded, then
 *                                 decoded and parsed, per second (one message = both)
 * Usage: bench-hds-message [ITERATIONS] (default 2000). Prints "key: value" lines. */
#include <stdio.h>
#include <stdlib.h>

#include "hap/hds-datasend.h"

int
main (int argc, char **argv)
{
  guint iterations = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 2000;
  guint small_iterations;
  guint8 *chunk_data = g_malloc (HAP_HDS_DATA_SEND_MAX_CHUNK);
  g_autoptr (GBytes) chunk = NULL;
  g_autoptr (GBytes) payload = NULL;
  HapHdsDataSendPacket packet = { NULL, HAP_HDS_DATA_TYPE_MEDIA_FRAGMENT, 2, 1, FALSE, 1000000 };
  gint64 t0, encode_us, decode_us, small_us;
  gsize payload_size, checksum = 0;

  if (iterations == 0)
    iterations = 1;
  small_iterations = iterations * 100;
  for (guint i = 0; i < HAP_HDS_DATA_SEND_MAX_CHUNK; i++)
    chunk_data[i] = (guint8) (i * 13);
  chunk = g_bytes_new_take (chunk_data, HAP_HDS_DATA_SEND_MAX_CHUNK);
  packet.data = chunk;

  /* encode: what hksvsink does per chunk */
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++) {
    GBytes *p;

    packet.data_chunk_sequence_number = 1 + i % 4;
    p = hap_hds_data_send_data_encode (1, &packet, FALSE);
    checksum += g_bytes_get_size (p);
    g_bytes_unref (p);
  }
  encode_us = g_get_monotonic_time () - t0;

  /* decode: what the hub side does per chunk */
  payload = hap_hds_data_send_data_encode (1, &packet, FALSE);
  payload_size = g_bytes_get_size (payload);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++) {
    HapHdsValue *header = NULL, *message = NULL;
    HapHdsHeader h;
    HapHdsDataSendData data;

    if (!hap_hds_message_decode (payload, &header, &message, NULL)
        || !hap_hds_header_parse (header, &h, NULL)
        || !hap_hds_data_send_data_parse (message, &data, NULL)) {
      fprintf (stderr, "decode failed\n");
      return 1;
    }
    checksum += g_bytes_get_size (g_array_index (data.packets, HapHdsDataSendPacket, 0).data);
    hap_hds_data_send_data_clear (&data);
    hap_hds_header_clear (&h);
    hap_hds_value_unref (header);
    hap_hds_value_unref (message);
  }
  decode_us = g_get_monotonic_time () - t0;

  /* small control messages */
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < small_iterations; i++) {
    HapHdsValue *body = hap_hds_data_send_ack_build (i, TRUE);
    GBytes *p = hap_hds_message_encode_event (HAP_HDS_PROTOCOL_DATA_SEND, HAP_HDS_TOPIC_ACK, body);
    HapHdsValue *header = NULL, *message = NULL;
    HapHdsHeader h;
    gint64 stream_id;
    gboolean eos;

    if (!hap_hds_message_decode (p, &header, &message, NULL)
        || !hap_hds_header_parse (header, &h, NULL)
        || !hap_hds_data_send_ack_parse (message, &stream_id, &eos, NULL)) {
      fprintf (stderr, "small decode failed\n");
      return 1;
    }
    checksum += (gsize) stream_id;
    hap_hds_header_clear (&h);
    hap_hds_value_unref (header);
    hap_hds_value_unref (message);
    hap_hds_value_unref (body);
    g_bytes_unref (p);
  }
  small_us = g_get_monotonic_time () - t0;

  printf ("hds_message_iterations: %u\n", iterations);
  printf ("hds_message_payload_bytes: %" G_GSIZE_FORMAT "\n", payload_size);
  printf ("hds_message_encode_mb_s: %.1f\n",
      (double) payload_size * iterations / MAX (encode_us, 1) /* bytes/us = MB/s */);
  printf (
      "hds_message_decode_mb_s: %.1f\n", (double) payload_size * iterations / MAX (decode_us, 1));
  printf ("hds_message_small_msgs_per_s: %.0f\n", small_iterations * 1e6 / MAX (small_us, 1));
  printf ("hds_message_checksum: %" G_GSIZE_FORMAT "\n", checksum);
  return 0;
}

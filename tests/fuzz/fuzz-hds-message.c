/* libFuzzer target for hap/hds-message.c and hap/hds-datasend.c.
 *
 * The input is an HDS plaintext payload (u8 header length + header + message). It is decoded
 * as a whole payload and, separately, as one bare value. Whatever decodes is re-encoded,
 * decoded again and must compare equal; decoded payloads also go through the header and
 * dataSend parsers. Any crash, sanitizer report or abort is a bug.
 */
#include <stdint.h>
#include <stdlib.h>

#include "hap/hds-datasend.h"
#include "hap/hds-message.h"
#include "tests/fuzz/fuzz-target.h"

static void
check_round_trip (const HapHdsValue *v)
{
  GBytes *enc = hap_hds_value_encode (v);
  GError *error = NULL;
  HapHdsValue *again = hap_hds_value_decode_bytes (enc, &error);

  if (!again || !hap_hds_value_equal (v, again)
      || hap_hds_value_get_encoded_size (v) != g_bytes_get_size (enc))
    abort ();
  hap_hds_value_unref (again);
  g_bytes_unref (enc);
}

static void
run_parsers (const HapHdsValue *header, const HapHdsValue *message)
{
  HapHdsHeader h;
  HapHdsDataSendOpen open;
  HapHdsDataSendData data;
  gint64 a, b;
  gboolean eos;

  if (hap_hds_header_parse (header, &h, NULL) && h.protocol == NULL)
    abort ();
  hap_hds_header_clear (&h);
  hap_hds_data_send_open_parse (message, &open, NULL);
  hap_hds_data_send_open_clear (&open);
  if (hap_hds_data_send_data_parse (message, &data, NULL)) {
    for (guint i = 0; i < data.packets->len; i++)
      if (g_array_index (data.packets, HapHdsDataSendPacket, i).data == NULL)
        abort ();
  }
  hap_hds_data_send_data_clear (&data);
  hap_hds_data_send_open_response_parse (message, &a, NULL);
  hap_hds_data_send_ack_parse (message, &a, &eos, NULL);
  hap_hds_data_send_close_parse (message, &a, &b, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GBytes *payload = g_bytes_new_static (data, size);
  HapHdsValue *header = NULL, *message = NULL, *v;
  GError *error = NULL;

  if (hap_hds_message_decode (payload, &header, &message, &error)) {
    GBytes *enc;

    check_round_trip (header);
    check_round_trip (message);
    run_parsers (header, message);
    /* the header may grow past 255 bytes when back-references are expanded */
    enc = hap_hds_message_encode (header, message, NULL);
    if (enc) {
      HapHdsValue *h2 = NULL, *m2 = NULL;

      if (!hap_hds_message_decode (enc, &h2, &m2, NULL) || !hap_hds_value_equal (header, h2)
          || !hap_hds_value_equal (message, m2))
        abort ();
      hap_hds_value_unref (h2);
      hap_hds_value_unref (m2);
      g_bytes_unref (enc);
    }
    hap_hds_value_unref (header);
    hap_hds_value_unref (message);
  } else if (error == NULL || error->domain != HAP_CODEC_ERROR) {
    abort ();
  }
  g_clear_error (&error);

  v = hap_hds_value_decode (data, size, &error);
  if (v) {
    check_round_trip (v);
    hap_hds_value_unref (v);
  } else if (error == NULL) {
    abort ();
  }
  g_clear_error (&error);
  g_bytes_unref (payload);
  return 0;
}

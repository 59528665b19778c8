/* libFuzzer target for hap/datastream-tlv.c and the deserializers of hap/controller-store.c:
 * the input is parsed as a SetupDataStreamTransport request and response, a
 * SupportedDataStreamTransportConfiguration, a controller identity and an accessory record.
 * Whatever parses must build back to bytes that parse to the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hap/controller-store.h"
#include "hap/datastream-tlv.h"
#include "tests/fuzz/fuzz-target.h"

static void
same (GBytes *bytes, gconstpointer a, gconstpointer b, gsize len)
{
  if (bytes == NULL || memcmp (a, b, len) != 0)
    abort ();
  g_bytes_unref (bytes);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  HapDatastreamSetupRequest req, req2;
  HapDatastreamSetupResponse resp, resp2;
  HapDatastreamSupported sup, sup2;
  HapControllerIdentity id, id2;
  HapAccessoryRecord rec, rec2;

  if (hap_datastream_setup_request_parse (data, size, &req, NULL) == HAP_PARSE_OK) {
    GBytes *b = hap_datastream_setup_request_build (req.controller_salt);
    if (hap_datastream_setup_request_parse (
            g_bytes_get_data (b, NULL), g_bytes_get_size (b), &req2, NULL)
        != HAP_PARSE_OK)
      abort ();
    same (b, req.controller_salt, req2.controller_salt, sizeof req.controller_salt);
  }
  if (hap_datastream_setup_response_parse (data, size, &resp, NULL) == HAP_PARSE_OK) {
    GBytes *b = hap_datastream_setup_response_build (&resp);
    if (hap_datastream_setup_response_parse (
            g_bytes_get_data (b, NULL), g_bytes_get_size (b), &resp2, NULL)
        != HAP_PARSE_OK)
      abort ();
    same (b, &resp, &resp2, sizeof resp);
  }
  if (hap_datastream_supported_parse (data, size, &sup, NULL) == HAP_PARSE_OK) {
    GBytes *b = hap_datastream_supported_build (&sup);
    if (hap_datastream_supported_parse (
            g_bytes_get_data (b, NULL), g_bytes_get_size (b), &sup2, NULL)
        != HAP_PARSE_OK)
      abort ();
    same (b, &sup, &sup2, sizeof sup);
  }
  if (hap_controller_identity_deserialize (data, size, &id, NULL)) {
    GBytes *b = hap_controller_identity_serialize (&id);
    if (!hap_controller_identity_deserialize (
            g_bytes_get_data (b, NULL), g_bytes_get_size (b), &id2, NULL))
      abort ();
    same (b, &id, &id2, sizeof id);
  }
  if (hap_accessory_record_deserialize (data, size, &rec, NULL)) {
    GBytes *b = hap_accessory_record_serialize (&rec);
    if (!hap_accessory_record_deserialize (
            g_bytes_get_data (b, NULL), g_bytes_get_size (b), &rec2, NULL)
        || !g_str_equal (rec.host, rec2.host) || rec.port != rec2.port
        || rec.controllers != rec2.controllers)
      abort ();
    same (b, rec.accessory_ltpk, rec2.accessory_ltpk, sizeof rec.accessory_ltpk);
    if (!g_str_equal (rec.accessory_id, rec2.accessory_id))
      abort ();
  }
  return 0;
}

/* libhap: DataStreamManagement TLVs and the HDS keys (PROTOCOL.md sections 2 and 3).
 *
 * SupportedDataStreamTransportConfiguration (00000130, read):
 *   {1 transport configuration {1 transport type u8 (0 = HDS over TCP)}} repeated, `00 00`
 *   between entries. The usual value is `01 03 01 01 00`.
 * SetupDataStreamTransport (00000131, write with write response):
 *   request  {1 session command type u8 (0 start), 2 transport type u8 (0 HDS),
 *             3 controller key salt, exactly 32 bytes}
 *   response {1 status u8 (0 success, 1 generic error, 2 busy),
 *             2 transport session parameters {1 TCP port u16 LE},
 *             3 accessory key salt, 32 bytes}
 *   A response with a status other than 0 may omit 2 and 3.
 * HDS keys: HKDF-SHA512 (pair-verify shared secret of the HAP session that wrote the set-up,
 *   salt = controller salt || accessory salt, info "HDS-Read-Encryption-Key" for accessory ->
 *   controller, "HDS-Write-Encryption-Key" for controller -> accessory), 32 bytes each.
 *
 * Both sides: builders and parsers for the requests and responses, so that the accessory and
 * the hub simulator share one codec. Pure: no I/O. Parsers never assert on peer bytes; they
 * fail with HAP_CODEC_ERROR (TRUNCATED, MALFORMED for a bad width, MISSING, OUT_OF_RANGE).
 * Unknown items are ignored.
 */
#pragma once

#include <glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

#define HAP_HDS_SALT_LEN 32
#define HAP_HDS_SHARED_SECRET_LEN 32
#define HAP_DATASTREAM_MAX_TRANSPORTS 8

typedef enum {
  HAP_DATASTREAM_TRANSPORT_HDS_TCP = 0,
} HapDatastreamTransportType;

typedef enum {
  HAP_DATASTREAM_COMMAND_START_SESSION = 0,
} HapDatastreamCommand;

typedef enum {
  HAP_DATASTREAM_STATUS_SUCCESS = 0,
  HAP_DATASTREAM_STATUS_GENERIC_ERROR = 1,
  HAP_DATASTREAM_STATUS_BUSY = 2,
} HapDatastreamStatus;

/* SupportedDataStreamTransportConfiguration. */
typedef struct {
  guint n_transports; /* 1 .. HAP_DATASTREAM_MAX_TRANSPORTS */
  guint8 transports[HAP_DATASTREAM_MAX_TRANSPORTS];
} HapDatastreamSupported;

HapParseResult hap_datastream_supported_parse (
    const guint8 *data, gsize len, HapDatastreamSupported *out, GError **error);
GBytes *hap_datastream_supported_build (const HapDatastreamSupported *supported);
gboolean hap_datastream_supported_has (const HapDatastreamSupported *supported, guint8 transport);

/* SetupDataStreamTransport request. */
typedef struct {
  guint8 command;   /* HapDatastreamCommand */
  guint8 transport; /* HapDatastreamTransportType */
  guint8 controller_salt[HAP_HDS_SALT_LEN];
} HapDatastreamSetupRequest;

/* Start session, HDS over TCP. */
GBytes *hap_datastream_setup_request_build (const guint8 controller_salt[HAP_HDS_SALT_LEN]);
/* OUT_OF_RANGE for a salt that is not 32 bytes (the accessory answers -70410). */
HapParseResult hap_datastream_setup_request_parse (
    const guint8 *data, gsize len, HapDatastreamSetupRequest *out, GError **error);

/* SetupDataStreamTransport write response. */
typedef struct {
  guint8 status;        /* HapDatastreamStatus */
  gboolean has_session; /* port and salt present (required when status is 0) */
  guint16 port;
  guint8 accessory_salt[HAP_HDS_SALT_LEN];
} HapDatastreamSetupResponse;

/* With status 0 the port and salt are written; otherwise only the status. */
GBytes *hap_datastream_setup_response_build (const HapDatastreamSetupResponse *response);
/* A success without a port or a 32-byte salt is MISSING / OUT_OF_RANGE; port 0 is
 * OUT_OF_RANGE. */
HapParseResult hap_datastream_setup_response_parse (
    const guint8 *data, gsize len, HapDatastreamSetupResponse *out, GError **error);
/* "success", "generic error", "busy" or "unknown status". */
const gchar *hap_datastream_status_to_string (guint8 status);

/* The two HDS frame keys (see above). */
void hap_hds_derive_keys (const guint8 shared_secret[HAP_HDS_SHARED_SECRET_LEN],
    const guint8 controller_salt[HAP_HDS_SALT_LEN], const guint8 accessory_salt[HAP_HDS_SALT_LEN],
    guint8 accessory_to_controller[32], guint8 controller_to_accessory[32]);

G_END_DECLS

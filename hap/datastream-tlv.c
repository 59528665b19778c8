/* DataStreamManagement TLVs and the HDS keys. See hap/datastream-tlv.h. */
#include "hap/datastream-tlv.h"

#include <string.h>

#include "hap/hkdf.h"
#include "hap/tlv8.h"

enum {
  SUPPORTED_CONFIGURATION = 1,
  SUPPORTED_TRANSPORT_TYPE = 1,
  SETUP_COMMAND = 1,
  SETUP_TRANSPORT = 2,
  SETUP_CONTROLLER_SALT = 3,
  RESPONSE_STATUS = 1,
  RESPONSE_PARAMETERS = 2,
  RESPONSE_ACCESSORY_SALT = 3,
  PARAMETERS_PORT = 1,
};

static HapParseResult
invalid (GError **error, gint code, const gchar *what)
{
  g_set_error_literal (error, HAP_CODEC_ERROR, code, what);
  return HAP_PARSE_INVALID;
}

/* A one-byte item that must be present. */
static HapParseResult
get_u8 (const HapTlv8 *tlv, guint8 type, const gchar *name, guint8 *out, GError **error)
{
  const HapTlv8Item *item = hap_tlv8_find (tlv, type);

  if (item == NULL) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MISSING, "%s missing", name);
    return HAP_PARSE_INVALID;
  }
  if (item->len != 1) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "%s is %" G_GSIZE_FORMAT " bytes, not 1", name, item->len);
    return HAP_PARSE_INVALID;
  }
  *out = item->value[0];
  return HAP_PARSE_OK;
}

static HapParseResult
get_salt (const HapTlv8 *tlv, guint8 type, const gchar *name, guint8 out[HAP_HDS_SALT_LEN],
    GError **error)
{
  const HapTlv8Item *item = hap_tlv8_find (tlv, type);

  if (item == NULL) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MISSING, "%s missing", name);
    return HAP_PARSE_INVALID;
  }
  if (item->len != HAP_HDS_SALT_LEN) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "%s is %" G_GSIZE_FORMAT " bytes, not 32", name, item->len);
    return HAP_PARSE_INVALID;
  }
  memcpy (out, item->value, HAP_HDS_SALT_LEN);
  return HAP_PARSE_OK;
}

/* ---- SupportedDataStreamTransportConfiguration ---- */

HapParseResult
hap_datastream_supported_parse (
    const guint8 *data, gsize len, HapDatastreamSupported *out, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;

  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);

  memset (out, 0, sizeof *out);
  tlv = hap_tlv8_parse (data, len, error);
  if (tlv == NULL)
    return HAP_PARSE_INVALID;
  for (guint i = 0; i < hap_tlv8_n_items (tlv); i++) {
    const HapTlv8Item *item = hap_tlv8_item (tlv, i);
    g_autoptr (HapTlv8) config = NULL;
    guint8 type;

    if (item->type == 0 && item->len == 0)
      continue; /* list separator */
    if (item->type != SUPPORTED_CONFIGURATION)
      continue;
    config = hap_tlv8_parse (item->value, item->len, error);
    if (config == NULL
        || get_u8 (config, SUPPORTED_TRANSPORT_TYPE, "transport type", &type, error)) {
      memset (out, 0, sizeof *out);
      return HAP_PARSE_INVALID;
    }
    if (out->n_transports == HAP_DATASTREAM_MAX_TRANSPORTS) {
      memset (out, 0, sizeof *out);
      return invalid (error, HAP_CODEC_ERROR_TOO_LARGE, "more than 8 transport configurations");
    }
    out->transports[out->n_transports++] = type;
  }
  if (out->n_transports == 0)
    return invalid (error, HAP_CODEC_ERROR_MISSING, "no transport configuration");
  return HAP_PARSE_OK;
}

GBytes *
hap_datastream_supported_build (const HapDatastreamSupported *supported)
{
  HapTlv8Writer w;

  g_return_val_if_fail (supported != NULL, NULL);
  g_return_val_if_fail (supported->n_transports <= HAP_DATASTREAM_MAX_TRANSPORTS, NULL);

  hap_tlv8_writer_init (&w);
  for (guint i = 0; i < supported->n_transports; i++) {
    HapTlv8Writer config;

    if (i > 0)
      hap_tlv8_add_separator (&w, 0);
    hap_tlv8_writer_init (&config);
    hap_tlv8_add_u8 (&config, SUPPORTED_TRANSPORT_TYPE, supported->transports[i]);
    hap_tlv8_add_writer (&w, SUPPORTED_CONFIGURATION, &config);
    hap_tlv8_writer_clear (&config);
  }
  return hap_tlv8_writer_take_bytes (&w);
}

gboolean
hap_datastream_supported_has (const HapDatastreamSupported *supported, guint8 transport)
{
  g_return_val_if_fail (supported != NULL, FALSE);

  for (guint i = 0; i < supported->n_transports; i++)
    if (supported->transports[i] == transport)
      return TRUE;
  return FALSE;
}

/* ---- SetupDataStreamTransport ---- */

GBytes *
hap_datastream_setup_request_build (const guint8 controller_salt[HAP_HDS_SALT_LEN])
{
  HapTlv8Writer w;

  g_return_val_if_fail (controller_salt != NULL, NULL);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, SETUP_COMMAND, HAP_DATASTREAM_COMMAND_START_SESSION);
  hap_tlv8_add_u8 (&w, SETUP_TRANSPORT, HAP_DATASTREAM_TRANSPORT_HDS_TCP);
  hap_tlv8_add (&w, SETUP_CONTROLLER_SALT, controller_salt, HAP_HDS_SALT_LEN);
  return hap_tlv8_writer_take_bytes (&w);
}

HapParseResult
hap_datastream_setup_request_parse (
    const guint8 *data, gsize len, HapDatastreamSetupRequest *out, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;

  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);

  memset (out, 0, sizeof *out);
  tlv = hap_tlv8_parse (data, len, error);
  if (tlv == NULL || get_u8 (tlv, SETUP_COMMAND, "session command type", &out->command, error)
      || get_u8 (tlv, SETUP_TRANSPORT, "transport type", &out->transport, error)
      || get_salt (
          tlv, SETUP_CONTROLLER_SALT, "controller key salt", out->controller_salt, error)) {
    memset (out, 0, sizeof *out);
    return HAP_PARSE_INVALID;
  }
  return HAP_PARSE_OK;
}

GBytes *
hap_datastream_setup_response_build (const HapDatastreamSetupResponse *response)
{
  HapTlv8Writer w;

  g_return_val_if_fail (response != NULL, NULL);

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, RESPONSE_STATUS, response->status);
  if (response->status == HAP_DATASTREAM_STATUS_SUCCESS) {
    HapTlv8Writer params;

    hap_tlv8_writer_init (&params);
    hap_tlv8_add_u16 (&params, PARAMETERS_PORT, response->port);
    hap_tlv8_add_writer (&w, RESPONSE_PARAMETERS, &params);
    hap_tlv8_writer_clear (&params);
    hap_tlv8_add (&w, RESPONSE_ACCESSORY_SALT, response->accessory_salt, HAP_HDS_SALT_LEN);
  }
  return hap_tlv8_writer_take_bytes (&w);
}

HapParseResult
hap_datastream_setup_response_parse (
    const guint8 *data, gsize len, HapDatastreamSetupResponse *out, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  g_autoptr (HapTlv8) params = NULL;
  const HapTlv8Item *port;

  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);

  memset (out, 0, sizeof *out);
  tlv = hap_tlv8_parse (data, len, error);
  if (tlv == NULL || get_u8 (tlv, RESPONSE_STATUS, "status", &out->status, error))
    goto failed;
  if (out->status != HAP_DATASTREAM_STATUS_SUCCESS)
    return HAP_PARSE_OK;
  if (hap_tlv8_find (tlv, RESPONSE_PARAMETERS) == NULL) {
    invalid (error, HAP_CODEC_ERROR_MISSING, "transport session parameters missing");
    goto failed;
  }
  params = hap_tlv8_get_tlv8 (tlv, RESPONSE_PARAMETERS, error);
  if (params == NULL)
    goto failed;
  port = hap_tlv8_find (params, PARAMETERS_PORT);
  if (port == NULL) {
    invalid (error, HAP_CODEC_ERROR_MISSING, "TCP port missing");
    goto failed;
  }
  if (port->len != 2) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "TCP port is %" G_GSIZE_FORMAT " bytes, not 2", port->len);
    goto failed;
  }
  out->port = (guint16) (port->value[0] | port->value[1] << 8);
  if (out->port == 0) {
    invalid (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "TCP port 0");
    goto failed;
  }
  if (get_salt (tlv, RESPONSE_ACCESSORY_SALT, "accessory key salt", out->accessory_salt, error))
    goto failed;
  out->has_session = TRUE;
  return HAP_PARSE_OK;

failed:
  memset (out, 0, sizeof *out);
  return HAP_PARSE_INVALID;
}

const gchar *
hap_datastream_status_to_string (guint8 status)
{
  switch (status) {
    case HAP_DATASTREAM_STATUS_SUCCESS:
      return "success";
    case HAP_DATASTREAM_STATUS_GENERIC_ERROR:
      return "generic error";
    case HAP_DATASTREAM_STATUS_BUSY:
      return "busy";
    default:
      return "unknown status";
  }
}

/* ---- keys ---- */

void
hap_hds_derive_keys (const guint8 shared_secret[HAP_HDS_SHARED_SECRET_LEN],
    const guint8 controller_salt[HAP_HDS_SALT_LEN], const guint8 accessory_salt[HAP_HDS_SALT_LEN],
    guint8 accessory_to_controller[32], guint8 controller_to_accessory[32])
{
  static const char read_info[] = "HDS-Read-Encryption-Key";
  static const char write_info[] = "HDS-Write-Encryption-Key";
  guint8 salt[2 * HAP_HDS_SALT_LEN];

  g_return_if_fail (shared_secret != NULL && controller_salt != NULL && accessory_salt != NULL);
  g_return_if_fail (accessory_to_controller != NULL && controller_to_accessory != NULL);

  memcpy (salt, controller_salt, HAP_HDS_SALT_LEN);
  memcpy (salt + HAP_HDS_SALT_LEN, accessory_salt, HAP_HDS_SALT_LEN);
  hap_hkdf_sha512 (shared_secret, HAP_HDS_SHARED_SECRET_LEN, salt, sizeof salt,
      (const guint8 *) read_info, sizeof read_info - 1, accessory_to_controller, 32);
  hap_hkdf_sha512 (shared_secret, HAP_HDS_SHARED_SECRET_LEN, salt, sizeof salt,
      (const guint8 *) write_info, sizeof write_info - 1, controller_to_accessory, 32);
}

/* libhap: what the two files of the HAP controller connection share: hap-client.c (the
 * connection, pairing, events) and hap-client-requests.c (the requests made on it). */
#pragma once

#include "hap/hap-client.h"

G_BEGIN_DECLS

/* Sets `error` to HAP_CLIENT_ERROR_STATUS "WHAT: the accessory answered ..." (with
 * hap_client_describe_response()). Returns FALSE. */
gboolean hap_client_fail_status (
    const HapHttpResponse *response, const gchar *what, GError **error);

/* The value list of a response or an EVENT/1.0 body (hap_remote_values_parse()); NULL with a
 * HAP_CLIENT_ERROR_PROTOCOL error naming `what` when it is malformed. */
GArray *hap_client_parse_values (
    const HapHttpResponse *response, const gchar *what, GError **error);

G_END_DECLS

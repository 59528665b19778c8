/* libhap: POST /pairings of a verified session (PROTOCOL.md section 1): add (method 3),
 * remove (4) and list (5) pairings.
 *
 * Pure: request body (TLV8, State 1 + Method) in, response body (TLV8, State 2) out. Rules:
 * - only a session whose controller is an admin pairing may use it: otherwise
 *   Authentication (2), for every body (checked before the body is parsed);
 * - add: Identifier, PublicKey (32 bytes), Permissions (0 user / 1 admin). An existing id with
 *   the same key gets the new permissions; with another key: Unknown (1); full: MaxPeers (4);
 * - remove: Identifier. Idempotent (removing an unknown id succeeds). The removed id goes to
 *   `removed_ids`;
 * - when a change leaves pairings but no admin (removing the last admin, or demoting it with
 *   an add of the same key and permissions 0), every pairing is removed and listed in
 *   `removed_ids`: the server must then reset to unpaired (hap_pairings_count() == 0);
 * - list: State 2 then Identifier, PublicKey, Permissions per pairing, pairings separated by a
 *   zero-length 0xFF item;
 * - a malformed TLV, a State other than 1, an unknown method or a missing/invalid field:
 *   Unknown (1).
 */
#pragma once

#include <glib.h>

#include "hap/pairings.h"

G_BEGIN_DECLS

typedef struct {
  gboolean changed;       /* persist the pairings */
  GPtrArray *removed_ids; /* gchar*: close these controllers' sessions */
} HapPairingsRequestResult;

/* Handles one request; returns the response body (never NULL unless misused) and fills
 * `result` (which it initialises: call hap_pairings_request_result_clear() afterwards). */
GBytes *hap_pairings_request_handle (HapPairings *pairings, const char *session_controller_id,
    const guint8 *body, gsize len, HapPairingsRequestResult *result);
void hap_pairings_request_result_clear (HapPairingsRequestResult *result);

G_END_DECLS

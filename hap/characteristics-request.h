/* libhap: GET /characteristics, PUT /characteristics and PUT /prepare (pure).
 *
 * The handlers are declared in hap/accessory-db.h:
 *   hap_db_handle_get_characteristics (db, session, query, &body)
 *   hap_db_handle_put_characteristics (db, session, json, len, now_us, &body)
 *   hap_db_handle_prepare (db, session, json, len, now_us, &body)
 * Each returns the HTTP status and sets `body` (application/hap+json, NULL for 204).
 *
 * GET /characteristics?id=A.I[,A.I...][&meta=1][&perms=1][&type=1][&ev=1]
 *   Flags are 1/true or 0/false. 200 {"characteristics":[{"aid","iid","value"[, meta,
 *   "perms", "type", "ev"]}]} when every item could be read; otherwise 207 with "status" in
 *   every item (0 for the ones read, which keep their value). Item errors: -70409 unknown
 *   aid/iid, -70405 not readable ("pr" missing), -70401 admin-only read by a non-admin, or
 *   the status of the owner's read callback. 400 when `id` is missing or malformed.
 *
 * PUT /characteristics {"characteristics":[{"aid","iid"[,"value"][,"ev"][,"r"]}...][,"pid"]}
 *   Per item: "ev" first (-70406 without "ev" permission, -70401 admin-only read), then
 *   "value": -70401 admin-only write by a non-admin, -70404 not writable, -70410 for a
 *   characteristic with "tw" outside a timed write, -70405 for "r": true without "wr",
 *   -70410 for an invalid value (characteristic-value.h), else the status of the owner's
 *   write callback. An item with neither value nor ev: -70410; unknown aid/iid: -70409.
 *   204 when every item succeeded and none asked for a write response; otherwise 207 with
 *   "status" in every item and "value" in the successful "r": true items.
 *   Timed write: a "pid" is valid when the session's last PUT /prepare had the same pid and
 *   its ttl has not run out; the write then may change "tw" characteristics. An invalid pid
 *   (none prepared, another pid, expired ttl) fails every item with -70410 (HAP spec
 *   6.7.2.4, as HomeKitADK). Any request with a pid ends the prepared transaction.
 *
 * PUT /prepare {"ttl": milliseconds, "pid": integer} -> 200 {"status":0}; a later prepare
 *   replaces the earlier one.
 *
 * 400 with {"status":-70410} for a body that is not a JSON object of that shape (invalid
 * JSON, wrong member types, missing aid/iid, an empty list). Bodies are checked before JSON
 * parsing (hap_json_parse_body() in hap/characteristic-value.h).
 */
#pragma once

#include "hap/accessory-db.h"

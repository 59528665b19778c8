/* libhap: GET /accessories, the JSON of the whole accessory database.
 *
 * Layout (HAP over IP, "Accessory Attribute Database"; the same as HomeKitADK and HAP-NodeJS):
 *   {"accessories":[{"aid":1,"services":[{"iid":1,"type":"3E","primary":false,"hidden":false,
 *     ["linked":[iid,...],] "characteristics":[{"iid":2,"type":"14","perms":["pw"],
 *     "format":"bool", ...meta..., ["value":V,] ["ev":false,] ["description":"..."]}]}]}]}
 * Types are in short form for Apple UUIDs; "value" is present for readable characteristics
 * (perms has "pr") whose read succeeds; "ev" (this session's subscription) for characteristics
 * with "ev"; meta as hap_def_append_meta_json().
 *
 * The handler itself, hap_db_handle_get_accessories(), is declared in hap/accessory-db.h.
 */
#pragma once

#include "hap/accessory-db.h"

G_BEGIN_DECLS

/* Appends the JSON object of one characteristic as /accessories writes it (also used by GET
 * /characteristics with every flag). */
void hap_accessories_json_append_characteristic (
    GString *out, HapCharacteristic *characteristic, HapDbSession *session);

G_END_DECLS

/* libhap: an accessory's attribute database as a controller reads it (GET /accessories), and
 * the characteristic value lists of GET /characteristics, 207 write responses and EVENT/1.0
 * bodies. The controller side of hap/accessories-json.h and hap/characteristics-request.h.
 *
 * Pure: bytes in, structs out, no I/O. The JSON goes through hap_json_parse_body()
 * (nesting limit, no integer wrap-around) and is then checked strictly, because the document
 * comes from a device under test:
 * - aid and iid are integers 1 .. 2^53 (what every JSON peer represents exactly); an aid or an
 *   iid within one accessory appears once;
 * - types are 1-8 hex digits or a full UUID, stored in the wire form of hap_uuid_normalize()
 *   (short upper-case form for Apple UUIDs: "0000003E-0000-1000-8000-0026BB765291" -> "3E");
 * - perms is an array of strings; known names set HapPerms bits, unknown names are kept in
 *   `unknown_perms` (reported, not fatal);
 * - format, when present, is a string; value, when present, is kept as a JSON node.
 * Anything else that is malformed is a HAP_CODEC_ERROR naming the path of the offending member
 * ("accessories[0].services[3].characteristics[1].iid"). Unknown members are ignored.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

/* Largest instance id accepted (2^53: exact in every JSON implementation). */
#define HAP_REMOTE_MAX_ID (G_GUINT64_CONSTANT (1) << 53)

typedef struct {
  guint64 iid;
  gchar *type;              /* normalized */
  guint perms;              /* HapPerms bits (hap/characteristic-value.h) */
  GPtrArray *unknown_perms; /* gchar*: perms names this reader does not know */
  gchar *format;            /* NULL when absent */
  JsonNode *value;          /* NULL when absent */
  gboolean has_ev;          /* the "ev" member was present */
  gboolean ev;              /* its value */
} HapRemoteCharacteristic;

typedef struct {
  guint64 iid;
  gchar *type; /* normalized */
  gboolean primary;
  gboolean hidden;
  GArray *linked;             /* guint64 iids of linked services */
  GPtrArray *characteristics; /* HapRemoteCharacteristic* */
} HapRemoteService;

typedef struct {
  guint64 aid;
  GPtrArray *services; /* HapRemoteService* */
} HapRemoteAccessory;

typedef struct {
  GPtrArray *accessories; /* HapRemoteAccessory* */
} HapRemoteDb;

/* Parses the body of GET /accessories. NULL with `error` (HAP_CODEC_ERROR) when it is not
 * acceptable (see above). */
HapRemoteDb *hap_remote_db_parse (const guint8 *json, gsize len, GError **error);
void hap_remote_db_free (HapRemoteDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapRemoteDb, hap_remote_db_free)

/* Lookups; results are borrowed. */
const HapRemoteAccessory *hap_remote_db_find_accessory (const HapRemoteDb *db, guint64 aid);
/* The index-th service of `type` (normalized or not) of `accessory`, or NULL. */
const HapRemoteService *hap_remote_accessory_find_service (
    const HapRemoteAccessory *accessory, const char *type, guint index);
const HapRemoteService *hap_remote_accessory_find_service_by_iid (
    const HapRemoteAccessory *accessory, guint64 iid);
const HapRemoteCharacteristic *hap_remote_service_find_characteristic (
    const HapRemoteService *service, const char *type);
/* The characteristic `iid` of accessory `aid`, in whichever service it is, or NULL. */
/* Calls `func` for every characteristic of every accessory, in database order. */
typedef void (*HapRemoteCharacteristicFunc) (
    guint64 aid, const HapRemoteCharacteristic *characteristic, gpointer user_data);
void hap_remote_db_foreach_characteristic (
    const HapRemoteDb *db, HapRemoteCharacteristicFunc func, gpointer user_data);
const HapRemoteCharacteristic *hap_remote_db_find_characteristic (
    const HapRemoteDb *db, guint64 aid, guint64 iid);
gboolean hap_remote_service_links (const HapRemoteService *service, guint64 iid);

/* One item of a characteristic value list. */
typedef struct {
  guint64 aid;
  guint64 iid;
  gint64 status;   /* HapStatus; 0 when absent */
  JsonNode *value; /* NULL when absent */
} HapRemoteValue;

/* Parses {"characteristics":[{aid,iid[,value][,status]}...]} (GET /characteristics, a 207
 * write response, an EVENT/1.0 body). Returns a GArray of HapRemoteValue (clear func set), or
 * NULL with `error`. An empty list is accepted. */
GArray *hap_remote_values_parse (const guint8 *json, gsize len, GError **error);
/* The item for aid.iid, or NULL. */
const HapRemoteValue *hap_remote_values_find (const GArray *values, guint64 aid, guint64 iid);

/* Typed readings of a JSON value as HAP peers send it. FALSE when it has another shape:
 * bool accepts true/false and the integers 0/1; uint accepts non-negative integers (and
 * booleans as 0/1, as some peers send Active); bytes accepts a strict base64 string (tlv8,
 * data). */
gboolean hap_remote_json_get_bool (JsonNode *node, gboolean *out);
gboolean hap_remote_json_get_uint (JsonNode *node, guint64 *out);
GBytes *hap_remote_json_get_bytes (JsonNode *node);
/* A short, printable rendering of `node` for reports (strings quoted, long ones cut). */
gchar *hap_remote_json_to_display (JsonNode *node);

G_END_DECLS

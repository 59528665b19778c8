/* libhap: the accessory database (pure): accessories, services, characteristics, values,
 * per-connection sessions and events.
 *
 * Defining a database (instance ids are assigned in the order of the calls, starting at 1 in
 * each accessory: a service gets the next iid, each characteristic added to it the next one;
 * the first service of an accessory must be AccessoryInformation, so that it is iid 1 as HAP
 * requires; the same calls give the same iids on every start):
 *
 *   static const HapCharacteristicDef motion_detected = {
 *     .type = HAP_CHAR_MOTION_DETECTED, .format = HAP_FORMAT_BOOL,
 *     .perms = HAP_PERM_PR | HAP_PERM_EV,
 *   };
 *   HapAccessoryDb *db = hap_db_new ();
 *   HapAccessory *acc = hap_db_add_accessory (db, 1);
 *   HapService *info = hap_accessory_add_service (acc, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
 *   ... hap_service_add_characteristic (info, &name_def) ...
 *   HapService *motion = hap_accessory_add_service (acc, HAP_SERVICE_MOTION_SENSOR, 0);
 *   HapCharacteristic *detected = hap_service_add_characteristic (motion, &motion_detected);
 *   hap_db_set_value_bool (db, detected, TRUE); // queues events for subscribed sessions
 *
 * The owner is called back on reads (dynamic values), on writes (accept, or refuse with a HAP
 * status; may supply the write-response value) and after every change of a value.
 *
 * Requests (GET /accessories, GET/PUT /characteristics, PUT /prepare) are handled by
 * hap/accessories-json.c and hap/characteristics-request.c; they return the HTTP status and
 * the application/hap+json body (NULL for 204).
 */
#pragma once

#include <glib.h>

#include "hap/characteristic-value.h"
#include "hap/hap-uuids.h"

G_BEGIN_DECLS

typedef struct _HapAccessoryDb HapAccessoryDb;
typedef struct _HapAccessory HapAccessory;
typedef struct _HapService HapService;
typedef struct _HapCharacteristic HapCharacteristic;
typedef struct _HapDbSession HapDbSession; /* one per connection: subscriptions, timed-write pid */

typedef enum {
  HAP_SERVICE_FLAG_PRIMARY = 1 << 0,
  HAP_SERVICE_FLAG_HIDDEN = 1 << 1,
} HapServiceFlags;

/* Read callback: `value` holds the stored value (of the characteristic's format); the owner
 * may replace it (hap_value_clear() then hap_value_init_*()). Any status other than
 * HAP_STATUS_SUCCESS is reported to the controller. `session` is NULL for internal reads. */
typedef HapStatus (*HapCharacteristicReadFunc) (
    HapCharacteristic *characteristic, HapDbSession *session, HapValue *value, gpointer user_data);
/* Write callback, after the value was validated against the definition. HAP_STATUS_SUCCESS
 * stores the value; anything else refuses the write with that status. The owner may supply a
 * write response (for characteristics with HAP_PERM_WR, e.g. SetupDataStreamTransport):
 * initialise response->value with hap_value_init_*() (same format) and set response->set;
 * it is returned for "r": true and becomes the stored value instead of the written one. */
typedef struct {
  HapValue value;
  gboolean set;
} HapWriteResponse;
typedef HapStatus (*HapCharacteristicWriteFunc) (HapCharacteristic *characteristic,
    HapDbSession *session, const HapValue *value, HapWriteResponse *response, gpointer user_data);
/* Change notification: called after the stored value changed (or, for immediate/button
 * characteristics, after every set). `writer` is the session whose write changed it, NULL for
 * hap_db_set_value_*(). */
typedef void (*HapDbChangeFunc) (HapCharacteristic *characteristic, const HapValue *value,
    HapDbSession *writer, gpointer user_data);
/* Events: a value changed by the owner (or by a write) is queued for every subscribed session
 * except the writer; the db then calls `notify` so the transport can schedule a flush: with
 * `immediate` TRUE the events should go out now, otherwise at
 * hap_db_session_get_event_due_us(). It is called when the session's queue goes from empty to
 * pending and for every immediate event. */
typedef void (*HapDbEventNotify) (HapDbSession *session, gboolean immediate, gpointer user_data);
typedef gint64 (*HapDbClockFunc) (gpointer user_data);

HapAccessoryDb *hap_db_new (void);
void hap_db_free (HapAccessoryDb *db);
/* The clock used for event coalescing and timed writes outside requests (default
 * g_get_monotonic_time()). */
void hap_db_set_clock (HapAccessoryDb *db, HapDbClockFunc clock, gpointer user_data);
gint64 hap_db_now_us (HapAccessoryDb *db);
/* Coalescing window of the sessions created afterwards (default 250 ms). */
void hap_db_set_event_window_us (HapAccessoryDb *db, gint64 window_us);
void hap_db_set_change_notify (HapAccessoryDb *db, HapDbChangeFunc func, gpointer user_data);
void hap_db_set_event_notify (HapAccessoryDb *db, HapDbEventNotify notify, gpointer user_data);

/* ---- definition ---- */
/* `aid` >= 1 and unique (1 for a single accessory). */
HapAccessory *hap_db_add_accessory (HapAccessoryDb *db, guint64 aid);
HapService *hap_accessory_add_service (HapAccessory *accessory, const gchar *type, guint flags);
/* Adds `linked` (a service of the same accessory) to the "linked" list of `service`. */
void hap_service_add_linked (HapService *service, HapService *linked);
/* Adds a characteristic; the definition is copied. Its value starts as the zero value of the
 * format, or the range minimum (or the first valid value) when zero is not allowed. */
HapCharacteristic *hap_service_add_characteristic (
    HapService *service, const HapCharacteristicDef *def);
void hap_characteristic_set_handlers (HapCharacteristic *characteristic,
    HapCharacteristicReadFunc read, HapCharacteristicWriteFunc write, gpointer user_data);

/* ---- layout (the config number, c#) ---- */
/* A digest of the database's layout: everything GET /accessories tells a controller except the
 * values and "ev" (aids; service iids, types, primary, hidden, linked; characteristic iids,
 * types, formats, perms, unit, description, range, lengths, valid values). Two databases built
 * by the same calls have the same digest; setting values never changes it. */
#define HAP_DB_DIGEST_LEN 32
void hap_db_compute_digest (HapAccessoryDb *db, guint8 digest[HAP_DB_DIGEST_LEN]);
/* Called after every definition call (accessory, service, characteristic, linked service), so
 * that a server can bump its config number when the owner extends the database while it runs.
 * Nothing can be removed from a database. */
typedef void (*HapDbLayoutNotify) (HapAccessoryDb *db, gpointer user_data);
void hap_db_set_layout_notify (HapAccessoryDb *db, HapDbLayoutNotify notify, gpointer user_data);

/* ---- lookup ---- */
HapCharacteristic *hap_db_lookup (HapAccessoryDb *db, guint64 aid, guint64 iid);
HapAccessory *hap_db_get_accessory (HapAccessoryDb *db, guint64 aid);
HapService *hap_accessory_find_service (HapAccessory *accessory, const gchar *type);
HapCharacteristic *hap_service_find_characteristic (HapService *service, const gchar *type);
guint64 hap_accessory_get_aid (const HapAccessory *accessory);
guint64 hap_service_get_iid (const HapService *service);
const gchar *hap_service_get_type (const HapService *service);
guint64 hap_characteristic_get_aid (const HapCharacteristic *characteristic);
guint64 hap_characteristic_get_iid (const HapCharacteristic *characteristic);
HapService *hap_characteristic_get_service (const HapCharacteristic *characteristic);
const HapCharacteristicDef *hap_characteristic_get_def (const HapCharacteristic *characteristic);
const HapValue *hap_characteristic_get_value (const HapCharacteristic *characteristic);

/* ---- owner-driven changes ---- */
/* Stores `value` (same format as the characteristic, valid for its definition, else FALSE
 * with a critical) and, when it differs from the stored value or the characteristic is a
 * button (HAP_CHAR_FLAG_IMMEDIATE or a button event type), queues an event for every
 * subscribed session and calls the change notification. */
gboolean hap_db_set_value (
    HapAccessoryDb *db, HapCharacteristic *characteristic, const HapValue *value);
gboolean hap_db_set_value_bool (HapAccessoryDb *db, HapCharacteristic *characteristic, gboolean b);
gboolean hap_db_set_value_uint (HapAccessoryDb *db, HapCharacteristic *characteristic, guint64 u);
gboolean hap_db_set_value_int (HapAccessoryDb *db, HapCharacteristic *characteristic, gint64 i);
gboolean hap_db_set_value_float (HapAccessoryDb *db, HapCharacteristic *characteristic, gdouble f);
gboolean hap_db_set_value_string (
    HapAccessoryDb *db, HapCharacteristic *characteristic, const gchar *s);
/* tlv8 or data */
gboolean hap_db_set_value_bytes (
    HapAccessoryDb *db, HapCharacteristic *characteristic, const guint8 *data, gsize len);

/* ---- sessions ---- */
HapDbSession *hap_db_session_new (HapAccessoryDb *db, const char *controller_id, gboolean admin);
void hap_db_session_free (HapDbSession *session);
const gchar *hap_db_session_get_controller_id (const HapDbSession *session);
gboolean hap_db_session_is_admin (const HapDbSession *session);
void hap_db_session_set_admin (HapDbSession *session, gboolean admin);
/* Owner data of the transport (e.g. its connection). */
void hap_db_session_set_user_data (HapDbSession *session, gpointer user_data);
gpointer hap_db_session_get_user_data (const HapDbSession *session);
gboolean hap_db_session_is_subscribed (
    const HapDbSession *session, const HapCharacteristic *characteristic);
/* The EVENT/1.0 body of everything queued for `session`, or NULL when nothing is. */
GBytes *hap_db_session_take_event_body (HapDbSession *session);
/* When the queued events are due (G_MAXINT64: nothing queued). */
gint64 hap_db_session_get_event_due_us (const HapDbSession *session);

/* ---- requests (hap/accessories-json.c, hap/characteristics-request.c) ---- */
/* Return the HTTP status and set `body` (NULL for 204). */
guint hap_db_handle_get_accessories (HapAccessoryDb *db, HapDbSession *session, GBytes **body);
guint hap_db_handle_get_characteristics (
    HapAccessoryDb *db, HapDbSession *session, const char *query, GBytes **body);
guint hap_db_handle_put_characteristics (HapAccessoryDb *db, HapDbSession *session,
    const guint8 *json, gsize len, gint64 now_us, GBytes **body);
guint hap_db_handle_prepare (HapAccessoryDb *db, HapDbSession *session, const guint8 *json,
    gsize len, gint64 now_us, GBytes **body);

/* hap_uuid_normalize(): hap/hap-uuids.h */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapAccessoryDb, hap_db_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapDbSession, hap_db_session_free)

G_END_DECLS

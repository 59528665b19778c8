/* libhap: accessory database internals shared by accessory-db.c, accessories-json.c and
 * characteristics-request.c. Not installed; not for owners of a database. */
#pragma once

#include "hap/accessory-db.h"
#include "hap/event-queue.h"

G_BEGIN_DECLS

struct _HapCharacteristic {
  HapService *service;
  guint64 iid;
  HapCharacteristicDef def; /* strings and arrays owned (copies) */
  HapValue value;
  HapCharacteristicReadFunc read;
  HapCharacteristicWriteFunc write;
  gpointer user_data;
};

struct _HapService {
  HapAccessory *accessory;
  guint64 iid;
  gchar *type;
  guint flags;
  GPtrArray *characteristics; /* HapCharacteristic*, owned */
  GPtrArray *linked;          /* HapService*, not owned */
};

struct _HapAccessory {
  HapAccessoryDb *db;
  guint64 aid;
  guint64 next_iid;
  GPtrArray *services; /* HapService*, owned */
};

struct _HapAccessoryDb {
  GPtrArray *accessories; /* HapAccessory*, owned */
  GList *sessions;        /* HapDbSession*, not owned */
  HapDbClockFunc clock;
  gpointer clock_data;
  gint64 event_window_us;
  HapDbChangeFunc change;
  gpointer change_data;
  HapDbEventNotify notify;
  gpointer notify_data;
  HapDbLayoutNotify layout_notify;
  gpointer layout_notify_data;
};

struct _HapDbSession {
  HapAccessoryDb *db;
  gchar *controller_id;
  gboolean admin;
  gpointer user_data;
  HapEventQueue *events;
  /* Timed write prepared by PUT /prepare. */
  gboolean timed_write_prepared;
  guint64 timed_write_pid;
  gint64 timed_write_expires_us;
};

/* Reads the value as a controller of `session` sees it (through the read callback): the
 * status, and on success `out` initialised. */
HapStatus hap_db_read_value (
    HapCharacteristic *characteristic, HapDbSession *session, HapValue *out);
/* Stores a value and queues events for every subscribed session except `writer`. */
void hap_db_store_value (HapAccessoryDb *db, HapCharacteristic *characteristic,
    const HapValue *value, HapDbSession *writer, gint64 now_us);
gboolean hap_characteristic_is_immediate (const HapCharacteristic *characteristic);
/* Subscribes or unsubscribes a session. */
void hap_db_session_subscribe (
    HapDbSession *session, HapCharacteristic *characteristic, gboolean on);

G_END_DECLS

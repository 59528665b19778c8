/* libhap: the accessory database. See accessory-db.h. */
#include "hap/accessory-db-private.h"

#include <math.h>
#include <string.h>

/* ---- database ---- */

static gint64
default_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

HapAccessoryDb *
hap_db_new (void)
{
  HapAccessoryDb *db = g_new0 (HapAccessoryDb, 1);

  db->accessories = g_ptr_array_new ();
  db->clock = default_clock;
  db->event_window_us = HAP_EVENT_WINDOW_DEFAULT_US;
  return db;
}

static void
characteristic_free (HapCharacteristic *c)
{
  g_free ((gchar *) c->def.type);
  g_free ((gchar *) c->def.unit);
  g_free ((gchar *) c->def.description);
  g_free ((guint64 *) c->def.valid_values);
  g_free ((HapValidRange *) c->def.valid_ranges);
  hap_value_clear (&c->value);
  g_free (c);
}

static void
service_free (HapService *s)
{
  g_ptr_array_free (s->linked, TRUE);
  for (guint i = 0; i < s->characteristics->len; i++)
    characteristic_free (g_ptr_array_index (s->characteristics, i));
  g_ptr_array_free (s->characteristics, TRUE);
  g_free (s->type);
  g_free (s);
}

void
hap_db_free (HapAccessoryDb *db)
{
  if (db == NULL)
    return;
  /* Sessions still open lose their database. */
  for (GList *l = db->sessions; l; l = l->next)
    ((HapDbSession *) l->data)->db = NULL;
  g_list_free (db->sessions);
  for (guint i = 0; i < db->accessories->len; i++) {
    HapAccessory *a = g_ptr_array_index (db->accessories, i);
    for (guint j = 0; j < a->services->len; j++)
      service_free (g_ptr_array_index (a->services, j));
    g_ptr_array_free (a->services, TRUE);
    g_free (a);
  }
  g_ptr_array_free (db->accessories, TRUE);
  g_free (db);
}

void
hap_db_set_clock (HapAccessoryDb *db, HapDbClockFunc clock, gpointer user_data)
{
  g_return_if_fail (db != NULL);

  db->clock = clock ? clock : default_clock;
  db->clock_data = user_data;
}

gint64
hap_db_now_us (HapAccessoryDb *db)
{
  g_return_val_if_fail (db != NULL, 0);

  return db->clock (db->clock_data);
}

void
hap_db_set_event_window_us (HapAccessoryDb *db, gint64 window_us)
{
  g_return_if_fail (db != NULL);
  g_return_if_fail (window_us >= 0);

  db->event_window_us = window_us;
}

void
hap_db_set_change_notify (HapAccessoryDb *db, HapDbChangeFunc func, gpointer user_data)
{
  g_return_if_fail (db != NULL);

  db->change = func;
  db->change_data = user_data;
}

void
hap_db_set_event_notify (HapAccessoryDb *db, HapDbEventNotify notify, gpointer user_data)
{
  g_return_if_fail (db != NULL);

  db->notify = notify;
  db->notify_data = user_data;
}

void
hap_db_set_layout_notify (HapAccessoryDb *db, HapDbLayoutNotify notify, gpointer user_data)
{
  g_return_if_fail (db != NULL);

  db->layout_notify = notify;
  db->layout_notify_data = user_data;
}

static void
layout_changed (HapAccessoryDb *db)
{
  if (db->layout_notify != NULL)
    db->layout_notify (db, db->layout_notify_data);
}

/* ---- definition ---- */

HapAccessory *
hap_db_add_accessory (HapAccessoryDb *db, guint64 aid)
{
  HapAccessory *a;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (aid >= 1, NULL);
  g_return_val_if_fail (hap_db_get_accessory (db, aid) == NULL, NULL);

  a = g_new0 (HapAccessory, 1);
  a->db = db;
  a->aid = aid;
  a->next_iid = 1;
  a->services = g_ptr_array_new ();
  g_ptr_array_add (db->accessories, a);
  layout_changed (db);
  return a;
}

HapService *
hap_accessory_add_service (HapAccessory *accessory, const gchar *type, guint flags)
{
  HapService *s;
  gchar *norm;

  g_return_val_if_fail (accessory != NULL, NULL);
  g_return_val_if_fail (type != NULL, NULL);
  norm = hap_uuid_normalize (type);
  g_return_val_if_fail (norm != NULL, NULL);
  if (accessory->services->len == 0 && !g_str_equal (norm, HAP_SERVICE_ACCESSORY_INFORMATION)) {
    g_free (norm);
    g_return_val_if_reached (NULL); /* the first service must be AccessoryInformation */
  }

  s = g_new0 (HapService, 1);
  s->accessory = accessory;
  s->iid = accessory->next_iid++;
  s->type = norm;
  s->flags = flags;
  s->characteristics = g_ptr_array_new ();
  s->linked = g_ptr_array_new ();
  g_ptr_array_add (accessory->services, s);
  layout_changed (accessory->db);
  return s;
}

void
hap_service_add_linked (HapService *service, HapService *linked)
{
  g_return_if_fail (service != NULL && linked != NULL);
  g_return_if_fail (service->accessory == linked->accessory);
  g_return_if_fail (service != linked);

  if (!g_ptr_array_find (service->linked, linked, NULL)) {
    g_ptr_array_add (service->linked, linked);
    layout_changed (service->accessory->db);
  }
}

static gboolean
def_is_valid (const HapCharacteristicDef *def)
{
  if (def->format > HAP_FORMAT_DATA)
    return FALSE;
  if (def->range.set && (!(def->range.min <= def->range.max) || def->range.step < 0))
    return FALSE;
  if ((def->n_valid_values && def->valid_values == NULL)
      || (def->n_valid_ranges && def->valid_ranges == NULL))
    return FALSE;
  if ((def->n_valid_values || def->n_valid_ranges) && !hap_format_is_integer (def->format))
    return FALSE;
  if (def->max_len > HAP_STRING_MAX_LEN_LIMIT)
    return FALSE;
  return TRUE;
}

/* The zero value, or the smallest allowed one when zero is not allowed. */
static void
initial_value (const HapCharacteristicDef *def, HapValue *value)
{
  hap_value_init (value, def->format);
  if (hap_value_check (def, value) == HAP_STATUS_SUCCESS)
    return;
  if (def->n_valid_values) {
    value->v.u = def->valid_values[0];
  } else if (def->n_valid_ranges) {
    value->v.u = def->valid_ranges[0].start;
  } else if (def->range.set) {
    if (def->format == HAP_FORMAT_FLOAT)
      value->v.f = def->range.min;
    else if (def->format == HAP_FORMAT_INT)
      value->v.i = (gint64) def->range.min;
    else if (def->range.min > 0)
      value->v.u = (guint64) def->range.min;
  }
}

HapCharacteristic *
hap_service_add_characteristic (HapService *service, const HapCharacteristicDef *def)
{
  HapCharacteristic *c;
  gchar *norm;

  g_return_val_if_fail (service != NULL, NULL);
  g_return_val_if_fail (def != NULL && def->type != NULL, NULL);
  g_return_val_if_fail (def_is_valid (def), NULL);
  norm = hap_uuid_normalize (def->type);
  g_return_val_if_fail (norm != NULL, NULL);

  c = g_new0 (HapCharacteristic, 1);
  c->service = service;
  c->iid = service->accessory->next_iid++;
  c->def = *def;
  c->def.type = norm;
  c->def.unit = g_strdup (def->unit);
  c->def.description = g_strdup (def->description);
  c->def.valid_values = def->n_valid_values
                            ? g_memdup2 (def->valid_values, def->n_valid_values * sizeof (guint64))
                            : NULL;
  c->def.valid_ranges = def->n_valid_ranges ? g_memdup2 (
                            def->valid_ranges, def->n_valid_ranges * sizeof (HapValidRange))
                                            : NULL;
  initial_value (&c->def, &c->value);
  g_ptr_array_add (service->characteristics, c);
  layout_changed (service->accessory->db);
  return c;
}

void
hap_characteristic_set_handlers (HapCharacteristic *characteristic, HapCharacteristicReadFunc read,
    HapCharacteristicWriteFunc write, gpointer user_data)
{
  g_return_if_fail (characteristic != NULL);

  characteristic->read = read;
  characteristic->write = write;
  characteristic->user_data = user_data;
}

/* ---- lookup ---- */

HapAccessory *
hap_db_get_accessory (HapAccessoryDb *db, guint64 aid)
{
  g_return_val_if_fail (db != NULL, NULL);

  for (guint i = 0; i < db->accessories->len; i++) {
    HapAccessory *a = g_ptr_array_index (db->accessories, i);
    if (a->aid == aid)
      return a;
  }
  return NULL;
}

HapCharacteristic *
hap_db_lookup (HapAccessoryDb *db, guint64 aid, guint64 iid)
{
  HapAccessory *a;

  g_return_val_if_fail (db != NULL, NULL);

  a = hap_db_get_accessory (db, aid);
  if (a == NULL)
    return NULL;
  for (guint i = 0; i < a->services->len; i++) {
    HapService *s = g_ptr_array_index (a->services, i);
    for (guint j = 0; j < s->characteristics->len; j++) {
      HapCharacteristic *c = g_ptr_array_index (s->characteristics, j);
      if (c->iid == iid)
        return c;
    }
  }
  return NULL;
}

HapService *
hap_accessory_find_service (HapAccessory *accessory, const gchar *type)
{
  g_autofree gchar *norm = NULL;

  g_return_val_if_fail (accessory != NULL && type != NULL, NULL);

  norm = hap_uuid_normalize (type);
  for (guint i = 0; norm && i < accessory->services->len; i++) {
    HapService *s = g_ptr_array_index (accessory->services, i);
    if (g_str_equal (s->type, norm))
      return s;
  }
  return NULL;
}

HapCharacteristic *
hap_service_find_characteristic (HapService *service, const gchar *type)
{
  g_autofree gchar *norm = NULL;

  g_return_val_if_fail (service != NULL && type != NULL, NULL);

  norm = hap_uuid_normalize (type);
  for (guint i = 0; norm && i < service->characteristics->len; i++) {
    HapCharacteristic *c = g_ptr_array_index (service->characteristics, i);
    if (g_str_equal (c->def.type, norm))
      return c;
  }
  return NULL;
}

guint64
hap_accessory_get_aid (const HapAccessory *accessory)
{
  g_return_val_if_fail (accessory != NULL, 0);
  return accessory->aid;
}

guint64
hap_service_get_iid (const HapService *service)
{
  g_return_val_if_fail (service != NULL, 0);
  return service->iid;
}

const gchar *
hap_service_get_type (const HapService *service)
{
  g_return_val_if_fail (service != NULL, NULL);
  return service->type;
}

guint64
hap_characteristic_get_aid (const HapCharacteristic *characteristic)
{
  g_return_val_if_fail (characteristic != NULL, 0);
  return characteristic->service->accessory->aid;
}

guint64
hap_characteristic_get_iid (const HapCharacteristic *characteristic)
{
  g_return_val_if_fail (characteristic != NULL, 0);
  return characteristic->iid;
}

HapService *
hap_characteristic_get_service (const HapCharacteristic *characteristic)
{
  g_return_val_if_fail (characteristic != NULL, NULL);
  return characteristic->service;
}

const HapCharacteristicDef *
hap_characteristic_get_def (const HapCharacteristic *characteristic)
{
  g_return_val_if_fail (characteristic != NULL, NULL);
  return &characteristic->def;
}

const HapValue *
hap_characteristic_get_value (const HapCharacteristic *characteristic)
{
  g_return_val_if_fail (characteristic != NULL, NULL);
  return &characteristic->value;
}

/* ---- values and events ---- */

gboolean
hap_characteristic_is_immediate (const HapCharacteristic *characteristic)
{
  return (characteristic->def.flags & HAP_CHAR_FLAG_IMMEDIATE)
         || g_str_equal (characteristic->def.type, HAP_CHAR_PROGRAMMABLE_SWITCH_EVENT)
         || g_str_equal (characteristic->def.type, HAP_CHAR_BUTTON_EVENT);
}

HapStatus
hap_db_read_value (HapCharacteristic *characteristic, HapDbSession *session, HapValue *out)
{
  HapStatus status;

  hap_value_copy (out, &characteristic->value);
  if (characteristic->read == NULL)
    return HAP_STATUS_SUCCESS;
  status = characteristic->read (characteristic, session, out, characteristic->user_data);
  if (status == HAP_STATUS_SUCCESS && out->format != characteristic->def.format) {
    g_warning ("read handler of %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT
               " returned a value of the wrong format",
        hap_characteristic_get_aid (characteristic), characteristic->iid);
    status = HAP_STATUS_UNABLE_TO_COMMUNICATE;
  }
  if (status == HAP_STATUS_SUCCESS && out->format == HAP_FORMAT_FLOAT && !isfinite (out->v.f))
    status = HAP_STATUS_UNABLE_TO_COMMUNICATE; /* JSON has no NaN or infinity */
  if (status != HAP_STATUS_SUCCESS)
    hap_value_clear (out);
  return status;
}

void
hap_db_store_value (HapAccessoryDb *db, HapCharacteristic *characteristic, const HapValue *value,
    HapDbSession *writer, gint64 now_us)
{
  gboolean immediate = hap_characteristic_is_immediate (characteristic);
  GString *json;

  if (hap_value_equal (&characteristic->value, value) && !immediate)
    return;
  hap_value_clear (&characteristic->value);
  hap_value_copy (&characteristic->value, value);

  json = g_string_new (NULL);
  hap_value_append_json (json, value);
  for (GList *l = db->sessions; l; l = l->next) {
    HapDbSession *s = l->data;
    gboolean was_empty;
    if (s == writer)
      continue;
    was_empty = hap_event_queue_get_n_pending (s->events) == 0;
    if (!hap_event_queue_push (s->events, hap_characteristic_get_aid (characteristic),
            characteristic->iid, json->str, immediate, now_us))
      continue;
    if (db->notify && (was_empty || immediate))
      db->notify (s, immediate, db->notify_data);
  }
  g_string_free (json, TRUE);
  if (db->change)
    db->change (characteristic, &characteristic->value, writer, db->change_data);
}

gboolean
hap_db_set_value (HapAccessoryDb *db, HapCharacteristic *characteristic, const HapValue *value)
{
  HapStatus status;

  g_return_val_if_fail (db != NULL && characteristic != NULL && value != NULL, FALSE);
  g_return_val_if_fail (characteristic->service->accessory->db == db, FALSE);
  g_return_val_if_fail (value->format == characteristic->def.format, FALSE);

  status = hap_value_check (&characteristic->def, value);
  if (status != HAP_STATUS_SUCCESS) {
    g_debug ("value refused for %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT " (type %s): %s",
        hap_characteristic_get_aid (characteristic), characteristic->iid, characteristic->def.type,
        hap_status_to_string (status));
    g_return_val_if_reached (FALSE); /* caller misuse: a value its definition does not allow */
  }
  hap_db_store_value (db, characteristic, value, NULL, hap_db_now_us (db));
  return TRUE;
}

static gboolean
set_and_clear (HapAccessoryDb *db, HapCharacteristic *characteristic, HapValue *value)
{
  gboolean ok = hap_db_set_value (db, characteristic, value);
  hap_value_clear (value);
  return ok;
}

gboolean
hap_db_set_value_bool (HapAccessoryDb *db, HapCharacteristic *characteristic, gboolean b)
{
  HapValue v;

  hap_value_init_bool (&v, b);
  return set_and_clear (db, characteristic, &v);
}

gboolean
hap_db_set_value_uint (HapAccessoryDb *db, HapCharacteristic *characteristic, guint64 u)
{
  HapValue v;

  g_return_val_if_fail (characteristic != NULL, FALSE);
  g_return_val_if_fail (characteristic->def.format >= HAP_FORMAT_UINT8
                            && characteristic->def.format <= HAP_FORMAT_UINT64,
      FALSE);

  hap_value_init_uint (&v, characteristic->def.format, u);
  return set_and_clear (db, characteristic, &v);
}

gboolean
hap_db_set_value_int (HapAccessoryDb *db, HapCharacteristic *characteristic, gint64 i)
{
  HapValue v;

  hap_value_init_int (&v, i);
  return set_and_clear (db, characteristic, &v);
}

gboolean
hap_db_set_value_float (HapAccessoryDb *db, HapCharacteristic *characteristic, gdouble f)
{
  HapValue v;

  hap_value_init_float (&v, f);
  return set_and_clear (db, characteristic, &v);
}

gboolean
hap_db_set_value_string (HapAccessoryDb *db, HapCharacteristic *characteristic, const gchar *s)
{
  HapValue v;

  g_return_val_if_fail (s != NULL, FALSE);

  hap_value_init_string (&v, s);
  return set_and_clear (db, characteristic, &v);
}

gboolean
hap_db_set_value_bytes (
    HapAccessoryDb *db, HapCharacteristic *characteristic, const guint8 *data, gsize len)
{
  HapValue v;

  g_return_val_if_fail (characteristic != NULL, FALSE);
  g_return_val_if_fail (characteristic->def.format == HAP_FORMAT_TLV8
                            || characteristic->def.format == HAP_FORMAT_DATA,
      FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  hap_value_init_bytes (&v, characteristic->def.format, data, len);
  return set_and_clear (db, characteristic, &v);
}

/* ---- sessions ---- */

HapDbSession *
hap_db_session_new (HapAccessoryDb *db, const char *controller_id, gboolean admin)
{
  HapDbSession *session;

  g_return_val_if_fail (db != NULL, NULL);

  session = g_new0 (HapDbSession, 1);
  session->db = db;
  session->controller_id = g_strdup (controller_id);
  session->admin = admin;
  session->events = hap_event_queue_new (db->event_window_us);
  db->sessions = g_list_prepend (db->sessions, session);
  return session;
}

void
hap_db_session_free (HapDbSession *session)
{
  if (session == NULL)
    return;
  if (session->db)
    session->db->sessions = g_list_remove (session->db->sessions, session);
  hap_event_queue_free (session->events);
  g_free (session->controller_id);
  g_free (session);
}

const gchar *
hap_db_session_get_controller_id (const HapDbSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->controller_id;
}

gboolean
hap_db_session_is_admin (const HapDbSession *session)
{
  g_return_val_if_fail (session != NULL, FALSE);
  return session->admin;
}

void
hap_db_session_set_admin (HapDbSession *session, gboolean admin)
{
  g_return_if_fail (session != NULL);
  session->admin = admin;
}

void
hap_db_session_set_user_data (HapDbSession *session, gpointer user_data)
{
  g_return_if_fail (session != NULL);
  session->user_data = user_data;
}

gpointer
hap_db_session_get_user_data (const HapDbSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->user_data;
}

gboolean
hap_db_session_is_subscribed (const HapDbSession *session, const HapCharacteristic *characteristic)
{
  g_return_val_if_fail (session != NULL && characteristic != NULL, FALSE);

  return hap_event_queue_is_subscribed (
      session->events, hap_characteristic_get_aid (characteristic), characteristic->iid);
}

void
hap_db_session_subscribe (HapDbSession *session, HapCharacteristic *characteristic, gboolean on)
{
  hap_event_queue_subscribe (
      session->events, hap_characteristic_get_aid (characteristic), characteristic->iid, on);
}

GBytes *
hap_db_session_take_event_body (HapDbSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);

  return hap_event_queue_take_body (session->events);
}

gint64
hap_db_session_get_event_due_us (const HapDbSession *session)
{
  g_return_val_if_fail (session != NULL, G_MAXINT64);

  return hap_event_queue_get_due_us (session->events);
}

/* libhap: per-connection event subscriptions and coalescing. See event-queue.h. */
#include "hap/event-queue.h"

typedef struct {
  guint64 aid;
  guint64 iid;
} Key;

typedef struct {
  Key key;
  gchar *value_json;
} Pending;

struct _HapEventQueue {
  gint64 window_us;
  GHashTable *subscriptions; /* Key* -> itself */
  GArray *pending;           /* Pending, in order of first appearance */
  gint64 due_us;             /* G_MAXINT64 when nothing is pending */
};

static guint
key_hash (gconstpointer p)
{
  const Key *k = p;
  return g_int64_hash (&k->aid) * 31 + g_int64_hash (&k->iid);
}

static gboolean
key_equal (gconstpointer a, gconstpointer b)
{
  const Key *x = a, *y = b;
  return x->aid == y->aid && x->iid == y->iid;
}

static void
pending_clear (gpointer p)
{
  Pending *e = p;
  g_free (e->value_json);
}

HapEventQueue *
hap_event_queue_new (gint64 window_us)
{
  HapEventQueue *queue;

  g_return_val_if_fail (window_us >= 0, NULL);

  queue = g_new0 (HapEventQueue, 1);
  queue->window_us = window_us;
  queue->subscriptions = g_hash_table_new_full (key_hash, key_equal, g_free, NULL);
  queue->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  g_array_set_clear_func (queue->pending, pending_clear);
  queue->due_us = G_MAXINT64;
  return queue;
}

void
hap_event_queue_free (HapEventQueue *queue)
{
  if (queue == NULL)
    return;
  g_hash_table_unref (queue->subscriptions);
  g_array_unref (queue->pending);
  g_free (queue);
}

void
hap_event_queue_set_window (HapEventQueue *queue, gint64 window_us)
{
  g_return_if_fail (queue != NULL);
  g_return_if_fail (window_us >= 0);

  queue->window_us = window_us;
}

gint64
hap_event_queue_get_window (const HapEventQueue *queue)
{
  g_return_val_if_fail (queue != NULL, 0);

  return queue->window_us;
}

static gint
find_pending (const HapEventQueue *queue, guint64 aid, guint64 iid)
{
  for (guint i = 0; i < queue->pending->len; i++) {
    const Pending *e = &g_array_index (queue->pending, Pending, i);
    if (e->key.aid == aid && e->key.iid == iid)
      return (gint) i;
  }
  return -1;
}

gboolean
hap_event_queue_subscribe (HapEventQueue *queue, guint64 aid, guint64 iid, gboolean on)
{
  Key key = { aid, iid };
  gint at;

  g_return_val_if_fail (queue != NULL, FALSE);

  if (on) {
    Key *k;
    if (g_hash_table_contains (queue->subscriptions, &key))
      return FALSE;
    k = g_memdup2 (&key, sizeof key);
    g_hash_table_add (queue->subscriptions, k);
    return TRUE;
  }
  if (!g_hash_table_remove (queue->subscriptions, &key))
    return FALSE;
  at = find_pending (queue, aid, iid);
  if (at >= 0) {
    g_array_remove_index (queue->pending, (guint) at);
    if (queue->pending->len == 0)
      queue->due_us = G_MAXINT64;
  }
  return TRUE;
}

gboolean
hap_event_queue_is_subscribed (const HapEventQueue *queue, guint64 aid, guint64 iid)
{
  Key key = { aid, iid };

  g_return_val_if_fail (queue != NULL, FALSE);

  return g_hash_table_contains (queue->subscriptions, &key);
}

guint
hap_event_queue_get_n_subscriptions (const HapEventQueue *queue)
{
  g_return_val_if_fail (queue != NULL, 0);

  return g_hash_table_size (queue->subscriptions);
}

gboolean
hap_event_queue_push (HapEventQueue *queue, guint64 aid, guint64 iid, const gchar *value_json,
    gboolean immediate, gint64 now_us)
{
  gint at;

  g_return_val_if_fail (queue != NULL, FALSE);
  g_return_val_if_fail (value_json != NULL, FALSE);

  if (!hap_event_queue_is_subscribed (queue, aid, iid))
    return FALSE;
  at = find_pending (queue, aid, iid);
  if (at >= 0) {
    Pending *e = &g_array_index (queue->pending, Pending, at);
    g_free (e->value_json);
    e->value_json = g_strdup (value_json);
  } else {
    Pending e = { { aid, iid }, g_strdup (value_json) };
    if (queue->pending->len == 0)
      queue->due_us
          = now_us > G_MAXINT64 - queue->window_us ? G_MAXINT64 - 1 : now_us + queue->window_us;
    g_array_append_val (queue->pending, e);
  }
  if (immediate)
    queue->due_us = MIN (queue->due_us, now_us);
  return TRUE;
}

guint
hap_event_queue_get_n_pending (const HapEventQueue *queue)
{
  g_return_val_if_fail (queue != NULL, 0);

  return queue->pending->len;
}

gint64
hap_event_queue_get_due_us (const HapEventQueue *queue)
{
  g_return_val_if_fail (queue != NULL, G_MAXINT64);

  return queue->due_us;
}

gboolean
hap_event_queue_is_due (const HapEventQueue *queue, gint64 now_us)
{
  g_return_val_if_fail (queue != NULL, FALSE);

  return queue->pending->len > 0 && now_us >= queue->due_us;
}

GBytes *
hap_event_queue_take_body (HapEventQueue *queue)
{
  GString *body;

  g_return_val_if_fail (queue != NULL, NULL);

  if (queue->pending->len == 0)
    return NULL;
  body = g_string_new ("{\"characteristics\":[");
  for (guint i = 0; i < queue->pending->len; i++) {
    const Pending *e = &g_array_index (queue->pending, Pending, i);
    g_string_append_printf (body,
        "%s{\"aid\":%" G_GUINT64_FORMAT ",\"iid\":%" G_GUINT64_FORMAT ",\"value\":%s}",
        i ? "," : "", e->key.aid, e->key.iid, e->value_json);
  }
  g_string_append (body, "]}");
  g_array_set_size (queue->pending, 0);
  queue->due_us = G_MAXINT64;
  return g_string_free_to_bytes (body);
}

GBytes *
hap_event_queue_take_due_body (HapEventQueue *queue, gint64 now_us)
{
  g_return_val_if_fail (queue != NULL, NULL);

  if (!hap_event_queue_is_due (queue, now_us))
    return NULL;
  return hap_event_queue_take_body (queue);
}

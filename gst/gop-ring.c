/* libgsthksv: the GOP ring of hksvprebuffer and its audio follower (see gop-ring.h). */
#include "gst/gop-ring.h"

typedef struct {
  gpointer data;
  gsize size;
  gsize mem_size;
  guint64 time;
  gboolean keyframe;
} Item;

struct _HksvGopRing {
  GQueue items;      /* Item *, oldest first */
  GQueue gop_starts; /* leader: the GList links of `items` holding each GOP's keyframe */
  guint64 duration;
  guint64 max_bytes;
  guint64 bytes;
  guint64 mem_bytes;
  guint64 last_time; /* time of the previous item with a usable time, or TIME_NONE */
  gboolean waiting_for_keyframe;
  guint64 overflows;
  GDestroyNotify free_func;
  gboolean is_follower;
  HksvGopRing *leader; /* follower: its leader, NULL once that is freed */
  HksvGopRing *follower;
};

#define ITEM(link) ((Item *) (link)->data)

static HksvGopRing *
ring_new (guint64 max_bytes, GDestroyNotify free_func)
{
  HksvGopRing *ring = g_new0 (HksvGopRing, 1);

  g_queue_init (&ring->items);
  g_queue_init (&ring->gop_starts);
  ring->max_bytes = max_bytes;
  ring->last_time = HKSV_GOP_RING_TIME_NONE;
  ring->free_func = free_func;
  return ring;
}

HksvGopRing *
hksv_gop_ring_new (guint64 duration, guint64 max_bytes, GDestroyNotify free_func)
{
  HksvGopRing *ring = ring_new (max_bytes, free_func);

  ring->duration = duration;
  ring->waiting_for_keyframe = TRUE;
  return ring;
}

HksvGopRing *
hksv_gop_ring_new_follower (HksvGopRing *leader, guint64 max_bytes, GDestroyNotify free_func)
{
  HksvGopRing *ring;

  g_return_val_if_fail (leader != NULL, NULL);
  g_return_val_if_fail (!leader->is_follower, NULL);
  g_return_val_if_fail (leader->follower == NULL, NULL);

  ring = ring_new (max_bytes, free_func);
  ring->is_follower = TRUE;
  ring->leader = leader;
  leader->follower = ring;
  return ring;
}

static void
drop_head (HksvGopRing *ring)
{
  Item *item = g_queue_pop_head (&ring->items);

  ring->bytes -= item->size;
  ring->mem_bytes -= item->mem_size;
  if (ring->free_func)
    ring->free_func (item->data);
  g_free (item);
}

static void
drop_all (HksvGopRing *ring)
{
  while (!g_queue_is_empty (&ring->items))
    drop_head (ring);
  g_queue_clear (&ring->gop_starts);
}

static void
drop_oldest_gop (HksvGopRing *ring)
{
  GList *next;

  g_queue_pop_head (&ring->gop_starts);
  next = g_queue_peek_head (&ring->gop_starts);
  /* Without a next GOP the oldest is the only one: everything goes. */
  while (!g_queue_is_empty (&ring->items) && ring->items.head != next)
    drop_head (ring);
}

static void
trim_follower (HksvGopRing *ring)
{
  HksvGopRing *leader = ring->leader;

  if (g_queue_is_empty (&ring->items))
    return;

  if (leader && !g_queue_is_empty (&leader->items)) {
    guint64 start = ITEM (leader->items.head)->time;

    while (!g_queue_is_empty (&ring->items) && ITEM (ring->items.head)->time < start)
      drop_head (ring);
  } else if (leader) {
    /* No video yet (or again). In a non-live pipeline the audio can run far ahead of the video,
     * whose first GOP then starts long before the newest audio: keep a generous span, not the
     * prebuffer duration, and let the first keyframe trim it. */
    guint64 newest = ITEM (ring->items.tail)->time;
    guint64 span = MAX (HKSV_GOP_RING_FOLLOWER_SPAN, leader->duration);

    while (newest - ITEM (ring->items.head)->time > span)
      drop_head (ring);
  }

  while (ring->max_bytes > 0 && ring->bytes > ring->max_bytes)
    drop_head (ring);
}

static void
trim_leader (HksvGopRing *ring)
{
  if (!g_queue_is_empty (&ring->items)) {
    guint64 newest = ITEM (ring->items.tail)->time;

    while (ring->gop_starts.length >= 2) {
      GList *next_start = ring->gop_starts.head->next->data;

      if (newest - ITEM (next_start)->time < ring->duration)
        break;
      drop_oldest_gop (ring);
    }

    while (ring->max_bytes > 0 && ring->bytes > ring->max_bytes && ring->gop_starts.length >= 2)
      drop_oldest_gop (ring);
    if (ring->max_bytes > 0 && ring->bytes > ring->max_bytes) {
      drop_all (ring);
      ring->waiting_for_keyframe = TRUE;
      ring->overflows++;
    }
  }

  if (ring->follower)
    trim_follower (ring->follower);
}

static void
append (
    HksvGopRing *ring, gpointer data, gsize size, gsize mem_size, guint64 time, gboolean keyframe)
{
  Item *item = g_new (Item, 1);

  item->data = data;
  item->size = size;
  item->mem_size = mem_size;
  item->time = time;
  item->keyframe = keyframe;
  g_queue_push_tail (&ring->items, item);
  ring->bytes += size;
  ring->mem_bytes += mem_size;
}

static HksvGopRingResult
push_follower (HksvGopRing *ring, gpointer data, gsize size, gsize mem_size, guint64 time)
{
  if (ring->max_bytes > 0 && size > ring->max_bytes) {
    drop_all (ring);
    ring->overflows++;
    return HKSV_GOP_RING_OVERFLOW;
  }
  while (ring->max_bytes > 0 && ring->bytes + size > ring->max_bytes)
    drop_head (ring);

  append (ring, data, size, mem_size, time, TRUE);
  trim_follower (ring);
  return HKSV_GOP_RING_ADDED;
}

static HksvGopRingResult
push_leader (
    HksvGopRing *ring, gpointer data, gsize size, gsize mem_size, guint64 time, gboolean keyframe)
{
  if (!keyframe && ring->waiting_for_keyframe)
    return HKSV_GOP_RING_REFUSED_NO_KEYFRAME;

  if (ring->max_bytes > 0) {
    /* A keyframe starts a new GOP, so every kept GOP may go; otherwise not the current one. */
    guint droppable = ring->gop_starts.length - (keyframe ? 0 : 1);

    while (ring->bytes + size > ring->max_bytes && droppable > 0) {
      drop_oldest_gop (ring);
      droppable--;
    }
    if (ring->bytes + size > ring->max_bytes) {
      drop_all (ring);
      ring->waiting_for_keyframe = TRUE;
      ring->overflows++;
      if (ring->follower)
        trim_follower (ring->follower);
      return HKSV_GOP_RING_OVERFLOW;
    }
  }

  append (ring, data, size, mem_size, time, keyframe);
  if (keyframe) {
    g_queue_push_tail (&ring->gop_starts, ring->items.tail);
    ring->waiting_for_keyframe = FALSE;
  }
  trim_leader (ring);
  return HKSV_GOP_RING_ADDED;
}

HksvGopRingResult
hksv_gop_ring_push (HksvGopRing *ring, gpointer data, gsize size, gsize mem_size, guint64 dts,
    guint64 pts, gboolean keyframe)
{
  guint64 time = dts != HKSV_GOP_RING_TIME_NONE ? dts : pts;

  g_return_val_if_fail (ring != NULL, HKSV_GOP_RING_REFUSED_NO_TIMESTAMP);

  if (time == HKSV_GOP_RING_TIME_NONE)
    return HKSV_GOP_RING_REFUSED_NO_TIMESTAMP;
  if (ring->last_time != HKSV_GOP_RING_TIME_NONE && time <= ring->last_time)
    return HKSV_GOP_RING_REFUSED_BACKWARDS;
  /* Refused or not, the item goes downstream: the next one must come after it. */
  ring->last_time = time;

  if (ring->is_follower)
    return push_follower (ring, data, size, mem_size, time);
  return push_leader (ring, data, size, mem_size, time, keyframe);
}

void
hksv_gop_ring_clear (HksvGopRing *ring)
{
  g_return_if_fail (ring != NULL);

  drop_all (ring);
  ring->last_time = HKSV_GOP_RING_TIME_NONE;
  if (ring->is_follower)
    return;
  ring->waiting_for_keyframe = TRUE;
  if (ring->follower)
    trim_follower (ring->follower);
}

void
hksv_gop_ring_free (HksvGopRing *ring)
{
  if (ring == NULL)
    return;

  if (ring->leader)
    ring->leader->follower = NULL;
  if (ring->follower)
    ring->follower->leader = NULL;
  drop_all (ring);
  g_free (ring);
}

void
hksv_gop_ring_set_duration (HksvGopRing *ring, guint64 duration)
{
  g_return_if_fail (ring != NULL);
  g_return_if_fail (!ring->is_follower);

  ring->duration = duration;
  trim_leader (ring);
}

void
hksv_gop_ring_set_max_bytes (HksvGopRing *ring, guint64 max_bytes)
{
  g_return_if_fail (ring != NULL);

  ring->max_bytes = max_bytes;
  if (ring->is_follower)
    trim_follower (ring);
  else
    trim_leader (ring);
}

guint64
hksv_gop_ring_get_duration (HksvGopRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);

  if (ring->is_follower)
    return ring->leader ? ring->leader->duration : 0;
  return ring->duration;
}

guint64
hksv_gop_ring_get_max_bytes (HksvGopRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);

  return ring->max_bytes;
}

GPtrArray *
hksv_gop_ring_snapshot (HksvGopRing *ring, HksvGopRingCopyFunc copy)
{
  GPtrArray *array;

  g_return_val_if_fail (ring != NULL, NULL);

  array = g_ptr_array_new_full (ring->items.length, copy ? ring->free_func : NULL);
  for (GList *l = ring->items.head; l; l = l->next)
    g_ptr_array_add (array, copy ? copy (ITEM (l)->data) : ITEM (l)->data);
  return array;
}

void
hksv_gop_ring_get_stats (HksvGopRing *ring, HksvGopRingStats *stats)
{
  g_return_if_fail (ring != NULL);
  g_return_if_fail (stats != NULL);

  stats->bytes = ring->bytes;
  stats->mem_bytes = ring->mem_bytes;
  stats->items = ring->items.length;
  stats->gops = ring->gop_starts.length;
  stats->overflows = ring->overflows;
  stats->waiting_for_keyframe = ring->waiting_for_keyframe;
  if (g_queue_is_empty (&ring->items)) {
    stats->start = stats->end = HKSV_GOP_RING_TIME_NONE;
    stats->span = 0;
  } else {
    stats->start = ITEM (ring->items.head)->time;
    stats->end = ITEM (ring->items.tail)->time;
    stats->span = stats->end - stats->start;
  }
}

const gchar *
hksv_gop_ring_result_to_string (HksvGopRingResult result)
{
  switch (result) {
    case HKSV_GOP_RING_ADDED:
      return "added";
    case HKSV_GOP_RING_REFUSED_NO_KEYFRAME:
      return "no keyframe yet";
    case HKSV_GOP_RING_REFUSED_NO_TIMESTAMP:
      return "no timestamp";
    case HKSV_GOP_RING_REFUSED_BACKWARDS:
      return "timestamp not after the previous one";
    case HKSV_GOP_RING_OVERFLOW:
      return "over the byte bound";
  }
  return "unknown";
}

/* libgsthksv: a ring of access units grouped in GOPs, for hksvprebuffer (pure: GLib only).
 *
 * A leader ring (video) holds opaque items (GstBuffer references in the element) in arrival
 * order, each with its size, the memory it holds, its decode and presentation times (ns, running
 * time) and whether it is a keyframe. A GOP is a keyframe and the items after it up to the next
 * keyframe. The ring keeps complete GOPs covering at least `duration` before the newest item plus
 * the current, incomplete GOP: the oldest GOP is dropped only while what remains, starting at the
 * next GOP's keyframe, still covers the duration. It is bounded by `max_bytes` (sum of the items'
 * sizes): the oldest GOPs are dropped while over it, and when the current GOP alone would exceed
 * it everything is dropped and the ring waits for the next keyframe (HKSV_GOP_RING_OVERFLOW).
 *
 * An item's time is its DTS, or its PTS when it has no DTS. Times must increase strictly: the
 * sink that takes a snapshot drops live buffers whose DTS is not after the snapshot's last one
 * (gst/hksv-prebuffer-query.h), so two items with the same time cannot be told apart.
 *
 * A follower ring (audio) has no GOPs: every item is kept while its time is at or after the start
 * (oldest keyframe) of its leader, however far ahead of the leader's newest item it is (a
 * non-live pipeline's audio runs ahead of the video). It is trimmed whenever its leader trims;
 * while the leader is empty it keeps HKSV_GOP_RING_FOLLOWER_SPAN (or the leader's duration, when
 * longer) before its newest item, which the leader's first keyframe then trims to its start. It
 * has its own byte bound (oldest items dropped first).
 *
 * Items pushed are owned by the ring (freed with the ring's free function when dropped) only when
 * the push returns HKSV_GOP_RING_ADDED; otherwise the caller keeps them.
 * Not thread-safe: the element guards its rings with one lock.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An unknown time (the same value as GST_CLOCK_TIME_NONE). */
#define HKSV_GOP_RING_TIME_NONE G_MAXUINT64

/* What a follower keeps before its newest item while its leader is empty (ns): 60 s, the lead a
 * non-live pipeline's audio may take before the first video GOP (audiotestsrc and voaacenc
 * deliver seconds of audio before x264enc's first frame). */
#define HKSV_GOP_RING_FOLLOWER_SPAN (60 * G_GUINT64_CONSTANT (1000000000))

typedef enum {
  HKSV_GOP_RING_ADDED,
  /* before the first keyframe, or after an overflow until the next one (leader only) */
  HKSV_GOP_RING_REFUSED_NO_KEYFRAME,
  HKSV_GOP_RING_REFUSED_NO_TIMESTAMP, /* neither DTS nor PTS */
  HKSV_GOP_RING_REFUSED_BACKWARDS,    /* time not after the previous item's */
  /* the item would make the current GOP (leader) or the item alone (follower) exceed max_bytes:
   * the ring was emptied, the item refused; a leader waits for the next keyframe */
  HKSV_GOP_RING_OVERFLOW,
} HksvGopRingResult;

typedef struct _HksvGopRing HksvGopRing;

/* Makes the caller's own reference to an item (gst_buffer_ref, say). */
typedef gpointer (*HksvGopRingCopyFunc) (gpointer item);

typedef struct {
  guint64 bytes;     /* sum of the items' sizes */
  guint64 mem_bytes; /* sum of the memory the items hold (as given at push) */
  guint items;
  guint gops;        /* complete GOPs + the current one (0 for a follower) */
  guint64 start;     /* time of the oldest item (leader: its oldest keyframe), or TIME_NONE */
  guint64 end;       /* time of the newest item, or TIME_NONE */
  guint64 span;      /* end - start, 0 when empty */
  guint64 overflows; /* HKSV_GOP_RING_OVERFLOW results since the ring was made */
  gboolean waiting_for_keyframe; /* leader: items are refused until a keyframe */
} HksvGopRingStats;

/* duration in ns; max_bytes 0 = no byte bound. free_func (may be NULL) frees dropped items. */
HksvGopRing *hksv_gop_ring_new (guint64 duration, guint64 max_bytes, GDestroyNotify free_func);

/* A follower of `leader` (which must not have one yet). Either ring may be freed first. */
HksvGopRing *hksv_gop_ring_new_follower (
    HksvGopRing *leader, guint64 max_bytes, GDestroyNotify free_func);

/* Frees every item, detaches a follower or leader. */
void hksv_gop_ring_free (HksvGopRing *ring);

/* Adds `data` (see the ownership rule above). `size` counts against max_bytes; `mem_size` is
 * only reported (stats.mem_bytes). A follower ignores `keyframe`. */
HksvGopRingResult hksv_gop_ring_push (HksvGopRing *ring, gpointer data, gsize size, gsize mem_size,
    guint64 dts, guint64 pts, gboolean keyframe);

/* Drops every item. A leader then waits for a keyframe; the time order starts afresh. */
void hksv_gop_ring_clear (HksvGopRing *ring);

/* Trim at once to the new bounds (a leader's duration applies to its follower too). Lowering
 * max_bytes below the current GOP empties the ring like an overflow (counted in stats). */
void hksv_gop_ring_set_duration (HksvGopRing *ring, guint64 duration);
void hksv_gop_ring_set_max_bytes (HksvGopRing *ring, guint64 max_bytes);
guint64 hksv_gop_ring_get_duration (HksvGopRing *ring);
guint64 hksv_gop_ring_get_max_bytes (HksvGopRing *ring);

/* The items from the oldest (leader: the oldest kept keyframe) to the newest, in order. With
 * `copy` NULL the array holds the items themselves, valid until the ring next changes; otherwise
 * it holds copy (item) and frees them with the ring's free function. */
GPtrArray *hksv_gop_ring_snapshot (HksvGopRing *ring, HksvGopRingCopyFunc copy);

void hksv_gop_ring_get_stats (HksvGopRing *ring, HksvGopRingStats *stats);

const gchar *hksv_gop_ring_result_to_string (HksvGopRingResult result);

G_END_DECLS

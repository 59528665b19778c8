/* libhap: the event subscriptions and pending events of one HAP connection (pure).
 *
 * A controller subscribes to characteristics with "ev": true. When a subscribed
 * characteristic changes, its new value is queued here; values queued for the same
 * characteristic before the queue is taken replace each other (the latest value wins, the
 * position of the first one is kept). Events are coalesced: the queue becomes due `window_us`
 * after the first pending event was queued (default 250 ms, as HAP-NodeJS does), or at once
 * when an immediate event (a button press: ProgrammableSwitchEvent, ButtonEvent) is queued,
 * which then carries everything pending with it. Time is given by the caller (`now_us`, any
 * monotonic clock), so tests are deterministic.
 *
 * The body of an EVENT/1.0 message is {"characteristics":[{"aid":A,"iid":I,"value":V},...]}
 * (PROTOCOL.md section 1); values are given as JSON text.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAP_EVENT_WINDOW_DEFAULT_US (250 * G_TIME_SPAN_MILLISECOND)

typedef struct _HapEventQueue HapEventQueue;

HapEventQueue *hap_event_queue_new (gint64 window_us);
void hap_event_queue_free (HapEventQueue *queue);
void hap_event_queue_set_window (HapEventQueue *queue, gint64 window_us);
gint64 hap_event_queue_get_window (const HapEventQueue *queue);

/* Enables or disables events of (aid, iid). Disabling also drops its pending event. Returns
 * TRUE when the subscription state changed. */
gboolean hap_event_queue_subscribe (HapEventQueue *queue, guint64 aid, guint64 iid, gboolean on);
gboolean hap_event_queue_is_subscribed (const HapEventQueue *queue, guint64 aid, guint64 iid);
guint hap_event_queue_get_n_subscriptions (const HapEventQueue *queue);

/* Queues `value_json` (the JSON text of the new value) for (aid, iid) if it is subscribed.
 * Returns TRUE when it was queued. */
gboolean hap_event_queue_push (HapEventQueue *queue, guint64 aid, guint64 iid,
    const gchar *value_json, gboolean immediate, gint64 now_us);

guint hap_event_queue_get_n_pending (const HapEventQueue *queue);
/* When the pending events should be sent: G_MAXINT64 when nothing is pending. */
gint64 hap_event_queue_get_due_us (const HapEventQueue *queue);
gboolean hap_event_queue_is_due (const HapEventQueue *queue, gint64 now_us);

/* The EVENT/1.0 body of everything pending, which is then cleared; NULL when nothing is. */
GBytes *hap_event_queue_take_body (HapEventQueue *queue);
/* The same, but only when the queue is due at `now_us`. */
GBytes *hap_event_queue_take_due_body (HapEventQueue *queue, gint64 now_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapEventQueue, hap_event_queue_free)

G_END_DECLS

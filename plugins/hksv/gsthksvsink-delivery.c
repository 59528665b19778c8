/* hksvsink: delivery (gsthksvsink-private.h), never under the lock. Whichever thread queued
 * chunks drains the outboxes after releasing the lock, one thread per session at a time (the
 * `delivering` flag), so callbacks see one session's chunks in order and may call back into the
 * element; nothing here ever waits for a consumer. Then the bus messages queued under the lock
 * are posted, in order, EOS last once every session has ended. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "plugins/hksv/gsthksvsink-private.h"

#include <errno.h>

/* A clip's file could not be written (errno `error`). */
static void
queue_write_warning (GstHksvSink *sink, Session *s, gint error)
{
  g_autofree gchar *text = g_strdup_printf ("could not write %s", s->location);

  gst_hksv_sink_queue_warning (sink, text, g_strerror (error));
}

static GstSample *
chunk_sample (const HksvChunk *chunk)
{
  static GstCaps *caps = NULL;
  GstBuffer *buffer = gst_buffer_new_wrapped_bytes (chunk->data);
  GstStructure *info = gst_structure_new ("hksv-chunk", "data-type", G_TYPE_STRING,
      hksv_chunk_type_name (chunk->type), "data-sequence-number", G_TYPE_UINT64,
      chunk->data_sequence_number, "data-chunk-sequence-number", G_TYPE_UINT64,
      chunk->chunk_sequence_number, "is-last-data-chunk", G_TYPE_BOOLEAN, chunk->is_last_chunk,
      "data-total-size", G_TYPE_INT64, chunk->total_size, "end-of-stream", G_TYPE_BOOLEAN,
      chunk->end_of_stream, NULL);
  GstSample *sample;

  if (g_once_init_enter (&caps)) {
    GstCaps *c
        = gst_caps_new_simple ("video/quicktime", "variant", G_TYPE_STRING, "iso-fragmented", NULL);

    GST_MINI_OBJECT_FLAG_SET (c, GST_MINI_OBJECT_FLAG_MAY_BE_LEAKED);
    g_once_init_leave (&caps, c);
  }
  sample = gst_sample_new (buffer, caps, NULL, info);
  gst_buffer_unref (buffer);
  return sample;
}

/* FALSE when the consumer refused the chunk (or the file could not be written). */
static gboolean
deliver_chunk (GstHksvSink *sink, Session *s, const HksvChunk *chunk, gint *write_error)
{
  if (s->kind == KIND_FILE)
    return gst_hksv_sink_clip_write (s, chunk, write_error);
  return s->callbacks.chunk (sink, s->id, chunk, s->user_data);
}

/* Outside the lock, after the session's last chunk. */
static void
notify_ended (GstHksvSink *sink, Session *s)
{
  gint write_error = 0;

  switch (s->kind) {
    case KIND_CALLBACK:
      if (s->callbacks.ended)
        s->callbacks.ended (sink, s->id, s->reason, s->stats.end_of_stream_sent, s->user_data);
      break;
    case KIND_PULL:
      g_signal_emit (sink, gst_hksv_sink_signals[SIGNAL_SESSION_ENDED], 0, s->id, s->reason,
          s->stats.end_of_stream_sent);
      break;
    case KIND_FILE:
      write_error = gst_hksv_sink_clip_close (s);
      break;
  }
  if (s->destroy) {
    GDestroyNotify destroy = s->destroy;

    s->destroy = NULL;
    destroy (s->user_data);
  }
  g_mutex_lock (&sink->lock);
  if (write_error)
    queue_write_warning (sink, s, write_error);
  gst_hksv_sink_queue_message (sink, gst_hksv_sink_session_message (sink, s, FALSE));
  g_mutex_unlock (&sink->lock);
}

static gboolean
has_work (Session *s)
{
  if (s->delivering)
    return FALSE;
  if (s->ended && !s->end_notified)
    return TRUE;
  if (s->kind == KIND_PULL)
    return s->notify_new;
  return s->outbox.length > 0;
}

void
gst_hksv_sink_drain (GstHksvSink *sink)
{
  for (;;) {
    Session *s = NULL;
    GQueue messages = G_QUEUE_INIT;
    GstMessage *m;

    g_mutex_lock (&sink->lock);
    for (GList *l = sink->sessions; l && !s; l = l->next) {
      if (has_work (l->data))
        s = l->data;
    }
    if (!s) {
      if (sink->eos_pending) {
        gboolean open = FALSE;

        for (GList *l = sink->sessions; l; l = l->next)
          open |= !((Session *) l->data)->end_notified;
        if (!open) {
          GstMessage *eos = gst_message_new_eos (GST_OBJECT (sink));

          gst_message_set_seqnum (eos, sink->eos_seqnum);
          sink->eos_pending = FALSE;
          gst_hksv_sink_queue_message (sink, eos);
        }
      }
      messages = sink->messages;
      g_queue_init (&sink->messages);
      g_mutex_unlock (&sink->lock);
      while ((m = g_queue_pop_head (&messages)))
        gst_element_post_message (GST_ELEMENT (sink), m);
      return;
    }

    gst_hksv_sink_session_ref (s);
    s->delivering = TRUE;
    for (;;) {
      HksvChunk *chunk;

      if (s->kind != KIND_PULL && (chunk = g_queue_pop_head (&s->outbox))) {
        gboolean ok;
        gint write_error = 0;

        s->outbox_bytes -= g_bytes_get_size (chunk->data);
        g_mutex_unlock (&sink->lock);
        ok = deliver_chunk (sink, s, chunk, &write_error);
        hksv_chunk_free (chunk);
        g_mutex_lock (&sink->lock);
        if (!ok) {
          if (write_error) {
            queue_write_warning (sink, s, write_error);
            gst_hksv_sink_session_end (sink, s, GST_HKSV_SINK_END_ERROR, FALSE);
          } else {
            s->overflowed = TRUE;
            gst_hksv_sink_session_end (sink, s, GST_HKSV_SINK_END_SLOW_CONSUMER, FALSE);
          }
          gst_hksv_sink_outbox_clear (s);
        }
        continue;
      }
      if (s->kind == KIND_PULL && s->notify_new) {
        s->notify_new = FALSE;
        g_mutex_unlock (&sink->lock);
        g_signal_emit (sink, gst_hksv_sink_signals[SIGNAL_NEW_CHUNK], 0, s->id);
        g_mutex_lock (&sink->lock);
        continue;
      }
      if (s->ended && !s->end_notified) {
        s->end_notified = TRUE;
        if (s->kind != KIND_PULL || s->outbox.length == 0)
          gst_hksv_sink_unlist (sink, s);
        g_mutex_unlock (&sink->lock);
        notify_ended (sink, s);
        g_mutex_lock (&sink->lock);
        continue;
      }
      break;
    }
    s->delivering = FALSE;
    g_mutex_unlock (&sink->lock);
    gst_hksv_sink_session_unref (s);
  }
}

GstSample *
gst_hksv_sink_pull_chunk (GstHksvSink *sink, guint session)
{
  GstSample *sample = NULL;
  HksvChunk *chunk = NULL;
  Session *s;

  g_return_val_if_fail (GST_IS_HKSV_SINK (sink), NULL);

  g_mutex_lock (&sink->lock);
  s = gst_hksv_sink_find_session (sink, session);
  if (s && s->kind == KIND_PULL) {
    chunk = g_queue_pop_head (&s->outbox);
    if (chunk)
      s->outbox_bytes -= g_bytes_get_size (chunk->data);
    if (s->outbox.length == 0 && s->end_notified)
      gst_hksv_sink_unlist (sink, s);
  }
  g_mutex_unlock (&sink->lock);
  if (chunk) {
    sample = chunk_sample (chunk);
    hksv_chunk_free (chunk);
  }
  return sample;
}

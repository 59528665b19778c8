/* hksv-hub record: one recording as a hub receives it - its state, its files (NNNN.mp4 and the
 * chunk dump NNNN.chunks), the media checker fed every chunk as it arrives, and its report
 * (tools/hub-recording.c). One hub's event loop (tools/hub-stream.c) drives it. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "gst/mp4-check.h"
#include "hap/hds-datasend.h"

G_BEGIN_DECLS

typedef enum {
  HUB_REC_OPENING,   /* open sent, no answer yet */
  HUB_REC_STREAMING, /* accepted: data events */
  HUB_REC_DONE,
} HubRecState;

typedef struct {
  guint number;
  gint64 stream_id;
  gint64 open_id;
  const gchar *trigger;
  HubRecState state;
  gint64 event_us, hds_ready_us, open_sent_us, open_accepted_us, first_chunk_us, last_data_us;
  gint64 close_at_us, cap_us, end_us;
  gboolean end_of_stream;
  gboolean closed_by_hub;
  gint64 hub_close_reason;
  gboolean closed_by_accessory;
  gint64 accessory_close_reason;
  gint64 open_status; /* body status of a refused open */
  gchar *failure;     /* the first protocol failure, NULL when none */
  HksvMp4Checker *checker;
  FILE *mp4;
  FILE *dump;
  gchar *mp4_path;
  gchar *dump_path;
  guint64 bytes, chunks, late_messages;
  GArray *completions; /* each sequence's completion (arrival, size), for the report */
  guint64 seq;         /* sequence being received, 0 none */
  guint64 seq_bytes;
  guint seq_chunks;
} HubRecording;

/* Recording `number` of stream `stream_id`, into OUT_DIR/NNNN.mp4 and NNNN.chunks. */
HubRecording *hub_recording_new (guint number, const gchar *trigger, gint64 stream_id,
    const HksvMp4CheckOptions *options, const gchar *out_dir);
void hub_recording_free (HubRecording *rec);
/* Keeps the recording's first failure; later ones are dropped. */
void hub_recording_fail (HubRecording *rec, const gchar *format, ...) G_GNUC_PRINTF (2, 3);
/* Opens the files; FALSE (a failure kept) when they cannot be written. */
gboolean hub_recording_open_files (HubRecording *rec);
/* One received packet: to the files and to the checker. */
void hub_recording_take_packet (
    HubRecording *rec, const HapHdsDataSendPacket *p, gboolean end_of_stream, gint64 at_us);
/* Ends the recording: closes its files (removes them when nothing was streamed) and runs the
 * checker's end rules. Returns whether it passed, its JSON report (`report`, new) and the lines
 * of its text report (appended to `lines`, gchar*). */
gboolean hub_recording_finish (HubRecording *rec, JsonObject **report, GPtrArray *lines);

G_END_DECLS

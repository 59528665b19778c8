/* hksv-hub record: what the set-up (tools/hub-record.c) hands to each hub's event loop
 * (tools/hub-stream.c). */
#pragma once

#include "gst/mp4-check.h"
#include "hap/hksv-profile.h"
#include "tools/hub-commands.h"

G_BEGIN_DECLS

/* Read-only once the hubs run. */
typedef struct {
  HubContext *ctx;
  const HubRecordOptions *opt;
  HapHksvCamera camera;              /* where the characteristics are */
  HapCameraSelectedConfig selection; /* what the recordings must follow */
  gboolean audio_active;             /* RecordingAudioActive */
  guint64 triggers;                  /* HapCameraEventTrigger bits that start a recording */
  gint64 start_us;
  gint64 wait_end_us; /* no new recording is waited for after this */
  gint next_number;   /* atomic: NNNN of the next recording file */
} HubShared;

typedef struct {
  HubShared *shared;
  guint index; /* 0-based; printed as hub index + 1 */
  HapAccessoryRecord record;
  HapControllerIdentity identity;
  HapClient *hap;   /* owned; hub 0's comes from the set-up */
  JsonObject *json; /* this hub's report */
  guint n_ok;
  guint n_failed;
  gboolean fatal; /* the HAP connection failed */
} HubState;

/* Runs one hub: subscribes, waits for triggers, receives recordings (GThreadFunc). */
gpointer hub_stream_run (gpointer hub);

/* The checker options for recordings of `shared`'s selection. */
void hub_checker_options (const HubShared *shared, HksvMp4CheckOptions *options);

G_END_DECLS

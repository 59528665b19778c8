/* hksv-hub: the subcommands (tools/hub-*.c). Each takes its positional arguments (argv[0] is the
 * subcommand) after option parsing and returns the exit status (tools/hub-common.h). */
#pragma once

#include "gst/mp4-check.h"
#include "tools/hub-common.h"

G_BEGIN_DECLS

int hub_cmd_pair (HubContext *ctx, int argc, char **argv);
int hub_cmd_unpair (HubContext *ctx, gboolean local_only, int argc, char **argv);
int hub_cmd_list_pairings (HubContext *ctx, int argc, char **argv);
int hub_cmd_inspect (HubContext *ctx, int argc, char **argv);
int hub_cmd_snapshot (HubContext *ctx, gint reason, const gchar *out, guint width, guint height,
    int argc, char **argv);
int hub_cmd_watch (HubContext *ctx, gint events, gint timeout_s, int argc, char **argv);
typedef struct {
  gchar *selected;   /* base64 SelectedCameraRecordingConfiguration: fragment and prebuffer */
  gint fragment_ms;  /* 0: not checked */
  gint prebuffer_ms; /* 0: not checked */
  gchar *audio;      /* yes, no, any (default any) */
  gboolean lenient;  /* only the protocol rules */
  gboolean segments; /* the files are one recording: init segment, then fragments */
} HubCheckOptions;

int hub_cmd_check (HubContext *ctx, HubCheckOptions *options, int argc, char **argv);
/* A violation of the media checker as the JSON reports of check and record give it. */
JsonObject *hub_violation_json (const HksvMp4Violation *violation);

/* record: its options (tools/hub-record.c). */
typedef struct {
  gchar *out_dir;
  gint events;
  gint timeout_s;
  gint hubs;
  gchar *mode;
  gchar *audio;
  gboolean no_configure;
  gboolean doorbell;
  gchar *resolution;
  gchar *profile;
  gchar *level;
  gint video_bitrate;
  gint prebuffer_ms;
  gint fragment_ms;
  gchar *audio_codec;
  gint sample_rate;
  gint audio_bitrate;
  gdouble close_delay_s;
  gdouble fragment_timeout_s;
  gint max_duration_s;
  gchar *open_reason;
  gboolean lenient;
  gint max_mb;
} HubRecordOptions;

void hub_record_options_init (HubRecordOptions *options);
void hub_record_options_clear (HubRecordOptions *options);
GOptionEntry *hub_record_option_entries (HubRecordOptions *options);
int hub_cmd_record (HubContext *ctx, HubRecordOptions *options, int argc, char **argv);

G_END_DECLS

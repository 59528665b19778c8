/* libhap: what an HKSV camera must expose, checked on the database a controller read
 * (hap/remote-db.h), and the choice of a recording configuration a hub would select.
 *
 * The profile (HKSV spec R3 sections 1-3, PROTOCOL.md sections 2 and 6; HAP camera services):
 * - CameraRTPStreamManagement (one or more), each with Active and the stream characteristics;
 * - CameraOperatingMode with EventSnapshotsActive, HomeKitCameraActive,
 *   PeriodicSnapshotsActive (and the optional ones, reported when absent);
 * - CameraEventRecordingManagement with Active, the Supported camera/video/audio recording
 *   configurations, SelectedCameraRecordingConfiguration and RecordingAudioActive, linked to the
 *   MotionSensor and to DataStreamManagement;
 * - DataStreamManagement with SupportedDataStreamTransportConfiguration (offering HDS over
 *   TCP), SetupDataStreamTransport (with write response) and Version "1.0";
 * - MotionSensor with MotionDetected and StatusActive; Doorbell and Microphone optional.
 * Each characteristic is checked for presence, format and the permissions it needs; the
 * Supported values are decoded (hap/camera-tlv.h) and checked against the spec's rules
 * (prebuffer >= 4000 ms, motion trigger, fMP4 container, the mandatory resolutions and frame
 * rates as warnings).
 *
 * Pure: no I/O.
 */
#pragma once

#include <glib.h>

#include "hap/camera-tlv.h"
#include "hap/remote-db.h"

G_BEGIN_DECLS

#define HAP_HKSV_MAX_RTP 4

typedef enum {
  HAP_HKSV_CHECK_PRESENT, /* there, as the spec says */
  HAP_HKSV_CHECK_MISSING, /* required and absent: a failure */
  HAP_HKSV_CHECK_WRONG,   /* there but not as the spec says: a failure */
  HAP_HKSV_CHECK_ABSENT,  /* optional and absent */
  HAP_HKSV_CHECK_WARNING, /* there, against a recommendation of the spec */
} HapHksvCheckStatus;

typedef struct {
  gchar *item; /* "CameraEventRecordingManagement.Active", "SupportedVideo: resolutions" */
  gchar *type; /* the HAP type (short form), NULL for checks of a value */
  guint64 iid; /* 0 when absent or not a characteristic */
  HapHksvCheckStatus status;
  gchar *detail; /* what is wrong, or what the value says; may be "" */
} HapHksvCheck;

/* Where the characteristics a hub uses live (iid 0: absent), and the decoded Supported values. */
typedef struct {
  guint64 aid;
  guint n_rtp;
  guint64 rtp_active[HAP_HKSV_MAX_RTP];
  guint64 homekit_camera_active, event_snapshots_active, periodic_snapshots_active;
  guint64 recording_active, recording_audio_active;
  guint64 supported_recording, supported_video, supported_audio, selected;
  guint64 supported_transport, setup_transport;
  guint64 motion_detected, motion_status_active;
  guint64 doorbell_event;
  gboolean has_recording, has_video, has_audio; /* the Supported values decoded */
  HapCameraRecordingConfig recording;
  HapCameraVideoConfig video;
  HapCameraAudioConfig audio;
} HapHksvCamera;

typedef struct {
  GPtrArray *checks; /* HapHksvCheck* in profile order */
  guint n_failed;    /* MISSING + WRONG */
  guint n_warnings;
  HapHksvCamera camera;
} HapHksvReport;

/* Checks accessory `aid` (0: the first accessory with CameraEventRecordingManagement, else the
 * first one) of `db`. `values` (may be NULL) are characteristic values read separately (GET
 * /characteristics) that replace the database's, for peers that leave values out of
 * /accessories. Never fails: a database without the accessory is a report whose every item is
 * missing. */
HapHksvReport *hap_hksv_profile_check (const HapRemoteDb *db, guint64 aid, const GArray *values);
void hap_hksv_report_free (HapHksvReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapHksvReport, hap_hksv_report_free)

const gchar *hap_hksv_check_status_to_string (HapHksvCheckStatus status);

/* Readable summaries of the configuration values, e.g.
 * "prebuffer 4000 ms, triggers motion, fMP4 fragments 4000 ms". */
gchar *hap_hksv_describe_recording (const HapCameraRecordingConfig *cfg);
gchar *hap_hksv_describe_video (const HapCameraVideoConfig *cfg);
gchar *hap_hksv_describe_audio (const HapCameraAudioConfig *cfg);
gchar *hap_hksv_describe_selected (const HapCameraSelectedConfig *sel);

/* ---- choosing a selection ---- */
typedef struct {
  guint width, height, fps; /* all 0: 1920x1080 when offered, else the largest; the
                             * highest frame rate up to 30 */
  gint profile;             /* HapCameraVideoProfile, -1: Main when offered (as real hubs
                             * select), else the highest offered */
  gint level;               /* HapCameraVideoLevel, -1: the highest offered */
  guint video_bitrate_kbps; /* 0: 2000 */
  guint iframe_interval_ms; /* 0: the fragment length */
  guint prebuffer_ms;       /* 0: the supported prebuffer */
  guint fragment_ms;        /* 0: the first fMP4 container's */
  guint64 event_triggers;   /* 0: motion (doorbell when motion is not offered) */
  gint audio_codec;         /* HapCameraAudioCodec, -1: AAC-LC when offered */
  gint sample_rate;         /* HapCameraAudioSampleRate, -1: 32 kHz when offered, else
                             * the highest */
  guint audio_bitrate_kbps; /* 0: 64 */
} HapHksvSelectionPrefs;

void hap_hksv_selection_prefs_init (HapHksvSelectionPrefs *prefs);

/* A selection as a hub writes it. FALSE with `error` (HAP_CODEC_ERROR_OUT_OF_RANGE, naming what
 * the camera offers) when a preference is not offered. The result passes
 * hap_camera_selected_is_supported(). */
gboolean hap_hksv_choose_selection (const HapCameraRecordingConfig *recording,
    const HapCameraVideoConfig *video, const HapCameraAudioConfig *audio,
    const HapHksvSelectionPrefs *prefs, HapCameraSelectedConfig *out, GError **error);

G_END_DECLS

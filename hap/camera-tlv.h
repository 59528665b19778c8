/* libhap: HomeKit Secure Video recording configuration TLVs.
 *
 * Typed structs with parse / build / validate for the four TLV8 characteristic values of
 * CameraEventRecordingManagement (HKSV spec R3 sections 3.8-3.11, with the corrections of
 * PROTOCOL.md section 6):
 *   SupportedCameraRecordingConfiguration  -> HapCameraRecordingConfig
 *   SupportedVideoRecordingConfiguration   -> HapCameraVideoConfig
 *   SupportedAudioRecordingConfiguration   -> HapCameraAudioConfig
 *   SelectedCameraRecordingConfiguration   -> HapCameraSelectedConfig
 *
 * Pure codec: no I/O, no global state, never asserts on peer bytes.
 *
 * Wire rules (what real hubs and HAP-NodeJS send, and what the builders write):
 * - Fields are written in ascending type order. A list is a run of items of the same type
 *   separated by an empty item `00 00`. The parser requires exactly that: a separator between
 *   two items of the same type and nowhere else, every item of a list in one run, scalar
 *   fields at most once. A nested value over 255 bytes is fragmented by TLV8 (hap/tlv8.h).
 * - Items of unknown types (including selection-only fields inside a Supported value) are
 *   ignored; they are not kept, so build (parse (x)) is x without those items.
 * - Enumerated values (codec, profile, level, container type, channels, bitrate mode, sample
 *   rate, frame rate) are one byte; any other width is rejected.
 * - Numeric quantities (prebuffer, event trigger options, fragment length, width, height,
 *   bitrates, I-frame interval) are accepted as 1 to 8 little-endian bytes when the value fits
 *   the field; the width seen is recorded in the struct's `wire` member and the builder writes
 *   the value with that width again (when it still fits), so build (parse (x)) is byte-identical
 *   to x. A `wire` width of 0 (the state after memset/zero-initialisation) means the canonical
 *   width: prebuffer 4, event triggers 8, fragment length 4, width/height 2, bitrates and
 *   I-frame interval 4.
 *
 * Parsers decode and then validate (hap_camera_*_validate()); builders validate first and
 * return NULL with the validation error for an invalid struct. Lists are fixed-size arrays
 * bounded by the HAP_CAMERA_MAX_* limits below; longer lists are rejected
 * (HAP_CODEC_ERROR_TOO_LARGE).
 */
#pragma once

#include <glib.h>

#include "hap/parse.h"

G_BEGIN_DECLS

/* The spec asks for a prebuffer of at least 4000 ms. This is advisory: validation accepts a
 * shorter one (with a debug line); hap_camera_recording_config_prebuffer_ok() tells. */
#define HAP_CAMERA_PREBUFFER_MIN_MS 4000

#define HAP_CAMERA_MAX_CONTAINERS 4
#define HAP_CAMERA_MAX_VIDEO_CODECS 4
#define HAP_CAMERA_MAX_PROFILES 8
#define HAP_CAMERA_MAX_LEVELS 8
#define HAP_CAMERA_MAX_ATTRIBUTES 64
#define HAP_CAMERA_MAX_AUDIO_CODECS 4
#define HAP_CAMERA_MAX_BITRATE_MODES 4
#define HAP_CAMERA_MAX_SAMPLE_RATES 8

/* Event trigger options bitmask (u64 on the wire). Unknown bits are kept. */
typedef enum {
  HAP_CAMERA_EVENT_TRIGGER_MOTION = 1 << 0,
  HAP_CAMERA_EVENT_TRIGGER_DOORBELL = 1 << 1,
} HapCameraEventTrigger;

typedef enum {
  HAP_CAMERA_CONTAINER_FRAGMENTED_MP4 = 0,
} HapCameraContainerType;

typedef enum {
  HAP_CAMERA_VIDEO_CODEC_H264 = 0,
  HAP_CAMERA_VIDEO_CODEC_H265 = 1,
} HapCameraVideoCodec;

typedef enum {
  HAP_CAMERA_VIDEO_PROFILE_BASELINE = 0,
  HAP_CAMERA_VIDEO_PROFILE_MAIN = 1,
  HAP_CAMERA_VIDEO_PROFILE_HIGH = 2,
} HapCameraVideoProfile;

typedef enum {
  HAP_CAMERA_VIDEO_LEVEL_3_1 = 0,
  HAP_CAMERA_VIDEO_LEVEL_3_2 = 1,
  HAP_CAMERA_VIDEO_LEVEL_4 = 2,
} HapCameraVideoLevel;

/* Not 2/3: a peer that shipped AAC-ELD = 2 / AAC-LC = 3 was never armed by hubs. */
typedef enum {
  HAP_CAMERA_AUDIO_CODEC_AAC_LC = 0,
  HAP_CAMERA_AUDIO_CODEC_AAC_ELD = 1,
} HapCameraAudioCodec;

typedef enum {
  HAP_CAMERA_AUDIO_BITRATE_VARIABLE = 0,
  HAP_CAMERA_AUDIO_BITRATE_CONSTANT = 1,
} HapCameraAudioBitrateMode;

typedef enum {
  HAP_CAMERA_AUDIO_SAMPLE_RATE_8K = 0,
  HAP_CAMERA_AUDIO_SAMPLE_RATE_16K = 1,
  HAP_CAMERA_AUDIO_SAMPLE_RATE_24K = 2,
  HAP_CAMERA_AUDIO_SAMPLE_RATE_32K = 3,
  HAP_CAMERA_AUDIO_SAMPLE_RATE_44_1K = 4,
  HAP_CAMERA_AUDIO_SAMPLE_RATE_48K = 5,
} HapCameraAudioSampleRate;

/* 8000 .. 48000 for a known value, 0 for an out-of-range one. */
guint hap_camera_audio_sample_rate_to_hz (HapCameraAudioSampleRate rate);

/* Media container configuration: {1 type u8, 2 parameters {1 fragment length u32 ms}}. */
typedef struct {
  HapCameraContainerType type;
  guint32 fragment_length_ms; /* > 0 */
  struct {
    guint8 fragment_length_ms;
  } wire;
} HapCameraContainer;

/* SupportedCameraRecordingConfiguration; also the "general" part of the selection. */
typedef struct {
  guint32 prebuffer_ms;
  guint64 event_triggers; /* HapCameraEventTrigger bits */
  guint n_containers;     /* 1 .. HAP_CAMERA_MAX_CONTAINERS */
  HapCameraContainer containers[HAP_CAMERA_MAX_CONTAINERS];
  struct {
    guint8 prebuffer_ms, event_triggers;
  } wire;
} HapCameraRecordingConfig;

/* Video attributes: {1 width u16, 2 height u16, 3 frame rate u8}, all > 0. */
typedef struct {
  guint16 width;
  guint16 height;
  guint8 fps;
  struct {
    guint8 width, height;
  } wire;
} HapCameraVideoAttributes;

/* One supported video codec: {1 codec, 2 parameters {1 profiles, 2 levels}, 3 attributes...}. */
typedef struct {
  HapCameraVideoCodec codec;
  guint n_profiles; /* 1 .. HAP_CAMERA_MAX_PROFILES */
  HapCameraVideoProfile profiles[HAP_CAMERA_MAX_PROFILES];
  guint n_levels; /* 1 .. HAP_CAMERA_MAX_LEVELS */
  HapCameraVideoLevel levels[HAP_CAMERA_MAX_LEVELS];
  guint n_attributes; /* 1 .. HAP_CAMERA_MAX_ATTRIBUTES */
  HapCameraVideoAttributes attributes[HAP_CAMERA_MAX_ATTRIBUTES];
} HapCameraVideoCodecConfig;

/* SupportedVideoRecordingConfiguration: {1 codec configuration} repeated. */
typedef struct {
  guint n_codecs; /* 1 .. HAP_CAMERA_MAX_VIDEO_CODECS */
  HapCameraVideoCodecConfig codecs[HAP_CAMERA_MAX_VIDEO_CODECS];
} HapCameraVideoConfig;

/* One supported audio codec: {1 codec, 2 parameters {1 channels, 2 bitrate modes, 3 rates}}. */
typedef struct {
  HapCameraAudioCodec codec;
  guint8 channels;       /* > 0 */
  guint n_bitrate_modes; /* 1 .. HAP_CAMERA_MAX_BITRATE_MODES */
  HapCameraAudioBitrateMode bitrate_modes[HAP_CAMERA_MAX_BITRATE_MODES];
  guint n_sample_rates; /* 1 .. HAP_CAMERA_MAX_SAMPLE_RATES */
  HapCameraAudioSampleRate sample_rates[HAP_CAMERA_MAX_SAMPLE_RATES];
} HapCameraAudioCodecConfig;

/* SupportedAudioRecordingConfiguration: {1 codec configuration} repeated. */
typedef struct {
  guint n_codecs; /* 1 .. HAP_CAMERA_MAX_AUDIO_CODECS */
  HapCameraAudioCodecConfig codecs[HAP_CAMERA_MAX_AUDIO_CODECS];
} HapCameraAudioConfig;

/* SelectedCameraRecordingConfiguration: {1 general, 2 video, 3 audio}, each with exactly one
 * value where the Supported shape has a list. */
typedef struct {
  struct {
    guint32 prebuffer_ms;
    guint64 event_triggers;
    HapCameraContainer container;
  } general;
  struct {
    HapCameraVideoCodec codec;
    HapCameraVideoProfile profile;
    HapCameraVideoLevel level;
    guint32 bitrate_kbps;       /* parameters type 3, > 0 */
    guint32 iframe_interval_ms; /* parameters type 4, > 0 */
    HapCameraVideoAttributes attributes;
  } video;
  struct {
    HapCameraAudioCodec codec;
    guint8 channels;
    HapCameraAudioBitrateMode bitrate_mode;
    HapCameraAudioSampleRate sample_rate;
    guint32 max_bitrate_kbps; /* parameters type 4, > 0 */
  } audio;
  struct {
    guint8 prebuffer_ms, event_triggers, video_bitrate_kbps, iframe_interval_ms,
        audio_max_bitrate_kbps;
  } wire;
} HapCameraSelectedConfig;

/* Parsers: decode `len` bytes (a characteristic value, already base64-decoded) into `out`
 * (fully overwritten; zeroed on failure). HAP_PARSE_OK, or HAP_PARSE_INVALID with `error` set
 * in HAP_CODEC_ERROR: TRUNCATED, TOO_LARGE, MALFORMED (bad width, misplaced separator,
 * duplicate field), MISSING (required field absent) or OUT_OF_RANGE (enum out of range, zero
 * size, value too large for its field). Never NEED_MORE: a value is always complete. */
HapParseResult hap_camera_recording_config_parse (
    const guint8 *data, gsize len, HapCameraRecordingConfig *out, GError **error);
HapParseResult hap_camera_video_config_parse (
    const guint8 *data, gsize len, HapCameraVideoConfig *out, GError **error);
HapParseResult hap_camera_audio_config_parse (
    const guint8 *data, gsize len, HapCameraAudioConfig *out, GError **error);
HapParseResult hap_camera_selected_config_parse (
    const guint8 *data, gsize len, HapCameraSelectedConfig *out, GError **error);

/* Validators: TRUE, or FALSE with `error` set (MISSING for an empty list, OUT_OF_RANGE for an
 * enum out of range or a zero size, TOO_LARGE for a count over its HAP_CAMERA_MAX_*). */
gboolean hap_camera_recording_config_validate (const HapCameraRecordingConfig *cfg, GError **error);
gboolean hap_camera_video_config_validate (const HapCameraVideoConfig *cfg, GError **error);
gboolean hap_camera_audio_config_validate (const HapCameraAudioConfig *cfg, GError **error);
gboolean hap_camera_selected_config_validate (const HapCameraSelectedConfig *cfg, GError **error);

/* Builders: the TLV8 bytes of a valid struct, or NULL with the validation error. */
GBytes *hap_camera_recording_config_build (const HapCameraRecordingConfig *cfg, GError **error);
GBytes *hap_camera_video_config_build (const HapCameraVideoConfig *cfg, GError **error);
GBytes *hap_camera_audio_config_build (const HapCameraAudioConfig *cfg, GError **error);
GBytes *hap_camera_selected_config_build (const HapCameraSelectedConfig *cfg, GError **error);

/* Value equality (the `wire` widths are not compared). */
gboolean hap_camera_recording_config_equal (
    const HapCameraRecordingConfig *a, const HapCameraRecordingConfig *b);
gboolean hap_camera_video_config_equal (
    const HapCameraVideoConfig *a, const HapCameraVideoConfig *b);
gboolean hap_camera_audio_config_equal (
    const HapCameraAudioConfig *a, const HapCameraAudioConfig *b);
gboolean hap_camera_selected_config_equal (
    const HapCameraSelectedConfig *a, const HapCameraSelectedConfig *b);

/* Advisory check: prebuffer >= HAP_CAMERA_PREBUFFER_MIN_MS. */
gboolean hap_camera_recording_config_prebuffer_ok (const HapCameraRecordingConfig *cfg);

/* Whether a (valid) selection picks only what the accessory offers. FALSE with `error`
 * (HAP_CODEC_ERROR_OUT_OF_RANGE, naming the first mismatch) unless:
 * - general: prebuffer <= the supported prebuffer, event triggers a subset of the supported
 *   ones, container (type and fragment length) equal to one supported container;
 * - video: a supported codec configuration with the same codec lists the profile and the
 *   level and has an attribute entry with exactly this width, height and frame rate;
 * - audio: a supported codec configuration with the same codec and channel count lists the
 *   bitrate mode and the sample rate.
 * Bitrates and the I-frame interval are the hub's choice and only need to be non-zero. */
gboolean hap_camera_selected_is_supported (const HapCameraSelectedConfig *sel,
    const HapCameraRecordingConfig *recording, const HapCameraVideoConfig *video,
    const HapCameraAudioConfig *audio, GError **error);

G_END_DECLS

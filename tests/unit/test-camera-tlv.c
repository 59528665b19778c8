/* Unit tests for hap/camera-tlv.c (HomeKit Secure Video recording configuration TLVs).
 *
 * Known-good values come from outside the code under test:
 * - the real-hub values quoted in design/PROTOCOL.md section 6
 * (SelectedCameraRecordingConfiguration and SupportedAudioRecordingConfiguration as base64),
 * decoded by hand against the HKSV spec R3 tables of sections 3.8-3.11;
 * - values produced by HAP-NodeJS 1.2.0 (tests/interop/node_modules/hap-nodejs,
 *   dist/lib/camera/RecordingManagement.js: _supportedCameraRecordingConfiguration,
 *   _supportedVideoRecordingConfiguration, _supportedAudioStreamConfiguration) for the options
 *   written next to each vector, and its parseSelectedConfiguration() decoding of the real-hub
 *   selection ({prebufferLength: 4000, eventTriggerTypes: [1], fragmentLength: 4000, video type
 *   0, profile 1, level 2, bitRate 2000, iFrameInterval 4000, resolution [1200, 1600, 24], audio
 *   type 0, 1 channel, samplerate 3, bitrateMode 0, bitrate 64});
 * - hand-assembled TLV8 for the width, unknown-type and invalid-input tables (each item written
 *   as type, length, little-endian value, lists separated by 00 00).
 */
#include <string.h>

#include "hap/camera-tlv.h"
#include "tests/common/test-util.h"

typedef enum {
  KIND_GENERAL,
  KIND_VIDEO,
  KIND_AUDIO,
  KIND_SELECTED,
} Kind;

static const char *const kind_names[] = { "general", "video", "audio", "selected" };

typedef union {
  HapCameraRecordingConfig general;
  HapCameraVideoConfig video;
  HapCameraAudioConfig audio;
  HapCameraSelectedConfig selected;
} AnyConfig;

static const gsize kind_size[] = { sizeof (HapCameraRecordingConfig), sizeof (HapCameraVideoConfig),
  sizeof (HapCameraAudioConfig), sizeof (HapCameraSelectedConfig) };

static HapParseResult
parse_kind (Kind kind, GBytes *bytes, AnyConfig *out, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  switch (kind) {
    case KIND_GENERAL:
      return hap_camera_recording_config_parse (data, len, &out->general, error);
    case KIND_VIDEO:
      return hap_camera_video_config_parse (data, len, &out->video, error);
    case KIND_AUDIO:
      return hap_camera_audio_config_parse (data, len, &out->audio, error);
    case KIND_SELECTED:
      return hap_camera_selected_config_parse (data, len, &out->selected, error);
  }
  g_assert_not_reached ();
}

static GBytes *
build_kind (Kind kind, const AnyConfig *cfg, GError **error)
{
  switch (kind) {
    case KIND_GENERAL:
      return hap_camera_recording_config_build (&cfg->general, error);
    case KIND_VIDEO:
      return hap_camera_video_config_build (&cfg->video, error);
    case KIND_AUDIO:
      return hap_camera_audio_config_build (&cfg->audio, error);
    case KIND_SELECTED:
      return hap_camera_selected_config_build (&cfg->selected, error);
  }
  g_assert_not_reached ();
}

static gboolean
equal_kind (Kind kind, const AnyConfig *a, const AnyConfig *b)
{
  switch (kind) {
    case KIND_GENERAL:
      return hap_camera_recording_config_equal (&a->general, &b->general);
    case KIND_VIDEO:
      return hap_camera_video_config_equal (&a->video, &b->video);
    case KIND_AUDIO:
      return hap_camera_audio_config_equal (&a->audio, &b->audio);
    case KIND_SELECTED:
      return hap_camera_selected_config_equal (&a->selected, &b->selected);
  }
  g_assert_not_reached ();
}

/* Parses `bytes` as `kind` (must succeed) and checks that building the result gives the same
 * bytes again. */
static void
assert_reencodes (Kind kind, GBytes *bytes, AnyConfig *out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) built = NULL;

  g_assert_cmpint (parse_kind (kind, bytes, out, &error), ==, HAP_PARSE_OK);
  g_assert_no_error (error);
  built = build_kind (kind, out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (built);
  hap_test_assert_bytes_equal (built, bytes);
}

/* ---- real-hub values (PROTOCOL.md section 6) -------------------------------------------- */

#define REAL_HUB_SELECTED                                                                        \
  "AR0BBKAPAAACCAEAAAAAAAAAAwsBAQACBgEEoA8AAAIkAQEAAhIBAQECAQIDBNAHAAAEBKAPAAADCwECsAQCAkAGAwEY" \
  "AxQBAQACDwEBAQIBAAMBAwQEQAAAAA=="
#define REAL_HUB_SUPPORTED_AUDIO "AQ4BAQACCQEBAQIBAAMBAw=="

/* The real-hub selection as a struct written from the decoding by hand (canonical widths). */
static void
real_hub_selected_struct (HapCameraSelectedConfig *s)
{
  memset (s, 0, sizeof (*s));
  s->general.prebuffer_ms = 4000;
  s->general.event_triggers = HAP_CAMERA_EVENT_TRIGGER_MOTION;
  s->general.container.type = HAP_CAMERA_CONTAINER_FRAGMENTED_MP4;
  s->general.container.fragment_length_ms = 4000;
  s->video.codec = HAP_CAMERA_VIDEO_CODEC_H264;
  s->video.profile = HAP_CAMERA_VIDEO_PROFILE_MAIN;
  s->video.level = HAP_CAMERA_VIDEO_LEVEL_4;
  s->video.bitrate_kbps = 2000;
  s->video.iframe_interval_ms = 4000;
  s->video.attributes.width = 1200;
  s->video.attributes.height = 1600;
  s->video.attributes.fps = 24;
  s->audio.codec = HAP_CAMERA_AUDIO_CODEC_AAC_LC;
  s->audio.channels = 1;
  s->audio.bitrate_mode = HAP_CAMERA_AUDIO_BITRATE_VARIABLE;
  s->audio.sample_rate = HAP_CAMERA_AUDIO_SAMPLE_RATE_32K;
  s->audio.max_bitrate_kbps = 64;
}

/* By hand: 01 1d {01 04 a00f0000 | 02 08 0100000000000000 | 03 0b {01 01 00 | 02 06 {01 04
 * a00f0000}}} 02 24 {01 01 00 | 02 12 {01 01 01 | 02 01 02 | 03 04 d0070000 | 04 04 a00f0000} |
 * 03 0b {01 02 b004 | 02 02 4006 | 03 01 18}} 03 14 {01 01 00 | 02 0f {01 01 01 | 02 01 00 |
 * 03 01 03 | 04 04 40000000}}.
 * Attribute type 1 (width, spec table 3.9 "Video Codec Attributes") holds 0x04b0 = 1200 and
 * type 2 (height) 0x0640 = 1600, so the hub selected 1200x1600 as sent; HAP-NodeJS decodes
 * the same value to resolution [1200, 1600, 24]. (PROTOCOL.md's prose says "1600x1200"; the
 * bytes say otherwise.) */
static void
test_real_hub_selected (void)
{
  g_autoptr (GBytes) bytes = hap_test_b64 (REAL_HUB_SELECTED);
  AnyConfig cfg;
  HapCameraSelectedConfig *s = &cfg.selected;
  HapCameraSelectedConfig want;
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 91);
  assert_reencodes (KIND_SELECTED, bytes, &cfg);

  g_assert_cmpuint (s->general.prebuffer_ms, ==, 4000);
  g_assert_cmpuint (s->general.event_triggers, ==, 1);
  g_assert_cmpint (s->general.container.type, ==, HAP_CAMERA_CONTAINER_FRAGMENTED_MP4);
  g_assert_cmpuint (s->general.container.fragment_length_ms, ==, 4000);
  g_assert_cmpint (s->video.codec, ==, HAP_CAMERA_VIDEO_CODEC_H264);
  g_assert_cmpint (s->video.profile, ==, HAP_CAMERA_VIDEO_PROFILE_MAIN);
  g_assert_cmpint (s->video.level, ==, HAP_CAMERA_VIDEO_LEVEL_4);
  g_assert_cmpuint (s->video.bitrate_kbps, ==, 2000);
  g_assert_cmpuint (s->video.iframe_interval_ms, ==, 4000);
  g_assert_cmpuint (s->video.attributes.width, ==, 1200);
  g_assert_cmpuint (s->video.attributes.height, ==, 1600);
  g_assert_cmpuint (s->video.attributes.fps, ==, 24);
  g_assert_cmpint (s->audio.codec, ==, HAP_CAMERA_AUDIO_CODEC_AAC_LC);
  g_assert_cmpuint (s->audio.channels, ==, 1);
  g_assert_cmpint (s->audio.bitrate_mode, ==, HAP_CAMERA_AUDIO_BITRATE_VARIABLE);
  g_assert_cmpint (s->audio.sample_rate, ==, HAP_CAMERA_AUDIO_SAMPLE_RATE_32K);
  g_assert_cmpuint (hap_camera_audio_sample_rate_to_hz (s->audio.sample_rate), ==, 32000);
  g_assert_cmpuint (s->audio.max_bitrate_kbps, ==, 64);
  /* Widths as sent: u32, u64 (event triggers), u32, u16, u16, u32, u32, u32. */
  g_assert_cmpuint (s->wire.prebuffer_ms, ==, 4);
  g_assert_cmpuint (s->wire.event_triggers, ==, 8);
  g_assert_cmpuint (s->general.container.wire.fragment_length_ms, ==, 4);
  g_assert_cmpuint (s->video.attributes.wire.width, ==, 2);
  g_assert_cmpuint (s->video.attributes.wire.height, ==, 2);
  g_assert_cmpuint (s->wire.video_bitrate_kbps, ==, 4);
  g_assert_cmpuint (s->wire.iframe_interval_ms, ==, 4);
  g_assert_cmpuint (s->wire.audio_max_bitrate_kbps, ==, 4);

  /* The same selection written by hand as a struct builds to the hub's bytes. */
  real_hub_selected_struct (&want);
  g_assert_true (hap_camera_selected_config_equal (s, &want));
  built = hap_camera_selected_config_build (&want, &error);
  g_assert_no_error (error);
  hap_test_assert_bytes_equal (built, bytes);
}

/* 01 0e {01 01 00 | 02 09 {01 01 01 | 02 01 00 | 03 01 03}}: AAC-LC, mono, variable bitrate,
 * 32 kHz. HAP-NodeJS writes exactly these bytes for {codecs: {type: 0, audioChannels: 1,
 * samplerate: 3}}. */
static void
test_real_hub_supported_audio (void)
{
  g_autoptr (GBytes) bytes = hap_test_b64 (REAL_HUB_SUPPORTED_AUDIO);
  AnyConfig cfg;
  const HapCameraAudioCodecConfig *c = &cfg.audio.codecs[0];

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 16);
  assert_reencodes (KIND_AUDIO, bytes, &cfg);
  g_assert_cmpuint (cfg.audio.n_codecs, ==, 1);
  g_assert_cmpint (c->codec, ==, HAP_CAMERA_AUDIO_CODEC_AAC_LC);
  g_assert_cmpuint (c->channels, ==, 1);
  g_assert_cmpuint (c->n_bitrate_modes, ==, 1);
  g_assert_cmpint (c->bitrate_modes[0], ==, HAP_CAMERA_AUDIO_BITRATE_VARIABLE);
  g_assert_cmpuint (c->n_sample_rates, ==, 1);
  g_assert_cmpint (c->sample_rates[0], ==, HAP_CAMERA_AUDIO_SAMPLE_RATE_32K);
}

/* ---- HAP-NodeJS 1.2.0 Supported values ---------------------------------------------------- */

/* _supportedCameraRecordingConfiguration ({prebufferLength: 8000, mediaContainerConfiguration:
 * [{type: 0, fragmentLength: 4000}, {type: 0, fragmentLength: 2000}]}) with motion + doorbell
 * triggers (eventTriggerOptions 3). */
#define NODE_GENERAL "AQRAHwAAAggDAAAAAAAAAAMLAQEAAgYBBKAPAAAAAAMLAQEAAgYBBNAHAAA="

static void
test_node_general (void)
{
  g_autoptr (GBytes) bytes = hap_test_b64 (NODE_GENERAL);
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;
  AnyConfig cfg;
  HapCameraRecordingConfig want = {
    .prebuffer_ms = 8000,
    .event_triggers = HAP_CAMERA_EVENT_TRIGGER_MOTION | HAP_CAMERA_EVENT_TRIGGER_DOORBELL,
    .n_containers = 2,
    .containers = { { HAP_CAMERA_CONTAINER_FRAGMENTED_MP4, 4000 },
        { HAP_CAMERA_CONTAINER_FRAGMENTED_MP4, 2000 } },
  };

  assert_reencodes (KIND_GENERAL, bytes, &cfg);
  g_assert_cmpuint (cfg.general.prebuffer_ms, ==, 8000);
  g_assert_cmpuint (cfg.general.event_triggers, ==, 3);
  g_assert_cmpuint (cfg.general.n_containers, ==, 2);
  g_assert_cmpuint (cfg.general.containers[0].fragment_length_ms, ==, 4000);
  g_assert_cmpuint (cfg.general.containers[1].fragment_length_ms, ==, 2000);
  g_assert_true (hap_camera_recording_config_prebuffer_ok (&cfg.general));
  g_assert_true (hap_camera_recording_config_equal (&cfg.general, &want));
  built = hap_camera_recording_config_build (&want, &error);
  g_assert_no_error (error);
  hap_test_assert_bytes_equal (built, bytes);
}

/* _supportedVideoRecordingConfiguration ({type: 0, parameters: {profiles: [0, 1, 2], levels:
 * [0, 1, 2]}, resolutions: [[1920, 1080, 30], [1280, 720, 24], [640, 360, 15]]}). */
#define NODE_VIDEO                                                                               \
  "AUoBAQACGgEBAAAAAQEBAAABAQICAQAAAAIBAQAAAgECAwsBAoAHAgI4BAMBHgAAAwsBAgAFAgLQAgMBGAAAAwsBAoAC" \
  "AgJoAQMBDw=="

static void
test_node_video (void)
{
  g_autoptr (GBytes) bytes = hap_test_b64 (NODE_VIDEO);
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;
  AnyConfig cfg;
  const HapCameraVideoCodecConfig *c = &cfg.video.codecs[0];
  HapCameraVideoConfig want = {
    .n_codecs = 1,
    .codecs = { {
        .codec = HAP_CAMERA_VIDEO_CODEC_H264,
        .n_profiles = 3,
        .profiles = { HAP_CAMERA_VIDEO_PROFILE_BASELINE, HAP_CAMERA_VIDEO_PROFILE_MAIN,
            HAP_CAMERA_VIDEO_PROFILE_HIGH },
        .n_levels = 3,
        .levels
        = { HAP_CAMERA_VIDEO_LEVEL_3_1, HAP_CAMERA_VIDEO_LEVEL_3_2, HAP_CAMERA_VIDEO_LEVEL_4 },
        .n_attributes = 3,
        .attributes = { { 1920, 1080, 30 }, { 1280, 720, 24 }, { 640, 360, 15 } },
    } },
  };

  assert_reencodes (KIND_VIDEO, bytes, &cfg);
  g_assert_cmpuint (cfg.video.n_codecs, ==, 1);
  g_assert_cmpint (c->codec, ==, HAP_CAMERA_VIDEO_CODEC_H264);
  g_assert_cmpuint (c->n_profiles, ==, 3);
  g_assert_cmpint (c->profiles[2], ==, HAP_CAMERA_VIDEO_PROFILE_HIGH);
  g_assert_cmpuint (c->n_levels, ==, 3);
  g_assert_cmpint (c->levels[2], ==, HAP_CAMERA_VIDEO_LEVEL_4);
  g_assert_cmpuint (c->n_attributes, ==, 3);
  g_assert_cmpuint (c->attributes[0].width, ==, 1920);
  g_assert_cmpuint (c->attributes[0].height, ==, 1080);
  g_assert_cmpuint (c->attributes[0].fps, ==, 30);
  g_assert_cmpuint (c->attributes[2].width, ==, 640);
  g_assert_cmpuint (c->attributes[2].height, ==, 360);
  g_assert_cmpuint (c->attributes[2].fps, ==, 15);
  g_assert_true (hap_camera_video_config_equal (&cfg.video, &want));
  built = hap_camera_video_config_build (&want, &error);
  g_assert_no_error (error);
  hap_test_assert_bytes_equal (built, bytes);
}

/* _supportedVideoRecordingConfiguration ({type: 1, parameters: {profiles: [1, 2], levels: [2]},
 * resolutions: for (w, h) of [[1920, 1080], [1280, 720], [640, 360], [1600, 1200], [1024, 768],
 * [640, 480]], for fps of [30, 24, 15]}): 288 bytes, so the codec configuration item is sent
 * as two TLV8 fragments (01 ff ... 01 1d ...). */
#define NODE_VIDEO_FRAGMENTED                                                                    \
  "Af8BAQECCwEBAQAAAQECAgECAwsBAoAHAgI4BAMBHgAAAwsBAoAHAgI4BAMBGAAAAwsBAoAHAgI4BAMBDwAAAwsBAgAF" \
  "AgLQAgMBHgAAAwsBAgAFAgLQAgMBGAAAAwsBAgAFAgLQAgMBDwAAAwsBAoACAgJoAQMBHgAAAwsBAoACAgJoAQMBGAAA" \
  "AwsBAoACAgJoAQMBDwAAAwsBAkAGAgKwBAMBHgAAAwsBAkAGAgKwBAMBGAAAAwsBAkAGAgKwBAMBDwAAAwsBAgAEAgIA" \
  "AwMBHgAAAwsBAgAEAgIAAwMBGAAAAwsBAgAEAgIAAwMBDwAAAwsBAoACAgLgAQMBHgABHQADCwECgAICAuABAwEYAAAD" \
  "CwECgAICAuABAwEP"

static void
test_node_video_fragmented (void)
{
  static const guint16 sizes[][2] = { { 1920, 1080 }, { 1280, 720 }, { 640, 360 }, { 1600, 1200 },
    { 1024, 768 }, { 640, 480 } };
  static const guint8 rates[] = { 30, 24, 15 };
  g_autoptr (GBytes) bytes = hap_test_b64 (NODE_VIDEO_FRAGMENTED);
  AnyConfig cfg;
  const HapCameraVideoCodecConfig *c = &cfg.video.codecs[0];

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 288);
  assert_reencodes (KIND_VIDEO, bytes, &cfg);
  g_assert_cmpuint (cfg.video.n_codecs, ==, 1);
  g_assert_cmpint (c->codec, ==, HAP_CAMERA_VIDEO_CODEC_H265);
  g_assert_cmpuint (c->n_profiles, ==, 2);
  g_assert_cmpint (c->profiles[0], ==, HAP_CAMERA_VIDEO_PROFILE_MAIN);
  g_assert_cmpint (c->profiles[1], ==, HAP_CAMERA_VIDEO_PROFILE_HIGH);
  g_assert_cmpuint (c->n_levels, ==, 1);
  g_assert_cmpint (c->levels[0], ==, HAP_CAMERA_VIDEO_LEVEL_4);
  g_assert_cmpuint (c->n_attributes, ==, 18);
  for (guint i = 0; i < 18; i++) {
    g_assert_cmpuint (c->attributes[i].width, ==, sizes[i / 3][0]);
    g_assert_cmpuint (c->attributes[i].height, ==, sizes[i / 3][1]);
    g_assert_cmpuint (c->attributes[i].fps, ==, rates[i % 3]);
  }
}

/* _supportedAudioStreamConfiguration ({codecs: [{type: 0, audioChannels: 1, bitrateMode: 0,
 * samplerate: [3, 5]}, {type: 1, audioChannels: 2, bitrateMode: 1, samplerate: 4}]}). */
#define NODE_AUDIO "ARMBAQACDgEBAQIBAAMBAwAAAwEFAAABDgEBAQIJAQECAgEBAwEE"

static void
test_node_audio (void)
{
  g_autoptr (GBytes) bytes = hap_test_b64 (NODE_AUDIO);
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;
  AnyConfig cfg;
  HapCameraAudioConfig want = {
    .n_codecs = 2,
    .codecs = {
        { HAP_CAMERA_AUDIO_CODEC_AAC_LC, 1, 1, { HAP_CAMERA_AUDIO_BITRATE_VARIABLE }, 2,
            { HAP_CAMERA_AUDIO_SAMPLE_RATE_32K, HAP_CAMERA_AUDIO_SAMPLE_RATE_48K } },
        { HAP_CAMERA_AUDIO_CODEC_AAC_ELD, 2, 1, { HAP_CAMERA_AUDIO_BITRATE_CONSTANT }, 1,
            { HAP_CAMERA_AUDIO_SAMPLE_RATE_44_1K } },
    },
  };

  assert_reencodes (KIND_AUDIO, bytes, &cfg);
  g_assert_cmpuint (cfg.audio.n_codecs, ==, 2);
  g_assert_cmpint (cfg.audio.codecs[0].codec, ==, HAP_CAMERA_AUDIO_CODEC_AAC_LC);
  g_assert_cmpuint (cfg.audio.codecs[0].n_sample_rates, ==, 2);
  g_assert_cmpint (cfg.audio.codecs[0].sample_rates[1], ==, HAP_CAMERA_AUDIO_SAMPLE_RATE_48K);
  g_assert_cmpint (cfg.audio.codecs[1].codec, ==, HAP_CAMERA_AUDIO_CODEC_AAC_ELD);
  g_assert_cmpuint (cfg.audio.codecs[1].channels, ==, 2);
  g_assert_cmpint (cfg.audio.codecs[1].bitrate_modes[0], ==, HAP_CAMERA_AUDIO_BITRATE_CONSTANT);
  g_assert_true (hap_camera_audio_config_equal (&cfg.audio, &want));
  built = hap_camera_audio_config_build (&want, &error);
  g_assert_no_error (error);
  hap_test_assert_bytes_equal (built, bytes);
}

/* ---- integer widths --------------------------------------------------------------------- */

/* Hand-assembled selection with every quantity at a non-canonical width: prebuffer 8000 as
 * 8 bytes, event triggers 3 as 1 byte, fragment length 2000 as 2 bytes, bitrate 800 as
 * 2 bytes, I-frame interval 2000 as 8 bytes, width 1920 as 3 bytes, height 1080 as 4 bytes,
 * audio max bitrate 24 as 1 byte; H.265 High 3.1 @30, AAC-ELD stereo CBR 48 kHz. */
#define WIDTHS_SELECTED                                                                        \
  "01180108401f000000000000020103030901010002040102d00702290101010214010102020100030220030408" \
  "d007000000000000030e010380070002043804000003011e0311010101020c010102020101030105040118"
/* Supported general: prebuffer 4000 as 2 bytes, triggers 2 as 1 byte, two containers with
 * fragment lengths 4000 (2 bytes) and 8000 (3 bytes). */
#define WIDTHS_GENERAL "0102a00f020102030901010002040102a00f0000030a01010002050103401f00"

static void
test_wire_widths (void)
{
  g_autoptr (GBytes) bytes = hap_test_hex (WIDTHS_SELECTED);
  g_autoptr (GBytes) gbytes = hap_test_hex (WIDTHS_GENERAL);
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;
  AnyConfig cfg, again;
  HapCameraSelectedConfig *s = &cfg.selected;

  assert_reencodes (KIND_SELECTED, bytes, &cfg);
  g_assert_cmpuint (s->general.prebuffer_ms, ==, 8000);
  g_assert_cmpuint (s->wire.prebuffer_ms, ==, 8);
  g_assert_cmpuint (s->general.event_triggers, ==, 3);
  g_assert_cmpuint (s->wire.event_triggers, ==, 1);
  g_assert_cmpuint (s->general.container.fragment_length_ms, ==, 2000);
  g_assert_cmpuint (s->general.container.wire.fragment_length_ms, ==, 2);
  g_assert_cmpint (s->video.codec, ==, HAP_CAMERA_VIDEO_CODEC_H265);
  g_assert_cmpint (s->video.profile, ==, HAP_CAMERA_VIDEO_PROFILE_HIGH);
  g_assert_cmpint (s->video.level, ==, HAP_CAMERA_VIDEO_LEVEL_3_1);
  g_assert_cmpuint (s->video.bitrate_kbps, ==, 800);
  g_assert_cmpuint (s->wire.video_bitrate_kbps, ==, 2);
  g_assert_cmpuint (s->video.iframe_interval_ms, ==, 2000);
  g_assert_cmpuint (s->wire.iframe_interval_ms, ==, 8);
  g_assert_cmpuint (s->video.attributes.width, ==, 1920);
  g_assert_cmpuint (s->video.attributes.wire.width, ==, 3);
  g_assert_cmpuint (s->video.attributes.height, ==, 1080);
  g_assert_cmpuint (s->video.attributes.wire.height, ==, 4);
  g_assert_cmpuint (s->video.attributes.fps, ==, 30);
  g_assert_cmpint (s->audio.codec, ==, HAP_CAMERA_AUDIO_CODEC_AAC_ELD);
  g_assert_cmpuint (s->audio.channels, ==, 2);
  g_assert_cmpint (s->audio.bitrate_mode, ==, HAP_CAMERA_AUDIO_BITRATE_CONSTANT);
  g_assert_cmpint (s->audio.sample_rate, ==, HAP_CAMERA_AUDIO_SAMPLE_RATE_48K);
  g_assert_cmpuint (s->audio.max_bitrate_kbps, ==, 24);
  g_assert_cmpuint (s->wire.audio_max_bitrate_kbps, ==, 1);

  /* A new value that no longer fits the recorded width falls back to the canonical width. */
  s->video.bitrate_kbps = 70000;
  s->audio.max_bitrate_kbps = 256;
  built = hap_camera_selected_config_build (s, &error);
  g_assert_no_error (error);
  g_assert_cmpint (parse_kind (KIND_SELECTED, built, &again, &error), ==, HAP_PARSE_OK);
  g_assert_no_error (error);
  g_assert_cmpuint (again.selected.video.bitrate_kbps, ==, 70000);
  g_assert_cmpuint (again.selected.wire.video_bitrate_kbps, ==, 4);
  g_assert_cmpuint (again.selected.audio.max_bitrate_kbps, ==, 256);
  g_assert_cmpuint (again.selected.wire.audio_max_bitrate_kbps, ==, 4);
  g_assert_cmpuint (again.selected.wire.iframe_interval_ms, ==, 8);

  assert_reencodes (KIND_GENERAL, gbytes, &cfg);
  g_assert_cmpuint (cfg.general.prebuffer_ms, ==, 4000);
  g_assert_cmpuint (cfg.general.wire.prebuffer_ms, ==, 2);
  g_assert_cmpuint (cfg.general.event_triggers, ==, HAP_CAMERA_EVENT_TRIGGER_DOORBELL);
  g_assert_cmpuint (cfg.general.n_containers, ==, 2);
  g_assert_cmpuint (cfg.general.containers[0].fragment_length_ms, ==, 4000);
  g_assert_cmpuint (cfg.general.containers[1].fragment_length_ms, ==, 8000);
  g_assert_cmpuint (cfg.general.containers[1].wire.fragment_length_ms, ==, 3);
}

/* ---- unknown types ---------------------------------------------------------------------- */

/* Inputs with items of unknown types (here type 9, or 5 in audio parameters, 2 in container
 * parameters) that must parse to the same values as `known` and build to exactly `known`. */
static const struct {
  Kind kind;
  const char *what;
  const char *input;
  const char *known;
} unknown_cases[] = {
  { KIND_SELECTED, "unknown type after audio",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b0102b004020240060301180314010100020f01010102010003010304044000000009"
      "01aa",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b0102b004020240060301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, "unknown type first",
      "0901aa011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201"
      "020304d00700000404a00f0000030b0102b004020240060301180314010100020f01010102010003010304044000"
      "0000",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b0102b004020240060301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, "unknown list inside general",
      "01250104a00f000002080100000000000000030b01010002060104a00f00000901aa00000901bb02240101000212"
      "0101010201020304d00700000404a00f0000030b0102b004020240060301180314010100020f0101010201000301"
      "03040440000000",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b0102b004020240060301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, "unknown type between width and height",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022701010002120101010201020304"
      "d00700000404a00f0000030e0102b0040901aa020240060301180314010100020f01010102010003010304044000"
      "0000",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b0102b004020240060301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, "unknown audio parameter",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b0102b004020240060301180318010100021301010102010003010304044000000005"
      "020102",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b0102b004020240060301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, "unknown container parameter",
      "01200104a00f000002080100000000000000030e01010002090104a00f0000020107022401010002120101010201"
      "020304d00700000404a00f0000030b0102b004020240060301180314010100020f01010102010003010304044000"
      "0000",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b0102b004020240060301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_VIDEO, "selection-only bitrate and I-frame interval in Supported",
      "0138010100022601010000000101010000010102020100000002010100000201020304d00700000404a00f000003"
      "0b010240060202b004030118",
      "012c010100021a0101000000010101000001010202010000000201010000020102030b010240060202b00403011"
      "8" },
  { KIND_AUDIO, "selection-only max bitrate in Supported",
      "0114010100020f010101020100030103040440000000", "010e0101000209010101020100030103" },
  { KIND_GENERAL, "non-empty item of type 0",
      "0104a00f000002080100000000000000030b01010002060104a00f00000001ff",
      "0104a00f000002080100000000000000030b01010002060104a00f0000" },
};

static void
test_unknown_types (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (unknown_cases); i++) {
    g_autoptr (GBytes) input = hap_test_hex (unknown_cases[i].input);
    g_autoptr (GBytes) known = hap_test_hex (unknown_cases[i].known);
    g_autoptr (GBytes) built = NULL;
    g_autoptr (GError) error = NULL;
    Kind kind = unknown_cases[i].kind;
    AnyConfig a, b;

    g_test_message ("%s: %s", kind_names[kind], unknown_cases[i].what);
    g_assert_cmpint (parse_kind (kind, input, &a, &error), ==, HAP_PARSE_OK);
    g_assert_no_error (error);
    assert_reencodes (kind, known, &b);
    g_assert_true (equal_kind (kind, &a, &b));
    built = build_kind (kind, &a, &error);
    g_assert_no_error (error);
    hap_test_assert_bytes_equal (built, known);
  }
}

/* ---- round trips of built values -------------------------------------------------------- */

static void
test_build_roundtrip (void)
{
  AnyConfig cfg[4], back;

  memset (cfg, 0, sizeof (cfg));
  /* General: 4 containers (the maximum), doorbell only, a trigger bit nobody defines yet. */
  cfg[KIND_GENERAL].general.prebuffer_ms = 12000;
  cfg[KIND_GENERAL].general.event_triggers
      = HAP_CAMERA_EVENT_TRIGGER_DOORBELL | G_GUINT64_CONSTANT (1) << 63;
  cfg[KIND_GENERAL].general.n_containers = HAP_CAMERA_MAX_CONTAINERS;
  for (guint i = 0; i < HAP_CAMERA_MAX_CONTAINERS; i++)
    cfg[KIND_GENERAL].general.containers[i].fragment_length_ms = 1000 * (i + 1);

  /* Video: 2 codecs, the second with the maximum number of attributes (over 255 bytes, so
   * TLV8 fragments it). */
  cfg[KIND_VIDEO].video.n_codecs = 2;
  for (guint c = 0; c < 2; c++) {
    HapCameraVideoCodecConfig *vc = &cfg[KIND_VIDEO].video.codecs[c];

    vc->codec = c ? HAP_CAMERA_VIDEO_CODEC_H265 : HAP_CAMERA_VIDEO_CODEC_H264;
    vc->n_profiles = c ? 1 : 3;
    for (guint i = 0; i < vc->n_profiles; i++)
      vc->profiles[i] = (HapCameraVideoProfile) (2 - i);
    vc->n_levels = 2;
    vc->levels[0] = HAP_CAMERA_VIDEO_LEVEL_3_2;
    vc->levels[1] = HAP_CAMERA_VIDEO_LEVEL_4;
    vc->n_attributes = c ? HAP_CAMERA_MAX_ATTRIBUTES : 1;
    for (guint i = 0; i < vc->n_attributes; i++) {
      vc->attributes[i].width = (guint16) (3840 - 16 * i);
      vc->attributes[i].height = (guint16) (2160 - 9 * i);
      vc->attributes[i].fps = (guint8) (1 + i);
    }
  }

  cfg[KIND_AUDIO].audio.n_codecs = 2;
  for (guint c = 0; c < 2; c++) {
    HapCameraAudioCodecConfig *ac = &cfg[KIND_AUDIO].audio.codecs[c];

    ac->codec = c ? HAP_CAMERA_AUDIO_CODEC_AAC_ELD : HAP_CAMERA_AUDIO_CODEC_AAC_LC;
    ac->channels = (guint8) (c + 1);
    ac->n_bitrate_modes = 2;
    ac->bitrate_modes[0] = HAP_CAMERA_AUDIO_BITRATE_CONSTANT;
    ac->bitrate_modes[1] = HAP_CAMERA_AUDIO_BITRATE_VARIABLE;
    ac->n_sample_rates = 6;
    for (guint i = 0; i < 6; i++)
      ac->sample_rates[i] = (HapCameraAudioSampleRate) (5 - i);
  }

  real_hub_selected_struct (&cfg[KIND_SELECTED].selected);
  cfg[KIND_SELECTED].selected.general.prebuffer_ms = G_MAXUINT32;
  cfg[KIND_SELECTED].selected.general.event_triggers = G_MAXUINT64;
  cfg[KIND_SELECTED].selected.video.attributes.width = G_MAXUINT16;
  cfg[KIND_SELECTED].selected.video.bitrate_kbps = G_MAXUINT32;

  for (Kind k = KIND_GENERAL; k <= KIND_SELECTED; k++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) built = build_kind (k, &cfg[k], &error);

    g_test_message ("round trip %s", kind_names[k]);
    g_assert_no_error (error);
    g_assert_nonnull (built);
    g_assert_cmpint (parse_kind (k, built, &back, &error), ==, HAP_PARSE_OK);
    g_assert_no_error (error);
    g_assert_true (equal_kind (k, &cfg[k], &back));
    assert_reencodes (k, built, &back);
  }
  g_assert_cmpuint (back.selected.video.attributes.width, ==, G_MAXUINT16);
  g_assert_cmpuint (back.selected.general.event_triggers, ==, G_MAXUINT64);
}

/* ---- invalid input ---------------------------------------------------------------------- */

static const struct {
  Kind kind;
  HapCodecError code;
  const char *what;
  const char *hex;
} invalid_cases[] = {
  { KIND_GENERAL, HAP_CODEC_ERROR_MISSING, "empty value", "" },
  { KIND_GENERAL, HAP_CODEC_ERROR_TRUNCATED, "item header cut", "01" },
  { KIND_GENERAL, HAP_CODEC_ERROR_TRUNCATED, "last byte missing",
      "0104a00f000002080100000000000000030b01010002060104a00f00" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MISSING, "no prebuffer",
      "02080100000000000000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MISSING, "no event trigger options",
      "0104a00f0000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MISSING, "no container configuration",
      "0104a00f000002080100000000000000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "prebuffer of 0 bytes",
      "010002080100000000000000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "prebuffer of 9 bytes",
      "0109a00f0000000000000002080100000000000000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_OUT_OF_RANGE, "prebuffer over u32",
      "0105000000000102080100000000000000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "event triggers of 0 bytes",
      "0104a00f00000200030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_OUT_OF_RANGE, "container type 1",
      "0104a00f000002080100000000000000030b01010102060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "container type of 2 bytes",
      "0104a00f000002080100000000000000030c0102000002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_OUT_OF_RANGE, "fragment length 0",
      "0104a00f000002080100000000000000030b0101000206010400000000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MISSING, "container without parameters",
      "0104a00f0000020801000000000000000303010100" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MISSING, "container parameters without fragment length",
      "0104a00f00000208010000000000000003050101000200" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MISSING, "empty container item",
      "0104a00f0000020801000000000000000300" },
  { KIND_GENERAL, HAP_CODEC_ERROR_TRUNCATED, "container value truncated",
      "0104a00f0000020801000000000000000303010500" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "prebuffer twice",
      "0104a00f00000104a00f000002080100000000000000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "leading separator",
      "00000104a00f000002080100000000000000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "trailing separator",
      "0104a00f000002080100000000000000030b01010002060104a00f00000000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "double separator",
      "0104a00f000002080100000000000000030b01010002060104a00f000000000000030b01010002060104a00f000"
      "0" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "separator between different types",
      "0104a00f0000000002080100000000000000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "containers not separated",
      "0104a00f000002080100000000000000030b01010002060104a00f0000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_MALFORMED, "containers not contiguous",
      "0104a00f0000030b01010002060104a00f000002080100000000000000030b01010002060104a00f0000" },
  { KIND_GENERAL, HAP_CODEC_ERROR_TOO_LARGE, "five containers",
      "0104a00f000002080100000000000000030b01010002060104a00f00000000030b01010002060104a00f00000000"
      "030b01010002060104a00f00000000030b01010002060104a00f00000000030b01010002060104a00f0000" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MISSING, "empty value", "" },
  { KIND_VIDEO, HAP_CODEC_ERROR_TRUNCATED, "cut inside attributes",
      "01180101000206010101020102030b010240060202b004" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MISSING, "empty codec configuration", "0100" },
  { KIND_VIDEO, HAP_CODEC_ERROR_OUT_OF_RANGE, "codec 2",
      "01180101020206010101020102030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MALFORMED, "codec of 2 bytes",
      "0119010200000206010101020102030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_OUT_OF_RANGE, "profile 3",
      "01180101000206010103020102030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_OUT_OF_RANGE, "second level 3",
      "011d010100020b0101010201000000020103030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MALFORMED, "empty profile item (HAP-NodeJS empty list)",
      "011701010002050100020102030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MISSING, "no profiles",
      "01150101000203020102030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MISSING, "no levels",
      "01150101000203010101030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MISSING, "no attributes", "010b0101000206010101020102" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MISSING, "no parameters", "0110010100030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_OUT_OF_RANGE, "width 0",
      "01180101000206010101020102030b010200000202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_OUT_OF_RANGE, "height 0",
      "01180101000206010101020102030b0102400602020000030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_OUT_OF_RANGE, "frame rate 0",
      "01180101000206010101020102030b010240060202b004030100" },
  { KIND_VIDEO, HAP_CODEC_ERROR_OUT_OF_RANGE, "width over u16",
      "01190101000206010101020102030c01030000010202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MALFORMED, "frame rate of 2 bytes",
      "01190101000206010101020102030c010240060202b00403021800" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MISSING, "attributes without height",
      "01140101000206010101020102030701024006030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MALFORMED, "attributes not separated",
      "01250101000206010101020102030b010240060202b004030118030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MALFORMED, "profiles not separated",
      "011b0101000209010101010102020102030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_TOO_LARGE, "nine profiles",
      "0140010100022e010100000001010100000101020000010103000001010400000101050000010106000001010700"
      "00010108020102030b010240060202b004030118" },
  { KIND_VIDEO, HAP_CODEC_ERROR_TOO_LARGE, "five codec configurations",
      "01180101000206010101020102030b010240060202b004030118000001180101000206010101020102030b010240"
      "060202b004030118000001180101000206010101020102030b010240060202b00403011800000118010100020601"
      "0101020102030b010240060202b004030118000001180101000206010101020102030b010240060202b00403011"
      "8" },
  { KIND_VIDEO, HAP_CODEC_ERROR_MALFORMED, "codec configurations not separated",
      "01180101000206010101020102030b010240060202b00403011801180101000206010101020102030b0102400602"
      "02b004030118" },
  { KIND_AUDIO, HAP_CODEC_ERROR_MISSING, "empty value", "" },
  { KIND_AUDIO, HAP_CODEC_ERROR_TRUNCATED, "last byte missing", "010e01010002090101010201000301" },
  { KIND_AUDIO, HAP_CODEC_ERROR_OUT_OF_RANGE, "AAC-ELD as 2 (wrong numbering)",
      "010e0101020209010101020100030103" },
  { KIND_AUDIO, HAP_CODEC_ERROR_OUT_OF_RANGE, "AAC-LC as 3 (wrong numbering)",
      "010e0101030209010101020100030103" },
  { KIND_AUDIO, HAP_CODEC_ERROR_OUT_OF_RANGE, "channels 0", "010e0101000209010100020100030103" },
  { KIND_AUDIO, HAP_CODEC_ERROR_MALFORMED, "channels of 2 bytes",
      "010f010100020a01020100020100030103" },
  { KIND_AUDIO, HAP_CODEC_ERROR_OUT_OF_RANGE, "bitrate mode 2",
      "010e0101000209010101020102030103" },
  { KIND_AUDIO, HAP_CODEC_ERROR_OUT_OF_RANGE, "sample rate 6",
      "0113010100020e0101010201000301030000030106" },
  { KIND_AUDIO, HAP_CODEC_ERROR_MISSING, "no sample rates", "010b0101000206010101020100" },
  { KIND_AUDIO, HAP_CODEC_ERROR_MISSING, "no bitrate modes", "010b0101000206010101030103" },
  { KIND_AUDIO, HAP_CODEC_ERROR_MISSING, "no channels", "010b0101000206020100030103" },
  { KIND_AUDIO, HAP_CODEC_ERROR_MISSING, "no parameters", "0103010100" },
  { KIND_AUDIO, HAP_CODEC_ERROR_MISSING, "no codec", "010b0209010101020100030103" },
  { KIND_AUDIO, HAP_CODEC_ERROR_MALFORMED, "empty sample rate item",
      "010d01010002080101010201000300" },
  { KIND_AUDIO, HAP_CODEC_ERROR_TOO_LARGE, "nine sample rates",
      "01360101000231010101020100030100000003010100000301020000030103000003010400000301050000030100"
      "00000301010000030102" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MISSING, "empty value", "" },
  { KIND_SELECTED, HAP_CODEC_ERROR_TRUNCATED, "last byte missing",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180314010100020f0101010201000301030404400000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_TRUNCATED, "cut in the video configuration",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MISSING, "no audio",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b004030118" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MISSING, "no video",
      "011d0104a00f000002080100000000000000030b01010002060104a00f00000314010100020f0101010201000301"
      "03040440000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MISSING, "no general",
      "022401010002120101010201020304d00700000404a00f0000030b010240060202b0040301180314010100020f01"
      "0101020100030103040440000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MALFORMED, "two containers",
      "012c0104a00f000002080100000000000000030b01010002060104a00f00000000030b01010002060104a00f0000"
      "022401010002120101010201020304d00700000404a00f0000030b010240060202b0040301180314010100020f01"
      "0101020100030103040440000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MISSING, "no container",
      "01100104a00f000002080100000000000000022401010002120101010201020304d00700000404a00f0000030b01"
      "0240060202b0040301180314010100020f010101020100030103040440000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MALFORMED, "two profiles",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022901010002170101010000010102"
      "0201020304d00700000404a00f0000030b010240060202b0040301180314010100020f0101010201000301030404"
      "40000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MALFORMED, "two attribute entries",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000023301010002120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180000030b010240060202b0040301180314010100020f01"
      "0101020100030103040440000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MISSING, "no video bitrate",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000021e010100020c0101010201020404"
      "a00f0000030b010240060202b0040301180314010100020f010101020100030103040440000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MISSING, "no I-frame interval",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000021e010100020c0101010201020304"
      "d0070000030b010240060202b0040301180314010100020f010101020100030103040440000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "video bitrate 0",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "000000000404a00f0000030b010240060202b0040301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "I-frame interval 0",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d0070000040400000000030b010240060202b0040301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "video bitrate over u32",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022801010002160101010201020308"
      "00000000010000000404a00f0000030b010240060202b0040301180314010100020f010101020100030103040440"
      "000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "video codec 2",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010202120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "level 5",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201050304"
      "d00700000404a00f0000030b010240060202b0040301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "width 0",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010200000202b0040301180314010100020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MISSING, "no audio max bitrate",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b004030118030e0101000209010101020100030103" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "audio max bitrate 0",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180314010100020f01010102010003010304040000000"
      "0" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "audio codec 2",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180314010102020f01010102010003010304044000000"
      "0" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MALFORMED, "two sample rates",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180319010100021401010102010003010300000301050404"
      "40000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MALFORMED, "two bitrate modes",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180319010100021401010102010000000201010301030404"
      "40000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "sample rate 9",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180314010100020f01010102010003010904044000000"
      "0" },
  { KIND_SELECTED, HAP_CODEC_ERROR_OUT_OF_RANGE, "channels 0",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180314010100020f01010002010003010304044000000"
      "0" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MALFORMED, "audio twice",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000022401010002120101010201020304"
      "d00700000404a00f0000030b010240060202b0040301180314010100020f01010102010003010304044000000003"
      "14010100020f010101020100030103040440000000" },
  { KIND_SELECTED, HAP_CODEC_ERROR_MALFORMED, "separator between general and video",
      "011d0104a00f000002080100000000000000030b01010002060104a00f0000000002240101000212010101020102"
      "0304d00700000404a00f0000030b010240060202b0040301180314010100020f0101010201000301030404400000"
      "00" },
};

static void
test_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++) {
    g_autoptr (GBytes) input = hap_test_hex (invalid_cases[i].hex);
    g_autoptr (GError) error = NULL;
    Kind kind = invalid_cases[i].kind;
    AnyConfig cfg, zero;

    g_test_message ("%s: %s", kind_names[kind], invalid_cases[i].what);
    memset (&cfg, 0xa5, sizeof (cfg));
    g_assert_cmpint (parse_kind (kind, input, &cfg, &error), ==, HAP_PARSE_INVALID);
    g_assert_error (error, HAP_CODEC_ERROR, (gint) invalid_cases[i].code);
    /* The output is zeroed on failure. */
    memset (&zero, 0, sizeof (zero));
    g_assert_cmpmem (&cfg, kind_size[kind], &zero, kind_size[kind]);
  }
}

/* Cut-off copies of valid values: a selection (no top-level list) is rejected at every
 * length but the full one; a Supported value cut exactly after a complete list entry is a
 * shorter valid value, which must then differ from the full one and re-encode to the cut
 * bytes. `n_valid_prefixes` counts those (by hand: the second container / codec entry). */
static void
test_truncated_everywhere (void)
{
  static const struct {
    Kind kind;
    const char *b64;
    guint n_valid_prefixes;
  } valid[] = {
    { KIND_SELECTED, REAL_HUB_SELECTED, 0 },
    { KIND_SELECTED, NULL, 0 }, /* WIDTHS_SELECTED */
    { KIND_AUDIO, REAL_HUB_SUPPORTED_AUDIO, 0 },
    { KIND_GENERAL, NODE_GENERAL, 1 },
    { KIND_VIDEO, NODE_VIDEO, 0 },
    { KIND_VIDEO, NODE_VIDEO_FRAGMENTED, 0 },
    { KIND_AUDIO, NODE_AUDIO, 1 },
  };

  for (guint v = 0; v < G_N_ELEMENTS (valid); v++) {
    g_autoptr (GBytes) full
        = valid[v].b64 ? hap_test_b64 (valid[v].b64) : hap_test_hex (WIDTHS_SELECTED);
    guint n_ok = 0;
    AnyConfig whole;

    g_assert_cmpint (parse_kind (valid[v].kind, full, &whole, NULL), ==, HAP_PARSE_OK);
    for (gsize len = 0; len < g_bytes_get_size (full); len++) {
      g_autoptr (GBytes) part = g_bytes_new_from_bytes (full, 0, len);
      g_autoptr (GError) error = NULL;
      AnyConfig cfg;

      if (parse_kind (valid[v].kind, part, &cfg, &error) == HAP_PARSE_OK) {
        n_ok++;
        g_assert_false (equal_kind (valid[v].kind, &cfg, &whole));
        assert_reencodes (valid[v].kind, part, &cfg);
      } else {
        g_assert_nonnull (error);
      }
    }
    g_assert_cmpuint (n_ok, ==, valid[v].n_valid_prefixes);
  }
}

/* Builders refuse what the parsers would refuse. */
static void
test_build_invalid (void)
{
  AnyConfig cfg, good;
  g_autoptr (GBytes) hub = hap_test_b64 (REAL_HUB_SELECTED);
  g_autoptr (GBytes) audio = hap_test_b64 (NODE_AUDIO);
  g_autoptr (GBytes) video = hap_test_b64 (NODE_VIDEO);
  g_autoptr (GBytes) general = hap_test_b64 (NODE_GENERAL);
  static const struct {
    const char *what;
    HapCodecError code;
  } expect[] = {
    { "general: no container", HAP_CODEC_ERROR_MISSING },
    { "general: 5 containers", HAP_CODEC_ERROR_TOO_LARGE },
    { "general: container type 1", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "general: fragment length 0", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "video: no codec", HAP_CODEC_ERROR_MISSING },
    { "video: codec 2", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "video: no profile", HAP_CODEC_ERROR_MISSING },
    { "video: level 3", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "video: no attributes", HAP_CODEC_ERROR_MISSING },
    { "video: 65 attributes", HAP_CODEC_ERROR_TOO_LARGE },
    { "video: height 0", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "audio: no codec", HAP_CODEC_ERROR_MISSING },
    { "audio: codec 2", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "audio: no sample rate", HAP_CODEC_ERROR_MISSING },
    { "audio: sample rate 6", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "audio: channels 0", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "selected: video bitrate 0", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "selected: I-frame interval 0", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "selected: audio bitrate 0", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "selected: profile 3", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "selected: audio codec 3", HAP_CODEC_ERROR_OUT_OF_RANGE },
    { "selected: fps 0", HAP_CODEC_ERROR_OUT_OF_RANGE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) built = NULL;
    Kind kind = g_str_has_prefix (expect[i].what, "general") ? KIND_GENERAL
                : g_str_has_prefix (expect[i].what, "video") ? KIND_VIDEO
                : g_str_has_prefix (expect[i].what, "audio") ? KIND_AUDIO
                                                             : KIND_SELECTED;
    GBytes *src = kind == KIND_GENERAL ? general
                  : kind == KIND_VIDEO ? video
                  : kind == KIND_AUDIO ? audio
                                       : hub;

    g_assert_cmpint (parse_kind (kind, src, &good, NULL), ==, HAP_PARSE_OK);
    cfg = good;
    switch (i) {
      case 0:
        cfg.general.n_containers = 0;
        break;
      case 1:
        cfg.general.n_containers = 5;
        break;
      case 2:
        cfg.general.containers[1].type = 1;
        break;
      case 3:
        cfg.general.containers[0].fragment_length_ms = 0;
        break;
      case 4:
        cfg.video.n_codecs = 0;
        break;
      case 5:
        cfg.video.codecs[0].codec = 2;
        break;
      case 6:
        cfg.video.codecs[0].n_profiles = 0;
        break;
      case 7:
        cfg.video.codecs[0].levels[1] = 3;
        break;
      case 8:
        cfg.video.codecs[0].n_attributes = 0;
        break;
      case 9:
        cfg.video.codecs[0].n_attributes = 65;
        break;
      case 10:
        cfg.video.codecs[0].attributes[2].height = 0;
        break;
      case 11:
        cfg.audio.n_codecs = 0;
        break;
      case 12:
        cfg.audio.codecs[1].codec = 2;
        break;
      case 13:
        cfg.audio.codecs[0].n_sample_rates = 0;
        break;
      case 14:
        cfg.audio.codecs[0].sample_rates[1] = 6;
        break;
      case 15:
        cfg.audio.codecs[1].channels = 0;
        break;
      case 16:
        cfg.selected.video.bitrate_kbps = 0;
        break;
      case 17:
        cfg.selected.video.iframe_interval_ms = 0;
        break;
      case 18:
        cfg.selected.audio.max_bitrate_kbps = 0;
        break;
      case 19:
        cfg.selected.video.profile = 3;
        break;
      case 20:
        cfg.selected.audio.codec = 3;
        break;
      case 21:
        cfg.selected.video.attributes.fps = 0;
        break;
      default:
        g_assert_not_reached ();
    }
    g_test_message ("build %s", expect[i].what);
    built = build_kind (kind, &cfg, &error);
    g_assert_null (built);
    g_assert_error (error, HAP_CODEC_ERROR, (gint) expect[i].code);
  }
}

/* ---- helpers and validation ------------------------------------------------------------- */

/* HKSV spec R3 section 3.10, "Audio Codec Parameters": 0..5 = 8, 16, 24, 32, 44.1, 48 kHz. */
static void
test_sample_rate_hz (void)
{
  static const struct {
    guint value;
    guint hz;
  } rates[] = {
    { 0, 8000 },
    { 1, 16000 },
    { 2, 24000 },
    { 3, 32000 },
    { 4, 44100 },
    { 5, 48000 },
    { 6, 0 },
    { 255, 0 },
    { G_MAXUINT, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    g_assert_cmpuint (
        hap_camera_audio_sample_rate_to_hz ((HapCameraAudioSampleRate) rates[i].value), ==,
        rates[i].hz);
}

/* The spec's "at least 4000 ms" is advisory: a shorter prebuffer parses and builds. */
static void
test_prebuffer_advisory (void)
{
  /* 01 04 e8030000 (1000 ms) | 02 08 01.. | 03 0b {01 01 00 | 02 06 {01 04 a00f0000}} */
  g_autoptr (GBytes) short_pre
      = hap_test_hex ("0104e803000002080100000000000000030b01010002060104a00f0000");
  AnyConfig cfg;

  assert_reencodes (KIND_GENERAL, short_pre, &cfg);
  g_assert_cmpuint (cfg.general.prebuffer_ms, ==, 1000);
  g_assert_false (hap_camera_recording_config_prebuffer_ok (&cfg.general));
  cfg.general.prebuffer_ms = HAP_CAMERA_PREBUFFER_MIN_MS - 1;
  g_assert_false (hap_camera_recording_config_prebuffer_ok (&cfg.general));
  cfg.general.prebuffer_ms = HAP_CAMERA_PREBUFFER_MIN_MS;
  g_assert_true (hap_camera_recording_config_prebuffer_ok (&cfg.general));
  g_assert_cmpuint (HAP_CAMERA_PREBUFFER_MIN_MS, ==, 4000);
}

/* Enum values from the HKSV spec R3 tables (3.8-3.10) and PROTOCOL.md section 6. */
static void
test_enum_values (void)
{
  g_assert_cmpint (HAP_CAMERA_VIDEO_CODEC_H264, ==, 0);
  g_assert_cmpint (HAP_CAMERA_VIDEO_CODEC_H265, ==, 1);
  g_assert_cmpint (HAP_CAMERA_AUDIO_CODEC_AAC_LC, ==, 0);
  g_assert_cmpint (HAP_CAMERA_AUDIO_CODEC_AAC_ELD, ==, 1);
  g_assert_cmpint (HAP_CAMERA_VIDEO_PROFILE_BASELINE, ==, 0);
  g_assert_cmpint (HAP_CAMERA_VIDEO_PROFILE_MAIN, ==, 1);
  g_assert_cmpint (HAP_CAMERA_VIDEO_PROFILE_HIGH, ==, 2);
  g_assert_cmpint (HAP_CAMERA_VIDEO_LEVEL_3_1, ==, 0);
  g_assert_cmpint (HAP_CAMERA_VIDEO_LEVEL_3_2, ==, 1);
  g_assert_cmpint (HAP_CAMERA_VIDEO_LEVEL_4, ==, 2);
  g_assert_cmpint (HAP_CAMERA_AUDIO_BITRATE_VARIABLE, ==, 0);
  g_assert_cmpint (HAP_CAMERA_AUDIO_BITRATE_CONSTANT, ==, 1);
  g_assert_cmpint (HAP_CAMERA_AUDIO_SAMPLE_RATE_8K, ==, 0);
  g_assert_cmpint (HAP_CAMERA_AUDIO_SAMPLE_RATE_48K, ==, 5);
  g_assert_cmpint (HAP_CAMERA_CONTAINER_FRAGMENTED_MP4, ==, 0);
  g_assert_cmpint (HAP_CAMERA_EVENT_TRIGGER_MOTION, ==, 1);
  g_assert_cmpint (HAP_CAMERA_EVENT_TRIGGER_DOORBELL, ==, 2);
}

/* ---- selection against supported -------------------------------------------------------- */

/* An accessory offering what the real hub picked: prebuffer 4000 ms, motion, fMP4 4000 ms
 * (the general part of the hub's selection), H.264 all profiles and levels with 1200x1600@24
 * among other sizes, and the real-hub Supported audio (AAC-LC mono VBR 32 kHz). */
static void
supported_for_hub (
    HapCameraRecordingConfig *rec, HapCameraVideoConfig *video, HapCameraAudioConfig *audio)
{
  g_autoptr (GBytes) rec_bytes
      = hap_test_hex ("0104a00f000002080100000000000000030b01010002060104a00f0000");
  g_autoptr (GBytes) video_bytes = hap_test_b64 (NODE_VIDEO);
  g_autoptr (GBytes) audio_bytes = hap_test_b64 (REAL_HUB_SUPPORTED_AUDIO);
  AnyConfig cfg;

  g_assert_cmpint (parse_kind (KIND_GENERAL, rec_bytes, &cfg, NULL), ==, HAP_PARSE_OK);
  *rec = cfg.general;
  g_assert_cmpint (parse_kind (KIND_VIDEO, video_bytes, &cfg, NULL), ==, HAP_PARSE_OK);
  *video = cfg.video;
  video->codecs[0].attributes[3] = (HapCameraVideoAttributes){ 1200, 1600, 24 };
  video->codecs[0].n_attributes = 4;
  g_assert_cmpint (parse_kind (KIND_AUDIO, audio_bytes, &cfg, NULL), ==, HAP_PARSE_OK);
  *audio = cfg.audio;
}

static void
test_selected_is_supported (void)
{
  HapCameraRecordingConfig rec;
  HapCameraVideoConfig video;
  HapCameraAudioConfig audio;
  HapCameraSelectedConfig hub;
  static const struct {
    const char *what;
    gboolean supported;
  } cases[] = {
    { "as selected by the hub", TRUE },
    { "shorter prebuffer", TRUE },
    { "no trigger", TRUE },
    { "longer prebuffer", FALSE },
    { "doorbell trigger", FALSE },
    { "2000 ms fragments", FALSE },
    { "H.265", FALSE },
    { "1600x1200 (swapped)", FALSE },
    { "25 fps", FALSE },
    { "AAC-ELD", FALSE },
    { "stereo", FALSE },
    { "constant bitrate", FALSE },
    { "48 kHz", FALSE },
    { "other bitrates", TRUE },
    { "baseline 3.1, 1920x1080@30", TRUE },
  };

  supported_for_hub (&rec, &video, &audio);
  real_hub_selected_struct (&hub);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    HapCameraSelectedConfig sel = hub;
    g_autoptr (GError) error = NULL;

    switch (i) {
      case 0:
        break;
      case 1:
        sel.general.prebuffer_ms = 2000;
        break;
      case 2:
        sel.general.event_triggers = 0;
        break;
      case 3:
        sel.general.prebuffer_ms = 8000;
        break;
      case 4:
        sel.general.event_triggers = HAP_CAMERA_EVENT_TRIGGER_DOORBELL;
        break;
      case 5:
        sel.general.container.fragment_length_ms = 2000;
        break;
      case 6:
        sel.video.codec = HAP_CAMERA_VIDEO_CODEC_H265;
        break;
      case 7:
        sel.video.attributes.width = 1600;
        sel.video.attributes.height = 1200;
        break;
      case 8:
        sel.video.attributes.fps = 25;
        break;
      case 9:
        sel.audio.codec = HAP_CAMERA_AUDIO_CODEC_AAC_ELD;
        break;
      case 10:
        sel.audio.channels = 2;
        break;
      case 11:
        sel.audio.bitrate_mode = HAP_CAMERA_AUDIO_BITRATE_CONSTANT;
        break;
      case 12:
        sel.audio.sample_rate = HAP_CAMERA_AUDIO_SAMPLE_RATE_48K;
        break;
      case 13:
        sel.video.bitrate_kbps = 800;
        sel.video.iframe_interval_ms = 2000;
        sel.audio.max_bitrate_kbps = 24;
        break;
      case 14:
        sel.video.profile = HAP_CAMERA_VIDEO_PROFILE_BASELINE;
        sel.video.level = HAP_CAMERA_VIDEO_LEVEL_3_1;
        sel.video.attributes = (HapCameraVideoAttributes){ 1920, 1080, 30 };
        break;
      default:
        g_assert_not_reached ();
    }
    g_test_message ("selection: %s", cases[i].what);
    if (cases[i].supported) {
      g_assert_true (hap_camera_selected_is_supported (&sel, &rec, &video, &audio, &error));
      g_assert_no_error (error);
    } else {
      g_assert_false (hap_camera_selected_is_supported (&sel, &rec, &video, &audio, &error));
      g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE);
    }
  }
}

static void
test_equal (void)
{
  g_autoptr (GBytes) bytes = hap_test_b64 (REAL_HUB_SELECTED);
  g_autoptr (GBytes) widths = hap_test_hex (WIDTHS_SELECTED);
  AnyConfig a, b;

  g_assert_cmpint (parse_kind (KIND_SELECTED, bytes, &a, NULL), ==, HAP_PARSE_OK);
  b = a;
  g_assert_true (hap_camera_selected_config_equal (&a.selected, &b.selected));
  b.selected.wire.prebuffer_ms = 8; /* widths are not values */
  g_assert_true (hap_camera_selected_config_equal (&a.selected, &b.selected));
  b.selected.audio.sample_rate = HAP_CAMERA_AUDIO_SAMPLE_RATE_48K;
  g_assert_false (hap_camera_selected_config_equal (&a.selected, &b.selected));
  g_assert_cmpint (parse_kind (KIND_SELECTED, widths, &b, NULL), ==, HAP_PARSE_OK);
  g_assert_false (hap_camera_selected_config_equal (&a.selected, &b.selected));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/camera-tlv/real-hub/selected", test_real_hub_selected);
  g_test_add_func ("/camera-tlv/real-hub/supported-audio", test_real_hub_supported_audio);
  g_test_add_func ("/camera-tlv/hap-nodejs/general", test_node_general);
  g_test_add_func ("/camera-tlv/hap-nodejs/video", test_node_video);
  g_test_add_func ("/camera-tlv/hap-nodejs/video-fragmented", test_node_video_fragmented);
  g_test_add_func ("/camera-tlv/hap-nodejs/audio", test_node_audio);
  g_test_add_func ("/camera-tlv/wire-widths", test_wire_widths);
  g_test_add_func ("/camera-tlv/unknown-types", test_unknown_types);
  g_test_add_func ("/camera-tlv/build-roundtrip", test_build_roundtrip);
  g_test_add_func ("/camera-tlv/invalid", test_invalid);
  g_test_add_func ("/camera-tlv/truncated-everywhere", test_truncated_everywhere);
  g_test_add_func ("/camera-tlv/build-invalid", test_build_invalid);
  g_test_add_func ("/camera-tlv/sample-rate-hz", test_sample_rate_hz);
  g_test_add_func ("/camera-tlv/prebuffer-advisory", test_prebuffer_advisory);
  g_test_add_func ("/camera-tlv/enum-values", test_enum_values);
  g_test_add_func ("/camera-tlv/selected-is-supported", test_selected_is_supported);
  g_test_add_func ("/camera-tlv/equal", test_equal);
  return g_test_run ();
}

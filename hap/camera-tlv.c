/* libhap: HomeKit Secure Video recording configuration TLVs. See camera-tlv.h. */
#include "hap/camera-tlv.h"

#include <string.h>

#include "hap/tlv8.h"

/* Camera TLVs separate list items with an empty item of type 0. */
#define LIST_SEPARATOR 0x00
/* Largest list any field spec allows (HAP_CAMERA_MAX_ATTRIBUTES). */
#define RUN_MAX 64

/* Canonical widths the builder uses when no wire width was recorded. */
#define W_PREBUFFER 4
#define W_TRIGGERS 8
#define W_FRAGMENT 4
#define W_DIMENSION 2
#define W_BITRATE 4
#define W_IFRAME 4

/* ---- reading ---------------------------------------------------------------------------- */

/* One known field of a TLV8 structure: its type, a name for error messages, and how many
 * items it may have (max > 1 makes it a `00 00`-separated list). */
typedef struct {
  guint8 type;
  const char *name;
  guint max;
} FieldSpec;

/* The items of one field, in order, separators removed. */
typedef struct {
  const HapTlv8Item *item[RUN_MAX];
  guint n;
} Run;

static gboolean
is_separator (const HapTlv8Item *it)
{
  return it->type == LIST_SEPARATOR && it->len == 0;
}

/* Sorts the items of `tlv` into `runs` (one per spec) and checks the list layout: a separator
 * only between two items of the same type, the items of one type in one run, at most
 * spec->max of them. Items of other types are skipped. */
static gboolean
split_fields (const HapTlv8 *tlv, const FieldSpec *specs, guint n_specs, Run *runs, GError **error)
{
  const HapTlv8Item *prev = NULL;
  gboolean after_separator = FALSE;
  guint n = hap_tlv8_n_items (tlv);

  memset (runs, 0, n_specs * sizeof (Run));
  for (guint i = 0; i < n; i++) {
    const HapTlv8Item *it = hap_tlv8_item (tlv, i);
    guint s;

    if (is_separator (it)) {
      if (prev == NULL || after_separator) {
        g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
            "list separator at item %u does not follow a list item", i);
        return FALSE;
      }
      after_separator = TRUE;
      continue;
    }
    if (after_separator && it->type != prev->type) {
      g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
          "list separator between items of types %u and %u", prev->type, it->type);
      return FALSE;
    }
    for (s = 0; s < n_specs && specs[s].type != it->type; s++)
      ;
    if (s < n_specs) {
      const FieldSpec *spec = &specs[s];
      Run *run = &runs[s];

      if (run->n > 0 && prev->type != it->type) {
        g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
            "%s: items of the field are not contiguous", spec->name);
        return FALSE;
      }
      if (run->n > 0 && !after_separator) {
        g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
            spec->max > 1 ? "%s: list items not separated by an empty item"
                          : "%s: field appears more than once",
            spec->name);
        return FALSE;
      }
      if (run->n >= spec->max) {
        g_set_error (error, HAP_CODEC_ERROR,
            spec->max > 1 ? HAP_CODEC_ERROR_TOO_LARGE : HAP_CODEC_ERROR_MALFORMED,
            spec->max > 1 ? "%s: more than %u list items" : "%s: field appears more than once",
            spec->name, spec->max);
        return FALSE;
      }
      run->item[run->n++] = it;
    }
    prev = it;
    after_separator = FALSE;
  }
  if (after_separator) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "list separator at the end of the value");
    return FALSE;
  }
  return TRUE;
}

static gboolean
require (const Run *run, const char *name, GError **error)
{
  if (run->n == 0) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MISSING, "%s: missing", name);
    return FALSE;
  }
  return TRUE;
}

/* A 1-byte enumerated value. */
static gboolean
read_u8 (const HapTlv8Item *it, const char *name, guint8 *out, GError **error)
{
  if (it->len != 1) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "%s: %" G_GSIZE_FORMAT " bytes, expected 1", name, it->len);
    return FALSE;
  }
  *out = it->value[0];
  return TRUE;
}

/* A little-endian quantity of 1..8 bytes that must not exceed `max`; records its width. */
static gboolean
read_uint (const HapTlv8Item *it, const char *name, guint64 max, guint64 *out, guint8 *width,
    GError **error)
{
  guint64 v = 0;

  if (it->len < 1 || it->len > 8) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "%s: %" G_GSIZE_FORMAT " bytes, expected 1 to 8", name, it->len);
    return FALSE;
  }
  for (gsize i = it->len; i > 0; i--)
    v = v << 8 | it->value[i - 1];
  if (v > max) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "%s: %" G_GUINT64_FORMAT " is over %" G_GUINT64_FORMAT, name, v, max);
    return FALSE;
  }
  *out = v;
  *width = (guint8) it->len;
  return TRUE;
}

static gboolean
read_u32 (const HapTlv8Item *it, const char *name, guint32 *out, guint8 *width, GError **error)
{
  guint64 v;

  if (!read_uint (it, name, G_MAXUINT32, &v, width, error))
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

static HapTlv8 *
read_nested (const HapTlv8Item *it, const char *name, GError **error)
{
  HapTlv8 *tlv = hap_tlv8_parse (it->value, it->len, error);

  if (tlv == NULL)
    g_prefix_error (error, "%s: ", name);
  return tlv;
}

/* ---- validation ------------------------------------------------------------------------- */

static gboolean out_of_range (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
out_of_range (GError **error, const char *fmt, ...)
{
  va_list args;

  if (error != NULL) {
    va_start (args, fmt);
    *error = g_error_new_valist (HAP_CODEC_ERROR, HAP_CODEC_ERROR_OUT_OF_RANGE, fmt, args);
    va_end (args);
  }
  return FALSE;
}

static gboolean
check_count (guint n, guint max, const char *name, GError **error)
{
  if (n == 0) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MISSING, "%s: empty list", name);
    return FALSE;
  }
  if (n > max) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE, "%s: %u entries, at most %u",
        name, n, max);
    return FALSE;
  }
  return TRUE;
}

static gboolean
validate_container (const HapCameraContainer *c, GError **error)
{
  if (c->type != HAP_CAMERA_CONTAINER_FRAGMENTED_MP4)
    return out_of_range (error, "container type %u unknown", (guint) c->type);
  if (c->fragment_length_ms == 0)
    return out_of_range (error, "fragment length is 0");
  return TRUE;
}

static gboolean
validate_attributes (const HapCameraVideoAttributes *a, GError **error)
{
  if (a->width == 0 || a->height == 0 || a->fps == 0)
    return out_of_range (error, "video attributes %ux%u@%u: zero size or frame rate",
        (guint) a->width, (guint) a->height, (guint) a->fps);
  return TRUE;
}

static gboolean
validate_video_enums (HapCameraVideoCodec codec, HapCameraVideoProfile profile,
    HapCameraVideoLevel level, GError **error)
{
  if ((guint) codec > HAP_CAMERA_VIDEO_CODEC_H265)
    return out_of_range (error, "video codec %u unknown", (guint) codec);
  if ((guint) profile > HAP_CAMERA_VIDEO_PROFILE_HIGH)
    return out_of_range (error, "video profile %u unknown", (guint) profile);
  if ((guint) level > HAP_CAMERA_VIDEO_LEVEL_4)
    return out_of_range (error, "video level %u unknown", (guint) level);
  return TRUE;
}

static gboolean
validate_audio_enums (HapCameraAudioCodec codec, guint8 channels, HapCameraAudioBitrateMode mode,
    HapCameraAudioSampleRate rate, GError **error)
{
  if ((guint) codec > HAP_CAMERA_AUDIO_CODEC_AAC_ELD)
    return out_of_range (error, "audio codec %u unknown", (guint) codec);
  if (channels == 0)
    return out_of_range (error, "audio channels is 0");
  if ((guint) mode > HAP_CAMERA_AUDIO_BITRATE_CONSTANT)
    return out_of_range (error, "audio bitrate mode %u unknown", (guint) mode);
  if ((guint) rate > HAP_CAMERA_AUDIO_SAMPLE_RATE_48K)
    return out_of_range (error, "audio sample rate %u unknown", (guint) rate);
  return TRUE;
}

static gboolean
validate_video_codec (const HapCameraVideoCodecConfig *c, GError **error)
{
  if (!check_count (c->n_profiles, HAP_CAMERA_MAX_PROFILES, "video profiles", error)
      || !check_count (c->n_levels, HAP_CAMERA_MAX_LEVELS, "video levels", error)
      || !check_count (c->n_attributes, HAP_CAMERA_MAX_ATTRIBUTES, "video attributes", error))
    return FALSE;
  if (!validate_video_enums (
          c->codec, HAP_CAMERA_VIDEO_PROFILE_BASELINE, HAP_CAMERA_VIDEO_LEVEL_3_1, error))
    return FALSE;
  for (guint i = 0; i < c->n_profiles; i++)
    if (!validate_video_enums (c->codec, c->profiles[i], HAP_CAMERA_VIDEO_LEVEL_3_1, error))
      return FALSE;
  for (guint i = 0; i < c->n_levels; i++)
    if (!validate_video_enums (c->codec, HAP_CAMERA_VIDEO_PROFILE_BASELINE, c->levels[i], error))
      return FALSE;
  for (guint i = 0; i < c->n_attributes; i++)
    if (!validate_attributes (&c->attributes[i], error))
      return FALSE;
  return TRUE;
}

static gboolean
validate_audio_codec (const HapCameraAudioCodecConfig *c, GError **error)
{
  if (!check_count (c->n_bitrate_modes, HAP_CAMERA_MAX_BITRATE_MODES, "audio bitrate modes", error)
      || !check_count (c->n_sample_rates, HAP_CAMERA_MAX_SAMPLE_RATES, "audio sample rates", error))
    return FALSE;
  for (guint i = 0; i < c->n_bitrate_modes; i++)
    if (!validate_audio_enums (
            c->codec, c->channels, c->bitrate_modes[i], HAP_CAMERA_AUDIO_SAMPLE_RATE_8K, error))
      return FALSE;
  for (guint i = 0; i < c->n_sample_rates; i++)
    if (!validate_audio_enums (
            c->codec, c->channels, HAP_CAMERA_AUDIO_BITRATE_VARIABLE, c->sample_rates[i], error))
      return FALSE;
  return TRUE;
}

static void
note_prebuffer (guint32 prebuffer_ms)
{
  if (prebuffer_ms < HAP_CAMERA_PREBUFFER_MIN_MS)
    g_debug ("camera-tlv: prebuffer %u ms is below the recommended %u ms", prebuffer_ms,
        HAP_CAMERA_PREBUFFER_MIN_MS);
}

gboolean
hap_camera_recording_config_validate (const HapCameraRecordingConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_count (
          cfg->n_containers, HAP_CAMERA_MAX_CONTAINERS, "container configurations", error))
    return FALSE;
  for (guint i = 0; i < cfg->n_containers; i++)
    if (!validate_container (&cfg->containers[i], error))
      return FALSE;
  note_prebuffer (cfg->prebuffer_ms);
  return TRUE;
}

gboolean
hap_camera_video_config_validate (const HapCameraVideoConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_count (
          cfg->n_codecs, HAP_CAMERA_MAX_VIDEO_CODECS, "video codec configurations", error))
    return FALSE;
  for (guint i = 0; i < cfg->n_codecs; i++) {
    if (!validate_video_codec (&cfg->codecs[i], error)) {
      g_prefix_error (error, "video codec configuration %u: ", i);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
hap_camera_audio_config_validate (const HapCameraAudioConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_count (
          cfg->n_codecs, HAP_CAMERA_MAX_AUDIO_CODECS, "audio codec configurations", error))
    return FALSE;
  for (guint i = 0; i < cfg->n_codecs; i++) {
    if (!validate_audio_codec (&cfg->codecs[i], error)) {
      g_prefix_error (error, "audio codec configuration %u: ", i);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
hap_camera_selected_config_validate (const HapCameraSelectedConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_container (&cfg->general.container, error)
      || !validate_video_enums (cfg->video.codec, cfg->video.profile, cfg->video.level, error)
      || !validate_attributes (&cfg->video.attributes, error)
      || !validate_audio_enums (cfg->audio.codec, cfg->audio.channels, cfg->audio.bitrate_mode,
          cfg->audio.sample_rate, error))
    return FALSE;
  if (cfg->video.bitrate_kbps == 0)
    return out_of_range (error, "video bitrate is 0");
  if (cfg->video.iframe_interval_ms == 0)
    return out_of_range (error, "I-frame interval is 0");
  if (cfg->audio.max_bitrate_kbps == 0)
    return out_of_range (error, "audio max bitrate is 0");
  note_prebuffer (cfg->general.prebuffer_ms);
  return TRUE;
}

gboolean
hap_camera_recording_config_prebuffer_ok (const HapCameraRecordingConfig *cfg)
{
  g_return_val_if_fail (cfg != NULL, FALSE);

  return cfg->prebuffer_ms >= HAP_CAMERA_PREBUFFER_MIN_MS;
}

guint
hap_camera_audio_sample_rate_to_hz (HapCameraAudioSampleRate rate)
{
  static const guint hz[] = { 8000, 16000, 24000, 32000, 44100, 48000 };

  if ((guint) rate >= G_N_ELEMENTS (hz))
    return 0;
  return hz[rate];
}

/* ---- parsing ---------------------------------------------------------------------------- */

/* Media container configuration {1 type, 2 parameters {1 fragment length}}. */
static gboolean
parse_container (const HapTlv8Item *it, HapCameraContainer *out, GError **error)
{
  static const FieldSpec specs[] = { { 1, "container type", 1 }, { 2, "container parameters", 1 } };
  static const FieldSpec param_specs[] = { { 1, "fragment length", 1 } };
  g_autoptr (HapTlv8) tlv = read_nested (it, "container configuration", error);
  g_autoptr (HapTlv8) params = NULL;
  Run runs[G_N_ELEMENTS (specs)], param_runs[G_N_ELEMENTS (param_specs)];
  guint8 type;

  if (tlv == NULL || !split_fields (tlv, specs, G_N_ELEMENTS (specs), runs, error)
      || !require (&runs[0], specs[0].name, error) || !require (&runs[1], specs[1].name, error)
      || !read_u8 (runs[0].item[0], specs[0].name, &type, error))
    return FALSE;
  out->type = type;
  params = read_nested (runs[1].item[0], specs[1].name, error);
  if (params == NULL
      || !split_fields (params, param_specs, G_N_ELEMENTS (param_specs), param_runs, error)
      || !require (&param_runs[0], param_specs[0].name, error)
      || !read_u32 (param_runs[0].item[0], param_specs[0].name, &out->fragment_length_ms,
          &out->wire.fragment_length_ms, error))
    return FALSE;
  return TRUE;
}

/* {1 prebuffer, 2 event triggers, 3 container configurations...}, used by both the Supported
 * value and the general part of the selection. */
static gboolean
parse_general (const HapTlv8 *tlv, HapCameraRecordingConfig *out, GError **error)
{
  static const FieldSpec specs[] = {
    { 1, "prebuffer length", 1 },
    { 2, "event trigger options", 1 },
    { 3, "container configurations", HAP_CAMERA_MAX_CONTAINERS },
  };
  Run runs[G_N_ELEMENTS (specs)];

  if (!split_fields (tlv, specs, G_N_ELEMENTS (specs), runs, error))
    return FALSE;
  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    if (!require (&runs[s], specs[s].name, error))
      return FALSE;
  if (!read_u32 (runs[0].item[0], specs[0].name, &out->prebuffer_ms, &out->wire.prebuffer_ms, error)
      || !read_uint (runs[1].item[0], specs[1].name, G_MAXUINT64, &out->event_triggers,
          &out->wire.event_triggers, error))
    return FALSE;
  out->n_containers = runs[2].n;
  for (guint i = 0; i < runs[2].n; i++) {
    if (!parse_container (runs[2].item[i], &out->containers[i], error)) {
      g_prefix_error (error, "container configuration %u: ", i);
      return FALSE;
    }
  }
  return TRUE;
}

/* Video attributes {1 width, 2 height, 3 frame rate}. */
static gboolean
parse_attributes (const HapTlv8Item *it, HapCameraVideoAttributes *out, GError **error)
{
  static const FieldSpec specs[] = {
    { 1, "width", 1 },
    { 2, "height", 1 },
    { 3, "frame rate", 1 },
  };
  g_autoptr (HapTlv8) tlv = read_nested (it, "video attributes", error);
  Run runs[G_N_ELEMENTS (specs)];
  guint64 v;

  if (tlv == NULL || !split_fields (tlv, specs, G_N_ELEMENTS (specs), runs, error))
    return FALSE;
  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    if (!require (&runs[s], specs[s].name, error))
      return FALSE;
  if (!read_uint (runs[0].item[0], specs[0].name, G_MAXUINT16, &v, &out->wire.width, error))
    return FALSE;
  out->width = (guint16) v;
  if (!read_uint (runs[1].item[0], specs[1].name, G_MAXUINT16, &v, &out->wire.height, error))
    return FALSE;
  out->height = (guint16) v;
  return read_u8 (runs[2].item[0], specs[2].name, &out->fps, error);
}

/* Selection-only fields of a video codec configuration. */
typedef struct {
  guint32 bitrate_kbps, iframe_interval_ms;
  guint8 bitrate_width, iframe_width;
} VideoSelection;

/* Video codec configuration {1 codec, 2 parameters {1 profiles, 2 levels[, 3 bitrate,
 * 4 I-frame interval]}, 3 attributes...}. With `sel`, the selection shape: the selection-only
 * fields are required and every list has exactly one entry. */
static gboolean
parse_video_codec (
    const HapTlv8Item *it, HapCameraVideoCodecConfig *out, VideoSelection *sel, GError **error)
{
  guint max_list = sel ? 1 : G_MAXUINT;
  const FieldSpec specs[] = {
    { 1, "video codec", 1 },
    { 2, "video codec parameters", 1 },
    { 3, "video attributes", MIN (max_list, HAP_CAMERA_MAX_ATTRIBUTES) },
  };
  const FieldSpec param_specs[] = {
    { 1, "video profiles", MIN (max_list, HAP_CAMERA_MAX_PROFILES) },
    { 2, "video levels", MIN (max_list, HAP_CAMERA_MAX_LEVELS) },
    { 3, "video bitrate", 1 },
    { 4, "I-frame interval", 1 },
  };
  g_autoptr (HapTlv8) tlv = read_nested (it, "video codec configuration", error);
  g_autoptr (HapTlv8) params = NULL;
  Run runs[G_N_ELEMENTS (specs)], param_runs[G_N_ELEMENTS (param_specs)];
  guint8 v;

  if (tlv == NULL || !split_fields (tlv, specs, G_N_ELEMENTS (specs), runs, error))
    return FALSE;
  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    if (!require (&runs[s], specs[s].name, error))
      return FALSE;
  if (!read_u8 (runs[0].item[0], specs[0].name, &v, error))
    return FALSE;
  out->codec = v;

  /* The Supported shape has no selection-only fields: types 3 and 4 are then unknown. */
  params = read_nested (runs[1].item[0], specs[1].name, error);
  if (params == NULL || !split_fields (params, param_specs, sel ? 4 : 2, param_runs, error)
      || !require (&param_runs[0], param_specs[0].name, error)
      || !require (&param_runs[1], param_specs[1].name, error))
    return FALSE;
  out->n_profiles = param_runs[0].n;
  for (guint i = 0; i < param_runs[0].n; i++) {
    if (!read_u8 (param_runs[0].item[i], param_specs[0].name, &v, error))
      return FALSE;
    out->profiles[i] = v;
  }
  out->n_levels = param_runs[1].n;
  for (guint i = 0; i < param_runs[1].n; i++) {
    if (!read_u8 (param_runs[1].item[i], param_specs[1].name, &v, error))
      return FALSE;
    out->levels[i] = v;
  }
  if (sel != NULL
      && (!require (&param_runs[2], param_specs[2].name, error)
          || !require (&param_runs[3], param_specs[3].name, error)
          || !read_u32 (param_runs[2].item[0], param_specs[2].name, &sel->bitrate_kbps,
              &sel->bitrate_width, error)
          || !read_u32 (param_runs[3].item[0], param_specs[3].name, &sel->iframe_interval_ms,
              &sel->iframe_width, error)))
    return FALSE;

  out->n_attributes = runs[2].n;
  for (guint i = 0; i < runs[2].n; i++) {
    if (!parse_attributes (runs[2].item[i], &out->attributes[i], error)) {
      g_prefix_error (error, "video attributes %u: ", i);
      return FALSE;
    }
  }
  return TRUE;
}

typedef struct {
  guint32 max_bitrate_kbps;
  guint8 max_bitrate_width;
} AudioSelection;

/* Audio codec configuration {1 codec, 2 parameters {1 channels, 2 bitrate modes, 3 sample
 * rates[, 4 max bitrate]}}; `sel` as for parse_video_codec(). */
static gboolean
parse_audio_codec (
    const HapTlv8Item *it, HapCameraAudioCodecConfig *out, AudioSelection *sel, GError **error)
{
  guint max_list = sel ? 1 : G_MAXUINT;
  static const FieldSpec specs[] = {
    { 1, "audio codec", 1 },
    { 2, "audio codec parameters", 1 },
  };
  const FieldSpec param_specs[] = {
    { 1, "audio channels", 1 },
    { 2, "audio bitrate modes", MIN (max_list, HAP_CAMERA_MAX_BITRATE_MODES) },
    { 3, "audio sample rates", MIN (max_list, HAP_CAMERA_MAX_SAMPLE_RATES) },
    { 4, "audio max bitrate", 1 },
  };
  g_autoptr (HapTlv8) tlv = read_nested (it, "audio codec configuration", error);
  g_autoptr (HapTlv8) params = NULL;
  Run runs[G_N_ELEMENTS (specs)], param_runs[G_N_ELEMENTS (param_specs)];
  guint8 v;

  if (tlv == NULL || !split_fields (tlv, specs, G_N_ELEMENTS (specs), runs, error)
      || !require (&runs[0], specs[0].name, error) || !require (&runs[1], specs[1].name, error)
      || !read_u8 (runs[0].item[0], specs[0].name, &v, error))
    return FALSE;
  out->codec = v;

  params = read_nested (runs[1].item[0], specs[1].name, error);
  if (params == NULL || !split_fields (params, param_specs, sel ? 4 : 3, param_runs, error))
    return FALSE;
  for (guint s = 0; s < 3; s++)
    if (!require (&param_runs[s], param_specs[s].name, error))
      return FALSE;
  if (!read_u8 (param_runs[0].item[0], param_specs[0].name, &out->channels, error))
    return FALSE;
  out->n_bitrate_modes = param_runs[1].n;
  for (guint i = 0; i < param_runs[1].n; i++) {
    if (!read_u8 (param_runs[1].item[i], param_specs[1].name, &v, error))
      return FALSE;
    out->bitrate_modes[i] = v;
  }
  out->n_sample_rates = param_runs[2].n;
  for (guint i = 0; i < param_runs[2].n; i++) {
    if (!read_u8 (param_runs[2].item[i], param_specs[2].name, &v, error))
      return FALSE;
    out->sample_rates[i] = v;
  }
  if (sel != NULL
      && (!require (&param_runs[3], param_specs[3].name, error)
          || !read_u32 (param_runs[3].item[0], param_specs[3].name, &sel->max_bitrate_kbps,
              &sel->max_bitrate_width, error)))
    return FALSE;
  return TRUE;
}

/* Common tail of the public parsers: logs and zeroes `out` on failure. */
static HapParseResult
finish_parse (
    gboolean ok, const char *what, gpointer out, gsize out_size, GError **error, GError *local)
{
  if (ok)
    return HAP_PARSE_OK;
  memset (out, 0, out_size);
  g_prefix_error (&local, "%s: ", what);
  g_debug ("camera-tlv: rejected %s", local->message);
  g_propagate_error (error, local);
  return HAP_PARSE_INVALID;
}

HapParseResult
hap_camera_recording_config_parse (
    const guint8 *data, gsize len, HapCameraRecordingConfig *out, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  GError *local = NULL;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  memset (out, 0, sizeof (*out));
  tlv = hap_tlv8_parse (data, len, &local);
  ok = tlv != NULL && parse_general (tlv, out, &local)
       && hap_camera_recording_config_validate (out, &local);
  return finish_parse (
      ok, "SupportedCameraRecordingConfiguration", out, sizeof (*out), error, local);
}

HapParseResult
hap_camera_video_config_parse (
    const guint8 *data, gsize len, HapCameraVideoConfig *out, GError **error)
{
  static const FieldSpec specs[] = {
    { 1, "video codec configurations", HAP_CAMERA_MAX_VIDEO_CODECS },
  };
  g_autoptr (HapTlv8) tlv = NULL;
  Run runs[G_N_ELEMENTS (specs)];
  GError *local = NULL;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  memset (out, 0, sizeof (*out));
  tlv = hap_tlv8_parse (data, len, &local);
  ok = tlv != NULL && split_fields (tlv, specs, G_N_ELEMENTS (specs), runs, &local)
       && require (&runs[0], specs[0].name, &local);
  if (ok) {
    out->n_codecs = runs[0].n;
    for (guint i = 0; ok && i < runs[0].n; i++) {
      ok = parse_video_codec (runs[0].item[i], &out->codecs[i], NULL, &local);
      if (!ok)
        g_prefix_error (&local, "video codec configuration %u: ", i);
    }
  }
  ok = ok && hap_camera_video_config_validate (out, &local);
  return finish_parse (
      ok, "SupportedVideoRecordingConfiguration", out, sizeof (*out), error, local);
}

HapParseResult
hap_camera_audio_config_parse (
    const guint8 *data, gsize len, HapCameraAudioConfig *out, GError **error)
{
  static const FieldSpec specs[] = {
    { 1, "audio codec configurations", HAP_CAMERA_MAX_AUDIO_CODECS },
  };
  g_autoptr (HapTlv8) tlv = NULL;
  Run runs[G_N_ELEMENTS (specs)];
  GError *local = NULL;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  memset (out, 0, sizeof (*out));
  tlv = hap_tlv8_parse (data, len, &local);
  ok = tlv != NULL && split_fields (tlv, specs, G_N_ELEMENTS (specs), runs, &local)
       && require (&runs[0], specs[0].name, &local);
  if (ok) {
    out->n_codecs = runs[0].n;
    for (guint i = 0; ok && i < runs[0].n; i++) {
      ok = parse_audio_codec (runs[0].item[i], &out->codecs[i], NULL, &local);
      if (!ok)
        g_prefix_error (&local, "audio codec configuration %u: ", i);
    }
  }
  ok = ok && hap_camera_audio_config_validate (out, &local);
  return finish_parse (
      ok, "SupportedAudioRecordingConfiguration", out, sizeof (*out), error, local);
}

static gboolean
parse_selected (const HapTlv8 *tlv, HapCameraSelectedConfig *out, GError **error)
{
  static const FieldSpec specs[] = {
    { 1, "selected general configuration", 1 },
    { 2, "selected video configuration", 1 },
    { 3, "selected audio configuration", 1 },
  };
  Run runs[G_N_ELEMENTS (specs)];
  g_autoptr (HapTlv8) general_tlv = NULL;
  HapCameraRecordingConfig general;
  HapCameraVideoCodecConfig video;
  HapCameraAudioCodecConfig audio;
  VideoSelection vsel = { 0 };
  AudioSelection asel = { 0 };

  if (!split_fields (tlv, specs, G_N_ELEMENTS (specs), runs, error))
    return FALSE;
  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    if (!require (&runs[s], specs[s].name, error))
      return FALSE;

  memset (&general, 0, sizeof (general));
  general_tlv = read_nested (runs[0].item[0], specs[0].name, error);
  if (general_tlv == NULL || !parse_general (general_tlv, &general, error)) {
    g_prefix_error (error, "general: ");
    return FALSE;
  }
  if (general.n_containers != 1) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "general: %u container configurations, expected 1", general.n_containers);
    return FALSE;
  }
  out->general.prebuffer_ms = general.prebuffer_ms;
  out->general.event_triggers = general.event_triggers;
  out->general.container = general.containers[0];
  out->wire.prebuffer_ms = general.wire.prebuffer_ms;
  out->wire.event_triggers = general.wire.event_triggers;

  memset (&video, 0, sizeof (video));
  if (!parse_video_codec (runs[1].item[0], &video, &vsel, error)) {
    g_prefix_error (error, "video: ");
    return FALSE;
  }
  out->video.codec = video.codec;
  out->video.profile = video.profiles[0];
  out->video.level = video.levels[0];
  out->video.bitrate_kbps = vsel.bitrate_kbps;
  out->video.iframe_interval_ms = vsel.iframe_interval_ms;
  out->video.attributes = video.attributes[0];
  out->wire.video_bitrate_kbps = vsel.bitrate_width;
  out->wire.iframe_interval_ms = vsel.iframe_width;

  memset (&audio, 0, sizeof (audio));
  if (!parse_audio_codec (runs[2].item[0], &audio, &asel, error)) {
    g_prefix_error (error, "audio: ");
    return FALSE;
  }
  out->audio.codec = audio.codec;
  out->audio.channels = audio.channels;
  out->audio.bitrate_mode = audio.bitrate_modes[0];
  out->audio.sample_rate = audio.sample_rates[0];
  out->audio.max_bitrate_kbps = asel.max_bitrate_kbps;
  out->wire.audio_max_bitrate_kbps = asel.max_bitrate_width;
  return TRUE;
}

HapParseResult
hap_camera_selected_config_parse (
    const guint8 *data, gsize len, HapCameraSelectedConfig *out, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  GError *local = NULL;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);
  g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID);

  memset (out, 0, sizeof (*out));
  tlv = hap_tlv8_parse (data, len, &local);
  ok = tlv != NULL && parse_selected (tlv, out, &local)
       && hap_camera_selected_config_validate (out, &local);
  return finish_parse (
      ok, "SelectedCameraRecordingConfiguration", out, sizeof (*out), error, local);
}

/* ---- building --------------------------------------------------------------------------- */

/* Writes `v` little-endian with the recorded wire width when it is set and still holds `v`,
 * else with the canonical width. */
static void
put_uint (HapTlv8Writer *w, guint8 type, guint64 v, guint8 wire, guint8 canonical)
{
  guint8 buf[8];
  guint width = canonical;

  if (wire >= 1 && wire <= 8 && (wire == 8 || v >> (8 * wire) == 0))
    width = wire;
  for (guint i = 0; i < width; i++)
    buf[i] = (guint8) (v >> (8 * i));
  hap_tlv8_add (w, type, buf, width);
}

static GBytes *
take_bytes (HapTlv8Writer *w)
{
  GBytes *bytes = hap_tlv8_writer_take_bytes (w);

  hap_tlv8_writer_clear (w);
  return bytes;
}

static void
put_nested (HapTlv8Writer *w, guint8 type, HapTlv8Writer *child)
{
  hap_tlv8_add_writer (w, type, child);
  hap_tlv8_writer_clear (child);
}

static void
put_separator_if (HapTlv8Writer *w, guint i)
{
  if (i > 0)
    hap_tlv8_add_separator (w, LIST_SEPARATOR);
}

static void
build_container (HapTlv8Writer *w, const HapCameraContainer *c)
{
  HapTlv8Writer cw, pw;

  hap_tlv8_writer_init (&cw);
  hap_tlv8_writer_init (&pw);
  hap_tlv8_add_u8 (&cw, 1, (guint8) c->type);
  put_uint (&pw, 1, c->fragment_length_ms, c->wire.fragment_length_ms, W_FRAGMENT);
  put_nested (&cw, 2, &pw);
  put_nested (w, 3, &cw);
}

static void
build_general (HapTlv8Writer *w, guint32 prebuffer_ms, guint8 prebuffer_wire,
    guint64 event_triggers, guint8 triggers_wire, const HapCameraContainer *containers,
    guint n_containers)
{
  put_uint (w, 1, prebuffer_ms, prebuffer_wire, W_PREBUFFER);
  put_uint (w, 2, event_triggers, triggers_wire, W_TRIGGERS);
  for (guint i = 0; i < n_containers; i++) {
    put_separator_if (w, i);
    build_container (w, &containers[i]);
  }
}

static void
build_attributes (HapTlv8Writer *w, const HapCameraVideoAttributes *a)
{
  HapTlv8Writer aw;

  hap_tlv8_writer_init (&aw);
  put_uint (&aw, 1, a->width, a->wire.width, W_DIMENSION);
  put_uint (&aw, 2, a->height, a->wire.height, W_DIMENSION);
  hap_tlv8_add_u8 (&aw, 3, a->fps);
  put_nested (w, 3, &aw);
}

/* Writes the value of one video codec configuration into `w` (not wrapped in an item). */
static void
build_video_codec (HapTlv8Writer *w, const HapCameraVideoCodecConfig *c, const VideoSelection *sel)
{
  HapTlv8Writer pw;

  hap_tlv8_writer_init (&pw);
  hap_tlv8_add_u8 (w, 1, (guint8) c->codec);
  for (guint i = 0; i < c->n_profiles; i++) {
    put_separator_if (&pw, i);
    hap_tlv8_add_u8 (&pw, 1, (guint8) c->profiles[i]);
  }
  for (guint i = 0; i < c->n_levels; i++) {
    put_separator_if (&pw, i);
    hap_tlv8_add_u8 (&pw, 2, (guint8) c->levels[i]);
  }
  if (sel != NULL) {
    put_uint (&pw, 3, sel->bitrate_kbps, sel->bitrate_width, W_BITRATE);
    put_uint (&pw, 4, sel->iframe_interval_ms, sel->iframe_width, W_IFRAME);
  }
  put_nested (w, 2, &pw);
  for (guint i = 0; i < c->n_attributes; i++) {
    put_separator_if (w, i);
    build_attributes (w, &c->attributes[i]);
  }
}

/* Writes the value of one audio codec configuration into `w` (not wrapped in an item). */
static void
build_audio_codec (HapTlv8Writer *w, const HapCameraAudioCodecConfig *c, const AudioSelection *sel)
{
  HapTlv8Writer pw;

  hap_tlv8_writer_init (&pw);
  hap_tlv8_add_u8 (w, 1, (guint8) c->codec);
  hap_tlv8_add_u8 (&pw, 1, c->channels);
  for (guint i = 0; i < c->n_bitrate_modes; i++) {
    put_separator_if (&pw, i);
    hap_tlv8_add_u8 (&pw, 2, (guint8) c->bitrate_modes[i]);
  }
  for (guint i = 0; i < c->n_sample_rates; i++) {
    put_separator_if (&pw, i);
    hap_tlv8_add_u8 (&pw, 3, (guint8) c->sample_rates[i]);
  }
  if (sel != NULL)
    put_uint (&pw, 4, sel->max_bitrate_kbps, sel->max_bitrate_width, W_BITRATE);
  put_nested (w, 2, &pw);
}

GBytes *
hap_camera_recording_config_build (const HapCameraRecordingConfig *cfg, GError **error)
{
  HapTlv8Writer w;

  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!hap_camera_recording_config_validate (cfg, error))
    return NULL;
  hap_tlv8_writer_init (&w);
  build_general (&w, cfg->prebuffer_ms, cfg->wire.prebuffer_ms, cfg->event_triggers,
      cfg->wire.event_triggers, cfg->containers, cfg->n_containers);
  return take_bytes (&w);
}

GBytes *
hap_camera_video_config_build (const HapCameraVideoConfig *cfg, GError **error)
{
  HapTlv8Writer w, cw;

  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!hap_camera_video_config_validate (cfg, error))
    return NULL;
  hap_tlv8_writer_init (&w);
  for (guint i = 0; i < cfg->n_codecs; i++) {
    put_separator_if (&w, i);
    hap_tlv8_writer_init (&cw);
    build_video_codec (&cw, &cfg->codecs[i], NULL);
    put_nested (&w, 1, &cw);
  }
  return take_bytes (&w);
}

GBytes *
hap_camera_audio_config_build (const HapCameraAudioConfig *cfg, GError **error)
{
  HapTlv8Writer w, cw;

  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!hap_camera_audio_config_validate (cfg, error))
    return NULL;
  hap_tlv8_writer_init (&w);
  for (guint i = 0; i < cfg->n_codecs; i++) {
    put_separator_if (&w, i);
    hap_tlv8_writer_init (&cw);
    build_audio_codec (&cw, &cfg->codecs[i], NULL);
    put_nested (&w, 1, &cw);
  }
  return take_bytes (&w);
}

GBytes *
hap_camera_selected_config_build (const HapCameraSelectedConfig *cfg, GError **error)
{
  HapTlv8Writer w, cw;
  HapCameraVideoCodecConfig video;
  HapCameraAudioCodecConfig audio;
  VideoSelection vsel;
  AudioSelection asel;

  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!hap_camera_selected_config_validate (cfg, error))
    return NULL;

  memset (&video, 0, sizeof (video));
  video.codec = cfg->video.codec;
  video.n_profiles = 1;
  video.profiles[0] = cfg->video.profile;
  video.n_levels = 1;
  video.levels[0] = cfg->video.level;
  video.n_attributes = 1;
  video.attributes[0] = cfg->video.attributes;
  vsel.bitrate_kbps = cfg->video.bitrate_kbps;
  vsel.bitrate_width = cfg->wire.video_bitrate_kbps;
  vsel.iframe_interval_ms = cfg->video.iframe_interval_ms;
  vsel.iframe_width = cfg->wire.iframe_interval_ms;

  memset (&audio, 0, sizeof (audio));
  audio.codec = cfg->audio.codec;
  audio.channels = cfg->audio.channels;
  audio.n_bitrate_modes = 1;
  audio.bitrate_modes[0] = cfg->audio.bitrate_mode;
  audio.n_sample_rates = 1;
  audio.sample_rates[0] = cfg->audio.sample_rate;
  asel.max_bitrate_kbps = cfg->audio.max_bitrate_kbps;
  asel.max_bitrate_width = cfg->wire.audio_max_bitrate_kbps;

  hap_tlv8_writer_init (&w);
  hap_tlv8_writer_init (&cw);
  build_general (&cw, cfg->general.prebuffer_ms, cfg->wire.prebuffer_ms,
      cfg->general.event_triggers, cfg->wire.event_triggers, &cfg->general.container, 1);
  put_nested (&w, 1, &cw);
  hap_tlv8_writer_init (&cw);
  build_video_codec (&cw, &video, &vsel);
  put_nested (&w, 2, &cw);
  hap_tlv8_writer_init (&cw);
  build_audio_codec (&cw, &audio, &asel);
  put_nested (&w, 3, &cw);
  return take_bytes (&w);
}

/* ---- equality --------------------------------------------------------------------------- */

static gboolean
container_equal (const HapCameraContainer *a, const HapCameraContainer *b)
{
  return a->type == b->type && a->fragment_length_ms == b->fragment_length_ms;
}

static gboolean
attributes_equal (const HapCameraVideoAttributes *a, const HapCameraVideoAttributes *b)
{
  return a->width == b->width && a->height == b->height && a->fps == b->fps;
}

gboolean
hap_camera_recording_config_equal (
    const HapCameraRecordingConfig *a, const HapCameraRecordingConfig *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->prebuffer_ms != b->prebuffer_ms || a->event_triggers != b->event_triggers
      || a->n_containers != b->n_containers || a->n_containers > HAP_CAMERA_MAX_CONTAINERS)
    return FALSE;
  for (guint i = 0; i < a->n_containers; i++)
    if (!container_equal (&a->containers[i], &b->containers[i]))
      return FALSE;
  return TRUE;
}

static gboolean
video_codec_equal (const HapCameraVideoCodecConfig *a, const HapCameraVideoCodecConfig *b)
{
  if (a->codec != b->codec || a->n_profiles != b->n_profiles || a->n_levels != b->n_levels
      || a->n_attributes != b->n_attributes || a->n_profiles > HAP_CAMERA_MAX_PROFILES
      || a->n_levels > HAP_CAMERA_MAX_LEVELS || a->n_attributes > HAP_CAMERA_MAX_ATTRIBUTES)
    return FALSE;
  for (guint i = 0; i < a->n_profiles; i++)
    if (a->profiles[i] != b->profiles[i])
      return FALSE;
  for (guint i = 0; i < a->n_levels; i++)
    if (a->levels[i] != b->levels[i])
      return FALSE;
  for (guint i = 0; i < a->n_attributes; i++)
    if (!attributes_equal (&a->attributes[i], &b->attributes[i]))
      return FALSE;
  return TRUE;
}

gboolean
hap_camera_video_config_equal (const HapCameraVideoConfig *a, const HapCameraVideoConfig *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->n_codecs != b->n_codecs || a->n_codecs > HAP_CAMERA_MAX_VIDEO_CODECS)
    return FALSE;
  for (guint i = 0; i < a->n_codecs; i++)
    if (!video_codec_equal (&a->codecs[i], &b->codecs[i]))
      return FALSE;
  return TRUE;
}

static gboolean
audio_codec_equal (const HapCameraAudioCodecConfig *a, const HapCameraAudioCodecConfig *b)
{
  if (a->codec != b->codec || a->channels != b->channels || a->n_bitrate_modes != b->n_bitrate_modes
      || a->n_sample_rates != b->n_sample_rates || a->n_bitrate_modes > HAP_CAMERA_MAX_BITRATE_MODES
      || a->n_sample_rates > HAP_CAMERA_MAX_SAMPLE_RATES)
    return FALSE;
  for (guint i = 0; i < a->n_bitrate_modes; i++)
    if (a->bitrate_modes[i] != b->bitrate_modes[i])
      return FALSE;
  for (guint i = 0; i < a->n_sample_rates; i++)
    if (a->sample_rates[i] != b->sample_rates[i])
      return FALSE;
  return TRUE;
}

gboolean
hap_camera_audio_config_equal (const HapCameraAudioConfig *a, const HapCameraAudioConfig *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->n_codecs != b->n_codecs || a->n_codecs > HAP_CAMERA_MAX_AUDIO_CODECS)
    return FALSE;
  for (guint i = 0; i < a->n_codecs; i++)
    if (!audio_codec_equal (&a->codecs[i], &b->codecs[i]))
      return FALSE;
  return TRUE;
}

gboolean
hap_camera_selected_config_equal (
    const HapCameraSelectedConfig *a, const HapCameraSelectedConfig *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->general.prebuffer_ms == b->general.prebuffer_ms
         && a->general.event_triggers == b->general.event_triggers
         && container_equal (&a->general.container, &b->general.container)
         && a->video.codec == b->video.codec && a->video.profile == b->video.profile
         && a->video.level == b->video.level && a->video.bitrate_kbps == b->video.bitrate_kbps
         && a->video.iframe_interval_ms == b->video.iframe_interval_ms
         && attributes_equal (&a->video.attributes, &b->video.attributes)
         && a->audio.codec == b->audio.codec && a->audio.channels == b->audio.channels
         && a->audio.bitrate_mode == b->audio.bitrate_mode
         && a->audio.sample_rate == b->audio.sample_rate
         && a->audio.max_bitrate_kbps == b->audio.max_bitrate_kbps;
}

/* ---- selection against the supported values --------------------------------------------- */

static gboolean
video_codec_offers (const HapCameraVideoCodecConfig *c, const HapCameraSelectedConfig *sel)
{
  gboolean profile = FALSE, level = FALSE, attr = FALSE;

  if (c->codec != sel->video.codec)
    return FALSE;
  for (guint i = 0; i < MIN (c->n_profiles, HAP_CAMERA_MAX_PROFILES); i++)
    profile = profile || c->profiles[i] == sel->video.profile;
  for (guint i = 0; i < MIN (c->n_levels, HAP_CAMERA_MAX_LEVELS); i++)
    level = level || c->levels[i] == sel->video.level;
  for (guint i = 0; i < MIN (c->n_attributes, HAP_CAMERA_MAX_ATTRIBUTES); i++)
    attr = attr || attributes_equal (&c->attributes[i], &sel->video.attributes);
  return profile && level && attr;
}

static gboolean
audio_codec_offers (const HapCameraAudioCodecConfig *c, const HapCameraSelectedConfig *sel)
{
  gboolean mode = FALSE, rate = FALSE;

  if (c->codec != sel->audio.codec || c->channels != sel->audio.channels)
    return FALSE;
  for (guint i = 0; i < MIN (c->n_bitrate_modes, HAP_CAMERA_MAX_BITRATE_MODES); i++)
    mode = mode || c->bitrate_modes[i] == sel->audio.bitrate_mode;
  for (guint i = 0; i < MIN (c->n_sample_rates, HAP_CAMERA_MAX_SAMPLE_RATES); i++)
    rate = rate || c->sample_rates[i] == sel->audio.sample_rate;
  return mode && rate;
}

gboolean
hap_camera_selected_is_supported (const HapCameraSelectedConfig *sel,
    const HapCameraRecordingConfig *recording, const HapCameraVideoConfig *video,
    const HapCameraAudioConfig *audio, GError **error)
{
  gboolean found = FALSE;

  g_return_val_if_fail (sel != NULL && recording != NULL, FALSE);
  g_return_val_if_fail (video != NULL && audio != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!hap_camera_selected_config_validate (sel, error))
    return FALSE;
  if (sel->general.prebuffer_ms > recording->prebuffer_ms)
    return out_of_range (error, "selected prebuffer %u ms is over the supported %u ms",
        sel->general.prebuffer_ms, recording->prebuffer_ms);
  if ((sel->general.event_triggers & ~recording->event_triggers) != 0)
    return out_of_range (error,
        "selected event triggers 0x%" G_GINT64_MODIFIER
        "x are not all supported (0x%" G_GINT64_MODIFIER "x)",
        sel->general.event_triggers, recording->event_triggers);
  for (guint i = 0; i < MIN (recording->n_containers, HAP_CAMERA_MAX_CONTAINERS); i++)
    found = found || container_equal (&recording->containers[i], &sel->general.container);
  if (!found)
    return out_of_range (error, "selected container %u with %u ms fragments is not supported",
        (guint) sel->general.container.type, sel->general.container.fragment_length_ms);

  found = FALSE;
  for (guint i = 0; i < MIN (video->n_codecs, HAP_CAMERA_MAX_VIDEO_CODECS); i++)
    found = found || video_codec_offers (&video->codecs[i], sel);
  if (!found)
    return out_of_range (error,
        "selected video codec %u profile %u level %u %ux%u@%u is not supported",
        (guint) sel->video.codec, (guint) sel->video.profile, (guint) sel->video.level,
        (guint) sel->video.attributes.width, (guint) sel->video.attributes.height,
        (guint) sel->video.attributes.fps);

  found = FALSE;
  for (guint i = 0; i < MIN (audio->n_codecs, HAP_CAMERA_MAX_AUDIO_CODECS); i++)
    found = found || audio_codec_offers (&audio->codecs[i], sel);
  if (!found)
    return out_of_range (error,
        "selected audio codec %u, %u channels, bitrate mode %u, sample rate %u is not "
        "supported",
        (guint) sel->audio.codec, (guint) sel->audio.channels, (guint) sel->audio.bitrate_mode,
        (guint) sel->audio.sample_rate);
  return TRUE;
}

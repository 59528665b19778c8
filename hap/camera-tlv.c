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

/* ---- validation ------------------------------------------------------------------------- */

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

/* Each of the first `n` entries of a list of enumerated values is at most `max`. */
static gboolean
check_enums (const guint *values, guint n, guint max, const char *name, GError **error)
{
  for (guint i = 0; i < n; i++)
    if (values[i] > max)
      return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "%s %u unknown", name, values[i]);
  return TRUE;
}

typedef gboolean (*ValidateItemFunc) (gconstpointer item, GError **error);

/* A list of 1 .. `max` items of `size` bytes, each checked by `validate`; with `item_name`
 * the error names the failing item. */
static gboolean
validate_list (gconstpointer items, gsize size, guint n, guint max, const char *name,
    ValidateItemFunc validate, const char *item_name, GError **error)
{
  if (!check_count (n, max, name, error))
    return FALSE;
  for (guint i = 0; i < n; i++) {
    if (!validate ((const guint8 *) items + i * size, error)) {
      if (item_name != NULL)
        g_prefix_error (error, "%s %u: ", item_name, i);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
validate_container (gconstpointer item, GError **error)
{
  const HapCameraContainer *c = item;

  if (c->type != HAP_CAMERA_CONTAINER_FRAGMENTED_MP4)
    return hap_codec_fail (
        error, HAP_CODEC_ERROR_OUT_OF_RANGE, "container type %u unknown", (guint) c->type);
  if (c->fragment_length_ms == 0)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "fragment length is 0");
  return TRUE;
}

static gboolean
validate_attributes (const HapCameraVideoAttributes *a, GError **error)
{
  if (a->width == 0 || a->height == 0 || a->fps == 0)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "video attributes %ux%u@%u: zero size or frame rate", (guint) a->width, (guint) a->height,
        (guint) a->fps);
  return TRUE;
}

static gboolean
validate_video_enums (HapCameraVideoCodec codec, HapCameraVideoProfile profile,
    HapCameraVideoLevel level, GError **error)
{
  if ((guint) codec > HAP_CAMERA_VIDEO_CODEC_H265)
    return hap_codec_fail (
        error, HAP_CODEC_ERROR_OUT_OF_RANGE, "video codec %u unknown", (guint) codec);
  if ((guint) profile > HAP_CAMERA_VIDEO_PROFILE_HIGH)
    return hap_codec_fail (
        error, HAP_CODEC_ERROR_OUT_OF_RANGE, "video profile %u unknown", (guint) profile);
  if ((guint) level > HAP_CAMERA_VIDEO_LEVEL_4)
    return hap_codec_fail (
        error, HAP_CODEC_ERROR_OUT_OF_RANGE, "video level %u unknown", (guint) level);
  return TRUE;
}

static gboolean
validate_audio_enums (HapCameraAudioCodec codec, guint8 channels, HapCameraAudioBitrateMode mode,
    HapCameraAudioSampleRate rate, GError **error)
{
  if ((guint) codec > HAP_CAMERA_AUDIO_CODEC_AAC_ELD)
    return hap_codec_fail (
        error, HAP_CODEC_ERROR_OUT_OF_RANGE, "audio codec %u unknown", (guint) codec);
  if (channels == 0)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "audio channels is 0");
  if ((guint) mode > HAP_CAMERA_AUDIO_BITRATE_CONSTANT)
    return hap_codec_fail (
        error, HAP_CODEC_ERROR_OUT_OF_RANGE, "audio bitrate mode %u unknown", (guint) mode);
  if ((guint) rate > HAP_CAMERA_AUDIO_SAMPLE_RATE_48K)
    return hap_codec_fail (
        error, HAP_CODEC_ERROR_OUT_OF_RANGE, "audio sample rate %u unknown", (guint) rate);
  return TRUE;
}

static gboolean
validate_video_codec (gconstpointer item, GError **error)
{
  const HapCameraVideoCodecConfig *c = item;

  if (!check_count (c->n_profiles, HAP_CAMERA_MAX_PROFILES, "video profiles", error)
      || !check_count (c->n_levels, HAP_CAMERA_MAX_LEVELS, "video levels", error)
      || !check_count (c->n_attributes, HAP_CAMERA_MAX_ATTRIBUTES, "video attributes", error)
      || !validate_video_enums (
          c->codec, HAP_CAMERA_VIDEO_PROFILE_BASELINE, HAP_CAMERA_VIDEO_LEVEL_3_1, error)
      || !check_enums ((const guint *) c->profiles, c->n_profiles, HAP_CAMERA_VIDEO_PROFILE_HIGH,
          "video profile", error)
      || !check_enums (
          (const guint *) c->levels, c->n_levels, HAP_CAMERA_VIDEO_LEVEL_4, "video level", error))
    return FALSE;
  for (guint i = 0; i < c->n_attributes; i++)
    if (!validate_attributes (&c->attributes[i], error))
      return FALSE;
  return TRUE;
}

static gboolean
validate_audio_codec (gconstpointer item, GError **error)
{
  const HapCameraAudioCodecConfig *c = item;

  return check_count (
             c->n_bitrate_modes, HAP_CAMERA_MAX_BITRATE_MODES, "audio bitrate modes", error)
         && check_count (
             c->n_sample_rates, HAP_CAMERA_MAX_SAMPLE_RATES, "audio sample rates", error)
         && validate_audio_enums (c->codec, c->channels, HAP_CAMERA_AUDIO_BITRATE_VARIABLE,
             HAP_CAMERA_AUDIO_SAMPLE_RATE_8K, error)
         && check_enums ((const guint *) c->bitrate_modes, c->n_bitrate_modes,
             HAP_CAMERA_AUDIO_BITRATE_CONSTANT, "audio bitrate mode", error)
         && check_enums ((const guint *) c->sample_rates, c->n_sample_rates,
             HAP_CAMERA_AUDIO_SAMPLE_RATE_48K, "audio sample rate", error);
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

  if (!validate_list (cfg->containers, sizeof (HapCameraContainer), cfg->n_containers,
          HAP_CAMERA_MAX_CONTAINERS, "container configurations", validate_container, NULL, error))
    return FALSE;
  note_prebuffer (cfg->prebuffer_ms);
  return TRUE;
}

gboolean
hap_camera_video_config_validate (const HapCameraVideoConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return validate_list (cfg->codecs, sizeof (HapCameraVideoCodecConfig), cfg->n_codecs,
      HAP_CAMERA_MAX_VIDEO_CODECS, "video codec configurations", validate_video_codec,
      "video codec configuration", error);
}

gboolean
hap_camera_audio_config_validate (const HapCameraAudioConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return validate_list (cfg->codecs, sizeof (HapCameraAudioCodecConfig), cfg->n_codecs,
      HAP_CAMERA_MAX_AUDIO_CODECS, "audio codec configurations", validate_audio_codec,
      "audio codec configuration", error);
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
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "video bitrate is 0");
  if (cfg->video.iframe_interval_ms == 0)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "I-frame interval is 0");
  if (cfg->audio.max_bitrate_kbps == 0)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE, "audio max bitrate is 0");
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

/* The TLV8 structure inside item `it`, or NULL with an error prefixed by `name`. */
static HapTlv8 *
read_nested (const HapTlv8Item *it, const char *name, GError **error)
{
  HapTlv8 *tlv = hap_tlv8_parse (it->value, it->len, error);

  if (tlv == NULL)
    g_prefix_error (error, "%s: ", name);
  return tlv;
}

/* ---- structure tables ------------------------------------------------------------------- */

/* How a field is stored in its C struct. Enumerated types are int-sized (checked below). */
typedef enum {
  F_ENUM,      /* 1 byte -> guint (an enumerated type) */
  F_U8,        /* 1 byte -> guint8 */
  F_UINT,      /* 1..8 bytes LE -> guint16/32/64 (`size` bytes); its width goes to `wire` */
  F_ENUM_LIST, /* list of 1-byte values -> guint array; its length goes to `count` */
  F_NESTED,    /* a structure (`schema`) whose fields are members of the same C struct */
  F_LIST,      /* list of structures (`schema`) -> array of `size`-byte elements, `count` */
} FieldKind;

G_STATIC_ASSERT (sizeof (HapCameraContainerType) == sizeof (guint));
G_STATIC_ASSERT (sizeof (HapCameraVideoCodec) == sizeof (guint));
G_STATIC_ASSERT (sizeof (HapCameraVideoProfile) == sizeof (guint));
G_STATIC_ASSERT (sizeof (HapCameraVideoLevel) == sizeof (guint));
G_STATIC_ASSERT (sizeof (HapCameraAudioCodec) == sizeof (guint));
G_STATIC_ASSERT (sizeof (HapCameraAudioBitrateMode) == sizeof (guint));
G_STATIC_ASSERT (sizeof (HapCameraAudioSampleRate) == sizeof (guint));

typedef struct _Schema Schema;

typedef struct {
  FieldSpec spec;
  FieldKind kind;
  /* Selection-only: required and read after all other fields. */
  gboolean selection;
  gsize offset;
  gsize aux; /* F_UINT: offset of the wire width; lists: offset of the count */
  gsize size;
  guint8 canonical; /* F_UINT: width written when no wire width is recorded */
  const Schema *schema;
} Field;

#define MAX_FIELDS 4

/* A TLV8 structure: its fields in ascending type order (the order the builder writes). */
struct _Schema {
  const char *name;
  guint n_fields;
  Field fields[MAX_FIELDS];
};

/* Field initialisers: type, name, [max list length,] struct, member[, wire width or count]. */
#define ENUM(t, n, S, m) .spec = { t, n, 1 }, .kind = F_ENUM, .offset = offsetof (S, m)
#define U8(t, n, S, m) .spec = { t, n, 1 }, .kind = F_U8, .offset = offsetof (S, m)
#define UINT(t, n, S, m, wire, w)                                                            \
  .spec = { t, n, 1 }, .kind = F_UINT, .offset = offsetof (S, m), .aux = offsetof (S, wire), \
  .size = sizeof (((S *) 0)->m), .canonical = w
#define ENUM_LIST(t, n, max, S, m, cnt) \
  .spec = { t, n, max }, .kind = F_ENUM_LIST, .offset = offsetof (S, m), .aux = offsetof (S, cnt)
#define NESTED(t, n, s) .spec = { t, n, 1 }, .kind = F_NESTED, .schema = s
#define LIST(t, n, max, S, m, cnt, s)                                                         \
  .spec = { t, n, max }, .kind = F_LIST, .offset = offsetof (S, m), .aux = offsetof (S, cnt), \
  .size = sizeof (((S *) 0)->m[0]), .schema = s

/* The selection shape of a video / audio codec configuration: a one-entry Supported shape
 * plus the selection-only fields. */
typedef struct {
  HapCameraVideoCodecConfig c;
  guint32 bitrate_kbps, iframe_interval_ms;
  guint8 bitrate_width, iframe_width;
} SelectedVideo;

typedef struct {
  HapCameraAudioCodecConfig c;
  guint32 max_bitrate_kbps;
  guint8 max_bitrate_width;
} SelectedAudio;

typedef HapCameraContainer Ct;
typedef HapCameraRecordingConfig Rec;
typedef HapCameraVideoAttributes Attr;
typedef HapCameraVideoCodecConfig Vc;
typedef HapCameraAudioCodecConfig Ac;

/* Media container configuration {1 type, 2 parameters {1 fragment length}}. */
static const Schema container_params_schema = {
  "container parameters", 1,
  { { UINT (1, "fragment length", Ct, fragment_length_ms, wire.fragment_length_ms, W_FRAGMENT) } }
};
static const Schema container_schema = { "container configuration", 2,
  { { ENUM (1, "container type", Ct, type) },
      { NESTED (2, "container parameters", &container_params_schema) } } };

/* {1 prebuffer, 2 event triggers, 3 container configurations...}: the Supported value and the
 * general part of the selection. */
static const Schema general_schema = { "general configuration", 3,
  { { UINT (1, "prebuffer length", Rec, prebuffer_ms, wire.prebuffer_ms, W_PREBUFFER) },
      { UINT (2, "event trigger options", Rec, event_triggers, wire.event_triggers, W_TRIGGERS) },
      { LIST (3, "container configurations", HAP_CAMERA_MAX_CONTAINERS, Rec, containers,
          n_containers, &container_schema) } } };

/* Video attributes {1 width, 2 height, 3 frame rate}. */
static const Schema attributes_schema = { "video attributes", 3,
  { { UINT (1, "width", Attr, width, wire.width, W_DIMENSION) },
      { UINT (2, "height", Attr, height, wire.height, W_DIMENSION) },
      { U8 (3, "frame rate", Attr, fps) } } };

/* Video codec configuration {1 codec, 2 parameters {1 profiles, 2 levels[, 3 bitrate,
 * 4 I-frame interval]}, 3 attributes...}. The selection shape has the selection-only fields
 * and exactly one entry per list; the Supported shape ignores types 3 and 4 of the
 * parameters. */
static const Schema video_params_schema = { "video codec parameters", 2,
  { { ENUM_LIST (1, "video profiles", HAP_CAMERA_MAX_PROFILES, Vc, profiles, n_profiles) },
      { ENUM_LIST (2, "video levels", HAP_CAMERA_MAX_LEVELS, Vc, levels, n_levels) } } };
static const Schema video_codec_schema = { "video codec configuration", 3,
  { { ENUM (1, "video codec", Vc, codec) },
      { NESTED (2, "video codec parameters", &video_params_schema) },
      { LIST (3, "video attributes", HAP_CAMERA_MAX_ATTRIBUTES, Vc, attributes, n_attributes,
          &attributes_schema) } } };
static const Schema selected_video_params_schema = { "video codec parameters", 4,
  { { ENUM_LIST (1, "video profiles", 1, SelectedVideo, c.profiles, c.n_profiles) },
      { ENUM_LIST (2, "video levels", 1, SelectedVideo, c.levels, c.n_levels) },
      { UINT (3, "video bitrate", SelectedVideo, bitrate_kbps, bitrate_width, W_BITRATE),
          .selection = TRUE },
      { UINT (4, "I-frame interval", SelectedVideo, iframe_interval_ms, iframe_width, W_IFRAME),
          .selection = TRUE } } };
static const Schema selected_video_schema = { "video codec configuration", 3,
  { { ENUM (1, "video codec", SelectedVideo, c.codec) },
      { NESTED (2, "video codec parameters", &selected_video_params_schema) },
      { LIST (3, "video attributes", 1, SelectedVideo, c.attributes, c.n_attributes,
          &attributes_schema) } } };

/* Audio codec configuration {1 codec, 2 parameters {1 channels, 2 bitrate modes, 3 sample
 * rates[, 4 max bitrate]}}, shapes as for video. */
static const Schema audio_params_schema = { "audio codec parameters", 3,
  { { U8 (1, "audio channels", Ac, channels) },
      { ENUM_LIST (2, "audio bitrate modes", HAP_CAMERA_MAX_BITRATE_MODES, Ac, bitrate_modes,
          n_bitrate_modes) },
      { ENUM_LIST (3, "audio sample rates", HAP_CAMERA_MAX_SAMPLE_RATES, Ac, sample_rates,
          n_sample_rates) } } };
static const Schema audio_codec_schema = { "audio codec configuration", 2,
  { { ENUM (1, "audio codec", Ac, codec) },
      { NESTED (2, "audio codec parameters", &audio_params_schema) } } };
static const Schema selected_audio_params_schema = { "audio codec parameters", 4,
  { { U8 (1, "audio channels", SelectedAudio, c.channels) },
      { ENUM_LIST (
          2, "audio bitrate modes", 1, SelectedAudio, c.bitrate_modes, c.n_bitrate_modes) },
      { ENUM_LIST (3, "audio sample rates", 1, SelectedAudio, c.sample_rates, c.n_sample_rates) },
      { UINT (
            4, "audio max bitrate", SelectedAudio, max_bitrate_kbps, max_bitrate_width, W_BITRATE),
          .selection = TRUE } } };
static const Schema selected_audio_schema = { "audio codec configuration", 2,
  { { ENUM (1, "audio codec", SelectedAudio, c.codec) },
      { NESTED (2, "audio codec parameters", &selected_audio_params_schema) } } };

/* The Supported video / audio values: {1 codec configuration} repeated. */
static const Schema video_value_schema = { "SupportedVideoRecordingConfiguration", 1,
  { { LIST (1, "video codec configurations", HAP_CAMERA_MAX_VIDEO_CODECS, HapCameraVideoConfig,
      codecs, n_codecs, &video_codec_schema) } } };
static const Schema audio_value_schema = { "SupportedAudioRecordingConfiguration", 1,
  { { LIST (1, "audio codec configurations", HAP_CAMERA_MAX_AUDIO_CODECS, HapCameraAudioConfig,
      codecs, n_codecs, &audio_codec_schema) } } };

/* ---- parsing ---------------------------------------------------------------------------- */

static gboolean parse_fields (
    const HapTlv8 *tlv, const Schema *schema, gpointer out, GError **error);

/* Parses the structure inside item `it` into `out`. */
static gboolean
parse_struct (
    const HapTlv8Item *it, const char *name, const Schema *schema, gpointer out, GError **error)
{
  g_autoptr (HapTlv8) tlv = read_nested (it, name, error);

  return tlv != NULL && parse_fields (tlv, schema, out, error);
}

static void
store_uint (guint8 *p, gsize size, guint64 v)
{
  if (size == 2)
    *(guint16 *) p = (guint16) v;
  else if (size == 4)
    *(guint32 *) p = (guint32) v;
  else
    *(guint64 *) p = v;
}

static guint64
load_uint (const guint8 *p, gsize size)
{
  return size == 2 ? *(const guint16 *) p : size == 4 ? *(const guint32 *) p : *(const guint64 *) p;
}

static gboolean
read_field (const Field *f, const Run *run, guint8 *out, GError **error)
{
  const char *name = f->spec.name;
  guint64 v;
  guint8 b;

  switch (f->kind) {
    case F_ENUM:
      if (!read_u8 (run->item[0], name, &b, error))
        return FALSE;
      *(guint *) (out + f->offset) = b;
      return TRUE;
    case F_U8:
      return read_u8 (run->item[0], name, out + f->offset, error);
    case F_UINT:
      if (!read_uint (
              run->item[0], name, G_MAXUINT64 >> (64 - 8 * f->size), &v, out + f->aux, error))
        return FALSE;
      store_uint (out + f->offset, f->size, v);
      return TRUE;
    case F_ENUM_LIST:
      *(guint *) (out + f->aux) = run->n;
      for (guint i = 0; i < run->n; i++) {
        if (!read_u8 (run->item[i], name, &b, error))
          return FALSE;
        ((guint *) (out + f->offset))[i] = b;
      }
      return TRUE;
    case F_NESTED:
      return parse_struct (run->item[0], name, f->schema, out, error);
    case F_LIST:
      *(guint *) (out + f->aux) = run->n;
      for (guint i = 0; i < run->n; i++) {
        if (!parse_struct (
                run->item[i], f->schema->name, f->schema, out + f->offset + i * f->size, error)) {
          g_prefix_error (error, "%s %u: ", f->schema->name, i);
          return FALSE;
        }
      }
      return TRUE;
  }
  g_assert_not_reached ();
}

/* Sorts the items of `tlv` into the fields of `schema`, requires every field and reads it
 * into `out`: first the fields of both shapes, then the selection-only ones. */
static gboolean
parse_fields (const HapTlv8 *tlv, const Schema *schema, gpointer out, GError **error)
{
  FieldSpec specs[MAX_FIELDS];
  Run runs[MAX_FIELDS];

  for (guint i = 0; i < schema->n_fields; i++)
    specs[i] = schema->fields[i].spec;
  if (!split_fields (tlv, specs, schema->n_fields, runs, error))
    return FALSE;
  for (gboolean selection = FALSE; selection <= TRUE; selection++) {
    for (guint i = 0; i < schema->n_fields; i++)
      if (schema->fields[i].selection == selection && !require (&runs[i], specs[i].name, error))
        return FALSE;
    for (guint i = 0; i < schema->n_fields; i++)
      if (schema->fields[i].selection == selection
          && !read_field (&schema->fields[i], &runs[i], out, error))
        return FALSE;
  }
  return TRUE;
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
  HapCameraRecordingConfig gen = { 0 };
  SelectedVideo video = { 0 };
  SelectedAudio audio = { 0 };

  if (!split_fields (tlv, specs, G_N_ELEMENTS (specs), runs, error))
    return FALSE;
  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    if (!require (&runs[s], specs[s].name, error))
      return FALSE;

  if (!parse_struct (runs[0].item[0], specs[0].name, &general_schema, &gen, error)) {
    g_prefix_error (error, "general: ");
    return FALSE;
  }
  if (gen.n_containers != 1) {
    g_set_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED,
        "general: %u container configurations, expected 1", gen.n_containers);
    return FALSE;
  }
  out->general.prebuffer_ms = gen.prebuffer_ms;
  out->general.event_triggers = gen.event_triggers;
  out->general.container = gen.containers[0];
  out->wire.prebuffer_ms = gen.wire.prebuffer_ms;
  out->wire.event_triggers = gen.wire.event_triggers;

  if (!parse_struct (
          runs[1].item[0], selected_video_schema.name, &selected_video_schema, &video, error)) {
    g_prefix_error (error, "video: ");
    return FALSE;
  }
  out->video.codec = video.c.codec;
  out->video.profile = video.c.profiles[0];
  out->video.level = video.c.levels[0];
  out->video.bitrate_kbps = video.bitrate_kbps;
  out->video.iframe_interval_ms = video.iframe_interval_ms;
  out->video.attributes = video.c.attributes[0];
  out->wire.video_bitrate_kbps = video.bitrate_width;
  out->wire.iframe_interval_ms = video.iframe_width;

  if (!parse_struct (
          runs[2].item[0], selected_audio_schema.name, &selected_audio_schema, &audio, error)) {
    g_prefix_error (error, "audio: ");
    return FALSE;
  }
  out->audio.codec = audio.c.codec;
  out->audio.channels = audio.c.channels;
  out->audio.bitrate_mode = audio.c.bitrate_modes[0];
  out->audio.sample_rate = audio.c.sample_rates[0];
  out->audio.max_bitrate_kbps = audio.max_bitrate_kbps;
  out->wire.audio_max_bitrate_kbps = audio.max_bitrate_width;
  return TRUE;
}

static gboolean
validate_value (const Schema *schema, gconstpointer cfg, GError **error)
{
  if (schema == &general_schema)
    return hap_camera_recording_config_validate (cfg, error);
  if (schema == &video_value_schema)
    return hap_camera_video_config_validate (cfg, error);
  if (schema == &audio_value_schema)
    return hap_camera_audio_config_validate (cfg, error);
  return hap_camera_selected_config_validate (cfg, error);
}

/* Common part of the public parsers: `out` (`size` bytes) is zeroed, filled from the
 * structure (`schema`, or the selection without one) and validated; on failure it is zeroed
 * again, and the error is logged and reported prefixed by the value's name. */
static HapParseResult
parse_value (const guint8 *data, gsize len, const char *what, const Schema *schema, gpointer out,
    gsize size, GError **error)
{
  g_autoptr (HapTlv8) tlv = NULL;
  GError *local = NULL;

  memset (out, 0, size);
  tlv = hap_tlv8_parse (data, len, &local);
  if (tlv != NULL
      && (schema ? parse_fields (tlv, schema, out, &local) : parse_selected (tlv, out, &local))
      && validate_value (schema, out, &local))
    return HAP_PARSE_OK;
  memset (out, 0, size);
  g_prefix_error (&local, "%s: ", what);
  g_debug ("camera-tlv: rejected %s", local->message);
  g_propagate_error (error, local);
  return HAP_PARSE_INVALID;
}

#define CHECK_PARSE_ARGS()                                                     \
  G_STMT_START                                                                 \
  {                                                                            \
    g_return_val_if_fail (data != NULL || len == 0, HAP_PARSE_INVALID);        \
    g_return_val_if_fail (out != NULL, HAP_PARSE_INVALID);                     \
    g_return_val_if_fail (error == NULL || *error == NULL, HAP_PARSE_INVALID); \
  }                                                                            \
  G_STMT_END

HapParseResult
hap_camera_recording_config_parse (
    const guint8 *data, gsize len, HapCameraRecordingConfig *out, GError **error)
{
  CHECK_PARSE_ARGS ();
  return parse_value (data, len, "SupportedCameraRecordingConfiguration", &general_schema, out,
      sizeof (*out), error);
}

HapParseResult
hap_camera_video_config_parse (
    const guint8 *data, gsize len, HapCameraVideoConfig *out, GError **error)
{
  CHECK_PARSE_ARGS ();
  return parse_value (
      data, len, video_value_schema.name, &video_value_schema, out, sizeof (*out), error);
}

HapParseResult
hap_camera_audio_config_parse (
    const guint8 *data, gsize len, HapCameraAudioConfig *out, GError **error)
{
  CHECK_PARSE_ARGS ();
  return parse_value (
      data, len, audio_value_schema.name, &audio_value_schema, out, sizeof (*out), error);
}

HapParseResult
hap_camera_selected_config_parse (
    const guint8 *data, gsize len, HapCameraSelectedConfig *out, GError **error)
{
  CHECK_PARSE_ARGS ();
  return parse_value (
      data, len, "SelectedCameraRecordingConfiguration", NULL, out, sizeof (*out), error);
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

static void build_fields (HapTlv8Writer *w, const Schema *schema, gconstpointer in);

/* Writes an item of `type` holding the structure `in`. */
static void
put_struct (HapTlv8Writer *w, guint8 type, const Schema *schema, gconstpointer in)
{
  HapTlv8Writer child;

  hap_tlv8_writer_init (&child);
  build_fields (&child, schema, in);
  hap_tlv8_add_writer (w, type, &child);
  hap_tlv8_writer_clear (&child);
}

/* Writes the fields of `in` (not wrapped in an item); lists separated by empty items. */
static void
build_fields (HapTlv8Writer *w, const Schema *schema, gconstpointer in)
{
  const guint8 *base = in;

  for (guint k = 0; k < schema->n_fields; k++) {
    const Field *f = &schema->fields[k];
    guint8 type = f->spec.type;
    guint n = f->kind == F_ENUM_LIST || f->kind == F_LIST ? *(const guint *) (base + f->aux) : 1;

    for (guint i = 0; i < n; i++) {
      if (i > 0)
        hap_tlv8_add_separator (w, LIST_SEPARATOR);
      switch (f->kind) {
        case F_ENUM:
        case F_ENUM_LIST:
          hap_tlv8_add_u8 (w, type, (guint8) ((const guint *) (base + f->offset))[i]);
          break;
        case F_U8:
          hap_tlv8_add_u8 (w, type, base[f->offset]);
          break;
        case F_UINT:
          put_uint (w, type, load_uint (base + f->offset, f->size), base[f->aux], f->canonical);
          break;
        case F_NESTED:
          put_struct (w, type, f->schema, in);
          break;
        case F_LIST:
          put_struct (w, type, f->schema, base + f->offset + i * f->size);
          break;
      }
    }
  }
}

/* Common part of the public builders: the bytes of `cfg` if `valid`. */
static GBytes *
build_value (gboolean valid, const Schema *schema, gconstpointer cfg)
{
  HapTlv8Writer w;
  GBytes *bytes;

  if (!valid)
    return NULL;
  hap_tlv8_writer_init (&w);
  build_fields (&w, schema, cfg);
  bytes = hap_tlv8_writer_take_bytes (&w);
  hap_tlv8_writer_clear (&w);
  return bytes;
}

GBytes *
hap_camera_recording_config_build (const HapCameraRecordingConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return build_value (hap_camera_recording_config_validate (cfg, error), &general_schema, cfg);
}

GBytes *
hap_camera_video_config_build (const HapCameraVideoConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return build_value (hap_camera_video_config_validate (cfg, error), &video_value_schema, cfg);
}

GBytes *
hap_camera_audio_config_build (const HapCameraAudioConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return build_value (hap_camera_audio_config_validate (cfg, error), &audio_value_schema, cfg);
}

GBytes *
hap_camera_selected_config_build (const HapCameraSelectedConfig *cfg, GError **error)
{
  HapTlv8Writer w;
  GBytes *bytes;
  /* The selection written as the selection shapes of the Supported values, as parsed. */
  HapCameraRecordingConfig gen = { 0 };
  SelectedVideo video = { 0 };
  SelectedAudio audio = { 0 };

  g_return_val_if_fail (cfg != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!hap_camera_selected_config_validate (cfg, error))
    return NULL;

  gen.prebuffer_ms = cfg->general.prebuffer_ms;
  gen.event_triggers = cfg->general.event_triggers;
  gen.n_containers = 1;
  gen.containers[0] = cfg->general.container;
  gen.wire.prebuffer_ms = cfg->wire.prebuffer_ms;
  gen.wire.event_triggers = cfg->wire.event_triggers;

  video.c.codec = cfg->video.codec;
  video.c.n_profiles = 1;
  video.c.profiles[0] = cfg->video.profile;
  video.c.n_levels = 1;
  video.c.levels[0] = cfg->video.level;
  video.c.n_attributes = 1;
  video.c.attributes[0] = cfg->video.attributes;
  video.bitrate_kbps = cfg->video.bitrate_kbps;
  video.bitrate_width = cfg->wire.video_bitrate_kbps;
  video.iframe_interval_ms = cfg->video.iframe_interval_ms;
  video.iframe_width = cfg->wire.iframe_interval_ms;

  audio.c.codec = cfg->audio.codec;
  audio.c.channels = cfg->audio.channels;
  audio.c.n_bitrate_modes = 1;
  audio.c.bitrate_modes[0] = cfg->audio.bitrate_mode;
  audio.c.n_sample_rates = 1;
  audio.c.sample_rates[0] = cfg->audio.sample_rate;
  audio.max_bitrate_kbps = cfg->audio.max_bitrate_kbps;
  audio.max_bitrate_width = cfg->wire.audio_max_bitrate_kbps;

  hap_tlv8_writer_init (&w);
  put_struct (&w, 1, &general_schema, &gen);
  put_struct (&w, 2, &selected_video_schema, &video);
  put_struct (&w, 3, &selected_audio_schema, &audio);
  bytes = hap_tlv8_writer_take_bytes (&w);
  hap_tlv8_writer_clear (&w);
  return bytes;
}

/* ---- equality --------------------------------------------------------------------------- */

/* Field by field as described by `schema`; `wire` widths are not compared, and a list longer
 * than its field allows is never equal. */
static gboolean
struct_equal (const Schema *schema, gconstpointer a, gconstpointer b)
{
  const guint8 *x = a, *y = b;

  for (guint k = 0; k < schema->n_fields; k++) {
    const Field *f = &schema->fields[k];
    gsize o = f->offset;
    guint n;

    switch (f->kind) {
      case F_ENUM:
        if (*(const guint *) (x + o) != *(const guint *) (y + o))
          return FALSE;
        break;
      case F_U8:
        if (x[o] != y[o])
          return FALSE;
        break;
      case F_UINT:
        if (load_uint (x + o, f->size) != load_uint (y + o, f->size))
          return FALSE;
        break;
      case F_NESTED:
        if (!struct_equal (f->schema, a, b))
          return FALSE;
        break;
      case F_ENUM_LIST:
      case F_LIST:
        n = *(const guint *) (x + f->aux);
        if (n != *(const guint *) (y + f->aux) || n > f->spec.max)
          return FALSE;
        for (guint i = 0; i < n; i++) {
          if (f->kind == F_ENUM_LIST
                  ? ((const guint *) (x + o))[i] != ((const guint *) (y + o))[i]
                  : !struct_equal (f->schema, x + o + i * f->size, y + o + i * f->size))
            return FALSE;
        }
        break;
    }
  }
  return TRUE;
}

static gboolean
container_equal (const HapCameraContainer *a, const HapCameraContainer *b)
{
  return struct_equal (&container_schema, a, b);
}

static gboolean
attributes_equal (const HapCameraVideoAttributes *a, const HapCameraVideoAttributes *b)
{
  return struct_equal (&attributes_schema, a, b);
}

gboolean
hap_camera_recording_config_equal (
    const HapCameraRecordingConfig *a, const HapCameraRecordingConfig *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return struct_equal (&general_schema, a, b);
}

gboolean
hap_camera_video_config_equal (const HapCameraVideoConfig *a, const HapCameraVideoConfig *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return struct_equal (&video_value_schema, a, b);
}

gboolean
hap_camera_audio_config_equal (const HapCameraAudioConfig *a, const HapCameraAudioConfig *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return struct_equal (&audio_value_schema, a, b);
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

/* Whether `v` is among the first `n` (at most `max`) entries of a list of enumerated values. */
static gboolean
enum_in (const guint *values, guint n, guint max, guint v)
{
  for (guint i = 0; i < MIN (n, max); i++)
    if (values[i] == v)
      return TRUE;
  return FALSE;
}

static gboolean
video_codec_offers (const HapCameraVideoCodecConfig *c, const HapCameraSelectedConfig *sel)
{
  gboolean attr = FALSE;

  if (c->codec != sel->video.codec
      || !enum_in (
          (const guint *) c->profiles, c->n_profiles, HAP_CAMERA_MAX_PROFILES, sel->video.profile)
      || !enum_in ((const guint *) c->levels, c->n_levels, HAP_CAMERA_MAX_LEVELS, sel->video.level))
    return FALSE;
  for (guint i = 0; i < MIN (c->n_attributes, HAP_CAMERA_MAX_ATTRIBUTES); i++)
    attr = attr || attributes_equal (&c->attributes[i], &sel->video.attributes);
  return attr;
}

static gboolean
audio_codec_offers (const HapCameraAudioCodecConfig *c, const HapCameraSelectedConfig *sel)
{
  return c->codec == sel->audio.codec && c->channels == sel->audio.channels
         && enum_in ((const guint *) c->bitrate_modes, c->n_bitrate_modes,
             HAP_CAMERA_MAX_BITRATE_MODES, sel->audio.bitrate_mode)
         && enum_in ((const guint *) c->sample_rates, c->n_sample_rates,
             HAP_CAMERA_MAX_SAMPLE_RATES, sel->audio.sample_rate);
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
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "selected prebuffer %u ms is over the supported %u ms", sel->general.prebuffer_ms,
        recording->prebuffer_ms);
  if ((sel->general.event_triggers & ~recording->event_triggers) != 0)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "selected event triggers 0x%" G_GINT64_MODIFIER
        "x are not all supported (0x%" G_GINT64_MODIFIER "x)",
        sel->general.event_triggers, recording->event_triggers);
  for (guint i = 0; i < MIN (recording->n_containers, HAP_CAMERA_MAX_CONTAINERS); i++)
    found = found || container_equal (&recording->containers[i], &sel->general.container);
  if (!found)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "selected container %u with %u ms fragments is not supported",
        (guint) sel->general.container.type, sel->general.container.fragment_length_ms);

  found = FALSE;
  for (guint i = 0; i < MIN (video->n_codecs, HAP_CAMERA_MAX_VIDEO_CODECS); i++)
    found = found || video_codec_offers (&video->codecs[i], sel);
  if (!found)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "selected video codec %u profile %u level %u %ux%u@%u is not supported",
        (guint) sel->video.codec, (guint) sel->video.profile, (guint) sel->video.level,
        (guint) sel->video.attributes.width, (guint) sel->video.attributes.height,
        (guint) sel->video.attributes.fps);

  found = FALSE;
  for (guint i = 0; i < MIN (audio->n_codecs, HAP_CAMERA_MAX_AUDIO_CODECS); i++)
    found = found || audio_codec_offers (&audio->codecs[i], sel);
  if (!found)
    return hap_codec_fail (error, HAP_CODEC_ERROR_OUT_OF_RANGE,
        "selected audio codec %u, %u channels, bitrate mode %u, sample rate %u is not "
        "supported",
        (guint) sel->audio.codec, (guint) sel->audio.channels, (guint) sel->audio.bitrate_mode,
        (guint) sel->audio.sample_rate);
  return TRUE;
}

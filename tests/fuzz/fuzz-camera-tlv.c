/* libFuzzer target for hap/camera-tlv.c: parses the input as each of the four recording
 * configuration values. Whenever a parse succeeds, the value must build, the built bytes must
 * parse to an equal value, and building that again must give the same bytes (widths kept). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hap/camera-tlv.h"
#include "tests/fuzz/fuzz-target.h"

typedef union {
  HapCameraRecordingConfig general;
  HapCameraVideoConfig video;
  HapCameraAudioConfig audio;
  HapCameraSelectedConfig selected;
} AnyConfig;

typedef struct {
  HapParseResult (*parse) (const guint8 *data, gsize len, AnyConfig *out, GError **error);
  GBytes *(*build) (const AnyConfig *cfg, GError **error);
  gboolean (*equal) (const AnyConfig *a, const AnyConfig *b);
} Kind;

/* Typed wrappers (no casts between function pointer types). */
#define KIND(name, member)                                                                \
  static HapParseResult parse_##name (const guint8 *d, gsize n, AnyConfig *o, GError **e) \
  {                                                                                       \
    return hap_camera_##name##_parse (d, n, &o->member, e);                               \
  }                                                                                       \
  static GBytes *build_##name (const AnyConfig *c, GError **e)                            \
  {                                                                                       \
    return hap_camera_##name##_build (&c->member, e);                                     \
  }                                                                                       \
  static gboolean equal_##name (const AnyConfig *a, const AnyConfig *b)                   \
  {                                                                                       \
    return hap_camera_##name##_equal (&a->member, &b->member);                            \
  }

KIND (recording_config, general)
KIND (video_config, video)
KIND (audio_config, audio)
KIND (selected_config, selected)

static const Kind kinds[] = {
  { parse_recording_config, build_recording_config, equal_recording_config },
  { parse_video_config, build_video_config, equal_video_config },
  { parse_audio_config, build_audio_config, equal_audio_config },
  { parse_selected_config, build_selected_config, equal_selected_config },
};

static void
check_kind (const Kind *kind, const uint8_t *data, size_t size)
{
  AnyConfig *first = g_new (AnyConfig, 1);
  AnyConfig *second = g_new (AnyConfig, 1);
  GError *error = NULL;
  GBytes *built = NULL, *rebuilt = NULL;

  if (kind->parse (data, size, first, &error) != HAP_PARSE_OK) {
    if (error == NULL)
      abort (); /* an invalid value must say why */
    g_error_free (error);
    goto out;
  }
  if (error != NULL)
    abort ();
  built = kind->build (first, &error);
  if (built == NULL)
    abort (); /* whatever parses must build */
  if (kind->parse (g_bytes_get_data (built, NULL), g_bytes_get_size (built), second, &error)
      != HAP_PARSE_OK)
    abort ();
  if (!kind->equal (first, second))
    abort ();
  rebuilt = kind->build (second, &error);
  if (rebuilt == NULL || !g_bytes_equal (built, rebuilt))
    abort ();
  /* Building never grows the value: widths are kept, unknown items and empty trailing
   * fragments are dropped. */
  if (g_bytes_get_size (built) > size)
    abort ();

out:
  g_clear_pointer (&built, g_bytes_unref);
  g_clear_pointer (&rebuilt, g_bytes_unref);
  g_free (first);
  g_free (second);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > 4096)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    check_kind (&kinds[i], data, size);
  return 0;
}

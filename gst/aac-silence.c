/* libgsthksv: AAC silence frames and AudioSpecificConfig (see aac-silence.h). */
#include "gst/aac-silence.h"

G_DEFINE_QUARK (hksv - aac - error - quark, hksv_aac_error)

typedef struct {
  GByteArray *buf;
  guint bit; /* bits used in the last byte (0 = start a new byte) */
} BitWriter;

static void
put_bits (BitWriter *w, guint32 value, guint n)
{
  for (guint i = n; i > 0; i--) {
    guint8 b = (value >> (i - 1)) & 1;
    if (w->bit == 0) {
      guint8 zero = 0;
      g_byte_array_append (w->buf, &zero, 1);
    }
    w->buf->data[w->buf->len - 1] |= b << (7 - w->bit);
    w->bit = (w->bit + 1) % 8;
  }
}

static GBytes *
finish (BitWriter *w)
{
  /* byte_alignment(): the remaining bits of the last byte are already zero */
  return g_byte_array_free_to_bytes (w->buf);
}

static const guint rates[]
    = { 96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350 };

static gboolean
check_args (HksvAacObjectType aot, guint sample_rate, guint channels, GError **error)
{
  if (aot != HKSV_AAC_OBJECT_LC && aot != HKSV_AAC_OBJECT_ELD) {
    g_set_error (error, HKSV_AAC_ERROR, HKSV_AAC_ERROR_UNSUPPORTED,
        "AAC object type %d is not supported (AAC-LC 2 or AAC-ELD 39)", (gint) aot);
    return FALSE;
  }
  if (channels < 1 || channels > 2) {
    g_set_error (error, HKSV_AAC_ERROR, HKSV_AAC_ERROR_UNSUPPORTED,
        "%u audio channels: silence is made for mono or stereo", channels);
    return FALSE;
  }
  if (sample_rate == 0 || sample_rate > 96000) {
    g_set_error (error, HKSV_AAC_ERROR, HKSV_AAC_ERROR_UNSUPPORTED,
        "sample rate %u Hz is not supported", sample_rate);
    return FALSE;
  }
  return TRUE;
}

guint
hksv_aac_frame_samples (HksvAacObjectType object_type)
{
  return object_type == HKSV_AAC_OBJECT_ELD ? 512 : 1024;
}

GBytes *
hksv_aac_audio_specific_config (
    HksvAacObjectType aot, guint sample_rate, guint channels, GError **error)
{
  BitWriter w = { g_byte_array_new (), 0 };
  guint idx = 15;

  if (!check_args (aot, sample_rate, channels, error)) {
    g_byte_array_unref (w.buf);
    return NULL;
  }
  for (guint i = 0; i < G_N_ELEMENTS (rates); i++) {
    if (rates[i] == sample_rate)
      idx = i;
  }
  if (aot == HKSV_AAC_OBJECT_ELD) {
    put_bits (&w, 31, 5); /* audioObjectType escape */
    put_bits (&w, 39 - 32, 6);
  } else {
    put_bits (&w, 2, 5);
  }
  put_bits (&w, idx, 4);
  if (idx == 15)
    put_bits (&w, sample_rate, 24);
  put_bits (&w, channels, 4); /* channelConfiguration 1 or 2 */
  if (aot == HKSV_AAC_OBJECT_ELD) {
    /* ELDSpecificConfig */
    put_bits (&w, 0, 1); /* frameLengthFlag: 512 samples */
    put_bits (&w, 0, 3); /* section, scalefactor, spectral data resilience flags */
    put_bits (&w, 0, 1); /* ldSbrPresentFlag */
    put_bits (&w, 0, 4); /* eldExtType: ELDEXT_TERM */
    put_bits (&w, 0, 2); /* epConfig (error resilient object types) */
  } else {
    /* GASpecificConfig */
    put_bits (&w, 0, 1); /* frameLengthFlag: 1024 samples */
    put_bits (&w, 0, 1); /* dependsOnCoreCoder */
    put_bits (&w, 0, 1); /* extensionFlag */
  }
  return finish (&w);
}

/* individual_channel_stream (common_window 0) with nothing coded: global_gain, an ics_info with
 * max_sfb 0 (so no section, scale factor or spectral data), and the tool flags all off. */
static void
put_empty_ics (BitWriter *w, gboolean eld)
{
  put_bits (w, 0, 8); /* global_gain (no band uses it) */
  if (!eld) {
    put_bits (w, 0, 1); /* ics_reserved_bit */
    put_bits (w, 0, 2); /* window_sequence: ONLY_LONG_SEQUENCE */
    put_bits (w, 0, 1); /* window_shape */
  }
  put_bits (w, 0, 6); /* max_sfb */
  if (!eld) {
    put_bits (w, 0, 1); /* predictor_data_present */
    put_bits (w, 0, 1); /* pulse_data_present */
  }
  put_bits (w, 0, 1); /* tns_data_present */
  if (!eld)
    put_bits (w, 0, 1); /* gain_control_data_present */
}

GBytes *
hksv_aac_silence_frame (HksvAacObjectType aot, guint sample_rate, guint channels, GError **error)
{
  BitWriter w = { g_byte_array_new (), 0 };

  if (!check_args (aot, sample_rate, channels, error)) {
    g_byte_array_unref (w.buf);
    return NULL;
  }
  if (aot == HKSV_AAC_OBJECT_LC) {
    /* raw_data_block(): one element, then ID_END */
    put_bits (&w, channels == 1 ? 0 : 1, 3); /* id_syn_ele: ID_SCE / ID_CPE */
    put_bits (&w, 0, 4);                     /* element_instance_tag */
    if (channels == 2)
      put_bits (&w, 0, 1); /* common_window */
    for (guint c = 0; c < channels; c++)
      put_empty_ics (&w, FALSE);
    put_bits (&w, 7, 3); /* ID_END */
  } else {
    /* er_raw_data_block() for channel configuration 1 or 2: the elements are implied by the
     * configuration, ELD writes no element_instance_tag. */
    if (channels == 2)
      put_bits (&w, 0, 1); /* common_window */
    for (guint c = 0; c < channels; c++)
      put_empty_ics (&w, TRUE);
    /* Zero padding: decoders that do read a 4-bit element tag still see only zeros. */
    put_bits (&w, 0, 8);
  }
  return finish (&w);
}

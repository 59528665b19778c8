/* libgsthksv: the tracks the fMP4 writer accepts (fmp4-writer-private.h): video size, audio
 * format and codec_data checked just enough to refuse what a hub could not decode; an AAC
 * track's frame length from its AudioSpecificConfig. */
#include "gst/fmp4-writer-private.h"

gboolean
hksv_fmp4_fail (GError **error, gint code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (HKSV_FMP4_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

/* Walks `count` NAL units of 16-bit length at data[*pos]; each must be of `type` (H.264 when
 * hevc is FALSE). */
static gboolean
walk_nals (const guint8 *data, gsize len, gsize *pos, guint count, gboolean hevc, gint type)
{
  for (guint i = 0; i < count; i++) {
    gsize nal_len;
    gint t;

    if (*pos + 2 > len)
      return FALSE;
    nal_len = ((gsize) data[*pos] << 8) | data[*pos + 1];
    *pos += 2;
    if (nal_len < 1 || *pos + nal_len > len)
      return FALSE;
    t = hevc ? (data[*pos] >> 1) & 0x3f : data[*pos] & 0x1f;
    if (type >= 0 && t != type)
      return FALSE;
    *pos += nal_len;
  }
  return TRUE;
}

static gboolean
check_avcc (const guint8 *d, gsize len, GError **error)
{
  gsize pos = 6;
  guint n_sps, n_pps;

  if (len < 7 || d[0] != 1)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "H.264 codec_data is not an AVCDecoderConfigurationRecord (version 1, %" G_GSIZE_FORMAT
        " bytes): is the stream stream-format=avc?",
        len);
  if ((d[4] & 3) == 2)
    return hksv_fmp4_fail (
        error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "avcC: NAL length size 3 is invalid");
  n_sps = d[5] & 0x1f;
  if (n_sps == 0 || !walk_nals (d, len, &pos, n_sps, FALSE, 7))
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "avcC: no valid SPS");
  if (pos >= len)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "avcC: no PPS");
  n_pps = d[pos++];
  if (n_pps == 0 || !walk_nals (d, len, &pos, n_pps, FALSE, 8))
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "avcC: no valid PPS");
  return TRUE;
}

static gboolean
check_hvcc (const guint8 *d, gsize len, GError **error)
{
  gsize pos = 23;
  gboolean have[3] = { FALSE, FALSE, FALSE };

  if (len < 23 || d[0] != 1)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "H.265 codec_data is not an HEVCDecoderConfigurationRecord (version 1, %" G_GSIZE_FORMAT
        " bytes): is the stream stream-format=hvc1?",
        len);
  if ((d[21] & 3) == 2)
    return hksv_fmp4_fail (
        error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "hvcC: NAL length size 3 is invalid");
  for (guint a = 0; a < d[22]; a++) {
    guint type, count;

    if (pos + 3 > len)
      return hksv_fmp4_fail (
          error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "hvcC: truncated NAL array");
    type = d[pos] & 0x3f;
    count = ((guint) d[pos + 1] << 8) | d[pos + 2];
    pos += 3;
    if (!walk_nals (d, len, &pos, count, TRUE, (gint) type))
      return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "hvcC: truncated NAL unit");
    if (type >= 32 && type <= 34 && count > 0)
      have[type - 32] = TRUE;
  }
  if (!have[0] || !have[1] || !have[2])
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "hvcC: VPS, SPS and PPS are all required (stream-format=hvc1, not hev1)");
  return TRUE;
}

typedef struct {
  const guint8 *d;
  gsize len, bit;
} Bits;

static gboolean
bits_get (Bits *b, guint n, guint32 *out)
{
  guint32 v = 0;

  if (b->bit + n > b->len * 8)
    return FALSE;
  for (guint i = 0; i < n; i++, b->bit++)
    v = (v << 1) | ((b->d[b->bit / 8] >> (7 - b->bit % 8)) & 1);
  *out = v;
  return TRUE;
}

static const guint aac_rates[]
    = { 96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350 };

static gboolean
check_asc (Track *t, const guint8 *d, gsize len, GError **error)
{
  Bits b = { d, len, 0 };
  guint32 aot, idx, rate, chans, flag = 0;
  guint32 want = t->info.codec == HKSV_CODEC_AAC_ELD ? 39 : 2;

  if (!bits_get (&b, 5, &aot))
    return hksv_fmp4_fail (
        error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig is empty");
  if (aot == 31) {
    if (!bits_get (&b, 6, &aot))
      return hksv_fmp4_fail (
          error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
    aot += 32;
  }
  if (aot != want)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "AudioSpecificConfig has audio object type %u, the track is %s (object type %u)", aot,
        want == 39 ? "AAC-ELD" : "AAC-LC", want);
  if (!bits_get (&b, 4, &idx))
    return hksv_fmp4_fail (
        error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
  if (idx == 15) {
    if (!bits_get (&b, 24, &rate))
      return hksv_fmp4_fail (
          error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
  } else if (idx < G_N_ELEMENTS (aac_rates)) {
    rate = aac_rates[idx];
  } else {
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "AudioSpecificConfig: reserved sampling frequency index %u", idx);
  }
  if (!bits_get (&b, 4, &chans))
    return hksv_fmp4_fail (
        error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
  if (rate != t->info.sample_rate || chans != t->info.channels)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "AudioSpecificConfig says %u Hz, channel configuration %u; the track says %u Hz, %u "
        "channels",
        rate, chans, t->info.sample_rate, t->info.channels);
  /* GASpecificConfig / ELDSpecificConfig both start with frameLengthFlag. */
  if (!bits_get (&b, 1, &flag))
    return hksv_fmp4_fail (
        error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
  if (aot == 39)
    t->frame_samples = flag ? 480 : 512;
  else
    t->frame_samples = flag ? 960 : 1024;
  return TRUE;
}

static void
queued_sample_clear (gpointer p)
{
  QueuedSample *s = p;
  g_clear_pointer (&s->data, g_bytes_unref);
}

gboolean
hksv_fmp4_track_setup (Track *t, const HksvTrackInfo *info, GError **error)
{
  const guint8 *cd;
  gsize cd_len;

  t->info = *info;
  t->info.codec_data = NULL;
  t->video = info->codec == HKSV_CODEC_H264 || info->codec == HKSV_CODEC_H265;
  if (t->video) {
    if (info->width == 0 || info->height == 0 || info->width > 0xffff || info->height > 0xffff)
      return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_TRACK, "video size %ux%u is invalid",
          info->width, info->height);
  } else if (info->codec == HKSV_CODEC_AAC_LC || info->codec == HKSV_CODEC_AAC_ELD) {
    if (info->sample_rate == 0 || info->sample_rate > 0xffff || info->channels == 0
        || info->channels > 7)
      return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_TRACK,
          "audio with %u Hz and %u channels is not supported", info->sample_rate, info->channels);
  } else {
    return hksv_fmp4_fail (
        error, HKSV_FMP4_ERROR_INVALID_TRACK, "unknown codec %d", (gint) info->codec);
  }
  if (!info->codec_data || g_bytes_get_size (info->codec_data) == 0)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "codec_data is required");
  cd = g_bytes_get_data (info->codec_data, &cd_len);
  if (cd_len > 0xffff)
    return hksv_fmp4_fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "codec_data is too large");
  switch (info->codec) {
    case HKSV_CODEC_H264:
      if (!check_avcc (cd, cd_len, error))
        return FALSE;
      break;
    case HKSV_CODEC_H265:
      if (!check_hvcc (cd, cd_len, error))
        return FALSE;
      break;
    default:
      if (!check_asc (t, cd, cd_len, error))
        return FALSE;
      break;
  }
  t->info.codec_data = g_bytes_ref (info->codec_data);
  t->timescale = info->timescale ? info->timescale : t->video ? 90000 : info->sample_rate;
  t->queue = g_array_new (FALSE, TRUE, sizeof (QueuedSample));
  g_array_set_clear_func (t->queue, queued_sample_clear);
  return TRUE;
}

void
hksv_fmp4_track_clear (Track *t)
{
  g_clear_pointer (&t->info.codec_data, g_bytes_unref);
  g_clear_pointer (&t->queue, g_array_unref);
}

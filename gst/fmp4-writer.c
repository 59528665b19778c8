/* libgsthksv: fragmented MP4 writer for HKSV recordings (see fmp4-writer.h for the layout). */
#include "gst/fmp4-writer.h"

#include "gst/mp4-box-writer.h"

#include <string.h>

G_DEFINE_QUARK (hksv - fmp4 - error - quark, hksv_fmp4_error)

#define NS_PER_S G_GINT64_CONSTANT (1000000000)
/* Bounds that keep every timestamp difference far from overflow. */
#define MAX_SPAN ((guint64) 100 * 3600 * NS_PER_S) /* a recording */
#define MAX_OFFSET ((guint64) 3600 * NS_PER_S)     /* PTS - DTS, a duration, end_ns - DTS */

/* Sample flags of ISO/IEC 14496-12 8.8.3.1, as the real camera writes them. */
#define FLAGS_SYNC 0x02000000u     /* sample_depends_on = 2 (does not depend on others) */
#define FLAGS_NON_SYNC 0x01010000u /* sample_depends_on = 1, sample_is_non_sync_sample */

#define TFHD_DEFAULT_SAMPLE_FLAGS 0x000020u
#define TFHD_DEFAULT_BASE_IS_MOOF 0x020000u
#define TRUN_DATA_OFFSET 0x000001u
#define TRUN_FIRST_SAMPLE_FLAGS 0x000004u
#define TRUN_DURATION 0x000100u
#define TRUN_SIZE 0x000200u
#define TRUN_FLAGS 0x000400u
#define TRUN_CTS 0x000800u

typedef struct {
  gint64 dts, pts;
  guint64 duration;
  gboolean sync;
  GBytes *data;
} QueuedSample;

typedef struct {
  HksvTrackInfo info;
  gboolean video;
  guint32 timescale;
  guint frame_samples; /* audio: samples per AAC frame */
  gboolean started;
  gint64 origin;         /* first DTS of the recording on this track (ns) */
  gint64 last_dts;       /* last queued DTS (ns) */
  guint64 next_tick;     /* tfdt of the next fragment */
  guint64 last_duration; /* ticks, last sample of the previous fragment */
  GArray *queue;         /* QueuedSample */
} Track;

struct _HksvFmp4Writer {
  Track tracks[HKSV_FMP4_MAX_TRACKS];
  guint n_tracks;
  HksvFmp4Options options;
  guint32 sequence;
  GBytes *init;
};

/* One sample laid out in a fragment. */
typedef struct {
  guint64 tick; /* decode time */
  guint32 duration;
  guint32 cts;
  guint32 size;
  gboolean sync;
  GBytes *data;
} LaidSample;

typedef struct {
  guint first, count; /* into the track's LaidSample array */
  gsize data_offset_pos;
} Run;

typedef struct {
  GArray *samples; /* LaidSample */
  GArray *runs;    /* Run */
  guint64 tfdt;
  gboolean cts;
} Traf;

/* ---- codec_data validation (just enough to refuse what a hub could not decode) ---- */

static gboolean fail (GError **error, gint code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, gint code, const char *format, ...)
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
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "H.264 codec_data is not an AVCDecoderConfigurationRecord (version 1, %" G_GSIZE_FORMAT
        " bytes): is the stream stream-format=avc?",
        len);
  if ((d[4] & 3) == 2)
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "avcC: NAL length size 3 is invalid");
  n_sps = d[5] & 0x1f;
  if (n_sps == 0 || !walk_nals (d, len, &pos, n_sps, FALSE, 7))
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "avcC: no valid SPS");
  if (pos >= len)
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "avcC: no PPS");
  n_pps = d[pos++];
  if (n_pps == 0 || !walk_nals (d, len, &pos, n_pps, FALSE, 8))
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "avcC: no valid PPS");
  return TRUE;
}

static gboolean
check_hvcc (const guint8 *d, gsize len, GError **error)
{
  gsize pos = 23;
  gboolean have[3] = { FALSE, FALSE, FALSE };

  if (len < 23 || d[0] != 1)
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "H.265 codec_data is not an HEVCDecoderConfigurationRecord (version 1, %" G_GSIZE_FORMAT
        " bytes): is the stream stream-format=hvc1?",
        len);
  if ((d[21] & 3) == 2)
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "hvcC: NAL length size 3 is invalid");
  for (guint a = 0; a < d[22]; a++) {
    guint type, count;

    if (pos + 3 > len)
      return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "hvcC: truncated NAL array");
    type = d[pos] & 0x3f;
    count = ((guint) d[pos + 1] << 8) | d[pos + 2];
    pos += 3;
    if (!walk_nals (d, len, &pos, count, TRUE, (gint) type))
      return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "hvcC: truncated NAL unit");
    if (type >= 32 && type <= 34 && count > 0)
      have[type - 32] = TRUE;
  }
  if (!have[0] || !have[1] || !have[2])
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
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
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig is empty");
  if (aot == 31) {
    if (!bits_get (&b, 6, &aot))
      return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
    aot += 32;
  }
  if (aot != want)
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "AudioSpecificConfig has audio object type %u, the track is %s (object type %u)", aot,
        want == 39 ? "AAC-ELD" : "AAC-LC", want);
  if (!bits_get (&b, 4, &idx))
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
  if (idx == 15) {
    if (!bits_get (&b, 24, &rate))
      return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
  } else if (idx < G_N_ELEMENTS (aac_rates)) {
    rate = aac_rates[idx];
  } else {
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "AudioSpecificConfig: reserved sampling frequency index %u", idx);
  }
  if (!bits_get (&b, 4, &chans))
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
  if (rate != t->info.sample_rate || chans != t->info.channels)
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA,
        "AudioSpecificConfig says %u Hz, channel configuration %u; the track says %u Hz, %u "
        "channels",
        rate, chans, t->info.sample_rate, t->info.channels);
  /* GASpecificConfig / ELDSpecificConfig both start with frameLengthFlag. */
  if (!bits_get (&b, 1, &flag))
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "AudioSpecificConfig truncated");
  if (aot == 39)
    t->frame_samples = flag ? 480 : 512;
  else
    t->frame_samples = flag ? 960 : 1024;
  return TRUE;
}

/* ---- writer ---- */

static void
queued_sample_clear (gpointer p)
{
  QueuedSample *s = p;
  g_clear_pointer (&s->data, g_bytes_unref);
}

static gboolean
track_setup (Track *t, const HksvTrackInfo *info, GError **error)
{
  const guint8 *cd;
  gsize cd_len;

  t->info = *info;
  t->info.codec_data = NULL;
  t->video = info->codec == HKSV_CODEC_H264 || info->codec == HKSV_CODEC_H265;
  if (t->video) {
    if (info->width == 0 || info->height == 0 || info->width > 0xffff || info->height > 0xffff)
      return fail (error, HKSV_FMP4_ERROR_INVALID_TRACK, "video size %ux%u is invalid", info->width,
          info->height);
  } else if (info->codec == HKSV_CODEC_AAC_LC || info->codec == HKSV_CODEC_AAC_ELD) {
    if (info->sample_rate == 0 || info->sample_rate > 0xffff || info->channels == 0
        || info->channels > 7)
      return fail (error, HKSV_FMP4_ERROR_INVALID_TRACK,
          "audio with %u Hz and %u channels is not supported", info->sample_rate, info->channels);
  } else {
    return fail (error, HKSV_FMP4_ERROR_INVALID_TRACK, "unknown codec %d", (gint) info->codec);
  }
  if (!info->codec_data || g_bytes_get_size (info->codec_data) == 0)
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "codec_data is required");
  cd = g_bytes_get_data (info->codec_data, &cd_len);
  if (cd_len > 0xffff)
    return fail (error, HKSV_FMP4_ERROR_INVALID_CODEC_DATA, "codec_data is too large");
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

static void
track_clear (Track *t)
{
  g_clear_pointer (&t->info.codec_data, g_bytes_unref);
  g_clear_pointer (&t->queue, g_array_unref);
}

HksvFmp4Writer *
hksv_fmp4_writer_new (
    const HksvTrackInfo *tracks, guint n_tracks, const HksvFmp4Options *options, GError **error)
{
  HksvFmp4Writer *w;

  g_return_val_if_fail (tracks != NULL || n_tracks == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_tracks == 0 || n_tracks > HKSV_FMP4_MAX_TRACKS) {
    fail (error, HKSV_FMP4_ERROR_INVALID_TRACK, "%u tracks: a recording has 1 or 2", n_tracks);
    return NULL;
  }
  w = g_new0 (HksvFmp4Writer, 1);
  if (options)
    w->options = *options;
  w->sequence = 1;
  for (guint i = 0; i < n_tracks; i++) {
    if (!track_setup (&w->tracks[i], &tracks[i], error)) {
      w->n_tracks = i + 1;
      hksv_fmp4_writer_free (w);
      return NULL;
    }
    w->n_tracks = i + 1;
  }
  if (n_tracks == 2 && w->tracks[0].video == w->tracks[1].video) {
    fail (error, HKSV_FMP4_ERROR_INVALID_TRACK, "two %s tracks: at most one video and one audio",
        w->tracks[0].video ? "video" : "audio");
    hksv_fmp4_writer_free (w);
    return NULL;
  }
  if (n_tracks == 2 && !w->tracks[0].video) {
    fail (error, HKSV_FMP4_ERROR_INVALID_TRACK, "the video track must come first");
    hksv_fmp4_writer_free (w);
    return NULL;
  }
  return w;
}

void
hksv_fmp4_writer_free (HksvFmp4Writer *w)
{
  if (!w)
    return;
  for (guint i = 0; i < w->n_tracks; i++)
    track_clear (&w->tracks[i]);
  g_clear_pointer (&w->init, g_bytes_unref);
  g_free (w);
}

guint32
hksv_fmp4_writer_next_sequence (HksvFmp4Writer *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return w->sequence;
}

guint32
hksv_fmp4_writer_timescale (HksvFmp4Writer *w, guint track)
{
  g_return_val_if_fail (w != NULL && track < w->n_tracks, 0);
  return w->tracks[track].timescale;
}

guint
hksv_fmp4_writer_queued (HksvFmp4Writer *w, guint track)
{
  g_return_val_if_fail (w != NULL && track < w->n_tracks, 0);
  return w->tracks[track].queue->len;
}

/* ---- init segment ---- */

static const guint32 unity_matrix[9] = { 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000 };

static void
put_matrix (HksvBoxWriter *b)
{
  for (guint i = 0; i < G_N_ELEMENTS (unity_matrix); i++)
    hksv_box_writer_u32 (b, unity_matrix[i]);
}

/* MPEG-4 descriptor (ISO/IEC 14496-1 expandable size): tag, size, then the caller's bytes. */
static void
put_descriptor_header (HksvBoxWriter *b, guint8 tag, gsize size)
{
  guint8 len[4];
  guint n = 0;

  hksv_box_writer_u8 (b, tag);
  do {
    len[n++] = size & 0x7f;
    size >>= 7;
  } while (size && n < 4);
  while (n--)
    hksv_box_writer_u8 (b, len[n] | (n ? 0x80 : 0));
}

static gsize
descriptor_size (gsize payload)
{
  gsize n = 1;
  for (gsize s = payload >> 7; s; s >>= 7)
    n++;
  return 1 + n + payload;
}

static void
put_esds (HksvBoxWriter *b, const Track *t)
{
  gsize asc_len;
  const guint8 *asc = g_bytes_get_data (t->info.codec_data, &asc_len);
  gsize dsi = descriptor_size (asc_len);
  gsize dcd = descriptor_size (13 + dsi);
  gsize sl = descriptor_size (1);
  gsize box = hksv_box_writer_open_full (b, "esds", 0, 0);

  put_descriptor_header (b, 0x03, 3 + dcd + sl); /* ES_Descriptor */
  hksv_box_writer_u16 (b, 0);                    /* ES_ID */
  hksv_box_writer_u8 (b, 0);                     /* no dependency, URL or OCR stream */
  put_descriptor_header (b, 0x04, 13 + dsi);     /* DecoderConfigDescriptor */
  hksv_box_writer_u8 (b, 0x40);                  /* objectTypeIndication: MPEG-4 audio */
  hksv_box_writer_u8 (b, 0x15);                  /* streamType 5 (audio) << 2 | reserved 1 */
  hksv_box_writer_u24 (b, 0);                    /* bufferSizeDB */
  hksv_box_writer_u32 (b, t->info.bitrate);      /* maxBitrate */
  hksv_box_writer_u32 (b, t->info.bitrate);      /* avgBitrate */
  put_descriptor_header (b, 0x05, asc_len);      /* DecoderSpecificInfo */
  hksv_box_writer_bytes (b, asc, asc_len);
  put_descriptor_header (b, 0x06, 1); /* SLConfigDescriptor */
  hksv_box_writer_u8 (b, 0x02);       /* predefined: MP4 */
  hksv_box_writer_close (b, box);
}

static void
put_sample_entry (HksvBoxWriter *b, const Track *t)
{
  gsize cd_len;
  const guint8 *cd = g_bytes_get_data (t->info.codec_data, &cd_len);
  gsize entry, box;

  if (t->video) {
    gboolean hevc = t->info.codec == HKSV_CODEC_H265;
    guint8 name[32] = { 4 };

    memcpy (name + 1, hevc ? "h265" : "h264", 4);
    entry = hksv_box_writer_open (b, hevc ? "hvc1" : "avc1");
    hksv_box_writer_zeros (b, 6);
    hksv_box_writer_u16 (b, 1); /* data_reference_index */
    hksv_box_writer_zeros (b, 16);
    hksv_box_writer_u16 (b, (guint16) t->info.width);
    hksv_box_writer_u16 (b, (guint16) t->info.height);
    hksv_box_writer_u32 (b, 0x00480000); /* 72 dpi */
    hksv_box_writer_u32 (b, 0x00480000);
    hksv_box_writer_u32 (b, 0);
    hksv_box_writer_u16 (b, 1); /* frame_count */
    hksv_box_writer_bytes (b, name, sizeof name);
    hksv_box_writer_u16 (b, 0x0018); /* depth */
    hksv_box_writer_u16 (b, 0xffff); /* pre_defined = -1 */
    box = hksv_box_writer_open (b, hevc ? "hvcC" : "avcC");
    hksv_box_writer_bytes (b, cd, cd_len);
    hksv_box_writer_close (b, box);
  } else {
    entry = hksv_box_writer_open (b, "mp4a");
    hksv_box_writer_zeros (b, 6);
    hksv_box_writer_u16 (b, 1);
    hksv_box_writer_zeros (b, 8);
    hksv_box_writer_u16 (b, (guint16) t->info.channels);
    hksv_box_writer_u16 (b, 16); /* samplesize */
    hksv_box_writer_u32 (b, 0);
    hksv_box_writer_u32 (b, t->info.sample_rate << 16);
    put_esds (b, t);
  }
  hksv_box_writer_close (b, entry);
}

static void
put_empty_table (HksvBoxWriter *b, const char *type)
{
  gsize box = hksv_box_writer_open_full (b, type, 0, 0);
  if (strcmp (type, "stsz") == 0)
    hksv_box_writer_u32 (b, 0); /* sample_size */
  hksv_box_writer_u32 (b, 0);   /* entry / sample count */
  hksv_box_writer_close (b, box);
}

static void
put_trak (HksvBoxWriter *b, const Track *t, guint32 track_id)
{
  gsize trak = hksv_box_writer_open (b, "trak");
  gsize box, mdia, minf, dinf, stbl;
  const char *handler = t->video ? "Video Handler" : "Sound Handler";

  box = hksv_box_writer_open_full (b, "tkhd", 0, 7); /* enabled, in movie, in preview */
  hksv_box_writer_u32 (b, 0);                        /* creation_time */
  hksv_box_writer_u32 (b, 0);                        /* modification_time */
  hksv_box_writer_u32 (b, track_id);
  hksv_box_writer_u32 (b, 0);
  hksv_box_writer_u32 (b, 0); /* duration: fragmented */
  hksv_box_writer_zeros (b, 8);
  hksv_box_writer_u16 (b, 0); /* layer */
  hksv_box_writer_u16 (b, 0); /* alternate_group */
  hksv_box_writer_u16 (b, t->video ? 0 : 0x0100);
  hksv_box_writer_u16 (b, 0);
  put_matrix (b);
  hksv_box_writer_u32 (b, t->video ? t->info.width << 16 : 0);
  hksv_box_writer_u32 (b, t->video ? t->info.height << 16 : 0);
  hksv_box_writer_close (b, box);

  mdia = hksv_box_writer_open (b, "mdia");
  box = hksv_box_writer_open_full (b, "mdhd", 0, 0);
  hksv_box_writer_u32 (b, 0);
  hksv_box_writer_u32 (b, 0);
  hksv_box_writer_u32 (b, t->timescale);
  hksv_box_writer_u32 (b, 0);
  hksv_box_writer_u16 (b, 0x55c4); /* language "und" */
  hksv_box_writer_u16 (b, 0);
  hksv_box_writer_close (b, box);
  box = hksv_box_writer_open_full (b, "hdlr", 0, 0);
  hksv_box_writer_u32 (b, 0);
  hksv_box_writer_fourcc (b, t->video ? "vide" : "soun");
  hksv_box_writer_zeros (b, 12);
  hksv_box_writer_bytes (b, (const guint8 *) handler, strlen (handler) + 1);
  hksv_box_writer_close (b, box);

  minf = hksv_box_writer_open (b, "minf");
  if (t->video) {
    box = hksv_box_writer_open_full (b, "vmhd", 0, 1);
    hksv_box_writer_zeros (b, 8); /* graphicsmode, opcolor */
  } else {
    box = hksv_box_writer_open_full (b, "smhd", 0, 0);
    hksv_box_writer_zeros (b, 4); /* balance, reserved */
  }
  hksv_box_writer_close (b, box);
  dinf = hksv_box_writer_open (b, "dinf");
  box = hksv_box_writer_open_full (b, "dref", 0, 0);
  hksv_box_writer_u32 (b, 1);
  hksv_box_writer_close (b, hksv_box_writer_open_full (b, "url ", 0, 1)); /* self-contained */
  hksv_box_writer_close (b, box);
  hksv_box_writer_close (b, dinf);

  stbl = hksv_box_writer_open (b, "stbl");
  box = hksv_box_writer_open_full (b, "stsd", 0, 0);
  hksv_box_writer_u32 (b, 1);
  put_sample_entry (b, t);
  hksv_box_writer_close (b, box);
  put_empty_table (b, "stsz");
  put_empty_table (b, "stsc");
  put_empty_table (b, "stts");
  put_empty_table (b, "stco");
  hksv_box_writer_close (b, stbl);
  hksv_box_writer_close (b, minf);
  hksv_box_writer_close (b, mdia);
  hksv_box_writer_close (b, trak);
}

GBytes *
hksv_fmp4_writer_init_segment (HksvFmp4Writer *w)
{
  HksvBoxWriter b;
  gsize box, moov, mvex;

  g_return_val_if_fail (w != NULL, NULL);
  if (w->init)
    return g_bytes_ref (w->init);

  hksv_box_writer_init (&b);
  box = hksv_box_writer_open (&b, "ftyp");
  hksv_box_writer_fourcc (&b, "mp42");
  hksv_box_writer_u32 (&b, 1);
  hksv_box_writer_fourcc (&b, "isom");
  hksv_box_writer_fourcc (&b, "mp42");
  hksv_box_writer_fourcc (&b, "avc1");
  hksv_box_writer_close (&b, box);

  moov = hksv_box_writer_open (&b, "moov");
  box = hksv_box_writer_open_full (&b, "mvhd", 0, 0);
  hksv_box_writer_u32 (&b, 0);
  hksv_box_writer_u32 (&b, 0);
  hksv_box_writer_u32 (&b, 1000); /* movie timescale */
  hksv_box_writer_u32 (&b, 0);
  hksv_box_writer_u32 (&b, 0x00010000); /* rate 1.0 */
  hksv_box_writer_u16 (&b, 0x0100);     /* volume 1.0 */
  hksv_box_writer_zeros (&b, 10);
  put_matrix (&b);
  hksv_box_writer_zeros (&b, 24);
  hksv_box_writer_u32 (&b, 0xffffffff); /* next_track_ID, as the real camera writes it */
  hksv_box_writer_close (&b, box);
  for (guint i = 0; i < w->n_tracks; i++)
    put_trak (&b, &w->tracks[i], i + 1);
  mvex = hksv_box_writer_open (&b, "mvex");
  box = hksv_box_writer_open_full (&b, "mehd", 0, 0);
  hksv_box_writer_u32 (&b, 0);
  hksv_box_writer_close (&b, box);
  for (guint i = 0; i < w->n_tracks; i++) {
    box = hksv_box_writer_open_full (&b, "trex", 0, 0);
    hksv_box_writer_u32 (&b, i + 1);
    hksv_box_writer_u32 (&b, 1); /* default_sample_description_index */
    hksv_box_writer_u32 (&b, 0);
    hksv_box_writer_u32 (&b, 0);
    hksv_box_writer_u32 (&b, 0);
    hksv_box_writer_close (&b, box);
  }
  hksv_box_writer_close (&b, mvex);
  hksv_box_writer_close (&b, moov);

  w->init = hksv_box_writer_take_bytes (&b);
  hksv_box_writer_clear (&b);
  return g_bytes_ref (w->init);
}

/* ---- samples ---- */

gboolean
hksv_fmp4_writer_add_sample (
    HksvFmp4Writer *w, guint track, const HksvSample *sample, GError **error)
{
  Track *t;
  QueuedSample q;

  g_return_val_if_fail (w != NULL, FALSE);
  g_return_val_if_fail (track < w->n_tracks, FALSE);
  g_return_val_if_fail (sample != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  t = &w->tracks[track];
  if (!sample->data || g_bytes_get_size (sample->data) == 0)
    return fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE, "empty sample on track %u", track);
  if (g_bytes_get_size (sample->data) > G_MAXUINT32 / 4)
    return fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE, "sample of %" G_GSIZE_FORMAT " bytes",
        g_bytes_get_size (sample->data));
  if (!t->started && t->video && !sample->sync)
    return fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "the first video sample of a recording must be a sync sample (IDR)");
  if (t->started && sample->dts <= t->last_dts)
    return fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "DTS %" G_GINT64_FORMAT " ns on track %u does not increase (previous %" G_GINT64_FORMAT
        " ns)",
        sample->dts, track, t->last_dts);
  if (t->video && sample->pts < sample->dts)
    return fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "PTS %" G_GINT64_FORMAT " ns before DTS %" G_GINT64_FORMAT " ns on track %u", sample->pts,
        sample->dts, track);
  if (t->started && t->video && sample->pts < t->origin)
    return fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "PTS %" G_GINT64_FORMAT " ns before the track's first DTS %" G_GINT64_FORMAT " ns",
        sample->pts, t->origin);
  /* Differences in unsigned arithmetic: defined for any input, exact once ordered. */
  if (t->started && (guint64) sample->dts - (guint64) t->origin > MAX_SPAN)
    return fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "DTS more than 100 hours after the recording's start");
  if (t->video && (guint64) sample->pts - (guint64) sample->dts > MAX_OFFSET)
    return fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "PTS %" G_GINT64_FORMAT " ns more than an hour after DTS %" G_GINT64_FORMAT " ns",
        sample->pts, sample->dts);
  if (sample->duration > MAX_OFFSET)
    return fail (error, HKSV_FMP4_ERROR_INVALID_SAMPLE,
        "sample duration %" G_GUINT64_FORMAT " ns is over an hour", sample->duration);

  if (!t->started) {
    t->started = TRUE;
    t->origin = sample->dts;
  }
  t->last_dts = sample->dts;
  q.dts = sample->dts;
  q.pts = t->video ? sample->pts : sample->dts;
  q.duration = sample->duration;
  q.sync = t->video ? sample->sync : TRUE;
  q.data = g_bytes_ref (sample->data);
  g_array_append_val (t->queue, q);
  return TRUE;
}

/* Rebased nanoseconds (>= 0) to ticks, rounded to nearest, without overflow. */
static guint64
to_ticks (const Track *t, gint64 rel_ns)
{
  guint64 ns = rel_ns > 0 ? (guint64) rel_ns : 0;
  return ns / NS_PER_S * t->timescale + (ns % NS_PER_S * t->timescale + NS_PER_S / 2) / NS_PER_S;
}

static guint64
ticks_to_ns (const Track *t, guint64 ticks)
{
  return ticks / t->timescale * NS_PER_S + ticks % t->timescale * NS_PER_S / t->timescale;
}

static guint64
nominal_duration (const Track *t)
{
  if (t->video)
    return MAX (1, t->timescale / 30);
  return MAX (1, (guint64) t->frame_samples * t->timescale / t->info.sample_rate);
}

static void
lay_out_track (Track *t, gint64 end_ns, Traf *traf)
{
  GArray *q = t->queue;
  guint n = q->len;

  traf->samples = g_array_sized_new (FALSE, TRUE, sizeof (LaidSample), n);
  traf->runs = g_array_new (FALSE, TRUE, sizeof (Run));
  traf->tfdt = t->next_tick;
  traf->cts = FALSE;
  g_array_set_size (traf->samples, n);
  for (guint i = 0; i < n; i++) {
    QueuedSample *s = &g_array_index (q, QueuedSample, i);
    LaidSample *l = &g_array_index (traf->samples, LaidSample, i);
    guint64 real = to_ticks (t, s->dts - t->origin);

    /* The first sample sits at the tfdt that continues the previous fragment; later ones at
     * their own time, strictly increasing. */
    if (i == 0)
      l->tick = t->next_tick;
    else
      l->tick = MAX (real, g_array_index (traf->samples, LaidSample, i - 1).tick + 1);
    l->size = (guint32) g_bytes_get_size (s->data);
    l->sync = s->sync;
    l->data = s->data;
  }
  for (guint i = 0; i < n; i++) {
    QueuedSample *s = &g_array_index (q, QueuedSample, i);
    LaidSample *l = &g_array_index (traf->samples, LaidSample, i);
    guint64 pts, dur;

    if (i + 1 < n) {
      dur = g_array_index (traf->samples, LaidSample, i + 1).tick - l->tick;
    } else {
      gint64 end = -1;
      if (s->duration > 0)
        end = s->dts + (gint64) s->duration;
      else if (t->video && end_ns > s->dts && (guint64) end_ns - (guint64) s->dts <= MAX_OFFSET)
        end = end_ns;
      if (end > s->dts)
        dur = to_ticks (t, end - t->origin) > l->tick ? to_ticks (t, end - t->origin) - l->tick : 1;
      else if (!t->video)
        dur = nominal_duration (t);
      else if (n >= 2)
        dur = g_array_index (traf->samples, LaidSample, n - 2).duration;
      else if (t->last_duration)
        dur = t->last_duration;
      else
        dur = nominal_duration (t);
    }
    l->duration = (guint32) MIN (dur, G_MAXUINT32);
    pts = to_ticks (t, s->pts - t->origin);
    l->cts = pts > l->tick ? (guint32) MIN (pts - l->tick, G_MAXUINT32) : 0;
    if (l->cts)
      traf->cts = TRUE;
  }
  if (n) {
    LaidSample *last = &g_array_index (traf->samples, LaidSample, n - 1);
    t->next_tick = last->tick + last->duration;
    t->last_duration = last->duration;
  }
}

/* Cuts the lead track (the first with samples) into runs of about interleave_ns; the other
 * track's runs end where the lead's do (a sample belongs to the run during which it starts), so
 * that the runs alternate in time. */
static void
split_runs (HksvFmp4Writer *w, Traf *trafs)
{
  guint64 interleave = w->options.interleave_ns;
  gint lead = -1;
  GArray *bounds = g_array_new (FALSE, FALSE, sizeof (guint64)); /* lead run ends, rebased ns */

  for (guint i = 0; i < w->n_tracks; i++) {
    if (trafs[i].samples->len) {
      lead = (gint) i;
      break;
    }
  }
  if (lead >= 0) {
    Traf *tr = &trafs[lead];
    Track *t = &w->tracks[lead];
    Run run = { 0, 0, 0 };
    guint64 start = g_array_index (tr->samples, LaidSample, 0).tick;
    guint64 grid = 1; /* index of the next run boundary */

    /* Run k starts at the first sample at or after fragment start + k * interleave (the
     * camera's cut points exactly; a grid, so short and long runs do not accumulate). */
    for (guint i = 0; i < tr->samples->len; i++) {
      LaidSample *l = &g_array_index (tr->samples, LaidSample, i);
      guint64 at = ticks_to_ns (t, l->tick - start);

      if (interleave > 0 && run.count > 0 && at >= grid * interleave) {
        guint64 end = ticks_to_ns (t, l->tick);
        g_array_append_val (tr->runs, run);
        g_array_append_val (bounds, end);
        run.first = i;
        run.count = 0;
        while (at >= grid * interleave)
          grid++;
      }
      run.count++;
    }
    g_array_append_val (tr->runs, run);
  }
  for (guint k = 0; k < w->n_tracks; k++) {
    Traf *tr = &trafs[k];
    Track *t = &w->tracks[k];
    Run run = { 0, 0, 0 };
    guint b = 0;

    if ((gint) k == lead || tr->samples->len == 0)
      continue;
    for (guint i = 0; i < tr->samples->len; i++) {
      guint64 start = ticks_to_ns (t, g_array_index (tr->samples, LaidSample, i).tick);
      while (b < bounds->len && start >= g_array_index (bounds, guint64, b)) {
        if (run.count)
          g_array_append_val (tr->runs, run);
        run.first = i;
        run.count = 0;
        b++;
      }
      run.count++;
    }
    g_array_append_val (tr->runs, run);
  }
  g_array_unref (bounds);
}

static void
put_traf (HksvBoxWriter *b, const Track *t, guint32 track_id, Traf *tr)
{
  gsize traf = hksv_box_writer_open (b, "traf");
  gsize box;
  guint32 tfhd_flags = TFHD_DEFAULT_BASE_IS_MOOF | (t->video ? TFHD_DEFAULT_SAMPLE_FLAGS : 0);

  box = hksv_box_writer_open_full (b, "tfhd", 0, tfhd_flags);
  hksv_box_writer_u32 (b, track_id);
  if (t->video)
    hksv_box_writer_u32 (b, FLAGS_NON_SYNC);
  hksv_box_writer_close (b, box);
  box = hksv_box_writer_open_full (b, "tfdt", 1, 0);
  hksv_box_writer_u64 (b, tr->tfdt);
  hksv_box_writer_close (b, box);

  for (guint r = 0; r < tr->runs->len; r++) {
    Run *run = &g_array_index (tr->runs, Run, r);
    LaidSample *first = &g_array_index (tr->samples, LaidSample, run->first);
    guint32 flags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | (tr->cts ? TRUN_CTS : 0);
    gboolean later_sync = FALSE;

    if (t->video) {
      for (guint i = 1; i < run->count; i++)
        later_sync |= g_array_index (tr->samples, LaidSample, run->first + i).sync;
      if (later_sync)
        flags |= TRUN_FLAGS;
      else if (first->sync)
        flags |= TRUN_FIRST_SAMPLE_FLAGS;
    }
    box = hksv_box_writer_open_full (b, "trun", 0, flags);
    hksv_box_writer_u32 (b, run->count);
    run->data_offset_pos = hksv_box_writer_len (b);
    hksv_box_writer_u32 (b, 0); /* patched once the moof size is known */
    if (flags & TRUN_FIRST_SAMPLE_FLAGS)
      hksv_box_writer_u32 (b, FLAGS_SYNC);
    for (guint i = 0; i < run->count; i++) {
      LaidSample *l = &g_array_index (tr->samples, LaidSample, run->first + i);
      hksv_box_writer_u32 (b, l->duration);
      hksv_box_writer_u32 (b, l->size);
      if (flags & TRUN_FLAGS)
        hksv_box_writer_u32 (b, l->sync ? FLAGS_SYNC : FLAGS_NON_SYNC);
      if (flags & TRUN_CTS)
        hksv_box_writer_u32 (b, l->cts);
    }
    hksv_box_writer_close (b, box);
  }
  hksv_box_writer_close (b, traf);
}

GBytes *
hksv_fmp4_writer_finish_fragment (HksvFmp4Writer *w, gint64 end_ns)
{
  Traf trafs[HKSV_FMP4_MAX_TRACKS];
  HksvBoxWriter b;
  gsize moof, box, mdat;
  guint total = 0, max_runs = 0;
  GBytes *out;

  g_return_val_if_fail (w != NULL, NULL);
  for (guint i = 0; i < w->n_tracks; i++)
    total += w->tracks[i].queue->len;
  if (total == 0)
    return NULL;

  for (guint i = 0; i < w->n_tracks; i++)
    lay_out_track (&w->tracks[i], end_ns, &trafs[i]);
  split_runs (w, trafs);

  hksv_box_writer_init (&b);
  moof = hksv_box_writer_open (&b, "moof");
  box = hksv_box_writer_open_full (&b, "mfhd", 0, 0);
  hksv_box_writer_u32 (&b, w->sequence);
  hksv_box_writer_close (&b, box);
  for (guint i = 0; i < w->n_tracks; i++) {
    put_traf (&b, &w->tracks[i], i + 1, &trafs[i]);
    max_runs = MAX (max_runs, trafs[i].runs->len);
  }
  hksv_box_writer_close (&b, moof);

  /* mdat: run k of every track, then run k + 1, ... */
  mdat = hksv_box_writer_open (&b, "mdat");
  for (guint r = 0; r < max_runs; r++) {
    for (guint i = 0; i < w->n_tracks; i++) {
      Run *run;

      if (r >= trafs[i].runs->len)
        continue;
      run = &g_array_index (trafs[i].runs, Run, r);
      hksv_box_writer_patch_u32 (
          &b, run->data_offset_pos, (guint32) (hksv_box_writer_len (&b) - moof));
      for (guint s = 0; s < run->count; s++) {
        LaidSample *l = &g_array_index (trafs[i].samples, LaidSample, run->first + s);
        gsize len;
        const guint8 *data = g_bytes_get_data (l->data, &len);
        hksv_box_writer_bytes (&b, data, len);
      }
    }
  }
  hksv_box_writer_close (&b, mdat);

  for (guint i = 0; i < w->n_tracks; i++) {
    g_array_unref (trafs[i].samples);
    g_array_unref (trafs[i].runs);
    g_array_set_size (w->tracks[i].queue, 0);
  }
  w->sequence++;
  out = hksv_box_writer_take_bytes (&b);
  hksv_box_writer_clear (&b);
  return out;
}

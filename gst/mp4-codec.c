/* libgsthksv: codec configuration records and NAL framing (see mp4-codec.h). */
#include "gst/mp4-codec.h"

#include "gst/mp4-box-reader.h"

#include <string.h>

static gboolean invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (
      error, g_error_new_valist (HKSV_BOX_ERROR, HKSV_BOX_ERROR_INVALID, format, args));
  va_end (args);
  return FALSE;
}

/* ---- bit reader over an RBSP (emulation prevention removed) ---- */

typedef struct {
  guint8 *d;
  gsize len, bit;
  gboolean overrun;
} Bits;

static guint32
bits_get (Bits *b, guint n)
{
  guint32 v = 0;

  if (b->bit + n > b->len * 8) {
    b->overrun = TRUE;
    b->bit = b->len * 8;
    return 0;
  }
  for (guint i = 0; i < n; i++, b->bit++)
    v = (v << 1) | ((b->d[b->bit / 8] >> (7 - b->bit % 8)) & 1);
  return v;
}

static void
bits_skip (Bits *b, guint n)
{
  while (n > 32) {
    bits_get (b, 32);
    n -= 32;
  }
  bits_get (b, n);
}

/* Exp-Golomb; values that need more than 31 leading zeros are treated as an overrun. */
static guint32
bits_ue (Bits *b)
{
  guint zeros = 0;

  while (!b->overrun && bits_get (b, 1) == 0) {
    if (++zeros > 31) {
      b->overrun = TRUE;
      return 0;
    }
  }
  if (b->overrun)
    return 0;
  return (guint32) (((guint64) 1 << zeros) - 1 + bits_get (b, zeros));
}

static gint32
bits_se (Bits *b)
{
  guint32 k = bits_ue (b);
  return (k & 1) ? (gint32) ((k + 1) / 2) : -(gint32) (k / 2);
}

/* Copies the NAL payload after `header` bytes without emulation prevention bytes. */
static guint8 *
unescape (const guint8 *nal, gsize len, gsize header, gsize *out_len)
{
  guint8 *out = g_malloc (len > header ? len - header : 1);
  gsize n = 0, zeros = 0;

  for (gsize i = header; i < len; i++) {
    if (zeros >= 2 && nal[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] == 0 ? zeros + 1 : 0;
    out[n++] = nal[i];
  }
  *out_len = n;
  return out;
}

/* ---- H.264 ---- */

static gboolean
walk_nal_list (HksvByteReader *r, guint count, gboolean hevc, gint type, const guint8 **first,
    gsize *first_len, const char *what, GError **error)
{
  for (guint i = 0; i < count; i++) {
    guint16 n;
    const guint8 *nal;
    gint t;

    if (!hksv_byte_reader_u16 (r, &n) || !hksv_byte_reader_bytes (r, n, &nal))
      return invalid (error, "%s %u of %u is truncated", what, i + 1, count);
    if (n < (hevc ? 2u : 1u))
      return invalid (error, "%s %u is empty", what, i + 1);
    t = hevc ? (nal[0] >> 1) & 0x3f : nal[0] & 0x1f;
    if (type >= 0 && t != type)
      return invalid (error, "%s %u has NAL unit type %d, not %d", what, i + 1, t, type);
    if (first && i == 0) {
      *first = nal;
      *first_len = n;
    }
  }
  return TRUE;
}

gboolean
hksv_avcc_parse (const guint8 *data, gsize len, HksvVideoConfig *cfg, GError **error)
{
  HksvByteReader r;
  guint8 version, lsm, nsps, npps;

  g_return_val_if_fail (cfg != NULL, FALSE);
  memset (cfg, 0, sizeof *cfg);
  hksv_byte_reader_init (&r, data, len);
  if (!hksv_byte_reader_u8 (&r, &version) || !hksv_byte_reader_u8 (&r, &cfg->profile_idc)
      || !hksv_byte_reader_u8 (&r, &cfg->profile_compatibility)
      || !hksv_byte_reader_u8 (&r, &cfg->level_idc) || !hksv_byte_reader_u8 (&r, &lsm)
      || !hksv_byte_reader_u8 (&r, &nsps))
    return invalid (error, "avcC is truncated (%" G_GSIZE_FORMAT " bytes)", len);
  if (version != 1)
    return invalid (error, "avcC configurationVersion is %u, not 1", version);
  if ((lsm & 3) == 2)
    return invalid (error, "avcC lengthSizeMinusOne is 2 (3-byte NAL lengths do not exist)");
  cfg->nal_length_size = (lsm & 3) + 1;
  cfg->n_sps = nsps & 0x1f;
  if (!walk_nal_list (&r, cfg->n_sps, FALSE, 7, &cfg->sps, &cfg->sps_len, "avcC SPS", error))
    return FALSE;
  if (!hksv_byte_reader_u8 (&r, &npps))
    return invalid (error, "avcC ends before its PPS count");
  cfg->n_pps = npps;
  return walk_nal_list (&r, cfg->n_pps, FALSE, 8, NULL, NULL, "avcC PPS", error);
}

static void
skip_scaling_list (Bits *b, guint size)
{
  gint last = 8, next = 8;

  for (guint j = 0; j < size && !b->overrun; j++) {
    if (next != 0) {
      gint delta = bits_se (b);
      next = ((last + delta) % 256 + 256) % 256;
    }
    last = next == 0 ? last : next;
  }
}

gboolean
hksv_h264_sps_parse (const guint8 *nal, gsize len, HksvSpsInfo *info, GError **error)
{
  gsize rlen;
  Bits b = { 0 };
  guint chroma = 1, separate = 0, poc_type, frame_mbs_only, w_mbs, h_map;
  guint crop[4] = { 0, 0, 0, 0 };
  guint64 width, height, cux, cuy;
  gboolean ok;

  g_return_val_if_fail (info != NULL, FALSE);
  memset (info, 0, sizeof *info);
  if (len < 4 || (nal[0] & 0x1f) != 7)
    return invalid (error, "not an H.264 SPS NAL unit");
  b.d = unescape (nal, len, 1, &rlen);
  b.len = rlen;
  info->profile_idc = bits_get (&b, 8);
  bits_skip (&b, 8); /* constraint flags */
  info->level_idc = bits_get (&b, 8);
  if (bits_ue (&b) > 31)
    b.overrun = TRUE;
  switch (info->profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      chroma = bits_ue (&b);
      if (chroma > 3)
        b.overrun = TRUE;
      if (chroma == 3)
        separate = bits_get (&b, 1);
      bits_ue (&b); /* bit_depth_luma_minus8 */
      bits_ue (&b); /* bit_depth_chroma_minus8 */
      bits_get (&b, 1);
      if (bits_get (&b, 1)) {
        for (guint i = 0; i < (chroma != 3 ? 8u : 12u) && !b.overrun; i++) {
          if (bits_get (&b, 1))
            skip_scaling_list (&b, i < 6 ? 16 : 64);
        }
      }
      break;
    default:
      break;
  }
  bits_ue (&b); /* log2_max_frame_num_minus4 */
  poc_type = bits_ue (&b);
  if (poc_type == 0) {
    bits_ue (&b);
  } else if (poc_type == 1) {
    guint cycle;
    bits_get (&b, 1);
    bits_se (&b);
    bits_se (&b);
    cycle = bits_ue (&b);
    if (cycle > 255)
      b.overrun = TRUE;
    for (guint i = 0; i < cycle && !b.overrun; i++)
      bits_se (&b);
  } else if (poc_type > 2) {
    b.overrun = TRUE;
  }
  bits_ue (&b); /* max_num_ref_frames */
  bits_get (&b, 1);
  w_mbs = bits_ue (&b) + 1;
  h_map = bits_ue (&b) + 1;
  frame_mbs_only = bits_get (&b, 1);
  if (!frame_mbs_only)
    bits_get (&b, 1);
  bits_get (&b, 1); /* direct_8x8_inference_flag */
  if (bits_get (&b, 1)) {
    for (guint i = 0; i < 4; i++)
      crop[i] = bits_ue (&b);
  }
  ok = !b.overrun;
  g_free (b.d);
  if (!ok)
    return invalid (error, "H.264 SPS is truncated or malformed");
  info->chroma_format_idc = chroma;
  if (separate || chroma == 0) {
    cux = 1;
    cuy = 2 - frame_mbs_only;
  } else {
    cux = chroma == 3 ? 1 : 2;
    cuy = (chroma == 1 ? 2 : 1) * (2 - frame_mbs_only);
  }
  width = (guint64) w_mbs * 16;
  height = (guint64) h_map * 16 * (2 - frame_mbs_only);
  if (cux * ((guint64) crop[0] + crop[1]) >= width || cuy * ((guint64) crop[2] + crop[3]) >= height
      || width > 65535 || height > 65535)
    return invalid (error, "H.264 SPS gives an invalid picture size");
  info->width = (guint) (width - cux * (crop[0] + crop[1]));
  info->height = (guint) (height - cuy * (crop[2] + crop[3]));
  return TRUE;
}

/* ---- H.265 ---- */

gboolean
hksv_hvcc_parse (const guint8 *data, gsize len, HksvVideoConfig *cfg, GError **error)
{
  HksvByteReader r;
  guint8 version, b1, lsm, n_arrays;

  g_return_val_if_fail (cfg != NULL, FALSE);
  memset (cfg, 0, sizeof *cfg);
  hksv_byte_reader_init (&r, data, len);
  if (len < 23)
    return invalid (error, "hvcC is truncated (%" G_GSIZE_FORMAT " bytes, at least 23)", len);
  hksv_byte_reader_u8 (&r, &version);
  hksv_byte_reader_u8 (&r, &b1);
  if (version != 1)
    return invalid (error, "hvcC configurationVersion is %u, not 1", version);
  cfg->profile_idc = b1 & 0x1f;
  cfg->level_idc = data[12];
  lsm = data[21];
  if ((lsm & 3) == 2)
    return invalid (error, "hvcC lengthSizeMinusOne is 2 (3-byte NAL lengths do not exist)");
  cfg->nal_length_size = (lsm & 3) + 1;
  n_arrays = data[22];
  hksv_byte_reader_skip (&r, 21);
  for (guint a = 0; a < n_arrays; a++) {
    guint8 t;
    guint16 count;
    const guint8 *first = NULL;
    gsize first_len = 0;
    gint type;

    if (!hksv_byte_reader_u8 (&r, &t) || !hksv_byte_reader_u16 (&r, &count))
      return invalid (error, "hvcC NAL array %u of %u is truncated", a + 1, n_arrays);
    type = t & 0x3f;
    if (!walk_nal_list (&r, count, TRUE, type, &first, &first_len, "hvcC NAL unit", error))
      return FALSE;
    if (type == 32)
      cfg->n_vps += count;
    else if (type == 33) {
      if (!cfg->sps && first) {
        cfg->sps = first;
        cfg->sps_len = first_len;
      }
      cfg->n_sps += count;
    } else if (type == 34)
      cfg->n_pps += count;
  }
  return TRUE;
}

gboolean
hksv_h265_sps_parse (const guint8 *nal, gsize len, HksvSpsInfo *info, GError **error)
{
  gsize rlen;
  Bits b = { 0 };
  guint max_sub, chroma, width, height, sub_w, sub_h;
  guint crop[4] = { 0, 0, 0, 0 };
  gboolean profile_present[8] = { FALSE }, level_present[8] = { FALSE }, ok;

  g_return_val_if_fail (info != NULL, FALSE);
  memset (info, 0, sizeof *info);
  if (len < 4 || ((nal[0] >> 1) & 0x3f) != 33)
    return invalid (error, "not an H.265 SPS NAL unit");
  b.d = unescape (nal, len, 2, &rlen);
  b.len = rlen;
  bits_get (&b, 4); /* sps_video_parameter_set_id */
  max_sub = bits_get (&b, 3);
  bits_get (&b, 1);
  /* profile_tier_level (1, max_sub) */
  bits_get (&b, 3);
  info->profile_idc = bits_get (&b, 5);
  bits_skip (&b, 32 + 4 + 43 + 1);
  info->level_idc = bits_get (&b, 8);
  if (max_sub > 6)
    b.overrun = TRUE;
  for (guint i = 0; i < max_sub && !b.overrun; i++) {
    profile_present[i] = bits_get (&b, 1);
    level_present[i] = bits_get (&b, 1);
  }
  if (max_sub > 0)
    for (guint i = max_sub; i < 8; i++)
      bits_get (&b, 2);
  for (guint i = 0; i < max_sub && !b.overrun; i++) {
    if (profile_present[i])
      bits_skip (&b, 88);
    if (level_present[i])
      bits_skip (&b, 8);
  }
  if (bits_ue (&b) > 15) /* sps_seq_parameter_set_id */
    b.overrun = TRUE;
  chroma = bits_ue (&b);
  if (chroma > 3)
    b.overrun = TRUE;
  if (chroma == 3)
    bits_get (&b, 1);
  width = bits_ue (&b);
  height = bits_ue (&b);
  if (bits_get (&b, 1)) {
    for (guint i = 0; i < 4; i++)
      crop[i] = bits_ue (&b);
  }
  ok = !b.overrun;
  g_free (b.d);
  if (!ok)
    return invalid (error, "H.265 SPS is truncated or malformed");
  info->chroma_format_idc = chroma;
  sub_w = chroma == 1 || chroma == 2 ? 2 : 1;
  sub_h = chroma == 1 ? 2 : 1;
  if (width == 0 || height == 0 || width > 65535 || height > 65535
      || (guint64) sub_w * ((guint64) crop[0] + crop[1]) >= width
      || (guint64) sub_h * ((guint64) crop[2] + crop[3]) >= height)
    return invalid (error, "H.265 SPS gives an invalid picture size");
  info->width = width - sub_w * (crop[0] + crop[1]);
  info->height = height - sub_h * (crop[2] + crop[3]);
  return TRUE;
}

/* ---- AAC ---- */

static const guint aac_rates[]
    = { 96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350 };

gboolean
hksv_aac_config_parse (const guint8 *asc, gsize len, HksvAacConfig *cfg, GError **error)
{
  guint8 *copy;
  Bits b = { 0 };
  guint idx, flag;
  gboolean ok;

  g_return_val_if_fail (cfg != NULL, FALSE);
  memset (cfg, 0, sizeof *cfg);
  if (len < 2)
    return invalid (error, "AudioSpecificConfig of %" G_GSIZE_FORMAT " bytes is too short", len);
  copy = g_memdup2 (asc, len);
  b.d = copy;
  b.len = len;
  cfg->object_type = bits_get (&b, 5);
  if (cfg->object_type == 31)
    cfg->object_type = 32 + bits_get (&b, 6);
  idx = bits_get (&b, 4);
  if (idx == 15)
    cfg->sample_rate = bits_get (&b, 24);
  else if (idx < G_N_ELEMENTS (aac_rates))
    cfg->sample_rate = aac_rates[idx];
  cfg->channel_config = bits_get (&b, 4);
  flag = bits_get (&b, 1);
  ok = !b.overrun;
  g_free (copy);
  if (!ok)
    return invalid (error, "AudioSpecificConfig is truncated");
  if (cfg->sample_rate == 0)
    return invalid (error, "AudioSpecificConfig has no valid sampling frequency (index %u)", idx);
  if (cfg->object_type == 39)
    cfg->frame_samples = flag ? 480 : 512;
  else if (cfg->object_type == 2)
    cfg->frame_samples = flag ? 960 : 1024;
  return TRUE;
}

/* MPEG-4 descriptor header: tag, then a size in up to four 7-bit groups. */
static gboolean
read_descriptor (HksvByteReader *r, guint8 *tag, HksvByteReader *body)
{
  guint32 size = 0;
  const guint8 *p;

  if (!hksv_byte_reader_u8 (r, tag))
    return FALSE;
  for (guint i = 0; i < 4; i++) {
    guint8 c;
    if (!hksv_byte_reader_u8 (r, &c))
      return FALSE;
    size = (size << 7) | (c & 0x7f);
    if (!(c & 0x80))
      break;
    if (i == 3)
      return FALSE;
  }
  if (!hksv_byte_reader_bytes (r, size, &p))
    return FALSE;
  hksv_byte_reader_init (body, p, size);
  return TRUE;
}

gboolean
hksv_esds_parse (const guint8 *data, gsize len, HksvEsdsInfo *info, GError **error)
{
  HksvByteReader r, es, dc, dsi;
  guint8 tag, flags, b;
  guint16 id;
  guint32 buf;

  g_return_val_if_fail (info != NULL, FALSE);
  memset (info, 0, sizeof *info);
  hksv_byte_reader_init (&r, data, len);
  if (!read_descriptor (&r, &tag, &es) || tag != 0x03)
    return invalid (error, "esds does not start with an ES_Descriptor");
  if (!hksv_byte_reader_u16 (&es, &id) || !hksv_byte_reader_u8 (&es, &flags))
    return invalid (error, "ES_Descriptor is truncated");
  if ((flags & 0x80) && !hksv_byte_reader_skip (&es, 2))
    return invalid (error, "ES_Descriptor is truncated");
  if (flags & 0x40) {
    if (!hksv_byte_reader_u8 (&es, &b) || !hksv_byte_reader_skip (&es, b))
      return invalid (error, "ES_Descriptor is truncated");
  }
  if ((flags & 0x20) && !hksv_byte_reader_skip (&es, 2))
    return invalid (error, "ES_Descriptor is truncated");
  if (!read_descriptor (&es, &tag, &dc) || tag != 0x04)
    return invalid (error, "ES_Descriptor has no DecoderConfigDescriptor");
  if (!hksv_byte_reader_u8 (&dc, &info->object_type_indication) || !hksv_byte_reader_u8 (&dc, &b)
      || !hksv_byte_reader_u24 (&dc, &buf) || !hksv_byte_reader_u32 (&dc, &info->max_bitrate)
      || !hksv_byte_reader_u32 (&dc, &info->avg_bitrate))
    return invalid (error, "DecoderConfigDescriptor is truncated");
  info->stream_type = b >> 2;
  while (hksv_byte_reader_remaining (&dc) > 0) {
    if (!read_descriptor (&dc, &tag, &dsi))
      return invalid (error, "DecoderConfigDescriptor holds a truncated descriptor");
    if (tag == 0x05) {
      info->dsi = dsi.data;
      info->dsi_len = dsi.len;
      return TRUE;
    }
  }
  return invalid (error, "DecoderConfigDescriptor has no DecoderSpecificInfo");
}

/* ---- NAL framing ---- */

typedef enum {
  NAL_UNIT,         /* a NAL unit of *nal_len bytes starts at *pos */
  NAL_END,          /* *pos is the end of the data */
  NAL_SHORT_LENGTH, /* fewer bytes left than a length field */
  NAL_EMPTY,        /* a length of 0 */
  NAL_OVERRUN,      /* a length past the end */
} NalStep;

/* The length field at *pos; *pos moves past it unless fewer bytes than one are left. */
static NalStep
nal_next (const guint8 *data, gsize len, guint length_size, gsize *pos, guint64 *nal_len)
{
  if (*pos >= len)
    return NAL_END;
  if (len - *pos < length_size)
    return NAL_SHORT_LENGTH;
  *nal_len = 0;
  for (guint i = 0; i < length_size; i++)
    *nal_len = (*nal_len << 8) | data[*pos + i];
  *pos += length_size;
  if (*nal_len == 0)
    return NAL_EMPTY;
  if (*nal_len > len - *pos)
    return NAL_OVERRUN;
  return NAL_UNIT;
}

gboolean
hksv_nal_split (const guint8 *data, gsize len, guint length_size, gboolean hevc, guint64 *types,
    guint *n_nals, GError **error)
{
  gsize pos = 0;
  guint n = 0;
  guint64 mask = 0, nal_len = 0;
  NalStep step;

  g_return_val_if_fail (length_size == 1 || length_size == 2 || length_size == 4, FALSE);
  while ((step = nal_next (data, len, length_size, &pos, &nal_len)) == NAL_UNIT) {
    guint type;

    if (data[pos] & 0x80)
      return invalid (
          error, "byte %" G_GSIZE_FORMAT ": NAL unit %u has forbidden_zero_bit set", pos, n + 1);
    type = hevc ? (data[pos] >> 1) & 0x3f : data[pos] & 0x1f;
    mask |= (guint64) 1 << type;
    pos += (gsize) nal_len;
    n++;
  }
  switch (step) {
    case NAL_SHORT_LENGTH:
      return invalid (error,
          "byte %" G_GSIZE_FORMAT ": %" G_GSIZE_FORMAT " bytes left, too few for a %u-byte "
          "NAL length",
          pos, len - pos, length_size);
    case NAL_EMPTY:
      return invalid (
          error, "byte %" G_GSIZE_FORMAT ": NAL unit %u has length 0", pos - length_size, n + 1);
    case NAL_OVERRUN:
      return invalid (error,
          "byte %" G_GSIZE_FORMAT ": NAL unit %u of %" G_GUINT64_FORMAT
          " bytes runs past the sample (%" G_GSIZE_FORMAT " bytes left); start codes "
          "instead of lengths?",
          pos - length_size, n + 1, nal_len, len - pos);
    default:
      break;
  }
  if (n == 0)
    return invalid (error, "the sample is empty");
  if (types)
    *types = mask;
  if (n_nals)
    *n_nals = n;
  return TRUE;
}

gboolean
hksv_nal_framing_ok (const guint8 *data, gsize len, guint length_size)
{
  gsize pos = 0;
  guint64 nal_len = 0;
  NalStep step;

  g_return_val_if_fail (length_size == 1 || length_size == 2 || length_size == 4, FALSE);
  if (len == 0)
    return FALSE;
  while ((step = nal_next (data, len, length_size, &pos, &nal_len)) == NAL_UNIT)
    pos += (gsize) nal_len;
  return step == NAL_END;
}

gboolean
hksv_nal_types_are_idr (guint64 types, gboolean hevc)
{
  if (hevc)
    return (types & (((guint64) 1 << 22) - ((guint64) 1 << 16))) != 0;
  return (types & (1u << 5)) != 0;
}

gboolean
hksv_nal_au_is_sync (
    const guint8 *data, gsize len, guint length_size, gboolean hevc, gboolean *sync, GError **error)
{
  guint64 types = 0;

  if (sync)
    *sync = FALSE;
  if (!hksv_nal_split (data, len, length_size, hevc, &types, NULL, error))
    return FALSE;
  if (sync)
    *sync = hksv_nal_types_are_idr (types, hevc);
  return TRUE;
}

gboolean
hksv_nal_types_have_vcl (guint64 types, gboolean hevc)
{
  if (hevc)
    return (types & 0xffffffffu) != 0;
  return (types & 0x3eu) != 0;
}

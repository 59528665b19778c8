/* libgsthksv: conformance checker for HKSV recordings (see mp4-check.h, docs/fmp4.md). */
#include "gst/mp4-check.h"

#include "gst/mp4-box-reader.h"
#include "gst/mp4-codec.h"

#include <stdarg.h>
#include <string.h>

#define P HKSV_MP4_RULE_PROTOCOL
#define L HKSV_MP4_RULE_LAYOUT

/* The order of this enum is the order of `rules`. */
enum {
  R_BOX_INVALID,
  R_INIT_MISSING,
  R_INIT_LAYOUT,
  R_INIT_REPEATED,
  R_FTYP_MAJOR,
  R_FTYP_COMPATIBLE,
  R_MOOV_MVHD,
  R_MOOV_TRACK_COUNT,
  R_MOOV_AUDIO_MISSING,
  R_MOOV_AUDIO_UNEXPECTED,
  R_MOOV_EDTS,
  R_MOOV_SAMPLE_TABLE,
  R_MOOV_MVEX,
  R_MOOV_TREX,
  R_MOOV_TREX_DEFAULTS,
  R_MOOV_MEHD,
  R_TRAK_STRUCTURE,
  R_TRAK_TRACK_ID,
  R_TRAK_HANDLER,
  R_TRAK_TIMESCALE,
  R_TRAK_FLAGS,
  R_STSD_ENTRIES,
  R_STSD_CODEC,
  R_AVCC_INVALID,
  R_AVCC_SPS,
  R_AVCC_PPS,
  R_HVCC_INVALID,
  R_HVCC_PARAMETER_SETS,
  R_VIDEO_SIZE,
  R_VIDEO_SIZE_MISMATCH,
  R_ESDS_INVALID,
  R_ESDS_OBJECT_TYPE,
  R_ESDS_CONFIG_MISMATCH,
  R_FRAGMENT_LAYOUT,
  R_MOOF_STRUCTURE,
  R_MFHD_SEQUENCE,
  R_MOOF_TRAF_COUNT,
  R_TRAF_STRUCTURE,
  R_TFHD_BASE_IS_MOOF,
  R_TFHD_BASE_DATA_OFFSET,
  R_TFHD_SAMPLE_DESCRIPTION,
  R_TFHD_DEFAULT_FLAGS,
  R_TFDT_MISSING,
  R_TFDT_VERSION,
  R_TFDT_START,
  R_TFDT_DISCONTINUOUS,
  R_TRAF_EMPTY,
  R_TRUN_DATA_OFFSET,
  R_TRUN_OUTSIDE_MDAT,
  R_TRUN_OVERLAP,
  R_MDAT_UNUSED,
  R_TRUN_INTERLEAVE,
  R_SAMPLE_SIZE_ZERO,
  R_SAMPLE_DURATION_ZERO,
  R_SAMPLE_NAL_FRAMING,
  R_SAMPLE_NO_SLICE,
  R_FIRST_NOT_IDR,
  R_FIRST_NOT_SYNC,
  R_SAMPLE_IDR_NOT_SYNC,
  R_SAMPLE_NON_IDR_SYNC,
  R_FRAGMENT_SYNC_COUNT,
  R_FRAGMENT_DURATION,
  R_FRAGMENT_AV_DRIFT,
  R_SAMPLE_CTS,
  R_SAMPLE_ADTS,
  R_SAMPLE_AUDIO_NOT_SYNC,
  R_RECORDING_EMPTY,
  R_CHUNK_FIRST,
  R_CHUNK_TYPE,
  R_CHUNK_INIT_CHUNKS,
  R_CHUNK_SEQUENCE,
  R_CHUNK_NUMBER,
  R_CHUNK_LAST_FLAG,
  R_CHUNK_SIZE,
  R_CHUNK_TOTAL_SIZE,
  R_CHUNK_EOS,
  R_CHUNK_EOS_MISSING,
  R_PREBUFFER_SHORT,
  N_RULES
};

static const HksvMp4Rule rules[N_RULES] = {
  { "box.invalid", P,
      "a box header is truncated, or a box size is smaller than its header or runs past its "
      "container" },
  { "init.missing", P, "fragments without an init segment (ftyp + moov) before them" },
  { "init.layout", P, "the init segment is not exactly ftyp followed by moov" },
  { "init.repeated", P, "a second init segment" },
  { "ftyp.major-brand", P, "ftyp major brand is not mp42" },
  { "ftyp.compatible-brands", P,
      "ftyp compatible brands lack isom or mp42 (or avc1 for H.264 video)" },
  { "moov.mvhd", P, "moov has no valid mvhd (or its timescale is 0)" },
  { "moov.track-count", P, "not exactly one video track and at most one audio track" },
  { "moov.audio-missing", P, "audio is configured but the recording has no audio track" },
  { "moov.audio-unexpected", P, "audio is not configured but the recording has an audio track" },
  { "moov.edts", P, "a track has an edit list (edts)" },
  { "moov.sample-table", P,
      "a track's sample tables (stts, stsc, stsz, stco) are missing or not empty" },
  { "moov.mvex", P, "moov has no mvex: the recording is not fragmented" },
  { "moov.trex", P, "a track has no trex in mvex" },
  { "moov.trex-defaults", L, "trex default_sample_description_index is not 1" },
  { "moov.mehd", L, "mvex has no mehd" },
  { "trak.structure", P,
      "a trak lacks tkhd, mdia, mdhd, hdlr, minf, stbl or stsd, or one of them is malformed" },
  { "trak.track-id", P, "a track ID is 0 or used twice" },
  { "trak.handler", P, "a track's handler type is neither vide nor soun" },
  { "trak.timescale", P, "a track's mdhd timescale is 0" },
  { "trak.flags", L, "tkhd flags are not 7 (enabled, in movie, in preview)" },
  { "stsd.entries", P, "stsd does not hold exactly one sample entry" },
  { "stsd.codec", P, "the sample entry is not avc1 or hvc1 (video) or mp4a (audio)" },
  { "avcC.invalid", P, "the avc1 sample entry has no valid avcC" },
  { "avcC.sps", P, "avcC has no SPS that parses" },
  { "avcC.pps", P, "avcC has no PPS" },
  { "hvcC.invalid", P, "the hvc1 sample entry has no valid hvcC" },
  { "hvcC.parameter-sets", P, "hvcC lacks a VPS, an SPS that parses, or a PPS" },
  { "video.size", P, "the video sample entry's width or height is 0" },
  { "video.size-mismatch", L,
      "the sample entry's or tkhd's picture size differs from the SPS picture size" },
  { "esds.invalid", P, "the mp4a sample entry has no valid esds with an AudioSpecificConfig" },
  { "esds.object-type", P,
      "the audio is not MPEG-4 AAC-LC (object type 2) or AAC-ELD (object type 39)" },
  { "esds.config-mismatch", L,
      "mp4a sample rate or channel count, or the mdhd timescale, differ from the "
      "AudioSpecificConfig" },
  { "fragment.layout", P, "a fragment is not exactly one moof followed by one mdat" },
  { "moof.structure", P, "moof has no valid mfhd" },
  { "mfhd.sequence", P, "mfhd sequence numbers do not start at 1 and increase by 1" },
  { "moof.traf-count", P, "moof does not hold exactly one traf per track" },
  { "traf.structure", P, "a traf has no valid tfhd, or a malformed tfdt or trun" },
  { "tfhd.default-base-is-moof", P, "tfhd does not set default-base-is-moof (0x020000)" },
  { "tfhd.base-data-offset", P, "tfhd carries a base-data-offset (0x000001)" },
  { "tfhd.sample-description", L, "tfhd names a sample description other than 1" },
  { "tfhd.default-flags", L,
      "the video tfhd has no default sample flags (the camera sets non-sync 0x01010000)" },
  { "tfdt.missing", P, "a traf has no tfdt" },
  { "tfdt.version", P, "tfdt is not version 1 (64-bit)" },
  { "tfdt.start", P, "a track's first tfdt in the recording is not 0" },
  { "tfdt.discontinuous", P, "a tfdt is not the previous tfdt plus the previous durations" },
  { "traf.empty", P, "a track has no samples in a fragment" },
  { "trun.data-offset", P, "a trun has no data offset" },
  { "trun.outside-mdat", P, "sample data lies outside the mdat payload" },
  { "trun.overlap", P, "the data of two samples overlaps" },
  { "mdat.unused", P, "mdat holds bytes that no sample refers to" },
  { "trun.interleave", L,
      "a run covers more than 1 s of a fragment holding both tracks (the camera alternates "
      "~0.5 s runs)" },
  { "sample.size-zero", P, "a sample of 0 bytes" },
  { "sample.duration-zero", P, "a sample of duration 0" },
  { "sample.nal-framing", P,
      "a video sample is not exactly a sequence of length-prefixed NAL units (length size from "
      "avcC/hvcC)" },
  { "sample.no-slice", P, "a video sample holds no coded slice" },
  { "fragment.first-sample-not-idr", P,
      "the first video sample of a fragment is not an IDR (H.264 type 5, H.265 IRAP 16..21)" },
  { "fragment.first-sample-not-sync", P,
      "the first video sample of a fragment is not flagged as a sync sample" },
  { "sample.idr-not-sync", P, "an IDR video sample is flagged non-sync" },
  { "sample.non-idr-sync", P, "a non-IDR video sample is flagged sync" },
  { "fragment.sync-count", P, "a fragment holds more than one video sync sample" },
  { "fragment.duration", P,
      "a fragment's length differs from the selected fragment length by more than a frame (the "
      "last may be shorter)" },
  { "fragment.av-drift", L, "audio and video of a fragment start more than 200 ms apart" },
  { "sample.cts", P,
      "composition offsets are inconsistent: audio with offsets, a negative presentation time, a "
      "sample presented before the fragment's first, or two at the same time" },
  { "sample.adts", P, "an audio sample starts with an ADTS header (raw AAC frames expected)" },
  { "sample.audio-not-sync", L, "an audio sample is flagged non-sync" },
  { "recording.empty", P, "the recording has no fragment" },
  { "chunk.first", P,
      "the stream does not start with data sequence number 1 of type mediaInitialization" },
  { "chunk.type", P,
      "sequence 1 is not mediaInitialization, or a later sequence is not mediaFragment" },
  { "chunk.init-chunks", P, "the init segment is split into more than one chunk" },
  { "chunk.sequence", P, "data sequence numbers do not increase by 1" },
  { "chunk.number", P, "chunk numbers within a sequence are not 1, 2, 3, ..." },
  { "chunk.last-flag", P,
      "isLastDataChunk is missing on a sequence's last chunk, or a chunk follows it" },
  { "chunk.size", P, "a chunk is empty or larger than 262144 bytes" },
  { "chunk.total-size", P,
      "dataTotalSize is missing on a fragment's first chunk or differs from the assembled size" },
  { "chunk.end-of-stream", P, "endOfStream on a chunk that is not the stream's last" },
  { "chunk.end-of-stream-missing", P, "the stream ended without endOfStream" },
  { "prebuffer.short", P,
      "the fragments received at once after the init segment hold less than the prebuffer "
      "length" },
};

#undef P
#undef L

/* At most this many violations of one rule per sequence are stored. */
#define MAX_PER_RULE_AND_SEQUENCE 3
/* Refuse to model more samples than this in one fragment: a 4 s fragment holds a few hundred,
 * and a trun's 32-bit count costs its sender four bytes. */
#define MAX_SAMPLES_PER_FRAGMENT 20000
/* A recording has two tracks; more trafs than this in one moof are not modelled. */
#define MAX_TRAFS 16

#define FOURCC HKSV_FOURCC

typedef struct {
  gboolean started;
  guint64 next_tfdt;
} TrackState;

struct _HksvMp4Checker {
  HksvMp4CheckOptions opt;
  GPtrArray *violations;
  gboolean ignored[N_RULES];
  guint64 last_seq[N_RULES];
  guint count[N_RULES];
  HksvMp4ViolationFunc func;
  gpointer func_data;

  gboolean have_init, init_usable, init_missing_reported;
  HksvMp4Init init;
  TrackState tracks[HKSV_MP4_CHECK_MAX_TRACKS];
  guint32 last_mfhd;
  guint64 next_file_seq;
  HksvMp4Summary summary;

  /* fragment length: checked when the next fragment shows it was not the last */
  gboolean pending;
  guint64 pending_seq;
  gdouble pending_ms, pending_frame_ms;

  /* chunk input */
  gboolean chunk_mode;
  guint64 last_seq_seen; /* 0 = none yet */
  gboolean assembling;
  guint64 cur_seq, cur_chunk;
  HksvChunkType cur_type;
  gint64 cur_total;
  GByteArray *cur_data;
  gint64 cur_last_arrival;
  gboolean done_valid;
  guint64 done_seq;
  gboolean eos_seen;
  gint64 init_arrival;
  gdouble burst_ms, burst_frame_ms;
  gboolean burst_measured;
  gboolean finished;
};

typedef struct {
  HksvMp4Checker *checker; /* NULL: parse only */
  guint64 seq, chunk;
  gchar *last; /* last message reported, for parse-only errors */
} Ctx;

const HksvMp4Rule *
hksv_mp4_check_rules (guint *n_rules)
{
  if (n_rules)
    *n_rules = N_RULES;
  return rules;
}

static void
violation_free (gpointer p)
{
  HksvMp4Violation *v = p;
  g_free (v->message);
  g_free (v);
}

static void report (Ctx *c, guint rule, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
report (Ctx *c, guint rule, const char *format, ...)
{
  HksvMp4Checker *k = c->checker;
  HksvMp4Violation *v;
  va_list args;
  gchar *msg;

  if (k) {
    /* Decide first: input with millions of bad samples must not cost a message each. */
    if (k->ignored[rule] || (k->opt.lenient && rules[rule].kind == HKSV_MP4_RULE_LAYOUT))
      return;
    if (k->last_seq[rule] != c->seq) {
      k->last_seq[rule] = c->seq;
      k->count[rule] = 0;
    }
    if (++k->count[rule] > MAX_PER_RULE_AND_SEQUENCE)
      return;
  }
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  if (!k) {
    /* parse only: the last message becomes the GError */
    g_free (c->last);
    c->last = msg;
    return;
  }
  v = g_new0 (HksvMp4Violation, 1);
  v->rule = rules[rule].id;
  v->kind = rules[rule].kind;
  v->sequence = c->seq;
  v->chunk = c->chunk;
  if (k->count[rule] == MAX_PER_RULE_AND_SEQUENCE) {
    v->message = g_strdup_printf ("%s (further violations of this rule in this sequence are "
                                  "not listed)",
        msg);
    g_free (msg);
  } else {
    v->message = msg;
  }
  g_ptr_array_add (k->violations, v);
  if (k->func)
    k->func (v, k->func_data);
}

static const gchar *
fourcc_str (guint32 type, gchar buf[5])
{
  return hksv_fourcc_to_string (type, buf);
}

/* ---- init segment ---- */

static gboolean
read_full (const HksvBox *box, guint8 *version, guint32 *flags, HksvByteReader *r)
{
  return hksv_box_full_header (box, version, flags, r);
}

static gboolean
find (const HksvBox *parent, const char *type, HksvBox *child)
{
  gsize skip = 0;
  hksv_box_children_skip (parent->type, &skip);
  return hksv_box_find_child (parent, skip, FOURCC (type[0], type[1], type[2], type[3]), child);
}

static void
check_sample_tables (Ctx *c, const HksvBox *stbl, guint32 id)
{
  static const char *const names[] = { "stts", "stsc", "stsz", "stco" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    HksvBox box;
    HksvByteReader r;
    guint32 count = 0;
    gboolean found = find (stbl, names[i], &box);

    if (!found && i == 3)
      found = find (stbl, "co64", &box);
    if (!found) {
      report (c, R_MOOV_SAMPLE_TABLE, "track %u has no %s box in stbl", id, names[i]);
      continue;
    }
    if (!read_full (&box, NULL, NULL, &r) || (i == 2 && !hksv_byte_reader_skip (&r, 4))
        || !hksv_byte_reader_u32 (&r, &count)) {
      report (c, R_MOOV_SAMPLE_TABLE, "track %u: %s is truncated", id, names[i]);
      continue;
    }
    if (count)
      report (c, R_MOOV_SAMPLE_TABLE,
          "track %u: %s lists %u samples; in a fragmented recording the samples are in the "
          "fragments and the init segment's tables are empty",
          id, names[i], count);
  }
}

static void
parse_video_entry (Ctx *c, const HksvBox *entry, HksvMp4TrackInfo *t, guint tkhd_w, guint tkhd_h)
{
  HksvByteReader r;
  guint16 w = 0, h = 0;
  HksvBox cfg_box;
  HksvVideoConfig cfg;
  HksvSpsInfo sps;
  gboolean hevc = t->codec == HKSV_MP4_CODEC_H265;
  GError *err = NULL;

  hksv_byte_reader_init (&r, entry->payload, entry->payload_size);
  if (entry->payload_size < 78 || !hksv_byte_reader_skip (&r, 24) || !hksv_byte_reader_u16 (&r, &w)
      || !hksv_byte_reader_u16 (&r, &h)) {
    report (c, R_TRAK_STRUCTURE, "track %u: the visual sample entry is truncated", t->track_id);
    return;
  }
  t->width = w;
  t->height = h;
  if (w == 0 || h == 0)
    report (c, R_VIDEO_SIZE, "track %u: the sample entry says %ux%u", t->track_id, w, h);
  if (!hksv_box_find_child (
          entry, 78, hevc ? FOURCC ('h', 'v', 'c', 'C') : FOURCC ('a', 'v', 'c', 'C'), &cfg_box)) {
    report (c, hevc ? R_HVCC_INVALID : R_AVCC_INVALID, "track %u: %s has no %s box", t->track_id,
        hevc ? "hvc1" : "avc1", hevc ? "hvcC" : "avcC");
    return;
  }
  if (!(hevc ? hksv_hvcc_parse : hksv_avcc_parse) (
          cfg_box.payload, cfg_box.payload_size, &cfg, &err)) {
    report (c, hevc ? R_HVCC_INVALID : R_AVCC_INVALID, "track %u: %s", t->track_id, err->message);
    g_clear_error (&err);
    return;
  }
  t->nal_length_size = cfg.nal_length_size;
  t->profile = cfg.profile_idc;
  t->level = cfg.level_idc;
  if (hevc && (cfg.n_vps == 0 || cfg.n_sps == 0 || cfg.n_pps == 0))
    report (c, R_HVCC_PARAMETER_SETS,
        "track %u: hvcC holds %u VPS, %u SPS, %u PPS; a hub decodes only with all three there",
        t->track_id, cfg.n_vps, cfg.n_sps, cfg.n_pps);
  if (!hevc && cfg.n_pps == 0)
    report (c, R_AVCC_PPS, "track %u: avcC holds no PPS", t->track_id);
  if (!cfg.sps) {
    if (!hevc)
      report (c, R_AVCC_SPS, "track %u: avcC holds no SPS", t->track_id);
    return;
  }
  if (!(hevc ? hksv_h265_sps_parse : hksv_h264_sps_parse) (cfg.sps, cfg.sps_len, &sps, &err)) {
    report (
        c, hevc ? R_HVCC_PARAMETER_SETS : R_AVCC_SPS, "track %u: %s", t->track_id, err->message);
    g_clear_error (&err);
    return;
  }
  if (sps.width != w || sps.height != h)
    report (c, R_VIDEO_SIZE_MISMATCH, "track %u: the sample entry says %ux%u, the SPS %ux%u",
        t->track_id, w, h, sps.width, sps.height);
  if (tkhd_w != sps.width || tkhd_h != sps.height)
    report (c, R_VIDEO_SIZE_MISMATCH, "track %u: tkhd says %ux%u, the SPS %ux%u", t->track_id,
        tkhd_w, tkhd_h, sps.width, sps.height);
}

static void
parse_audio_entry (Ctx *c, const HksvBox *entry, HksvMp4TrackInfo *t)
{
  HksvByteReader r;
  guint16 channels = 0;
  guint32 rate = 0;
  HksvBox esds;
  HksvByteReader er;
  HksvEsdsInfo info;
  HksvAacConfig aac;
  GError *err = NULL;

  hksv_byte_reader_init (&r, entry->payload, entry->payload_size);
  if (entry->payload_size < 28 || !hksv_byte_reader_skip (&r, 16)
      || !hksv_byte_reader_u16 (&r, &channels) || !hksv_byte_reader_skip (&r, 6)
      || !hksv_byte_reader_u32 (&r, &rate)) {
    report (c, R_TRAK_STRUCTURE, "track %u: the audio sample entry is truncated", t->track_id);
    return;
  }
  rate >>= 16;
  if (!hksv_box_find_child (entry, 28, FOURCC ('e', 's', 'd', 's'), &esds)) {
    report (c, R_ESDS_INVALID, "track %u: mp4a has no esds box", t->track_id);
    return;
  }
  if (!read_full (&esds, NULL, NULL, &er)
      || !hksv_esds_parse (er.data + er.pos, hksv_byte_reader_remaining (&er), &info, &err)) {
    report (c, R_ESDS_INVALID, "track %u: %s", t->track_id, err ? err->message : "esds is empty");
    g_clear_error (&err);
    return;
  }
  if (info.object_type_indication != 0x40) {
    report (c, R_ESDS_OBJECT_TYPE,
        "track %u: esds objectTypeIndication is 0x%02x, not 0x40 (MPEG-4 audio)", t->track_id,
        info.object_type_indication);
    return;
  }
  if (!hksv_aac_config_parse (info.dsi, info.dsi_len, &aac, &err)) {
    report (c, R_ESDS_INVALID, "track %u: %s", t->track_id, err->message);
    g_clear_error (&err);
    return;
  }
  t->audio_object_type = aac.object_type;
  t->sample_rate = aac.sample_rate;
  t->channels = aac.channel_config;
  if (aac.object_type != 2 && aac.object_type != 39) {
    report (c, R_ESDS_OBJECT_TYPE,
        "track %u: audio object type %u; HKSV records AAC-LC (2) or AAC-ELD (39)", t->track_id,
        aac.object_type);
    return;
  }
  if (rate != aac.sample_rate || channels != aac.channel_config)
    report (c, R_ESDS_CONFIG_MISMATCH,
        "track %u: mp4a says %u Hz, %u channels; the AudioSpecificConfig %u Hz, channel "
        "configuration %u",
        t->track_id, rate, channels, aac.sample_rate, aac.channel_config);
  if (t->timescale != aac.sample_rate)
    report (c, R_ESDS_CONFIG_MISMATCH,
        "track %u: mdhd timescale %u differs from the sample rate %u (the camera uses the "
        "sample rate)",
        t->track_id, t->timescale, aac.sample_rate);
}

static gboolean
parse_trak (Ctx *c, const HksvBox *trak, guint index, HksvMp4TrackInfo *t)
{
  HksvBox tkhd, mdia, mdhd, hdlr, minf, stbl, stsd, entry, edts;
  HksvByteReader r;
  guint8 version;
  guint32 flags, id = 0, handler = 0, count = 0, w = 0, h = 0;
  HksvBoxIter it;
  gchar s[5];
  GError *err = NULL;

  memset (t, 0, sizeof *t);
  if (!find (trak, "tkhd", &tkhd) || !read_full (&tkhd, &version, &flags, &r)
      || !hksv_byte_reader_skip (&r, version == 1 ? 16 : 8) || !hksv_byte_reader_u32 (&r, &id)) {
    report (c, R_TRAK_STRUCTURE, "trak %u has no valid tkhd", index + 1);
    return FALSE;
  }
  t->track_id = id;
  if ((flags & 7) != 7)
    report (c, R_TRAK_FLAGS, "track %u: tkhd flags 0x%06x (the camera writes 7)", id, flags);
  if (tkhd.payload_size >= 84) { /* v0: version, flags and 80 bytes; width, height last */
    hksv_byte_reader_init (&r, tkhd.payload + tkhd.payload_size - 8, 8);
    hksv_byte_reader_u32 (&r, &w);
    hksv_byte_reader_u32 (&r, &h);
  }
  if (find (trak, "edts", &edts))
    report (c, R_MOOV_EDTS,
        "track %u has an edit list (edts); hubs expect none: presentation starts at the tfdt", id);
  if (!find (trak, "mdia", &mdia) || !find (&mdia, "mdhd", &mdhd)
      || !read_full (&mdhd, &version, NULL, &r)
      || !hksv_byte_reader_skip (&r, version == 1 ? 16 : 8)
      || !hksv_byte_reader_u32 (&r, &t->timescale)) {
    report (c, R_TRAK_STRUCTURE, "track %u has no valid mdia/mdhd", id);
    return FALSE;
  }
  if (t->timescale == 0)
    report (c, R_TRAK_TIMESCALE, "track %u: mdhd timescale is 0", id);
  if (!find (&mdia, "hdlr", &hdlr) || !read_full (&hdlr, NULL, NULL, &r)
      || !hksv_byte_reader_skip (&r, 4) || !hksv_byte_reader_u32 (&r, &handler)) {
    report (c, R_TRAK_STRUCTURE, "track %u has no valid hdlr", id);
    return FALSE;
  }
  t->handler = handler;
  if (handler != FOURCC ('v', 'i', 'd', 'e') && handler != FOURCC ('s', 'o', 'u', 'n')) {
    report (c, R_TRAK_HANDLER, "track %u has handler '%s', neither 'vide' nor 'soun'", id,
        fourcc_str (handler, s));
    return TRUE;
  }
  if (!find (&mdia, "minf", &minf) || !find (&minf, "stbl", &stbl)) {
    report (c, R_TRAK_STRUCTURE, "track %u has no minf/stbl", id);
    return FALSE;
  }
  check_sample_tables (c, &stbl, id);
  if (!find (&stbl, "stsd", &stsd) || !read_full (&stsd, NULL, NULL, &r)
      || !hksv_byte_reader_u32 (&r, &count) || !hksv_box_iter_init_children (&it, &stsd, 8)) {
    report (c, R_TRAK_STRUCTURE, "track %u has no valid stsd", id);
    return FALSE;
  }
  if (count != 1)
    report (c, R_STSD_ENTRIES, "track %u: stsd holds %u sample entries, not 1", id, count);
  if (hksv_box_iter_next (&it, &entry, &err) != HKSV_BOX_OK) {
    report (c, R_TRAK_STRUCTURE, "track %u: stsd has no readable sample entry%s%s", id,
        err ? ": " : "", err ? err->message : "");
    g_clear_error (&err);
    return FALSE;
  }
  t->sample_entry = entry.type;
  if (handler == FOURCC ('v', 'i', 'd', 'e')) {
    switch (entry.type) {
      case FOURCC ('a', 'v', 'c', '1'):
        t->codec = HKSV_MP4_CODEC_H264;
        break;
      case FOURCC ('h', 'v', 'c', '1'):
        t->codec = HKSV_MP4_CODEC_H265;
        break;
      case FOURCC ('a', 'v', 'c', '3'):
      case FOURCC ('h', 'e', 'v', '1'):
        t->codec
            = entry.type == FOURCC ('a', 'v', 'c', '3') ? HKSV_MP4_CODEC_H264 : HKSV_MP4_CODEC_H265;
        report (c, R_STSD_CODEC,
            "track %u: sample entry '%s' (parameter sets in band); hubs expect '%s' with them in "
            "the configuration record",
            id, fourcc_str (entry.type, s), t->codec == HKSV_MP4_CODEC_H264 ? "avc1" : "hvc1");
        break;
      default:
        report (c, R_STSD_CODEC, "track %u: video sample entry '%s'; HKSV records avc1 or hvc1", id,
            fourcc_str (entry.type, s));
        return TRUE;
    }
    parse_video_entry (c, &entry, t, w >> 16, h >> 16);
  } else {
    if (entry.type != FOURCC ('m', 'p', '4', 'a')) {
      report (c, R_STSD_CODEC, "track %u: audio sample entry '%s'; HKSV records mp4a (AAC)", id,
          fourcc_str (entry.type, s));
      return TRUE;
    }
    t->codec = HKSV_MP4_CODEC_AAC;
    parse_audio_entry (c, &entry, t);
  }
  return TRUE;
}

static gboolean
is_video (const HksvMp4TrackInfo *t)
{
  return t->handler == FOURCC ('v', 'i', 'd', 'e');
}

static gboolean
is_audio (const HksvMp4TrackInfo *t)
{
  return t->handler == FOURCC ('s', 'o', 'u', 'n');
}

static void
parse_mvex (Ctx *c, const HksvBox *moov, HksvMp4Init *init)
{
  HksvBox mvex, box;
  HksvBoxIter it;

  if (!find (moov, "mvex", &mvex)) {
    report (c, R_MOOV_MVEX,
        "moov has no mvex: this is not a fragmented recording (each track needs a trex)");
    return;
  }
  if (!find (&mvex, "mehd", &box))
    report (c, R_MOOV_MEHD, "mvex has no mehd (the camera writes one with duration 0)");
  hksv_box_iter_init_children (&it, &mvex, 0);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    HksvByteReader r;
    guint32 id, sdi, dur, size, flags;

    if (box.type != FOURCC ('t', 'r', 'e', 'x'))
      continue;
    if (!read_full (&box, NULL, NULL, &r) || !hksv_byte_reader_u32 (&r, &id)
        || !hksv_byte_reader_u32 (&r, &sdi) || !hksv_byte_reader_u32 (&r, &dur)
        || !hksv_byte_reader_u32 (&r, &size) || !hksv_byte_reader_u32 (&r, &flags)) {
      report (c, R_MOOV_TREX, "a trex box is truncated");
      continue;
    }
    for (guint i = 0; i < init->n_tracks; i++) {
      HksvMp4TrackInfo *t = &init->tracks[i];
      if (t->track_id != id || t->has_trex)
        continue;
      t->has_trex = TRUE;
      t->trex_duration = dur;
      t->trex_size = size;
      t->trex_flags = flags;
      if (sdi != 1)
        report (c, R_MOOV_TREX_DEFAULTS,
            "track %u: trex default_sample_description_index is %u, not 1", id, sdi);
    }
  }
  for (guint i = 0; i < init->n_tracks; i++) {
    if (!init->tracks[i].has_trex)
      report (c, R_MOOV_TREX, "track %u has no trex in mvex", init->tracks[i].track_id);
  }
}

static void
check_ftyp (Ctx *c, const HksvBox *ftyp, const HksvMp4Init *init)
{
  HksvByteReader r;
  guint32 major = 0, minor, brand;
  gboolean isom = FALSE, mp42 = FALSE, avc1 = FALSE, h264 = FALSE;
  gchar s[5];

  hksv_byte_reader_init (&r, ftyp->payload, ftyp->payload_size);
  if (!hksv_byte_reader_u32 (&r, &major) || !hksv_byte_reader_u32 (&r, &minor)) {
    report (c, R_FTYP_MAJOR, "ftyp is truncated");
    return;
  }
  if (major != FOURCC ('m', 'p', '4', '2'))
    report (c, R_FTYP_MAJOR, "ftyp major brand is '%s', not 'mp42'", fourcc_str (major, s));
  while (hksv_byte_reader_u32 (&r, &brand)) {
    isom |= brand == FOURCC ('i', 's', 'o', 'm');
    mp42 |= brand == FOURCC ('m', 'p', '4', '2');
    avc1 |= brand == FOURCC ('a', 'v', 'c', '1');
  }
  for (guint i = 0; i < init->n_tracks; i++)
    h264 |= init->tracks[i].codec == HKSV_MP4_CODEC_H264;
  if (!isom || !mp42 || (h264 && !avc1))
    report (c, R_FTYP_COMPATIBLE,
        "ftyp compatible brands lack%s%s%s (the camera lists isom mp42 avc1)", isom ? "" : " isom",
        mp42 ? "" : " mp42", h264 && !avc1 ? " avc1" : "");
}

static gboolean
parse_init (Ctx *c, const guint8 *data, gsize len, HksvMp4Init *init)
{
  HksvBoxIter it;
  HksvBox box, ftyp, moov, mvhd;
  gboolean have_ftyp = FALSE, have_moov = FALSE;
  guint index = 0, n_video = 0, n_audio = 0, n_traks = 0;
  GError *err = NULL;
  gchar s[5];
  HksvMp4Checker *k = c->checker;

  memset (init, 0, sizeof *init);
  hksv_box_iter_init (&it, data, len);
  for (;;) {
    HksvBoxResult res = hksv_box_iter_next (&it, &box, &err);
    if (res == HKSV_BOX_END)
      break;
    if (res == HKSV_BOX_INVALID) {
      report (c, R_BOX_INVALID, "init segment: %s", err->message);
      g_clear_error (&err);
      return FALSE;
    }
    if (box.type == FOURCC ('f', 't', 'y', 'p') && index == 0) {
      ftyp = box;
      have_ftyp = TRUE;
    } else if (box.type == FOURCC ('m', 'o', 'o', 'v') && index == 1 && have_ftyp) {
      moov = box;
      have_moov = TRUE;
    } else if (box.type == FOURCC ('m', 'o', 'o', 'v') && !have_moov) {
      moov = box;
      have_moov = TRUE;
      report (
          c, R_INIT_LAYOUT, "the init segment has moov at box %u; ftyp must come first", index + 1);
    } else {
      report (c, R_INIT_LAYOUT, "the init segment holds a '%s' box (box %u); only ftyp and moov",
          fourcc_str (box.type, s), index + 1);
    }
    index++;
  }
  if (!have_ftyp && have_moov)
    report (c, R_INIT_LAYOUT, "the init segment has no ftyp");
  if (!have_moov) {
    report (c, R_INIT_LAYOUT, "the init segment has no moov");
    return FALSE;
  }

  /* Nested boxes must parse: walk the whole tree once. */
  {
    HksvBoxIter stack[16];
    guint depth = 0;
    HksvBox child;
    hksv_box_iter_init_children (&stack[0], &moov, 0);
    depth = 1;
    while (depth > 0) {
      HksvBoxResult res = hksv_box_iter_next (&stack[depth - 1], &child, &err);
      gsize skip;
      if (res == HKSV_BOX_END) {
        depth--;
        continue;
      }
      if (res == HKSV_BOX_INVALID) {
        report (c, R_BOX_INVALID, "moov: %s", err->message);
        g_clear_error (&err);
        return FALSE;
      }
      if (depth < G_N_ELEMENTS (stack) && hksv_box_children_skip (child.type, &skip)
          && hksv_box_iter_init_children (&stack[depth], &child, skip))
        depth++;
    }
  }

  if (!find (&moov, "mvhd", &mvhd)) {
    report (c, R_MOOV_MVHD, "moov has no mvhd");
  } else {
    HksvByteReader r;
    guint8 version;
    guint32 ts = 0;
    if (!read_full (&mvhd, &version, NULL, &r) || !hksv_byte_reader_skip (&r, version == 1 ? 16 : 8)
        || !hksv_byte_reader_u32 (&r, &ts) || ts == 0)
      report (c, R_MOOV_MVHD, "mvhd is truncated or its timescale is 0");
  }

  hksv_box_iter_init_children (&it, &moov, 0);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    HksvMp4TrackInfo t;
    if (box.type != FOURCC ('t', 'r', 'a', 'k'))
      continue;
    n_traks++;
    if (!parse_trak (c, &box, n_traks - 1, &t))
      continue;
    for (guint i = 0; i < init->n_tracks; i++) {
      if (init->tracks[i].track_id == t.track_id)
        report (c, R_TRAK_TRACK_ID, "track ID %u is used by two traks", t.track_id);
    }
    if (t.track_id == 0)
      report (c, R_TRAK_TRACK_ID, "trak %u has track ID 0", n_traks);
    n_video += is_video (&t);
    n_audio += is_audio (&t);
    if (init->n_tracks < HKSV_MP4_CHECK_MAX_TRACKS)
      init->tracks[init->n_tracks++] = t;
  }
  if (n_video != 1 || n_audio > 1 || n_traks > 2)
    report (c, R_MOOV_TRACK_COUNT,
        "moov holds %u traks (%u video, %u audio); HKSV recordings have one video track and at "
        "most one audio track",
        n_traks, n_video, n_audio);
  if (k && k->opt.audio == HKSV_MP4_AUDIO_YES && n_audio == 0)
    report (c, R_MOOV_AUDIO_MISSING,
        "audio is configured (RecordingAudioActive) but the recording has no audio track: hubs "
        "fail such recordings; insert silence when the source has none");
  if (k && k->opt.audio == HKSV_MP4_AUDIO_NO && n_audio > 0)
    report (
        c, R_MOOV_AUDIO_UNEXPECTED, "audio is not configured but the recording has an audio track");
  parse_mvex (c, &moov, init);
  if (have_ftyp)
    check_ftyp (c, &ftyp, init);
  return TRUE;
}

gboolean
hksv_mp4_init_parse (const guint8 *data, gsize len, HksvMp4Init *init, GError **error)
{
  Ctx c = { NULL, 1, 0, NULL };
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (init != NULL, FALSE);
  ok = parse_init (&c, data, len, init);
  if (!ok)
    g_set_error_literal (
        error, HKSV_BOX_ERROR, HKSV_BOX_ERROR_INVALID, c.last ? c.last : "invalid init segment");
  g_free (c.last);
  return ok;
}

/* ---- fragments ---- */

static void
traf_free (gpointer p)
{
  HksvMp4Traf *t = p;
  g_array_unref (t->trun_flags);
  g_array_unref (t->samples);
  g_free (t);
}

void
hksv_mp4_fragment_free (HksvMp4Fragment *f)
{
  if (!f)
    return;
  g_ptr_array_unref (f->trafs);
  g_free (f);
}

#define TFHD_BASE_DATA_OFFSET 0x000001u
#define TFHD_SAMPLE_DESCRIPTION 0x000002u
#define TFHD_DEFAULT_DURATION 0x000008u
#define TFHD_DEFAULT_SIZE 0x000010u
#define TFHD_DEFAULT_FLAGS 0x000020u
#define TFHD_DEFAULT_BASE_IS_MOOF 0x020000u

static HksvMp4Traf *
parse_traf (
    Ctx *c, const HksvMp4Init *init, const HksvBox *traf, const HksvMp4Fragment *f, guint *budget)
{
  HksvBox tfhd, box;
  HksvByteReader r;
  guint8 version;
  guint32 flags, sdi = 1, dur = 0, size = 0, sflags = 0;
  guint64 base, dts;
  gint64 next_pos = -1;
  HksvMp4Traf *t;
  HksvBoxIter it;

  if (!find (traf, "tfhd", &tfhd) || !read_full (&tfhd, NULL, &flags, &r)) {
    report (c, R_TRAF_STRUCTURE, "a traf has no tfhd");
    return NULL;
  }
  t = g_new0 (HksvMp4Traf, 1);
  t->trun_flags = g_array_new (FALSE, FALSE, sizeof (guint32));
  t->samples = g_array_new (FALSE, FALSE, sizeof (HksvMp4Sample));
  t->tfhd_flags = flags;
  t->track = -1;
  base = f->moof_offset;
  if (!hksv_byte_reader_u32 (&r, &t->track_id)) {
    report (c, R_TRAF_STRUCTURE, "tfhd is truncated");
    traf_free (t);
    return NULL;
  }
  for (guint i = 0; init && i < init->n_tracks; i++) {
    if (init->tracks[i].track_id == t->track_id) {
      const HksvMp4TrackInfo *ti = &init->tracks[i];
      t->track = (gint) i;
      dur = ti->trex_duration;
      size = ti->trex_size;
      sflags = ti->trex_flags;
    }
  }
  if ((flags & TFHD_BASE_DATA_OFFSET) && !hksv_byte_reader_u64 (&r, &base))
    goto truncated;
  if ((flags & TFHD_SAMPLE_DESCRIPTION) && !hksv_byte_reader_u32 (&r, &sdi))
    goto truncated;
  if ((flags & TFHD_DEFAULT_DURATION) && !hksv_byte_reader_u32 (&r, &dur))
    goto truncated;
  if ((flags & TFHD_DEFAULT_SIZE) && !hksv_byte_reader_u32 (&r, &size))
    goto truncated;
  if ((flags & TFHD_DEFAULT_FLAGS) && !hksv_byte_reader_u32 (&r, &sflags))
    goto truncated;
  if (sdi != 1)
    report (c, R_TFHD_SAMPLE_DESCRIPTION, "track %u: tfhd sample_description_index %u", t->track_id,
        sdi);

  if (find (traf, "tfdt", &box)) {
    t->has_tfdt = TRUE;
    if (!read_full (&box, &t->tfdt_version, NULL, &r)) {
      report (c, R_TRAF_STRUCTURE, "track %u: tfdt is truncated", t->track_id);
      traf_free (t);
      return NULL;
    }
    if (t->tfdt_version == 1) {
      if (!hksv_byte_reader_u64 (&r, &t->tfdt))
        t->has_tfdt = FALSE;
    } else {
      guint32 v32;
      if (hksv_byte_reader_u32 (&r, &v32))
        t->tfdt = v32;
      else
        t->has_tfdt = FALSE;
    }
    if (!t->has_tfdt) {
      report (c, R_TRAF_STRUCTURE, "track %u: tfdt is truncated", t->track_id);
      traf_free (t);
      return NULL;
    }
  }

  dts = t->tfdt;
  hksv_box_iter_init_children (&it, traf, 0);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    guint32 count, tflags, first_flags = 0, per = 0;
    gint32 data_offset = 0;
    gint64 pos;
    gboolean has_first;

    if (box.type != FOURCC ('t', 'r', 'u', 'n'))
      continue;
    if (!read_full (&box, &version, &tflags, &r) || !hksv_byte_reader_u32 (&r, &count))
      goto bad_trun;
    if ((tflags & 0x001) && !hksv_byte_reader_u32 (&r, (guint32 *) &data_offset))
      goto bad_trun;
    has_first = (tflags & 0x004) != 0;
    if (has_first && !hksv_byte_reader_u32 (&r, &first_flags))
      goto bad_trun;
    for (guint b = 0x100; b <= 0x800; b <<= 1)
      per += (tflags & b) ? 4 : 0;
    if ((guint64) count * per > hksv_byte_reader_remaining (&r)) {
      report (c, R_TRAF_STRUCTURE,
          "track %u: trun %u says %u samples, more than its %" G_GSIZE_FORMAT " bytes hold",
          t->track_id, t->trun_flags->len + 1, count, hksv_byte_reader_remaining (&r));
      traf_free (t);
      return NULL;
    }
    if (count > *budget) {
      report (c, R_TRAF_STRUCTURE,
          "track %u: trun %u says %u samples; more than %d in one fragment are not plausible",
          t->track_id, t->trun_flags->len + 1, count, MAX_SAMPLES_PER_FRAGMENT);
      traf_free (t);
      return NULL;
    }
    *budget -= count;
    {
      guint32 vf = ((guint32) version << 24) | tflags;
      g_array_append_val (t->trun_flags, vf);
    }
    if (tflags & 0x001)
      pos = (gint64) MIN (base, (guint64) G_MAXINT64 / 2) + data_offset;
    else
      pos = next_pos >= 0 ? next_pos : (gint64) MIN (base, (guint64) G_MAXINT64 / 2);
    for (guint i = 0; i < count; i++) {
      HksvMp4Sample s = { 0 };
      guint32 v;

      s.duration = dur;
      s.size = size;
      s.flags = (i == 0 && has_first) ? first_flags : sflags;
      if (tflags & 0x100)
        hksv_byte_reader_u32 (&r, &s.duration);
      if (tflags & 0x200)
        hksv_byte_reader_u32 (&r, &s.size);
      if (tflags & 0x400)
        hksv_byte_reader_u32 (&r, &s.flags);
      if (tflags & 0x800) {
        hksv_byte_reader_u32 (&r, &v);
        s.cts = version == 0 ? (gint64) v : (gint64) (gint32) v;
      }
      s.dts = dts;
      dts += s.duration;
      s.offset = pos < 0 ? G_MAXSIZE : (gsize) MIN ((guint64) pos, (guint64) G_MAXSIZE / 2);
      s.run = t->trun_flags->len - 1;
      pos = pos < 0 ? pos : pos + s.size;
      g_array_append_val (t->samples, s);
    }
    next_pos = pos;
  }
  return t;

truncated:
  report (
      c, R_TRAF_STRUCTURE, "track %u: tfhd is truncated for its flags 0x%06x", t->track_id, flags);
  traf_free (t);
  return NULL;

bad_trun:
  report (
      c, R_TRAF_STRUCTURE, "track %u: trun %u is truncated", t->track_id, t->trun_flags->len + 1);
  traf_free (t);
  return NULL;
}

static HksvMp4Fragment *
parse_fragment (Ctx *c, const HksvMp4Init *init, const guint8 *data, gsize len)
{
  HksvBoxIter it;
  HksvBox box, moof = { 0 }, mdat = { 0 }, mfhd;
  gboolean have_moof = FALSE, have_mdat = FALSE, layout_ok = TRUE;
  guint index = 0;
  GString *types = g_string_new (NULL);
  GError *err = NULL;
  HksvMp4Fragment *f;
  HksvByteReader r;
  gchar s[5];
  guint budget = MAX_SAMPLES_PER_FRAGMENT;

  hksv_box_iter_init (&it, data, len);
  for (;;) {
    HksvBoxResult res = hksv_box_iter_next (&it, &box, &err);
    if (res == HKSV_BOX_END)
      break;
    if (res == HKSV_BOX_INVALID) {
      report (c, R_BOX_INVALID, "fragment: %s", err->message);
      g_clear_error (&err);
      g_string_free (types, TRUE);
      return NULL;
    }
    g_string_append_printf (types, "%s%s", index ? " " : "", fourcc_str (box.type, s));
    if (!(index == 0 && box.type == FOURCC ('m', 'o', 'o', 'f'))
        && !(index == 1 && box.type == FOURCC ('m', 'd', 'a', 't')))
      layout_ok = FALSE;
    if (box.type == FOURCC ('m', 'o', 'o', 'f') && !have_moof) {
      moof = box;
      have_moof = TRUE;
    } else if (box.type == FOURCC ('m', 'd', 'a', 't') && have_moof && !have_mdat) {
      mdat = box;
      have_mdat = TRUE;
    }
    index++;
  }
  if (index != 2)
    layout_ok = FALSE;
  if (!layout_ok)
    report (c, R_FRAGMENT_LAYOUT,
        "the fragment's boxes are [%s]; a fragment is exactly one moof followed by one mdat",
        types->str);
  g_string_free (types, TRUE);
  if (!have_moof || !have_mdat)
    return NULL;

  /* Nested boxes of moof must parse. */
  {
    HksvBoxIter outer, inner;
    HksvBox child, grandchild;
    HksvBoxResult res;
    hksv_box_iter_init_children (&outer, &moof, 0);
    while ((res = hksv_box_iter_next (&outer, &child, &err)) == HKSV_BOX_OK) {
      if (child.type != FOURCC ('t', 'r', 'a', 'f'))
        continue;
      hksv_box_iter_init_children (&inner, &child, 0);
      while ((res = hksv_box_iter_next (&inner, &grandchild, &err)) == HKSV_BOX_OK)
        ;
      if (res == HKSV_BOX_INVALID)
        break;
    }
    if (res == HKSV_BOX_INVALID) {
      report (c, R_BOX_INVALID, "moof: %s", err->message);
      g_clear_error (&err);
      return NULL;
    }
  }

  f = g_new0 (HksvMp4Fragment, 1);
  f->trafs = g_ptr_array_new_with_free_func (traf_free);
  f->moof_offset = moof.offset;
  f->moof_size = moof.size;
  f->mdat_offset = mdat.offset;
  f->mdat_size = mdat.size;
  f->mdat_header_size = mdat.header_size;
  if (!find (&moof, "mfhd", &mfhd) || !read_full (&mfhd, NULL, NULL, &r)
      || !hksv_byte_reader_u32 (&r, &f->sequence))
    report (c, R_MOOF_STRUCTURE, "moof has no valid mfhd");
  hksv_box_iter_init_children (&it, &moof, 0);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    HksvMp4Traf *t;
    if (box.type != FOURCC ('t', 'r', 'a', 'f'))
      continue;
    if (f->trafs->len == MAX_TRAFS) {
      report (c, R_MOOF_TRAF_COUNT, "more than %d trafs in one moof", MAX_TRAFS);
      break;
    }
    t = parse_traf (c, init, &box, f, &budget);
    if (t)
      g_ptr_array_add (f->trafs, t);
  }
  return f;
}

HksvMp4Fragment *
hksv_mp4_fragment_parse (const HksvMp4Init *init, const guint8 *data, gsize len, GError **error)
{
  Ctx c = { NULL, 2, 0, NULL };
  HksvMp4Fragment *f;

  g_return_val_if_fail (init != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  f = parse_fragment (&c, init, data, len);
  if (f && f->trafs->len == 0) {
    hksv_mp4_fragment_free (f);
    f = NULL;
  }
  if (!f)
    g_set_error_literal (
        error, HKSV_BOX_ERROR, HKSV_BOX_ERROR_INVALID, c.last ? c.last : "no traf in the fragment");
  g_free (c.last);
  return f;
}

/* ---- checker ---- */

HksvMp4Checker *
hksv_mp4_checker_new (const HksvMp4CheckOptions *options)
{
  HksvMp4Checker *k = g_new0 (HksvMp4Checker, 1);

  if (options)
    k->opt = *options;
  if (k->opt.burst_ms == 0)
    k->opt.burst_ms = 1000;
  k->violations = g_ptr_array_new_with_free_func (violation_free);
  for (guint i = 0; i < N_RULES; i++)
    k->last_seq[i] = G_MAXUINT64;
  k->next_file_seq = 1;
  k->summary.fragment_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  k->summary.prebuffer_ms = -1;
  k->cur_data = g_byte_array_new ();
  return k;
}

void
hksv_mp4_checker_free (HksvMp4Checker *k)
{
  if (!k)
    return;
  g_ptr_array_unref (k->violations);
  g_array_unref (k->summary.fragment_ms);
  g_byte_array_unref (k->cur_data);
  g_free (k);
}

void
hksv_mp4_checker_set_callback (HksvMp4Checker *k, HksvMp4ViolationFunc func, gpointer user_data)
{
  g_return_if_fail (k != NULL);
  k->func = func;
  k->func_data = user_data;
}

void
hksv_mp4_checker_ignore_rule (HksvMp4Checker *k, const gchar *rule)
{
  g_return_if_fail (k != NULL && rule != NULL);
  for (guint i = 0; i < N_RULES; i++) {
    if (g_str_equal (rules[i].id, rule))
      k->ignored[i] = TRUE;
  }
}

guint
hksv_mp4_checker_n_violations (HksvMp4Checker *k)
{
  g_return_val_if_fail (k != NULL, 0);
  return k->violations->len;
}

const HksvMp4Violation *
hksv_mp4_checker_violation (HksvMp4Checker *k, guint index)
{
  g_return_val_if_fail (k != NULL, NULL);
  g_return_val_if_fail (index < k->violations->len, NULL);
  return g_ptr_array_index (k->violations, index);
}

gboolean
hksv_mp4_checker_has_violation (HksvMp4Checker *k, const gchar *rule)
{
  g_return_val_if_fail (k != NULL && rule != NULL, FALSE);
  for (guint i = 0; i < k->violations->len; i++) {
    const HksvMp4Violation *v = g_ptr_array_index (k->violations, i);
    if (g_str_equal (v->rule, rule))
      return TRUE;
  }
  return FALSE;
}

const HksvMp4Summary *
hksv_mp4_checker_summary (HksvMp4Checker *k)
{
  g_return_val_if_fail (k != NULL, NULL);
  return &k->summary;
}

static const gchar *
codec_name (const HksvMp4TrackInfo *t)
{
  switch (t->codec) {
    case HKSV_MP4_CODEC_H264:
      return "H.264";
    case HKSV_MP4_CODEC_H265:
      return "H.265";
    case HKSV_MP4_CODEC_AAC:
      return t->audio_object_type == 39  ? "AAC-ELD"
             : t->audio_object_type == 2 ? "AAC-LC"
                                         : "AAC (other object type)";
    default:
      return is_video (t)   ? "video (unknown codec)"
             : is_audio (t) ? "audio (unknown codec)"
                            : "other";
  }
}

static void
check_init (HksvMp4Checker *k, Ctx *c, const guint8 *data, gsize len)
{
  HksvMp4Init init;

  if (k->have_init) {
    report (c, R_INIT_REPEATED, "a second init segment; a recording has one, as sequence 1");
    return;
  }
  k->have_init = TRUE;
  k->summary.init_bytes = len;
  if (!parse_init (c, data, len, &init))
    return;
  k->init = init;
  k->init_usable = TRUE;
  k->summary.n_tracks = init.n_tracks;
  for (guint i = 0; i < init.n_tracks; i++) {
    HksvMp4TrackSummary *s = &k->summary.tracks[i];
    const HksvMp4TrackInfo *t = &init.tracks[i];
    s->track_id = t->track_id;
    s->video = is_video (t);
    s->codec = codec_name (t);
    s->width = t->width;
    s->height = t->height;
    s->profile = t->profile;
    s->level = t->level;
    s->sample_rate = t->sample_rate;
    s->channels = t->channels;
    s->timescale = t->timescale;
  }
}

static gdouble
ticks_ms (guint64 ticks, guint32 timescale)
{
  return timescale ? (gdouble) ticks * 1000.0 / timescale : 0;
}

static void
check_fragment_length (HksvMp4Checker *k, guint64 seq, gdouble ms, gdouble frame_ms, gboolean last)
{
  Ctx c = { k, seq, 0, NULL };
  gdouble want = k->opt.fragment_ms, tol = frame_ms + 1.0;

  if (want <= 0)
    return;
  if (ms > want + tol || (!last && ms < want - tol))
    report (&c, R_FRAGMENT_DURATION,
        "the fragment lasts %.0f ms; the selected fragment length is %.0f ms (every fragment "
        "but the last must match it within a frame: force key frames at the fragment length)",
        ms, want);
  g_free (c.last);
}

typedef struct {
  gsize start, end;
} Range;

static gint
compare_ranges (gconstpointer a, gconstpointer b)
{
  const Range *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

typedef struct {
  gint64 pts;
  guint index;
} PtsEntry;

static gint
compare_pts (gconstpointer a, gconstpointer b)
{
  const PtsEntry *x = a, *y = b;
  if (x->pts != y->pts)
    return x->pts < y->pts ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index ? 1 : 0;
}

static void
check_video_sample (Ctx *c, const HksvMp4TrackInfo *ti, const guint8 *data, const HksvMp4Sample *s,
    guint index, gboolean *is_idr)
{
  gboolean hevc = ti->codec == HKSV_MP4_CODEC_H265;
  guint64 types = 0;
  GError *err = NULL;

  *is_idr = FALSE;
  if (ti->nal_length_size == 0)
    return;
  if (!hksv_nal_split (data, s->size, ti->nal_length_size, hevc, &types, NULL, &err)) {
    report (
        c, R_SAMPLE_NAL_FRAMING, "track %u sample %u: %s", ti->track_id, index + 1, err->message);
    g_clear_error (&err);
    return;
  }
  if (!hksv_nal_types_have_vcl (types, hevc))
    report (c, R_SAMPLE_NO_SLICE,
        "track %u sample %u holds no coded slice (NAL types 0x%" G_GINT64_MODIFIER "x)",
        ti->track_id, index + 1, types);
  *is_idr = hksv_nal_types_are_idr (types, hevc);
}

static void
check_fragment (HksvMp4Checker *k, Ctx *c, const guint8 *data, gsize len)
{
  HksvMp4Fragment *f;
  const HksvMp4Traf *by_track[HKSV_MP4_CHECK_MAX_TRACKS] = { NULL };
  GArray *ranges;
  gsize payload_start, payload_end, covered = 0, cursor;
  gint video = -1, audio = -1;
  gdouble frag_ms = 0, frame_ms = 0, frag_start_ms[HKSV_MP4_CHECK_MAX_TRACKS] = { 0 };
  guint with_samples = 0;
  gboolean overlap_reported = FALSE;

  k->summary.fragments++;
  k->summary.fragment_bytes += len;
  if (!k->init_usable) {
    if (!k->init_missing_reported)
      report (c, R_INIT_MISSING,
          "a fragment without a usable init segment before it: sequence 1 must be the init "
          "segment (ftyp + moov)");
    k->init_missing_reported = TRUE;
  }
  f = parse_fragment (c, k->init_usable ? &k->init : NULL, data, len);
  if (!f)
    return;

  /* mfhd */
  if (f->sequence != k->last_mfhd + 1)
    report (c, R_MFHD_SEQUENCE, "mfhd sequence number %u; expected %u%s", f->sequence,
        k->last_mfhd + 1, k->last_mfhd == 0 ? " (the first fragment is 1)" : "");
  k->last_mfhd = f->sequence;

  if (!k->init_usable) {
    hksv_mp4_fragment_free (f);
    return;
  }

  /* one traf per track */
  for (guint i = 0; i < f->trafs->len; i++) {
    const HksvMp4Traf *t = g_ptr_array_index (f->trafs, i);
    if (t->track < 0)
      report (c, R_MOOF_TRAF_COUNT, "a traf for track %u, which the init segment does not have",
          t->track_id);
    else if (by_track[t->track])
      report (c, R_MOOF_TRAF_COUNT, "two trafs for track %u", t->track_id);
    else
      by_track[t->track] = t;
  }
  for (guint i = 0; i < k->init.n_tracks; i++) {
    if (!by_track[i])
      report (c, R_MOOF_TRAF_COUNT, "no traf for track %u: every fragment holds one traf per track",
          k->init.tracks[i].track_id);
    if (is_video (&k->init.tracks[i]) && video < 0)
      video = (gint) i;
    if (is_audio (&k->init.tracks[i]) && audio < 0)
      audio = (gint) i;
  }

  payload_start = f->mdat_offset + f->mdat_header_size;
  payload_end = f->mdat_offset + f->mdat_size;
  ranges = g_array_new (FALSE, FALSE, sizeof (Range));

  for (guint i = 0; i < k->init.n_tracks; i++) {
    const HksvMp4Traf *t = by_track[i];
    const HksvMp4TrackInfo *ti = &k->init.tracks[i];
    TrackState *st = &k->tracks[i];
    HksvMp4TrackSummary *sum = &k->summary.tracks[i];
    guint64 total = 0;
    guint syncs = 0;
    gboolean vid = is_video (ti), aud = is_audio (ti), missing_offset = FALSE;
    gint64 first_pts = 0;
    GArray *pts_seen = NULL; /* {pts, sample index}, sorted afterwards: duplicates */

    if (!t)
      continue;
    if (t->tfhd_flags & TFHD_BASE_DATA_OFFSET)
      report (c, R_TFHD_BASE_DATA_OFFSET,
          "track %u: tfhd has a base-data-offset; use default-base-is-moof instead", t->track_id);
    if (!(t->tfhd_flags & TFHD_DEFAULT_BASE_IS_MOOF))
      report (c, R_TFHD_BASE_IS_MOOF,
          "track %u: tfhd flags 0x%06x lack default-base-is-moof (0x020000)", t->track_id,
          t->tfhd_flags);
    if (vid && !(t->tfhd_flags & TFHD_DEFAULT_FLAGS))
      report (c, R_TFHD_DEFAULT_FLAGS,
          "track %u: the video tfhd has no default sample flags (the camera: 0x01010000)",
          t->track_id);
    if (!t->has_tfdt) {
      report (c, R_TFDT_MISSING, "track %u: traf has no tfdt", t->track_id);
    } else {
      if (t->tfdt_version != 1)
        report (c, R_TFDT_VERSION, "track %u: tfdt version %u; hubs expect version 1", t->track_id,
            t->tfdt_version);
      if (!st->started && t->tfdt != 0)
        report (c, R_TFDT_START,
            "track %u: the recording's first tfdt is %" G_GUINT64_FORMAT
            "; every track starts at 0 (rebase the timestamps per recording)",
            t->track_id, t->tfdt);
      else if (st->started && t->tfdt != st->next_tfdt)
        report (c, R_TFDT_DISCONTINUOUS,
            "track %u: tfdt %" G_GUINT64_FORMAT
            " but the previous fragment ended at %" G_GUINT64_FORMAT " (%+.1f ms)",
            t->track_id, t->tfdt, st->next_tfdt,
            ticks_ms (t->tfdt, ti->timescale) - ticks_ms (st->next_tfdt, ti->timescale));
    }
    frag_start_ms[i] = ticks_ms (t->tfdt, ti->timescale);
    if (t->samples->len == 0)
      report (c, R_TRAF_EMPTY, "track %u has no samples in this fragment%s", t->track_id,
          aud ? " (insert silence when the source has no audio)" : "");
    else
      with_samples++;
    for (guint r = 0; r < t->trun_flags->len; r++) {
      if (!(g_array_index (t->trun_flags, guint32, r) & 0x001))
        missing_offset = TRUE;
    }
    if (missing_offset)
      report (c, R_TRUN_DATA_OFFSET, "track %u: a trun has no data offset", t->track_id);
    if (vid)
      pts_seen = g_array_sized_new (FALSE, FALSE, sizeof (PtsEntry), t->samples->len);

    for (guint s = 0; s < t->samples->len; s++) {
      const HksvMp4Sample *smp = &g_array_index (t->samples, HksvMp4Sample, s);
      gboolean sync = !(smp->flags & HKSV_MP4_SAMPLE_IS_NON_SYNC), in_mdat, idr = FALSE;
      /* dts is any 64-bit input: keep the sum in range */
      gint64 pts = (gint64) MIN (smp->dts, (guint64) G_MAXINT64 / 2) + smp->cts;

      total += smp->duration;
      if (smp->size == 0)
        report (c, R_SAMPLE_SIZE_ZERO, "track %u sample %u has 0 bytes", t->track_id, s + 1);
      if (smp->duration == 0)
        report (c, R_SAMPLE_DURATION_ZERO, "track %u sample %u has duration 0", t->track_id, s + 1);
      in_mdat = smp->offset >= payload_start && smp->offset <= payload_end
                && smp->size <= payload_end - smp->offset;
      if (!in_mdat) {
        report (c, R_TRUN_OUTSIDE_MDAT,
            "track %u sample %u: its %u bytes at offset %" G_GSIZE_FORMAT
            " are not inside the mdat payload [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
            "): check the trun data offsets (relative to the moof start)",
            t->track_id, s + 1, smp->size, smp->offset, payload_start, payload_end);
      } else if (smp->size > 0) {
        Range rg = { smp->offset, smp->offset + smp->size };
        g_array_append_val (ranges, rg);
      }
      if (vid) {
        if (in_mdat && smp->size > 0)
          check_video_sample (c, ti, data + smp->offset, smp, s, &idr);
        if (s == 0) {
          first_pts = pts;
          if (in_mdat && ti->nal_length_size && !idr)
            report (c, R_FIRST_NOT_IDR,
                "track %u: the fragment's first video sample is not an IDR picture; every "
                "fragment must start with one",
                t->track_id);
          if (!sync)
            report (c, R_FIRST_NOT_SYNC,
                "track %u: the fragment's first video sample is not flagged sync (flags "
                "0x%08x)",
                t->track_id, smp->flags);
        } else if (pts < first_pts) {
          report (c, R_SAMPLE_CTS,
              "track %u sample %u is presented before the fragment's first sample", t->track_id,
              s + 1);
        }
        if (in_mdat && ti->nal_length_size) {
          if (idr && !sync)
            report (c, R_SAMPLE_IDR_NOT_SYNC,
                "track %u sample %u is an IDR picture flagged non-sync (flags 0x%08x)", t->track_id,
                s + 1, smp->flags);
          if (!idr && sync)
            report (c, R_SAMPLE_NON_IDR_SYNC,
                "track %u sample %u is not an IDR picture but flagged sync (flags 0x%08x)",
                t->track_id, s + 1, smp->flags);
        }
        if (pts < 0)
          report (c, R_SAMPLE_CTS, "track %u sample %u has a negative presentation time",
              t->track_id, s + 1);
        {
          PtsEntry e = { pts, s };
          g_array_append_val (pts_seen, e);
        }
        syncs += sync;
        frame_ms = MAX (frame_ms, ticks_ms (smp->duration, ti->timescale));
      } else if (aud) {
        if (smp->cts != 0)
          report (c, R_SAMPLE_CTS, "track %u sample %u: audio with a composition offset",
              t->track_id, s + 1);
        if (!sync)
          report (c, R_SAMPLE_AUDIO_NOT_SYNC, "track %u sample %u: audio sample flagged non-sync",
              t->track_id, s + 1);
        if (in_mdat && smp->size >= 7) {
          const guint8 *p = data + smp->offset;
          guint frame_len = ((p[3] & 3u) << 11) | ((guint) p[4] << 3) | (p[5] >> 5);
          if (p[0] == 0xff && (p[1] & 0xf6) == 0xf0 && frame_len == smp->size)
            report (c, R_SAMPLE_ADTS,
                "track %u sample %u starts with an ADTS header; MP4 holds raw AAC frames "
                "(aacparse with stream-format=raw)",
                t->track_id, s + 1);
        }
      }
      sum->samples++;
      sum->sync_samples += sync;
      sum->bytes += smp->size;
    }
    if (pts_seen) {
      g_array_sort (pts_seen, compare_pts);
      for (guint p = 1; p < pts_seen->len; p++) {
        const PtsEntry *a = &g_array_index (pts_seen, PtsEntry, p - 1);
        const PtsEntry *b = &g_array_index (pts_seen, PtsEntry, p);
        if (a->pts == b->pts)
          report (c, R_SAMPLE_CTS, "track %u samples %u and %u are presented at the same time",
              t->track_id, MIN (a->index, b->index) + 1, MAX (a->index, b->index) + 1);
      }
      g_array_unref (pts_seen);
    }
    if (vid && syncs > 1)
      report (c, R_FRAGMENT_SYNC_COUNT,
          "track %u: %u sync samples in one fragment; HKSV fragments hold one GOP (one IDR, "
          "first)",
          t->track_id, syncs);
    sum->duration += total;
    if (t->has_tfdt) {
      st->started = TRUE;
      st->next_tfdt = t->tfdt + total;
    }
    if ((gint) i == video || (video < 0 && i == 0))
      frag_ms = ticks_ms (total, ti->timescale);
  }

  /* data layout in mdat */
  g_array_sort (ranges, compare_ranges);
  cursor = payload_start;
  for (guint i = 0; i < ranges->len; i++) {
    Range *rg = &g_array_index (ranges, Range, i);
    if (rg->start < cursor && !overlap_reported) {
      report (c, R_TRUN_OVERLAP,
          "sample data at offset %" G_GSIZE_FORMAT " overlaps the previous sample's", rg->start);
      overlap_reported = TRUE;
    }
    if (rg->end > cursor) {
      covered += rg->end - MAX (rg->start, cursor);
      cursor = rg->end;
    }
  }
  if (covered < payload_end - payload_start)
    report (c, R_MDAT_UNUSED,
        "%" G_GSIZE_FORMAT " of the mdat's %" G_GSIZE_FORMAT " payload bytes belong to no sample",
        payload_end - payload_start - covered, payload_end - payload_start);
  g_array_unref (ranges);

  /* run interleaving and A/V alignment, as the camera */
  if (with_samples >= 2 && frag_ms > 1000) {
    for (guint i = 0; i < k->init.n_tracks; i++) {
      const HksvMp4Traf *t = by_track[i];
      guint64 run_ticks = 0;
      guint run = 0;
      gdouble longest = 0;
      if (!t)
        continue;
      for (guint s = 0; s < t->samples->len; s++) {
        const HksvMp4Sample *smp = &g_array_index (t->samples, HksvMp4Sample, s);
        if (smp->run != run) {
          run = smp->run;
          run_ticks = 0;
        }
        run_ticks += smp->duration;
        longest = MAX (longest, ticks_ms (run_ticks, k->init.tracks[i].timescale));
      }
      if (longest > 1000)
        report (c, R_TRUN_INTERLEAVE,
            "track %u: a run of %.0f ms; the camera interleaves the tracks in runs of ~500 ms",
            t->track_id, longest);
    }
  }
  if (video >= 0 && audio >= 0 && by_track[video] && by_track[audio]
      && by_track[video]->samples->len && by_track[audio]->samples->len
      && ABS (frag_start_ms[video] - frag_start_ms[audio]) > 200)
    report (c, R_FRAGMENT_AV_DRIFT,
        "audio starts at %.0f ms, video at %.0f ms: cut the audio where the video fragment "
        "starts",
        frag_start_ms[audio], frag_start_ms[video]);

  g_array_append_val (k->summary.fragment_ms, frag_ms);
  if (k->pending)
    check_fragment_length (k, k->pending_seq, k->pending_ms, k->pending_frame_ms, FALSE);
  k->pending = TRUE;
  k->pending_seq = c->seq;
  k->pending_ms = frag_ms;
  k->pending_frame_ms = frame_ms;
  /* Arrival times are any 64-bit input: elapsed time in unsigned arithmetic, exact once
   * ordered; a fragment "before" the init segment counts as at once. */
  if (k->chunk_mode && k->init_arrival && k->cur_last_arrival
      && (k->cur_last_arrival < k->init_arrival
          || (guint64) k->cur_last_arrival - (guint64) k->init_arrival
                 <= (guint64) k->opt.burst_ms * 1000)) {
    k->burst_ms += frag_ms;
    k->burst_frame_ms = MAX (k->burst_frame_ms, frame_ms);
  }
  hksv_mp4_fragment_free (f);
}

void
hksv_mp4_checker_add_init (HksvMp4Checker *k, const guint8 *data, gsize len)
{
  Ctx c;

  g_return_if_fail (k != NULL && (data != NULL || len == 0));
  c = (Ctx){ k, k->next_file_seq++, 0, NULL };
  check_init (k, &c, data, len);
  g_free (c.last);
}

void
hksv_mp4_checker_add_fragment (HksvMp4Checker *k, const guint8 *data, gsize len)
{
  Ctx c;

  g_return_if_fail (k != NULL && (data != NULL || len == 0));
  if (k->next_file_seq == 1)
    k->next_file_seq = 2; /* no init: fragments keep their numbers */
  c = (Ctx){ k, k->next_file_seq++, 0, NULL };
  check_fragment (k, &c, data, len);
  g_free (c.last);
}

void
hksv_mp4_checker_add_recording (HksvMp4Checker *k, const guint8 *data, gsize len)
{
  HksvBoxIter it;
  HksvBox box;
  GError *err = NULL;
  gsize start = 0, pos = 0;
  gboolean in_fragment = FALSE, init_done = FALSE;
  HksvBoxResult res;

  g_return_if_fail (k != NULL && (data != NULL || len == 0));
  hksv_box_iter_init (&it, data, len);
  while ((res = hksv_box_iter_next (&it, &box, &err)) == HKSV_BOX_OK) {
    if (box.type == FOURCC ('m', 'o', 'o', 'f')) {
      if (!in_fragment && box.offset > 0)
        hksv_mp4_checker_add_init (k, data, box.offset);
      else if (in_fragment)
        hksv_mp4_checker_add_fragment (k, data + start, box.offset - start);
      init_done = TRUE;
      in_fragment = TRUE;
      start = box.offset;
    }
    pos = box.offset + box.size;
  }
  if (in_fragment)
    hksv_mp4_checker_add_fragment (k, data + start, pos - start);
  else if (!init_done && pos > 0)
    hksv_mp4_checker_add_init (k, data, pos);
  if (res == HKSV_BOX_INVALID) {
    Ctx c = { k, k->next_file_seq > 1 ? k->next_file_seq - 1 : 1, 0, NULL };
    report (&c, R_BOX_INVALID, "recording: %s", err->message);
    g_free (c.last);
    g_clear_error (&err);
  }
}

/* ---- chunk stream ---- */

static void
complete_sequence (HksvMp4Checker *k)
{
  Ctx c = { k, k->cur_seq, 0, NULL };

  if (k->cur_total >= 0 && (guint64) k->cur_total != k->cur_data->len)
    report (&c, R_CHUNK_TOTAL_SIZE,
        "dataTotalSize says %" G_GINT64_FORMAT " bytes, the chunks hold %u", k->cur_total,
        k->cur_data->len);
  if (k->cur_type == HKSV_CHUNK_MEDIA_INITIALIZATION && k->cur_seq == 1)
    check_init (k, &c, k->cur_data->data, k->cur_data->len);
  else
    check_fragment (k, &c, k->cur_data->data, k->cur_data->len);
  g_free (c.last);
  k->assembling = FALSE;
  k->done_valid = TRUE;
  k->done_seq = k->cur_seq;
  g_byte_array_set_size (k->cur_data, 0);
}

void
hksv_mp4_checker_add_chunk (HksvMp4Checker *k, const HksvChunk *ch)
{
  Ctx c;
  gsize size = 0;
  const guint8 *data = NULL;
  gboolean first = !k->chunk_mode;

  g_return_if_fail (k != NULL && ch != NULL);
  k->chunk_mode = TRUE;
  k->summary.chunks++;
  c = (Ctx){ k, ch->data_sequence_number, ch->chunk_sequence_number, NULL };
  if (ch->data)
    data = g_bytes_get_data (ch->data, &size);

  if (size == 0)
    report (&c, R_CHUNK_SIZE, "an empty chunk");
  else if (size > HKSV_CHUNK_MAX_SIZE)
    report (&c, R_CHUNK_SIZE, "a chunk of %" G_GSIZE_FORMAT " bytes; at most %d", size,
        HKSV_CHUNK_MAX_SIZE);
  if (k->eos_seen)
    report (&c, R_CHUNK_EOS, "a chunk after the one with endOfStream");
  if (first && (ch->data_sequence_number != 1 || ch->type != HKSV_CHUNK_MEDIA_INITIALIZATION))
    report (&c, R_CHUNK_FIRST,
        "the stream starts with sequence %" G_GUINT64_FORMAT
        " (%s); it must start with sequence 1, "
        "mediaInitialization",
        ch->data_sequence_number,
        ch->type == HKSV_CHUNK_MEDIA_INITIALIZATION ? "mediaInitialization" : "mediaFragment");
  if (ch->data_sequence_number == 1 && ch->type != HKSV_CHUNK_MEDIA_INITIALIZATION)
    report (
        &c, R_CHUNK_TYPE, "sequence 1 is of type mediaFragment; it must be mediaInitialization");
  else if (ch->data_sequence_number != 1 && ch->type != HKSV_CHUNK_MEDIA_FRAGMENT)
    report (&c, R_CHUNK_TYPE,
        "sequence %" G_GUINT64_FORMAT " is of type mediaInitialization; only "
        "sequence 1 is",
        ch->data_sequence_number);

  if (k->assembling && ch->data_sequence_number == k->cur_seq) {
    if (ch->chunk_sequence_number != k->cur_chunk + 1)
      report (&c, R_CHUNK_NUMBER, "chunk number %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT,
          ch->chunk_sequence_number, k->cur_chunk);
    if (ch->total_size >= 0 && ch->total_size != k->cur_total)
      report (&c, R_CHUNK_TOTAL_SIZE,
          "dataTotalSize %" G_GINT64_FORMAT " differs from the first chunk's %" G_GINT64_FORMAT,
          ch->total_size, k->cur_total);
    if (k->cur_type == HKSV_CHUNK_MEDIA_INITIALIZATION && k->cur_seq == 1)
      report (&c, R_CHUNK_INIT_CHUNKS,
          "the init segment is split into chunks; it must be sent as one chunk");
  } else if (k->done_valid && ch->data_sequence_number == k->done_seq) {
    report (&c, R_CHUNK_LAST_FLAG,
        "chunk %" G_GUINT64_FORMAT " of sequence %" G_GUINT64_FORMAT
        " comes after the chunk marked isLastDataChunk (ignored)",
        ch->chunk_sequence_number, ch->data_sequence_number);
    g_free (c.last);
    return;
  } else {
    if (k->assembling) {
      Ctx prev = { k, k->cur_seq, k->cur_chunk, NULL };
      report (&prev, R_CHUNK_LAST_FLAG,
          "sequence %" G_GUINT64_FORMAT " ended (chunk %" G_GUINT64_FORMAT
          ") without a chunk marked isLastDataChunk",
          k->cur_seq, k->cur_chunk);
      g_free (prev.last);
      complete_sequence (k);
    }
    if (k->last_seq_seen && ch->data_sequence_number != k->last_seq_seen + 1)
      report (&c, R_CHUNK_SEQUENCE,
          "data sequence number %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT
          "; expected %" G_GUINT64_FORMAT,
          ch->data_sequence_number, k->last_seq_seen, k->last_seq_seen + 1);
    if (ch->chunk_sequence_number != 1)
      report (&c, R_CHUNK_NUMBER,
          "sequence %" G_GUINT64_FORMAT " starts with chunk number %" G_GUINT64_FORMAT
          "; chunks count from 1",
          ch->data_sequence_number, ch->chunk_sequence_number);
    if (ch->type == HKSV_CHUNK_MEDIA_FRAGMENT && ch->total_size < 0)
      report (&c, R_CHUNK_TOTAL_SIZE, "the fragment's first chunk has no dataTotalSize");
    k->assembling = TRUE;
    k->cur_seq = ch->data_sequence_number;
    k->cur_type = ch->type;
    k->cur_total = ch->total_size;
    k->last_seq_seen = MAX (k->last_seq_seen, ch->data_sequence_number);
    if (ch->data_sequence_number == 1 && ch->arrival_us && !k->init_arrival)
      k->init_arrival = ch->arrival_us;
  }
  k->cur_chunk = ch->chunk_sequence_number;
  k->cur_last_arrival = ch->arrival_us;
  if (size)
    g_byte_array_append (k->cur_data, data, (guint) size);
  if (ch->end_of_stream) {
    if (!ch->is_last_chunk)
      report (&c, R_CHUNK_EOS,
          "endOfStream on chunk %" G_GUINT64_FORMAT " which is not marked isLastDataChunk",
          ch->chunk_sequence_number);
    k->eos_seen = TRUE;
  }
  g_free (c.last);
  if (ch->is_last_chunk)
    complete_sequence (k);
}

void
hksv_mp4_checker_finish (HksvMp4Checker *k)
{
  Ctx c = { k, 0, 0, NULL };

  g_return_if_fail (k != NULL);
  if (k->finished)
    return;
  k->finished = TRUE;
  if (k->assembling) {
    Ctx prev = { k, k->cur_seq, k->cur_chunk, NULL };
    report (&prev, R_CHUNK_LAST_FLAG,
        "the stream ended in sequence %" G_GUINT64_FORMAT " (chunk %" G_GUINT64_FORMAT
        ") without a chunk marked isLastDataChunk",
        k->cur_seq, k->cur_chunk);
    g_free (prev.last);
    complete_sequence (k);
  }
  if (k->pending)
    check_fragment_length (k, k->pending_seq, k->pending_ms, k->pending_frame_ms, TRUE);
  if (k->summary.fragments == 0)
    report (&c, R_RECORDING_EMPTY, "the recording has no fragment");
  if (k->chunk_mode && !k->eos_seen)
    report (&c, R_CHUNK_EOS_MISSING,
        "the stream ended without endOfStream (it belongs on the last chunk of the last "
        "fragment)");
  if (k->chunk_mode && k->init_arrival) {
    k->summary.prebuffer_ms = k->burst_ms;
    if (k->opt.prebuffer_ms && k->burst_ms < k->opt.prebuffer_ms - k->burst_frame_ms - 1.0)
      report (&c, R_PREBUFFER_SHORT,
          "the fragments received within %u ms of the init segment hold %.0f ms of video; the "
          "prebuffer length is %u ms: send the whole prebuffer at once",
          k->opt.burst_ms, k->burst_ms, k->opt.prebuffer_ms);
  }
  g_free (c.last);
}

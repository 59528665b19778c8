/* libgsthksv: conformance checker for HKSV recordings (see mp4-check.h, docs/fmp4.md): the
 * rules table, how violations are reported, the checker's API and its input as files. The rules
 * themselves are in mp4-check-init.c, -fragment.c, -samples.c, -video.c and -chunks.c
 * (mp4-check-private.h). */
#include "gst/mp4-check-private.h"

#include <stdarg.h>
#include <string.h>

#define P HKSV_MP4_RULE_PROTOCOL
#define L HKSV_MP4_RULE_LAYOUT

/* fragment.duration's text says 100 ms */
G_STATIC_ASSERT (HKSV_FRAGMENT_TOLERANCE_MS == 100);

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
      "a fragment's length differs from the selected fragment length by more than a frame or "
      "100 ms (HKSV_FRAGMENT_TOLERANCE_MS), whichever is more (the last may be shorter)" },
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

void
hksv_mp4_check_report (HksvMp4CheckCtx *c, guint rule, const char *format, ...)
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

/* ---- helpers of the rule files ---- */

HksvBoxResult
hksv_mp4_check_next_box (HksvMp4CheckCtx *c, HksvBoxIter *it, HksvBox *box, const char *what)
{
  GError *err = NULL;
  HksvBoxResult res = hksv_box_iter_next (it, box, &err);

  if (res == HKSV_BOX_INVALID) {
    hksv_mp4_check_report (c, R_BOX_INVALID, "%s: %s", what, err->message);
    g_error_free (err);
  }
  return res;
}

gboolean
hksv_mp4_check_find (const HksvBox *parent, const char *type, HksvBox *child)
{
  gsize skip = 0;
  hksv_box_children_skip (parent->type, &skip);
  return hksv_box_find_child (parent, skip, FOURCC (type[0], type[1], type[2], type[3]), child);
}

gboolean
hksv_mp4_track_is_video (const HksvMp4TrackInfo *t)
{
  return t->handler == FOURCC ('v', 'i', 'd', 'e');
}

gboolean
hksv_mp4_track_is_audio (const HksvMp4TrackInfo *t)
{
  return t->handler == FOURCC ('s', 'o', 'u', 'n');
}

gdouble
hksv_mp4_ticks_ms (guint64 ticks, guint32 timescale)
{
  return timescale ? (gdouble) ticks * 1000.0 / timescale : 0;
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

void
hksv_mp4_checker_add_init (HksvMp4Checker *k, const guint8 *data, gsize len)
{
  HksvMp4CheckCtx c;

  g_return_if_fail (k != NULL && (data != NULL || len == 0));
  c = (HksvMp4CheckCtx){ k, k->next_file_seq++, 0, NULL };
  hksv_mp4_check_init (k, &c, data, len);
  g_free (c.last);
}

void
hksv_mp4_checker_add_fragment (HksvMp4Checker *k, const guint8 *data, gsize len)
{
  HksvMp4CheckCtx c;

  g_return_if_fail (k != NULL && (data != NULL || len == 0));
  if (k->next_file_seq == 1)
    k->next_file_seq = 2; /* no init: fragments keep their numbers */
  c = (HksvMp4CheckCtx){ k, k->next_file_seq++, 0, NULL };
  hksv_mp4_check_fragment (k, &c, data, len);
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
    HksvMp4CheckCtx c = { k, k->next_file_seq > 1 ? k->next_file_seq - 1 : 1, 0, NULL };
    hksv_mp4_check_report (&c, R_BOX_INVALID, "recording: %s", err->message);
    g_free (c.last);
    g_clear_error (&err);
  }
}

void
hksv_mp4_checker_finish (HksvMp4Checker *k)
{
  HksvMp4CheckCtx c = { k, 0, 0, NULL };

  g_return_if_fail (k != NULL);
  if (k->finished)
    return;
  k->finished = TRUE;
  hksv_mp4_check_chunks_flush (k);
  if (k->pending)
    hksv_mp4_check_fragment_length (k, k->pending_seq, k->pending_ms, k->pending_frame_ms, TRUE);
  if (k->summary.fragments == 0)
    hksv_mp4_check_report (&c, R_RECORDING_EMPTY, "the recording has no fragment");
  hksv_mp4_check_chunks_finish (k, &c);
  g_free (c.last);
}

/* libgsthksv: the conformance checker's init segment (mp4-check-private.h): ftyp, moov, each
 * trak down to its sample entry and codec configuration, mvex; the rules of docs/fmp4.md on
 * them, and the tracks the fragments are checked against. */
#include "gst/mp4-check-private.h"

#include <string.h>

static void
check_sample_tables (HksvMp4CheckCtx *c, const HksvBox *stbl, guint32 id)
{
  static const char *const names[] = { "stts", "stsc", "stsz", "stco" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    HksvBox box;
    HksvByteReader r;
    guint32 count = 0;
    gboolean found = hksv_mp4_check_find (stbl, names[i], &box);

    if (!found && i == 3)
      found = hksv_mp4_check_find (stbl, "co64", &box);
    if (!found) {
      hksv_mp4_check_report (
          c, R_MOOV_SAMPLE_TABLE, "track %u has no %s box in stbl", id, names[i]);
      continue;
    }
    if (!hksv_box_full_header (&box, NULL, NULL, &r) || (i == 2 && !hksv_byte_reader_skip (&r, 4))
        || !hksv_byte_reader_u32 (&r, &count)) {
      hksv_mp4_check_report (c, R_MOOV_SAMPLE_TABLE, "track %u: %s is truncated", id, names[i]);
      continue;
    }
    if (count)
      hksv_mp4_check_report (c, R_MOOV_SAMPLE_TABLE,
          "track %u: %s lists %u samples; in a fragmented recording the samples are in the "
          "fragments and the init segment's tables are empty",
          id, names[i], count);
  }
}

static void
parse_video_entry (
    HksvMp4CheckCtx *c, const HksvBox *entry, HksvMp4TrackInfo *t, guint tkhd_w, guint tkhd_h)
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
    hksv_mp4_check_report (
        c, R_TRAK_STRUCTURE, "track %u: the visual sample entry is truncated", t->track_id);
    return;
  }
  t->width = w;
  t->height = h;
  if (w == 0 || h == 0)
    hksv_mp4_check_report (
        c, R_VIDEO_SIZE, "track %u: the sample entry says %ux%u", t->track_id, w, h);
  if (!hksv_box_find_child (
          entry, 78, hevc ? FOURCC ('h', 'v', 'c', 'C') : FOURCC ('a', 'v', 'c', 'C'), &cfg_box)) {
    hksv_mp4_check_report (c, hevc ? R_HVCC_INVALID : R_AVCC_INVALID, "track %u: %s has no %s box",
        t->track_id, hevc ? "hvc1" : "avc1", hevc ? "hvcC" : "avcC");
    return;
  }
  if (!(hevc ? hksv_hvcc_parse : hksv_avcc_parse) (
          cfg_box.payload, cfg_box.payload_size, &cfg, &err)) {
    hksv_mp4_check_report (
        c, hevc ? R_HVCC_INVALID : R_AVCC_INVALID, "track %u: %s", t->track_id, err->message);
    g_clear_error (&err);
    return;
  }
  t->nal_length_size = cfg.nal_length_size;
  t->profile = cfg.profile_idc;
  t->level = cfg.level_idc;
  if (hevc && (cfg.n_vps == 0 || cfg.n_sps == 0 || cfg.n_pps == 0))
    hksv_mp4_check_report (c, R_HVCC_PARAMETER_SETS,
        "track %u: hvcC holds %u VPS, %u SPS, %u PPS; a hub decodes only with all three there",
        t->track_id, cfg.n_vps, cfg.n_sps, cfg.n_pps);
  if (!hevc && cfg.n_pps == 0)
    hksv_mp4_check_report (c, R_AVCC_PPS, "track %u: avcC holds no PPS", t->track_id);
  if (!cfg.sps) {
    if (!hevc)
      hksv_mp4_check_report (c, R_AVCC_SPS, "track %u: avcC holds no SPS", t->track_id);
    return;
  }
  if (!(hevc ? hksv_h265_sps_parse : hksv_h264_sps_parse) (cfg.sps, cfg.sps_len, &sps, &err)) {
    hksv_mp4_check_report (
        c, hevc ? R_HVCC_PARAMETER_SETS : R_AVCC_SPS, "track %u: %s", t->track_id, err->message);
    g_clear_error (&err);
    return;
  }
  if (sps.width != w || sps.height != h)
    hksv_mp4_check_report (c, R_VIDEO_SIZE_MISMATCH,
        "track %u: the sample entry says %ux%u, the SPS %ux%u", t->track_id, w, h, sps.width,
        sps.height);
  if (tkhd_w != sps.width || tkhd_h != sps.height)
    hksv_mp4_check_report (c, R_VIDEO_SIZE_MISMATCH, "track %u: tkhd says %ux%u, the SPS %ux%u",
        t->track_id, tkhd_w, tkhd_h, sps.width, sps.height);
}

static void
parse_audio_entry (HksvMp4CheckCtx *c, const HksvBox *entry, HksvMp4TrackInfo *t)
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
    hksv_mp4_check_report (
        c, R_TRAK_STRUCTURE, "track %u: the audio sample entry is truncated", t->track_id);
    return;
  }
  rate >>= 16;
  if (!hksv_box_find_child (entry, 28, FOURCC ('e', 's', 'd', 's'), &esds)) {
    hksv_mp4_check_report (c, R_ESDS_INVALID, "track %u: mp4a has no esds box", t->track_id);
    return;
  }
  if (!hksv_box_full_header (&esds, NULL, NULL, &er)
      || !hksv_esds_parse (er.data + er.pos, hksv_byte_reader_remaining (&er), &info, &err)) {
    hksv_mp4_check_report (
        c, R_ESDS_INVALID, "track %u: %s", t->track_id, err ? err->message : "esds is empty");
    g_clear_error (&err);
    return;
  }
  if (info.object_type_indication != 0x40) {
    hksv_mp4_check_report (c, R_ESDS_OBJECT_TYPE,
        "track %u: esds objectTypeIndication is 0x%02x, not 0x40 (MPEG-4 audio)", t->track_id,
        info.object_type_indication);
    return;
  }
  if (!hksv_aac_config_parse (info.dsi, info.dsi_len, &aac, &err)) {
    hksv_mp4_check_report (c, R_ESDS_INVALID, "track %u: %s", t->track_id, err->message);
    g_clear_error (&err);
    return;
  }
  t->audio_object_type = aac.object_type;
  t->sample_rate = aac.sample_rate;
  t->channels = aac.channel_config;
  if (aac.object_type != 2 && aac.object_type != 39) {
    hksv_mp4_check_report (c, R_ESDS_OBJECT_TYPE,
        "track %u: audio object type %u; HKSV records AAC-LC (2) or AAC-ELD (39)", t->track_id,
        aac.object_type);
    return;
  }
  if (rate != aac.sample_rate || channels != aac.channel_config)
    hksv_mp4_check_report (c, R_ESDS_CONFIG_MISMATCH,
        "track %u: mp4a says %u Hz, %u channels; the AudioSpecificConfig %u Hz, channel "
        "configuration %u",
        t->track_id, rate, channels, aac.sample_rate, aac.channel_config);
  if (t->timescale != aac.sample_rate)
    hksv_mp4_check_report (c, R_ESDS_CONFIG_MISMATCH,
        "track %u: mdhd timescale %u differs from the sample rate %u (the camera uses the "
        "sample rate)",
        t->track_id, t->timescale, aac.sample_rate);
}

static gboolean
parse_trak (HksvMp4CheckCtx *c, const HksvBox *trak, guint index, HksvMp4TrackInfo *t)
{
  HksvBox tkhd, mdia, mdhd, hdlr, minf, stbl, stsd, entry, edts;
  HksvByteReader r;
  guint8 version;
  guint32 flags, id = 0, handler = 0, count = 0, w = 0, h = 0;
  HksvBoxIter it;
  gchar s[5];
  GError *err = NULL;

  memset (t, 0, sizeof *t);
  if (!hksv_mp4_check_find (trak, "tkhd", &tkhd)
      || !hksv_box_full_header (&tkhd, &version, &flags, &r)
      || !hksv_byte_reader_skip (&r, version == 1 ? 16 : 8) || !hksv_byte_reader_u32 (&r, &id)) {
    hksv_mp4_check_report (c, R_TRAK_STRUCTURE, "trak %u has no valid tkhd", index + 1);
    return FALSE;
  }
  t->track_id = id;
  if ((flags & 7) != 7)
    hksv_mp4_check_report (
        c, R_TRAK_FLAGS, "track %u: tkhd flags 0x%06x (the camera writes 7)", id, flags);
  if (tkhd.payload_size >= 84) { /* v0: version, flags and 80 bytes; width, height last */
    hksv_byte_reader_init (&r, tkhd.payload + tkhd.payload_size - 8, 8);
    hksv_byte_reader_u32 (&r, &w);
    hksv_byte_reader_u32 (&r, &h);
  }
  if (hksv_mp4_check_find (trak, "edts", &edts))
    hksv_mp4_check_report (c, R_MOOV_EDTS,
        "track %u has an edit list (edts); hubs expect none: presentation starts at the tfdt", id);
  if (!hksv_mp4_check_find (trak, "mdia", &mdia) || !hksv_mp4_check_find (&mdia, "mdhd", &mdhd)
      || !hksv_box_full_header (&mdhd, &version, NULL, &r)
      || !hksv_byte_reader_skip (&r, version == 1 ? 16 : 8)
      || !hksv_byte_reader_u32 (&r, &t->timescale)) {
    hksv_mp4_check_report (c, R_TRAK_STRUCTURE, "track %u has no valid mdia/mdhd", id);
    return FALSE;
  }
  if (t->timescale == 0)
    hksv_mp4_check_report (c, R_TRAK_TIMESCALE, "track %u: mdhd timescale is 0", id);
  if (!hksv_mp4_check_find (&mdia, "hdlr", &hdlr) || !hksv_box_full_header (&hdlr, NULL, NULL, &r)
      || !hksv_byte_reader_skip (&r, 4) || !hksv_byte_reader_u32 (&r, &handler)) {
    hksv_mp4_check_report (c, R_TRAK_STRUCTURE, "track %u has no valid hdlr", id);
    return FALSE;
  }
  t->handler = handler;
  if (handler != FOURCC ('v', 'i', 'd', 'e') && handler != FOURCC ('s', 'o', 'u', 'n')) {
    hksv_mp4_check_report (c, R_TRAK_HANDLER,
        "track %u has handler '%s', neither 'vide' nor 'soun'", id,
        hksv_fourcc_to_string (handler, s));
    return TRUE;
  }
  if (!hksv_mp4_check_find (&mdia, "minf", &minf) || !hksv_mp4_check_find (&minf, "stbl", &stbl)) {
    hksv_mp4_check_report (c, R_TRAK_STRUCTURE, "track %u has no minf/stbl", id);
    return FALSE;
  }
  check_sample_tables (c, &stbl, id);
  if (!hksv_mp4_check_find (&stbl, "stsd", &stsd) || !hksv_box_full_header (&stsd, NULL, NULL, &r)
      || !hksv_byte_reader_u32 (&r, &count) || !hksv_box_iter_init_children (&it, &stsd, 8)) {
    hksv_mp4_check_report (c, R_TRAK_STRUCTURE, "track %u has no valid stsd", id);
    return FALSE;
  }
  if (count != 1)
    hksv_mp4_check_report (
        c, R_STSD_ENTRIES, "track %u: stsd holds %u sample entries, not 1", id, count);
  if (hksv_box_iter_next (&it, &entry, &err) != HKSV_BOX_OK) {
    hksv_mp4_check_report (c, R_TRAK_STRUCTURE, "track %u: stsd has no readable sample entry%s%s",
        id, err ? ": " : "", err ? err->message : "");
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
        hksv_mp4_check_report (c, R_STSD_CODEC,
            "track %u: sample entry '%s' (parameter sets in band); hubs expect '%s' with them in "
            "the configuration record",
            id, hksv_fourcc_to_string (entry.type, s),
            t->codec == HKSV_MP4_CODEC_H264 ? "avc1" : "hvc1");
        break;
      default:
        hksv_mp4_check_report (c, R_STSD_CODEC,
            "track %u: video sample entry '%s'; HKSV records avc1 or hvc1", id,
            hksv_fourcc_to_string (entry.type, s));
        return TRUE;
    }
    parse_video_entry (c, &entry, t, w >> 16, h >> 16);
  } else {
    if (entry.type != FOURCC ('m', 'p', '4', 'a')) {
      hksv_mp4_check_report (c, R_STSD_CODEC,
          "track %u: audio sample entry '%s'; HKSV records mp4a (AAC)", id,
          hksv_fourcc_to_string (entry.type, s));
      return TRUE;
    }
    t->codec = HKSV_MP4_CODEC_AAC;
    parse_audio_entry (c, &entry, t);
  }
  return TRUE;
}

static void
parse_mvex (HksvMp4CheckCtx *c, const HksvBox *moov, HksvMp4Init *init)
{
  HksvBox mvex, box;
  HksvBoxIter it;

  if (!hksv_mp4_check_find (moov, "mvex", &mvex)) {
    hksv_mp4_check_report (c, R_MOOV_MVEX,
        "moov has no mvex: this is not a fragmented recording (each track needs a trex)");
    return;
  }
  if (!hksv_mp4_check_find (&mvex, "mehd", &box))
    hksv_mp4_check_report (
        c, R_MOOV_MEHD, "mvex has no mehd (the camera writes one with duration 0)");
  hksv_box_iter_init_children (&it, &mvex, 0);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    HksvByteReader r;
    guint32 id, sdi, dur, size, flags;

    if (box.type != FOURCC ('t', 'r', 'e', 'x'))
      continue;
    if (!hksv_box_full_header (&box, NULL, NULL, &r) || !hksv_byte_reader_u32 (&r, &id)
        || !hksv_byte_reader_u32 (&r, &sdi) || !hksv_byte_reader_u32 (&r, &dur)
        || !hksv_byte_reader_u32 (&r, &size) || !hksv_byte_reader_u32 (&r, &flags)) {
      hksv_mp4_check_report (c, R_MOOV_TREX, "a trex box is truncated");
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
        hksv_mp4_check_report (c, R_MOOV_TREX_DEFAULTS,
            "track %u: trex default_sample_description_index is %u, not 1", id, sdi);
    }
  }
  for (guint i = 0; i < init->n_tracks; i++) {
    if (!init->tracks[i].has_trex)
      hksv_mp4_check_report (
          c, R_MOOV_TREX, "track %u has no trex in mvex", init->tracks[i].track_id);
  }
}

static void
check_ftyp (HksvMp4CheckCtx *c, const HksvBox *ftyp, const HksvMp4Init *init)
{
  HksvByteReader r;
  guint32 major = 0, minor, brand;
  gboolean isom = FALSE, mp42 = FALSE, avc1 = FALSE, h264 = FALSE;
  gchar s[5];

  hksv_byte_reader_init (&r, ftyp->payload, ftyp->payload_size);
  if (!hksv_byte_reader_u32 (&r, &major) || !hksv_byte_reader_u32 (&r, &minor)) {
    hksv_mp4_check_report (c, R_FTYP_MAJOR, "ftyp is truncated");
    return;
  }
  if (major != FOURCC ('m', 'p', '4', '2'))
    hksv_mp4_check_report (
        c, R_FTYP_MAJOR, "ftyp major brand is '%s', not 'mp42'", hksv_fourcc_to_string (major, s));
  while (hksv_byte_reader_u32 (&r, &brand)) {
    isom |= brand == FOURCC ('i', 's', 'o', 'm');
    mp42 |= brand == FOURCC ('m', 'p', '4', '2');
    avc1 |= brand == FOURCC ('a', 'v', 'c', '1');
  }
  for (guint i = 0; i < init->n_tracks; i++)
    h264 |= init->tracks[i].codec == HKSV_MP4_CODEC_H264;
  if (!isom || !mp42 || (h264 && !avc1))
    hksv_mp4_check_report (c, R_FTYP_COMPATIBLE,
        "ftyp compatible brands lack%s%s%s (the camera lists isom mp42 avc1)", isom ? "" : " isom",
        mp42 ? "" : " mp42", h264 && !avc1 ? " avc1" : "");
}

/* Nested boxes must parse: walks the whole tree of moov once. */
static gboolean
moov_parses (HksvMp4CheckCtx *c, const HksvBox *moov)
{
  HksvBoxIter stack[16];
  guint depth = 1;
  HksvBox child;

  hksv_box_iter_init_children (&stack[0], moov, 0);
  while (depth > 0) {
    HksvBoxResult res = hksv_mp4_check_next_box (c, &stack[depth - 1], &child, "moov");
    gsize skip;

    if (res == HKSV_BOX_INVALID)
      return FALSE;
    if (res == HKSV_BOX_END) {
      depth--;
      continue;
    }
    if (depth < G_N_ELEMENTS (stack) && hksv_box_children_skip (child.type, &skip)
        && hksv_box_iter_init_children (&stack[depth], &child, skip))
      depth++;
  }
  return TRUE;
}

static gboolean
parse_init (HksvMp4CheckCtx *c, const guint8 *data, gsize len, HksvMp4Init *init)
{
  HksvBoxIter it;
  HksvBox box, ftyp = { 0 }, moov = { 0 }, mvhd;
  gboolean have_ftyp = FALSE, have_moov = FALSE;
  guint index = 0, n_video = 0, n_audio = 0, n_traks = 0;
  HksvBoxResult res;
  gchar s[5];
  HksvMp4Checker *k = c->checker;

  memset (init, 0, sizeof *init);
  hksv_box_iter_init (&it, data, len);
  while ((res = hksv_mp4_check_next_box (c, &it, &box, "init segment")) == HKSV_BOX_OK) {
    if (box.type == FOURCC ('f', 't', 'y', 'p') && index == 0) {
      ftyp = box;
      have_ftyp = TRUE;
    } else if (box.type == FOURCC ('m', 'o', 'o', 'v') && index == 1 && have_ftyp) {
      moov = box;
      have_moov = TRUE;
    } else if (box.type == FOURCC ('m', 'o', 'o', 'v') && !have_moov) {
      moov = box;
      have_moov = TRUE;
      hksv_mp4_check_report (
          c, R_INIT_LAYOUT, "the init segment has moov at box %u; ftyp must come first", index + 1);
    } else {
      hksv_mp4_check_report (c, R_INIT_LAYOUT,
          "the init segment holds a '%s' box (box %u); only ftyp and moov",
          hksv_fourcc_to_string (box.type, s), index + 1);
    }
    index++;
  }
  if (res == HKSV_BOX_INVALID)
    return FALSE;
  if (!have_ftyp && have_moov)
    hksv_mp4_check_report (c, R_INIT_LAYOUT, "the init segment has no ftyp");
  if (!have_moov) {
    hksv_mp4_check_report (c, R_INIT_LAYOUT, "the init segment has no moov");
    return FALSE;
  }

  if (!moov_parses (c, &moov))
    return FALSE;

  if (!hksv_mp4_check_find (&moov, "mvhd", &mvhd)) {
    hksv_mp4_check_report (c, R_MOOV_MVHD, "moov has no mvhd");
  } else {
    HksvByteReader r;
    guint8 version;
    guint32 ts = 0;
    if (!hksv_box_full_header (&mvhd, &version, NULL, &r)
        || !hksv_byte_reader_skip (&r, version == 1 ? 16 : 8) || !hksv_byte_reader_u32 (&r, &ts)
        || ts == 0)
      hksv_mp4_check_report (c, R_MOOV_MVHD, "mvhd is truncated or its timescale is 0");
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
        hksv_mp4_check_report (c, R_TRAK_TRACK_ID, "track ID %u is used by two traks", t.track_id);
    }
    if (t.track_id == 0)
      hksv_mp4_check_report (c, R_TRAK_TRACK_ID, "trak %u has track ID 0", n_traks);
    n_video += hksv_mp4_track_is_video (&t);
    n_audio += hksv_mp4_track_is_audio (&t);
    if (init->n_tracks < HKSV_MP4_CHECK_MAX_TRACKS)
      init->tracks[init->n_tracks++] = t;
  }
  if (n_video != 1 || n_audio > 1 || n_traks > 2)
    hksv_mp4_check_report (c, R_MOOV_TRACK_COUNT,
        "moov holds %u traks (%u video, %u audio); HKSV recordings have one video track and at "
        "most one audio track",
        n_traks, n_video, n_audio);
  if (k && k->opt.audio == HKSV_MP4_AUDIO_YES && n_audio == 0)
    hksv_mp4_check_report (c, R_MOOV_AUDIO_MISSING,
        "audio is configured (RecordingAudioActive) but the recording has no audio track: hubs "
        "fail such recordings; insert silence when the source has none");
  if (k && k->opt.audio == HKSV_MP4_AUDIO_NO && n_audio > 0)
    hksv_mp4_check_report (
        c, R_MOOV_AUDIO_UNEXPECTED, "audio is not configured but the recording has an audio track");
  parse_mvex (c, &moov, init);
  if (have_ftyp)
    check_ftyp (c, &ftyp, init);
  return TRUE;
}

gboolean
hksv_mp4_init_parse (const guint8 *data, gsize len, HksvMp4Init *init, GError **error)
{
  HksvMp4CheckCtx c = { NULL, 1, 0, NULL };
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
      return hksv_mp4_track_is_video (t)   ? "video (unknown codec)"
             : hksv_mp4_track_is_audio (t) ? "audio (unknown codec)"
                                           : "other";
  }
}

void
hksv_mp4_check_init (HksvMp4Checker *k, HksvMp4CheckCtx *c, const guint8 *data, gsize len)
{
  HksvMp4Init init;

  if (k->have_init) {
    hksv_mp4_check_report (
        c, R_INIT_REPEATED, "a second init segment; a recording has one, as sequence 1");
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
    s->video = hksv_mp4_track_is_video (t);
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

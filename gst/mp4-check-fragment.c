/* libgsthksv: the conformance checker's fragments (mp4-check-private.h): moof and mdat, each
 * traf's tfhd, tfdt and truns turned into samples with their times and data offsets; the rules
 * that break this structure are reported as it is parsed. */
#include "gst/mp4-check-private.h"

#include <string.h>

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

static HksvMp4Traf *
parse_traf (HksvMp4CheckCtx *c, const HksvMp4Init *init, const HksvBox *traf,
    const HksvMp4Fragment *f, guint *budget)
{
  HksvBox tfhd, box;
  HksvByteReader r;
  guint8 version;
  guint32 flags, sdi = 1, dur = 0, size = 0, sflags = 0;
  guint64 base, dts;
  gint64 next_pos = -1;
  HksvMp4Traf *t;
  HksvBoxIter it;

  if (!hksv_mp4_check_find (traf, "tfhd", &tfhd)
      || !hksv_box_full_header (&tfhd, NULL, &flags, &r)) {
    hksv_mp4_check_report (c, R_TRAF_STRUCTURE, "a traf has no tfhd");
    return NULL;
  }
  t = g_new0 (HksvMp4Traf, 1);
  t->trun_flags = g_array_new (FALSE, FALSE, sizeof (guint32));
  t->samples = g_array_new (FALSE, FALSE, sizeof (HksvMp4Sample));
  t->tfhd_flags = flags;
  t->track = -1;
  base = f->moof_offset;
  if (!hksv_byte_reader_u32 (&r, &t->track_id)) {
    hksv_mp4_check_report (c, R_TRAF_STRUCTURE, "tfhd is truncated");
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
    hksv_mp4_check_report (c, R_TFHD_SAMPLE_DESCRIPTION,
        "track %u: tfhd sample_description_index %u", t->track_id, sdi);

  if (hksv_mp4_check_find (traf, "tfdt", &box)) {
    t->has_tfdt = TRUE;
    if (!hksv_box_full_header (&box, &t->tfdt_version, NULL, &r)) {
      hksv_mp4_check_report (c, R_TRAF_STRUCTURE, "track %u: tfdt is truncated", t->track_id);
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
      hksv_mp4_check_report (c, R_TRAF_STRUCTURE, "track %u: tfdt is truncated", t->track_id);
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
    if (!hksv_box_full_header (&box, &version, &tflags, &r) || !hksv_byte_reader_u32 (&r, &count))
      goto bad_trun;
    if ((tflags & 0x001) && !hksv_byte_reader_u32 (&r, (guint32 *) &data_offset))
      goto bad_trun;
    has_first = (tflags & 0x004) != 0;
    if (has_first && !hksv_byte_reader_u32 (&r, &first_flags))
      goto bad_trun;
    for (guint b = 0x100; b <= 0x800; b <<= 1)
      per += (tflags & b) ? 4 : 0;
    if ((guint64) count * per > hksv_byte_reader_remaining (&r)) {
      hksv_mp4_check_report (c, R_TRAF_STRUCTURE,
          "track %u: trun %u says %u samples, more than its %" G_GSIZE_FORMAT " bytes hold",
          t->track_id, t->trun_flags->len + 1, count, hksv_byte_reader_remaining (&r));
      traf_free (t);
      return NULL;
    }
    if (count > *budget) {
      hksv_mp4_check_report (c, R_TRAF_STRUCTURE,
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
  hksv_mp4_check_report (
      c, R_TRAF_STRUCTURE, "track %u: tfhd is truncated for its flags 0x%06x", t->track_id, flags);
  traf_free (t);
  return NULL;

bad_trun:
  hksv_mp4_check_report (
      c, R_TRAF_STRUCTURE, "track %u: trun %u is truncated", t->track_id, t->trun_flags->len + 1);
  traf_free (t);
  return NULL;
}

/* Nested boxes of moof must parse: its children and theirs in each traf. */
static gboolean
moof_parses (HksvMp4CheckCtx *c, const HksvBox *moof)
{
  HksvBoxIter outer, inner;
  HksvBox child, grandchild;
  HksvBoxResult res;

  hksv_box_iter_init_children (&outer, moof, 0);
  while ((res = hksv_mp4_check_next_box (c, &outer, &child, "moof")) == HKSV_BOX_OK) {
    if (child.type != FOURCC ('t', 'r', 'a', 'f'))
      continue;
    hksv_box_iter_init_children (&inner, &child, 0);
    while ((res = hksv_mp4_check_next_box (c, &inner, &grandchild, "moof")) == HKSV_BOX_OK)
      ;
    if (res == HKSV_BOX_INVALID)
      break;
  }
  return res != HKSV_BOX_INVALID;
}

HksvMp4Fragment *
hksv_mp4_check_parse_fragment (
    HksvMp4CheckCtx *c, const HksvMp4Init *init, const guint8 *data, gsize len)
{
  HksvBoxIter it;
  HksvBox box, moof = { 0 }, mdat = { 0 }, mfhd;
  gboolean have_moof = FALSE, have_mdat = FALSE, layout_ok = TRUE;
  guint index = 0;
  GString *types = g_string_new (NULL);
  HksvBoxResult res;
  HksvMp4Fragment *f;
  HksvByteReader r;
  gchar s[5];
  guint budget = MAX_SAMPLES_PER_FRAGMENT;

  hksv_box_iter_init (&it, data, len);
  while ((res = hksv_mp4_check_next_box (c, &it, &box, "fragment")) == HKSV_BOX_OK) {
    g_string_append_printf (types, "%s%s", index ? " " : "", hksv_fourcc_to_string (box.type, s));
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
  if (res == HKSV_BOX_INVALID) {
    g_string_free (types, TRUE);
    return NULL;
  }
  if (index != 2)
    layout_ok = FALSE;
  if (!layout_ok)
    hksv_mp4_check_report (c, R_FRAGMENT_LAYOUT,
        "the fragment's boxes are [%s]; a fragment is exactly one moof followed by one mdat",
        types->str);
  g_string_free (types, TRUE);
  if (!have_moof || !have_mdat)
    return NULL;

  if (!moof_parses (c, &moof))
    return NULL;

  f = g_new0 (HksvMp4Fragment, 1);
  f->trafs = g_ptr_array_new_with_free_func (traf_free);
  f->moof_offset = moof.offset;
  f->moof_size = moof.size;
  f->mdat_offset = mdat.offset;
  f->mdat_size = mdat.size;
  f->mdat_header_size = mdat.header_size;
  if (!hksv_mp4_check_find (&moof, "mfhd", &mfhd) || !hksv_box_full_header (&mfhd, NULL, NULL, &r)
      || !hksv_byte_reader_u32 (&r, &f->sequence))
    hksv_mp4_check_report (c, R_MOOF_STRUCTURE, "moof has no valid mfhd");
  hksv_box_iter_init_children (&it, &moof, 0);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    HksvMp4Traf *t;
    if (box.type != FOURCC ('t', 'r', 'a', 'f'))
      continue;
    if (f->trafs->len == MAX_TRAFS) {
      hksv_mp4_check_report (c, R_MOOF_TRAF_COUNT, "more than %d trafs in one moof", MAX_TRAFS);
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
  HksvMp4CheckCtx c = { NULL, 2, 0, NULL };
  HksvMp4Fragment *f;

  g_return_val_if_fail (init != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  f = hksv_mp4_check_parse_fragment (&c, init, data, len);
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

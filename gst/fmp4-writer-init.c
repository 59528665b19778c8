/* libgsthksv: the fMP4 writer's init segment (fmp4-writer-private.h): ftyp and moov with one trak
 * per track (empty sample tables, the codec configuration in the sample entry) and mvex, box
 * for box as the real camera writes them. */
#include "gst/fmp4-writer-private.h"

#include "gst/mp4-box-writer.h"

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

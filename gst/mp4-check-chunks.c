/* libgsthksv: the conformance checker's dataSend chunk stream (mp4-check-private.h): the rules
 * of PROTOCOL.md section 5 on chunks, sequence and chunk numbers, sizes and endOfStream; each
 * sequence assembled and checked as an init segment or a fragment once its last chunk is in;
 * the prebuffer received at once after the init segment. */
#include "gst/mp4-check-private.h"

static void
complete_sequence (HksvMp4Checker *k)
{
  HksvMp4CheckCtx c = { k, k->cur_seq, 0, NULL };

  if (k->cur_total >= 0 && (guint64) k->cur_total != k->cur_data->len)
    hksv_mp4_check_report (&c, R_CHUNK_TOTAL_SIZE,
        "dataTotalSize says %" G_GINT64_FORMAT " bytes, the chunks hold %u", k->cur_total,
        k->cur_data->len);
  if (k->cur_type == HKSV_CHUNK_MEDIA_INITIALIZATION && k->cur_seq == 1)
    hksv_mp4_check_init (k, &c, k->cur_data->data, k->cur_data->len);
  else
    hksv_mp4_check_fragment (k, &c, k->cur_data->data, k->cur_data->len);
  g_free (c.last);
  k->assembling = FALSE;
  k->done_valid = TRUE;
  k->done_seq = k->cur_seq;
  g_byte_array_set_size (k->cur_data, 0);
}

/* A sequence that another one (or the end of the stream) followed before its last chunk came:
 * reported, and checked as far as it got. */
static void
complete_unterminated (HksvMp4Checker *k, gboolean stream_ended)
{
  HksvMp4CheckCtx prev = { k, k->cur_seq, k->cur_chunk, NULL };

  if (stream_ended)
    hksv_mp4_check_report (&prev, R_CHUNK_LAST_FLAG,
        "the stream ended in sequence %" G_GUINT64_FORMAT " (chunk %" G_GUINT64_FORMAT
        ") without a chunk marked isLastDataChunk",
        k->cur_seq, k->cur_chunk);
  else
    hksv_mp4_check_report (&prev, R_CHUNK_LAST_FLAG,
        "sequence %" G_GUINT64_FORMAT " ended (chunk %" G_GUINT64_FORMAT
        ") without a chunk marked isLastDataChunk",
        k->cur_seq, k->cur_chunk);
  g_free (prev.last);
  complete_sequence (k);
}

void
hksv_mp4_checker_add_chunk (HksvMp4Checker *k, const HksvChunk *ch)
{
  HksvMp4CheckCtx c;
  gsize size = 0;
  const guint8 *data = NULL;
  gboolean first = !k->chunk_mode;

  g_return_if_fail (k != NULL && ch != NULL);
  k->chunk_mode = TRUE;
  k->summary.chunks++;
  c = (HksvMp4CheckCtx){ k, ch->data_sequence_number, ch->chunk_sequence_number, NULL };
  if (ch->data)
    data = g_bytes_get_data (ch->data, &size);

  if (size == 0)
    hksv_mp4_check_report (&c, R_CHUNK_SIZE, "an empty chunk");
  else if (size > HKSV_CHUNK_MAX_SIZE)
    hksv_mp4_check_report (&c, R_CHUNK_SIZE, "a chunk of %" G_GSIZE_FORMAT " bytes; at most %d",
        size, HKSV_CHUNK_MAX_SIZE);
  if (k->eos_seen)
    hksv_mp4_check_report (&c, R_CHUNK_EOS, "a chunk after the one with endOfStream");
  if (first && (ch->data_sequence_number != 1 || ch->type != HKSV_CHUNK_MEDIA_INITIALIZATION))
    hksv_mp4_check_report (&c, R_CHUNK_FIRST,
        "the stream starts with sequence %" G_GUINT64_FORMAT
        " (%s); it must start with sequence 1, "
        "mediaInitialization",
        ch->data_sequence_number,
        ch->type == HKSV_CHUNK_MEDIA_INITIALIZATION ? "mediaInitialization" : "mediaFragment");
  if (ch->data_sequence_number == 1 && ch->type != HKSV_CHUNK_MEDIA_INITIALIZATION)
    hksv_mp4_check_report (
        &c, R_CHUNK_TYPE, "sequence 1 is of type mediaFragment; it must be mediaInitialization");
  else if (ch->data_sequence_number != 1 && ch->type != HKSV_CHUNK_MEDIA_FRAGMENT)
    hksv_mp4_check_report (&c, R_CHUNK_TYPE,
        "sequence %" G_GUINT64_FORMAT " is of type mediaInitialization; only "
        "sequence 1 is",
        ch->data_sequence_number);

  if (k->assembling && ch->data_sequence_number == k->cur_seq) {
    if (ch->chunk_sequence_number != k->cur_chunk + 1)
      hksv_mp4_check_report (&c, R_CHUNK_NUMBER,
          "chunk number %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT, ch->chunk_sequence_number,
          k->cur_chunk);
    if (ch->total_size >= 0 && ch->total_size != k->cur_total)
      hksv_mp4_check_report (&c, R_CHUNK_TOTAL_SIZE,
          "dataTotalSize %" G_GINT64_FORMAT " differs from the first chunk's %" G_GINT64_FORMAT,
          ch->total_size, k->cur_total);
    if (k->cur_type == HKSV_CHUNK_MEDIA_INITIALIZATION && k->cur_seq == 1)
      hksv_mp4_check_report (&c, R_CHUNK_INIT_CHUNKS,
          "the init segment is split into chunks; it must be sent as one chunk");
  } else if (k->done_valid && ch->data_sequence_number == k->done_seq) {
    hksv_mp4_check_report (&c, R_CHUNK_LAST_FLAG,
        "chunk %" G_GUINT64_FORMAT " of sequence %" G_GUINT64_FORMAT
        " comes after the chunk marked isLastDataChunk (ignored)",
        ch->chunk_sequence_number, ch->data_sequence_number);
    g_free (c.last);
    return;
  } else {
    if (k->assembling)
      complete_unterminated (k, FALSE);
    if (k->last_seq_seen && ch->data_sequence_number != k->last_seq_seen + 1)
      hksv_mp4_check_report (&c, R_CHUNK_SEQUENCE,
          "data sequence number %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT
          "; expected %" G_GUINT64_FORMAT,
          ch->data_sequence_number, k->last_seq_seen, k->last_seq_seen + 1);
    if (ch->chunk_sequence_number != 1)
      hksv_mp4_check_report (&c, R_CHUNK_NUMBER,
          "sequence %" G_GUINT64_FORMAT " starts with chunk number %" G_GUINT64_FORMAT
          "; chunks count from 1",
          ch->data_sequence_number, ch->chunk_sequence_number);
    if (ch->type == HKSV_CHUNK_MEDIA_FRAGMENT && ch->total_size < 0)
      hksv_mp4_check_report (
          &c, R_CHUNK_TOTAL_SIZE, "the fragment's first chunk has no dataTotalSize");
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
      hksv_mp4_check_report (&c, R_CHUNK_EOS,
          "endOfStream on chunk %" G_GUINT64_FORMAT " which is not marked isLastDataChunk",
          ch->chunk_sequence_number);
    k->eos_seen = TRUE;
  }
  g_free (c.last);
  if (ch->is_last_chunk)
    complete_sequence (k);
}

void
hksv_mp4_check_chunks_flush (HksvMp4Checker *k)
{
  if (k->assembling)
    complete_unterminated (k, TRUE);
}

void
hksv_mp4_check_chunks_finish (HksvMp4Checker *k, HksvMp4CheckCtx *c)
{
  if (k->chunk_mode && !k->eos_seen)
    hksv_mp4_check_report (c, R_CHUNK_EOS_MISSING,
        "the stream ended without endOfStream (it belongs on the last chunk of the last "
        "fragment)");
  if (k->chunk_mode && k->init_arrival) {
    k->summary.prebuffer_ms = k->burst_ms;
    if (k->opt.prebuffer_ms && k->burst_ms < k->opt.prebuffer_ms - k->burst_frame_ms - 1.0)
      hksv_mp4_check_report (c, R_PREBUFFER_SHORT,
          "the fragments received within %u ms of the init segment hold %.0f ms of video; the "
          "prebuffer length is %u ms: send the whole prebuffer at once",
          k->opt.burst_ms, k->burst_ms, k->opt.prebuffer_ms);
  }
}

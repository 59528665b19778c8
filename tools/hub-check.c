/* hksv-hub check: the media conformance checker (gst/mp4-check.h) on files - recordings
 * (NNNN.mp4), chunk stream dumps (NNNN.chunks), or an init segment and its fragments. */
#include "tools/hub-commands.h"

#include <string.h>

#include "gst/chunk-dump.h"
#include "gst/mp4-check.h"
#include "hap/camera-tlv.h"

/* Whether `data` is an init segment only: top-level boxes with a moov and no moof. A malformed
 * box list is not (the checker says what is wrong with it). */
static gboolean
is_init_only (const guint8 *data, gsize len)
{
  gboolean moov = FALSE;
  gsize off = 0;

  while (off + 8 <= len) {
    guint64 size
        = (guint64) data[off] << 24 | data[off + 1] << 16 | data[off + 2] << 8 | data[off + 3];
    const guint8 *type = data + off + 4;

    if (size == 1 && off + 16 <= len) {
      size = 0;
      for (guint i = 0; i < 8; i++)
        size = size << 8 | data[off + 8 + i];
    }
    if (size < 8 || size > len - off)
      return FALSE;
    if (memcmp (type, "moof", 4) == 0)
      return FALSE;
    if (memcmp (type, "moov", 4) == 0)
      moov = TRUE;
    off += size;
  }
  return moov && off == len;
}

JsonObject *
hub_violation_json (const HksvMp4Violation *v)
{
  JsonObject *jv = json_object_new ();

  json_object_set_string_member (jv, "rule", v->rule);
  json_object_set_string_member (
      jv, "kind", v->kind == HKSV_MP4_RULE_PROTOCOL ? "protocol" : "layout");
  json_object_set_int_member (jv, "sequence", (gint64) v->sequence);
  json_object_set_int_member (jv, "chunk", (gint64) v->chunk);
  json_object_set_string_member (jv, "message", v->message);
  return jv;
}

static void
report_checker (HubContext *ctx, HksvMp4Checker *checker, const gchar *what, JsonObject *out)
{
  const HksvMp4Summary *s = hksv_mp4_checker_summary (checker);
  guint n = hksv_mp4_checker_n_violations (checker);
  g_autoptr (JsonArray) violations = json_array_new ();
  g_autoptr (JsonArray) tracks = json_array_new ();
  g_autoptr (JsonArray) frags = json_array_new ();
  g_autoptr (GString) media = g_string_new (NULL);

  for (guint i = 0; i < s->n_tracks; i++) {
    const HksvMp4TrackSummary *t = &s->tracks[i];
    g_autoptr (JsonObject) jt = json_object_new ();
    json_object_set_string_member (jt, "kind", t->video ? "video" : "audio");
    json_object_set_string_member (jt, "codec", t->codec ? t->codec : "?");
    if (t->video) {
      json_object_set_int_member (jt, "width", t->width);
      json_object_set_int_member (jt, "height", t->height);
      g_string_append_printf (media,
          "%s%s %ux%u profile %u level %u, %" G_GUINT64_FORMAT " samples (%" G_GUINT64_FORMAT
          " sync)",
          media->len ? "; " : "", t->codec ? t->codec : "?", t->width, t->height, t->profile,
          t->level, t->samples, t->sync_samples);
    } else {
      json_object_set_int_member (jt, "sample_rate", t->sample_rate);
      json_object_set_int_member (jt, "channels", t->channels);
      g_string_append_printf (media, "%s%s %u Hz %u ch, %" G_GUINT64_FORMAT " samples",
          media->len ? "; " : "", t->codec ? t->codec : "?", t->sample_rate, t->channels,
          t->samples);
    }
    json_object_set_int_member (jt, "samples", (gint64) t->samples);
    json_array_add_object_element (tracks, g_steal_pointer (&jt));
  }
  for (guint i = 0; s->fragment_ms != NULL && i < s->fragment_ms->len; i++)
    json_array_add_double_element (frags, g_array_index (s->fragment_ms, gdouble, i));
  hub_print (ctx,
      "%s: %" G_GUINT64_FORMAT " fragments, %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT " bytes%s",
      what, s->fragments, s->init_bytes, s->fragment_bytes, n == 0 ? ", PASS" : ", FAIL");
  if (media->len)
    hub_print (ctx, "  media: %s", media->str);
  if (s->fragment_ms != NULL && s->fragment_ms->len > 0) {
    g_autoptr (GString) f = g_string_new (NULL);
    for (guint i = 0; i < s->fragment_ms->len; i++)
      g_string_append_printf (
          f, "%s%.0f", i ? "/" : "", g_array_index (s->fragment_ms, gdouble, i));
    hub_print (ctx, "  fragment lengths: %s ms", f->str);
  }
  if (s->prebuffer_ms >= 0)
    hub_print (ctx, "  prebuffer sent at once: %.0f ms", s->prebuffer_ms);
  for (guint i = 0; i < n; i++) {
    const HksvMp4Violation *v = hksv_mp4_checker_violation (checker, i);
    g_autofree gchar *chunk
        = v->chunk ? g_strdup_printf (" chunk %" G_GUINT64_FORMAT, v->chunk) : g_strdup ("");

    hub_print (ctx, "  %-32s seq %" G_GUINT64_FORMAT "%s%s %s", v->rule, v->sequence, chunk,
        v->kind == HKSV_MP4_RULE_LAYOUT ? " (layout)" : "", v->message);
    json_array_add_object_element (violations, hub_violation_json (v));
  }
  json_object_set_string_member (out, "input", what);
  json_object_set_int_member (out, "fragments", (gint64) s->fragments);
  json_object_set_int_member (out, "init_bytes", (gint64) s->init_bytes);
  json_object_set_int_member (out, "fragment_bytes", (gint64) s->fragment_bytes);
  json_object_set_array_member (out, "tracks", g_steal_pointer (&tracks));
  json_object_set_array_member (out, "fragment_ms", g_steal_pointer (&frags));
  if (s->prebuffer_ms >= 0)
    json_object_set_double_member (out, "prebuffer_ms", s->prebuffer_ms);
  json_object_set_int_member (out, "violations_count", n);
  json_object_set_array_member (out, "violations", g_steal_pointer (&violations));
}

static gboolean
checker_options (HubContext *ctx, const HubCheckOptions *o, HksvMp4CheckOptions *options)
{
  memset (options, 0, sizeof *options);
  options->fragment_ms = (guint) MAX (o->fragment_ms, 0);
  options->prebuffer_ms = (guint) MAX (o->prebuffer_ms, 0);
  options->lenient = o->lenient;
  if (o->audio == NULL || g_str_equal (o->audio, "any"))
    options->audio = HKSV_MP4_AUDIO_ANY;
  else if (g_str_equal (o->audio, "yes"))
    options->audio = HKSV_MP4_AUDIO_YES;
  else if (g_str_equal (o->audio, "no"))
    options->audio = HKSV_MP4_AUDIO_NO;
  else {
    hub_error (ctx, "--audio %s: expected yes, no or any", o->audio);
    return FALSE;
  }
  if (o->selected != NULL) {
    g_autoptr (GError) error = NULL;
    gsize len = 0;
    g_autofree guint8 *tlv = g_base64_decode (o->selected, &len);
    HapCameraSelectedConfig sel;

    if (len == 0 || hap_camera_selected_config_parse (tlv, len, &sel, &error) != HAP_PARSE_OK) {
      hub_error (ctx, "--selected: not a SelectedCameraRecordingConfiguration: %s",
          error ? error->message : "empty");
      return FALSE;
    }
    if (options->fragment_ms == 0)
      options->fragment_ms = sel.general.container.fragment_length_ms;
    if (options->prebuffer_ms == 0)
      options->prebuffer_ms = sel.general.prebuffer_ms;
  }
  return TRUE;
}

int
hub_cmd_check (HubContext *ctx, HubCheckOptions *o, int argc, char **argv)
{
  g_autoptr (JsonArray) results = json_array_new ();
  HksvMp4CheckOptions options;
  guint failed = 0;
  gboolean segments = o->segments;

  if (argc < 2) {
    hub_error (ctx, "usage: hksv-hub check FILE...");
    return hub_finish (ctx, HUB_EXIT_USAGE);
  }
  if (!checker_options (ctx, o, &options))
    return hub_finish (ctx, HUB_EXIT_USAGE);
  /* An init segment followed by other files: one recording in pieces (the reference layout). */
  if (!segments && argc > 2) {
    g_autofree gchar *first = NULL;
    gsize len;
    if (g_file_get_contents (argv[1], &first, &len, NULL))
      segments = is_init_only ((const guint8 *) first, len);
  }

  for (int i = 1; i < argc; i++) {
    g_autoptr (HksvMp4Checker) checker = hksv_mp4_checker_new (&options);
    g_autoptr (JsonObject) out = json_object_new ();
    g_autoptr (GError) error = NULL;
    g_autofree gchar *contents = NULL;
    g_autofree gchar *what = NULL;
    gsize len;

    if (segments) {
      for (int k = 1; k < argc; k++) {
        g_autofree gchar *piece = NULL;
        if (!g_file_get_contents (argv[k], &piece, &len, &error)) {
          hub_error (ctx, "%s", error->message);
          return hub_finish (ctx, HUB_EXIT_ERROR);
        }
        if (k == 1)
          hksv_mp4_checker_add_init (checker, (const guint8 *) piece, len);
        else
          hksv_mp4_checker_add_fragment (checker, (const guint8 *) piece, len);
      }
      what = g_strdup_printf ("%s + %d fragment file%s", argv[1], argc - 2, argc == 3 ? "" : "s");
      i = argc;
    } else {
      if (!g_file_get_contents (argv[i], &contents, &len, &error)) {
        hub_error (ctx, "%s", error->message);
        return hub_finish (ctx, HUB_EXIT_ERROR);
      }
      what = g_strdup (argv[i]);
      if (hksv_chunk_dump_is_dump ((const guint8 *) contents, len)) {
        g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
        g_autoptr (GArray) chunks = hksv_chunk_dump_parse (bytes, &error);
        if (chunks == NULL) {
          hub_error (ctx, "%s: %s", argv[i], error->message);
          failed++;
          continue;
        }
        for (guint c = 0; c < chunks->len; c++)
          hksv_mp4_checker_add_chunk (checker, &g_array_index (chunks, HksvChunk, c));
        json_object_set_string_member (out, "format", "chunk-dump");
      } else {
        hksv_mp4_checker_add_recording (checker, (const guint8 *) contents, len);
        json_object_set_string_member (out, "format", "mp4");
      }
    }
    hksv_mp4_checker_finish (checker);
    report_checker (ctx, checker, what, out);
    if (hksv_mp4_checker_n_violations (checker) > 0)
      failed++;
    json_array_add_object_element (results, g_steal_pointer (&out));
  }
  json_object_set_array_member (ctx->report, "results", g_steal_pointer (&results));
  json_object_set_int_member (ctx->report, "failed", failed);
  return hub_finish (ctx, failed > 0 ? HUB_EXIT_CHECK_FAILED : HUB_EXIT_OK);
}

/* hksv-check: checks an HKSV recording against PROTOCOL.md sections 5 and 7 and the real
 * camera's layout (the rules of gst/mp4-check.h, listed by --rules and in docs/fmp4.md).
 *
 * Input: an init segment and fragment files in order, one whole recording (init segment then
 * fragments), or a chunk stream dump written by hksv-hub (gst/chunk-dump.h). Prints each
 * violation and a summary; exit status 0 when none, 1 on any violation, 2 on usage or I/O errors.
 */
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gst/chunk-dump.h"
#include "gst/mp4-box-reader.h"
#include "gst/mp4-check.h"

/* the --fragment-ms text says 100 ms */
G_STATIC_ASSERT (HKSV_FRAGMENT_TOLERANCE_MS == 100);

static const char usage_text[]
    = "Usage: hksv-check [OPTION...] FILE...\n"
      "\n"
      "Checks a HomeKit Secure Video recording: the fragmented MP4 layout hubs expect\n"
      "(PROTOCOL.md section 7, compared with a real camera's recording) and, for a chunk\n"
      "dump, the dataSend chunking (section 5). Prints every violation with its rule id,\n"
      "the data sequence number (1 = init segment, 2.. = fragments) and what to change,\n"
      "then a summary of the tracks and fragments.\n"
      "\n"
      "FILE... is one of:\n"
      "  INIT FRAGMENT...   an init segment (ftyp + moov) and fragment files (moof + mdat)\n"
      "                     in order; each fragment file is one fragment\n"
      "  RECORDING          one file holding the init segment and then the fragments\n"
      "                     (each moof starts a fragment), e.g. hksvsink location=...\n"
      "  DUMP               a chunk stream dump (\"HKSVCHNK\" magic) written by hksv-hub\n"
      "                     record: the chunks as a hub received them, with arrival times\n"
      "\n"
      "Options:\n"
      "  --fragment-ms N    selected fragment length in ms: every fragment but the last must\n"
      "                     last N ms within one video frame or 100 ms, whichever is more\n"
      "                     (default: not checked)\n"
      "  --audio yes|no|any whether the recording must have an audio track (yes: Recording\n"
      "                     Audio Active; no: must not; default any)\n"
      "  --prebuffer-ms N   selected prebuffer length in ms: the fragments received within\n"
      "                     --burst-ms of the init segment must hold N ms of video (chunk\n"
      "                     dumps with arrival times only; default: not checked)\n"
      "  --burst-ms N       what \"at once\" means for --prebuffer-ms (default 1000)\n"
      "  --lenient          only the rules PROTOCOL.md states, not the comparisons with the\n"
      "                     real camera's layout (rules marked [layout])\n"
      "  --ignore RULE      do not report RULE (repeatable)\n"
      "  --json             print the violations and the summary as one JSON object\n"
      "  --boxes            print the box tree of each file first\n"
      "  --rules            list every rule and exit\n"
      "  -h, --help         show this help and exit\n"
      "\n"
      "Exit status: 0 no violation, 1 violations found, 2 usage or I/O error.\n"
      "Rules, the layout and the dump format: docs/fmp4.md.\n";

static void usage_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
usage_error (const char *fmt, ...)
{
  va_list args;

  fprintf (stderr, "hksv-check: ");
  va_start (args, fmt);
  vfprintf (stderr, fmt, args);
  va_end (args);
  fprintf (stderr, "\nTry 'hksv-check --help'.\n");
  exit (2);
}

static guint
parse_uint (const char *opt, const char *value)
{
  guint64 v;
  if (!value || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &v, NULL))
    usage_error ("%s needs a non-negative number", opt);
  return (guint) v;
}

static void
print_boxes (const guint8 *data, gsize len, gsize base, guint depth)
{
  HksvBoxIter it;
  HksvBox box;
  GError *error = NULL;
  HksvBoxResult res;
  gchar name[5];

  hksv_box_iter_init (&it, data, len);
  while ((res = hksv_box_iter_next (&it, &box, &error)) == HKSV_BOX_OK) {
    gsize skip;
    printf ("%*s%s %" G_GSIZE_FORMAT " bytes at %" G_GSIZE_FORMAT "\n", (int) depth * 2, "",
        hksv_fourcc_to_string (box.type, name), box.size, base + box.offset);
    if (hksv_box_children_skip (box.type, &skip) && skip <= box.payload_size)
      print_boxes (box.payload + skip, box.payload_size - skip,
          base + box.offset + box.header_size + skip, depth + 1);
  }
  if (res == HKSV_BOX_INVALID) {
    printf ("%*s(invalid: %s)\n", (int) depth * 2, "", error->message);
    g_error_free (error);
  }
}

static gboolean
starts_with_box (const guint8 *d, gsize len, const char *type)
{
  return len >= 8 && memcmp (d + 4, type, 4) == 0;
}

/* Whether a file that starts with ftyp also holds fragments. */
static gboolean
has_moof (const guint8 *d, gsize len)
{
  HksvBoxIter it;
  HksvBox box;
  hksv_box_iter_init (&it, d, len);
  while (hksv_box_iter_next (&it, &box, NULL) == HKSV_BOX_OK) {
    if (box.type == HKSV_FOURCC ('m', 'o', 'o', 'f'))
      return TRUE;
  }
  return FALSE;
}

static void
print_text (HksvMp4Checker *checker)
{
  const HksvMp4Summary *s = hksv_mp4_checker_summary (checker);
  guint n = hksv_mp4_checker_n_violations (checker);

  for (guint i = 0; i < n; i++) {
    const HksvMp4Violation *v = hksv_mp4_checker_violation (checker, i);
    if (v->sequence == 0)
      printf ("recording");
    else if (v->sequence == 1)
      printf ("seq 1 (init)");
    else
      printf ("seq %" G_GUINT64_FORMAT " (fragment %" G_GUINT64_FORMAT ")", v->sequence,
          v->sequence - 1);
    if (v->chunk)
      printf (" chunk %" G_GUINT64_FORMAT, v->chunk);
    printf (
        ": %s%s: %s\n", v->rule, v->kind == HKSV_MP4_RULE_LAYOUT ? " [layout]" : "", v->message);
  }
  if (n)
    printf ("\n");
  printf ("tracks:\n");
  for (guint i = 0; i < s->n_tracks; i++) {
    const HksvMp4TrackSummary *t = &s->tracks[i];
    printf ("  %u %s %s", t->track_id, t->video ? "video" : "audio", t->codec);
    if (t->video)
      printf (" %ux%u profile %u level %u", t->width, t->height, t->profile, t->level);
    else
      printf (" %u Hz %u ch", t->sample_rate, t->channels);
    printf (", timescale %u: %" G_GUINT64_FORMAT " samples (%" G_GUINT64_FORMAT
            " sync), %.3f s, %" G_GUINT64_FORMAT " bytes\n",
        t->timescale, t->samples, t->sync_samples,
        t->timescale ? (gdouble) t->duration / t->timescale : 0.0, t->bytes);
  }
  printf ("init segment: %" G_GUINT64_FORMAT " bytes\n", s->init_bytes);
  printf ("fragments: %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " bytes", s->fragments,
      s->fragment_bytes);
  if (s->fragment_ms->len) {
    printf (", ms:");
    for (guint i = 0; i < s->fragment_ms->len; i++)
      printf (" %.0f", g_array_index (s->fragment_ms, gdouble, i));
  }
  printf ("\n");
  if (s->chunks)
    printf ("chunks: %" G_GUINT64_FORMAT "\n", s->chunks);
  if (s->prebuffer_ms >= 0)
    printf ("received at once after the init segment: %.0f ms of video\n", s->prebuffer_ms);
  if (n)
    printf ("result: %u violation%s\n", n, n == 1 ? "" : "s");
  else
    printf ("result: OK\n");
}

/* One member of the JSON report. */
static void
member_int (JsonBuilder *b, const gchar *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
member_double (JsonBuilder *b, const gchar *name, gdouble value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
member_string (JsonBuilder *b, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
member_boolean (JsonBuilder *b, const gchar *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static void
print_json (HksvMp4Checker *checker)
{
  const HksvMp4Summary *s = hksv_mp4_checker_summary (checker);
  guint n = hksv_mp4_checker_n_violations (checker);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *text = NULL;

  json_builder_begin_object (b);
  member_boolean (b, "ok", n == 0);
  json_builder_set_member_name (b, "violations");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++) {
    const HksvMp4Violation *v = hksv_mp4_checker_violation (checker, i);
    json_builder_begin_object (b);
    member_string (b, "rule", v->rule);
    member_string (b, "kind", v->kind == HKSV_MP4_RULE_LAYOUT ? "layout" : "protocol");
    member_int (b, "sequence", (gint64) v->sequence);
    member_int (b, "chunk", (gint64) v->chunk);
    member_string (b, "message", v->message);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "tracks");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->n_tracks; i++) {
    const HksvMp4TrackSummary *t = &s->tracks[i];
    json_builder_begin_object (b);
    member_int (b, "track_id", t->track_id);
    member_string (b, "type", t->video ? "video" : "audio");
    member_string (b, "codec", t->codec);
    if (t->video) {
      member_int (b, "width", t->width);
      member_int (b, "height", t->height);
      member_int (b, "profile", t->profile);
      member_int (b, "level", t->level);
    } else {
      member_int (b, "sample_rate", t->sample_rate);
      member_int (b, "channels", t->channels);
    }
    member_int (b, "timescale", t->timescale);
    member_int (b, "samples", (gint64) t->samples);
    member_int (b, "sync_samples", (gint64) t->sync_samples);
    member_double (b, "duration_s", t->timescale ? (gdouble) t->duration / t->timescale : 0);
    member_int (b, "bytes", (gint64) t->bytes);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  member_int (b, "init_bytes", (gint64) s->init_bytes);
  member_int (b, "fragments", (gint64) s->fragments);
  member_int (b, "fragment_bytes", (gint64) s->fragment_bytes);
  json_builder_set_member_name (b, "fragment_ms");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->fragment_ms->len; i++)
    json_builder_add_double_value (b, g_array_index (s->fragment_ms, gdouble, i));
  json_builder_end_array (b);
  member_int (b, "chunks", (gint64) s->chunks);
  if (s->prebuffer_ms >= 0) {
    member_double (b, "prebuffer_ms", s->prebuffer_ms);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

int
main (int argc, char **argv)
{
  HksvMp4CheckOptions opt = { 0 };
  gboolean json = FALSE, boxes = FALSE;
  GPtrArray *files = g_ptr_array_new ();
  GPtrArray *ignore = g_ptr_array_new ();
  GPtrArray *contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (HksvMp4Checker) checker = NULL;
  gboolean dump_seen = FALSE;
  guint n;

  setlocale (LC_ALL, "");
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp (a, "-h") || !strcmp (a, "--help")) {
      fputs (usage_text, stdout);
      return 0;
    } else if (!strcmp (a, "--rules")) {
      guint nr;
      const HksvMp4Rule *r = hksv_mp4_check_rules (&nr);
      for (guint k = 0; k < nr; k++)
        printf ("%-32s %-8s %s\n", r[k].id,
            r[k].kind == HKSV_MP4_RULE_LAYOUT ? "layout" : "protocol", r[k].what);
      return 0;
    } else if (!strcmp (a, "--fragment-ms")) {
      opt.fragment_ms = parse_uint (a, i + 1 < argc ? argv[++i] : NULL);
    } else if (!strcmp (a, "--prebuffer-ms")) {
      opt.prebuffer_ms = parse_uint (a, i + 1 < argc ? argv[++i] : NULL);
    } else if (!strcmp (a, "--burst-ms")) {
      opt.burst_ms = parse_uint (a, i + 1 < argc ? argv[++i] : NULL);
    } else if (!strcmp (a, "--audio")) {
      const char *v = i + 1 < argc ? argv[++i] : "";
      if (!strcmp (v, "yes"))
        opt.audio = HKSV_MP4_AUDIO_YES;
      else if (!strcmp (v, "no"))
        opt.audio = HKSV_MP4_AUDIO_NO;
      else if (!strcmp (v, "any"))
        opt.audio = HKSV_MP4_AUDIO_ANY;
      else
        usage_error ("--audio takes yes, no or any, not '%s'", v);
    } else if (!strcmp (a, "--ignore")) {
      guint nr;
      const HksvMp4Rule *r = hksv_mp4_check_rules (&nr);
      gboolean known = FALSE;
      if (i + 1 >= argc)
        usage_error ("%s needs a rule id (see --rules)", a);
      for (guint k = 0; k < nr; k++)
        known |= !strcmp (r[k].id, argv[i + 1]);
      if (!known)
        usage_error ("unknown rule '%s' (see --rules)", argv[i + 1]);
      g_ptr_array_add (ignore, argv[++i]);
    } else if (!strcmp (a, "--lenient")) {
      opt.lenient = TRUE;
    } else if (!strcmp (a, "--json")) {
      json = TRUE;
    } else if (!strcmp (a, "--boxes")) {
      boxes = TRUE;
    } else if (a[0] == '-' && a[1] != 0) {
      usage_error ("unknown option '%s'", a);
    } else {
      g_ptr_array_add (files, (gpointer) a);
    }
  }
  if (files->len == 0)
    usage_error ("%s", "no input file");

  for (guint i = 0; i < files->len; i++) {
    const char *path = g_ptr_array_index (files, i);
    gchar *data;
    gsize len;
    GError *error = NULL;
    if (!g_file_get_contents (path, &data, &len, &error)) {
      fprintf (stderr, "hksv-check: %s\n", error->message);
      return 2;
    }
    g_ptr_array_add (contents, g_bytes_new_take (data, len));
    if (hksv_chunk_dump_is_dump ((const guint8 *) data, len))
      dump_seen = TRUE;
  }
  if (dump_seen && files->len > 1)
    usage_error ("%s", "a chunk dump is checked alone (give one file)");

  checker = hksv_mp4_checker_new (&opt);
  for (guint i = 0; i < ignore->len; i++)
    hksv_mp4_checker_ignore_rule (checker, g_ptr_array_index (ignore, i));
  for (guint i = 0; i < contents->len; i++) {
    GBytes *bytes = g_ptr_array_index (contents, i);
    gsize len;
    const guint8 *d = g_bytes_get_data (bytes, &len);

    if (dump_seen) {
      GError *error = NULL;
      g_autoptr (GArray) chunks = hksv_chunk_dump_parse (bytes, &error);
      if (!chunks) {
        fprintf (stderr, "hksv-check: %s: %s\n", (const char *) g_ptr_array_index (files, i),
            error->message);
        return 2;
      }
      if (boxes)
        printf ("%s: chunk dump of %u chunks\n", (const char *) g_ptr_array_index (files, i),
            chunks->len);
      for (guint c = 0; c < chunks->len; c++)
        hksv_mp4_checker_add_chunk (checker, &g_array_index (chunks, HksvChunk, c));
      continue;
    }
    if (boxes) {
      printf ("%s:\n", (const char *) g_ptr_array_index (files, i));
      print_boxes (d, len, 0, 1);
    }
    if (starts_with_box (d, len, "ftyp")) {
      if (has_moof (d, len))
        hksv_mp4_checker_add_recording (checker, d, len);
      else
        hksv_mp4_checker_add_init (checker, d, len);
    } else {
      hksv_mp4_checker_add_fragment (checker, d, len);
    }
  }
  hksv_mp4_checker_finish (checker);
  if (boxes && !json)
    printf ("\n");
  if (json)
    print_json (checker);
  else
    print_text (checker);
  n = hksv_mp4_checker_n_violations (checker);
  g_ptr_array_unref (files);
  g_ptr_array_unref (ignore);
  g_ptr_array_unref (contents);
  return n ? 1 : 0;
}

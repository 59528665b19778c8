/* Unit tests for gst/gop-ring.c (the GOP ring of hksvprebuffer and its audio follower).
 *
 * Each case is a script of operations on a video ring (and optionally its audio follower) with
 * the result expected of every push and the ring's content at checkpoints, written out by hand
 * from the rules in gop-ring.h: complete GOPs are kept while what remains after dropping the
 * oldest would no longer cover the duration before the newest item; the byte bound drops the
 * oldest GOPs, and a current GOP too big for it empties the ring until the next keyframe; times
 * must increase; the follower keeps what is at or after the video's oldest keyframe (however
 * far ahead), and 60 s of audio while there is no video.
 * Items are counted as they are made and freed, so every check also proves the ownership rule
 * (the ring owns an item only when the push says ADDED). */
#include "gst/gop-ring.h"

/* ---- Items ------------------------------------------------------------------------------- */

typedef struct {
  gint64 time_ms;
  gboolean keyframe;
} TestItem;

static guint live_items;

static TestItem *
test_item_new (gint64 time_ms, gboolean keyframe)
{
  TestItem *item = g_new (TestItem, 1);

  item->time_ms = time_ms;
  item->keyframe = keyframe;
  live_items++;
  return item;
}

static void
test_item_free (gpointer data)
{
  g_assert_cmpuint (live_items, >, 0);
  live_items--;
  g_free (data);
}

static gpointer
test_item_copy (gpointer data)
{
  const TestItem *item = data;

  return test_item_new (item->time_ms, item->keyframe);
}

static guint64
ms (gint64 t)
{
  return t < 0 ? HKSV_GOP_RING_TIME_NONE : (guint64) t * G_TIME_SPAN_MILLISECOND * 1000;
}

/* "K0 100 200 K300": every item, keyframes marked. */
static gchar *
render_items (GPtrArray *items)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++) {
    const TestItem *item = items->pdata[i];

    g_string_append_printf (
        s, "%s%s%" G_GINT64_FORMAT, i ? " " : "", item->keyframe ? "K" : "", item->time_ms);
  }
  return g_string_free (s, FALSE);
}

/* "K0..400 K500..900 K1000": each GOP's first and last item. */
static gchar *
render_gops (GPtrArray *items)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++) {
    const TestItem *item = items->pdata[i];
    const TestItem *next = i + 1 < items->len ? items->pdata[i + 1] : NULL;

    if (item->keyframe || i == 0)
      g_string_append_printf (
          s, "%s%s%" G_GINT64_FORMAT, i ? " " : "", item->keyframe ? "K" : "", item->time_ms);
    else if (!next || next->keyframe)
      g_string_append_printf (s, "..%" G_GINT64_FORMAT, item->time_ms);
  }
  return g_string_free (s, FALSE);
}

/* ---- Scripts ----------------------------------------------------------------------------- */

typedef enum {
  OP_END,
  OP_VIDEO,    /* push one video item */
  OP_AUDIO,    /* push one audio item */
  OP_GOPS,     /* push n GOPs of `frames` items `step` ms apart, all expected ADDED */
  OP_DURATION, /* set the duration (ms) */
  OP_MAX_BYTES,
  OP_CLEAR_VIDEO,
  OP_CLEAR_AUDIO,
  OP_CHECK, /* compare content and stats */
} OpKind;

typedef struct {
  OpKind kind;
  gint64 t;   /* ms; -1 = none. OP_GOPS: first keyframe. OP_DURATION / OP_MAX_BYTES: value */
  gint64 pts; /* ms; -1 = none */
  gboolean key;
  guint size;
  HksvGopRingResult want;
  guint n_gops, frames, step;
  /* OP_CHECK (NULL / -1: not checked) */
  const gchar *video; /* render_items() of the video snapshot */
  const gchar *gops;  /* render_gops() of the video snapshot */
  const gchar *audio; /* render_items() of the audio snapshot */
  gint items, n_gop, bytes;
  gint64 span_ms;
  gint overflows;
} Op;

#define V(t_, key_, size_, want_)                                           \
  {                                                                         \
    .kind = OP_VIDEO, .t = (t_), .pts = -1, .key = (key_), .size = (size_), \
    .want = HKSV_GOP_RING_##want_                                           \
  }
#define VPTS(dts_, pts_, key_, want_)                                         \
  {                                                                           \
    .kind = OP_VIDEO, .t = (dts_), .pts = (pts_), .key = (key_), .size = 100, \
    .want = HKSV_GOP_RING_##want_                                             \
  }
#define A(t_, want_)                                                                  \
  {                                                                                   \
    .kind = OP_AUDIO, .t = (t_), .pts = -1, .size = 10, .want = HKSV_GOP_RING_##want_ \
  }
#define AS(t_, size_, want_)                                                               \
  {                                                                                        \
    .kind = OP_AUDIO, .t = (t_), .pts = -1, .size = (size_), .want = HKSV_GOP_RING_##want_ \
  }
#define GOPS(first_, n_, frames_, step_, size_)                                           \
  {                                                                                       \
    .kind = OP_GOPS, .t = (first_), .n_gops = (n_), .frames = (frames_), .step = (step_), \
    .size = (size_)                                                                       \
  }
#define DURATION(ms_)               \
  {                                 \
    .kind = OP_DURATION, .t = (ms_) \
  }
#define MAX_BYTES(b_)               \
  {                                 \
    .kind = OP_MAX_BYTES, .t = (b_) \
  }
#define CLEAR_VIDEO        \
  {                        \
    .kind = OP_CLEAR_VIDEO \
  }
#define CLEAR_AUDIO        \
  {                        \
    .kind = OP_CLEAR_AUDIO \
  }
/* CHECK() sets every check to "not checked" first, then the fields it names. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winitializer-overrides"
#else
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
#define NOCHECK .items = -1, .n_gop = -1, .bytes = -1, .span_ms = -1, .overflows = -1
#define CHECK(...)                         \
  {                                        \
    .kind = OP_CHECK, NOCHECK, __VA_ARGS__ \
  }

typedef struct {
  const gchar *name;
  gint64 duration_ms;
  guint64 max_bytes;
  guint64 audio_max_bytes;
  gboolean audio;
  Op ops[48];
} Script;

static const Script scripts[] = {
  { "items before the first keyframe are refused", 1000, 0, 0, FALSE,
      { V (0, FALSE, 100, REFUSED_NO_KEYFRAME), V (40, FALSE, 100, REFUSED_NO_KEYFRAME),
          CHECK (.video = "", .items = 0, .n_gop = 0, .bytes = 0, .span_ms = 0),
          V (80, TRUE, 100, ADDED), V (120, FALSE, 100, ADDED),
          CHECK (.video = "K80 120", .items = 2, .n_gop = 1, .bytes = 200, .span_ms = 40) } },
  /* GOPs of 500 ms (5 frames 100 ms apart), duration 1000 ms. At K1000 dropping GOP K0 would
   * leave 1000 - 500 = 500 ms; at 1400, 900 ms; at K1500 exactly 1000 ms: K0 goes. */
  { "GOP boundaries", 1000, 0, 0, FALSE,
      { GOPS (0, 2, 5, 100, 100), V (1000, TRUE, 100, ADDED),
          CHECK (.gops = "K0..400 K500..900 K1000", .items = 11, .n_gop = 3, .span_ms = 1000),
          V (1100, FALSE, 100, ADDED), V (1200, FALSE, 100, ADDED), V (1300, FALSE, 100, ADDED),
          V (1400, FALSE, 100, ADDED),
          CHECK (.gops = "K0..400 K500..900 K1000..1400", .items = 15, .n_gop = 3, .span_ms = 1400),
          V (1500, TRUE, 100, ADDED),
          CHECK (.gops = "K500..900 K1000..1400 K1500", .items = 11, .n_gop = 3, .bytes = 1100,
              .span_ms = 1000),
          V (1600, FALSE, 100, ADDED),
          CHECK (.gops = "K500..900 K1000..1400 K1500..1600", .items = 12, .span_ms = 1100) } },
  /* GOPs as long as the duration: the newest keyframe drops the GOP before the previous one. */
  { "GOPs as long as the duration", 4000, 0, 0, FALSE,
      { GOPS (0, 3, 4, 1000, 1000),
          CHECK (.gops = "K4000..7000 K8000..11000", .items = 8, .n_gop = 2, .span_ms = 7000),
          V (12000, TRUE, 1000, ADDED),
          CHECK (.gops = "K8000..11000 K12000", .items = 5, .n_gop = 2, .span_ms = 4000) } },
  { "duration 0 keeps only the current GOP", 0, 0, 0, FALSE,
      { GOPS (0, 2, 3, 10, 1), CHECK (.video = "K30 40 50", .n_gop = 1), V (60, TRUE, 1, ADDED),
          CHECK (.video = "K60", .items = 1, .span_ms = 0) } },
  { "irregular GOPs and a gap in time", 1000, 0, 0, FALSE,
      { V (0, TRUE, 10, ADDED), V (100, FALSE, 10, ADDED), V (200, TRUE, 10, ADDED),
          V (300, FALSE, 10, ADDED), V (900, TRUE, 10, ADDED), V (1000, FALSE, 10, ADDED),
          V (1150, FALSE, 10, ADDED),
          /* 1150 - 200 = 950 < 1000: K0 stays */
          CHECK (.video = "K0 100 K200 300 K900 1000 1150", .n_gop = 3), V (1200, FALSE, 10, ADDED),
          /* 1200 - 200 = 1000: K0 goes; 1200 - 900 = 300: K200 stays */
          CHECK (.video = "K200 300 K900 1000 1150 1200", .n_gop = 2, .span_ms = 1000),
          /* a gap of 10 s: only the GOP of the newest item is needed */
          V (11200, FALSE, 10, ADDED),
          CHECK (.video = "K900 1000 1150 1200 11200", .n_gop = 1, .span_ms = 10300),
          V (11300, TRUE, 10, ADDED),
          CHECK (.video = "K900 1000 1150 1200 11200 K11300", .n_gop = 2) } },
  { "duration raised while filled", 500, 0, 0, FALSE,
      { GOPS (0, 4, 5, 100, 100), CHECK (.gops = "K1000..1400 K1500..1900", .n_gop = 2),
          DURATION (2000), CHECK (.gops = "K1000..1400 K1500..1900", .n_gop = 2),
          GOPS (2000, 4, 5, 100, 100),
          /* 3900 - 1500 = 2400 >= 2000: K1000 goes; 3900 - 2000 = 1900: K1500 stays */
          CHECK (.gops = "K1500..1900 K2000..2400 K2500..2900 K3000..3400 K3500..3900", .n_gop = 5,
              .items = 25, .span_ms = 2400) } },
  { "duration lowered while filled trims at once", 2000, 0, 0, FALSE,
      { GOPS (0, 5, 5, 100, 100),
          CHECK (.gops = "K0..400 K500..900 K1000..1400 K1500..1900 K2000..2400", .n_gop = 5),
          DURATION (1000), CHECK (.gops = "K1000..1400 K1500..1900 K2000..2400", .n_gop = 3),
          DURATION (0), CHECK (.gops = "K2000..2400", .n_gop = 1, .items = 5, .bytes = 500) } },
  /* Three GOPs of 500 bytes fit 1600 bytes; the fourth GOP's first keyframe drops the oldest. */
  { "byte bound drops the oldest GOPs", 100000, 1600, 0, FALSE,
      { GOPS (0, 3, 5, 100, 100), CHECK (.n_gop = 3, .bytes = 1500), V (1500, TRUE, 100, ADDED),
          CHECK (.gops = "K0..400 K500..900 K1000..1400 K1500"), V (1600, FALSE, 100, ADDED),
          CHECK (.gops = "K500..900 K1000..1400 K1500..1600", .bytes = 1200, .overflows = 0),
          /* a big keyframe replaces everything older that does not fit */
          V (2000, TRUE, 1400, ADDED), CHECK (.video = "K1500 1600 K2000", .bytes = 1600) } },
  { "oversized GOP empties the ring until the next keyframe", 100000, 1000, 0, FALSE,
      { GOPS (0, 2, 4, 100, 100), CHECK (.n_gop = 2, .bytes = 800), V (800, TRUE, 300, ADDED),
          V (900, FALSE, 300, ADDED), CHECK (.gops = "K400..700 K800..900", .bytes = 1000),
          V (1000, FALSE, 300, ADDED), CHECK (.video = "K800 900 1000", .bytes = 900),
          V (1100, FALSE, 300, OVERFLOW),
          CHECK (.video = "", .items = 0, .bytes = 0, .n_gop = 0, .overflows = 1),
          V (1200, FALSE, 10, REFUSED_NO_KEYFRAME), V (1300, TRUE, 10, ADDED),
          V (1400, FALSE, 10, ADDED), CHECK (.video = "K1300 1400", .overflows = 1) } },
  { "keyframe bigger than the bound", 1000, 500, 0, FALSE,
      { V (0, TRUE, 100, ADDED), V (100, TRUE, 501, OVERFLOW), CHECK (.video = "", .overflows = 1),
          V (200, FALSE, 1, REFUSED_NO_KEYFRAME), V (300, TRUE, 500, ADDED),
          CHECK (.video = "K300", .bytes = 500) } },
  { "byte bound lowered while filled", 100000, 0, 0, FALSE,
      { GOPS (0, 3, 5, 100, 100), MAX_BYTES (1000),
          CHECK (.gops = "K500..900 K1000..1400", .bytes = 1000, .overflows = 0), MAX_BYTES (499),
          CHECK (.video = "", .overflows = 1), V (1500, FALSE, 1, REFUSED_NO_KEYFRAME),
          V (1600, TRUE, 1, ADDED), MAX_BYTES (0), GOPS (2000, 3, 5, 100, 1000),
          CHECK (.gops = "K1600 K2000..2400 K2500..2900 K3000..3400", .bytes = 15001) } },
  { "timestamps going backwards are refused", 1000, 0, 0, FALSE,
      { V (0, TRUE, 1, ADDED), V (100, FALSE, 1, ADDED), V (50, FALSE, 1, REFUSED_BACKWARDS),
          V (100, FALSE, 1, REFUSED_BACKWARDS), V (50, TRUE, 1, REFUSED_BACKWARDS),
          V (-1, FALSE, 1, REFUSED_NO_TIMESTAMP), V (200, FALSE, 1, ADDED),
          CHECK (.video = "K0 100 200", .items = 3) } },
  /* A refused item still went downstream: the next must come after it. */
  { "refused items still set the time order", 1000, 0, 0, FALSE,
      { V (100, FALSE, 1, REFUSED_NO_KEYFRAME), V (50, TRUE, 1, REFUSED_BACKWARDS),
          V (200, TRUE, 1, ADDED), CHECK (.video = "K200") } },
  /* DTS when there is one, PTS otherwise (B-frames: PTS out of order, DTS in order). */
  { "DTS orders, PTS stands in", 1000, 0, 0, FALSE,
      { VPTS (0, 80, TRUE, ADDED), VPTS (40, 160, FALSE, ADDED), VPTS (80, 120, FALSE, ADDED),
          VPTS (-1, 200, FALSE, ADDED), VPTS (-1, 190, FALSE, REFUSED_BACKWARDS),
          VPTS (-1, -1, FALSE, REFUSED_NO_TIMESTAMP), CHECK (.video = "K0 40 80 200") } },
  { "clear waits for a keyframe and restarts the time order", 1000, 0, 0, FALSE,
      { GOPS (5000, 1, 3, 100, 1), CLEAR_VIDEO, CHECK (.video = "", .overflows = 0),
          V (0, FALSE, 1, REFUSED_NO_KEYFRAME), V (100, TRUE, 1, ADDED),
          CHECK (.video = "K100") } },
  /* Audio every 100 ms from 0, video GOPs of 500 ms from 250 ms. */
  { "audio follows the oldest GOP", 1000, 0, 0, TRUE,
      { A (0, ADDED), A (100, ADDED), A (200, ADDED), CHECK (.audio = "0 100 200"),
          V (250, TRUE, 1, ADDED), CHECK (.audio = "", .items = 1), A (300, ADDED), A (400, ADDED),
          V (350, FALSE, 1, ADDED), V (750, TRUE, 1, ADDED), A (500, ADDED), A (600, ADDED),
          A (700, ADDED), A (800, ADDED),
          CHECK (.video = "K250 350 K750", .audio = "300 400 500 600 700 800"),
          V (1250, TRUE, 1, ADDED),
          /* 1250 - 750 = 500 < 1000: video and audio unchanged */
          CHECK (.video = "K250 350 K750 K1250", .audio = "300 400 500 600 700 800"),
          V (1750, TRUE, 1, ADDED),
          /* K250 dropped: audio before 750 goes with it */
          CHECK (.video = "K750 K1250 K1750", .audio = "800"), A (700, REFUSED_BACKWARDS),
          A (900, ADDED), CHECK (.audio = "800 900") } },
  { "audio behind the video start is dropped as it comes", 0, 0, 0, TRUE,
      { V (0, TRUE, 1, ADDED), V (1000, TRUE, 1, ADDED), V (2000, TRUE, 1, ADDED), A (1500, ADDED),
          CHECK (.video = "K2000", .audio = ""), A (2100, ADDED), CHECK (.audio = "2100") } },
  /* With no video, audio keeps 60 s (HKSV_GOP_RING_FOLLOWER_SPAN) before its newest item, not
   * the video duration (300 ms here); the first keyframe trims it to its time. */
  { "audio without video keeps the follower span", 300, 0, 0, TRUE,
      { A (0, ADDED), A (100, ADDED), A (200, ADDED), A (300, ADDED), A (400, ADDED),
          CHECK (.audio = "0 100 200 300 400"), V (250, FALSE, 1, REFUSED_NO_KEYFRAME),
          CHECK (.audio = "0 100 200 300 400"), V (350, TRUE, 1, ADDED), CHECK (.audio = "400"),
          A (500, ADDED), A (600, ADDED), A (700, ADDED), CLEAR_VIDEO, A (800, ADDED),
          CHECK (.audio = "400 500 600 700 800"), DURATION (100),
          CHECK (.audio = "400 500 600 700 800"),
          /* 60500 - 500 = 60 s: kept; 60500 - 400 and 60700 - 600 are more */
          A (60500, ADDED), CHECK (.audio = "500 600 700 800 60500"), A (60700, ADDED),
          CHECK (.audio = "700 800 60500 60700"),
          /* a prebuffer duration beyond 60 s is the span then */
          DURATION (61000), A (61500, ADDED), CHECK (.audio = "700 800 60500 60700 61500"),
          A (61800, ADDED), CHECK (.audio = "800 60500 60700 61500 61800") } },
  /* A non-live pipeline: the whole audio (10 s) before the first video; then the video from 0
   * in GOPs of 500 ms, duration 1000 ms. The audio is kept from the oldest GOP's start up to the
   * newest, however far ahead of the video. */
  { "audio far ahead of the video", 1000, 0, 0, TRUE,
      { A (0, ADDED), A (1000, ADDED), A (2000, ADDED), A (3000, ADDED), A (4000, ADDED),
          A (5000, ADDED), A (6000, ADDED), A (7000, ADDED), A (8000, ADDED), A (9000, ADDED),
          A (10000, ADDED), V (0, TRUE, 1, ADDED),
          CHECK (.audio = "0 1000 2000 3000 4000 5000 6000 7000 8000 9000 10000"),
          GOPS (500, 4, 5, 100, 1),
          /* 2400 - 1000 = 1400 >= 1000: K0 and K500 went, K1000 stays */
          CHECK (.gops = "K1000..1400 K1500..1900 K2000..2400",
              .audio = "1000 2000 3000 4000 5000 6000 7000 8000 9000 10000"),
          GOPS (2500, 11, 5, 100, 1),
          CHECK (.gops = "K6500..6900 K7000..7400 K7500..7900",
              .audio = "7000 8000 9000 10000") } },
  /* The byte bound (35 bytes: three frames of 10) drops the oldest audio, also far ahead. */
  { "audio far ahead within the byte bound", 1000, 0, 35, TRUE,
      { A (0, ADDED), A (1000, ADDED), A (2000, ADDED), A (3000, ADDED),
          CHECK (.audio = "1000 2000 3000"), V (0, TRUE, 1, ADDED),
          CHECK (.audio = "1000 2000 3000"), A (4000, ADDED), CHECK (.audio = "2000 3000 4000") } },
  { "audio follows a video overflow and a duration change", 2000, 350, 0, TRUE,
      { V (0, TRUE, 100, ADDED), A (0, ADDED), A (100, ADDED), V (100, FALSE, 100, ADDED),
          V (1000, TRUE, 100, ADDED), A (1000, ADDED), A (1100, ADDED),
          CHECK (.video = "K0 100 K1000", .audio = "0 100 1000 1100"), DURATION (0),
          CHECK (.video = "K1000", .audio = "1000 1100"), V (1100, FALSE, 100, ADDED),
          V (1200, FALSE, 200, OVERFLOW),
          /* video empty: audio keeps the follower span before its newest */
          CHECK (.video = "", .audio = "1000 1100"), V (1300, TRUE, 100, ADDED),
          CHECK (.video = "K1300", .audio = "") } },
  { "audio byte bound", 100000, 0, 25, TRUE,
      { V (0, TRUE, 1, ADDED), A (0, ADDED), A (10, ADDED), CHECK (.audio = "0 10"), A (20, ADDED),
          CHECK (.audio = "10 20"), AS (30, 26, OVERFLOW), CHECK (.audio = ""), A (40, ADDED),
          CHECK (.audio = "40") } },
  { "clear audio restarts its time order", 1000, 0, 0, TRUE,
      { A (500, ADDED), A (400, REFUSED_BACKWARDS), CLEAR_AUDIO, A (400, ADDED),
          A (-1, REFUSED_NO_TIMESTAMP), CHECK (.audio = "400") } },
};

static void
check (const Script *script, const Op *op, HksvGopRing *video, HksvGopRing *audio)
{
  HksvGopRingStats vs, as = { 0 };
  g_autoptr (GPtrArray) snap = hksv_gop_ring_snapshot (video, NULL);
  g_autofree gchar *items = render_items (snap);
  g_autofree gchar *gops = render_gops (snap);

  hksv_gop_ring_get_stats (video, &vs);
  if (audio)
    hksv_gop_ring_get_stats (audio, &as);
  g_assert_cmpuint (live_items, ==, vs.items + as.items);
  g_assert_cmpuint (snap->len, ==, vs.items);

  if (op->video)
    g_assert_cmpstr (items, ==, op->video);
  if (op->gops)
    g_assert_cmpstr (gops, ==, op->gops);
  if (op->items >= 0)
    g_assert_cmpint (vs.items, ==, op->items);
  if (op->n_gop >= 0)
    g_assert_cmpint (vs.gops, ==, op->n_gop);
  if (op->bytes >= 0)
    g_assert_cmpint (vs.bytes, ==, op->bytes);
  if (op->span_ms >= 0)
    g_assert_cmpuint (vs.span, ==, ms (op->span_ms));
  if (op->overflows >= 0)
    g_assert_cmpint (vs.overflows, ==, op->overflows);
  if (vs.items > 0) {
    const TestItem *first = snap->pdata[0];

    g_assert_true (first->keyframe);
    g_assert_cmpuint (vs.start, ==, ms (first->time_ms));
    g_assert_cmpuint (vs.end - vs.start, ==, vs.span);
  } else {
    g_assert_cmpuint (vs.start, ==, HKSV_GOP_RING_TIME_NONE);
    g_assert_true (vs.waiting_for_keyframe);
  }
  /* memory is reported as given: twice the size in these scripts */
  g_assert_cmpuint (vs.mem_bytes, ==, 2 * vs.bytes);

  if (op->audio) {
    g_autoptr (GPtrArray) asnap = NULL;
    g_autofree gchar *aitems = NULL;

    g_assert_nonnull (audio);
    asnap = hksv_gop_ring_snapshot (audio, NULL);
    aitems = render_items (asnap);
    g_assert_cmpstr (aitems, ==, op->audio);
    g_assert_cmpuint (as.gops, ==, 0);
    if (vs.items > 0 && as.items > 0)
      g_assert_cmpuint (as.start, >=, vs.start);
  }
}

static void
push (HksvGopRing *ring, gint64 dts, gint64 pts, gboolean key, guint size, HksvGopRingResult want)
{
  TestItem *item = test_item_new (dts >= 0 ? dts : pts, key);
  HksvGopRingResult got = hksv_gop_ring_push (ring, item, size, 2 * size, ms (dts), ms (pts), key);

  if (got != want)
    g_error ("push of %" G_GINT64_FORMAT "%s: got \"%s\", want \"%s\"", item->time_ms,
        key ? " (key)" : "", hksv_gop_ring_result_to_string (got),
        hksv_gop_ring_result_to_string (want));
  if (got != HKSV_GOP_RING_ADDED)
    test_item_free (item);
}

static void
run_script (gconstpointer data)
{
  const Script *script = data;
  HksvGopRing *video
      = hksv_gop_ring_new (ms (script->duration_ms), script->max_bytes, test_item_free);
  HksvGopRing *audio
      = script->audio ? hksv_gop_ring_new_follower (video, script->audio_max_bytes, test_item_free)
                      : NULL;

  g_assert_cmpuint (hksv_gop_ring_get_duration (video), ==, ms (script->duration_ms));
  if (audio)
    g_assert_cmpuint (hksv_gop_ring_get_duration (audio), ==, ms (script->duration_ms));

  for (const Op *op = script->ops; op->kind != OP_END; op++) {
    switch (op->kind) {
      case OP_VIDEO:
        push (video, op->t, op->pts, op->key, op->size, op->want);
        break;
      case OP_AUDIO:
        push (audio, op->t, op->pts, FALSE, op->size, op->want);
        break;
      case OP_GOPS:
        for (guint g = 0; g < op->n_gops; g++)
          for (guint f = 0; f < op->frames; f++)
            push (video, op->t + (gint64) ((g * op->frames + f) * op->step), -1, f == 0, op->size,
                HKSV_GOP_RING_ADDED);
        break;
      case OP_DURATION:
        hksv_gop_ring_set_duration (video, ms (op->t));
        g_assert_cmpuint (hksv_gop_ring_get_duration (video), ==, ms (op->t));
        break;
      case OP_MAX_BYTES:
        hksv_gop_ring_set_max_bytes (video, op->t);
        g_assert_cmpuint (hksv_gop_ring_get_max_bytes (video), ==, op->t);
        break;
      case OP_CLEAR_VIDEO:
        hksv_gop_ring_clear (video);
        break;
      case OP_CLEAR_AUDIO:
        hksv_gop_ring_clear (audio);
        break;
      case OP_CHECK:
        check (script, op, video, audio);
        break;
      case OP_END:
        break;
    }
  }

  hksv_gop_ring_free (video);
  hksv_gop_ring_free (audio);
  g_assert_cmpuint (live_items, ==, 0);
}

/* A snapshot with a copy function owns its copies; the ring keeps its items. */
static void
test_snapshot_copy (void)
{
  HksvGopRing *ring = hksv_gop_ring_new (ms (1000), 0, test_item_free);
  GPtrArray *snap;

  push (ring, 0, -1, TRUE, 1, HKSV_GOP_RING_ADDED);
  push (ring, 40, -1, FALSE, 1, HKSV_GOP_RING_ADDED);
  snap = hksv_gop_ring_snapshot (ring, test_item_copy);
  g_assert_cmpuint (snap->len, ==, 2);
  g_assert_cmpuint (live_items, ==, 4);
  hksv_gop_ring_clear (ring);
  g_assert_cmpuint (live_items, ==, 2);
  g_assert_cmpint (((TestItem *) snap->pdata[1])->time_ms, ==, 40);
  g_ptr_array_unref (snap);
  g_assert_cmpuint (live_items, ==, 0);
  hksv_gop_ring_free (ring);
}

/* Either ring of a pair may go first. */
static void
test_free_order (void)
{
  HksvGopRing *video = hksv_gop_ring_new (ms (1000), 0, test_item_free);
  HksvGopRing *audio = hksv_gop_ring_new_follower (video, 0, test_item_free);

  push (video, 0, -1, TRUE, 1, HKSV_GOP_RING_ADDED);
  push (audio, 10, -1, FALSE, 1, HKSV_GOP_RING_ADDED);
  hksv_gop_ring_free (video);
  g_assert_cmpuint (hksv_gop_ring_get_duration (audio), ==, 0);
  /* without a leader only the byte bound applies */
  push (audio, 5000, -1, FALSE, 1, HKSV_GOP_RING_ADDED);
  g_assert_cmpuint (live_items, ==, 2);
  hksv_gop_ring_free (audio);
  g_assert_cmpuint (live_items, ==, 0);

  video = hksv_gop_ring_new (ms (1000), 0, test_item_free);
  audio = hksv_gop_ring_new_follower (video, 0, test_item_free);
  push (audio, 10, -1, FALSE, 1, HKSV_GOP_RING_ADDED);
  hksv_gop_ring_free (audio);
  /* the leader no longer trims a follower that is gone */
  push (video, 0, -1, TRUE, 1, HKSV_GOP_RING_ADDED);
  push (video, 2000, -1, TRUE, 1, HKSV_GOP_RING_ADDED);
  hksv_gop_ring_free (video);
  g_assert_cmpuint (live_items, ==, 0);
}

static void
test_result_strings (void)
{
  for (gint r = HKSV_GOP_RING_ADDED; r <= HKSV_GOP_RING_OVERFLOW; r++)
    g_assert_cmpstr (hksv_gop_ring_result_to_string (r), !=, "unknown");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scripts); i++) {
    g_autofree gchar *path = g_strdup_printf ("/gop-ring/script/%s", scripts[i].name);
    g_autofree gchar *p = g_strdelimit (g_strdup (path), " ,", '-');

    g_test_add_data_func (p, &scripts[i], run_script);
  }
  g_test_add_func ("/gop-ring/snapshot-copy", test_snapshot_copy);
  g_test_add_func ("/gop-ring/free-order", test_free_order);
  g_test_add_func ("/gop-ring/result-strings", test_result_strings);
  return g_test_run ();
}

/* Unit tests for hap/event-queue.c: subscriptions, coalescing with a fake clock, immediate
 * (button) events, latest value wins. Expected bodies follow the EVENT/1.0 layout of
 * PROTOCOL.md section 1: {"characteristics":[{"aid","iid","value"}]}. */
#include <string.h>

#include "hap/event-queue.h"

#define MS (G_TIME_SPAN_MILLISECOND)

static void
check_body (GBytes *body, const gchar *want)
{
  gsize len = 0;
  const gchar *data;
  g_autofree gchar *text = NULL;

  g_assert_nonnull (body);
  data = g_bytes_get_data (body, &len);
  text = g_strndup (data, len);
  g_assert_cmpstr (text, ==, want);
  g_bytes_unref (body);
}

static void
test_subscriptions (void)
{
  g_autoptr (HapEventQueue) q = hap_event_queue_new (HAP_EVENT_WINDOW_DEFAULT_US);

  g_assert_cmpint (hap_event_queue_get_window (q), ==, 250 * MS);
  g_assert_false (hap_event_queue_is_subscribed (q, 1, 10));
  g_assert_true (hap_event_queue_subscribe (q, 1, 10, TRUE));
  g_assert_false (hap_event_queue_subscribe (q, 1, 10, TRUE)); /* no change */
  g_assert_true (hap_event_queue_is_subscribed (q, 1, 10));
  g_assert_false (hap_event_queue_is_subscribed (q, 2, 10));
  g_assert_false (hap_event_queue_is_subscribed (q, 1, 11));
  g_assert_true (hap_event_queue_subscribe (q, 2, 10, TRUE));
  g_assert_cmpuint (hap_event_queue_get_n_subscriptions (q), ==, 2);
  g_assert_true (hap_event_queue_subscribe (q, 1, 10, FALSE));
  g_assert_false (hap_event_queue_subscribe (q, 1, 10, FALSE));
  g_assert_cmpuint (hap_event_queue_get_n_subscriptions (q), ==, 1);

  /* Not subscribed: nothing queued. */
  g_assert_false (hap_event_queue_push (q, 1, 10, "true", FALSE, 0));
  g_assert_cmpuint (hap_event_queue_get_n_pending (q), ==, 0);
  g_assert_null (hap_event_queue_take_body (q));
  g_assert_cmpint (hap_event_queue_get_due_us (q), ==, G_MAXINT64);
}

static void
test_coalescing (void)
{
  g_autoptr (HapEventQueue) q = hap_event_queue_new (HAP_EVENT_WINDOW_DEFAULT_US);
  gint64 t0 = 1000 * MS;

  hap_event_queue_subscribe (q, 1, 10, TRUE);
  hap_event_queue_subscribe (q, 1, 11, TRUE);

  g_assert_true (hap_event_queue_push (q, 1, 10, "true", FALSE, t0));
  g_assert_cmpint (hap_event_queue_get_due_us (q), ==, t0 + 250 * MS);
  g_assert_false (hap_event_queue_is_due (q, t0));
  g_assert_false (hap_event_queue_is_due (q, t0 + 249 * MS));
  g_assert_null (hap_event_queue_take_due_body (q, t0 + 100 * MS));

  /* Within the window: another characteristic joins, the same one is replaced. */
  g_assert_true (hap_event_queue_push (q, 1, 11, "42", FALSE, t0 + 100 * MS));
  g_assert_true (hap_event_queue_push (q, 1, 10, "false", FALSE, t0 + 200 * MS));
  g_assert_cmpuint (hap_event_queue_get_n_pending (q), ==, 2);
  /* The window starts at the first pending event, it is not extended. */
  g_assert_cmpint (hap_event_queue_get_due_us (q), ==, t0 + 250 * MS);
  g_assert_true (hap_event_queue_is_due (q, t0 + 250 * MS));
  check_body (hap_event_queue_take_due_body (q, t0 + 250 * MS),
      "{\"characteristics\":[{\"aid\":1,\"iid\":10,\"value\":false},"
      "{\"aid\":1,\"iid\":11,\"value\":42}]}");
  g_assert_cmpuint (hap_event_queue_get_n_pending (q), ==, 0);
  g_assert_cmpint (hap_event_queue_get_due_us (q), ==, G_MAXINT64);
  g_assert_false (hap_event_queue_is_due (q, G_MAXINT64));

  /* A new window starts with the next event. */
  hap_event_queue_push (q, 1, 11, "43", FALSE, t0 + 300 * MS);
  g_assert_cmpint (hap_event_queue_get_due_us (q), ==, t0 + 550 * MS);
  check_body (
      hap_event_queue_take_body (q), "{\"characteristics\":[{\"aid\":1,\"iid\":11,\"value\":43}]}");
}

static void
test_immediate (void)
{
  g_autoptr (HapEventQueue) q = hap_event_queue_new (HAP_EVENT_WINDOW_DEFAULT_US);

  hap_event_queue_subscribe (q, 1, 10, TRUE);
  hap_event_queue_subscribe (q, 1, 20, TRUE);
  hap_event_queue_push (q, 1, 10, "true", FALSE, 0);
  g_assert_false (hap_event_queue_is_due (q, 50 * MS));
  /* A button press at 50 ms: due at once, and carries the pending event with it. */
  hap_event_queue_push (q, 1, 20, "0", TRUE, 50 * MS);
  g_assert_cmpint (hap_event_queue_get_due_us (q), ==, 50 * MS);
  g_assert_true (hap_event_queue_is_due (q, 50 * MS));
  check_body (hap_event_queue_take_due_body (q, 50 * MS),
      "{\"characteristics\":[{\"aid\":1,\"iid\":10,\"value\":true},"
      "{\"aid\":1,\"iid\":20,\"value\":0}]}");

  /* Immediate on an empty queue. */
  hap_event_queue_push (q, 1, 20, "1", TRUE, 70 * MS);
  g_assert_true (hap_event_queue_is_due (q, 70 * MS));
  check_body (
      hap_event_queue_take_body (q), "{\"characteristics\":[{\"aid\":1,\"iid\":20,\"value\":1}]}");
}

static void
test_unsubscribe_drops_pending (void)
{
  g_autoptr (HapEventQueue) q = hap_event_queue_new (100 * MS);

  hap_event_queue_subscribe (q, 1, 10, TRUE);
  hap_event_queue_subscribe (q, 1, 11, TRUE);
  hap_event_queue_push (q, 1, 10, "1", FALSE, 0);
  hap_event_queue_push (q, 1, 11, "2", FALSE, 0);
  hap_event_queue_subscribe (q, 1, 10, FALSE);
  g_assert_cmpuint (hap_event_queue_get_n_pending (q), ==, 1);
  g_assert_cmpint (hap_event_queue_get_due_us (q), ==, 100 * MS);
  hap_event_queue_subscribe (q, 1, 11, FALSE);
  g_assert_cmpuint (hap_event_queue_get_n_pending (q), ==, 0);
  g_assert_cmpint (hap_event_queue_get_due_us (q), ==, G_MAXINT64);
  g_assert_null (hap_event_queue_take_body (q));
}

static void
test_window_configurable (void)
{
  g_autoptr (HapEventQueue) q = hap_event_queue_new (0);

  hap_event_queue_subscribe (q, 3, 7, TRUE);
  hap_event_queue_push (q, 3, 7, "\"a\"", FALSE, 5);
  g_assert_true (hap_event_queue_is_due (q, 5)); /* window 0: due at once */
  hap_event_queue_set_window (q, 1 * G_TIME_SPAN_SECOND);
  check_body (hap_event_queue_take_body (q),
      "{\"characteristics\":[{\"aid\":3,\"iid\":7,\"value\":\"a\"}]}");
  hap_event_queue_push (q, 3, 7, "\"b\"", FALSE, 10);
  g_assert_cmpint (hap_event_queue_get_due_us (q), ==, 10 + G_TIME_SPAN_SECOND);
  /* Huge clock values do not overflow. */
  g_bytes_unref (hap_event_queue_take_body (q));
  hap_event_queue_push (q, 3, 7, "\"c\"", FALSE, G_MAXINT64 - 1);
  g_assert_cmpint (hap_event_queue_get_due_us (q), >=, G_MAXINT64 - G_TIME_SPAN_SECOND);
  g_bytes_unref (hap_event_queue_take_body (q));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/event-queue/subscriptions", test_subscriptions);
  g_test_add_func ("/event-queue/coalescing", test_coalescing);
  g_test_add_func ("/event-queue/immediate", test_immediate);
  g_test_add_func ("/event-queue/unsubscribe-drops-pending", test_unsubscribe_drops_pending);
  g_test_add_func ("/event-queue/window", test_window_configurable);
  return g_test_run ();
}

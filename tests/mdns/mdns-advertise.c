/* Test helper for tests/mdns/mdns.sh: advertises one `_hap._tcp` service with hap/mdns.c on the
 * loopback interface only, and follows commands on stdin.
 *
 * Usage: mdns-advertise NAME PORT
 * stdin, one command a line: "paired 0|1", "config N", "quit" (or end of input).
 * stdout, one event a line: "state STATE" (no-daemon, registering, established, failed),
 * "name NEW-NAME" after a conflict, "ok COMMAND" once a command was applied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hap/mdns.h"
#include "tests/common/test-util.h"

static GMainLoop *loop;

static void
on_state (HapMdns *mdns, HapMdnsState state, gpointer user_data)
{
  static const char *const names[]
      = { "stopped", "no-daemon", "registering", "established", "failed" };

  (void) mdns;
  (void) user_data;
  hap_test_say ("state %s", names[state]);
}

static void
on_name (HapMdns *mdns, const char *name, gpointer user_data)
{
  (void) mdns;
  (void) user_data;
  hap_test_say ("name %s", name);
}

static gboolean
on_stdin (GIOChannel *channel, GIOCondition condition, gpointer user_data)
{
  HapMdns *mdns = user_data;
  g_autofree gchar *line = NULL;
  GIOStatus status;
  guint n;

  (void) condition;
  status = g_io_channel_read_line (channel, &line, NULL, NULL, NULL);
  if (status == G_IO_STATUS_AGAIN)
    return G_SOURCE_CONTINUE;
  if (status != G_IO_STATUS_NORMAL) {
    g_main_loop_quit (loop);
    return G_SOURCE_REMOVE;
  }
  g_strstrip (line);
  if (sscanf (line, "paired %u", &n) == 1) {
    hap_mdns_set_paired (mdns, n != 0);
  } else if (sscanf (line, "config %u", &n) == 1 && n >= 1 && n <= 65535) {
    hap_mdns_set_config_number (mdns, n);
  } else if (strcmp (line, "quit") == 0) {
    g_main_loop_quit (loop);
    return G_SOURCE_REMOVE;
  } else {
    hap_test_say ("error unknown command: %s", line);
    return G_SOURCE_CONTINUE;
  }
  hap_test_say ("ok %s", line);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  HapMdnsTxt txt = {
    .config_number = 1,
    .feature_flags = 0,
    .device_id = "E1:91:1A:70:85:AA",
    .model = "HKSV Test Camera",
    .category = 17,
    .paired = FALSE,
    .setup_hash = "yf4bzw==",
  };
  GMainContext *context;
  GIOChannel *channel;
  HapMdns *mdns;

  if (argc != 3) {
    fprintf (stderr, "usage: %s NAME PORT\n", argv[0]);
    return 2;
  }
  context = g_main_context_new ();
  loop = g_main_loop_new (context, FALSE);
  mdns = hap_mdns_new (context, argv[1], (guint16) atoi (argv[2]), &txt);
  if (mdns == NULL)
    return 2;
  hap_mdns_set_state_changed_callback (mdns, on_state, NULL, NULL);
  hap_mdns_set_name_changed_callback (mdns, on_name, NULL, NULL);
  /* Never advertise anywhere but on loopback from a test. */
  if (!hap_mdns_set_loopback_only (mdns))
    return 2;
  hap_mdns_start (mdns);

  channel = g_io_channel_unix_new (0);
  {
    GSource *source = g_io_create_watch (channel, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_stdin, mdns, NULL);
    g_source_attach (source, context);
    g_source_unref (source);
  }

  g_main_loop_run (loop);

  g_io_channel_unref (channel);
  hap_mdns_free (mdns);
  g_main_loop_unref (loop);
  g_main_context_unref (context);
  return 0;
}

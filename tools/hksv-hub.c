/* hksv-hub: a home-hub simulator and HKSV conformance tester on libhap.
 *
 *   hksv-hub SUBCOMMAND [OPTIONS] [ARGS]
 *
 * pair / unpair / list-pairings manage the controller's pairings (state in --state-dir),
 * inspect checks the HKSV service set, record acts as one or more home hubs and receives and
 * checks recordings, snapshot asks for a JPEG, check runs the media checker on files, watch
 * prints events. `hksv-hub --help` documents every subcommand; docs/hksv-hub.md has the manual.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tools/hub-commands.h"

typedef struct {
  const gchar *name;
  const gchar *args;
  const gchar *summary;
  const gchar *description;
} Command;

static const Command commands[] = {
  { "pair", "HOST:PORT CODE", "pair with an accessory (pair-setup + pair-verify)",
      "Runs pair-setup (SRP with the setup code XXX-XX-XXX) and pair-verify as a controller and\n"
      "stores the controller identity and the accessory's long-term key in the state directory.\n"
      "The accessory must be unpaired." },
  { "unpair", "", "remove this controller's pairings from the accessory",
      "Removes every pairing of this state directory from the accessory (extra hubs first; the\n"
      "last admin resets the accessory to unpaired) and forgets it. --local only forgets it "
      "here." },
  { "list-pairings", "", "list the accessory's pairings",
      "Lists the pairings the accessory holds (POST /pairings, method list), marking ours, and "
      "the\n"
      "accessories stored in the state directory." },
  { "inspect", "", "print the accessory database and check the HKSV profile",
      "Reads /accessories, prints every service and characteristic with its value, then checks "
      "the\n"
      "HKSV service set of the spec (section 1), decodes the Supported recording configurations\n"
      "and prints a table of present / missing / wrong items. Exit status 1 when one is missing "
      "or\n"
      "wrong." },
  { "record", "--out DIR", "act as home hub(s): configure, wait for motion, receive recordings",
      "Chooses a recording configuration from the supported ones (or the flags), writes\n"
      "SelectedCameraRecordingConfiguration, sets the camera state (--mode writes the three "
      "Active\n"
      "characteristics), subscribes to MotionDetected (and the doorbell), and on each trigger: \n"
      "SetupDataStreamTransport, HDS connection with hello, dataSend open; receives and\n"
      "acknowledges the stream, closes it after motion ends (--close-delay), writes DIR/NNNN.mp4\n"
      "and DIR/NNNN.chunks, runs every check of the media checker on the stream and prints a\n"
      "report with timings. --hubs N runs N hubs, each with its own pairing, at the same time." },
  { "snapshot", "--reason 0|1 --out FILE", "POST /resource and save the JPEG",
      "Asks for a snapshot with the given reason (0 periodic, 1 event; -1 sends none) and saves\n"
      "the JPEG. Exit status 1 when the accessory refuses or the answer is not a JPEG." },
  { "check", "FILE...", "run the media conformance checker on files",
      "Checks recordings (NNNN.mp4), chunk stream dumps (NNNN.chunks, with arrival times) or an\n"
      "init segment followed by fragment files (one recording in pieces). Each rule violation is\n"
      "printed with its rule id. Exit status 1 on any violation." },
  { "watch", "", "subscribe to every notifying characteristic and print events",
      "Subscribes to every characteristic with notifications and prints each event as it arrives\n"
      "(--events N stops after N event messages, --timeout S after S seconds)." },
};

/* Subcommand options. */
static gboolean opt_local;
static gint opt_reason = 1;
static gchar *opt_out;
static gint opt_width = 1280, opt_height = 720;
static gint opt_watch_events = 0, opt_watch_timeout = 0;
static HubRecordOptions record_options;
static HubCheckOptions check_options;

static GOptionEntry unpair_entries[] = {
  { "local", 0, 0, G_OPTION_ARG_NONE, &opt_local,
      "Only forget the pairing here (the accessory is gone or reset)", NULL },
  { NULL },
};

static GOptionEntry snapshot_entries[] = {
  { "reason", 0, 0, G_OPTION_ARG_INT, &opt_reason,
      "Snapshot reason: 0 periodic, 1 event (default), -1 none", "0|1" },
  { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, "Save the JPEG here (required)", "FILE" },
  { "width", 0, 0, G_OPTION_ARG_INT, &opt_width, "image-width asked for (default 1280)", "W" },
  { "height", 0, 0, G_OPTION_ARG_INT, &opt_height, "image-height asked for (default 720)", "H" },
  { NULL },
};

static GOptionEntry check_entries[] = {
  { "selected", 0, 0, G_OPTION_ARG_STRING, &check_options.selected,
      "Take fragment and prebuffer lengths from this SelectedCameraRecordingConfiguration",
      "BASE64" },
  { "fragment", 0, 0, G_OPTION_ARG_INT, &check_options.fragment_ms,
      "Expected fragment length (default: not checked)", "MS" },
  { "prebuffer", 0, 0, G_OPTION_ARG_INT, &check_options.prebuffer_ms,
      "Expected prebuffer sent at once (chunk dumps only; default: not checked)", "MS" },
  { "audio", 0, 0, G_OPTION_ARG_STRING, &check_options.audio,
      "Audio track: yes (required), no (forbidden) or any (default)", "yes|no|any" },
  { "lenient", 0, 0, G_OPTION_ARG_NONE, &check_options.lenient,
      "Only the rules hubs need, not the comparison with the real camera's layout", NULL },
  { "segments", 0, 0, G_OPTION_ARG_NONE, &check_options.segments,
      "The files are one recording: init segment, then fragments (detected when the first file "
      "is an init segment)",
      NULL },
  { NULL },
};

static GOptionEntry watch_entries[] = {
  { "events", 'n', 0, G_OPTION_ARG_INT, &opt_watch_events,
      "Stop after N event messages (default: never)", "N" },
  { "timeout", 't', 0, G_OPTION_ARG_INT, &opt_watch_timeout,
      "Stop after S seconds (default: never)", "S" },
  { NULL },
};

static GOptionEntry no_entries[] = { { NULL } };

static GOptionEntry *record_entries;

static GOptionEntry *
entries_for (const gchar *name)
{
  if (g_str_equal (name, "unpair"))
    return unpair_entries;
  if (g_str_equal (name, "snapshot"))
    return snapshot_entries;
  if (g_str_equal (name, "check"))
    return check_entries;
  if (g_str_equal (name, "watch"))
    return watch_entries;
  if (g_str_equal (name, "record")) {
    if (record_entries == NULL)
      record_entries = hub_record_option_entries (&record_options);
    return record_entries;
  }
  return no_entries;
}

static void
print_entries (GString *out, const GOptionEntry *entries)
{
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++) {
    g_autofree gchar *flag = NULL;
    if (e->short_name)
      flag = g_strdup_printf ("-%c, --%s%s%s", e->short_name, e->long_name,
          e->arg_description ? " " : "", e->arg_description ? e->arg_description : "");
    else
      flag = g_strdup_printf ("    --%s%s%s", e->long_name, e->arg_description ? " " : "",
          e->arg_description ? e->arg_description : "");
    g_string_append_printf (out, "      %-30s %s\n", flag, e->description);
  }
}

static void
print_help (FILE *stream)
{
  g_autoptr (GString) out = g_string_new (NULL);
  HubContext dummy;
  GOptionEntry *common;

  hub_context_init (&dummy, "help");
  g_string_append (out,
      "Usage: hksv-hub SUBCOMMAND [OPTIONS] [ARGS]\n\n"
      "A home-hub simulator and HomeKit Secure Video conformance tester: pairs with a camera as\n"
      "a controller, checks its HKSV services, configures it, receives recordings over HomeKit\n"
      "Data Stream and checks them. The manual is docs/hksv-hub.md.\n\n"
      "Subcommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (out, "  %-14s %s\n", commands[i].name, commands[i].summary);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    const Command *c = &commands[i];
    GOptionEntry *entries = entries_for (c->name);
    g_auto (GStrv) lines = g_strsplit (c->description, "\n", -1);

    g_string_append_printf (out, "\nhksv-hub %s%s%s\n", c->name, *c->args ? " " : "", c->args);
    for (guint l = 0; lines[l] != NULL; l++)
      g_string_append_printf (out, "    %s\n", lines[l]);
    if (entries->long_name != NULL) {
      g_string_append (out, "    Options:\n");
      print_entries (out, entries);
    }
  }
  g_string_append (out, "\nOptions of every subcommand:\n");
  common = hub_common_option_entries (&dummy);
  print_entries (out, common);
  g_string_append (out,
      "\nExit status: 0 everything passed; 1 a check failed (missing or wrong service, refused or\n"
      "non-conforming recording, timeout waiting for a trigger); 2 bad command line; 3 the\n"
      "accessory could not be reached or broke the protocol (connection, timeout, garbage).\n"
      "`hksv-hub SUBCOMMAND --help` prints one subcommand's options.\n");
  g_free (common);
  hub_context_clear (&dummy);
  fputs (out->str, stream);
}

static const Command *
find_command (const gchar *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

int
main (int argc, char **argv)
{
  const Command *command;
  g_autoptr (GOptionContext) options = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *parameter = NULL;
  g_autofree GOptionEntry *common_entries = NULL;
  HubContext ctx;
  int status;

  setlocale (LC_ALL, "");
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help")) {
    print_help (argc < 2 ? stderr : stdout);
    return argc < 2 ? HUB_EXIT_USAGE : HUB_EXIT_OK;
  }
  command = find_command (argv[1]);
  if (command == NULL) {
    fprintf (stderr, "hksv-hub: unknown subcommand \"%s\" (see hksv-hub --help)\n", argv[1]);
    return HUB_EXIT_USAGE;
  }

  hub_context_init (&ctx, command->name);
  hub_record_options_init (&record_options);
  parameter = g_strdup_printf ("%s%s%s", command->name, *command->args ? " " : "", command->args);
  options = g_option_context_new (parameter);
  g_option_context_set_summary (options, command->description);
  g_option_context_add_main_entries (options, entries_for (command->name), NULL);
  common_entries = hub_common_option_entries (&ctx);
  g_option_context_add_main_entries (options, common_entries, NULL);
  /* argv[1] is the subcommand: parse from there so that --help names it. */
  argv[1] = argv[0];
  argc--;
  argv++;
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    fprintf (stderr, "hksv-hub %s: %s\n", command->name, error->message);
    hub_context_clear (&ctx);
    return HUB_EXIT_USAGE;
  }
  argv[0] = (char *) command->name;

  if (g_str_equal (command->name, "pair"))
    status = hub_cmd_pair (&ctx, argc, argv);
  else if (g_str_equal (command->name, "unpair"))
    status = hub_cmd_unpair (&ctx, opt_local, argc, argv);
  else if (g_str_equal (command->name, "list-pairings"))
    status = hub_cmd_list_pairings (&ctx, argc, argv);
  else if (g_str_equal (command->name, "inspect"))
    status = hub_cmd_inspect (&ctx, argc, argv);
  else if (g_str_equal (command->name, "record"))
    status = hub_cmd_record (&ctx, &record_options, argc, argv);
  else if (g_str_equal (command->name, "snapshot"))
    status = hub_cmd_snapshot (&ctx, opt_reason, opt_out, (guint) MAX (opt_width, 1),
        (guint) MAX (opt_height, 1), argc, argv);
  else if (g_str_equal (command->name, "check"))
    status = hub_cmd_check (&ctx, &check_options, argc, argv);
  else
    status = hub_cmd_watch (&ctx, opt_watch_events, opt_watch_timeout, argc, argv);

  hub_record_options_clear (&record_options);
  g_free (opt_out);
  g_free (check_options.selected);
  g_free (check_options.audio);
  g_free (record_entries);
  hub_context_clear (&ctx);
  return status;
}

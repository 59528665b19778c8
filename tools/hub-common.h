/* hksv-hub: what the subcommands share - options common to all of them, output (text or JSON),
 * the state directory, and a verified connection to a paired accessory. */
#pragma once

#include <json-glib/json-glib.h>

#include "hap/controller-store.h"
#include "hap/hap-client.h"

G_BEGIN_DECLS

/* Exit statuses (docs/hksv-hub.md). */
enum {
  HUB_EXIT_OK = 0,
  HUB_EXIT_CHECK_FAILED = 1, /* a conformance check failed */
  HUB_EXIT_USAGE = 2,        /* bad command line */
  HUB_EXIT_ERROR = 3,        /* the accessory could not be reached, or broke the protocol */
};

typedef struct {
  const gchar *name;
  gchar *state_dir;   /* --state-dir */
  gboolean json;      /* --json */
  gint timeout_s;     /* --io-timeout: every wait on the accessory */
  gchar *accessory;   /* --accessory ID: which paired accessory */
  gchar *address;     /* --address HOST:PORT: overrides the stored address */
  gboolean verbose;   /* --verbose: protocol details on stderr */
  JsonObject *report; /* the JSON report of the run */
  GMutex print_lock;  /* text output from several hub threads */
} HubContext;

/* The options every subcommand takes, bound to `ctx` (the table: free it with g_free()). */
GOptionGroup *hub_common_options (HubContext *ctx);
GOptionEntry *hub_common_option_entries (HubContext *ctx);
void hub_context_init (HubContext *ctx, const gchar *name);
void hub_context_clear (HubContext *ctx);
guint hub_timeout_ms (const HubContext *ctx);

/* Text output (nothing in --json mode): stdout, serialized between threads. */
void hub_print (HubContext *ctx, const gchar *format, ...) G_GNUC_PRINTF (2, 3);
/* Diagnostics: stderr in text mode, and in --verbose mode also in JSON mode. */
void hub_note (HubContext *ctx, const gchar *format, ...) G_GNUC_PRINTF (2, 3);
/* An error: "hksv-hub NAME: message" on stderr, and "error" in the JSON report. */
void hub_error (HubContext *ctx, const gchar *format, ...) G_GNUC_PRINTF (2, 3);
/* Prints the JSON report (in --json mode) and returns `status`. */
int hub_finish (HubContext *ctx, int status);
/* The exit status for a failure `error` of the accessory (HUB_EXIT_ERROR, or
 * HUB_EXIT_CHECK_FAILED for status answers and pairing refusals). */
int hub_exit_for_error (const GError *error);

/* The state directory (default $XDG_STATE_HOME/hksv-hub), opened. */
HapControllerStore *hub_open_store (HubContext *ctx, GError **error);

/* A connected, pair-verified client for the accessory of `record` as identity `identity`. */
HapClient *hub_connect (HubContext *ctx, const HapAccessoryRecord *record,
    const HapControllerIdentity *identity, GError **error);
/* Finds the accessory (--accessory), applies --address, loads identity 0 and connects. */
HapClient *hub_connect_default (
    HubContext *ctx, HapControllerStore *store, HapAccessoryRecord *record, GError **error);
/* How the subcommands that work on the paired accessory start: opens the state directory
 * (*store), connects (*client, hub_connect_default()) and, when `db` is not NULL, reads its
 * database (*db). Returns HUB_EXIT_OK, or prints what failed and returns the exit status. */
int hub_open_accessory (HubContext *ctx, HapControllerStore **store, HapAccessoryRecord *record,
    HapClient **client, HapRemoteDb **db);

/* Reads what /accessories left out of `db`: its readable characteristics without a value. A
 * value list, or NULL when nothing was left out or the read failed (then `error` is set). */
GArray *hub_read_missing_values (HapClient *client, const HapRemoteDb *db, GError **error);

/* A readable name for a HAP service or characteristic type ("MotionDetected"), or the type. */
const gchar *hub_type_name (const gchar *type);

/* "2024-01-01T12:00:00.123" (local time) for event lines. */
gchar *hub_now_text (void);

G_END_DECLS

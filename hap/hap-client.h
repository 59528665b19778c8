/* libhap: a HAP controller connection (the hub side of HAP over IP, PROTOCOL.md section 1).
 *
 * One TCP connection to an accessory: pair-setup and pair-verify as a controller (with the
 * state machines of hap/pair-setup-client.h and hap/pair-verify-client.h), then encrypted
 * requests in session frames (hap/session-crypto.h): GET /accessories, GET and PUT
 * /characteristics, POST /pairings, POST /resource, and the EVENT/1.0 messages the accessory
 * sends to subscribed controllers.
 *
 * Blocking with deadlines, for a command-line tool: every call waits at most the client's
 * timeout (hap_client_set_timeout()), then fails with HAP_CLIENT_ERROR_TIMEOUT. Events that
 * arrive while a call waits for its response are queued in order and handed out by
 * hap_client_next_event() / hap_client_take_event(). For a poll loop over several
 * connections: hap_client_get_fd(), then hap_client_pump() when it is readable, then
 * hap_client_take_event().
 *
 * Every bad byte from the accessory is a GError, never an assertion: HAP_CLIENT_ERROR_PROTOCOL
 * (unparsable HTTP, a frame that does not authenticate, an unexpected response), _STATUS (an
 * HTTP or HAP error status, with both in the message), _CLOSED, _TIMEOUT; pairing failures keep
 * their HAP_PAIRING_ERROR / HAP_CODEC_ERROR domain with a message saying which step failed.
 * After a transport failure (anything but _STATUS and pairing TLV errors) the connection is
 * spent: every later call fails with the same error.
 *
 * Not thread-safe; one client per thread.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hap/client-socket.h"
#include "hap/http.h"
#include "hap/pair-setup-client.h"
#include "hap/pairings.h"
#include "hap/remote-db.h"

G_BEGIN_DECLS

#define HAP_CLIENT_DEFAULT_TIMEOUT_MS 10000

typedef struct _HapClient HapClient;

/* Connects within `timeout_ms` (also the default wait of every later call). */
HapClient *hap_client_connect (const char *host, guint16 port, guint timeout_ms, GError **error);
/* A client on a connected stream socket (tests: one end of a socketpair). Takes a reference. */
HapClient *hap_client_new_for_socket (GSocket *socket, guint timeout_ms);
void hap_client_free (HapClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HapClient, hap_client_free)

void hap_client_set_timeout (HapClient *client, guint timeout_ms);
guint hap_client_get_timeout (const HapClient *client);
/* The host given to hap_client_connect() (NULL for a socket client). */
const char *hap_client_get_host (const HapClient *client);
int hap_client_get_fd (const HapClient *client);

/* ---- pairing ---- */
/* Pair-setup M1-M6 with `setup_code` ("XXX-XX-XXX"). `ltsk` NULL: a new key pair. On success
 * `out` holds the controller's and the accessory's long-term keys. The connection stays in
 * plaintext (pair-verify next). */
gboolean hap_client_pair_setup (HapClient *client, const char *setup_code,
    const char *controller_id, const guint8 *ltsk, HapControllerPairing *out, GError **error);
/* Pair-verify M1-M4; the connection switches to session frames. */
gboolean hap_client_pair_verify (
    HapClient *client, const HapControllerPairing *pairing, GError **error);
gboolean hap_client_is_verified (const HapClient *client);
/* The pair-verify shared secret (32 bytes; for the HDS keys), NULL before pair-verify. */
const guint8 *hap_client_get_shared_secret (const HapClient *client);

/* ---- requests ---- */
/* Sends a request and waits for its response (any status). `content_type` may be NULL. A
 * response that does not come in time spends the connection (a late one could not be told from
 * the answer to the next request); waiting for events does not. */
HapHttpResponse *hap_client_request (HapClient *client, const char *method, const char *target,
    const char *content_type, const guint8 *body, gsize len, GError **error);
/* "207 Multi-Status, HAP status -70410 (invalid value)" for reports; the body's "status" is
 * decoded when it is JSON. */
gchar *hap_client_describe_response (const HapHttpResponse *response);

/* GET /accessories, parsed (hap/remote-db.h). */
HapRemoteDb *hap_client_get_accessories (HapClient *client, GError **error);

typedef struct {
  guint64 aid;
  guint64 iid;
} HapRemoteId;

/* GET /characteristics?id=... : one HapRemoteValue per id (status 0 and a value, or a HAP
 * status). 200 and 207 are answers; anything else is _STATUS. */
GArray *hap_client_read (HapClient *client, const HapRemoteId *ids, guint n_ids, GError **error);

typedef struct {
  guint64 aid;
  guint64 iid;
  JsonNode *value;   /* NULL: no value (a subscription only) */
  gint ev;           /* -1: no "ev", 0/1: unsubscribe/subscribe */
  gboolean response; /* "r": true (write response) */
} HapRemoteWrite;

/* PUT /characteristics. Returns one HapRemoteValue per write, in order: status 0 for every
 * item on 204, the accessory's items on 207 (a write response's value included). Any other
 * HTTP status is _STATUS. */
GArray *hap_client_write (
    HapClient *client, const HapRemoteWrite *writes, guint n_writes, GError **error);

/* Timed writes: PUT /prepare {"ttl":ttl_ms,"pid":pid} (TRUE when the accessory answers status
 * 0), then the write carrying that "pid" within the ttl. Characteristics with the "tw"
 * permission refuse other writes. */
gboolean hap_client_prepare (HapClient *client, guint ttl_ms, guint64 pid, GError **error);
GArray *hap_client_write_timed (
    HapClient *client, const HapRemoteWrite *writes, guint n_writes, guint64 pid, GError **error);

/* The next EVENT/1.0 body (queued first, else waits up to `timeout_ms`): a HapRemoteValue
 * list; NULL with _TIMEOUT when none came, or another error. */
GArray *hap_client_next_event (HapClient *client, guint timeout_ms, GError **error);
/* A queued event, without waiting: FALSE when none is queued; TRUE with *values, or with
 * *values NULL and `error` set when the event body is malformed. */
gboolean hap_client_take_event (HapClient *client, GArray **values, GError **error);
/* Reads and parses what the socket has now, without waiting (for a poll loop). FALSE once the
 * connection failed. */
gboolean hap_client_pump (HapClient *client, GError **error);

/* ---- /pairings (admin) ---- */
gboolean hap_client_add_pairing (HapClient *client, const char *controller_id,
    const guint8 ltpk[32], guint8 permissions, GError **error);
gboolean hap_client_remove_pairing (HapClient *client, const char *controller_id, GError **error);
/* A GArray of HapPairing. */
GArray *hap_client_list_pairings (HapClient *client, GError **error);

/* ---- /resource ---- */
/* POST /resource {"resource-type":"image","image-width":W,"image-height":H[,"reason":R]}
 * (reason < 0: none; aid 0: none). Returns the response (the caller checks status and
 * Content-Type). */
HapHttpResponse *hap_client_resource (
    HapClient *client, guint64 aid, guint width, guint height, gint reason, GError **error);

G_END_DECLS

/* Helpers shared by the tests that run a server over real sockets (tests/unit/test-server.c,
 * test-transport.c, test-server-config.c): a server thread on its own GMainContext, waiting for
 * a counter, a temporary storage directory, and a blocking test client with its own HTTP parser
 * and HAP session crypto. Linked with the http and session-crypto modules. */
#pragma once

#include <gio/gio.h>

#include "hap/http.h"
#include "hap/session-crypto.h"

G_BEGIN_DECLS

/* How long a test waits for the server: socket timeouts and hap_test_wait_int(). */
#define HAP_TEST_TIMEOUT_S 5

/* Waits up to HAP_TEST_TIMEOUT_S for the atomic `*counter` to reach `value`; fails the test when
 * it does not. */
void hap_test_wait_int (gint *counter, gint value);

/* Removes `dir` and the files in it. */
void hap_test_remove_dir (const char *dir);

/* A GSourceFunc quitting the GMainLoop `loop`. */
gboolean hap_test_quit_loop (gpointer loop);

/* In the server thread, with its context pushed as the thread default: starts serving and returns
 * the listening port. */
typedef guint16 (*HapTestServeFunc) (gpointer data);
/* In the server thread once its loop has quit: stops serving. */
typedef void (*HapTestStopFunc) (gpointer data);

/* A thread "hap-server" running its own GMainContext (`context`, `loop`). */
typedef struct {
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  HapTestServeFunc serve;
  HapTestStopFunc stop;
  gpointer data;
  guint16 port;
  gboolean ready;
} HapTestThread;

/* Starts the thread, which calls `serve` then runs its loop until hap_test_thread_stop() and then
 * calls `stop`. Returns the port `serve` returned, once it did (asserted > 0). */
guint16 hap_test_thread_start (
    HapTestThread *t, HapTestServeFunc serve, HapTestStopFunc stop, gpointer data);
/* Quits the loop, joins the thread and frees its context. */
void hap_test_thread_stop (HapTestThread *t);

typedef struct {
  GSocket *socket;
  HapSessionCrypto *crypto; /* set once the session starts: frames both ways */
  HapHttpParser *parser;
  GByteArray *plain; /* received plaintext not parsed yet */
} HapTestClient;

/* Connects to `host` (an IPv4 or IPv6 literal) `port`; `rcvbuf` > 0: a small receive buffer,
 * set before connecting. */
HapTestClient *hap_test_client_connect (const char *host, guint16 port, gint rcvbuf);
void hap_test_client_free (HapTestClient *client);
/* Sends `data` as it is. */
void hap_test_client_send_raw (HapTestClient *client, const void *data, gsize len);
/* Sends `data` as it travels on this connection (in frames after verification). */
void hap_test_client_send (HapTestClient *client, const void *data, gsize len);
/* Sends a request written by hap_http_write_request() with "Host: test" and `content_type`
 * (NULL: none). */
void hap_test_client_request (HapTestClient *client, const char *method, const char *target,
    const char *content_type, const void *body, gsize len);
/* Receives once (blocking up to the timeout); returns the byte count, 0 on EOF, -1 on error. */
gssize hap_test_client_receive (HapTestClient *client);
/* The next response or event, or NULL when the connection ends first. */
HapHttpResponse *hap_test_client_read (HapTestClient *client);
/* A response (not an event) with `status`; returns its body. */
GBytes *hap_test_client_expect (HapTestClient *client, guint status);

G_END_DECLS

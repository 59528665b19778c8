/* hap-load: a HAP load client for tests/bench/bench-hap-server.sh.
 *
 *   hap-load pair   --pairing FILE --setup-code XXX-XX-XXX 127.0.0.1:PORT
 *   hap-load verify --pairing FILE [-c N] [-d SECONDS] 127.0.0.1:PORT
 *   hap-load get    --pairing FILE [-c N] [-d SECONDS] [--pipeline K] [--path TARGET]
 *                   127.0.0.1:PORT
 *   hap-load raw    --request-bytes A --response-bytes B [-c N] [-d SECONDS] [--pipeline K]
 *                   127.0.0.1:PORT
 *   hap-load hold   --pairing FILE [-d SECONDS] 127.0.0.1:PORT
 *
 * pair: pair-setup once with the setup code and store the controller pairing
 *   (HapControllerPairing: controller id and Ed25519 key pair, accessory id and LTPK) in FILE
 *   (a key file, mode 0600).
 * verify: N threads, each doing pair-verify M1-M4 over fresh TCP connections for the duration;
 *   a connection is closed with a reset once M4 is verified (no TIME_WAIT pile-up).
 * get: N verified keep-alive connections, each sending the encrypted request `GET TARGET`
 *   (default /characteristics?id=1.10) and waiting for its 200 before the next one, for the
 *   duration; one thread drives them all with epoll. --pipeline K keeps K requests in flight
 *   per connection instead of one (the requests answered by one read are sent again in one
 *   write). Also prints the mean wire bytes (frames included) of one request and one response.
 * raw: the same loop without HAP: N plain connections to tests/bench/loopback-server, each
 *   request A bytes of filler, each response the next B bytes received (no parsing, no crypto).
 * hold: one verified connection that answered one GET, held open for the duration (the server
 *   is then idle with a session: what its idle RSS is measured with). Prints `held: 1` first.
 *
 * Kept cheap so that, with the client and the server on cores of their own, the server is what
 * is measured: no thread switch per request, and a minimal reader for Content-Length responses
 * (libhap's HTTP parser for other framings, such as HAP-NodeJS's chunked bodies).
 * Counts only what completes between the start and the end of the measured window, after every
 * connection is set up. Output: `key: value` lines (raw prints the get_ keys too). Connects to
 * 127.0.0.1 only.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>

#include "hap/http.h"
#include "hap/pair-setup-client.h"
#include "hap/pair-verify-client.h"
#include "hap/session-crypto.h"

#define MAX_CONNECTIONS 64
#define MAX_DURATION_S 120
#define IO_TIMEOUT_S 5
#define MAX_RESPONSE_HEAD 16384
#define MAX_RESPONSE_BODY (1024 * 1024)
#define MAX_PIPELINE 64
#define MAX_RAW_BYTES 65536

/* ---- one connection ---- */

typedef struct {
  int fd;
  HapSessionCrypto *crypto;
  HapHttpParser *parser;
  HapHttpResponse *response; /* the last one read */
  GByteArray *plain;         /* received plaintext not yet parsed */
  gsize pending;             /* bytes of `plain` of the last response (fast path) */
  gboolean use_parser;       /* the peer's framing needs the libhap HTTP parser */
  GByteArray *out;           /* reused for each request's frames */
  gsize raw_response;        /* raw mode: bytes of one response (no HTTP, no crypto) */
  guint64 rx_wire;           /* bytes received on the socket */
  guint64 tx_wire;           /* bytes sent on the socket */
} Conn;

typedef struct {
  guint status;
  const guint8 *body; /* into Conn.response, valid until the next read */
  gsize body_len;
} Response;

static guint16 server_port;

static Conn *
conn_new (void)
{
  Conn *c = g_new0 (Conn, 1);

  c->fd = -1;
  c->parser = hap_http_parser_new_response (NULL);
  c->plain = g_byte_array_sized_new (4096);
  c->out = g_byte_array_sized_new (4096);
  return c;
}

/* `reset`: close with an RST (SO_LINGER 0), leaving no TIME_WAIT. */
static void
conn_close (Conn *c, gboolean reset)
{
  if (c->fd >= 0) {
    if (reset) {
      struct linger lg = { 1, 0 };
      setsockopt (c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close (c->fd);
    c->fd = -1;
  }
  g_clear_pointer (&c->crypto, hap_session_crypto_free);
  g_byte_array_set_size (c->plain, 0);
  c->pending = 0;
  c->use_parser = FALSE;
  g_clear_pointer (&c->response, hap_http_response_free);
  hap_http_parser_reset (c->parser);
}

static void
conn_free (Conn *c)
{
  conn_close (c, FALSE);
  hap_http_parser_free (c->parser);
  g_byte_array_unref (c->plain);
  g_byte_array_unref (c->out);
  g_free (c);
}

static gboolean
conn_open (Conn *c)
{
  struct sockaddr_in sa = { 0 };
  struct timeval tv = { IO_TIMEOUT_S, 0 };
  int one = 1;

  conn_close (c, FALSE);
  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    return FALSE;
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt (c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sa.sin_family = AF_INET;
  sa.sin_port = htons (server_port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (c->fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
    conn_close (c, FALSE);
    return FALSE;
  }
  return TRUE;
}

static gboolean
send_all (Conn *c, const guint8 *data, gsize len)
{
  int fd = c->fd;

  c->tx_wire += len;
  while (len > 0) {
    ssize_t n = send (fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= (gsize) n;
  }
  return TRUE;
}

/* Sends the plaintext HTTP message `msg`, in session frames once verified. */
static gboolean
conn_send (Conn *c, const guint8 *msg, gsize len)
{
  if (c->crypto == NULL)
    return send_all (c, msg, len);
  g_byte_array_set_size (c->out, 0);
  if (!hap_session_crypto_encrypt_append (c->crypto, msg, len, c->out))
    return FALSE;
  return send_all (c, c->out->data, c->out->len);
}

static gboolean
conn_post (Conn *c, const char *target, GBytes *body)
{
  g_autoptr (GByteArray) msg = g_byte_array_new ();
  const gchar *headers[]
      = { "Host", "127.0.0.1", "Content-Type", "application/pairing+tlv8", NULL };

  if (!hap_http_write_request (
          msg, "POST", target, headers, g_bytes_get_data (body, NULL), g_bytes_get_size (body)))
    return FALSE;
  return conn_send (c, msg->data, msg->len);
}

/* The fast path for what libhap sends: `HTTP/1.1 NNN ...` framed by Content-Length (or a 204).
 * 1: a response (its bytes are dropped at the next parse), 0: need more, -1: malformed, 2: some
 * other framing (HAP-NodeJS answers with chunked bodies): use the libhap HTTP parser. */
static gint
parse_simple (Conn *c, Response *r)
{
  const guint8 *data = c->plain->data;
  gsize len = c->plain->len;
  const guint8 *end = memmem (data, len, "\r\n\r\n", 4);
  const guint8 *line;
  gsize head_len;
  gint64 content_length = -1;

  if (end == NULL)
    return len > MAX_RESPONSE_HEAD ? -1 : 0;
  head_len = (gsize) (end - data) + 4;
  if (head_len < 16 || memcmp (data, "HTTP/1.1 ", 9) != 0 || !g_ascii_isdigit (data[9])
      || !g_ascii_isdigit (data[10]) || !g_ascii_isdigit (data[11]))
    return 2;
  r->status = (guint) ((data[9] - '0') * 100 + (data[10] - '0') * 10 + (data[11] - '0'));
  for (line = (const guint8 *) memchr (data, '\n', head_len) + 1; line < end;
       line = (const guint8 *) memchr (line, '\n', (gsize) (end + 2 - line)) + 1) {
    const guint8 *p = line + 15;

    if (g_ascii_strncasecmp ((const char *) line, "Transfer-Encoding:", 18) == 0)
      return 2;
    if (g_ascii_strncasecmp ((const char *) line, "Content-Length:", 15) != 0)
      continue;
    while (*p == ' ')
      p++;
    if (!g_ascii_isdigit (*p) || content_length >= 0)
      return 2;
    content_length = 0;
    while (g_ascii_isdigit (*p) && content_length <= MAX_RESPONSE_BODY)
      content_length = content_length * 10 + (*p++ - '0');
    if (content_length > MAX_RESPONSE_BODY)
      return -1;
  }
  if (content_length < 0 && r->status != 204)
    return 2;
  content_length = MAX (content_length, 0);
  if (r->status < 200)
    return 2;
  if (len < head_len + (gsize) content_length)
    return 0;
  r->body = data + head_len;
  r->body_len = (gsize) content_length;
  c->pending = head_len + (gsize) content_length;
  return 1;
}

/* Parses the next response out of the received plaintext (1xx and events are skipped):
 * 1 one response in `r` (valid until the next call), 0 need more bytes, -1 malformed. */
static gint
conn_parse (Conn *c, Response *r)
{
  if (c->pending > 0) {
    g_byte_array_remove_range (c->plain, 0, (guint) c->pending);
    c->pending = 0;
  }
  g_clear_pointer (&c->response, hap_http_response_free);
  if (c->raw_response > 0) {
    if (c->plain->len < c->raw_response)
      return 0;
    r->status = 200;
    r->body = c->plain->data;
    r->body_len = c->raw_response;
    c->pending = c->raw_response;
    return 1;
  }
  if (!c->use_parser) {
    gint simple = parse_simple (c, r);

    if (simple != 2)
      return simple;
    c->use_parser = TRUE;
  }
  for (;;) {
    gsize consumed = 0;
    HapParseResult pr = hap_http_parser_feed_response (
        c->parser, c->plain->data, c->plain->len, &consumed, &c->response, NULL);

    if (pr == HAP_PARSE_INVALID)
      return -1;
    if (consumed > 0)
      g_byte_array_remove_range (c->plain, 0, (guint) consumed);
    if (pr == HAP_PARSE_NEED_MORE)
      return 0;
    if (!c->response->is_event && c->response->status >= 200)
      break;
    g_clear_pointer (&c->response, hap_http_response_free);
  }
  r->status = c->response->status;
  r->body = g_bytes_get_data (c->response->body, &r->body_len);
  return 1;
}

#define RECEIVE_BUF 16384

/* Receives what is there (`flags` MSG_DONTWAIT) or waits for it, decrypting on a session:
 * 1 something was received (2: it filled the buffer, more may be waiting), 0 nothing yet
 * (MSG_DONTWAIT), -1 closed, failed, or a bad frame. */
static gint
conn_receive (Conn *c, int flags)
{
  guint8 buf[RECEIVE_BUF];
  ssize_t n;

  do
    n = recv (c->fd, buf, sizeof buf, flags);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && (flags & MSG_DONTWAIT))
    return 0;
  if (n <= 0)
    return -1;
  c->rx_wire += (guint64) n;
  if (c->crypto == NULL)
    g_byte_array_append (c->plain, buf, (guint) n);
  else if (hap_session_crypto_decrypt_append (c->crypto, buf, (gsize) n, c->plain, NULL)
           == HAP_PARSE_INVALID)
    return -1;
  return n == sizeof buf ? 2 : 1;
}

static gboolean
conn_read_response (Conn *c, Response *r)
{
  for (;;) {
    gint parsed = conn_parse (c, r);

    if (parsed != 0)
      return parsed > 0;
    if (conn_receive (c, 0) < 0)
      return FALSE;
  }
}

/* POST `request` to `target`; the 200 body as GBytes, or NULL. */
static GBytes *
conn_exchange (Conn *c, const char *target, GBytes *request)
{
  Response r;

  if (!conn_post (c, target, request) || !conn_read_response (c, &r) || r.status != 200)
    return NULL;
  return g_bytes_new (r.body, r.body_len);
}

static gboolean
conn_pair_verify (Conn *c, const HapControllerPairing *pairing)
{
  g_autoptr (HapPairVerifyClient) verify = hap_pair_verify_client_new (pairing);
  g_autoptr (GBytes) request = hap_pair_verify_client_start (verify);

  for (;;) {
    g_autoptr (GBytes) body = conn_exchange (c, "/pair-verify", request);
    GBytes *next = NULL;
    HapPairClientStatus status;

    if (body == NULL)
      return FALSE;
    status = hap_pair_verify_client_handle (
        verify, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &next, NULL);
    g_bytes_unref (request);
    request = next;
    if (status == HAP_PAIR_CLIENT_DONE) {
      guint8 a2c[32];
      guint8 c2a[32];

      hap_pair_verify_client_get_session_keys (verify, a2c, c2a);
      c->crypto = hap_session_crypto_new (c2a, a2c);
      sodium_memzero (a2c, sizeof a2c);
      sodium_memzero (c2a, sizeof c2a);
      return TRUE;
    }
    if (status == HAP_PAIR_CLIENT_FAILED)
      return FALSE;
  }
}

/* ---- pairing file ---- */

static void
key_file_set_hex (GKeyFile *kf, const char *key, const guint8 *data, gsize len)
{
  g_autofree gchar *hex = g_malloc (len * 2 + 1);

  sodium_bin2hex (hex, len * 2 + 1, data, len);
  g_key_file_set_string (kf, "pairing", key, hex);
  sodium_memzero (hex, len * 2 + 1);
}

static gboolean
key_file_get_hex (GKeyFile *kf, const char *key, guint8 *data, gsize len)
{
  g_autofree gchar *hex = g_key_file_get_string (kf, "pairing", key, NULL);
  size_t got = 0;
  gboolean ok = hex != NULL && sodium_hex2bin (data, len, hex, strlen (hex), NULL, &got, NULL) == 0
                && got == len;

  if (hex != NULL)
    sodium_memzero (hex, strlen (hex));
  return ok;
}

static gboolean
key_file_get_id (GKeyFile *kf, const char *key, gchar id[HAP_PAIRING_ID_MAX + 1])
{
  g_autofree gchar *value = g_key_file_get_string (kf, "pairing", key, NULL);

  if (value == NULL || value[0] == '\0' || strlen (value) > HAP_PAIRING_ID_MAX)
    return FALSE;
  strcpy (id, value);
  return TRUE;
}

static gboolean
pairing_save (const HapControllerPairing *p, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *text = NULL;
  gsize len = 0;
  gboolean ok;

  g_key_file_set_string (kf, "pairing", "controller-id", p->controller_id);
  key_file_set_hex (kf, "controller-ltpk", p->controller_ltpk, sizeof p->controller_ltpk);
  key_file_set_hex (kf, "controller-ltsk", p->controller_ltsk, sizeof p->controller_ltsk);
  g_key_file_set_string (kf, "pairing", "accessory-id", p->accessory_id);
  key_file_set_hex (kf, "accessory-ltpk", p->accessory_ltpk, sizeof p->accessory_ltpk);
  text = g_key_file_to_data (kf, &len, NULL);
  ok = g_file_set_contents_full (
      path, text, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  sodium_memzero (text, len);
  return ok;
}

static gboolean
pairing_load (HapControllerPairing *p, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();

  memset (p, 0, sizeof *p);
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return FALSE;
  if (!key_file_get_id (kf, "controller-id", p->controller_id)
      || !key_file_get_hex (kf, "controller-ltpk", p->controller_ltpk, sizeof p->controller_ltpk)
      || !key_file_get_hex (kf, "controller-ltsk", p->controller_ltsk, sizeof p->controller_ltsk)
      || !key_file_get_id (kf, "accessory-id", p->accessory_id)
      || !key_file_get_hex (kf, "accessory-ltpk", p->accessory_ltpk, sizeof p->accessory_ltpk)) {
    hap_controller_pairing_clear (p);
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
        "%s: not a complete controller pairing", path);
    return FALSE;
  }
  return TRUE;
}

/* ---- modes ---- */

static int
run_pair (const char *setup_code, const char *path)
{
  g_autofree gchar *controller_id = NULL;
  g_autoptr (HapPairSetupClient) setup = NULL;
  g_autoptr (GBytes) request = NULL;
  g_autoptr (GError) error = NULL;
  Conn *c = conn_new ();
  guint8 rnd[8];
  gchar rnd_hex[17];
  int rc = 1;

  randombytes_buf (rnd, sizeof rnd);
  sodium_bin2hex (rnd_hex, sizeof rnd_hex, rnd, sizeof rnd);
  controller_id = g_strdup_printf ("hap-load-%s", rnd_hex);
  setup = hap_pair_setup_client_new (setup_code, controller_id, NULL);
  request = hap_pair_setup_client_start (setup);
  if (!conn_open (c)) {
    fprintf (stderr, "hap-load: cannot connect to 127.0.0.1:%u\n", server_port);
    goto out;
  }
  for (;;) {
    g_autoptr (GBytes) body = conn_exchange (c, "/pair-setup", request);
    GBytes *next = NULL;
    HapPairClientStatus status;

    if (body == NULL) {
      fprintf (stderr, "hap-load: pair-setup: no 200 response\n");
      goto out;
    }
    status = hap_pair_setup_client_handle (
        setup, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &next, &error);
    g_bytes_unref (request);
    request = next;
    if (status == HAP_PAIR_CLIENT_FAILED) {
      fprintf (stderr, "hap-load: pair-setup failed: %s\n", error->message);
      goto out;
    }
    if (status == HAP_PAIR_CLIENT_DONE)
      break;
  }
  if (!pairing_save (hap_pair_setup_client_get_pairing (setup), path, &error)) {
    fprintf (stderr, "hap-load: %s\n", error->message);
    goto out;
  }
  printf ("paired: 1\n");
  rc = 0;
out:
  conn_free (c);
  return rc;
}

typedef struct {
  guint64 done;
  guint64 errors;
  gint64 latency_sum_us;
  gint64 latency_max_us;
} Tally;

static void
tally_add (Tally *t, gint64 latency_us)
{
  t->done++;
  t->latency_sum_us += latency_us;
  t->latency_max_us = MAX (t->latency_max_us, latency_us);
}

static void
tally_print (const char *what, const Tally *t, gint64 elapsed_us)
{
  printf ("duration_s: %.3f\n", (double) elapsed_us / G_USEC_PER_SEC);
  printf ("%s_count: %" G_GUINT64_FORMAT "\n", what, t->done);
  printf ("%s_errors: %" G_GUINT64_FORMAT "\n", what, t->errors);
  printf (
      "%s_per_s: %.1f\n", what, (double) t->done * G_USEC_PER_SEC / (double) MAX (elapsed_us, 1));
  printf ("%s_latency_mean_us: %.1f\n", what,
      t->done > 0 ? (double) t->latency_sum_us / (double) t->done : 0);
  printf ("%s_latency_max_us: %" G_GINT64_FORMAT "\n", what, t->latency_max_us);
}

/* pair-verify: one thread per connection (the handshake is crypto-bound: threads cost nothing
 * next to it). */
typedef struct {
  const HapControllerPairing *pairing;
  gint *ready; /* threads started */
  gint *go;    /* measured window open */
  gint *stop;  /* measured window closed */
  Tally tally;
} VerifyWorker;

static gpointer
verify_worker (gpointer data)
{
  VerifyWorker *w = data;
  Conn *c = conn_new ();

  g_atomic_int_inc (w->ready);
  while (!g_atomic_int_get (w->go))
    g_usleep (100);
  while (!g_atomic_int_get (w->stop)) {
    gint64 t0 = g_get_monotonic_time ();
    gboolean ok = conn_open (c) && conn_pair_verify (c, w->pairing);

    if (!g_atomic_int_get (w->stop)) {
      if (ok)
        tally_add (&w->tally, g_get_monotonic_time () - t0);
      else
        w->tally.errors++;
    }
    conn_close (c, TRUE);
  }
  conn_free (c);
  return NULL;
}

static int
run_verify (const HapControllerPairing *pairing, guint n, guint duration_s)
{
  VerifyWorker *workers = g_new0 (VerifyWorker, n);
  GThread **threads = g_new0 (GThread *, n);
  gint ready = 0, go = 0, stop = 0;
  gint64 t_start, t_end;
  Tally total = { 0 };
  guint i;

  for (i = 0; i < n; i++) {
    workers[i].pairing = pairing;
    workers[i].ready = &ready;
    workers[i].go = &go;
    workers[i].stop = &stop;
    threads[i] = g_thread_new ("hap-load", verify_worker, &workers[i]);
  }
  while ((guint) g_atomic_int_get (&ready) < n)
    g_usleep (1000);
  t_start = g_get_monotonic_time ();
  g_atomic_int_set (&go, 1);
  g_usleep ((gulong) duration_s * G_USEC_PER_SEC);
  g_atomic_int_set (&stop, 1);
  t_end = g_get_monotonic_time ();
  for (i = 0; i < n; i++) {
    g_thread_join (threads[i]);
    total.done += workers[i].tally.done;
    total.errors += workers[i].tally.errors;
    total.latency_sum_us += workers[i].tally.latency_sum_us;
    total.latency_max_us = MAX (total.latency_max_us, workers[i].tally.latency_max_us);
  }
  printf ("mode: verify\nconnections: %u\n", n);
  tally_print ("verify", &total, t_end - t_start);
  g_free (threads);
  g_free (workers);
  return total.done == 0 ? 1 : 0;
}

/* GET and raw: one thread drives all N connections with epoll, each with `depth` requests in
 * flight, so the client pays no thread switch per request. */
typedef struct {
  const HapControllerPairing *pairing; /* NULL: raw mode */
  const char *target;
  gsize raw_request;
  gsize raw_response;
  guint n;
  guint duration_s;
  guint depth;
} GetParams;

typedef struct {
  Conn *conn;
  gint64 *sent_us; /* ring of `depth` send times, the oldest request's at `head` */
  guint head;
  guint in_flight;
} GetConn;

/* Sends `count` requests in one write (each in its own session frame), noting when. */
static gboolean
get_send (GetConn *g, guint depth, const GByteArray *msg, guint count)
{
  Conn *c = g->conn;
  gint64 now = g_get_monotonic_time ();
  guint i;

  g_byte_array_set_size (c->out, 0);
  for (i = 0; i < count; i++) {
    if (c->crypto == NULL)
      g_byte_array_append (c->out, msg->data, msg->len);
    else if (!hap_session_crypto_encrypt_append (c->crypto, msg->data, msg->len, c->out))
      return FALSE;
    g->sent_us[(g->head + g->in_flight) % depth] = now;
    g->in_flight++;
  }
  return send_all (c, c->out->data, c->out->len);
}

static gboolean
get_open (GetConn *g, const GetParams *p)
{
  Conn *c = g->conn;

  if (!conn_open (c))
    return FALSE;
  if (p->pairing == NULL) {
    c->raw_response = p->raw_response;
    return TRUE;
  }
  return conn_pair_verify (c, p->pairing);
}

static int
run_get (const GetParams *p)
{
  GetConn *conns = g_new0 (GetConn, p->n);
  g_autoptr (GByteArray) msg = g_byte_array_new ();
  const gchar *headers[] = { "Host", "127.0.0.1", NULL };
  Tally tally = { 0 };
  guint alive = 0, failed = 0, i;
  guint64 requests = 0, responses = 0, tx_wire = 0, rx_wire = 0;
  gint64 t_start, t_end, deadline;
  int ep = epoll_create1 (EPOLL_CLOEXEC);

  if (p->pairing != NULL) {
    hap_http_write_request (msg, "GET", p->target, headers, NULL, 0);
  } else {
    g_byte_array_set_size (msg, (guint) p->raw_request);
    memset (msg->data, 'q', msg->len);
  }
  for (i = 0; i < p->n; i++) {
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

    conns[i].conn = conn_new ();
    conns[i].sent_us = g_new0 (gint64, p->depth);
    if (!get_open (&conns[i], p)) {
      conn_close (conns[i].conn, FALSE);
      failed++;
      continue;
    }
    conns[i].conn->rx_wire = conns[i].conn->tx_wire = 0; /* the requests' bytes only */
    epoll_ctl (ep, EPOLL_CTL_ADD, conns[i].conn->fd, &ev);
  }
  t_start = g_get_monotonic_time ();
  deadline = t_start + (gint64) p->duration_s * G_USEC_PER_SEC;
  for (i = 0; i < p->n; i++) {
    if (conns[i].conn->fd < 0)
      continue;
    if (get_send (&conns[i], p->depth, msg, p->depth))
      alive++;
    else
      conn_close (conns[i].conn, FALSE);
  }
  while (alive > 0) {
    struct epoll_event events[MAX_CONNECTIONS];
    gint64 now = g_get_monotonic_time ();
    int k, ready;

    if (now >= deadline)
      break;
    ready = epoll_wait (ep, events, G_N_ELEMENTS (events), (int) ((deadline - now) / 1000) + 1);
    for (k = 0; k < ready; k++) {
      GetConn *g = &conns[events[k].data.u32];
      Conn *c = g->conn;
      guint answered = 0;
      gint got;

      if (c->fd < 0)
        continue;
      /* Until a short read: the socket is then empty, and a receive only to hear EAGAIN
       * would be client work that the server's figure does not need. */
      while ((got = conn_receive (c, MSG_DONTWAIT)) == 2)
        ;
      for (;;) {
        Response r;
        gint parsed = conn_parse (c, &r);

        if (parsed == 0)
          break;
        if (parsed < 0 || r.status != 200 || r.body_len == 0 || g->in_flight == 0) {
          got = -1; /* counted below */
          break;
        }
        now = g_get_monotonic_time ();
        if (now < deadline)
          tally_add (&tally, now - g->sent_us[g->head]);
        g->head = (g->head + 1) % p->depth;
        g->in_flight--;
        answered++;
        responses++;
      }
      if (got >= 0 && answered > 0 && !get_send (g, p->depth, msg, answered))
        got = -1;
      if (got < 0) {
        if (g_get_monotonic_time () < deadline)
          tally.errors++;
        conn_close (c, FALSE);
        alive--;
      }
    }
  }
  t_end = g_get_monotonic_time ();
  for (i = 0; i < p->n; i++) {
    requests += conns[i].in_flight;
    tx_wire += conns[i].conn->tx_wire;
    rx_wire += conns[i].conn->rx_wire;
  }
  requests += responses;
  printf ("mode: %s\nconnections: %u\npipeline: %u\n", p->pairing != NULL ? "get" : "raw", p->n,
      p->depth);
  if (p->pairing != NULL)
    printf ("target: %s\n", p->target);
  printf ("connections_failed: %u\n", failed);
  tally_print ("get", &tally, t_end - t_start);
  /* Every request is the same bytes; responses to one target are too, and the few bytes of
   * the ones still in flight at the end vanish in the mean. */
  printf ("get_request_wire_bytes: %.1f\n", requests > 0 ? (double) tx_wire / requests : 0.0);
  printf ("get_response_wire_bytes: %.1f\n", responses > 0 ? (double) rx_wire / responses : 0.0);
  for (i = 0; i < p->n; i++) {
    conn_free (conns[i].conn);
    g_free (conns[i].sent_us);
  }
  close (ep);
  g_free (conns);
  return tally.done == 0 ? 1 : 0;
}

static int
run_hold (const HapControllerPairing *pairing, guint duration_s, const char *target)
{
  Conn *c = conn_new ();
  g_autoptr (GByteArray) msg = g_byte_array_new ();
  const gchar *headers[] = { "Host", "127.0.0.1", NULL };
  Response r;
  int rc = 1;

  hap_http_write_request (msg, "GET", target, headers, NULL, 0);
  if (conn_open (c) && conn_pair_verify (c, pairing) && conn_send (c, msg->data, msg->len)
      && conn_read_response (c, &r) && r.status == 200) {
    printf ("held: 1\n");
    fflush (stdout);
    g_usleep ((gulong) duration_s * G_USEC_PER_SEC);
    rc = 0;
  } else {
    fprintf (stderr, "hap-load: hold: no verified connection\n");
  }
  conn_free (c);
  return rc;
}

static gboolean
parse_address (const char *text)
{
  const char *port;
  guint64 value;

  if (!g_str_has_prefix (text, "127.0.0.1:"))
    return FALSE;
  port = text + strlen ("127.0.0.1:");
  if (!g_ascii_string_to_unsigned (port, 10, 1, 65535, &value, NULL))
    return FALSE;
  server_port = (guint16) value;
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *pairing_path = NULL;
  g_autofree gchar *setup_code = NULL;
  g_autofree gchar *target = NULL;
  gint connections = 1;
  gint duration_s = 5;
  gint pipeline = 1;
  gint request_bytes = 0;
  gint response_bytes = 0;
  GOptionEntry entries[] = {
    { "pairing", 'p', 0, G_OPTION_ARG_FILENAME, &pairing_path, "Controller pairing file", "FILE" },
    { "setup-code", 0, 0, G_OPTION_ARG_STRING, &setup_code, "Setup code (pair)", "XXX-XX-XXX" },
    { "connections", 'c', 0, G_OPTION_ARG_INT, &connections, "Concurrent connections (1)", "N" },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &duration_s, "Seconds to measure (5)", "S" },
    { "path", 0, 0, G_OPTION_ARG_STRING, &target, "GET target (/characteristics?id=1.10)",
        "TARGET" },
    { "pipeline", 0, 0, G_OPTION_ARG_INT, &pipeline, "Requests in flight per connection (1)", "K" },
    { "request-bytes", 0, 0, G_OPTION_ARG_INT, &request_bytes, "raw: bytes of a request", "A" },
    { "response-bytes", 0, 0, G_OPTION_ARG_INT, &response_bytes, "raw: bytes of a response", "B" },
    { NULL },
  };
  g_autoptr (GOptionContext) options
      = g_option_context_new ("pair|verify|get|raw|hold 127.0.0.1:PORT - HAP load client");
  g_autoptr (GError) error = NULL;
  HapControllerPairing pairing;
  GetParams get = { 0 };
  const char *mode;
  int rc;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    fprintf (stderr, "hap-load: %s\n", error->message);
    return 2;
  }
  mode = argc == 3 ? argv[1] : "";
  if (argc != 3 || (pairing_path == NULL && !g_str_equal (mode, "raw")) || connections < 1
      || connections > MAX_CONNECTIONS || duration_s < 1 || duration_s > MAX_DURATION_S
      || pipeline < 1 || pipeline > MAX_PIPELINE
      || (g_str_equal (mode, "raw")
          && (request_bytes < 1 || request_bytes > MAX_RAW_BYTES || response_bytes < 1
              || response_bytes > MAX_RAW_BYTES))) {
    fprintf (stderr,
        "usage: hap-load pair|verify|get|hold --pairing FILE [-c 1..%d] [-d 1..%d] "
        "[--pipeline 1..%d] 127.0.0.1:PORT\n"
        "       hap-load raw --request-bytes 1..%d --response-bytes 1..%d [-c] [-d] "
        "[--pipeline] 127.0.0.1:PORT\n",
        MAX_CONNECTIONS, MAX_DURATION_S, MAX_PIPELINE, MAX_RAW_BYTES, MAX_RAW_BYTES);
    return 2;
  }
  if (!parse_address (argv[2])) {
    fprintf (stderr, "hap-load: only 127.0.0.1:PORT is allowed, not %s\n", argv[2]);
    return 2;
  }
  if (sodium_init () < 0)
    return 1;
  if (target == NULL)
    target = g_strdup ("/characteristics?id=1.10");
  get.target = target;
  get.n = (guint) connections;
  get.duration_s = (guint) duration_s;
  get.depth = (guint) pipeline;
  get.raw_request = (gsize) request_bytes;
  get.raw_response = (gsize) response_bytes;
  if (g_str_equal (mode, "raw"))
    return run_get (&get);
  if (g_str_equal (mode, "pair")) {
    if (setup_code == NULL) {
      fprintf (stderr, "hap-load: pair needs --setup-code\n");
      return 2;
    }
    return run_pair (setup_code, pairing_path);
  }
  if (!pairing_load (&pairing, pairing_path, &error)) {
    fprintf (stderr, "hap-load: %s\n", error->message);
    return 1;
  }
  if (g_str_equal (mode, "verify"))
    rc = run_verify (&pairing, (guint) connections, (guint) duration_s);
  else if (g_str_equal (mode, "get")) {
    get.pairing = &pairing;
    rc = run_get (&get);
  } else if (g_str_equal (mode, "hold"))
    rc = run_hold (&pairing, (guint) duration_s, target);
  else {
    fprintf (stderr, "hap-load: unknown mode %s\n", mode);
    rc = 2;
  }
  hap_controller_pairing_clear (&pairing);
  return rc;
}

/* loopback-server: the bare request/response baseline of tests/bench/bench-hap-server.sh.
 *
 *   loopback-server --request-bytes A --response-bytes B
 *
 * The least a request/response server can do over TCP on this machine: one epoll thread, and
 * per readable connection one recv() and, for the whole requests it completed (every A bytes
 * received, no parsing, no crypto), one send() of B bytes each. With one request in flight per
 * connection that is one read and one write per request, the floor of any server that answers
 * requests one read and one write at a time. Driven by `hap-load raw` with A and B set to the
 * wire sizes of an encrypted GET /characteristics request and response, its rate is the
 * ceiling for libhap's GET figure on the same cores.
 *
 * Listens on 127.0.0.1 (a free port, printed as `PORT <n>`), sets TCP_NODELAY on each
 * connection as hap-load does, and ends when stdin closes or on SIGTERM.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 64
#define MAX_FD 1024
#define MAX_MESSAGE 65536
#define READ_BUF 65536
#define MAX_BATCH 64 /* whole requests answered per read: bounds the response buffer */

static size_t carry[MAX_FD]; /* bytes of an incomplete request, per fd */

static long
parse_size (const char *text)
{
  char *end = NULL;
  long v = strtol (text, &end, 10);

  return end != text && *end == '\0' && v > 0 && v <= MAX_MESSAGE ? v : -1;
}

static int
listen_loopback (void)
{
  struct sockaddr_in sa = { 0 };
  socklen_t len = sizeof sa;
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  if (fd < 0)
    return -1;
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) != 0 || listen (fd, 64) != 0
      || getsockname (fd, (struct sockaddr *) &sa, &len) != 0) {
    close (fd);
    return -1;
  }
  printf ("PORT %u\n", ntohs (sa.sin_port));
  fflush (stdout);
  return fd;
}

static void
drop (int ep, int fd)
{
  epoll_ctl (ep, EPOLL_CTL_DEL, fd, NULL);
  close (fd);
}

static void
on_accept (int ep, int listener)
{
  for (;;) {
    int one = 1;
    int fd = accept4 (listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    struct epoll_event ev = { .events = EPOLLIN };

    if (fd < 0)
      return;
    if (fd >= MAX_FD) {
      close (fd);
      continue;
    }
    setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    carry[fd] = 0;
    ev.data.fd = fd;
    epoll_ctl (ep, EPOLL_CTL_ADD, fd, &ev);
  }
}

/* One recv; one send for the requests it completed. */
static void
on_readable (int ep, int fd, size_t request_bytes, const char *responses, size_t response_bytes)
{
  static char buf[READ_BUF];
  ssize_t n = recv (fd, buf, sizeof buf, 0);
  size_t whole, len, off = 0;

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0) {
    drop (ep, fd);
    return;
  }
  carry[fd] += (size_t) n;
  whole = carry[fd] / request_bytes;
  carry[fd] %= request_bytes;
  while (whole > 0) {
    size_t batch = whole < MAX_BATCH ? whole : MAX_BATCH;

    len = batch * response_bytes;
    while (off < len) {
      ssize_t w = send (fd, responses + off, len - off, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0) {
        /* A baseline does not queue: a peer that does not read is dropped. */
        drop (ep, fd);
        return;
      }
      off += (size_t) w;
    }
    off = 0;
    whole -= batch;
  }
}

int
main (int argc, char **argv)
{
  long request_bytes = -1, response_bytes = -1;
  struct epoll_event ev = { .events = EPOLLIN };
  char *responses;
  int ep, listener, i;

  for (i = 1; i + 1 < argc; i += 2) {
    if (strcmp (argv[i], "--request-bytes") == 0)
      request_bytes = parse_size (argv[i + 1]);
    else if (strcmp (argv[i], "--response-bytes") == 0)
      response_bytes = parse_size (argv[i + 1]);
    else
      break;
  }
  if (i != argc || request_bytes < 0 || response_bytes < 0) {
    fprintf (stderr, "usage: loopback-server --request-bytes 1..%d --response-bytes 1..%d\n",
        MAX_MESSAGE, MAX_MESSAGE);
    return 2;
  }
  responses = malloc ((size_t) response_bytes * MAX_BATCH);
  if (responses == NULL)
    return 1;
  memset (responses, 'r', (size_t) response_bytes * MAX_BATCH);
  listener = listen_loopback ();
  ep = epoll_create1 (EPOLL_CLOEXEC);
  if (listener < 0 || ep < 0) {
    perror ("loopback-server");
    return 1;
  }
  ev.data.fd = listener;
  epoll_ctl (ep, EPOLL_CTL_ADD, listener, &ev);
  ev.data.fd = 0;
  epoll_ctl (ep, EPOLL_CTL_ADD, 0, &ev); /* stdin: its end stops the server */
  for (;;) {
    struct epoll_event events[MAX_EVENTS];
    int k, ready = epoll_wait (ep, events, MAX_EVENTS, -1);

    if (ready < 0 && errno == EINTR)
      continue;
    if (ready < 0)
      break;
    for (k = 0; k < ready; k++) {
      int fd = events[k].data.fd;

      if (fd == 0) {
        char b[256];
        if (read (0, b, sizeof b) <= 0)
          goto out;
      } else if (fd == listener) {
        on_accept (ep, listener);
      } else {
        on_readable (ep, fd, (size_t) request_bytes, responses, (size_t) response_bytes);
      }
    }
  }
out:
  free (responses);
  close (ep);
  close (listener);
  return 0;
}

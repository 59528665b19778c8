/* Unit tests for hap/hds-client.c (the hub side of an HDS connection) over a socketpair: the
 * test writes the accessory's frames with its own hap/hds-frame.h codec (keys swapped) and reads
 * what the client sent. Expected values: the message flow of PROTOCOL.md sections 4-5 (hello
 * first, open/data/ack/close) and, for the misbehaving peer, that every bad byte is a
 * HAP_CLIENT_ERROR that spends the connection and that every wait ends at its timeout. */
#include <string.h>
#include <sys/socket.h>

#include "hap/hds-client.h"
#include "hap/hds-frame.h"
#include "tests/common/test-util.h"

typedef struct {
  GSocket *mine; /* the accessory's end */
  HapHdsClient *client;
  HapHdsFrameCodec *codec; /* the accessory's */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  int fds[2];
  guint8 a2c[32], c2a[32];
  g_autoptr (GSocket) theirs = NULL;

  memset (a2c, 0x11, sizeof a2c);
  memset (c2a, 0x22, sizeof c2a);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  f->mine = g_socket_new_from_fd (fds[0], NULL);
  theirs = g_socket_new_from_fd (fds[1], NULL);
  f->client = hap_hds_client_new_for_socket (theirs, a2c, c2a, 2000);
  f->codec = hap_hds_frame_codec_new (a2c, c2a);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  hap_hds_client_free (f->client);
  hap_hds_frame_codec_free (f->codec);
  g_clear_object (&f->mine);
}

static void
send_raw (Fixture *f, const void *data, gsize len)
{
  g_assert_cmpint (g_socket_send (f->mine, data, len, NULL, NULL), ==, (gssize) len);
}

static void
send_payload (Fixture *f, GBytes *payload)
{
  g_autoptr (GByteArray) frame = g_byte_array_new ();

  g_assert_true (hap_hds_frame_encode_append (
      f->codec, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), frame));
  send_raw (f, frame->data, frame->len);
}

/* Reads one frame the client sent and decodes it. */
static void
receive_message (Fixture *f, HapHdsHeader *header, HapHdsValue **message)
{
  for (;;) {
    guint8 buf[4096];
    gssize n = g_socket_receive (f->mine, (gchar *) buf, sizeof buf, NULL, NULL);
    gsize off = 0;

    g_assert_cmpint (n, >, 0);
    while (off < (gsize) n) {
      const guint8 *payload;
      gsize payload_len, consumed;
      g_autoptr (HapHdsValue) h = NULL;
      HapParseResult r = hap_hds_frame_decode (
          f->codec, buf + off, (gsize) n - off, &consumed, &payload, &payload_len, NULL);
      off += consumed;
      g_assert_cmpint (r, !=, HAP_PARSE_INVALID);
      if (r == HAP_PARSE_OK) {
        g_autoptr (GBytes) bytes = g_bytes_new (payload, payload_len);
        g_assert_true (hap_hds_message_decode (bytes, &h, message, NULL));
        g_assert_true (hap_hds_header_parse (h, header, NULL));
        g_assert_cmpuint (off, ==, (gsize) n); /* one frame per test step */
        return;
      }
    }
  }
}

static void
test_hello (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) response = hap_hds_hello_response_encode (1, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (HapHdsValue) body = NULL;
  HapHdsHeader header = { 0 };

  send_payload (f, response);
  g_assert_true (hap_hds_client_hello (f->client, &error));
  g_assert_no_error (error);
  receive_message (f, &header, &body);
  g_assert_true (hap_hds_header_matches (
      &header, HAP_HDS_KIND_REQUEST, HAP_HDS_PROTOCOL_CONTROL, HAP_HDS_TOPIC_HELLO));
  g_assert_cmpint (header.id, ==, 1);
  g_assert_cmpuint (hap_hds_value_get_length (body), ==, 0);
  hap_hds_header_clear (&header);
}

static void
test_hello_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) response = hap_hds_hello_response_encode (1, HAP_HDS_STATUS_HEADER_ERROR);
  g_autoptr (GError) error = NULL;

  send_payload (f, response);
  g_assert_false (hap_hds_client_hello (f->client, &error));
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_STATUS);
  g_assert_nonnull (strstr (error->message, "status 3 (header error)"));
}

static void
test_hello_not_first (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) event = hap_hds_message_encode_event ("dataSend", "close", NULL);
  g_autoptr (GError) error = NULL;
  HapHdsIncoming in;

  send_payload (f, event);
  g_assert_false (hap_hds_client_hello (f->client, &error));
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "not the response to control/hello"));
  /* Spent: every later call fails the same way. */
  g_clear_error (&error);
  g_assert_false (hap_hds_client_receive (f->client, 10, &in, &error));
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL);
}

static void
test_recording_flow (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HapHdsValue) open
      = hap_hds_data_send_open_build ("controller", "ipcamera.recording", 7, "motion");
  g_autoptr (HapHdsValue) ack = hap_hds_data_send_ack_build (7, TRUE);
  g_autoptr (HapHdsValue) body = NULL;
  g_autoptr (GBytes) chunk1 = g_bytes_new_static ("init", 4);
  g_autoptr (GBytes) chunk2 = g_bytes_new_static ("moof+mdat", 9);
  HapHdsDataSendPacket packets[2] = {
    { chunk1, HAP_HDS_DATA_TYPE_MEDIA_INITIALIZATION, 1, 1, TRUE, -1 },
    { chunk2, HAP_HDS_DATA_TYPE_MEDIA_FRAGMENT, 2, 1, TRUE, 9 },
  };
  g_autoptr (HapHdsValue) data_body = hap_hds_data_send_data_build (7, packets, 2, TRUE);
  g_autoptr (GBytes) data_event = hap_hds_message_encode_event ("dataSend", "data", data_body);
  g_autoptr (GBytes) response = NULL;
  HapHdsDataSendOpen parsed_open = { 0 };
  HapHdsDataSendData parsed = { 0 };
  HapHdsHeader header = { 0 };
  HapHdsIncoming in = { 0 };
  gint64 id, stream_id;
  gboolean eos;

  g_assert_true (hap_hds_client_send_request (f->client, "dataSend", "open", open, &id, &error));
  g_assert_cmpint (id, ==, 1);
  receive_message (f, &header, &body);
  g_assert_true (hap_hds_header_matches (&header, HAP_HDS_KIND_REQUEST, "dataSend", "open"));
  g_assert_true (hap_hds_data_send_open_parse (body, &parsed_open, NULL));
  g_assert_cmpstr (parsed_open.target, ==, "controller");
  g_assert_cmpint (parsed_open.stream_id, ==, 7);
  hap_hds_data_send_open_clear (&parsed_open);
  hap_hds_header_clear (&header);
  g_clear_pointer (&body, hap_hds_value_unref);

  response = hap_hds_data_send_open_response_encode (id, HAP_HDS_DATA_SEND_NORMAL);
  send_payload (f, response);
  send_payload (f, data_event);
  g_assert_true (hap_hds_client_receive (f->client, 1000, &in, &error));
  g_assert_true (hap_hds_header_matches (&in.header, HAP_HDS_KIND_RESPONSE, "dataSend", "open"));
  g_assert_cmpint (in.header.id, ==, 1);
  g_assert_cmpint (in.header.status, ==, 0);
  g_assert_cmpuint (in.frame_size, ==, g_bytes_get_size (response) + HAP_HDS_FRAME_OVERHEAD);
  g_assert_cmpint (in.arrival_us, >, 0);
  hap_hds_incoming_clear (&in);
  g_assert_true (hap_hds_client_receive (f->client, 1000, &in, &error));
  g_assert_true (hap_hds_header_matches (&in.header, HAP_HDS_KIND_EVENT, "dataSend", "data"));
  g_assert_true (hap_hds_data_send_data_parse (in.message, &parsed, &error));
  g_assert_cmpuint (parsed.packets->len, ==, 2);
  g_assert_true (parsed.end_of_stream);
  g_assert_true (
      g_bytes_equal (g_array_index (parsed.packets, HapHdsDataSendPacket, 1).data, chunk2));
  hap_hds_data_send_data_clear (&parsed);
  hap_hds_incoming_clear (&in);
  g_assert_cmpuint (hap_hds_client_get_bytes_received (f->client), ==,
      g_bytes_get_size (response) + g_bytes_get_size (data_event) + 2 * HAP_HDS_FRAME_OVERHEAD);

  g_assert_true (hap_hds_client_send_event (f->client, "dataSend", "ack", ack, &error));
  receive_message (f, &header, &body);
  g_assert_true (hap_hds_header_matches (&header, HAP_HDS_KIND_EVENT, "dataSend", "ack"));
  g_assert_true (hap_hds_data_send_ack_parse (body, &stream_id, &eos, NULL));
  g_assert_cmpint (stream_id, ==, 7);
  g_assert_true (eos);
  hap_hds_header_clear (&header);
}

static void
test_pump_and_take (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) a = hap_hds_message_encode_event ("dataSend", "close", NULL);
  g_autoptr (GBytes) b = hap_hds_message_encode_event ("dataSend", "ack", NULL);
  g_autoptr (GError) error = NULL;
  HapHdsIncoming in;

  g_assert_false (hap_hds_client_take (f->client, &in));
  send_payload (f, a);
  send_payload (f, b);
  g_assert_true (hap_hds_client_pump (f->client, &error));
  g_assert_true (hap_hds_client_take (f->client, &in));
  g_assert_cmpstr (in.header.topic, ==, "close");
  hap_hds_incoming_clear (&in);
  g_assert_true (hap_hds_client_take (f->client, &in));
  g_assert_cmpstr (in.header.topic, ==, "ack");
  hap_hds_incoming_clear (&in);
  g_assert_false (hap_hds_client_take (f->client, &in));
  /* Nothing more: pumping is not an error. */
  g_assert_true (hap_hds_client_pump (f->client, &error));
}

static void
test_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) late = hap_hds_message_encode_event ("dataSend", "close", NULL);
  HapHdsIncoming in;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (hap_hds_client_receive (f->client, 150, &in, &error));
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 140 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  /* A timeout does not spend the connection. */
  g_clear_error (&error);
  send_payload (f, late);
  g_assert_true (hap_hds_client_receive (f->client, 1000, &in, &error));
  hap_hds_incoming_clear (&in);
}

static void
test_half_frame_times_out (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  static const guint8 half[] = { 0x01, 0x00, 0x00, 0x10, 1, 2, 3 };
  HapHdsIncoming in;

  send_raw (f, half, sizeof half);
  g_assert_false (hap_hds_client_receive (f->client, 100, &in, &error));
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_TIMEOUT);
}

static void
test_closed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  HapHdsIncoming in;

  g_socket_close (f->mine, NULL);
  g_assert_false (hap_hds_client_receive (f->client, 1000, &in, &error));
  g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_CLOSED);
  g_assert_true (g_str_has_prefix (error->message, "HDS: "));
}

typedef enum { RAW, PAYLOAD } Form;

static const struct {
  const gchar *name;
  Form form;
  const gchar *hex;
  const gchar *message;
} invalid[] = {
  { "bad tag", RAW, "01 00 00 04 00000000 00000000000000000000000000000000",
      "does not authenticate" },
  { "unknown frame type", RAW, "02 00 00 04 00000000", "is malformed" },
  { "length over 0xFFFFF", RAW, "01 10 00 00", "is malformed" },
  { "empty payload", PAYLOAD, "", "does not decode" },
  { "header length past the end", PAYLOAD, "05 e0", "does not decode" },
  { "header not a dictionary", PAYLOAD, "01 08 e0", "does not decode" },
  { "header without protocol", PAYLOAD, "09 e1 45 'event' 41 'x' e0", "header is malformed" },
  { "message not a dictionary", PAYLOAD, "14 e2 48 'protocol' 41 'x' 45 'event' 41 'y' 08",
      "does not decode" },
};

static void
test_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    Fixture f;
    g_autoptr (GBytes) bytes = hap_test_hex (invalid[i].hex);
    g_autoptr (GError) error = NULL;
    HapHdsIncoming in;

    g_test_message ("%s", invalid[i].name);
    fixture_setup (&f, NULL);
    if (invalid[i].form == RAW)
      send_raw (&f, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    else
      send_payload (&f, bytes);
    g_assert_false (hap_hds_client_receive (f.client, 1000, &in, &error));
    g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL);
    if (strstr (error->message, invalid[i].message) == NULL)
      g_error ("\"%s\" lacks \"%s\"", error->message, invalid[i].message);
    g_clear_error (&error);
    g_assert_false (hap_hds_client_pump (f.client, &error));
    g_assert_error (error, HAP_CLIENT_ERROR, HAP_CLIENT_ERROR_PROTOCOL);
    fixture_teardown (&f, NULL);
  }
}

static void
test_names (void)
{
  g_assert_cmpstr (hap_hds_status_to_string (6), ==, "protocol-specific error");
  g_assert_cmpstr (hap_hds_status_to_string (7), ==, "unknown status");
  g_assert_cmpstr (hap_hds_status_to_string (-1), ==, "unknown status");
  g_assert_cmpstr (hap_hds_data_send_reason_to_string (2), ==, "busy");
  g_assert_cmpstr (hap_hds_data_send_reason_to_string (9), ==, "invalid configuration");
  g_assert_cmpstr (hap_hds_data_send_reason_to_string (10), ==, "unknown reason");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add ("/hds-client/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("hello", test_hello);
  ADD ("hello-refused", test_hello_refused);
  ADD ("hello-not-first", test_hello_not_first);
  ADD ("recording-flow", test_recording_flow);
  ADD ("pump-and-take", test_pump_and_take);
  ADD ("timeout", test_timeout);
  ADD ("half-frame-times-out", test_half_frame_times_out);
  ADD ("closed", test_closed);
#undef ADD
  g_test_add_func ("/hds-client/invalid", test_invalid);
  g_test_add_func ("/hds-client/names", test_names);
  return g_test_run ();
}

/* libFuzzer target for hap/characteristics-request.c against the fixed camera-like test
 * database (tests/common/test-camera-db.h). The first byte selects the request:
 *   0: PUT /characteristics body     1: GET /characteristics query
 *   2: PUT /prepare body, then a PUT with pid 1 of the same bytes
 * Every answer must be a known HTTP status; 200/207 bodies must be valid JSON objects; 400
 * must carry {"status":-70410}; 204 has no body. Events queued by writes must be valid JSON. */
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hap/accessory-db.h"
#include "tests/common/test-camera-db.h"
#include "tests/fuzz/fuzz-target.h"

static void
check_json_object (GBytes *body)
{
  gsize len = 0;
  const gchar *text = g_bytes_get_data (body, &len);
  JsonParser *parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, (gssize) len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    abort ();
  g_object_unref (parser);
}

static void
check_answer (guint status, GBytes *body)
{
  switch (status) {
    case 204:
      if (body != NULL)
        abort ();
      return;
    case 200:
    case 207:
      if (body == NULL)
        abort ();
      check_json_object (body);
      break;
    case 400:
      if (body == NULL || g_bytes_get_size (body) != strlen ("{\"status\":-70410}"))
        abort ();
      break;
    default:
      abort ();
  }
  g_bytes_unref (body);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  TestCameraDb t;
  HapDbSession *writer, *listener;
  GBytes *body = NULL;
  guint status;

  if (size < 1)
    return 0;
  test_camera_db_init (&t);
  writer = hap_db_session_new (t.db, "writer", data[0] & 0x80);
  listener = hap_db_session_new (t.db, "listener", TRUE);
  for (guint iid = 2; iid < G_N_ELEMENTS (t.chars); iid++)
    if (t.chars[iid] && (hap_characteristic_get_def (t.chars[iid])->perms & HAP_PERM_EV)) {
      static const gchar sub_fmt[] = "{\"characteristics\":[{\"aid\":1,\"iid\":%u,\"ev\":true}]}";
      g_autofree gchar *sub = g_strdup_printf (sub_fmt, iid);
      check_answer (hap_db_handle_put_characteristics (
                        t.db, listener, (const guint8 *) sub, strlen (sub), 0, &body),
          body);
      body = NULL;
    }

  switch (data[0] & 0x3) {
    case 0:
      status = hap_db_handle_put_characteristics (t.db, writer, data + 1, size - 1, 0, &body);
      check_answer (status, body);
      break;
    case 1: {
      gchar *query = g_strndup ((const gchar *) data + 1, size - 1);
      status = hap_db_handle_get_characteristics (t.db, writer, query, &body);
      check_answer (status, body);
      g_free (query);
      break;
    }
    default: {
      static const gchar timed[]
          = "{\"characteristics\":[{\"aid\":1,\"iid\":14,\"value\":true}],\"pid\":1}";
      status = hap_db_handle_prepare (t.db, writer, data + 1, size - 1, 0, &body);
      check_answer (status, body);
      body = NULL;
      status = hap_db_handle_put_characteristics (
          t.db, writer, (const guint8 *) timed, strlen (timed), 1, &body);
      check_answer (status, body);
      break;
    }
  }
  body = hap_db_session_take_event_body (listener);
  if (body)
    check_json_object (body);
  g_clear_pointer (&body, g_bytes_unref);
  if (hap_db_session_take_event_body (writer) != NULL)
    abort (); /* the writer never hears of its own writes */
  hap_db_session_free (writer);
  hap_db_session_free (listener);
  test_camera_db_clear (&t);
  return 0;
}

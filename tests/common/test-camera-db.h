/* A camera-like accessory database for the tests and the fuzz target of the database modules
 * (included by tests/unit/test-accessory-db.c, test-characteristics-request.c and
 * tests/fuzz/fuzz-characteristics.c). Services and permissions follow the HKSV spec summary
 * (shared/reference/hksv-spec sections 2-3), PROTOCOL.md section 2 and HAP-NodeJS's camera
 * example; a Lightbulb with On/Brightness and a few test-only characteristics cover the
 * generic paths.
 *
 * Instance ids (assigned in order, see hap/accessory-db.h):
 *   aid 1
 *   1  AccessoryInformation   2 Identify (pw)  3 Manufacturer  4 Model  5 Name
 *                             6 SerialNumber  7 FirmwareRevision
 *   8  ProtocolInformation    9 Version "1.1.0"
 *   10 CameraRTPStreamManagement (primary)   11 Active
 *   12 CameraOperatingMode    13 EventSnapshotsActive (tw)  14 HomeKitCameraActive (tw)
 *                             15 PeriodicSnapshotsActive (tw)
 *   16 CameraEventRecordingManagement (linked: 10)  17 Active  18 SupportedCameraRecording
 *      19 SupportedVideoRecording  20 SupportedAudioRecording  21 SelectedCameraRecording
 *      22 RecordingAudioActive (tw)
 *   23 DataStreamManagement   24 SupportedDataStreamTransportConfiguration
 *                             25 SetupDataStreamTransport (pr pw wr)  26 Version "1.0"
 *   27 MotionSensor           28 MotionDetected  29 StatusActive
 *   30 Doorbell               31 ProgrammableSwitchEvent (pr ev, button)
 *   32 Microphone             33 Mute
 *   34 Lightbulb (hidden)     35 On  36 Brightness (int 0..100 step 1)
 *                             37 admin-only uint8 (valid values 0,1,3)
 *                             38 dynamic float (read callback)  39 write-only data
 */
#pragma once

#include <string.h>

#include "hap/accessory-db.h"

#define PR HAP_PERM_PR
#define PW HAP_PERM_PW
#define EV HAP_PERM_EV
#define TW HAP_PERM_TW
#define WR HAP_PERM_WR

static const HapCharacteristicDef tcd_identify = { HAP_CHAR_IDENTIFY, HAP_FORMAT_BOOL, PW };
static const HapCharacteristicDef tcd_manufacturer
    = { HAP_CHAR_MANUFACTURER, HAP_FORMAT_STRING, PR };
static const HapCharacteristicDef tcd_model = { HAP_CHAR_MODEL, HAP_FORMAT_STRING, PR };
static const HapCharacteristicDef tcd_name = { HAP_CHAR_NAME, HAP_FORMAT_STRING, PR };
static const HapCharacteristicDef tcd_serial = { HAP_CHAR_SERIAL_NUMBER, HAP_FORMAT_STRING, PR };
static const HapCharacteristicDef tcd_firmware
    = { HAP_CHAR_FIRMWARE_REVISION, HAP_FORMAT_STRING, PR };
static const HapCharacteristicDef tcd_version = { HAP_CHAR_VERSION, HAP_FORMAT_STRING, PR | EV };
static const guint64 tcd_active_values[] = { 0, 1 };
static const HapCharacteristicDef tcd_active = { .type = HAP_CHAR_ACTIVE,
  .format = HAP_FORMAT_UINT8,
  .perms = PR | PW | EV,
  .range = { TRUE, 0, 1, 1 },
  .valid_values = tcd_active_values,
  .n_valid_values = 2 };
static const HapCharacteristicDef tcd_event_snapshots
    = { HAP_CHAR_EVENT_SNAPSHOTS_ACTIVE, HAP_FORMAT_BOOL, PR | PW | EV | TW };
static const HapCharacteristicDef tcd_homekit_camera_active
    = { HAP_CHAR_HOMEKIT_CAMERA_ACTIVE, HAP_FORMAT_BOOL, PR | PW | EV | TW };
static const HapCharacteristicDef tcd_periodic_snapshots
    = { HAP_CHAR_PERIODIC_SNAPSHOTS_ACTIVE, HAP_FORMAT_BOOL, PR | PW | EV | TW };
static const HapCharacteristicDef tcd_supported_camera_recording
    = { HAP_CHAR_SUPPORTED_CAMERA_RECORDING_CONFIGURATION, HAP_FORMAT_TLV8, PR | EV };
static const HapCharacteristicDef tcd_supported_video_recording
    = { HAP_CHAR_SUPPORTED_VIDEO_RECORDING_CONFIGURATION, HAP_FORMAT_TLV8, PR | EV };
static const HapCharacteristicDef tcd_supported_audio_recording
    = { HAP_CHAR_SUPPORTED_AUDIO_RECORDING_CONFIGURATION, HAP_FORMAT_TLV8, PR | EV };
static const HapCharacteristicDef tcd_selected_recording
    = { HAP_CHAR_SELECTED_CAMERA_RECORDING_CONFIGURATION, HAP_FORMAT_TLV8, PR | PW | EV };
static const HapCharacteristicDef tcd_recording_audio_active
    = { .type = HAP_CHAR_RECORDING_AUDIO_ACTIVE,
        .format = HAP_FORMAT_UINT8,
        .perms = PR | PW | EV | TW,
        .valid_values = tcd_active_values,
        .n_valid_values = 2 };
static const HapCharacteristicDef tcd_supported_dst
    = { HAP_CHAR_SUPPORTED_DATA_STREAM_TRANSPORT_CONFIGURATION, HAP_FORMAT_TLV8, PR };
static const HapCharacteristicDef tcd_setup_dst
    = { HAP_CHAR_SETUP_DATA_STREAM_TRANSPORT, HAP_FORMAT_TLV8, PR | PW | WR };
static const HapCharacteristicDef tcd_motion_detected
    = { HAP_CHAR_MOTION_DETECTED, HAP_FORMAT_BOOL, PR | EV };
static const HapCharacteristicDef tcd_status_active
    = { HAP_CHAR_STATUS_ACTIVE, HAP_FORMAT_BOOL, PR | EV };
static const guint64 tcd_switch_values[] = { 0 };
static const HapCharacteristicDef tcd_switch_event = { .type = HAP_CHAR_PROGRAMMABLE_SWITCH_EVENT,
  .format = HAP_FORMAT_UINT8,
  .perms = PR | EV,
  .valid_values = tcd_switch_values,
  .n_valid_values = 1 };
static const HapCharacteristicDef tcd_mute = { HAP_CHAR_MUTE, HAP_FORMAT_BOOL, PR | PW | EV };
static const HapCharacteristicDef tcd_on = { HAP_CHAR_ON, HAP_FORMAT_BOOL, PR | PW | EV };
static const HapCharacteristicDef tcd_brightness = { .type = HAP_CHAR_BRIGHTNESS,
  .format = HAP_FORMAT_INT,
  .perms = PR | PW | EV,
  .unit = HAP_UNIT_PERCENTAGE,
  .range = { TRUE, 0, 100, 1 } };
static const guint64 tcd_admin_values[] = { 0, 1, 3 };
static const HapCharacteristicDef tcd_admin_only = { .type = "00000001-0000-1000-8000-00000000ABCD",
  .format = HAP_FORMAT_UINT8,
  .perms = PR | PW | EV,
  .flags = HAP_CHAR_FLAG_ADMIN_WRITE,
  .valid_values = tcd_admin_values,
  .n_valid_values = 3,
  .description = "admin only" };
static const HapCharacteristicDef tcd_dynamic = { .type = "FF000001-0000-1000-8000-00000000ABCD",
  .format = HAP_FORMAT_FLOAT,
  .perms = PR | EV,
  .unit = HAP_UNIT_CELSIUS,
  .range = { TRUE, -40, 100, 0.5 } };
static const HapCharacteristicDef tcd_write_only = { .type = "FF000002-0000-1000-8000-00000000ABCD",
  .format = HAP_FORMAT_DATA,
  .perms = PW,
  .max_data_len = 8 };

/* A real hub's SupportedDataStreamTransportConfiguration (PROTOCOL.md section 2). */
static const guint8 tcd_dst_config[] = { 0x01, 0x03, 0x01, 0x01, 0x00 };

typedef struct {
  HapAccessoryDb *db;
  HapCharacteristic *chars[40]; /* by iid */
  HapService *rtp, *recording, *lightbulb;
  gdouble dynamic_value;  /* read by the dynamic float */
  HapStatus read_status;  /* returned by the dynamic float's read callback */
  HapStatus write_status; /* returned by the write callbacks */
  guint n_writes;         /* write callbacks seen */
  HapDbSession *last_writer;
  guint n_changes; /* change notifications */
  HapDbSession *last_change_writer;
} TestCameraDb;

static HapStatus
tcd_dynamic_read (HapCharacteristic *c, HapDbSession *session, HapValue *value, gpointer data)
{
  TestCameraDb *t = data;

  if (t->read_status != HAP_STATUS_SUCCESS)
    return t->read_status;
  hap_value_clear (value);
  hap_value_init_float (value, t->dynamic_value);
  return HAP_STATUS_SUCCESS;
}

static HapStatus
tcd_write (HapCharacteristic *c, HapDbSession *session, const HapValue *value,
    HapWriteResponse *response, gpointer data)
{
  TestCameraDb *t = data;

  t->n_writes++;
  t->last_writer = session;
  return t->write_status;
}

/* SetupDataStreamTransport: answers status 0, port 0x1234 (u16 LE) and a 32-byte salt. */
static HapStatus
tcd_setup_dst_write (HapCharacteristic *c, HapDbSession *session, const HapValue *value,
    HapWriteResponse *response, gpointer data)
{
  TestCameraDb *t = data;
  guint8 answer[3 + 6 + 34] = { 0x01, 0x01, 0x00, 0x02, 0x04, 0x01, 0x02, 0x34, 0x12, 0x03, 0x20 };

  t->n_writes++;
  t->last_writer = session;
  if (t->write_status != HAP_STATUS_SUCCESS)
    return t->write_status;
  for (guint i = 0; i < 32; i++)
    answer[11 + i] = (guint8) i;
  hap_value_init_bytes (&response->value, HAP_FORMAT_TLV8, answer, sizeof answer);
  response->set = TRUE;
  return HAP_STATUS_SUCCESS;
}

static void
tcd_change (HapCharacteristic *c, const HapValue *value, HapDbSession *writer, gpointer data)
{
  TestCameraDb *t = data;

  t->n_changes++;
  t->last_change_writer = writer;
}

static void
tcd_add (TestCameraDb *t, HapService *s, const HapCharacteristicDef *def)
{
  HapCharacteristic *c = hap_service_add_characteristic (s, def);
  guint64 iid = hap_characteristic_get_iid (c);

  g_assert_cmpuint (iid, <, G_N_ELEMENTS (t->chars));
  t->chars[iid] = c;
  hap_characteristic_set_handlers (c, NULL, tcd_write, t);
}

static void
test_camera_db_init (TestCameraDb *t)
{
  HapAccessory *a;
  HapService *s;

  memset (t, 0, sizeof *t);
  t->db = hap_db_new ();
  a = hap_db_add_accessory (t->db, 1);

  s = hap_accessory_add_service (a, HAP_SERVICE_ACCESSORY_INFORMATION, 0);
  tcd_add (t, s, &tcd_identify);
  tcd_add (t, s, &tcd_manufacturer);
  tcd_add (t, s, &tcd_model);
  tcd_add (t, s, &tcd_name);
  tcd_add (t, s, &tcd_serial);
  tcd_add (t, s, &tcd_firmware);
  s = hap_accessory_add_service (a, HAP_SERVICE_PROTOCOL_INFORMATION, 0);
  tcd_add (t, s, &tcd_version);
  t->rtp = hap_accessory_add_service (
      a, HAP_SERVICE_CAMERA_RTP_STREAM_MANAGEMENT, HAP_SERVICE_FLAG_PRIMARY);
  tcd_add (t, t->rtp, &tcd_active);
  s = hap_accessory_add_service (a, HAP_SERVICE_CAMERA_OPERATING_MODE, 0);
  tcd_add (t, s, &tcd_event_snapshots);
  tcd_add (t, s, &tcd_homekit_camera_active);
  tcd_add (t, s, &tcd_periodic_snapshots);
  t->recording = hap_accessory_add_service (a, HAP_SERVICE_CAMERA_EVENT_RECORDING_MANAGEMENT, 0);
  hap_service_add_linked (t->recording, t->rtp);
  tcd_add (t, t->recording, &tcd_active);
  tcd_add (t, t->recording, &tcd_supported_camera_recording);
  tcd_add (t, t->recording, &tcd_supported_video_recording);
  tcd_add (t, t->recording, &tcd_supported_audio_recording);
  tcd_add (t, t->recording, &tcd_selected_recording);
  tcd_add (t, t->recording, &tcd_recording_audio_active);
  s = hap_accessory_add_service (a, HAP_SERVICE_DATA_STREAM_MANAGEMENT, 0);
  tcd_add (t, s, &tcd_supported_dst);
  tcd_add (t, s, &tcd_setup_dst);
  hap_characteristic_set_handlers (t->chars[25], NULL, tcd_setup_dst_write, t);
  tcd_add (t, s, &tcd_version);
  s = hap_accessory_add_service (a, HAP_SERVICE_MOTION_SENSOR, 0);
  tcd_add (t, s, &tcd_motion_detected);
  tcd_add (t, s, &tcd_status_active);
  s = hap_accessory_add_service (a, HAP_SERVICE_DOORBELL, 0);
  tcd_add (t, s, &tcd_switch_event);
  s = hap_accessory_add_service (a, HAP_SERVICE_MICROPHONE, 0);
  tcd_add (t, s, &tcd_mute);
  t->lightbulb = hap_accessory_add_service (a, HAP_SERVICE_LIGHTBULB, HAP_SERVICE_FLAG_HIDDEN);
  tcd_add (t, t->lightbulb, &tcd_on);
  tcd_add (t, t->lightbulb, &tcd_brightness);
  tcd_add (t, t->lightbulb, &tcd_admin_only);
  tcd_add (t, t->lightbulb, &tcd_dynamic);
  hap_characteristic_set_handlers (t->chars[38], tcd_dynamic_read, NULL, t);
  tcd_add (t, t->lightbulb, &tcd_write_only);

  g_assert_true (hap_db_set_value_string (t->db, t->chars[3], "HKSV"));
  g_assert_true (hap_db_set_value_string (t->db, t->chars[4], "gst-hksv"));
  g_assert_true (hap_db_set_value_string (t->db, t->chars[5], "Camera"));
  g_assert_true (hap_db_set_value_string (t->db, t->chars[6], "0001"));
  g_assert_true (hap_db_set_value_string (t->db, t->chars[7], "0.1.0"));
  g_assert_true (hap_db_set_value_string (t->db, t->chars[9], "1.1.0"));
  g_assert_true (
      hap_db_set_value_bytes (t->db, t->chars[24], tcd_dst_config, sizeof tcd_dst_config));
  g_assert_true (hap_db_set_value_string (t->db, t->chars[26], "1.0"));
  t->dynamic_value = 21.5;
  hap_db_set_change_notify (t->db, tcd_change, t);
}

static void
test_camera_db_clear (TestCameraDb *t)
{
  g_clear_pointer (&t->db, hap_db_free);
}

#undef PR
#undef PW
#undef EV
#undef TW
#undef WR

/* libhap: HAP service and characteristic types used by an HKSV camera.
 *
 * Apple-defined types are UUIDs of the form 0000XXXX-0000-1000-8000-0026BB765291. HAP writes
 * them in JSON in the short form: the first group without leading zeros and without the
 * base suffix ("0000003E-0000-1000-8000-0026BB765291" -> "3E"). The constants below are in
 * that short form, upper case, and can be given to hap_accessory_add_service() and in
 * HapCharacteristicDef.type as they are; hap_uuid_normalize() (hap/accessory-db.h) turns any
 * full-form UUID into the form used on the wire.
 *
 * Values checked against the HKSV spec summary (shared/reference/hksv-spec, R3 sections 2-3),
 * PROTOCOL.md section 2 (DataStreamManagement) and the definitions of HAP-NodeJS 1.2.0
 * (ServiceDefinitions.js / CharacteristicDefinitions.js).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The suffix shared by every Apple-defined UUID. */
#define HAP_UUID_APPLE_BASE "-0000-1000-8000-0026BB765291"

/* The wire form of a type: the short form for Apple UUIDs ("0000003E-0000-1000-8000-
 * 0026BB765291" and "3e" -> "3E"), the upper-case full form otherwise; NULL when `type` is
 * neither 1-8 hex digits nor a full UUID. */
gchar *hap_uuid_normalize (const gchar *type);

/* ---- services ---- */
#define HAP_SERVICE_ACCESSORY_INFORMATION "3E"
#define HAP_SERVICE_LIGHTBULB "43"
#define HAP_SERVICE_MOTION_SENSOR "85"
#define HAP_SERVICE_PROTOCOL_INFORMATION "A2"
#define HAP_SERVICE_CAMERA_RTP_STREAM_MANAGEMENT "110"
#define HAP_SERVICE_MICROPHONE "112"
#define HAP_SERVICE_SPEAKER "113"
#define HAP_SERVICE_DOORBELL "121"
#define HAP_SERVICE_DATA_STREAM_MANAGEMENT "129"
#define HAP_SERVICE_CAMERA_EVENT_RECORDING_MANAGEMENT "204"
#define HAP_SERVICE_CAMERA_OPERATING_MODE "21A"

/* ---- characteristics: accessory information and generic ---- */
#define HAP_CHAR_BRIGHTNESS "8"
#define HAP_CHAR_IDENTIFY "14"
#define HAP_CHAR_MANUFACTURER "20"
#define HAP_CHAR_MODEL "21"
#define HAP_CHAR_NAME "23"
#define HAP_CHAR_ON "25"
#define HAP_CHAR_SERIAL_NUMBER "30"
#define HAP_CHAR_VERSION "37" /* ProtocolInformation and DataStreamManagement: "1.1" / "1.0" */
#define HAP_CHAR_FIRMWARE_REVISION "52"
#define HAP_CHAR_HARDWARE_REVISION "53"
#define HAP_CHAR_ACCESSORY_FLAGS "A6"
#define HAP_CHAR_ACTIVE "B0"
#define HAP_CHAR_CONFIGURED_NAME "E3"

/* ---- sensors, doorbell, microphone ---- */
#define HAP_CHAR_MOTION_DETECTED "22"
#define HAP_CHAR_PROGRAMMABLE_SWITCH_EVENT "73" /* button event: delivered at once */
#define HAP_CHAR_STATUS_ACTIVE "75"
#define HAP_CHAR_STATUS_FAULT "77"
#define HAP_CHAR_STATUS_TAMPERED "7A"
#define HAP_CHAR_MUTE "11A"
#define HAP_CHAR_VOLUME "119"
#define HAP_CHAR_BUTTON_EVENT "126" /* button event: delivered at once */

/* ---- CameraRTPStreamManagement ---- */
#define HAP_CHAR_SUPPORTED_VIDEO_STREAM_CONFIGURATION "114"
#define HAP_CHAR_SUPPORTED_AUDIO_STREAM_CONFIGURATION "115"
#define HAP_CHAR_SUPPORTED_RTP_CONFIGURATION "116"
#define HAP_CHAR_SELECTED_RTP_STREAM_CONFIGURATION "117"
#define HAP_CHAR_SETUP_ENDPOINTS "118"
#define HAP_CHAR_STREAMING_STATUS "120"

/* ---- DataStreamManagement (PROTOCOL.md section 2) ---- */
#define HAP_CHAR_SUPPORTED_DATA_STREAM_TRANSPORT_CONFIGURATION "130"
#define HAP_CHAR_SETUP_DATA_STREAM_TRANSPORT "131"

/* ---- CameraEventRecordingManagement (HKSV spec 2.2, 3.7-3.11) ---- */
#define HAP_CHAR_SUPPORTED_CAMERA_RECORDING_CONFIGURATION "205"
#define HAP_CHAR_SUPPORTED_VIDEO_RECORDING_CONFIGURATION "206"
#define HAP_CHAR_SUPPORTED_AUDIO_RECORDING_CONFIGURATION "207"
#define HAP_CHAR_SELECTED_CAMERA_RECORDING_CONFIGURATION "209"
#define HAP_CHAR_RECORDING_AUDIO_ACTIVE "226"

/* ---- CameraOperatingMode (HKSV spec 2.1, 3.1-3.6, 3.12, 3.13) ---- */
#define HAP_CHAR_NIGHT_VISION "11B"
#define HAP_CHAR_HOMEKIT_CAMERA_ACTIVE "21B"
#define HAP_CHAR_THIRD_PARTY_CAMERA_ACTIVE "21C"
#define HAP_CHAR_CAMERA_OPERATING_MODE_INDICATOR "21D"
#define HAP_CHAR_EVENT_SNAPSHOTS_ACTIVE "223"
#define HAP_CHAR_DIAGONAL_FIELD_OF_VIEW "224"
#define HAP_CHAR_PERIODIC_SNAPSHOTS_ACTIVE "225"
#define HAP_CHAR_MANUALLY_DISABLED "227"

G_END_DECLS

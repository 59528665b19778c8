/* hap-setup-payload: prints a HomeKit pairing identity - setup code, setup ID, device ID, the
 * X-HM:// setup payload, its QR code and the mDNS `sh` value - from libhap's setup codecs.
 * Values not given on the command line are generated. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hap/setup-payload.h"
#include "hap/setup-qr.h"

int
main (int argc, char **argv)
{
  g_autofree gchar *code = NULL, *setup_id = NULL, *device_id = NULL;
  g_autofree gchar *payload = NULL, *sh = NULL, *qr = NULL;
  gint category = HAP_CATEGORY_IP_CAMERA;
  gboolean no_qr = FALSE;
  g_autoptr (GError) error = NULL;
  GOptionEntry entries[] = {
    { "code", 'c', 0, G_OPTION_ARG_STRING, &code, "Setup code (default: generated)", "XXX-XX-XXX" },
    { "setup-id", 's', 0, G_OPTION_ARG_STRING, &setup_id, "Setup ID (default: generated)", "XXXX" },
    { "device-id", 'd', 0, G_OPTION_ARG_STRING, &device_id,
        "Device ID for the sh value (default: generated)", "XX:XX:XX:XX:XX:XX" },
    { "category", 0, 0, G_OPTION_ARG_INT, &category,
        "Accessory category (17 IP camera, 18 video doorbell)", "N" },
    { "no-qr", 0, 0, G_OPTION_ARG_NONE, &no_qr, "Do not draw the QR code", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);

  g_option_context_set_summary (ctx,
      "Prints a HomeKit pairing identity: setup code, setup ID, device ID, the X-HM:// setup\n"
      "payload with its QR code, and the mDNS sh value.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("hap-setup-payload: %s\n", error->message);
    return 2;
  }
  if (category < 1 || category > 255) {
    g_printerr ("hap-setup-payload: category must be 1..255\n");
    return 2;
  }

  if (code == NULL)
    code = hap_setup_code_generate ();
  else if (!hap_setup_code_validate (code, &error)) {
    g_printerr ("hap-setup-payload: setup code: %s\n", error->message);
    return 2;
  }
  if (setup_id == NULL)
    setup_id = hap_setup_id_generate ();
  else if (!hap_setup_id_validate (setup_id, &error)) {
    g_printerr ("hap-setup-payload: setup ID: %s\n", error->message);
    return 2;
  }
  if (device_id == NULL) {
    device_id = hap_device_id_generate ();
  } else {
    guint8 bytes[HAP_DEVICE_ID_BYTES];
    if (!hap_device_id_parse (device_id, bytes, &error)) {
      g_printerr ("hap-setup-payload: device ID: %s\n", error->message);
      return 2;
    }
  }

  payload = hap_setup_payload_build (code, setup_id, (guint) category, HAP_SETUP_FLAG_IP);
  sh = hap_setup_hash_txt (setup_id, device_id);

  g_print ("Setup code:     %s\n", code);
  g_print ("Setup ID:       %s\n", setup_id);
  g_print ("Device ID:      %s\n", device_id);
  g_print ("Category:       %d\n", category);
  g_print ("Setup payload:  %s\n", payload);
  g_print ("mDNS sh:        %s\n", sh);
  if (!no_qr) {
    qr = hap_setup_qr_render (
        payload, isatty (STDOUT_FILENO) ? HAP_SETUP_QR_ANSI : HAP_SETUP_QR_BLOCKS, &error);
    if (qr == NULL) {
      g_printerr ("hap-setup-payload: %s\n", error->message);
      return 1;
    }
    fputs ("\n", stdout);
    fputs (qr, stdout); /* g_print would convert the block characters to the locale */
  }
  return 0;
}

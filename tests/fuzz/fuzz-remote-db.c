/* libFuzzer target for hap/remote-db.c and hap/hksv-profile.c: the input is parsed as a GET
 * /accessories body (and, when that works, checked against the HKSV profile, every readable
 * lookup exercised) and as a characteristic value list. Neither may crash, leak or assert; a
 * profile report always has rows and counts its failures. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hap/hksv-profile.h"
#include "hap/remote-db.h"
#include "tests/fuzz/fuzz-target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  HapRemoteDb *db = hap_remote_db_parse (data, size, NULL);
  GArray *values = hap_remote_values_parse (data, size, NULL);

  if (db != NULL) {
    HapHksvReport *report = hap_hksv_profile_check (db, 0, values);
    guint failed = 0;

    for (guint i = 0; i < report->checks->len; i++) {
      const HapHksvCheck *c = g_ptr_array_index (report->checks, i);
      if (c->item == NULL || c->detail == NULL)
        abort ();
      if (c->status == HAP_HKSV_CHECK_MISSING || c->status == HAP_HKSV_CHECK_WRONG)
        failed++;
    }
    if (report->checks->len == 0 || failed != report->n_failed)
      abort ();
    if (report->camera.has_recording && report->camera.has_video && report->camera.has_audio) {
      HapCameraSelectedConfig sel;
      if (hap_hksv_choose_selection (&report->camera.recording, &report->camera.video,
              &report->camera.audio, NULL, &sel, NULL)
          && !hap_camera_selected_is_supported (
              &sel, &report->camera.recording, &report->camera.video, &report->camera.audio, NULL))
        abort ();
    }
    hap_hksv_report_free (report);
    hap_remote_db_free (db);
  }
  if (values != NULL) {
    for (guint i = 0; i < values->len; i++) {
      const HapRemoteValue *v = &g_array_index (values, HapRemoteValue, i);
      gboolean b;
      guint64 u;
      GBytes *bytes = hap_remote_json_get_bytes (v->value);
      gchar *shown = hap_remote_json_to_display (v->value);

      hap_remote_json_get_bool (v->value, &b);
      hap_remote_json_get_uint (v->value, &u);
      if (hap_remote_values_find (values, v->aid, v->iid) == NULL)
        abort ();
      g_clear_pointer (&bytes, g_bytes_unref);
      g_free (shown);
    }
    g_array_unref (values);
  }
  return 0;
}

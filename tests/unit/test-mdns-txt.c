/* Unit tests for hap/mdns-txt.c (the `_hap._tcp` TXT record).
 *
 * Expected strings: the key set, order and value forms of HAP-NodeJS 1.2.0
 * (tests/interop/node_modules/hap-nodejs/dist/lib/Advertiser.js, CiaoAdvertiser.createTxt: c#,
 * ff, id, md, pv "1.1", s# 1, sf 1 while unpaired else 0, ci, sh) and PROTOCOL.md section 1.
 * The setup hash "yf4bzw==" is HomeKitADK's vector (setup ID 7OSX, device ID E1:91:1A:70:85:AA
 * -> C9FE1BCF, Tests/HAPAccessorySetupGetSetupHashTest.c), base64 checked with Python. The c#
 * wrap (65535 -> 1) follows HAP-NodeJS AccessoryInfo ("must be in the range of 1-65535 and wrap
 * to 1 when it overflows"). */
#include <string.h>

#include "hap/mdns-txt.h"

static HapMdnsTxt
camera_txt (void)
{
  HapMdnsTxt txt = {
    .config_number = 1,
    .feature_flags = 0,
    .device_id = "E1:91:1A:70:85:AA",
    .model = "HKSV Camera",
    .category = 17,
    .paired = FALSE,
    .setup_hash = "yf4bzw==",
  };
  return txt;
}

static void
assert_strv (gchar **got, const char *const *want)
{
  guint i;

  g_assert_nonnull (got);
  for (i = 0; want[i] != NULL; i++) {
    g_assert_nonnull (got[i]);
    g_assert_cmpstr (got[i], ==, want[i]);
  }
  g_assert_null (got[i]);
}

static void
test_unpaired (void)
{
  static const char *const want[] = { "c#=1", "ff=0", "id=E1:91:1A:70:85:AA", "md=HKSV Camera",
    "pv=1.1", "s#=1", "sf=1", "ci=17", "sh=yf4bzw==", NULL };
  HapMdnsTxt txt = camera_txt ();
  gchar **got = hap_mdns_txt_build (&txt);

  assert_strv (got, want);
  g_strfreev (got);
}

static void
test_paired_doorbell (void)
{
  static const char *const want[] = { "c#=65535", "ff=0", "id=0A:1B:2C:3D:4E:5F",
    "md=Front door =1", "pv=1.1", "s#=1", "sf=0", "ci=18", "sh=yf4bzw==", NULL };
  HapMdnsTxt txt = camera_txt ();
  gchar **got;

  txt.config_number = 65535;
  txt.device_id = "0A:1B:2C:3D:4E:5F";
  txt.model = "Front door =1"; /* '=' is fine in a value */
  txt.category = 18;
  txt.paired = TRUE;
  got = hap_mdns_txt_build (&txt);
  assert_strv (got, want);
  g_strfreev (got);
}

static void
test_no_setup_hash (void)
{
  static const char *const want[] = { "c#=42", "ff=2", "id=E1:91:1A:70:85:AA", "md=HKSV Camera",
    "pv=1.1", "s#=1", "sf=1", "ci=17", NULL };
  HapMdnsTxt txt = camera_txt ();
  gchar **got;

  txt.config_number = 42;
  txt.feature_flags = 2;
  txt.setup_hash = NULL;
  got = hap_mdns_txt_build (&txt);
  assert_strv (got, want);
  g_strfreev (got);
}

static void
test_config_number_next (void)
{
  g_assert_cmpuint (hap_mdns_config_number_next (1), ==, 2);
  g_assert_cmpuint (hap_mdns_config_number_next (41), ==, 42);
  g_assert_cmpuint (hap_mdns_config_number_next (65534), ==, 65535);
  g_assert_cmpuint (hap_mdns_config_number_next (65535), ==, 1);
}

typedef enum { F_CONFIG, F_FF, F_ID, F_MODEL, F_CATEGORY, F_SH } Field;

typedef struct {
  Field field;
  guint number;
  const char *text;
} InvalidTxt;

static const InvalidTxt invalid_txts[] = {
  { F_CONFIG, 0, NULL },
  { F_CONFIG, 65536, NULL },
  { F_FF, 256, NULL },
  { F_ID, 0, NULL },
  { F_ID, 0, "" },
  { F_ID, 0, "e1:91:1a:70:85:aa" }, /* lower case */
  { F_ID, 0, "E1:91:1A:70:85" },
  { F_ID, 0, "E1:91:1A:70:85:AA:" },
  { F_ID, 0, "E1-91-1A-70-85-AA" },
  { F_ID, 0, "E1:91:1A:70:85:AG" },
  { F_MODEL, 0, NULL },
  { F_MODEL, 0, "" },
  { F_MODEL, 0, "caf\xc3" }, /* truncated UTF-8 */
  { F_MODEL, 0,
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }, /* 201 bytes */
  { F_CATEGORY, 0, NULL },
  { F_CATEGORY, 65536, NULL },
  { F_SH, 0, "" },
  { F_SH, 0, "yf4bzw=" },
  { F_SH, 0, "yf4bzw===" },
  { F_SH, 0, "yf4bzwAA" }, /* 6 bytes */
  { F_SH, 0, "yf4b w==" },
};

static void
test_invalid (void)
{
  HapMdnsTxt txt = camera_txt ();
  gsize i;

  g_assert_true (hap_mdns_txt_is_valid (&txt));
  g_assert_false (hap_mdns_txt_is_valid (NULL));
  for (i = 0; i < G_N_ELEMENTS (invalid_txts); i++) {
    const InvalidTxt *c = &invalid_txts[i];

    txt = camera_txt ();
    switch (c->field) {
      case F_CONFIG:
        txt.config_number = c->number;
        break;
      case F_FF:
        txt.feature_flags = c->number;
        break;
      case F_ID:
        txt.device_id = c->text;
        break;
      case F_MODEL:
        txt.model = c->text;
        break;
      case F_CATEGORY:
        txt.category = c->number;
        break;
      case F_SH:
        txt.setup_hash = c->text;
        break;
    }
    if (hap_mdns_txt_is_valid (&txt))
      g_error ("invalid TXT case %zu accepted", i);
  }
  /* The 200-byte model is the longest accepted. */
  txt = camera_txt ();
  txt.model = invalid_txts[13].text + 1;
  g_assert_cmpuint (strlen (txt.model), ==, 200);
  g_assert_true (hap_mdns_txt_is_valid (&txt));
}

static void
test_build_invalid_is_misuse (void)
{
  HapMdnsTxt txt = camera_txt ();

  txt.config_number = 0;
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*hap_mdns_txt_is_valid*");
  g_assert_null (hap_mdns_txt_build (&txt));
  g_test_assert_expected_messages ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mdns-txt/unpaired", test_unpaired);
  g_test_add_func ("/mdns-txt/paired-doorbell", test_paired_doorbell);
  g_test_add_func ("/mdns-txt/no-setup-hash", test_no_setup_hash);
  g_test_add_func ("/mdns-txt/config-number-next", test_config_number_next);
  g_test_add_func ("/mdns-txt/invalid", test_invalid);
  g_test_add_func ("/mdns-txt/build-invalid-is-misuse", test_build_invalid_is_misuse);
  return g_test_run ();
}

/* Unit tests for hap/setup-payload.c.
 *
 * Sources of the expected values:
 * - Setup payloads: Apple HomeKitADK, Tests/HAPAccessorySetupGetSetupPayloadTest.c (e.g. code
 *   518-08-582, setup ID 7OSX, IP, category 7 -> X-HM://0071WK4SM7OSX; the same URI is quoted in
 *   aiohomekit issue #244). Further vectors were computed by hand from the documented layout
 *   (hap/setup-payload.h) and checked independently with a separate python3 script
 *   (int -> base 36); the packed value of each is written next to it.
 * - Setup hashes: HomeKitADK Tests/HAPAccessorySetupGetSetupHashTest.c (setup ID 7OSX with
 *   E1:91:1A:70:85:AA -> C9FE1BCF, with C8:D8:58:C6:63:F5 -> EF5D8E9B); their base64 forms were
 *   checked with python3 base64.b64encode.
 * - Trivial codes: HAP specification (non-commercial R2) section 4.2.1.1 "Setup Code" list of
 *   invalid codes (000-00-000 ... 999-99-999, 123-45-678, 876-54-321). */
#include <string.h>

#include "hap/setup-payload.h"

/* ---- Setup code ---------------------------------------------------------------------------- */

static const char *const valid_codes[] = {
  "518-08-582", /* HomeKitADK test vector */
  "031-45-154", /* HAP-NodeJS example code */
  "000-00-001",
  "123-45-679",
  "234-56-789", /* ascending, but not the forbidden 12345678 */
  "987-65-432", /* descending, but not the forbidden 87654321 */
  "111-11-112",
  "999-99-998",
};

typedef struct {
  const char *code;
  HapCodecError error;
} InvalidCode;

static const InvalidCode invalid_codes[] = {
  { "", HAP_CODEC_ERROR_MALFORMED },
  { "12344321", HAP_CODEC_ERROR_MALFORMED },
  { "1234-4321", HAP_CODEC_ERROR_MALFORMED },
  { "123-456-78", HAP_CODEC_ERROR_MALFORMED },
  { "12-345-678", HAP_CODEC_ERROR_MALFORMED },
  { "123-45-67", HAP_CODEC_ERROR_MALFORMED },
  { "123-45-6789", HAP_CODEC_ERROR_MALFORMED },
  { "123 45 679", HAP_CODEC_ERROR_MALFORMED },
  { "123-45-67a", HAP_CODEC_ERROR_MALFORMED },
  { "abc-de-fgh", HAP_CODEC_ERROR_MALFORMED },
  { "+12-34-567", HAP_CODEC_ERROR_MALFORMED },
  { "123-45-679 ", HAP_CODEC_ERROR_MALFORMED },
  { " 123-45-679", HAP_CODEC_ERROR_MALFORMED },
  { "000-00-000", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "111-11-111", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "222-22-222", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "333-33-333", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "444-44-444", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "555-55-555", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "666-66-666", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "777-77-777", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "888-88-888", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "999-99-999", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "123-45-678", HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "876-54-321", HAP_CODEC_ERROR_OUT_OF_RANGE },
};

static void
test_code_valid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_codes); i++) {
    GError *error = NULL;

    g_test_message ("code: %s", valid_codes[i]);
    g_assert_true (hap_setup_code_validate (valid_codes[i], &error));
    g_assert_no_error (error);
  }
}

static void
test_code_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_codes); i++) {
    GError *error = NULL;

    g_test_message ("code: '%s'", invalid_codes[i].code);
    g_assert_false (hap_setup_code_validate (invalid_codes[i].code, &error));
    g_assert_error (error, HAP_CODEC_ERROR, (gint) invalid_codes[i].error);
    g_clear_error (&error);
    g_assert_false (hap_setup_code_validate (invalid_codes[i].code, NULL));
  }
}

static void
test_code_generate (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint digit_counts[10] = { 0 };

  for (guint i = 0; i < 500; i++) {
    gchar *code = hap_setup_code_generate ();
    GError *error = NULL;

    g_assert_nonnull (code);
    g_assert_cmpuint (strlen (code), ==, HAP_SETUP_CODE_LEN);
    g_assert_true (hap_setup_code_validate (code, &error));
    g_assert_no_error (error);
    for (guint c = 0; c < HAP_SETUP_CODE_LEN; c++)
      if (c != 3 && c != 6)
        digit_counts[code[c] - '0']++;
    g_hash_table_add (seen, code);
  }
  /* 10^8 codes: 500 draws collide with probability ~0.1 %; allow a couple. */
  g_assert_cmpuint (g_hash_table_size (seen), >=, 498);
  /* 4000 digits: every digit appears (expected 400 each). */
  for (guint d = 0; d < 10; d++)
    g_assert_cmpuint (digit_counts[d], >, 250);
}

/* ---- Setup ID ------------------------------------------------------------------------------ */

static void
test_setup_id (void)
{
  static const char *const valid[] = { "7OSX", "0000", "ZZZZ", "HKSV", "A1B2" };
  static const char *const invalid[] = { "", "7OS", "7OSXY", "7osx", "7OsX", "7O-X", "7O X",
    "\xc3\x84"
    "BC",
    "7OS\n" };
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++) {
    g_assert_true (hap_setup_id_validate (valid[i], &error));
    g_assert_no_error (error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    g_test_message ("setup id: '%s'", invalid[i]);
    g_assert_false (hap_setup_id_validate (invalid[i], &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
  }
}

static void
test_setup_id_generate (void)
{
  gboolean letter = FALSE, digit = FALSE;

  for (guint i = 0; i < 200; i++) {
    g_autofree gchar *id = hap_setup_id_generate ();

    g_assert_nonnull (id);
    g_assert_true (hap_setup_id_validate (id, NULL));
    for (guint c = 0; c < HAP_SETUP_ID_LEN; c++) {
      letter = letter || g_ascii_isupper (id[c]);
      digit = digit || g_ascii_isdigit (id[c]);
    }
  }
  g_assert_true (letter && digit);
}

/* ---- Device ID ----------------------------------------------------------------------------- */

static void
test_device_id (void)
{
  static const char *const invalid[] = {
    "",
    "e1:91:1a:70:85:aa", /* lower case: `id` and the setup hash use upper case */
    "E1:91:1A:70:85:aA",
    "E1-91-1A-70-85-AA",
    "E1:91:1A:70:85",
    "E1:91:1A:70:85:AA:",
    "E1:91:1A:70:85:AA:00",
    "E1:91:1A:70:85:AG",
    "E191:1A:70:85:AA:0",
    ":E1:91:1A:70:85:AA",
    "E1:91:1A:70:85:A",
    "E1 91 1A 70 85 AA",
  };
  static const guint8 want[6] = { 0xe1, 0x91, 0x1a, 0x70, 0x85, 0xaa };
  guint8 bytes[6] = { 0 };
  GError *error = NULL;
  g_autofree gchar *formatted = NULL;

  g_assert_true (hap_device_id_parse ("E1:91:1A:70:85:AA", bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (bytes, 6, want, 6);
  g_assert_true (hap_device_id_parse ("00:00:00:00:00:00", NULL, NULL));
  g_assert_true (hap_device_id_parse ("FF:FF:FF:FF:FF:FF", NULL, NULL));
  formatted = hap_device_id_format (want);
  g_assert_cmpstr (formatted, ==, "E1:91:1A:70:85:AA");

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    g_test_message ("device id: '%s'", invalid[i]);
    memset (bytes, 0x5a, sizeof bytes);
    g_assert_false (hap_device_id_parse (invalid[i], bytes, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
    /* Output untouched on failure. */
    for (guint b = 0; b < 6; b++)
      g_assert_cmpuint (bytes[b], ==, 0x5a);
  }

  for (guint i = 0; i < 50; i++) {
    g_autofree gchar *id = hap_device_id_generate ();

    g_assert_nonnull (id);
    g_assert_cmpuint (strlen (id), ==, HAP_DEVICE_ID_LEN);
    g_assert_true (hap_device_id_parse (id, bytes, NULL));
  }
}

/* ---- Setup payload ------------------------------------------------------------------------- */

typedef struct {
  const char *code; /* NULL: no code (paired) */
  const char *setup_id;
  guint category;
  HapSetupFlags flags;
  guint64 value; /* packed 46-bit value, by hand from the layout */
  const char *payload;
} PayloadVector;

static const PayloadVector payload_vectors[] = {
  /* HomeKitADK: 51808582 | 1 << 28 | 7 << 31 = 15352629574. */
  { "518-08-582", "7OSX", 7, HAP_SETUP_FLAG_IP, G_GUINT64_CONSTANT (15352629574),
      "X-HM://0071WK4SM7OSX" },
  /* HomeKitADK: no code: 1 << 28 | 7 << 31 = 15300820992. */
  { NULL, NULL, 7, HAP_SETUP_FLAG_IP, G_GUINT64_CONSTANT (15300820992), "X-HM://00711PP1C0000" },
  /* HomeKitADK: paired: 1 << 27 | 1 << 28 | 7 << 31 = 15435038720. */
  { NULL, NULL, 7, HAP_SETUP_FLAG_PAIRED | HAP_SETUP_FLAG_IP, G_GUINT64_CONSTANT (15435038720),
      "X-HM://00739MG3K0000" },
  /* HomeKitADK: BLE only: 51808582 | 1 << 29 | 7 << 31 = 15621065030. */
  { "518-08-582", "7OSX", 7, HAP_SETUP_FLAG_BLE, G_GUINT64_CONSTANT (15621065030),
      "X-HM://0076CDMX27OSX" },
  /* By hand, IP camera: 3145154 | 1 << 28 | 17 << 31 = 36778802626 = 0x8902FFDC2. */
  { "031-45-154", "1QJ8", 17, HAP_SETUP_FLAG_IP, G_GUINT64_CONSTANT (36778802626),
      "X-HM://00GW95DQA1QJ8" },
  /* By hand: 12344321 | 1 << 28 | 17 << 31 = 36788001793 = 0x890BC5C01. */
  { "123-44-321", "HKSV", 17, HAP_SETUP_FLAG_IP, G_GUINT64_CONSTANT (36788001793),
      "X-HM://00GWEMJUPHKSV" },
  /* By hand, video doorbell: 99999998 | 1 << 28 | 18 << 31 = 39023141118 = 0x915F5E0FE. */
  { "999-99-998", "ZZZZ", 18, HAP_SETUP_FLAG_IP, G_GUINT64_CONSTANT (39023141118),
      "X-HM://00HXDDCE6ZZZZ" },
  /* By hand, every field at its maximum: 1 | 7 << 27 | 255 << 31 = 548547854337. */
  { "000-00-001", "0000", 255, HAP_SETUP_FLAGS_ALL, G_GUINT64_CONSTANT (548547854337),
      "X-HM://06ZZZ89A90000" },
  /* By hand: 10148005 | 1 << 28 | 1 << 31 = 2426067109 -> leading zeros kept. */
  { "101-48-005", "AB12", 1, HAP_SETUP_FLAG_IP, G_GUINT64_CONSTANT (2426067109),
      "X-HM://00144F1D1AB12" },
};

static guint32
code_to_number (const char *code)
{
  guint32 n = 0;

  for (const char *p = code; *p; p++)
    if (*p != '-')
      n = n * 10 + (guint32) (*p - '0');
  return n;
}

static void
test_payload_vectors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (payload_vectors); i++) {
    const PayloadVector *pv = &payload_vectors[i];
    g_autofree gchar *payload = NULL;
    HapSetupPayload parsed;
    GError *error = NULL;

    g_test_message ("payload: %s", pv->payload);
    g_assert_cmpuint (
        hap_setup_payload_pack (pv->code ? code_to_number (pv->code) : 0, pv->category, pv->flags),
        ==, pv->value);
    payload = hap_setup_payload_build (pv->code, pv->setup_id, pv->category, pv->flags);
    g_assert_cmpstr (payload, ==, pv->payload);

    g_assert_true (hap_setup_payload_parse (pv->payload, -1, &parsed, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (parsed.setup_code, ==, pv->code ? pv->code : "");
    g_assert_cmpstr (parsed.setup_id, ==, pv->setup_id ? pv->setup_id : "0000");
    g_assert_cmpuint (parsed.category, ==, pv->category);
    g_assert_cmpuint (parsed.flags, ==, pv->flags);
  }
}

/* The prefix is case-insensitive (some tools print x-hm://); a length bounds the input. */
static void
test_payload_parse_forms (void)
{
  static const char buf[] = "x-hm://0071WK4SM7OSXtrailing";
  HapSetupPayload parsed;
  GError *error = NULL;

  g_assert_true (hap_setup_payload_parse (buf, HAP_SETUP_PAYLOAD_LEN, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (parsed.setup_code, ==, "518-08-582");
  g_assert_cmpstr (parsed.setup_id, ==, "7OSX");
  g_assert_cmpuint (parsed.category, ==, 7);
  g_assert_cmpuint (parsed.flags, ==, HAP_SETUP_FLAG_IP);
  g_assert_false (hap_setup_payload_parse (buf, -1, &parsed, NULL));
}

typedef struct {
  const char *payload;
  HapCodecError error;
} InvalidPayload;

static const InvalidPayload invalid_payloads[] = {
  { "", HAP_CODEC_ERROR_MALFORMED }, { "X-HM://", HAP_CODEC_ERROR_MALFORMED },
  { "X-HM://0071WK4SM7OS", HAP_CODEC_ERROR_MALFORMED },
  { "X-HM://0071WK4SM7OSXX", HAP_CODEC_ERROR_MALFORMED },
  { "X-HN://0071WK4SM7OSX", HAP_CODEC_ERROR_MALFORMED },
  { "X-HM:/00071WK4SM7OSX", HAP_CODEC_ERROR_MALFORMED },
  { "X-HM://0071wk4sm7OSX", HAP_CODEC_ERROR_MALFORMED }, /* lower-case payload */
  { "X-HM://0071WK4SM7osx", HAP_CODEC_ERROR_MALFORMED }, /* lower-case setup ID */
  { "X-HM://0071WK-SM7OSX", HAP_CODEC_ERROR_MALFORMED },
  { "X-HM://0071WK4SM7OS-", HAP_CODEC_ERROR_MALFORMED },
  { "X-HM://ZZZZZZZZZ7OSX", HAP_CODEC_ERROR_OUT_OF_RANGE }, /* 36^9 - 1 > 2^46 */
  { "X-HM://OXYYDEZGG7OSX", HAP_CODEC_ERROR_OUT_OF_RANGE }, /* 2^46 exactly (OXYYDEZGF + 1) */
  { "X-HM://34FWCE2GW7OSX", HAP_CODEC_ERROR_OUT_OF_RANGE }, /* version 1: 1 << 43 | IP | cat 7 */
  { "X-HM://077L04PVK7OSX", HAP_CODEC_ERROR_OUT_OF_RANGE }, /* reserved 1 << 39 | IP | cat 7 */
  { "X-HM://1KBGP1VR47OSX", HAP_CODEC_ERROR_OUT_OF_RANGE }, /* reserved 1 << 42 | IP | cat 7 */
  { "X-HM://CH6I8F6RK7OSX", HAP_CODEC_ERROR_OUT_OF_RANGE }, /* version 4: 1 << 45 | IP | cat 7 */
  { "X-HM://007JNU5AE7OSX", HAP_CODEC_ERROR_OUT_OF_RANGE }, /* ADK vector 1 | 1 << 30 */
  { "X-HM://000000000ABCD", HAP_CODEC_ERROR_OUT_OF_RANGE }, /* category 0 */
  { "X-HM://0015LWVLSABCD", HAP_CODEC_ERROR_OUT_OF_RANGE }, /* code 10^8 | IP | cat 1 */
};

static void
test_payload_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_payloads); i++) {
    HapSetupPayload parsed;
    GError *error = NULL;

    g_test_message ("payload: '%s'", invalid_payloads[i].payload);
    g_assert_false (hap_setup_payload_parse (invalid_payloads[i].payload, -1, &parsed, &error));
    g_assert_error (error, HAP_CODEC_ERROR, (gint) invalid_payloads[i].error);
    g_clear_error (&error);
  }
  /* An embedded NUL within the given length. */
  {
    static const char with_nul[HAP_SETUP_PAYLOAD_LEN] = "X-HM://0071WK4S\0"
                                                        "7OSX";
    HapSetupPayload parsed;
    GError *error = NULL;

    g_assert_false (hap_setup_payload_parse (with_nul, sizeof with_nul, &parsed, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
  }
}

/* Build -> parse over random codes, IDs, categories and flag sets. */
static void
test_payload_roundtrip (void)
{
  for (guint i = 0; i < 300; i++) {
    g_autofree gchar *code = hap_setup_code_generate ();
    g_autofree gchar *id = hap_setup_id_generate ();
    guint category = 1 + i % 255;
    HapSetupFlags flags = (HapSetupFlags) (i % 8);
    g_autofree gchar *payload = hap_setup_payload_build (code, id, category, flags);
    HapSetupPayload parsed;

    g_assert_nonnull (payload);
    g_assert_cmpuint (strlen (payload), ==, HAP_SETUP_PAYLOAD_LEN);
    g_assert_true (g_str_has_prefix (payload, "X-HM://"));
    g_assert_true (g_str_has_suffix (payload, id));
    g_assert_true (hap_setup_payload_parse (payload, -1, &parsed, NULL));
    g_assert_cmpstr (parsed.setup_code, ==, code);
    g_assert_cmpstr (parsed.setup_id, ==, id);
    g_assert_cmpuint (parsed.category, ==, category);
    g_assert_cmpuint (parsed.flags, ==, flags);
  }
}

/* ---- Setup hash ---------------------------------------------------------------------------- */

typedef struct {
  const char *setup_id;
  const char *device_id;
  guint8 hash[4];
  const char *txt;
} HashVector;

static const HashVector hash_vectors[] = {
  /* HomeKitADK Tests/HAPAccessorySetupGetSetupHashTest.c */
  { "7OSX", "E1:91:1A:70:85:AA", { 0xc9, 0xfe, 0x1b, 0xcf }, "yf4bzw==" },
  { "7OSX", "C8:D8:58:C6:63:F5", { 0xef, 0x5d, 0x8e, 0x9b }, "712Omw==" },
};

static void
test_setup_hash (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (hash_vectors); i++) {
    const HashVector *hv = &hash_vectors[i];
    guint8 hash[HAP_SETUP_HASH_LEN];
    g_autofree gchar *txt = NULL;

    hap_setup_hash (hv->setup_id, hv->device_id, hash);
    g_assert_cmpmem (hash, sizeof hash, hv->hash, 4);
    txt = hap_setup_hash_txt (hv->setup_id, hv->device_id);
    g_assert_cmpstr (txt, ==, hv->txt);
  }
}

/* Caller misuse is refused with a critical, not a crash or a wrong value. */
static void
test_misuse (void)
{
  if (g_test_subprocess ()) {
    g_assert_null (hap_setup_payload_build ("123-45-678", "7OSX", 17, HAP_SETUP_FLAG_IP));
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

static void
test_misuse_hash (void)
{
  if (g_test_subprocess ()) {
    g_assert_null (hap_setup_hash_txt ("7OSX", "e1:91:1a:70:85:aa"));
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/setup-payload/code-valid", test_code_valid);
  g_test_add_func ("/setup-payload/code-invalid", test_code_invalid);
  g_test_add_func ("/setup-payload/code-generate", test_code_generate);
  g_test_add_func ("/setup-payload/setup-id", test_setup_id);
  g_test_add_func ("/setup-payload/setup-id-generate", test_setup_id_generate);
  g_test_add_func ("/setup-payload/device-id", test_device_id);
  g_test_add_func ("/setup-payload/payload-vectors", test_payload_vectors);
  g_test_add_func ("/setup-payload/payload-parse-forms", test_payload_parse_forms);
  g_test_add_func ("/setup-payload/payload-invalid", test_payload_invalid);
  g_test_add_func ("/setup-payload/payload-roundtrip", test_payload_roundtrip);
  g_test_add_func ("/setup-payload/setup-hash", test_setup_hash);
  g_test_add_func ("/setup-payload/misuse-build", test_misuse);
  g_test_add_func ("/setup-payload/misuse-hash", test_misuse_hash);

  return g_test_run ();
}

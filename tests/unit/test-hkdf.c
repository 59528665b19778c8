/* Unit tests for hap/hkdf.c (HKDF-SHA512, RFC 5869). */
#include <string.h>

#include "hap/hkdf.h"
#include "tests/common/test-util.h"

/* Wycheproof HKDF-SHA-512 vectors (testvectors/hkdf_sha512_test.json, source
 * "google-wycheproof" version 0.8rc17, https://github.com/C2SP/wycheproof), selected tcIds:
 * empty salt, empty info, salt shorter than / equal to / longer than the block size, and the
 * zero-salt / empty-salt equivalence. Each entry was also cross-checked against Python's
 * hmac/hashlib running RFC 5869 step by step. */
typedef struct {
  guint tc_id;
  const gchar *ikm;
  const gchar *salt;
  const gchar *info;
  gsize size;
  const gchar *okm;
} HkdfVector;

static const HkdfVector wycheproof_vectors[] = {
  { 1, "60ab7f45b0ad534683b3a6c020d4f775", "", "", 20, "2109bd244744acae2b8caa9e70f57596ad680212" },
  { 2, "e3db76e02278cbd2adbcb4555803da11", "", "", 42,
      "b28e3c338c70ede899f2a2654f2cd7e0d958d16eab2fa2a76035a2696054b68fa963c617b8fc2a826917" },
  { 3, "d4dcb92a769f57c8bab8a420ee0aa351", "", "", 64,
      "a8420281c08c5f087c9d54d5660847805b0fff2d6257f02bf849badfa8a29bee84ebe704a6eadc0beba0c338"
      "05d5843e167b1966aeba6a15b0f1f7b3db8c407a" },
  { 6, "5b01b2da3166f217cdd68de8af60078f", "", "6884cfa7ffe8f27bf4ebc6e46a7e01488c79243a", 64,
      "01e10d4c477c906d4f67105e4a8054bd2e9479d726166893fcf77b5df431ad007c0ae42847d3706a770a5e46"
      "8783c9519804be63a404112dcd4ecea952952b73" },
  { 9, "08867e76311126089356623ba5381e73", "0c164c443edcdfaedb1ab150f047951f", "", 64,
      "098d9f9e0e0c609b94e8aa57b0449cdb3929605f821cda305e4d93746553a40a1e4c97565183e116511c3dc5"
      "d9d56561c698849a114692c8128b5d3c1cd728f7" },
  { 12, "8677dc79233ef3480777c4c601ef4f0b", "ad88db718244e2cb60e35f874d7ad81f",
      "a38f634d947819a9bfa792174b42baa20c9fce15", 64,
      "918e9cda37bf7f52506111048a878e64a503f9869d0c2615047b995f1efedc4f713b4dbcc940838e68f6a2bf"
      "772ebefae9154e9075da80ea1fd68b9df580ad76" },
  { 17, "49bf155ca102026f2a217ea1bc9843ac",
      "76776e3b4d75f8f43dce4bded71f3b1ae6bcb012d9c0d59f78248b9427b8",
      "851bda4faa8f7add2a3cbf0acf9c2786f8f955b2", 42,
      "4a540a643b1597bfbd4cb38953f31b677c02c40cdcbdb6c48984aa8ff3e5dc17caf09d0a6f67afe92cb0" },
  { 20, "34bae5a158c1678aa76a744417a70d7a",
      "1532075f363e061133780ac959bf653c7687d181b9431215d6f62dd2f1ec3019d61c50fa82c70ae25e624c84"
      "9a276b0c57d7c02a4d753fe84a1a6621e9a5ef01",
      "87ec30aa53acfc3d09ccc1d57d654fdbce403cd4", 42,
      "65f5385dab06d375033a6a25926ef4bf5dc660737ab8ccef370af10cc9dcd7743cf273fd048f64b7301e" },
  { 23, "5943c65bc33bf05a205b04be8ae0ab2e", "", "be082f301a03f87787a80fbea88941214d50c42b", 32,
      "e91cabd2038706c02f8ba3102a545f40f340bf65de30d3c37c2408f14df06e1a" },
  { 24, "5943c65bc33bf05a205b04be8ae0ab2e",
      "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
      "000000000000000000000000000000000000000000",
      "be082f301a03f87787a80fbea88941214d50c42b", 32,
      "e91cabd2038706c02f8ba3102a545f40f340bf65de30d3c37c2408f14df06e1a" },
  { 25, "5943c65bc33bf05a205b04be8ae0ab2e",
      "329f445e7de8a156cf26a0208dbb028d9de6ef76b8de67ca634f4a5a732138a1bd436a7b345d7a0314c7ed0a"
      "00b0d34ecad2cb8bd141e2ecc1c77e237094d55154",
      "be082f301a03f87787a80fbea88941214d50c42b", 32,
      "23117b38f94d22c8180ed72976a1f784fe591caebb6a07c1f0cbf8e29c6938ee" },
  { 27, "5943c65bc33bf05a205b04be8ae0ab2e", "e69dcaad55fb0536",
      "be082f301a03f87787a80fbea88941214d50c42b", 32,
      "e81c7970f06808e8cab6bc6f3a7ea308b19702197cb41a04eef602df9e26d05c" },
  { 41, "34b85c341a04cbade472b3f7dee4de4d1954bf70", "b066b42acea664350a8448f8e064225f", "", 42,
      "81703cfa5d5f3af1d2105e047f0cba013c1ad5eb27e8d408566a10e00a7e90da4a30a559b33f353d6932" },
  { 53, "d509c509f91d78c33b9d661e6df1992b2b6ae429",
      "95ff4b20ade46bada320316dad7e2b4286e93dfa2a72c6366c5ddfe8ce2ff344729ea56416d5b53074c6d6c4"
      "eb4e4873980e5e4a4991d6b1497aef822e16e209",
      "bea4f60eff1a0c6ab664ff3db2f774347920a482", 42,
      "7d1b8de204154bda72a69644c6635be89fc1859619f101ef215960dd9c776206e9dcb8e5545dec95b2e8" },
};

static void
test_wycheproof (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (wycheproof_vectors); i++) {
    const HkdfVector *v = &wycheproof_vectors[i];
    gsize ikm_len, salt_len, info_len;
    g_autofree guint8 *ikm = hap_test_unhex (v->ikm, &ikm_len);
    g_autofree guint8 *salt = hap_test_unhex (v->salt, &salt_len);
    g_autofree guint8 *info = hap_test_unhex (v->info, &info_len);
    g_autofree guint8 *out = g_malloc0 (v->size);
    guint8 prk[HAP_HKDF_SHA512_HASH_LEN];
    g_autofree guint8 *out2 = g_malloc0 (v->size);

    g_test_message ("wycheproof tcId %u", v->tc_id);
    g_assert_true (hap_hkdf_sha512 (ikm, ikm_len, salt_len ? salt : NULL, salt_len,
        info_len ? info : NULL, info_len, out, v->size));
    hap_test_assert_hex_equal (out, v->size, v->okm);

    /* The two-step API gives the same bytes. */
    hap_hkdf_sha512_extract (salt, salt_len, ikm, ikm_len, prk);
    g_assert_true (hap_hkdf_sha512_expand (prk, sizeof prk, info, info_len, out2, v->size));
    g_assert_cmpmem (out, v->size, out2, v->size);
  }
}

/* Wycheproof tcId 21 ("maximal output size", 16320 = 255 * 64 bytes): first 64 and last 48
 * bytes of the published okm. */
static void
test_max_output (void)
{
  gsize ikm_len, salt_len, info_len;
  g_autofree guint8 *ikm = hap_test_unhex ("dfc7c0159b921546a4ccb3067cafdd6c", &ikm_len);
  g_autofree guint8 *salt
      = hap_test_unhex ("8dec7fa5cb2bf9d277121bd42e04d963f3a6aa6ed54606babc4a40c2102968"
                        "48c08d79c03d018a3f71112dae4d63a0ff86cbe1174457f28946f3af58327d"
                        "45fc",
          &salt_len);
  g_autofree guint8 *info = hap_test_unhex ("7fa60cc2c830aba2", &info_len);
  g_autofree guint8 *out = g_malloc0 (HAP_HKDF_SHA512_MAX_OUT + 1);

  g_assert_cmpuint (HAP_HKDF_SHA512_MAX_OUT, ==, 16320);
  out[HAP_HKDF_SHA512_MAX_OUT] = 0xA5; /* canary */
  g_assert_true (
      hap_hkdf_sha512 (ikm, ikm_len, salt, salt_len, info, info_len, out, HAP_HKDF_SHA512_MAX_OUT));
  hap_test_assert_hex_equal (out, 64,
      "b52c51a447b923e2e6acfc05cd6fb0fb65d8f67f7facce95d3fd4b0dc0dc41d7a92bd06c1fa156d7756d603f"
      "8c26a5023cb842c7a133850e842aceea3779417d");
  hap_test_assert_hex_equal (out + HAP_HKDF_SHA512_MAX_OUT - 48, 48,
      "b3d55a8b53af132f08d719a0860cae66962246e8ab1d99cee40b3db0579302fc23fa41f0e16a6b74728b07c8"
      "33f6276c");
  g_assert_cmpuint (out[HAP_HKDF_SHA512_MAX_OUT], ==, 0xA5);
}

/* The HAP uses (PROTOCOL.md section 1): ASCII salt and info strings, 32-byte keys. There are no
 * published vectors for these labels; the expected values were computed independently with
 * Python 3's hmac + hashlib implementing RFC 5869 (extract, then expand) over
 * IKM = 00 01 02 ... 1f (32 bytes). */
typedef struct {
  const gchar *salt;
  const gchar *info;
  const gchar *okm;
} HapLabelVector;

static const HapLabelVector hap_vectors[] = {
  { "Pair-Setup-Encrypt-Salt", "Pair-Setup-Encrypt-Info",
      "52890146745a52e57b82b859a7a3679c7f3d40bb295b055a0c8fa8af92a3746d" },
  { "Control-Salt", "Control-Read-Encryption-Key",
      "c09403ef8aa6c5045cbd8cf9bf3e665b2caed623af2be0e87c8f80f519914d3d" },
};

static void
test_hap_labels (void)
{
  guint8 ikm[32];

  for (gsize i = 0; i < sizeof ikm; i++)
    ikm[i] = (guint8) i;

  for (gsize i = 0; i < G_N_ELEMENTS (hap_vectors); i++) {
    const HapLabelVector *v = &hap_vectors[i];
    guint8 out[32];

    g_assert_true (hap_hkdf_sha512 (ikm, sizeof ikm, (const guint8 *) v->salt, strlen (v->salt),
        (const guint8 *) v->info, strlen (v->info), out, sizeof out));
    hap_test_assert_hex_equal (out, sizeof out, v->okm);
  }
}

/* Caller misuse: rejected with a critical, output untouched. */
typedef struct {
  const gchar *name;
  gsize prk_len;
  gsize out_len;
  gboolean null_out;
} HkdfInvalid;

static const HkdfInvalid invalid_params[] = {
  { "out_len over 255*64 (Wycheproof tcId 22 size)", 64, 16321, FALSE },
  { "out_len far too large", 64, G_MAXSIZE, FALSE },
  { "out_len zero", 64, 0, FALSE },
  { "empty prk", 0, 32, FALSE },
  { "NULL out", 64, 32, TRUE },
};

static void
test_invalid_params (void)
{
  guint8 prk[HAP_HKDF_SHA512_HASH_LEN] = { 1 };
  guint8 ikm[16] = { 2 };

  for (gsize i = 0; i < G_N_ELEMENTS (invalid_params); i++) {
    const HkdfInvalid *v = &invalid_params[i];
    guint8 out[64];
    guint8 zero[64] = { 0 };
    guint8 *o = v->null_out ? NULL : out;

    g_test_message ("invalid: %s", v->name);
    memset (out, 0, sizeof out);

    g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
    g_assert_false (hap_hkdf_sha512_expand (prk, v->prk_len, NULL, 0, o, v->out_len));
    g_test_assert_expected_messages ();
    g_assert_cmpmem (out, sizeof out, zero, sizeof zero);

    if (v->prk_len > 0) {
      g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
      g_assert_false (hap_hkdf_sha512 (ikm, sizeof ikm, NULL, 0, NULL, 0, o, v->out_len));
      g_test_assert_expected_messages ();
      g_assert_cmpmem (out, sizeof out, zero, sizeof zero);
    }
  }

  /* NULL with a non-zero length. */
  {
    guint8 out[32];

    g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
    g_assert_false (hap_hkdf_sha512 (NULL, 5, NULL, 0, NULL, 0, out, sizeof out));
    g_test_assert_expected_messages ();
    g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
    g_assert_false (hap_hkdf_sha512 (ikm, sizeof ikm, NULL, 3, NULL, 0, out, sizeof out));
    g_test_assert_expected_messages ();
    g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
    g_assert_false (hap_hkdf_sha512 (ikm, sizeof ikm, NULL, 0, NULL, 7, out, sizeof out));
    g_test_assert_expected_messages ();
  }
}

/* Every output length from 1 to 3 blocks + 1 is a prefix of the longest output (T(i) do not
 * depend on L), and the length limit is inclusive. */
static void
test_prefix_property (void)
{
  guint8 ikm[22];
  guint8 full[3 * HAP_HKDF_SHA512_HASH_LEN + 1];

  memset (ikm, 0x0b, sizeof ikm);
  g_assert_true (hap_hkdf_sha512 (ikm, sizeof ikm, NULL, 0, NULL, 0, full, sizeof full));
  for (gsize len = 1; len <= sizeof full; len++) {
    guint8 out[sizeof full];

    g_assert_true (hap_hkdf_sha512 (ikm, sizeof ikm, NULL, 0, NULL, 0, out, len));
    g_assert_cmpmem (out, len, full, len);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hkdf/wycheproof", test_wycheproof);
  g_test_add_func ("/hkdf/max-output", test_max_output);
  g_test_add_func ("/hkdf/hap-labels", test_hap_labels);
  g_test_add_func ("/hkdf/invalid-params", test_invalid_params);
  g_test_add_func ("/hkdf/prefix-property", test_prefix_property);

  return g_test_run ();
}

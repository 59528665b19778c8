/* Unit tests for hap/srp.c (SRP-6a, RFC 5054, as HAP pair-setup uses it). */
#include <string.h>

#include "hap/srp.h"
#include "tests/common/test-util.h"

/* ---- RFC 5054 appendix B: 1024-bit group (appendix A), SHA-1 ---- */
#define RFC_I "alice"
#define RFC_P "password123"
#define RFC_S "BEB25379 D1A8581E B5A72767 3A2441EE"
#define RFC_K "7556AA04 5AEF2CDD 07ABAF0F 665C3E81 8913186F"
#define RFC_X "94B7555A ABE9127C C58CCF49 93DB6CF8 4D16C124"
#define RFC_V                                                      \
  "7E273DE8 696FFC4F 4E337D05 B4B375BE B0DDE156 9E8FA00A 9886D812" \
  "9BADA1F1 822223CA 1A605B53 0E379BA4 729FDC59 F105B478 7E5186F5" \
  "C671085A 1447B52A 48CF1970 B4FB6F84 00BBF4CE BFBB1681 52E08AB5" \
  "EA53D15C 1AFF87B2 B9DA6E04 E058AD51 CC72BFC9 033B564E 26480D78" \
  "E955A5E2 9E7AB245 DB2BE315 E2099AFB"
#define RFC_a "60975527 035CF2AD 1989806F 0407210B C81EDC04 E2762A56 AFD529DD DA2D4393"
#define RFC_b "E487CB59 D31AC550 471E81F0 0F6928E0 1DDA08E9 74A004F4 9E61F5D1 05284D20"
#define RFC_A                                                      \
  "61D5E490 F6F1B795 47B0704C 436F523D D0E560F0 C64115BB 72557EC4" \
  "4352E890 3211C046 92272D8B 2D1A5358 A2CF1B6E 0BFCF99F 921530EC" \
  "8E393561 79EAE45E 42BA92AE ACED8251 71E1E8B9 AF6D9C03 E1327F44" \
  "BE087EF0 6530E69F 66615261 EEF54073 CA11CF58 58F0EDFD FE15EFEA" \
  "B349EF5D 76988A36 72FAC47B 0769447B"
#define RFC_B                                                      \
  "BD0C6151 2C692C0C B6D041FA 01BB152D 4916A1E7 7AF46AE1 05393011" \
  "BAF38964 DC46A067 0DD125B9 5A981652 236F99D9 B681CBF8 7837EC99" \
  "6C6DA044 53728610 D0C6DDB5 8B318885 D7D82C7F 8DEB75CE 7BD4FBAA" \
  "37089E6F 9C6059F3 88838E7A 00030B33 1EB76840 910440B1 B27AAEAE" \
  "EB4012B7 D7665238 A8E3FB00 4B117B58"
#define RFC_U "CE38B959 3487DA98 554ED47D 70A7AE5F 462EF019"
#define RFC_PREMASTER                                              \
  "B0DC82BA BCF30674 AE450C02 87745E79 90A3381F 63B387AA F271A10D" \
  "233861E3 59B48220 F7C4693C 9AE12B0A 6F67809F 0876E2D0 13800D6C" \
  "41BB59B6 D5979B5C 00A172B4 A2A5903A 0BDCAF8A 709585EB 2AFAFA8F" \
  "3499B200 210DCC1F 10EB3394 3CD67FC8 8A2F39A4 BE5BEC4E C0A3212D" \
  "C346D7E4 74B29EDE 8A469FFE CA686E5A"

#define G1024 HAP_SRP_GROUP_1024
#define G3072 HAP_SRP_GROUP_3072
#define SHA1 HAP_SRP_HASH_SHA1
#define SHA512 HAP_SRP_HASH_SHA512

static void
test_rfc5054_building_blocks (void)
{
  gsize salt_len, a_len, b_len;
  g_autofree guint8 *salt = hap_test_unhex (RFC_S, &salt_len);
  g_autofree guint8 *a_pub = hap_test_unhex (RFC_A, &a_len);
  g_autofree guint8 *b_pub = hap_test_unhex (RFC_B, &b_len);
  guint8 x[20], k[20], u[20], v[128];

  g_assert_cmpuint (hap_srp_group_len (G1024), ==, 128);
  g_assert_cmpuint (hap_srp_hash_len (SHA1), ==, 20);

  g_assert_true (hap_srp_compute_x (
      SHA1, salt, salt_len, RFC_I, (const guint8 *) RFC_P, strlen (RFC_P), x, sizeof x));
  hap_test_assert_hex_equal (x, sizeof x, RFC_X);

  g_assert_true (hap_srp_compute_k (G1024, SHA1, k, sizeof k));
  hap_test_assert_hex_equal (k, sizeof k, RFC_K);

  g_assert_true (hap_srp_compute_verifier (
      G1024, SHA1, salt, salt_len, RFC_I, (const guint8 *) RFC_P, strlen (RFC_P), v, sizeof v));
  hap_test_assert_hex_equal (v, sizeof v, RFC_V);

  g_assert_true (hap_srp_compute_u (G1024, SHA1, a_pub, a_len, b_pub, b_len, u, sizeof u));
  hap_test_assert_hex_equal (u, sizeof u, RFC_U);
}

static void
test_rfc5054_exchange (void)
{
  gsize salt_len, a_len, b_len, sa_len, sb_len, v_len, len, len2;
  g_autofree guint8 *salt = hap_test_unhex (RFC_S, &salt_len);
  g_autofree guint8 *a_priv = hap_test_unhex (RFC_a, &sa_len);
  g_autofree guint8 *b_priv = hap_test_unhex (RFC_b, &sb_len);
  g_autofree guint8 *a_vec = hap_test_unhex (RFC_A, &a_len);
  g_autofree guint8 *b_vec = hap_test_unhex (RFC_B, &b_len);
  g_autofree guint8 *v_vec = hap_test_unhex (RFC_V, &v_len);
  g_autoptr (HapSrpServer) server = NULL;
  g_autoptr (HapSrpServer) server_v = NULL;
  g_autoptr (HapSrpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *p, *q;

  server = hap_srp_server_new (
      G1024, SHA1, RFC_I, (const guint8 *) RFC_P, strlen (RFC_P), salt, salt_len, b_priv, sb_len);
  g_assert_nonnull (server);
  p = hap_srp_server_get_public_key (server, &len);
  hap_test_assert_hex_equal (p, len, RFC_B);
  p = hap_srp_server_get_salt (server, &len);
  hap_test_assert_hex_equal (p, len, RFC_S);

  /* The same B from the stored verifier. */
  server_v = hap_srp_server_new_with_verifier (
      G1024, SHA1, RFC_I, salt, salt_len, v_vec, v_len, b_priv, sb_len);
  p = hap_srp_server_get_public_key (server_v, &len);
  hap_test_assert_hex_equal (p, len, RFC_B);

  client = hap_srp_client_new (
      G1024, SHA1, RFC_I, (const guint8 *) RFC_P, strlen (RFC_P), a_priv, sa_len);
  g_assert_nonnull (client);
  p = hap_srp_client_get_public_key (client, &len);
  hap_test_assert_hex_equal (p, len, RFC_A);
  g_assert_null (hap_srp_client_get_proof (client, NULL));
  g_assert_null (hap_srp_client_get_premaster_secret (client, NULL));

  /* Premaster secret on both sides, from the published A and B. */
  g_assert_true (
      hap_srp_client_set_server_public_key (client, salt, salt_len, b_vec, b_len, &error));
  g_assert_no_error (error);
  p = hap_srp_client_get_premaster_secret (client, &len);
  hap_test_assert_hex_equal (p, len, RFC_PREMASTER);

  g_assert_null (hap_srp_server_get_premaster_secret (server, NULL));
  g_assert_true (hap_srp_server_set_client_public_key (server, a_vec, a_len, &error));
  g_assert_no_error (error);
  p = hap_srp_server_get_premaster_secret (server, &len);
  hap_test_assert_hex_equal (p, len, RFC_PREMASTER);

  g_assert_true (hap_srp_server_set_client_public_key (server_v, a_vec, a_len, &error));
  p = hap_srp_server_get_premaster_secret (server_v, &len);
  hap_test_assert_hex_equal (p, len, RFC_PREMASTER);

  /* Proofs (RFC 5054 publishes none; both sides must agree) and session keys. */
  g_assert_null (hap_srp_server_get_session_key (server, NULL));
  g_assert_null (hap_srp_server_get_proof (server, NULL));
  p = hap_srp_client_get_proof (client, &len);
  g_assert_cmpuint (len, ==, 20);
  g_assert_true (hap_srp_server_verify_client_proof (server, p, len, &error));
  g_assert_no_error (error);
  p = hap_srp_server_get_proof (server, &len);
  g_assert_nonnull (p);
  g_assert_null (hap_srp_client_get_session_key (client, NULL));
  g_assert_true (hap_srp_client_verify_server_proof (client, p, len, &error));
  g_assert_no_error (error);
  p = hap_srp_client_get_session_key (client, &len);
  q = hap_srp_server_get_session_key (server, &len2);
  g_assert_cmpmem (p, len, q, len2);
  g_assert_cmpuint (len, ==, 20);
}

/* ---- HAP: 3072-bit group, SHA-512 ----
 * No public standard publishes vectors for this combination. These values come from an
 * independent implementation, fast-srp-hap 2.0.4 (the SRP of HAP-NodeJS, under
 * tests/interop/node_modules), run with params "hap", I = "Pair-Setup", P = "123-45-678",
 * the RFC 5054 salt and the RFC 5054 private values a and b. */
#define HAP_P "123-45-678"
#define HAP_V                                                                                    \
  "cfe3853f15657e2ee3638ffb7a7743c76cc1f85c0d7fcf2db85172c77800eda219e0e4fa98c95cb7634d4a35e8c7" \
  "4d6f728cf3864990c4e93c32f5120d71da56ecf3711a02e9e0727cef62920e815306cc4c4375a40991b9e074a69f" \
  "bf06986b49c92edcda1e9a35ed4ef0b7d4351c1cc8c87844c560e1942e24438e50b04cbb888674500e7924491735" \
  "98045dd1cba0c2128b2661f03d4417b29b4426a732b9ce929abc431f561241633e095cc3b03976ed2bdc39ca2fd5" \
  "265dade7cd04dd84122278f190edc86c6ae9e1cedc03ec6d97218b7d587d47286678d305a5168c07873d79ac72a4" \
  "2fe39235791a0f2841c68b2a89f5acb512a799e5842dca9eeaa3b21e9ff5072e94aecb8f3572a540a65e577407bf" \
  "0bed9a1b32f32c7161f675b4a2e29353fac3463989f45522e6c0903154fbc51ba29079af6f7330ad596ea4b95b35" \
  "33e3c2f78fec6cb3946e9e7d5dabb67d5605ea517eea2c2fc18552b80e3f7b97168d2a9eb635205c534c46ecc51a" \
  "052a4ff8ae5eb199129720e8c0ffaedd"
#define HAP_A                                                                                    \
  "fab6f5d2615d1e323512e7991cc37443f487da604ca8c9230fcb04e541dce6280b27ca4680b0374f179dc3bdc755" \
  "3fe62459798c701ad864a91390a28c93b644adbf9c00745b942b79f9012a21b9b78782319d83a1f8362866fbd6f4" \
  "6bfc0ddb2e1ab6e4b45a9906b82e37f05d6f97f6a3eb6e182079759c4f6847837b62321ac1b4fa68641fcb4bb98d" \
  "d697a0c73641385f4bab25b793584cc39fc8d48d4bd867a9a3c10f8ea12170268e34fe3bbe6ff89998d60da2f3e4" \
  "283cbec1393d52af724a57230c604e9fbce583d7613e6bffd67596ad121a8707eec46944957033686a155f644d5c" \
  "5863b48f61bdbf19a53eab6dad0a186b8c152e5f5d8cad4b0ef8aa4ea5008834c3cd342e5e0f167ad04592cd8bd2" \
  "79639398ef9e114dfaaab919e14e850989224ddd98576d79385d2210902e9f9b1f2d86cfa47ee244635465f71058" \
  "421a0184be51dd10cc9d079e6f1604e7aa9b7cf7883c7d4ce12b06ebe16081e23f27a231d18432d7d1bb55c28ae2" \
  "1ffcf005f57528d15a88881bb3bbb7fe"
#define HAP_B                                                                                    \
  "f10ea26e7f6729cf4ad84ee29797902444db19e43a4208f0228db31dbcebf1ce2599dd34db5527b459959d03def8" \
  "23ca34b26acebdcda6e5be266bda03434f4199709b44f9006319c8c9954440cfa8513a3efaf891ffe7e9a22d114a" \
  "627ff876a169f8475f2338342ec9a22916ff13949848d2653bfbad782b99e2f0dbe5a6c5e698a3b895a426dc357c" \
  "6986001b9023b0eb05a13c3b9ec04ee837ddfc12eef3536dab67ec1c47881eb87bbfbe7f010823d051d33e15c6e9" \
  "138780395d4ecf10bf610e11a5b0e3ee8d122665feba6b17c9eba084a60d15aae69152b827b507ede6d824237d85" \
  "96a51e6355faf8727d5e67f91e60ac85feebdb852eeb61c9e6d17a48d55d6bc815adfe03daec5b6bd8a3d28b8fe4" \
  "bc78e452c2cd8aa89fedaf39252f4cb354c595c09fa2251078746482fba13daf27e156aabd18800efd97e4729b74" \
  "217bc9611d54250422b00c0ade7bf0721c5f1b7d479c3c32d6d34b29d2fbe158ebe5ad9e9e40d997f755e919c77a" \
  "d5be10300d55bbe921aee598d4dbfff3"
#define HAP_U                                                                                    \
  "d4af9d1fde81c67160f53a86495e58016c71109e769944d65a07835170e52b7a579e8273e1cfa374537535e74d61" \
  "7c530f403914049da1757c50e7361d078fe4"
#define HAP_PREMASTER                                                                            \
  "309ce4265954b7f9005a7e137eca9173e313c349445b54f36e38668a66ec011a1ca015e8fc24e16b0d87d95b8083" \
  "d8fd722acb81c1a96ae87e0b80d1789d66705a41f90286c852a73e139a5dc628be44d4f7b4c76e6506af49b22ec2" \
  "fedaaec85c518a71e7867db978997234ade66b5beb0aaa1259409778f7b461fcc0d1a2884ffa4fbb1084b733be16" \
  "f1a6ed890269541df5356cf871e38c3c6fc93edd1952efb89e6b92c0452f8766648f3b48337dd32b39bf20a64632" \
  "719de457910760cd81188beac6176e24555952ec3d3d84cfcc320f25381b525269e263528838f5a7a62c85d350f1" \
  "c28856e90eaf9907f8471b8ce5b7c251472c7302ca8bd04e17412b24d6c3d70e4a16caeb65df5d33ec0d4e06869d" \
  "99c690d872a8693d273c8f92c4789adc376844d4d0621f0dc38f9c550e7312c8f9da78ef20ddcf5954133e83f76d" \
  "dacf8a5ece59b2b61770ded05418fc37af37ca29a423848b16d929335a4f7cae9025f2bdf4a368fc6e510eec39a3" \
  "4dc15665ebee4b504cb55f47edb48a5c"
#define HAP_K                                                                                    \
  "8d81d9699f88f80724b5ccea8af575afb9ec0e32a6986336a58e7697f8394b541751f886a362c05e86cac223a522" \
  "218b4c704635accacbff498b5a17e6baa3be"
#define HAP_M1                                                                                   \
  "5405c5ad299a761d8afe17c45383de84a46f6c0d437a29bd9476bf4b77dd79e7b95674a966498a3c5f98bf8c933f" \
  "4baba9555765fc1ecc240eaeda3363a68d42"
#define HAP_M2                                                                                   \
  "65623be9ae14a44abcee4951655103a51913c84dbd90eda6c386819bfe7d2b0d7603ce198b4c0b257dfec327bcf0" \
  "35cc0dacd7e47b79c585aec992af0490c61b"

static void
test_hap_known_answer (void)
{
  gsize salt_len, sa_len, sb_len, a_len, b_len, len;
  g_autofree guint8 *salt = hap_test_unhex (RFC_S, &salt_len);
  g_autofree guint8 *a_priv = hap_test_unhex (RFC_a, &sa_len);
  g_autofree guint8 *b_priv = hap_test_unhex (RFC_b, &sb_len);
  g_autofree guint8 *a_vec = hap_test_unhex (HAP_A, &a_len);
  g_autofree guint8 *b_vec = hap_test_unhex (HAP_B, &b_len);
  g_autoptr (HapSrpServer) server = NULL;
  g_autoptr (HapSrpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  guint8 v[HAP_SRP_3072_LEN], u[HAP_SRP_SHA512_LEN];
  const guint8 *p;

  g_assert_cmpuint (hap_srp_group_len (G3072), ==, HAP_SRP_3072_LEN);
  g_assert_cmpuint (hap_srp_hash_len (SHA512), ==, HAP_SRP_SHA512_LEN);

  g_assert_true (hap_srp_compute_verifier (G3072, SHA512, salt, salt_len, HAP_SRP_USERNAME,
      (const guint8 *) HAP_P, strlen (HAP_P), v, sizeof v));
  hap_test_assert_hex_equal (v, sizeof v, HAP_V);
  g_assert_true (hap_srp_compute_u (G3072, SHA512, a_vec, a_len, b_vec, b_len, u, sizeof u));
  hap_test_assert_hex_equal (u, sizeof u, HAP_U);

  server = hap_srp_server_new (G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) HAP_P,
      strlen (HAP_P), salt, salt_len, b_priv, sb_len);
  client = hap_srp_client_new (
      G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) HAP_P, strlen (HAP_P), a_priv, sa_len);
  p = hap_srp_server_get_public_key (server, &len);
  hap_test_assert_hex_equal (p, len, HAP_B);
  p = hap_srp_client_get_public_key (client, &len);
  hap_test_assert_hex_equal (p, len, HAP_A);

  g_assert_true (hap_srp_server_set_client_public_key (server, a_vec, a_len, &error));
  g_assert_no_error (error);
  g_assert_true (
      hap_srp_client_set_server_public_key (client, salt, salt_len, b_vec, b_len, &error));
  g_assert_no_error (error);
  p = hap_srp_server_get_premaster_secret (server, &len);
  hap_test_assert_hex_equal (p, len, HAP_PREMASTER);
  p = hap_srp_client_get_premaster_secret (client, &len);
  hap_test_assert_hex_equal (p, len, HAP_PREMASTER);

  p = hap_srp_client_get_proof (client, &len);
  hap_test_assert_hex_equal (p, len, HAP_M1);
  g_assert_true (hap_srp_server_verify_client_proof (server, p, len, &error));
  g_assert_no_error (error);
  p = hap_srp_server_get_proof (server, &len);
  hap_test_assert_hex_equal (p, len, HAP_M2);
  g_assert_true (hap_srp_client_verify_server_proof (client, p, len, &error));
  g_assert_no_error (error);
  p = hap_srp_server_get_session_key (server, &len);
  hap_test_assert_hex_equal (p, len, HAP_K);
  p = hap_srp_client_get_session_key (client, &len);
  hap_test_assert_hex_equal (p, len, HAP_K);
}

/* One full exchange with random salt and private values; returns whether both proofs
 * verified, and checks the keys agree when they did. */
static gboolean
run_exchange (const gchar *server_password, const gchar *client_password, GError **error)
{
  g_autoptr (HapSrpServer) server = NULL;
  g_autoptr (HapSrpClient) client = NULL;
  const guint8 *a_pub, *b_pub, *salt, *m1, *m2, *k1, *k2;
  gsize a_len, b_len, salt_len, m1_len, m2_len, k1_len, k2_len;

  server = hap_srp_server_new (G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) server_password,
      strlen (server_password), NULL, 0, NULL, 0);
  client = hap_srp_client_new (G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) client_password,
      strlen (client_password), NULL, 0);
  g_assert_nonnull (server);
  g_assert_nonnull (client);

  /* M1/M2: salt and B to the controller. */
  salt = hap_srp_server_get_salt (server, &salt_len);
  b_pub = hap_srp_server_get_public_key (server, &b_len);
  g_assert_cmpuint (salt_len, ==, HAP_SRP_SALT_LEN);
  g_assert_cmpuint (b_len, ==, HAP_SRP_3072_LEN);
  /* M3: A and M1 to the accessory. */
  if (!hap_srp_client_set_server_public_key (client, salt, salt_len, b_pub, b_len, error))
    return FALSE;
  a_pub = hap_srp_client_get_public_key (client, &a_len);
  m1 = hap_srp_client_get_proof (client, &m1_len);
  g_assert_cmpuint (a_len, ==, HAP_SRP_3072_LEN);
  g_assert_cmpuint (m1_len, ==, HAP_SRP_SHA512_LEN);
  if (!hap_srp_server_set_client_public_key (server, a_pub, a_len, error))
    return FALSE;
  if (!hap_srp_server_verify_client_proof (server, m1, m1_len, error)) {
    g_assert_null (hap_srp_server_get_proof (server, NULL));
    g_assert_null (hap_srp_server_get_session_key (server, NULL));
    g_assert_null (hap_srp_server_get_premaster_secret (server, NULL));
    return FALSE;
  }
  /* M4: M2 to the controller. */
  m2 = hap_srp_server_get_proof (server, &m2_len);
  g_assert_cmpuint (m2_len, ==, HAP_SRP_SHA512_LEN);
  if (!hap_srp_client_verify_server_proof (client, m2, m2_len, error))
    return FALSE;

  k1 = hap_srp_server_get_session_key (server, &k1_len);
  k2 = hap_srp_client_get_session_key (client, &k2_len);
  g_assert_cmpmem (k1, k1_len, k2, k2_len);
  g_assert_cmpuint (k1_len, ==, HAP_SRP_SHA512_LEN);
  return TRUE;
}

static void
test_hap_round_trip (void)
{
  for (guint i = 0; i < 8; i++) {
    g_autoptr (GError) error = NULL;

    g_assert_true (run_exchange ("123-45-678", "123-45-678", &error));
    g_assert_no_error (error);
  }
}

static void
test_wrong_password (void)
{
  static const gchar *wrong[] = { "123-45-679", "023-45-678", "12345678", "" };

  for (gsize i = 0; i < G_N_ELEMENTS (wrong); i++) {
    g_autoptr (GError) error = NULL;

    g_assert_false (run_exchange ("123-45-678", wrong[i], &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
  }
}

/* A server proof that is not the right one is refused by the client. */
static void
test_bad_server_proof (void)
{
  static const gsize flip_at[] = { 0, 31, 63 };

  for (gsize i = 0; i < G_N_ELEMENTS (flip_at) + 2; i++) {
    g_autoptr (HapSrpServer) server = NULL;
    g_autoptr (HapSrpClient) client = NULL;
    g_autoptr (GError) error = NULL;
    const guint8 *salt, *b_pub, *a_pub, *m1;
    gsize salt_len, b_len, a_len, m1_len, m2_len;
    guint8 m2[HAP_SRP_SHA512_LEN + 1];

    server = hap_srp_server_new (
        G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) "111-22-333", 10, NULL, 0, NULL, 0);
    client = hap_srp_client_new (
        G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) "111-22-333", 10, NULL, 0);
    salt = hap_srp_server_get_salt (server, &salt_len);
    b_pub = hap_srp_server_get_public_key (server, &b_len);
    g_assert_true (
        hap_srp_client_set_server_public_key (client, salt, salt_len, b_pub, b_len, NULL));
    a_pub = hap_srp_client_get_public_key (client, &a_len);
    m1 = hap_srp_client_get_proof (client, &m1_len);
    g_assert_true (hap_srp_server_set_client_public_key (server, a_pub, a_len, NULL));
    g_assert_true (hap_srp_server_verify_client_proof (server, m1, m1_len, NULL));
    memcpy (m2, hap_srp_server_get_proof (server, NULL), HAP_SRP_SHA512_LEN);
    m2_len = HAP_SRP_SHA512_LEN;

    if (i < G_N_ELEMENTS (flip_at)) {
      m2[flip_at[i]] ^= 0x01;
      g_assert_false (hap_srp_client_verify_server_proof (client, m2, m2_len, &error));
      g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_AUTH);
    } else {
      /* Truncated or over-long proof. */
      m2_len = i == G_N_ELEMENTS (flip_at) ? HAP_SRP_SHA512_LEN - 1 : HAP_SRP_SHA512_LEN + 1;
      g_assert_false (hap_srp_client_verify_server_proof (client, m2, m2_len, &error));
      g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    }
    g_assert_null (hap_srp_client_get_session_key (client, NULL));
    g_assert_null (hap_srp_client_get_premaster_secret (client, NULL));
  }
}

static void
test_bad_client_proof_length (void)
{
  g_autoptr (HapSrpServer) server = NULL;
  g_autoptr (HapSrpClient) client = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *a_pub;

  server = hap_srp_server_new (
      G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) "111-22-333", 10, NULL, 0, NULL, 0);
  client = hap_srp_client_new (
      G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) "111-22-333", 10, NULL, 0);
  a_pub = hap_srp_client_get_public_key (client, &len);
  g_assert_true (hap_srp_server_set_client_public_key (server, a_pub, len, NULL));
  g_assert_false (hap_srp_server_verify_client_proof (server, NULL, 0, &error));
  g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
  g_assert_null (hap_srp_server_get_session_key (server, NULL));
}

/* ---- invalid peer public keys ---- */

typedef enum {
  PUB_EMPTY,
  PUB_SHORT,    /* N length - 1 bytes */
  PUB_LONG,     /* N length + 1 bytes (a valid value with a leading zero byte) */
  PUB_ZERO,     /* N length zero bytes */
  PUB_N,        /* N itself: 0 mod N */
  PUB_N_PLUS_1, /* >= N */
  PUB_ALL_FF,   /* 2^(8 * len) - 1 >= N */
  PUB_2N,       /* 2 * N: a multiple of N, one byte longer than N */
  PUB_N_PADDED, /* N with a leading zero byte */
} PubKind;

typedef struct {
  const gchar *name;
  PubKind kind;
  gint code;
} InvalidPub;

static const InvalidPub invalid_pubs[] = {
  { "empty", PUB_EMPTY, HAP_CODEC_ERROR_MALFORMED },
  { "one byte short", PUB_SHORT, HAP_CODEC_ERROR_MALFORMED },
  { "one byte long", PUB_LONG, HAP_CODEC_ERROR_MALFORMED },
  { "zero", PUB_ZERO, HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "N", PUB_N, HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "N + 1", PUB_N_PLUS_1, HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "all 0xff", PUB_ALL_FF, HAP_CODEC_ERROR_OUT_OF_RANGE },
  { "2N (wrong length)", PUB_2N, HAP_CODEC_ERROR_MALFORMED },
  { "N padded (wrong length)", PUB_N_PADDED, HAP_CODEC_ERROR_MALFORMED },
};

/* RFC 5054 appendix A group N (hex), for building invalid values. */
static const gchar n_1024_hex[]
    = "EEAF0AB9ADB38DD69C33F80AFA8FC5E86072618775FF3C0B9EA2314C9C256576D674DF7496EA81D3383B4813"
      "D692C6E0E0D5D8E250B98BE48E495C1D6089DAD15DC7D7B46154D6B6CE8EF4AD69B15D4982559B297BCF1885"
      "C529F566660E57EC68EDBC3C05726CC02FD4CBF4976EAA9AFD5138FE8376435B9FC61D2FC0EB06E3";
static const gchar n_3072_hex[]
    = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
      "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
      "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
      "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
      "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
      "955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
      "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226"
      "1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
      "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/* Big-endian add of a small value / doubling, on a byte string, for building test values. */
static void
be_add_small (guint8 *buf, gsize len, guint v)
{
  for (gsize i = len; i-- > 0 && v;) {
    v += buf[i];
    buf[i] = (guint8) v;
    v >>= 8;
  }
}

static guint8 *
make_pub (HapSrpGroup group, PubKind kind, const guint8 *valid, gsize *out_len)
{
  gsize n_len = hap_srp_group_len (group);
  gsize nb_len;
  g_autofree guint8 *n = hap_test_unhex (group == G1024 ? n_1024_hex : n_3072_hex, &nb_len);
  guint8 *out = g_malloc0 (n_len + 2);
  guint carry = 0;

  g_assert_cmpuint (nb_len, ==, n_len);
  switch (kind) {
    case PUB_EMPTY:
      *out_len = 0;
      break;
    case PUB_SHORT:
      memcpy (out, valid + 1, n_len - 1);
      *out_len = n_len - 1;
      break;
    case PUB_LONG:
      memcpy (out + 1, valid, n_len);
      *out_len = n_len + 1;
      break;
    case PUB_ZERO:
      *out_len = n_len;
      break;
    case PUB_N:
      memcpy (out, n, n_len);
      *out_len = n_len;
      break;
    case PUB_N_PLUS_1:
      memcpy (out, n, n_len);
      be_add_small (out, n_len, 1);
      *out_len = n_len;
      break;
    case PUB_ALL_FF:
      memset (out, 0xff, n_len);
      *out_len = n_len;
      break;
    case PUB_2N:
      for (gsize i = n_len; i-- > 0;) {
        guint d = (guint) n[i] * 2 + carry;

        out[i + 1] = (guint8) d;
        carry = d >> 8;
      }
      out[0] = (guint8) carry;
      g_assert_cmpuint (out[0], ==, 1);
      *out_len = n_len + 1;
      break;
    case PUB_N_PADDED:
      memcpy (out + 1, n, n_len);
      *out_len = n_len + 1;
      break;
  }
  return out;
}

static void
test_invalid_client_public_key (void)
{
  static const HapSrpGroup groups[] = { G1024, G3072 };

  for (gsize gi = 0; gi < G_N_ELEMENTS (groups); gi++) {
    HapSrpHash hash = groups[gi] == G1024 ? SHA1 : SHA512;
    g_autoptr (HapSrpServer) server = NULL;
    g_autoptr (HapSrpClient) client = NULL;
    const guint8 *valid, *salt, *b_pub, *m1;
    gsize valid_len, salt_len, b_len, m1_len;
    g_autoptr (GError) error = NULL;

    server = hap_srp_server_new (
        groups[gi], hash, HAP_SRP_USERNAME, (const guint8 *) "1", 1, NULL, 0, NULL, 0);
    client
        = hap_srp_client_new (groups[gi], hash, HAP_SRP_USERNAME, (const guint8 *) "1", 1, NULL, 0);
    valid = hap_srp_client_get_public_key (client, &valid_len);

    for (gsize i = 0; i < G_N_ELEMENTS (invalid_pubs); i++) {
      const InvalidPub *v = &invalid_pubs[i];
      gsize len;
      g_autofree guint8 *a_pub = make_pub (groups[gi], v->kind, valid, &len);
      g_autoptr (GError) err = NULL;

      g_test_message ("group %u, invalid A: %s", groups[gi], v->name);
      g_assert_false (hap_srp_server_set_client_public_key (server, a_pub, len, &err));
      g_assert_error (err, HAP_CODEC_ERROR, v->code);
      g_assert_null (hap_srp_server_get_premaster_secret (server, NULL));
    }

    /* The server is still usable with a valid A after the rejections. */
    salt = hap_srp_server_get_salt (server, &salt_len);
    b_pub = hap_srp_server_get_public_key (server, &b_len);
    g_assert_true (
        hap_srp_client_set_server_public_key (client, salt, salt_len, b_pub, b_len, &error));
    g_assert_no_error (error);
    g_assert_true (hap_srp_server_set_client_public_key (server, valid, valid_len, &error));
    g_assert_no_error (error);
    m1 = hap_srp_client_get_proof (client, &m1_len);
    g_assert_true (hap_srp_server_verify_client_proof (server, m1, m1_len, &error));
    g_assert_no_error (error);
  }
}

static void
test_invalid_server_public_key (void)
{
  static const HapSrpGroup groups[] = { G1024, G3072 };

  for (gsize gi = 0; gi < G_N_ELEMENTS (groups); gi++) {
    HapSrpHash hash = groups[gi] == G1024 ? SHA1 : SHA512;
    g_autoptr (HapSrpServer) server = NULL;
    g_autoptr (HapSrpClient) client = NULL;
    const guint8 *valid, *salt;
    gsize valid_len, salt_len;
    g_autoptr (GError) error = NULL;
    guint8 long_salt[HAP_SRP_MAX_SALT_LEN + 1] = { 0 };

    server = hap_srp_server_new (
        groups[gi], hash, HAP_SRP_USERNAME, (const guint8 *) "1", 1, NULL, 0, NULL, 0);
    client
        = hap_srp_client_new (groups[gi], hash, HAP_SRP_USERNAME, (const guint8 *) "1", 1, NULL, 0);
    valid = hap_srp_server_get_public_key (server, &valid_len);
    salt = hap_srp_server_get_salt (server, &salt_len);

    for (gsize i = 0; i < G_N_ELEMENTS (invalid_pubs); i++) {
      const InvalidPub *v = &invalid_pubs[i];
      gsize len;
      g_autofree guint8 *b_pub = make_pub (groups[gi], v->kind, valid, &len);
      g_autoptr (GError) err = NULL;

      g_test_message ("group %u, invalid B: %s", groups[gi], v->name);
      g_assert_false (
          hap_srp_client_set_server_public_key (client, salt, salt_len, b_pub, len, &err));
      g_assert_error (err, HAP_CODEC_ERROR, v->code);
      g_assert_null (hap_srp_client_get_proof (client, NULL));
    }

    /* Invalid salts. */
    g_assert_false (
        hap_srp_client_set_server_public_key (client, NULL, 0, valid, valid_len, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
    g_assert_false (hap_srp_client_set_server_public_key (
        client, long_salt, sizeof long_salt, valid, valid_len, &error));
    g_assert_error (error, HAP_CODEC_ERROR, HAP_CODEC_ERROR_TOO_LARGE);
    g_clear_error (&error);

    /* Still usable afterwards. */
    g_assert_true (
        hap_srp_client_set_server_public_key (client, salt, salt_len, valid, valid_len, &error));
    g_assert_no_error (error);
    g_assert_nonnull (hap_srp_client_get_proof (client, NULL));
  }
}

/* Calling the steps out of order is caller misuse: a critical and FALSE. */
static void
test_misuse (void)
{
  g_autoptr (HapSrpServer) server = NULL;
  g_autoptr (HapSrpClient) client = NULL;
  guint8 proof[HAP_SRP_SHA512_LEN] = { 0 };
  guint8 x[HAP_SRP_SHA512_LEN];
  const guint8 *a_pub;
  gsize a_len;

  server = hap_srp_server_new (
      G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) "1", 1, NULL, 0, NULL, 0);
  client = hap_srp_client_new (G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) "1", 1, NULL, 0);

  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (hap_srp_server_verify_client_proof (server, proof, sizeof proof, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (hap_srp_client_verify_server_proof (client, proof, sizeof proof, NULL));
  g_test_assert_expected_messages ();

  a_pub = hap_srp_client_get_public_key (client, &a_len);
  g_assert_true (hap_srp_server_set_client_public_key (server, a_pub, a_len, NULL));
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (hap_srp_server_set_client_public_key (server, a_pub, a_len, NULL));
  g_test_assert_expected_messages ();

  /* Wrong output length for a building block. */
  g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (hap_srp_compute_x (SHA512, NULL, 0, "u", NULL, 0, x, 20));
  g_test_assert_expected_messages ();

  /* A private value that is a multiple of N. */
  {
    gsize n_len;
    g_autofree guint8 *n = hap_test_unhex (n_3072_hex, &n_len);

    g_test_expect_message ("hap", G_LOG_LEVEL_CRITICAL, "*should not be reached*");
    g_assert_null (
        hap_srp_client_new (G3072, SHA512, HAP_SRP_USERNAME, (const guint8 *) "1", 1, n, n_len));
    g_test_assert_expected_messages ();
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/srp/rfc5054/building-blocks", test_rfc5054_building_blocks);
  g_test_add_func ("/srp/rfc5054/exchange", test_rfc5054_exchange);
  g_test_add_func ("/srp/hap/known-answer", test_hap_known_answer);
  g_test_add_func ("/srp/hap/round-trip", test_hap_round_trip);
  g_test_add_func ("/srp/hap/wrong-password", test_wrong_password);
  g_test_add_func ("/srp/hap/bad-server-proof", test_bad_server_proof);
  g_test_add_func ("/srp/hap/bad-client-proof-length", test_bad_client_proof_length);
  g_test_add_func ("/srp/invalid/client-public-key", test_invalid_client_public_key);
  g_test_add_func ("/srp/invalid/server-public-key", test_invalid_server_public_key);
  g_test_add_func ("/srp/misuse", test_misuse);

  return g_test_run ();
}

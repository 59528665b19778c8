/* Interop helper: drives hap/srp.c and hap/hkdf.c from a line protocol on stdin/stdout so that
 * tests/interop/srp.test.js can run exchanges against fast-srp-hap (the SRP of HAP-NodeJS).
 * Always the HAP parameters: 3072-bit group, SHA-512, username "Pair-Setup".
 *
 * One command per line, tokens separated by single spaces; hex values, "-" for none/empty.
 * Each command answers exactly one line: "ok key=value ..." or "error <code> <message>".
 *   server-new PASSWORD SALT|- B_SECRET|-   -> ok salt=.. B=..
 *   server-A A                              -> ok
 *   server-M1 M1                            -> ok M2=.. K=..
 *   client-new PASSWORD A_SECRET|-          -> ok A=..
 *   client-B SALT B                         -> ok M1=..
 *   client-M2 M2                            -> ok K=..
 *   search A|B|S PASSWORD SALT              -> ok a=.. b=..  private values for which A, B or
 *                                              the premaster secret S starts with a zero byte
 *   hkdf IKM SALT_ASCII INFO_ASCII LEN      -> ok okm=..
 *   quit
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "hap/hkdf.h"
#include "hap/srp.h"
#include "tests/common/test-util.h"

#define G HAP_SRP_GROUP_3072
#define H HAP_SRP_HASH_SHA512

/* Hex argument, "-" for empty; NULL when malformed. */
static GBytes *
from_hex (const gchar *hex)
{
  if (strcmp (hex, "-") == 0)
    return g_bytes_new (NULL, 0);
  return hap_test_hex_parse (hex);
}

static void
print_hex (const gchar *key, const guint8 *data, gsize len)
{
  g_autofree gchar *hex = hap_test_to_hex (data, len);

  printf (" %s=%s", key, hex);
}

static void
reply_error (const GError *error)
{
  if (error == NULL) /* caller misuse, already reported on stderr by a g_return critical */
    printf ("error -1 misuse\n");
  else
    printf ("error %d %s\n", error->code, error->message);
}

static const guint8 *
bytes_data (GBytes *b, gsize *len)
{
  const guint8 *d = g_bytes_get_data (b, len);

  return *len ? d : NULL;
}

/* Random private values until the chosen public value or S starts with a zero byte. */
static void
search (const gchar *what, const gchar *password, GBytes *salt)
{
  gsize salt_len;
  const guint8 *salt_d = bytes_data (salt, &salt_len);
  gsize plen = strlen (password);

  for (guint tries = 0; tries < 100000; tries++) {
    guint8 a[HAP_SRP_SECRET_LEN], b[HAP_SRP_SECRET_LEN];
    g_autoptr (HapSrpServer) server = NULL;
    g_autoptr (HapSrpClient) client = NULL;
    const guint8 *pub, *s;
    gsize len;

    randombytes_buf (a, sizeof a);
    randombytes_buf (b, sizeof b);
    if (strcmp (what, "A") == 0) {
      client = hap_srp_client_new (
          G, H, HAP_SRP_USERNAME, (const guint8 *) password, plen, a, sizeof a);
      pub = hap_srp_client_get_public_key (client, &len);
      if (pub[0] != 0)
        continue;
    } else if (strcmp (what, "B") == 0) {
      server = hap_srp_server_new (
          G, H, HAP_SRP_USERNAME, (const guint8 *) password, plen, salt_d, salt_len, b, sizeof b);
      pub = hap_srp_server_get_public_key (server, &len);
      if (pub[0] != 0)
        continue;
    } else {
      server = hap_srp_server_new (
          G, H, HAP_SRP_USERNAME, (const guint8 *) password, plen, salt_d, salt_len, b, sizeof b);
      client = hap_srp_client_new (
          G, H, HAP_SRP_USERNAME, (const guint8 *) password, plen, a, sizeof a);
      pub = hap_srp_server_get_public_key (server, &len);
      if (!hap_srp_client_set_server_public_key (client, salt_d, salt_len, pub, len, NULL))
        continue;
      s = hap_srp_client_get_premaster_secret (client, &len);
      if (s[0] != 0)
        continue;
    }
    printf ("ok tries=%u", tries + 1);
    print_hex ("a", a, sizeof a);
    print_hex ("b", b, sizeof b);
    printf ("\n");
    return;
  }
  printf ("error 0 nothing found\n");
}

int
main (int argc, char **argv)
{
  g_autoptr (HapSrpServer) server = NULL;
  g_autoptr (HapSrpClient) client = NULL;
  gchar line[16384];

  if (sodium_init () < 0)
    return 1;

  while (fgets (line, sizeof line, stdin) != NULL) {
    g_auto (GStrv) tok = NULL;
    guint n;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) b1 = NULL;
    g_autoptr (GBytes) b2 = NULL;
    gsize l1 = 0, l2 = 0, len;
    const guint8 *d1 = NULL, *d2 = NULL, *p;

    g_strchomp (line);
    tok = g_strsplit (line, " ", -1);
    n = g_strv_length (tok);
    if (n == 0 || tok[0][0] == '\0')
      continue;
    if (strcmp (tok[0], "quit") == 0)
      break;

    /* Decode hex arguments by position (commands take at most two hex values). */
    if (n >= 2 && strcmp (tok[0], "server-new") != 0 && strcmp (tok[0], "client-new") != 0
        && strcmp (tok[0], "search") != 0 && strcmp (tok[0], "hkdf") != 0) {
      b1 = from_hex (tok[1]);
      if (n >= 3)
        b2 = from_hex (tok[2]);
      if (b1 == NULL || (n >= 3 && b2 == NULL)) {
        printf ("error 0 bad hex\n");
        goto next;
      }
      d1 = bytes_data (b1, &l1);
      if (b2)
        d2 = bytes_data (b2, &l2);
    }

    if (strcmp (tok[0], "server-new") == 0 && n == 4) {
      b1 = from_hex (tok[2]);
      b2 = from_hex (tok[3]);
      if (b1 == NULL || b2 == NULL) {
        printf ("error 0 bad hex\n");
        goto next;
      }
      d1 = bytes_data (b1, &l1);
      d2 = bytes_data (b2, &l2);
      g_clear_pointer (&server, hap_srp_server_free);
      server = hap_srp_server_new (
          G, H, HAP_SRP_USERNAME, (const guint8 *) tok[1], strlen (tok[1]), d1, l1, d2, l2);
      printf ("ok");
      p = hap_srp_server_get_salt (server, &len);
      print_hex ("salt", p, len);
      p = hap_srp_server_get_public_key (server, &len);
      print_hex ("B", p, len);
      printf ("\n");
    } else if (strcmp (tok[0], "server-A") == 0 && n == 2 && server) {
      if (hap_srp_server_set_client_public_key (server, d1, l1, &error))
        printf ("ok\n");
      else
        reply_error (error);
    } else if (strcmp (tok[0], "server-M1") == 0 && n == 2 && server) {
      if (hap_srp_server_verify_client_proof (server, d1, l1, &error)) {
        printf ("ok");
        p = hap_srp_server_get_proof (server, &len);
        print_hex ("M2", p, len);
        p = hap_srp_server_get_session_key (server, &len);
        print_hex ("K", p, len);
        printf ("\n");
      } else {
        reply_error (error);
      }
    } else if (strcmp (tok[0], "client-new") == 0 && n == 3) {
      b1 = from_hex (tok[2]);
      if (b1 == NULL) {
        printf ("error 0 bad hex\n");
        goto next;
      }
      d1 = bytes_data (b1, &l1);
      g_clear_pointer (&client, hap_srp_client_free);
      client = hap_srp_client_new (
          G, H, HAP_SRP_USERNAME, (const guint8 *) tok[1], strlen (tok[1]), d1, l1);
      printf ("ok");
      p = hap_srp_client_get_public_key (client, &len);
      print_hex ("A", p, len);
      printf ("\n");
    } else if (strcmp (tok[0], "client-B") == 0 && n == 3 && client) {
      if (hap_srp_client_set_server_public_key (client, d1, l1, d2, l2, &error)) {
        printf ("ok");
        p = hap_srp_client_get_proof (client, &len);
        print_hex ("M1", p, len);
        printf ("\n");
      } else {
        reply_error (error);
      }
    } else if (strcmp (tok[0], "client-M2") == 0 && n == 2 && client) {
      if (hap_srp_client_verify_server_proof (client, d1, l1, &error)) {
        printf ("ok");
        p = hap_srp_client_get_session_key (client, &len);
        print_hex ("K", p, len);
        printf ("\n");
      } else {
        reply_error (error);
      }
    } else if (strcmp (tok[0], "search") == 0 && n == 4) {
      b1 = from_hex (tok[3]);
      if (b1 == NULL) {
        printf ("error 0 bad hex\n");
        goto next;
      }
      search (tok[1], tok[2], b1);
    } else if (strcmp (tok[0], "hkdf") == 0 && n == 5) {
      guint64 out_len = g_ascii_strtoull (tok[4], NULL, 10);
      g_autofree guint8 *okm = NULL;

      b1 = from_hex (tok[1]);
      if (b1 == NULL || out_len == 0 || out_len > HAP_HKDF_SHA512_MAX_OUT) {
        printf ("error 0 bad arguments\n");
        goto next;
      }
      d1 = bytes_data (b1, &l1);
      okm = g_malloc (out_len);
      hap_hkdf_sha512 (d1, l1, (const guint8 *) tok[2], strlen (tok[2]), (const guint8 *) tok[3],
          strlen (tok[3]), okm, out_len);
      printf ("ok");
      print_hex ("okm", okm, out_len);
      printf ("\n");
    } else {
      printf ("error 0 unknown or out-of-order command: %s\n", tok[0]);
    }
  next:
    fflush (stdout);
  }
  return 0;
}

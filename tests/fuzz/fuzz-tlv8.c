/* libFuzzer target for hap/tlv8.c.
 *
 * Parses the input; walks every item (typed getters, find, find_all); tries to parse every value
 * as nested TLV8; splits on both separator types; re-encodes the items with the writer and
 * checks that re-parsing gives exactly the same items.
 *
 * Re-encoding note: the reader merges an item into the previous one when the previous fragment
 * had the same type and was 255 bytes long. A parsed item whose length is a positive multiple of
 * 255, followed by an item of the same type, can only come from input that ended the first value
 * with a zero-length fragment; the re-encoder writes that zero-length fragment too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hap/tlv8.h"
#include "tests/fuzz/fuzz-target.h"

static void
walk (const HapTlv8 *tlv, guint depth)
{
  guint n = hap_tlv8_n_items (tlv);

  CHECK (hap_tlv8_item (tlv, n) == NULL);
  for (guint i = 0; i < n; i++) {
    const HapTlv8Item *item = hap_tlv8_item (tlv, i);
    const HapTlv8Item *first;
    guint8 u8;
    guint16 u16;
    guint32 u32;
    guint64 u64;
    guint8 sum = 0;
    HapTlv8 *nested;

    CHECK (item->value != NULL);
    for (gsize b = 0; b < item->len; b++) /* touch every byte (ASan) */
      sum ^= item->value[b];
    (void) sum;
    /* Lookups are linear: check them on the first items only, so that inputs of a thousand
     * empty items do not make each execution quadratic. */
    if (i < 16) {
      g_autoptr (GPtrArray) all = hap_tlv8_find_all (tlv, item->type);

      first = hap_tlv8_find (tlv, item->type);
      CHECK (first != NULL && first->type == item->type && first <= item);
      CHECK (all->len >= 1 && g_ptr_array_index (all, 0) == first);
      CHECK (hap_tlv8_get_u8 (tlv, item->type, &u8) == (first->len == 1));
      CHECK (hap_tlv8_get_u16 (tlv, item->type, &u16) == (first->len == 2));
      CHECK (hap_tlv8_get_u32 (tlv, item->type, &u32) == (first->len == 4));
      CHECK (hap_tlv8_get_u64 (tlv, item->type, &u64) == (first->len == 8));
      CHECK (hap_tlv8_get_uint (tlv, item->type, &u64) == (first->len >= 1 && first->len <= 8));
    }

    /* Nested parse of each value (parse directly: get_tlv8 only sees the first of a type). */
    nested = hap_tlv8_parse (item->value, item->len, NULL);
    if (nested) {
      if (depth < 4)
        walk (nested, depth + 1);
      hap_tlv8_free (nested);
    }
  }
  if (n > 0) {
    GError *error = NULL;
    HapTlv8 *nested = hap_tlv8_get_tlv8 (tlv, hap_tlv8_item (tlv, 0)->type, &error);

    CHECK ((nested == NULL) == (error != NULL));
    hap_tlv8_free (nested);
    g_clear_error (&error);
  }
}

static void
check_split (const HapTlv8 *tlv, guint8 separator)
{
  g_autoptr (GPtrArray) runs = hap_tlv8_split (tlv, separator);
  guint n = hap_tlv8_n_items (tlv), seps = 0, total = 0;

  for (guint i = 0; i < n; i++) {
    const HapTlv8Item *item = hap_tlv8_item (tlv, i);

    seps += item->type == separator && item->len == 0;
  }
  for (guint r = 0; r < runs->len; r++)
    total += hap_tlv8_n_items (g_ptr_array_index (runs, r));
  CHECK (n == 0 ? runs->len == 0 : runs->len == seps + 1);
  CHECK (total + seps == n);
}

static void
check_reencode (const HapTlv8 *tlv)
{
  HapTlv8Writer w;
  guint n = hap_tlv8_n_items (tlv);
  const guint8 *data;
  gsize len;
  GError *error = NULL;
  HapTlv8 *again;

  hap_tlv8_writer_init (&w);
  for (guint i = 0; i < n; i++) {
    const HapTlv8Item *item = hap_tlv8_item (tlv, i);
    const HapTlv8Item *next = hap_tlv8_item (tlv, i + 1);

    hap_tlv8_add (&w, item->type, item->value, item->len);
    if (next && next->type == item->type && item->len > 0 && item->len % 255 == 0)
      hap_tlv8_add (&w, item->type, NULL, 0);
  }
  data = hap_tlv8_writer_data (&w, &len);
  again = hap_tlv8_parse (data, len, &error);
  CHECK (again != NULL && error == NULL);
  CHECK (hap_tlv8_n_items (again) == n);
  for (guint i = 0; i < n; i++) {
    const HapTlv8Item *a = hap_tlv8_item (tlv, i), *b = hap_tlv8_item (again, i);

    CHECK (a->type == b->type && a->len == b->len);
    CHECK (a->len == 0 || memcmp (a->value, b->value, a->len) == 0);
  }
  hap_tlv8_free (again);
  hap_tlv8_writer_clear (&w);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  HapTlv8 *tlv = hap_tlv8_parse (data, size, &error);

  if (!tlv) {
    CHECK (error != NULL && error->domain == HAP_CODEC_ERROR);
    CHECK (error->code == HAP_CODEC_ERROR_TRUNCATED || error->code == HAP_CODEC_ERROR_TOO_LARGE);
    g_error_free (error);
    return 0;
  }
  CHECK (error == NULL);
  walk (tlv, 0);
  check_split (tlv, 0xff);
  check_split (tlv, 0x00);
  check_reencode (tlv);
  hap_tlv8_free (tlv);
  return 0;
}

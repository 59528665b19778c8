/* libgsthksv: bounds-checked ISO BMFF (MP4) box parsing.
 *
 * Pure and defensive: every read is checked against the buffer, nothing asserts on the input
 * bytes, and a malformed box yields HKSV_BOX_INVALID with a GError (HKSV_BOX_ERROR) saying
 * where and why. Boxes reference the caller's buffer (no copies). Supported headers: 32-bit size,
 * size 1 with a 64-bit largesize, size 0 (the box extends to the end of its container), and the
 * 16-byte extended type of `uuid` boxes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HKSV_FOURCC(a, b, c, d) \
  (((guint32) (a) << 24) | ((guint32) (b) << 16) | ((guint32) (c) << 8) | (guint32) (d))

/* Big-endian reads within [data, data + len). Each returns FALSE (and reads nothing) when fewer
 * bytes than needed remain. */
typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;
} HksvByteReader;

void hksv_byte_reader_init (HksvByteReader *r, const guint8 *data, gsize len);
gsize hksv_byte_reader_remaining (const HksvByteReader *r);
gboolean hksv_byte_reader_skip (HksvByteReader *r, gsize n);
gboolean hksv_byte_reader_u8 (HksvByteReader *r, guint8 *v);
gboolean hksv_byte_reader_u16 (HksvByteReader *r, guint16 *v);
gboolean hksv_byte_reader_u24 (HksvByteReader *r, guint32 *v);
gboolean hksv_byte_reader_u32 (HksvByteReader *r, guint32 *v);
gboolean hksv_byte_reader_u64 (HksvByteReader *r, guint64 *v);
/* A pointer to the next `n` bytes, consumed. */
gboolean hksv_byte_reader_bytes (HksvByteReader *r, gsize n, const guint8 **out);

typedef struct {
  guint32 type;
  gsize offset;      /* of the header, from the start of the buffer given to the top iterator */
  gsize size;        /* the whole box, header included */
  gsize header_size; /* 8, 16 with a largesize, + 16 for uuid */
  const guint8 *payload;
  gsize payload_size;
} HksvBox;

typedef enum {
  HKSV_BOX_OK,
  HKSV_BOX_END,     /* no more boxes in the range */
  HKSV_BOX_INVALID, /* malformed header or size; error set; the iterator stays at the bad box */
} HksvBoxResult;

typedef struct {
  const guint8 *data;
  gsize len, pos;
  gsize base; /* offset of data[0] in the top-level buffer */
} HksvBoxIter;

/* Iterates the boxes of data[0..len). */
void hksv_box_iter_init (HksvBoxIter *it, const guint8 *data, gsize len);
/* Iterates the children of `parent`, which start `skip` bytes into its payload (0 for plain
 * containers, 4 after a full box's version and flags, 8 in stsd/dref, 78 in a visual sample
 * entry...). Returns FALSE when the payload is shorter than `skip`. */
gboolean hksv_box_iter_init_children (HksvBoxIter *it, const HksvBox *parent, gsize skip);
HksvBoxResult hksv_box_iter_next (HksvBoxIter *it, HksvBox *box, GError **error);

/* The first child of `type` (children start `skip` bytes into the payload). FALSE when absent
 * or when the children cannot be parsed before it. */
gboolean hksv_box_find_child (const HksvBox *parent, gsize skip, guint32 type, HksvBox *child);

/* Splits a full box: version, flags, and a reader over the rest of the payload. FALSE when the
 * payload is shorter than 4 bytes. */
gboolean hksv_box_full_header (
    const HksvBox *box, guint8 *version, guint32 *flags, HksvByteReader *rest);

/* Where the children of a box of `type` start in its payload, for the boxes this project reads
 * into (moov, trak, mdia, minf, dinf, stbl, mvex, moof, traf, edts, udta, stsd, dref, avc1, avc3,
 * hvc1, hev1, mp4a). FALSE for leaf boxes. */
gboolean hksv_box_children_skip (guint32 type, gsize *skip);

/* The type as text ("moov"; non-printable bytes as '?'). `buf` must hold 5 bytes. */
const gchar *hksv_fourcc_to_string (guint32 type, gchar buf[5]);

#define HKSV_BOX_ERROR (hksv_box_error_quark ())
GQuark hksv_box_error_quark (void);

typedef enum {
  HKSV_BOX_ERROR_TRUNCATED, /* the header or the box runs past the end of its container */
  HKSV_BOX_ERROR_INVALID,   /* a size smaller than its header */
} HksvBoxError;

G_END_DECLS

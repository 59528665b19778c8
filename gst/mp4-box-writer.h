/* libgsthksv: building ISO BMFF boxes into a growing buffer (big-endian).
 *
 * Boxes nest: hksv_box_writer_open() writes a header with a placeholder size and returns its
 * offset, hksv_box_writer_close() patches the size once the box's payload is written. Fields
 * that depend on later layout (trun data offsets) are written as placeholders and patched with
 * hksv_box_writer_patch_u32(). Only 32-bit box sizes: fragments stay far below 4 GiB.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  GByteArray *buf;
} HksvBoxWriter;

void hksv_box_writer_init (HksvBoxWriter *w);
void hksv_box_writer_clear (HksvBoxWriter *w);
/* The bytes written; the writer is empty afterwards. */
GBytes *hksv_box_writer_take_bytes (HksvBoxWriter *w);
gsize hksv_box_writer_len (const HksvBoxWriter *w);

/* `type` is a four-character code such as "moov". Returns the box's offset for _close(). */
gsize hksv_box_writer_open (HksvBoxWriter *w, const char *type);
/* A full box: header, then version (8 bits) and flags (24 bits). */
gsize hksv_box_writer_open_full (HksvBoxWriter *w, const char *type, guint8 version, guint32 flags);
void hksv_box_writer_close (HksvBoxWriter *w, gsize box_offset);

void hksv_box_writer_u8 (HksvBoxWriter *w, guint8 v);
void hksv_box_writer_u16 (HksvBoxWriter *w, guint16 v);
void hksv_box_writer_u24 (HksvBoxWriter *w, guint32 v);
void hksv_box_writer_u32 (HksvBoxWriter *w, guint32 v);
void hksv_box_writer_u64 (HksvBoxWriter *w, guint64 v);
void hksv_box_writer_bytes (HksvBoxWriter *w, const guint8 *data, gsize len);
void hksv_box_writer_zeros (HksvBoxWriter *w, gsize len);
/* A four-character code (brands, handler types). */
void hksv_box_writer_fourcc (HksvBoxWriter *w, const char *code);
/* Overwrites 4 bytes at `offset` (already written). */
void hksv_box_writer_patch_u32 (HksvBoxWriter *w, gsize offset, guint32 v);

G_END_DECLS

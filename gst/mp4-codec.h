/* libgsthksv: the codec configuration records of an MP4 recording, parsed defensively.
 *
 * avcC (AVCDecoderConfigurationRecord) and the H.264 SPS, hvcC (HEVCDecoderConfigurationRecord)
 * and the H.265 SPS (up to the picture size), the MPEG-4 AudioSpecificConfig, the esds
 * descriptors, and length-prefixed NAL unit framing of samples. Used by the conformance checker
 * (mp4-check.h), and by hksvsink and hksvprebuffer to tell IDR access units (sync samples). Errors
 * are in HKSV_BOX_ERROR (HKSV_BOX_ERROR_INVALID) with a message saying what is wrong; nothing
 * asserts on input bytes. Parsed records point into the caller's buffer.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint8 profile_idc, profile_compatibility, level_idc; /* H.265: general_* */
  guint nal_length_size;                                /* 1, 2 or 4 */
  guint n_vps, n_sps, n_pps;                            /* n_vps: H.265 only */
  const guint8 *sps;                                    /* the first SPS NAL unit (with header) */
  gsize sps_len;
} HksvVideoConfig;

typedef struct {
  guint width, height; /* after cropping */
  guint profile_idc, level_idc;
  guint chroma_format_idc;
} HksvSpsInfo;

gboolean hksv_avcc_parse (const guint8 *data, gsize len, HksvVideoConfig *cfg, GError **error);
gboolean hksv_hvcc_parse (const guint8 *data, gsize len, HksvVideoConfig *cfg, GError **error);
/* `nal` is a whole SPS NAL unit, header included, emulation prevention bytes in place. */
gboolean hksv_h264_sps_parse (const guint8 *nal, gsize len, HksvSpsInfo *info, GError **error);
gboolean hksv_h265_sps_parse (const guint8 *nal, gsize len, HksvSpsInfo *info, GError **error);

typedef struct {
  guint object_type; /* 2 AAC-LC, 39 AAC-ELD, ... */
  guint sample_rate;
  guint channel_config;
  guint frame_samples; /* 1024/960 (GA) or 512/480 (ELD); 0 for other object types */
} HksvAacConfig;

gboolean hksv_aac_config_parse (const guint8 *asc, gsize len, HksvAacConfig *cfg, GError **error);

typedef struct {
  guint8 object_type_indication; /* 0x40: MPEG-4 audio */
  guint8 stream_type;            /* 5: audio */
  guint32 max_bitrate, avg_bitrate;
  const guint8 *dsi; /* DecoderSpecificInfo: the AudioSpecificConfig */
  gsize dsi_len;
} HksvEsdsInfo;

/* `data` is the esds payload after the full box header (version and flags). */
gboolean hksv_esds_parse (const guint8 *data, gsize len, HksvEsdsInfo *info, GError **error);

/* Splits a sample into length-prefixed NAL units (`length_size` 1, 2 or 4). Fails when the
 * lengths do not tile the sample exactly, a NAL unit is empty, or its forbidden_zero_bit is set.
 * `types` (may be NULL) receives a bit per NAL unit type seen (1 << type; H.265 types are 6 bits,
 * H.264 5 bits), `n_nals` the count. */
gboolean hksv_nal_split (const guint8 *data, gsize len, guint length_size, gboolean hevc,
    guint64 *types, guint *n_nals, GError **error);

/* Whether length-prefixed NAL units tile `data` exactly, none empty, without a look at the NAL
 * headers (what a muxer needs of an access unit; hksv_nal_split() checks them too). */
gboolean hksv_nal_framing_ok (const guint8 *data, gsize len, guint length_size);

/* Whether a sample's NAL unit types make it an IDR (H.264 type 5) / IRAP (H.265 16..21) access
 * unit: a sync sample, where a fragment may start. H.265 calls 16..23 IRAP, but 22 and 23 are
 * reserved (RSV_IRAP_VCL22/23): decoders discard NAL units of reserved types (H.265 7.4.2.2), so
 * an access unit whose only IRAP-range slice is 22 or 23 holds no picture a decoder could start
 * at. The muxer's sync flags (hksvsink, hksvprebuffer) and the checker's rules
 * (fragment.first-sample-not-idr, sample.non-idr-sync) both use this function, so that what is
 * written as sync is exactly what the checker takes for an IDR. */
gboolean hksv_nal_types_are_idr (guint64 types, gboolean hevc);
/* An access unit in length-prefixed NAL units: FALSE with `error` when hksv_nal_split() refuses
 * its framing; otherwise *sync (may be NULL) says whether it is an IDR / IRAP access unit
 * (hksv_nal_types_are_idr). Reads only the length fields and the first header byte of each NAL
 * unit. */
gboolean hksv_nal_au_is_sync (const guint8 *data, gsize len, guint length_size, gboolean hevc,
    gboolean *sync, GError **error);
/* Whether they hold any coded slice (H.264 1..5, H.265 0..31). */
gboolean hksv_nal_types_have_vcl (guint64 types, gboolean hevc);

G_END_DECLS

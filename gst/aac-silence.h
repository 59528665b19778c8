/* libgsthksv: AAC digital silence, for recordings whose configured audio has no source.
 *
 * Hubs fail recordings whose configured audio track is missing (PROTOCOL.md section 7), so
 * hksvsink fills the audio track with these frames when the source has no audio.
 * - hksv_aac_silence_frame(): one raw AAC frame (no ADTS header) that decodes to all-zero
 *   samples: for each channel an individual_channel_stream with max_sfb 0 (no spectral data),
 *   written bit by bit from the ISO/IEC 14496-3 syntax. AAC-LC: a single_channel_element (mono)
 *   or channel_pair_element (stereo) and ID_END, byte-aligned; 1024 samples. AAC-ELD: the
 *   er_raw_data_block of the channel configuration (no element ids, no ID_END); 512 samples.
 *   All the frame's fields are zero bits, so every decoder reads the same empty stream.
 * - hksv_aac_audio_specific_config(): the matching AudioSpecificConfig (codec_data), 2 bytes for
 *   AAC-LC at the standard rates (5 with an explicit rate), 4 for AAC-ELD (frame length 512, no
 *   SBR, no extensions).
 * Pure: no GStreamer.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HKSV_AAC_OBJECT_LC = 2,
  HKSV_AAC_OBJECT_ELD = 39,
} HksvAacObjectType;

/* Samples per frame: 1024 (LC) or 512 (ELD, as the configs written here say). */
guint hksv_aac_frame_samples (HksvAacObjectType object_type);

/* NULL with `error` (HKSV_AAC_ERROR_UNSUPPORTED) for another object type, channels not 1 or 2,
 * or a sample rate of 0 or above 96000. */
GBytes *hksv_aac_audio_specific_config (
    HksvAacObjectType object_type, guint sample_rate, guint channels, GError **error);
GBytes *hksv_aac_silence_frame (
    HksvAacObjectType object_type, guint sample_rate, guint channels, GError **error);

#define HKSV_AAC_ERROR (hksv_aac_error_quark ())
GQuark hksv_aac_error_quark (void);

typedef enum {
  HKSV_AAC_ERROR_UNSUPPORTED,
} HksvAacError;

G_END_DECLS

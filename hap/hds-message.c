/* libhap: HomeKit Data Stream message codec ("OPACK"): payload and header helpers. See
 * hds-message.h for the rules. */
#include "hap/hds-value-private.h"

#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Payload: u8 header length + header + message                                              */

GBytes *
hap_hds_message_encode (const HapHdsValue *header, const HapHdsValue *message, GError **error)
{
  gsize hsize, msize;
  guint8 *buf, *p;

  g_return_val_if_fail (header != NULL && message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  hsize = hap_hds_value_encoded_size (header);
  if (hsize > HAP_HDS_MAX_HEADER_LEN) {
    hap_hds_fail (error, HAP_CODEC_ERROR_TOO_LARGE,
        "HDS header of %" G_GSIZE_FORMAT " bytes (max 255)", hsize);
    return NULL;
  }
  msize = hap_hds_value_encoded_size (message);
  buf = g_malloc (1 + hsize + msize);
  buf[0] = (guint8) hsize;
  p = hap_hds_value_encode_to (header, buf + 1);
  p = hap_hds_value_encode_to (message, p);
  g_assert (p == buf + 1 + hsize + msize);
  return g_bytes_new_take (buf, 1 + hsize + msize);
}

gboolean
hap_hds_message_decode (
    GBytes *payload, HapHdsValue **header, HapHdsValue **message, GError **error)
{
  gsize len, hlen;
  const guint8 *data;
  g_autoptr (HapHdsValue) h = NULL;
  g_autoptr (HapHdsValue) m = NULL;

  g_return_val_if_fail (payload != NULL && header != NULL && message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  data = g_bytes_get_data (payload, &len);
  if (len < 1)
    return hap_hds_fail (error, HAP_CODEC_ERROR_TRUNCATED, "empty HDS payload");
  hlen = data[0];
  if (1 + hlen >= len)
    return hap_hds_fail (error, HAP_CODEC_ERROR_TRUNCATED,
        "HDS payload of %" G_GSIZE_FORMAT " bytes has no room for a %" G_GSIZE_FORMAT
        "-byte header and a message",
        len, hlen);
  h = hap_hds_value_decode_region (data + 1, hlen, payload, 1, error);
  if (!h)
    goto fail;
  if (h->type != HAP_HDS_TYPE_DICT) {
    hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header is not a dictionary");
    goto fail;
  }
  m = hap_hds_value_decode_region (data + 1 + hlen, len - 1 - hlen, payload, 1 + hlen, error);
  if (!m)
    goto fail;
  if (m->type != HAP_HDS_TYPE_DICT) {
    hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS message is not a dictionary");
    goto fail;
  }
  *header = g_steal_pointer (&h);
  *message = g_steal_pointer (&m);
  return TRUE;
fail:
  g_debug ("rejected HDS payload of %" G_GSIZE_FORMAT " bytes", len);
  return FALSE;
}

/* ------------------------------------------------------------------------------------------ */
/* Header dictionary                                                                         */

static const gchar *const kind_keys[] = { "event", "request", "response" };

HapHdsValue *
hap_hds_header_build (
    HapHdsKind kind, const gchar *protocol, const gchar *topic, gint64 id, gint64 status)
{
  HapHdsValue *h;

  g_return_val_if_fail (kind <= HAP_HDS_KIND_RESPONSE, NULL);
  g_return_val_if_fail (protocol != NULL && topic != NULL, NULL);
  h = hap_hds_value_new_dict ();
  hap_hds_value_dict_set_string (h, "protocol", protocol);
  hap_hds_value_dict_set_string (h, kind_keys[kind], topic);
  if (kind != HAP_HDS_KIND_EVENT)
    hap_hds_value_dict_set (h, "id", hap_hds_value_new_int_sized (id, 8));
  if (kind == HAP_HDS_KIND_RESPONSE)
    hap_hds_value_dict_set (h, "status", hap_hds_value_new_int_sized (status, 8));
  return h;
}

gboolean
hap_hds_header_parse (const HapHdsValue *header, HapHdsHeader *out, GError **error)
{
  HapHdsValue *v;
  gint found = -1;

  g_return_val_if_fail (header != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  memset (out, 0, sizeof (*out));
  if (header->type != HAP_HDS_TYPE_DICT)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header is not a dictionary");

  v = hap_hds_value_dict_get (header, "protocol");
  if (!v)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MISSING, "HDS header has no protocol");
  if (v->type != HAP_HDS_TYPE_STRING)
    return hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header protocol is not a string");
  out->protocol = g_strdup (v->u.s.str);

  for (guint k = 0; k < G_N_ELEMENTS (kind_keys); k++) {
    v = hap_hds_value_dict_get (header, kind_keys[k]);
    if (!v)
      continue;
    if (found >= 0)
      return hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header has both %s and %s",
          kind_keys[found], kind_keys[k]);
    if (v->type != HAP_HDS_TYPE_STRING)
      return hap_hds_fail (
          error, HAP_CODEC_ERROR_MALFORMED, "HDS header %s is not a string", kind_keys[k]);
    found = (gint) k;
    out->topic = g_strdup (v->u.s.str);
  }
  if (found < 0)
    return hap_hds_fail (
        error, HAP_CODEC_ERROR_MISSING, "HDS header has no event, request or response");
  out->kind = (HapHdsKind) found;

  if (out->kind != HAP_HDS_KIND_EVENT) {
    v = hap_hds_value_dict_get (header, "id");
    if (!v)
      return hap_hds_fail (
          error, HAP_CODEC_ERROR_MISSING, "HDS %s header has no id", kind_keys[found]);
    if (v->type != HAP_HDS_TYPE_INT)
      return hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header id is not an integer");
    out->id = v->u.i;
  }
  if (out->kind == HAP_HDS_KIND_RESPONSE) {
    v = hap_hds_value_dict_get (header, "status");
    if (!v)
      return hap_hds_fail (error, HAP_CODEC_ERROR_MISSING, "HDS response header has no status");
    if (v->type != HAP_HDS_TYPE_INT)
      return hap_hds_fail (error, HAP_CODEC_ERROR_MALFORMED, "HDS header status is not an integer");
    out->status = v->u.i;
  }
  return TRUE;
}

void
hap_hds_header_clear (HapHdsHeader *header)
{
  g_return_if_fail (header != NULL);
  g_clear_pointer (&header->protocol, g_free);
  g_clear_pointer (&header->topic, g_free);
}

static GBytes *
encode_with_header (HapHdsValue *header, const HapHdsValue *body)
{
  g_autoptr (HapHdsValue) empty = NULL;
  g_autoptr (GError) error = NULL;
  GBytes *out;

  if (!body)
    body = empty = hap_hds_value_new_dict ();
  out = hap_hds_message_encode (header, body, &error);
  hap_hds_value_unref (header);
  if (!out)
    g_critical ("%s", error->message); /* protocol/topic too long: caller misuse */
  return out;
}

GBytes *
hap_hds_message_encode_event (const gchar *protocol, const gchar *topic, const HapHdsValue *body)
{
  g_return_val_if_fail (protocol != NULL && topic != NULL, NULL);
  return encode_with_header (
      hap_hds_header_build (HAP_HDS_KIND_EVENT, protocol, topic, 0, 0), body);
}

GBytes *
hap_hds_message_encode_request (
    const gchar *protocol, const gchar *topic, gint64 id, const HapHdsValue *body)
{
  g_return_val_if_fail (protocol != NULL && topic != NULL, NULL);
  return encode_with_header (
      hap_hds_header_build (HAP_HDS_KIND_REQUEST, protocol, topic, id, 0), body);
}

GBytes *
hap_hds_message_encode_response (
    const gchar *protocol, const gchar *topic, gint64 id, gint64 status, const HapHdsValue *body)
{
  g_return_val_if_fail (protocol != NULL && topic != NULL, NULL);
  return encode_with_header (
      hap_hds_header_build (HAP_HDS_KIND_RESPONSE, protocol, topic, id, status), body);
}

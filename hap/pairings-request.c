/* libhap: POST /pairings. See hap/pairings-request.h. */
#include "hap/pairings-request.h"

#include <string.h>

#include "hap/pairing-tlv.h"
#include "hap/tlv8.h"

static GBytes *
error_response (HapPairingError error)
{
  g_debug ("pairings: request fails with error %d", (gint) error);
  return hap_pairing_error_response (2, error);
}

static GBytes *
ok_response (void)
{
  HapTlv8Writer w;

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, 2);
  return hap_tlv8_writer_take_bytes (&w);
}

/* The Identifier item as a string, or FALSE when absent or invalid. */
static gboolean
get_id (const HapTlv8 *tlv, gchar id[HAP_PAIRING_ID_MAX + 1])
{
  const HapTlv8Item *item = hap_tlv8_find (tlv, HAP_PAIRING_TLV_IDENTIFIER);

  if (item == NULL || !hap_pairing_id_is_valid (item->value, item->len, HAP_PAIRING_ID_MAX))
    return FALSE;
  memcpy (id, item->value, item->len);
  id[item->len] = '\0';
  return TRUE;
}

/* Pairings without an admin cannot be managed any more: remove them all (the server resets). */
static void
reset_without_admin (HapPairings *pairings, HapPairingsRequestResult *result)
{
  if (hap_pairings_count (pairings) == 0 || hap_pairings_has_admin (pairings))
    return;
  g_debug ("pairings: no admin left, removing every pairing");
  for (guint i = 0; i < hap_pairings_count (pairings); i++)
    g_ptr_array_add (result->removed_ids, g_strdup (hap_pairings_get (pairings, i)->id));
  hap_pairings_clear (pairings);
  result->changed = TRUE;
}

static GBytes *
handle_add (HapPairings *pairings, const HapTlv8 *tlv, HapPairingsRequestResult *result)
{
  gchar id[HAP_PAIRING_ID_MAX + 1];
  const HapTlv8Item *ltpk = hap_tlv8_find (tlv, HAP_PAIRING_TLV_PUBLIC_KEY);
  const HapPairing *existing;
  guint8 permissions;
  g_autoptr (GError) error = NULL;

  if (!get_id (tlv, id) || ltpk == NULL || ltpk->len != HAP_PAIRING_LTPK_LEN
      || !hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_PERMISSIONS, &permissions)
      || permissions > HAP_PAIRING_PERM_ADMIN)
    return error_response (HAP_PAIRING_ERROR_UNKNOWN);
  existing = hap_pairings_find (pairings, id);
  if (existing != NULL && memcmp (existing->ltpk, ltpk->value, HAP_PAIRING_LTPK_LEN) == 0
      && existing->permissions == permissions)
    return ok_response ();
  if (!hap_pairings_add (pairings, id, ltpk->value, permissions, &error)) {
    g_debug ("pairings: add %s: %s", id, error->message);
    return error_response (error->domain == HAP_PAIRING_ERROR ? (HapPairingError) error->code
                                                              : HAP_PAIRING_ERROR_UNKNOWN);
  }
  g_debug ("pairings: added or updated %s (permissions %u)", id, permissions);
  result->changed = TRUE;
  reset_without_admin (pairings, result);
  return ok_response ();
}

static GBytes *
handle_remove (HapPairings *pairings, const HapTlv8 *tlv, HapPairingsRequestResult *result)
{
  gchar id[HAP_PAIRING_ID_MAX + 1];

  if (!get_id (tlv, id))
    return error_response (HAP_PAIRING_ERROR_UNKNOWN);
  if (hap_pairings_remove (pairings, id)) {
    g_debug ("pairings: removed %s", id);
    g_ptr_array_add (result->removed_ids, g_strdup (id));
    result->changed = TRUE;
  }
  reset_without_admin (pairings, result);
  return ok_response ();
}

static GBytes *
handle_list (const HapPairings *pairings)
{
  HapTlv8Writer w;

  hap_tlv8_writer_init (&w);
  hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_STATE, 2);
  for (guint i = 0; i < hap_pairings_count (pairings); i++) {
    const HapPairing *p = hap_pairings_get (pairings, i);
    if (i > 0)
      hap_tlv8_add_separator (&w, HAP_PAIRING_TLV_SEPARATOR);
    hap_tlv8_add_string (&w, HAP_PAIRING_TLV_IDENTIFIER, p->id);
    hap_tlv8_add (&w, HAP_PAIRING_TLV_PUBLIC_KEY, p->ltpk, HAP_PAIRING_LTPK_LEN);
    hap_tlv8_add_u8 (&w, HAP_PAIRING_TLV_PERMISSIONS, p->permissions);
  }
  return hap_tlv8_writer_take_bytes (&w);
}

GBytes *
hap_pairings_request_handle (HapPairings *pairings, const char *session_controller_id,
    const guint8 *body, gsize len, HapPairingsRequestResult *result)
{
  g_autoptr (HapTlv8) tlv = NULL;
  const HapPairing *session;
  guint8 state, method;

  g_return_val_if_fail (pairings != NULL && session_controller_id != NULL, NULL);
  g_return_val_if_fail (body != NULL || len == 0, NULL);
  g_return_val_if_fail (result != NULL, NULL);

  result->changed = FALSE;
  result->removed_ids = g_ptr_array_new_with_free_func (g_free);

  session = hap_pairings_find (pairings, session_controller_id);
  if (session == NULL || session->permissions != HAP_PAIRING_PERM_ADMIN) {
    g_debug ("pairings: %s is not an admin", session_controller_id);
    return error_response (HAP_PAIRING_ERROR_AUTHENTICATION);
  }
  tlv = hap_tlv8_parse (body, len, NULL);
  if (tlv == NULL || !hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_STATE, &state) || state != 1
      || !hap_tlv8_get_u8 (tlv, HAP_PAIRING_TLV_METHOD, &method))
    return error_response (HAP_PAIRING_ERROR_UNKNOWN);
  switch (method) {
    case HAP_PAIRING_METHOD_ADD_PAIRING:
      return handle_add (pairings, tlv, result);
    case HAP_PAIRING_METHOD_REMOVE_PAIRING:
      return handle_remove (pairings, tlv, result);
    case HAP_PAIRING_METHOD_LIST_PAIRINGS:
      return handle_list (pairings);
    default:
      return error_response (HAP_PAIRING_ERROR_UNKNOWN);
  }
}

void
hap_pairings_request_result_clear (HapPairingsRequestResult *result)
{
  g_return_if_fail (result != NULL);

  g_clear_pointer (&result->removed_ids, g_ptr_array_unref);
  result->changed = FALSE;
}

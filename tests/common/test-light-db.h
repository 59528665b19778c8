/* Characteristic definitions of the small lightbulb accessories the server tests and the HAP test
 * accessory build (tests/unit/test-server.c, test-server-config.c,
 * tests/interop/hap-test-accessory.c): AccessoryInformation's characteristics, a Lightbulb's
 * On, Brightness (int 0-100 step 1, %) and ConfiguredName. Each file adds them in its own
 * order (instance ids follow it, see hap/accessory-db.h). */
#pragma once

#include "hap/accessory-db.h"

static const HapCharacteristicDef identify_def
    = { .type = HAP_CHAR_IDENTIFY, .format = HAP_FORMAT_BOOL, .perms = HAP_PERM_PW };
static const HapCharacteristicDef manufacturer_def
    = { .type = HAP_CHAR_MANUFACTURER, .format = HAP_FORMAT_STRING, .perms = HAP_PERM_PR };
static const HapCharacteristicDef model_def
    = { .type = HAP_CHAR_MODEL, .format = HAP_FORMAT_STRING, .perms = HAP_PERM_PR };
static const HapCharacteristicDef name_def
    = { .type = HAP_CHAR_NAME, .format = HAP_FORMAT_STRING, .perms = HAP_PERM_PR };
static const HapCharacteristicDef serial_def
    = { .type = HAP_CHAR_SERIAL_NUMBER, .format = HAP_FORMAT_STRING, .perms = HAP_PERM_PR };
static const HapCharacteristicDef firmware_def
    = { .type = HAP_CHAR_FIRMWARE_REVISION, .format = HAP_FORMAT_STRING, .perms = HAP_PERM_PR };
static const HapCharacteristicDef on_def = {
  .type = HAP_CHAR_ON, .format = HAP_FORMAT_BOOL, .perms = HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_EV
};
static const HapCharacteristicDef brightness_def = {
  .type = HAP_CHAR_BRIGHTNESS,
  .format = HAP_FORMAT_INT,
  .perms = HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_EV,
  .unit = HAP_UNIT_PERCENTAGE,
  .range = { TRUE, 0, 100, 1 },
};
static const HapCharacteristicDef configured_name_def = {
  .type = HAP_CHAR_CONFIGURED_NAME,
  .format = HAP_FORMAT_STRING,
  .perms = HAP_PERM_PR | HAP_PERM_PW | HAP_PERM_EV,
};

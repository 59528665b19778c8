#include "hap/parse.h"

G_DEFINE_QUARK (hap - codec - error - quark, hap_codec_error)

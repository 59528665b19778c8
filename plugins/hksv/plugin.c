/* The `hksv` plugin: registers the HomeKit Secure Video elements.
 *
 *   hksvmotion     Filter/Analyzer/Video  motion detection on raw video, pass-through
 *   hksvprebuffer  Filter/Video           GOP-aligned prebuffer of the encoded streams
 *   hksvsink       Sink                   fragmented MP4 recordings (HDS sessions or files)
 *   hksvaccessory  Generic                the camera's HAP accessory
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#ifdef HKSV_HAVE_MOTION
GST_ELEMENT_REGISTER_DECLARE (hksvmotion);
#endif
#ifdef HKSV_HAVE_PREBUFFER
GST_ELEMENT_REGISTER_DECLARE (hksvprebuffer);
#endif
#ifdef HKSV_HAVE_SINK
GST_ELEMENT_REGISTER_DECLARE (hksvsink);
#endif
#ifdef HKSV_HAVE_ACCESSORY
GST_ELEMENT_REGISTER_DECLARE (hksvaccessory);
#endif

static gboolean
plugin_init (GstPlugin *plugin)
{
  gboolean ok = TRUE;

#ifdef HKSV_HAVE_MOTION
  ok &= GST_ELEMENT_REGISTER (hksvmotion, plugin);
#endif
#ifdef HKSV_HAVE_PREBUFFER
  ok &= GST_ELEMENT_REGISTER (hksvprebuffer, plugin);
#endif
#ifdef HKSV_HAVE_SINK
  ok &= GST_ELEMENT_REGISTER (hksvsink, plugin);
#endif
#ifdef HKSV_HAVE_ACCESSORY
  ok &= GST_ELEMENT_REGISTER (hksvaccessory, plugin);
#endif
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, hksv,
    "HomeKit Secure Video camera: motion detection, prebuffer, fragmented MP4 recordings over "
    "HomeKit Data Stream",
    plugin_init, VERSION, "LGPL", GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)

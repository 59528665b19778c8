#!/bin/sh
# GStreamer's plugin scanner for sanitizer builds (GST_PLUGIN_SCANNER_1_0 in gst_test_env).
# The tests keep GStreamer's default of scanning plugins in a forked helper, so that the hundreds
# of system plugins are loaded (with their by-design leaks) in that helper, not in the test
# process under LeakSanitizer. The helper is not built with the sanitizers, so it could not load
# our instrumented plugin: run it with the sanitizer runtimes preloaded and leak checks off.
exec env LD_PRELOAD="$HKSV_SANITIZER_RUNTIMES" ASAN_OPTIONS=detect_leaks=0 \
  "$HKSV_REAL_PLUGIN_SCANNER" "$@"

# Motion detection for the remux-only pipelines (sourced by file-remux.sh and rtsp-remux.sh).
#
# hksvsink starts and ends clips on the serialized hksv-motion events that reach its video pad
# in the video stream. Without re-encoding there is no raw video on that path, so the H.264 is
# split (tee): one branch goes to the recorder as it is, the other is decoded, scaled down and
# analysed by hksvmotion. Its frames are then dropped (identity drop-probability=1) and its caps
# replaced (capssetter) so that it can join the recorded branch in a funnel, which passes the
# motion events on but, with forward-sticky-events=false, keeps the recorded branch's caps and
# segment: the recorder sees the camera's H.264 and the motion events, nothing else.
#
# The analysed branch lags the recorded one by its decoding time (a few frames): a clip starts
# that much after the motion, which the prebuffer covers.

: "${MOTION_WIDTH:=320}" # the analysed branch's size (its cost does not depend on it)
: "${MOTION_HEIGHT:=180}"

# $1: what feeds the decoder (e.g. "t." for the tee, or a second source's H.264).
hksv_motion_branch() {
  echo "$1 ! queue max-size-buffers=5 max-size-time=0 max-size-bytes=0" \
    "! avdec_h264 ! videoscale ! video/x-raw,width=$MOTION_WIDTH,height=$MOTION_HEIGHT" \
    "! hksvmotion $MOTION_OPTS ! identity drop-probability=1.0" \
    "! capssetter join=false replace=true caps=video/x-h264,stream-format=avc,alignment=au ! f."
}

# The recorded branch: the H.264 from the tee t through the funnel f to the recorder.
# $1: the sink's audio mode. Received timestamps jitter (a camera's IDRs 4 s apart arrive e.g.
# 3.958 s apart at the start of an RTSP stream): hksvsink takes a keyframe up to 100 ms before
# fragment-duration as the cut, so FRAGMENT_MS is the sink's fragment-duration here too.
hksv_remux_recorder() {
  echo "t. ! queue ! funnel name=f forward-sticky-events=false" \
    "! $(hksv_recorder "$1" force-key-units=false)"
}

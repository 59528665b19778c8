#!/usr/bin/python3
"""An RTSP test camera on 127.0.0.1 for rtsp.sh and rtsp-remux.sh (no camera needed).

Serves the scene of videotestsrc.sh (a ball appearing CYCLES times) in H.264 with an IDR every
FRAGMENT_MS and no other keyframe (what rtsp-remux.sh needs), paced in real time, to each client
from its own start. When the scene ends the stream ends, and so does the client's pipeline.

    /usr/bin/python3 pipelines/rtsp-test-server.py &
    URL=rtsp://127.0.0.1:8554/test AUDIO=camera-aac pipelines/rtsp-remux.sh

Mounts: /test (H.264 + AAC), /pcma (H.264 + G.711 A-law, as many cameras send), /noaudio
(H.264 only), /sub (a 320-pixel-wide substream of /test, no audio: rtsp-remux.sh MOTION_URL).
Settings (environment, with defaults): PORT=8554 WIDTH=1280 HEIGHT=720 FPS=25 BITRATE=2000
FRAGMENT_MS=4000 CYCLES=3 STILL_S=10 MOTION_S=5 AUDIO_RATE=32000.

Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-rtsp (Debian's own
/usr/bin/python3). Binds to 127.0.0.1 only.
"""
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def env(name, default):
    return int(os.environ.get(name, default))


PORT = env("PORT", 8554)
WIDTH, HEIGHT, FPS = env("WIDTH", 1280), env("HEIGHT", 720), env("FPS", 25)
BITRATE, FRAGMENT_MS = env("BITRATE", 2000), env("FRAGMENT_MS", 4000)
CYCLES, STILL_S, MOTION_S = env("CYCLES", 3), env("STILL_S", 10), env("MOTION_S", 5)
AUDIO_RATE = env("AUDIO_RATE", 32000)
TOTAL_S = CYCLES * (STILL_S + MOTION_S) + STILL_S


def scene(width, height):
    """The concat inputs: still, ball, ..., still, drawn 320 pixels wide."""
    small_h = (320 * height // width + 1) // 2 * 2
    caps = f"video/x-raw,format=I420,width=320,height={small_h},framerate={FPS}/1"
    still = f"videotestsrc pattern=black num-buffers={STILL_S * FPS} ! {caps} ! c. "
    ball = f"videotestsrc pattern=ball num-buffers={MOTION_S * FPS} ! {caps} ! c. "
    return (still + ball) * CYCLES + still


def video(width, height, bitrate):
    gop = FPS * FRAGMENT_MS // 1000
    return (
        "concat name=c ! identity single-segment=true ! videoscale "
        f"! video/x-raw,width={width},height={height} "
        f"! x264enc tune=zerolatency speed-preset=veryfast bitrate={bitrate} "
        f"key-int-max={gop} option-string=min-keyint={gop}:scenecut=0 "
        "! video/x-h264,profile=main ! rtph264pay name=pay0 pt=96 config-interval=-1 "
        + scene(width, height)
    )


def audio(kind):
    src = (
        f"audiotestsrc wave=sine freq=440 volume=0.05 samplesperbuffer={AUDIO_RATE // 50} "
        f"num-buffers={TOTAL_S * 50} ! audio/x-raw,rate={AUDIO_RATE},channels=1 "
    )
    if kind == "aac":
        return src + "! voaacenc bitrate=32000 ! rtpmp4gpay name=pay1 pt=97 "
    # G.711 is 8 kHz
    return src + "! audioresample ! audio/x-raw,rate=8000 ! alawenc ! rtppcmapay name=pay1 pt=8 "


MOUNTS = {
    "/test": video(WIDTH, HEIGHT, BITRATE) + audio("aac"),
    "/pcma": video(WIDTH, HEIGHT, BITRATE) + audio("pcma"),
    "/noaudio": video(WIDTH, HEIGHT, BITRATE),
    "/sub": video(320, (320 * HEIGHT // WIDTH + 1) // 2 * 2, 300),
}


def main():
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(PORT))
    mounts = server.get_mount_points()
    for path, launch in MOUNTS.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(f"( {launch})")
        factory.set_shared(False)  # each client gets the scene from its start
        mounts.add_factory(path, factory)
    if server.attach(None) == 0:
        sys.exit(f"rtsp-test-server: cannot listen on 127.0.0.1:{PORT}")
    for path in MOUNTS:
        print(f"rtsp://127.0.0.1:{PORT}{path}", flush=True)
    print(
        f"# {TOTAL_S} s per client, {WIDTH}x{HEIGHT}@{FPS}, IDR every {FRAGMENT_MS} ms",
        flush=True,
    )
    try:
        GLib.MainLoop().run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

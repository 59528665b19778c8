#!/usr/bin/python3
"""Reference motion detector for bench-motion: classic frame differencing with Debian's
python3-opencv, single-threaded, on the same GRAY8 frames as hksvmotion.

Per analysed frame: downscale to 320x180 (INTER_AREA), Gaussian blur 21x21, absdiff with the
previous analysed frame, threshold 25, dilate (3x3, 2 iterations), external contours; the frame is
moving when the largest contour covers at least min-area of the analysis frame. Analysis rate,
hold time and minimum area are hksvmotion's defaults, with the same frame selection rule.

  bench-motion-opencv.py time WIDTH HEIGHT FILE [ITERATIONS]
      FILE holds packed GRAY8 frames; prints "ms_per_frame: X" (process CPU time per frame).
  bench-motion-opencv.py detect WIDTH HEIGHT FPS_N/FPS_D:FRAMES...
      reads each scene's frames from stdin, one scene after the other; prints
      "event SCENE_INDEX on|off TIMESTAMP_NS" lines and "analysed: N".
"""
import sys
import time

import cv2
import numpy as np

ANALYSIS_W, ANALYSIS_H = 320, 180
BLUR = (21, 21)
THRESHOLD = 25
DILATE_ITERATIONS = 2
MIN_AREA = 0.01
HOLD_NS = 2_000_000_000
RATE = 10.0


class Detector:
    def __init__(self):
        self.prev = None
        self.motion = False
        self.last_moving = 0
        self.have_last = False
        self.last_ts = 0
        self.next_due = 0
        self.period = int(1e9 / RATE)

    def wants(self, ts):
        if not self.have_last or ts < self.last_ts:
            return True
        return ts + 1_000_000 >= self.next_due

    def moving(self, frame):
        small = cv2.resize(frame, (ANALYSIS_W, ANALYSIS_H), interpolation=cv2.INTER_AREA)
        blur = cv2.GaussianBlur(small, BLUR, 0)
        prev, self.prev = self.prev, blur
        if prev is None:
            return False
        diff = cv2.absdiff(prev, blur)
        _, mask = cv2.threshold(diff, THRESHOLD, 255, cv2.THRESH_BINARY)
        mask = cv2.dilate(mask, None, iterations=DILATE_ITERATIONS)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        largest = max((cv2.contourArea(c) for c in contours), default=0.0)
        return largest >= MIN_AREA * ANALYSIS_W * ANALYSIS_H

    def process(self, frame, ts):
        """Returns the new state when it changed on this frame, else None."""
        if not self.have_last or ts < self.last_ts or ts >= self.next_due + self.period:
            self.next_due = ts + self.period
        else:
            self.next_due += self.period
        self.last_ts, self.have_last = ts, True
        if self.moving(frame):
            self.last_moving = ts
            if not self.motion:
                self.motion = True
                return True
        elif self.motion and ts - self.last_moving >= HOLD_NS:
            self.motion = False
            return False
        return None


def read_exact(stream, n):
    data = bytearray()
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError("short frame on stdin")
        data += chunk
    return bytes(data)


def cmd_time(width, height, path, iterations):
    raw = np.fromfile(path, dtype=np.uint8)
    frames = raw.reshape(-1, height, width)
    det = Detector()
    det.moving(frames[0])
    t0 = time.process_time()
    for i in range(iterations):
        det.moving(frames[i % len(frames)])
    dt = time.process_time() - t0
    print("ms_per_frame: %.4f" % (dt * 1000 / iterations))


def cmd_detect(width, height, scenes):
    stdin = sys.stdin.buffer
    out = []
    analysed = 0
    for index, spec in enumerate(scenes):
        rate, n_frames = spec.split(":")
        fps_n, fps_d = (int(v) for v in rate.split("/"))
        det = Detector()
        for n in range(int(n_frames)):
            frame = np.frombuffer(read_exact(stdin, width * height), dtype=np.uint8)
            frame = frame.reshape(height, width)
            ts = n * 1_000_000_000 * fps_d // fps_n
            if not det.wants(ts):
                continue
            analysed += 1
            changed = det.process(frame, ts)
            if changed is not None:
                out.append("event %d %s %d" % (index, "on" if changed else "off", ts))
    out.append("analysed: %d" % analysed)
    print("\n".join(out))


def main(argv):
    cv2.setNumThreads(1)
    if len(argv) >= 5 and argv[1] == "time":
        iterations = int(argv[5]) if len(argv) > 5 else 1000
        cmd_time(int(argv[2]), int(argv[3]), argv[4], iterations)
    elif len(argv) >= 4 and argv[1] == "detect":
        cmd_detect(int(argv[2]), int(argv[3]), argv[4:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

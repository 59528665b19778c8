// Interop: hksv-hub (the hub simulator) against an independent HKSV accessory, the npm
// hap-nodejs CameraController in hksv-camera.js, which streams the real camera's recording.
// hksv-hub pairs, inspects (the whole HKSV profile present), configures, gets motion, receives
// recordings whose bytes equal the reference init segment + fragments with no checker
// violation, closes a stream itself after motion ends, runs two hubs (hap-nodejs serves one
// stream and refuses the other with BUSY: reported as such), records on a doorbell press, takes
// a snapshot, sees a refused open when recording is off, and unpairs.
// Usage: node hksv-hub.test.js PATH/TO/hksv-hub
// Exit: 0 all passed, 1 a failure, 77 skipped (node_modules or the binary missing).
"use strict";
const path = require("path");
const fs = require("fs");
const assert = require("assert");
const { execFileSync } = require("child_process");
const { requirePeers, tempDir, Camera, runHub, assertClean, reference, socketsOf } = require("./hksv-hub-util");

const hub = process.argv[2];
requirePeers(hub);

const CODE = "031-45-154";
const dir = tempDir("hub");
const state = path.join(dir, "state");
const common = ["--state-dir", state, "--io-timeout", "5"];
const ref = reference();
const refInit = fs.readFileSync(path.join(__dirname, "../data/reference-camera/mediaInitialization.mp4"));
const refSeq2 = fs.readFileSync(path.join(__dirname, "../data/reference-camera/sequence2.mp4"));

// A JPEG for the snapshot: a real one from GStreamer when it is installed.
function makeJpeg(file) {
  try {
    execFileSync("gst-launch-1.0", ["-q", "videotestsrc", "num-buffers=1", "!",
      "video/x-raw,width=320,height=180", "!", "jpegenc", "!", "filesink", `location=${file}`],
    { stdio: "ignore", timeout: 20000 });
    if (fs.statSync(file).size > 0) return;
  } catch (e) {
    // fall through
  }
  fs.writeFileSync(file, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0,
    0, 1, 0, 1, 0, 0, 0xff, 0xd9]));
}

// Resolves once hksv-hub said (-v, stderr) that `n` hubs subscribed.
function whenSubscribed(child, n) {
  return new Promise((resolve, reject) => {
    let text = "";
    const t = setTimeout(() => reject(new Error("hksv-hub did not subscribe within 20 s")), 20000);
    child.stderr.on("data", (d) => {
      text += d;
      if ((text.match(/subscribed; waiting/g) || []).length >= n) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

let failures = 0;
async function step(name, fn) {
  const start = Date.now();
  try {
    await fn();
    console.log(`ok - ${name} (${Date.now() - start} ms)`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}\n  ${String(e.stack || e).replace(/\n/g, "\n  ")}`);
  }
}

async function main() {
  await step("--help documents every subcommand and its options", async () => {
    const help = execFileSync(hub, ["--help"], { encoding: "utf8" });
    for (const cmd of ["pair HOST:PORT CODE", "unpair", "list-pairings", "inspect", "record --out DIR",
      "snapshot --reason 0|1 --out FILE", "check FILE...", "watch"])
      assert.ok(help.includes(`hksv-hub ${cmd}`), cmd);
    for (const opt of ["--state-dir DIR", "--json", "--events N", "--timeout S", "--hubs N", "--mode MODE",
      "--close-delay S", "--fragment-timeout S", "--reason 0|1", "--io-timeout S", "Exit status"])
      assert.ok(help.includes(opt), opt);
    const sub = execFileSync(hub, ["record", "--help"], { encoding: "utf8" });
    assert.ok(sub.includes("--state-dir") && sub.includes("--hubs"));
  });

  const jpeg = path.join(dir, "snapshot-source.jpg");
  makeJpeg(jpeg);
  const camera = new Camera(dir, ["--pace", "1200", "--snapshot", jpeg, "--doorbell"]);
  const port = await camera.port();
  const address = `127.0.0.1:${port}`;

  await step("pair with hap-nodejs (pair-setup, pair-verify) and store the pairing", async () => {
    const run = await runHub(hub, ["pair", address, CODE, ...common]);
    assertClean(assert, run, "pair");
    assert.strictEqual(run.code, 0, run.stderr);
    assert.strictEqual(run.report.accessory, "2A:3B:4C:5D:6E:7F");
    assert.strictEqual(run.report.verified, true);
    await camera.wait("PAIRED");
  });

  await step("a second pair-setup is refused as already paired (exit 1)", async () => {
    const run = await runHub(hub, ["pair", address, CODE, "--state-dir", path.join(dir, "other")]);
    assertClean(assert, run, "pair again");
    assert.strictEqual(run.code, 1);
    assert.match(run.report.error, /already paired/);
  });

  await step("inspect: every HKSV service and characteristic present, configurations decoded", async () => {
    const run = await runHub(hub, ["inspect", ...common]);
    assertClean(assert, run, "inspect");
    assert.strictEqual(run.code, 0, JSON.stringify(run.report.checks.filter((c) => c.status === "missing" || c.status === "wrong")));
    assert.strictEqual(run.report.failed, 0);
    const required = ["CameraRTPStreamManagement.Active", "CameraOperatingMode.HomeKitCameraActive",
      "CameraEventRecordingManagement.SelectedCameraRecordingConfiguration",
      "DataStreamManagement.SetupDataStreamTransport", "MotionSensor.MotionDetected",
      "CameraEventRecordingManagement links MotionSensor",
      "CameraEventRecordingManagement links DataStreamManagement"];
    for (const item of required)
      assert.strictEqual(run.report.checks.find((c) => c.item === item).status, "present", item);
    assert.strictEqual(run.report.supported_recording.prebuffer_ms, 4000);
    assert.deepStrictEqual(run.report.supported_recording.containers, [{ type: 0, fragment_length_ms: 4000 }]);
    assert.deepStrictEqual(run.report.supported_video.codecs[0].resolutions[0], [1920, 1080, 30]);
    assert.deepStrictEqual(run.report.supported_audio.codecs[0].sample_rates_hz, [32000]);
  });

  await step("record two motion events: recordings identical to the reference, no violation", async () => {
    const out = path.join(dir, "rec");
    const run = await runHub(hub, ["record", "--out", out, "--events", "2", "--timeout", "60", "-v", ...common],
        async (child) => {
          await whenSubscribed(child, 1);
          for (let i = 0; i < 2; i++) {
            camera.send("motion 1");
            await camera.wait("STREAM_ACK");
            camera.send("motion 0");
          }
        });
    assertClean(assert, run, "record");
    assert.strictEqual(run.code, 0, run.stderr);
    const cfg = camera.seen.find((l) => l.startsWith("CONFIG "));
    assert.strictEqual(cfg, "CONFIG 4000 4000 1920x1080@30");
    assert.ok(camera.seen.includes("RECORDING_ACTIVE 1"));
    const recs = run.report.hubs[0].recordings;
    assert.strictEqual(recs.length, 2);
    for (const rec of recs) {
      assert.strictEqual(rec.ok, true, JSON.stringify(rec));
      assert.strictEqual(rec.violations_count, 0, JSON.stringify(rec.violations));
      assert.strictEqual(rec.end_of_stream, true);
      assert.deepStrictEqual(rec.arrivals.map((a) => a.sequence), [1, 2, 3, 4]);
      assert.deepStrictEqual(rec.arrivals.map((a) => a.chunks), [1, 2, 2, 2]);
      assert.ok(rec.event_to_open_accepted_ms >= 0 && rec.open_to_first_chunk_ms >= 0);
      assert.ok(rec.arrivals[2].inter_arrival_ms > 1000, "fragments paced by the camera");
      assert.ok(rec.media.prebuffer_ms >= 4000);
      assert.ok(fs.readFileSync(rec.file).equals(ref), `${rec.file} differs from the reference`);
      assert.ok(fs.statSync(rec.chunk_dump).size > ref.length);
    }
    assert.strictEqual(run.report.selection_reads_back, true);
    // The chunk dump passes the checker as a file too.
    const check = await runHub(hub, ["check", recs[0].chunk_dump, "--prebuffer", "4000", "--fragment", "4000", "--audio", "yes"]);
    assertClean(assert, check, "check");
    assert.strictEqual(check.code, 0, check.stdout);
  });

  await step("the camera holds loopback TCP sockets only, and no UDP socket (no mDNS)", async () => {
    const sockets = socketsOf(camera.proc.pid);
    assert.ok(sockets.some((s) => s.proto.startsWith("tcp")), "the camera's sockets are visible");
    for (const s of sockets) {
      assert.ok(s.proto.startsWith("tcp"), `a ${s.proto} socket: ${s.local}`);
      assert.ok(s.loopback, `a socket on ${s.local}`);
    }
  });

  await step("motion ends before the camera does: the hub closes the stream (reason normal)", async () => {
    const out = path.join(dir, "close");
    camera.send("pace 4000");
    const run = await runHub(hub, ["record", "--out", out, "--close-delay", "1", "--no-configure", "-v", ...common],
        async (child) => {
          await whenSubscribed(child, 1);
          camera.send("motion 1");
          await camera.wait("SENT");
          camera.send("motion 0");
        });
    assertClean(assert, run, "record");
    assert.strictEqual(run.code, 0, run.stderr);
    const rec = run.report.hubs[0].recordings[0];
    assert.strictEqual(rec.hub_close_reason, 0);
    assert.strictEqual(rec.end_of_stream, false);
    assert.strictEqual(rec.violations_count, 0, JSON.stringify(rec.violations));
    assert.ok(fs.readFileSync(rec.file).equals(Buffer.concat([refInit, refSeq2])));
    assert.match(await camera.wait("STREAM_CLOSE"), /^STREAM_CLOSE \d+ 0$/);
    camera.send("pace 1200");
  });

  await step("two hubs at once: hap-nodejs serves one and refuses the other with BUSY", async () => {
    const out = path.join(dir, "hubs");
    const run = await runHub(hub, ["record", "--out", out, "--hubs", "2", "--timeout", "30", "-v", ...common],
        async (child) => {
          await whenSubscribed(child, 2);
          camera.send("motion 1");
          await camera.wait("STREAM_ACK");
          camera.send("motion 0");
        });
    assertClean(assert, run, "record --hubs 2");
    assert.strictEqual(run.code, 1, "one refused recording fails the run");
    const recs = run.report.hubs.map((h) => h.recordings[0]);
    const served = recs.filter((r) => r.ok);
    const refused = recs.filter((r) => !r.ok);
    assert.strictEqual(served.length, 1, JSON.stringify(recs));
    assert.strictEqual(refused.length, 1);
    assert.ok(fs.readFileSync(served[0].file).equals(ref));
    assert.strictEqual(refused[0].open_refused_reason, 2);
    assert.match(refused[0].failure, /refused dataSend open.*reason 2 \(busy\)/);
    assert.ok(!("file" in refused[0]));
    const list = await runHub(hub, ["list-pairings", ...common]);
    assertClean(assert, list, "list-pairings");
    assert.deepStrictEqual(list.report.pairings.map((p) => p.hub).sort(), [1, 2]);
  });

  await step("a doorbell press (--doorbell) starts a recording with the doorbell trigger", async () => {
    const out = path.join(dir, "doorbell");
    const run = await runHub(hub, ["record", "--out", out, "--doorbell", "--timeout", "30", "-v", ...common],
        async (child) => {
          await whenSubscribed(child, 1);
          camera.send("doorbell");
          await camera.wait("STREAM_ACK");
        });
    assertClean(assert, run, "record --doorbell");
    assert.strictEqual(run.code, 0, run.stderr);
    const rec = run.report.hubs[0].recordings[0];
    assert.strictEqual(rec.trigger, "doorbell");
    assert.strictEqual(rec.violations_count, 0, JSON.stringify(rec.violations));
    assert.match(run.report.selection_text, /triggers motion\+doorbell/);
    assert.ok(fs.readFileSync(rec.file).equals(ref));
  });

  await step("snapshot with reason 1 saves the camera's JPEG", async () => {
    const file = path.join(dir, "snap.jpg");
    const run = await runHub(hub, ["snapshot", "--reason", "1", "--out", file, ...common]);
    assertClean(assert, run, "snapshot");
    assert.strictEqual(run.code, 0, run.stderr);
    assert.ok(fs.readFileSync(file).equals(fs.readFileSync(jpeg)));
  });

  await step("recording off (--mode detect): the camera refuses open with NOT_ALLOWED", async () => {
    const out = path.join(dir, "off");
    const run = await runHub(hub, ["record", "--out", out, "--mode", "detect", "--timeout", "20", "-v", ...common],
        async (child) => {
          await whenSubscribed(child, 1);
          camera.send("motion 1");
          camera.send("motion 0");
        });
    assertClean(assert, run, "record --mode detect");
    assert.strictEqual(run.code, 1);
    const rec = run.report.hubs[0].recordings[0];
    assert.strictEqual(rec.open_refused_reason, 1);
    assert.match(rec.failure, /not allowed/);
    assert.ok(camera.seen.includes("RECORDING_ACTIVE 0"));
  });

  await step("unpair removes both hubs' pairings and forgets the camera", async () => {
    const run = await runHub(hub, ["unpair", ...common]);
    assertClean(assert, run, "unpair");
    assert.strictEqual(run.code, 0, run.stderr);
    assert.strictEqual(run.report.removed.length, 2);
    const list = await runHub(hub, ["list-pairings", ...common]);
    assertClean(assert, list, "list-pairings");
    assert.strictEqual(list.code, 3);
    assert.match(list.report.error, /no accessory is paired/);
  });

  await camera.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  if (failures > 0) {
    console.log(`${failures} step(s) failed`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.log(`not ok - ${e.stack || e}`);
  process.exit(1);
});

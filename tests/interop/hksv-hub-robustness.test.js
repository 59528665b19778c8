// Interop: hksv-hub against misbehaving accessories. Each case must end in bounded time with a
// clear report and a non-zero exit status, never a crash or a hang:
// - HAP servers on 127.0.0.1 (in this process) that answer pair-setup with garbage, stall,
//   close, send half a response, trickle bytes, announce a huge body, send malformed or
//   unexpected pairing TLVs; a port nobody listens on;
// - the hap-nodejs reference camera (hksv-camera.js --misbehave) that stalls, writes garbage
//   into or closes the HDS connection in the middle of a recording, or breaks the HAP session
//   while hksv-hub waits for motion;
// - an accessory that is no camera at all (libhap's hap-test-accessory, a light): inspect lists
//   the HKSV services as missing, record refuses clearly, watch and unpair still work.
// Usage: node hksv-hub-robustness.test.js PATH/TO/hksv-hub [PATH/TO/hap-test-accessory]
// Exit: 0 all passed, 1 a failure, 77 skipped (node_modules or the binary missing).
"use strict";
const path = require("path");
const fs = require("fs");
const net = require("net");
const readline = require("readline");
const { spawn } = require("child_process");
const assert = require("assert");
const { requirePeers, tempDir, Camera, runHub, assertClean } = require("./hksv-hub-util");

const hub = process.argv[2];
const lightAccessory = process.argv[3]; // libhap's hap-test-accessory: a HAP light, no camera
requirePeers(hub);

const CODE = "031-45-154";
const IO_TIMEOUT_S = 2;
const dir = tempDir("robust");

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

// ---- HAP-level misbehaviour: what the server does with the first request ----
const http = (head, body = Buffer.alloc(0)) => Buffer.concat([Buffer.from(head, "binary"), body]);
const behaviours = {
  garbage: (s) => s.write(Buffer.from("\x00\xffthis is not HTTP at all\r\n\r\n", "binary")),
  stall: () => {},
  close: (s) => s.destroy(),
  half: (s) => {
    s.write(http("HTTP/1.1 200 OK\r\nContent-Type: application/pairing+tlv8\r\nContent-Length: 100\r\n\r\n\x06\x01"));
    s.end();
  },
  trickle: (s) => {
    const text = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Slow: ".padEnd(4000, "a"));
    let i = 0;
    const t = setInterval(() => {
      if (s.destroyed || i >= text.length) return clearInterval(t);
      s.write(text.subarray(i, i + 1));
      i++;
    }, 100);
    s.on("close", () => clearInterval(t));
  },
  huge: (s) => s.write(http("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n")),
  badtlv: (s) => s.write(http("HTTP/1.1 200 OK\r\nContent-Type: application/pairing+tlv8\r\nContent-Length: 3\r\n\r\n",
      Buffer.from([0x06, 0x05, 0x01]))),
  wrongstate: (s) => s.write(http("HTTP/1.1 200 OK\r\nContent-Type: application/pairing+tlv8\r\nContent-Length: 3\r\n\r\n",
      Buffer.from([0x06, 0x01, 0x04]))),
};

function serve(mode) {
  return new Promise((resolve) => {
    const sockets = new Set();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
      s.once("data", () => behaviours[mode](s));
    });
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: server.address().port,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }));
  });
}

const expected = {
  garbage: /malformed HTTP message/,
  stall: /no response to POST \/pair-setup from the accessory within the timeout/,
  close: /closed/,
  half: /closed the connection in the middle of a message/,
  trickle: /no response to POST \/pair-setup from the accessory within the timeout/,
  huge: /malformed HTTP message/,
  badtlv: /pair-setup M2: bad answer from the accessory/,
  wrongstate: /pair-setup M2: bad answer from the accessory: .*state/,
};

// ---- a paired reference camera ----
async function pairedCamera(name, args) {
  const camDir = path.join(dir, name);
  fs.mkdirSync(camDir);
  const camera = new Camera(camDir, args);
  const port = await camera.port();
  const state = path.join(camDir, "state");
  const run = await runHub(hub, ["pair", `127.0.0.1:${port}`, CODE, "--state-dir", state]);
  assertClean(assert, run, "pair");
  assert.strictEqual(run.code, 0, run.stderr);
  return { camera, state, out: path.join(camDir, "out") };
}

function whenSubscribed(child) {
  return new Promise((resolve, reject) => {
    let text = "";
    const t = setTimeout(() => reject(new Error("hksv-hub did not subscribe within 20 s")), 20000);
    child.stderr.on("data", (d) => {
      text += d;
      if (text.includes("subscribed; waiting")) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

async function main() {
  for (const mode of Object.keys(behaviours)) {
    await step(`pair against an accessory that answers with ${mode}: exit 3, clear error, bounded`, async () => {
      const server = await serve(mode);
      const run = await runHub(hub, ["pair", `127.0.0.1:${server.port}`, CODE,
        "--state-dir", path.join(dir, `state-${mode}`), "--io-timeout", String(IO_TIMEOUT_S)]);
      server.close();
      assertClean(assert, run, mode);
      assert.strictEqual(run.code, 3, run.stderr);
      assert.match(run.report.error, expected[mode]);
      assert.ok(run.ms < (IO_TIMEOUT_S + 3) * 1000, `took ${run.ms} ms`);
    });
  }

  await step("pair with a port nobody listens on: exit 3, connection refused", async () => {
    const server = await serve("stall");
    const port = server.port;
    server.close();
    const run = await runHub(hub, ["pair", `127.0.0.1:${port}`, CODE, "--state-dir", path.join(dir, "refused")]);
    assertClean(assert, run, "refused");
    assert.strictEqual(run.code, 3);
    assert.match(run.report.error, /connecting to 127\.0\.0\.1 port \d+: .*refused/i);
  });

  const hds = {
    stall: /no data for 2\.0 s after the last chunk/,
    garbage: /HDS: a frame (does not authenticate|is malformed)/,
    close: /closed|reset/,
  };
  for (const mode of Object.keys(hds)) {
    await step(`the camera ${mode === "stall" ? "stalls" : mode === "close" ? "closes the data stream" : "sends garbage"} mid-recording: the recording fails clearly, exit 1`, async () => {
      const { camera, state, out } = await pairedCamera(`hds-${mode}`, ["--misbehave", mode]);
      const run = await runHub(hub, ["record", "--out", out, "--state-dir", state, "--timeout", "20",
        "--fragment-timeout", "2", "--io-timeout", String(IO_TIMEOUT_S), "-v"],
      async (child) => {
        await whenSubscribed(child);
        camera.send("motion 1");
      });
      await camera.stop();
      assertClean(assert, run, mode);
      assert.strictEqual(run.code, 1, run.stderr);
      const rec = run.report.hubs[0].recordings[0];
      assert.strictEqual(rec.ok, false);
      assert.match(rec.failure, hds[mode]);
      assert.deepStrictEqual(rec.arrivals.map((a) => a.sequence), [1, 2], "what came before is kept");
      assert.ok(run.ms < 12000, `took ${run.ms} ms`);
    });
  }

  const session = { "hap-garbage": /session frame that does not authenticate/, "hap-close": /closed|reset/ };
  for (const cmd of Object.keys(session)) {
    await step(`the HAP session breaks (${cmd}) while hksv-hub waits for motion: exit 3, clear error`, async () => {
      const { camera, state, out } = await pairedCamera(cmd, []);
      const run = await runHub(hub, ["record", "--out", out, "--state-dir", state, "--timeout", "20", "-v"],
          async (child) => {
            await whenSubscribed(child);
            camera.send(cmd);
            await camera.wait("MISBEHAVED");
          });
      await camera.stop();
      assertClean(assert, run, cmd);
      assert.strictEqual(run.code, 3, run.stderr);
      assert.match(run.report.hubs[0].error, session[cmd]);
      assert.ok(run.ms < 10000, `took ${run.ms} ms`);
    });
  }

  if (lightAccessory && fs.existsSync(lightAccessory)) {
    await step("an accessory that is no camera: inspect says missing, record refuses, exit 1", async () => {
      const lightDir = path.join(dir, "light");
      fs.mkdirSync(lightDir);
      const proc = spawn(lightAccessory, ["--storage", lightDir, "--setup-code", CODE],
          { stdio: ["pipe", "pipe", "ignore"] });
      const lines = [];
      readline.createInterface({ input: proc.stdout }).on("line", (l) => lines.push(l));
      const waitLine = async (prefix) => {
        for (let i = 0; i < 100; i++) {
          const l = lines.find((x) => x.startsWith(prefix));
          if (l) return l;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`hap-test-accessory did not print ${prefix}`);
      };
      try {
        const port = Number((await waitLine("PORT ")).split(" ")[1]);
        const state = path.join(lightDir, "hub");
        const common = ["--state-dir", state, "--io-timeout", String(IO_TIMEOUT_S)];
        let run = await runHub(hub, ["pair", `127.0.0.1:${port}`, CODE, ...common]);
        assertClean(assert, run, "pair");
        assert.strictEqual(run.code, 0, run.stderr);

        run = await runHub(hub, ["inspect", ...common]);
        assertClean(assert, run, "inspect");
        assert.strictEqual(run.code, 1);
        for (const item of ["CameraEventRecordingManagement", "DataStreamManagement", "MotionSensor",
          "CameraRTPStreamManagement", "CameraOperatingMode"])
          assert.strictEqual(run.report.checks.find((c) => c.item === item).status, "missing", item);
        assert.ok(run.report.accessories[0].services.some((s) => s.name === "Lightbulb" || s.type === "43"));

        run = await runHub(hub, ["record", "--out", path.join(lightDir, "out"), ...common]);
        assertClean(assert, run, "record");
        assert.strictEqual(run.code, 1);
        assert.match(run.report.error, /lacks what a hub needs to record/);

        run = await runHub(hub, ["snapshot", "--out", path.join(lightDir, "s.jpg"), ...common]);
        assertClean(assert, run, "snapshot");
        assert.strictEqual(run.code, 1);
        assert.match(run.report.error, /refused the snapshot.*404/);

        run = await runHub(hub, ["watch", "--events", "1", "--timeout", "10", "-v", ...common],
            async (child) => {
              await new Promise((resolve) => child.stderr.once("data", resolve));
              proc.stdin.write("on 1\n");
            });
        assertClean(assert, run, "watch");
        assert.strictEqual(run.code, 0, run.stderr);
        assert.ok(run.report.events.some((e) => e.iid === 9 && e.value === true));

        run = await runHub(hub, ["unpair", ...common]);
        assertClean(assert, run, "unpair");
        assert.strictEqual(run.code, 0, run.stderr);
        await waitLine("PAIRED 0");
      } finally {
        proc.stdin.end("quit\n");
      }
    });
  }

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

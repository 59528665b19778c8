#!/usr/bin/env node
// A reference HKSV camera on the npm hap-nodejs (a test peer only): CameraController with
// recording options and a motion sensor (and a doorbell with --doorbell), whose recording
// delegate streams the real camera's recording (tests/data/reference-camera: init segment +
// three fragments). hksv-hub is tested against it (hksv-hub.test.js).
//
//   node hksv-camera.js --storage DIR [--setup-code 031-45-154] [--data DIR] [--pace MS]
//                       [--snapshot FILE.jpg] [--misbehave none|stall|garbage|close]
//
// Listens on 127.0.0.1 only and never advertises: hap-nodejs would start a ciao mDNS responder
// (multicast on every interface) and bind 0.0.0.0 / :: for HAP and for its HDS server, so the
// advertiser classes are replaced by a no-op, the bind option parser returns 127.0.0.1, and a
// net.Server.listen() without an address (what the HDS server calls) listens on 127.0.0.1.
//
// stdin, one command per line: `motion 1`, `motion 0`, `doorbell`, `pace MS` (delay between the
// fragments after the prebuffer, default --pace 300), `hap-garbage` (bytes that are
// no session frame into every controller connection), `hap-close` (closes them), `quit`.
// stdout, one line per fact: `PORT <n>`, `PAIRED`, `SUBSCRIBED motion`, `RECORDING_ACTIVE 0|1`,
// `CONFIG <fragment ms> <prebuffer ms> <WxH@fps>`, `HDS_PORT <n>`, `STREAM_START <id>`,
// `STREAM_ACK <id>`, `STREAM_CLOSE <id> <reason>`, `SENT <id> <sequence>`, `MISBEHAVED <what>`.
// --misbehave: after the init segment and the first fragment, stall (send nothing more), write
// garbage into the HDS connection, or close it.
"use strict";
const path = require("path");
const fs = require("fs");
const net = require("net");
const EventEmitter = require("events");
const readline = require("readline");

const hapDir = path.join(__dirname, "node_modules/hap-nodejs");
let hap;
try {
  hap = require(hapDir);
} catch (e) {
  process.stderr.write(`hap-nodejs not installed in tests/interop/node_modules: ${e.message}\n`);
  process.exit(77);
}
const advertiser = require(path.join(hapDir, "dist/lib/Advertiser"));

const args = {
  storage: null,
  setupCode: "031-45-154",
  data: path.join(__dirname, "../data/reference-camera"),
  pace: 300,
  snapshot: null,
  misbehave: "none",
  doorbell: false,
};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--storage") args.storage = process.argv[++i];
  else if (a === "--setup-code") args.setupCode = process.argv[++i];
  else if (a === "--data") args.data = process.argv[++i];
  else if (a === "--pace") args.pace = Number(process.argv[++i]);
  else if (a === "--snapshot") args.snapshot = process.argv[++i];
  else if (a === "--misbehave") args.misbehave = process.argv[++i];
  else if (a === "--doorbell") args.doorbell = true;
  else {
    process.stderr.write(`unknown argument ${a}\n`);
    process.exit(2);
  }
}
if (!args.storage) {
  process.stderr.write("--storage DIR is required\n");
  process.exit(2);
}
const say = (line) => process.stdout.write(line + "\n");

// ---- loopback only, no mDNS ----
class NoAdvertiser extends EventEmitter {
  initPort() {}
  startAdvertising() {
    return Promise.resolve();
  }
  updateAdvertisement() {}
  destroy() {
    return Promise.resolve();
  }
}
for (const name of ["CiaoAdvertiser", "BonjourHAPAdvertiser", "AvahiAdvertiser", "ResolvedAdvertiser"])
  advertiser[name] = NoAdvertiser;
hap.Accessory.parseBindOption = () => ({
  advertiserAddress: undefined,
  serviceRestrictedAddress: undefined,
  serviceDisableIpv6: true,
  serverAddress: "127.0.0.1",
});
// The controllers' HAP connections (for the hap-garbage and hap-close commands).
let hapPort = -1;
const hapSockets = new Set();
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...a) {
  this.on("connection", (socket) => {
    if (this.address() && this.address().port === hapPort) {
      hapSockets.add(socket);
      socket.on("close", () => hapSockets.delete(socket));
    }
  });
  if (a.length === 0 || (a.length === 1 && typeof a[0] === "function")) {
    this.once("listening", () => say(`HDS_PORT ${this.address().port}`));
    return listen.call(this, 0, "127.0.0.1", ...a);
  }
  return listen.apply(this, a);
};

// The HDS connection that carries the stream, for --misbehave.
let streamConnection = null;
const sendEvent = hap.DataStreamConnection.prototype.sendEvent;
hap.DataStreamConnection.prototype.sendEvent = function (protocol, event, message) {
  if (protocol === "dataSend" && event === "data") streamConnection = this;
  return sendEvent.call(this, protocol, event, message);
};

// ---- the reference recording ----
const read = (name) => fs.readFileSync(path.join(args.data, name));
const init = read("mediaInitialization.mp4");
const fragments = ["sequence2.mp4", "sequence3.mp4", "sequence4.mp4"].map(read);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class Delegate {
  constructor() {
    this.closed = new Set();
    this.wakers = new Map();
  }
  // streaming: only what hap-nodejs needs to publish the service
  handleSnapshotRequest(request, callback) {
    if (!args.snapshot) return callback(new Error("no snapshot configured"));
    callback(undefined, fs.readFileSync(args.snapshot));
  }
  prepareStream(request, callback) {
    callback(new Error("live streaming is not part of this test camera"));
  }
  handleStreamRequest(request, callback) {
    callback();
  }
  // recording
  updateRecordingActive(active) {
    say(`RECORDING_ACTIVE ${active ? 1 : 0}`);
  }
  updateRecordingConfiguration(config) {
    if (!config) return say("CONFIG none");
    const r = config.videoCodec.resolution;
    say(`CONFIG ${config.mediaContainerConfiguration.fragmentLength} ${config.prebufferLength} ${r[0]}x${r[1]}@${r[2]}`);
  }
  async wait(streamId, ms) {
    await new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakers.set(streamId, () => {
        clearTimeout(t);
        resolve();
      });
    });
    this.wakers.delete(streamId);
  }
  async *handleRecordingStreamRequest(streamId) {
    say(`STREAM_START ${streamId}`);
    this.closed.delete(streamId); // hubs may use a stream id again
    // The prebuffer at once: init segment and the first fragment.
    yield { data: init, isLast: false };
    say(`SENT ${streamId} 1`);
    yield { data: fragments[0], isLast: false };
    say(`SENT ${streamId} 2`);
    if (args.misbehave === "stall") {
      say("MISBEHAVED stall");
      while (!this.closed.has(streamId)) await this.wait(streamId, 60000);
      return;
    }
    if (args.misbehave === "garbage" || args.misbehave === "close") {
      await sleep(50);
      if (streamConnection) {
        if (args.misbehave === "garbage") streamConnection.socket.write(Buffer.from("\x01\x00\x00\x10".padEnd(64, "garbage, not a frame "), "binary"));
        else streamConnection.socket.destroy();
      }
      say(`MISBEHAVED ${args.misbehave}`);
      while (!this.closed.has(streamId)) await this.wait(streamId, 60000);
      return;
    }
    for (let i = 1; i < fragments.length; i++) {
      await this.wait(streamId, args.pace);
      if (this.closed.has(streamId)) return;
      yield { data: fragments[i], isLast: i === fragments.length - 1 };
      say(`SENT ${streamId} ${i + 2}`);
    }
  }
  acknowledgeStream(streamId) {
    say(`STREAM_ACK ${streamId}`);
    this.closed.add(streamId);
  }
  closeRecordingStream(streamId, reason) {
    say(`STREAM_CLOSE ${streamId} ${reason === undefined ? "connection" : reason}`);
    this.closed.add(streamId);
    const wake = this.wakers.get(streamId);
    if (wake) wake();
  }
}

// ---- the accessory ----
hap.HAPStorage.setCustomStoragePath(path.resolve(args.storage));
const { Accessory, Service, Characteristic, Categories, uuid, CameraController } = hap;
const accessory = new Accessory("Reference Camera", uuid.generate("hksv.interop.reference-camera"));
accessory
  .getService(Service.AccessoryInformation)
  .setCharacteristic(Characteristic.Manufacturer, "hksv")
  .setCharacteristic(Characteristic.Model, "reference-camera")
  .setCharacteristic(Characteristic.SerialNumber, "0002")
  .setCharacteristic(Characteristic.FirmwareRevision, "1.0.0");

const delegate = new Delegate();
const resolutions = [
  [1920, 1080, 30], [1920, 1080, 24], [1920, 1080, 15],
  [1280, 720, 30], [1280, 720, 24], [1280, 720, 15],
  [640, 360, 30], [640, 360, 15],
];
const controller = new CameraController({
  cameraStreamCount: 1,
  delegate,
  streamingOptions: {
    supportedCryptoSuites: [0 /* AES_CM_128_HMAC_SHA1_80 */],
    video: { codec: { profiles: [0, 1, 2], levels: [0, 1, 2] }, resolutions },
  },
  recording: {
    options: {
      prebufferLength: 4000,
      // With --doorbell the camera offers the doorbell trigger too (HAP-NodeJS adds it only with
      // its DoorbellController).
      overrideEventTriggerOptions: args.doorbell ? [2] : undefined,
      mediaContainerConfiguration: { type: 0 /* fMP4 */, fragmentLength: 4000 },
      video: {
        type: 0 /* H.264 */,
        parameters: { profiles: [1 /* Main */, 2 /* High */], levels: [2 /* 4.0 */] },
        resolutions,
      },
      audio: { codecs: [{ type: 0 /* AAC-LC */, audioChannels: 1, samplerate: [3 /* 32 kHz */] }] },
    },
    delegate,
  },
  sensors: { motion: true },
});
accessory.configureController(controller);
const motion = controller.motionService;
let doorbell = null;
if (args.doorbell) {
  doorbell = new Service.Doorbell("Doorbell");
  accessory.addService(doorbell);
}

motion.getCharacteristic(Characteristic.MotionDetected).on("subscribe", () => say("SUBSCRIBED motion"));
accessory.on("listening", (port) => {
  hapPort = port;
  say(`PORT ${port}`);
});
accessory.on("paired", () => say("PAIRED"));

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const [cmd, value] = line.trim().split(/\s+/);
  if (cmd === "motion") motion.updateCharacteristic(Characteristic.MotionDetected, value === "1");
  else if (cmd === "doorbell" && doorbell)
    doorbell.updateCharacteristic(Characteristic.ProgrammableSwitchEvent, 0 /* single press */);
  else if (cmd === "pace") args.pace = Number(value);
  else if (cmd === "hap-garbage") {
    for (const socket of hapSockets) socket.write(Buffer.from("\x10\x00".padEnd(64, "not a session frame ")));
    say(`MISBEHAVED hap-garbage ${hapSockets.size}`);
  } else if (cmd === "hap-close") {
    for (const socket of hapSockets) socket.destroy();
    say(`MISBEHAVED hap-close ${hapSockets.size}`);
  } else if (cmd === "quit") stop();
});

accessory
  .publish({
    username: "2A:3B:4C:5D:6E:7F",
    pincode: args.setupCode,
    port: 0,
    category: Categories.IP_CAMERA,
    bind: "127.0.0.1",
  })
  .catch((e) => {
    process.stderr.write(`publish failed: ${e.stack || e}\n`);
    process.exit(1);
  });

function stop() {
  accessory.unpublish().finally(() => process.exit(0));
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);

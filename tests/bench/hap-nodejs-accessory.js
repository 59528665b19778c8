#!/usr/bin/env node
// The HAP-NodeJS peer of bench-hap-server.sh: a Lightbulb (On, Brightness) with a name, the
// same shape as tests/interop/hap-test-accessory's light, on the npm hap-nodejs of
// tests/interop/node_modules (a test peer only).
//
//   node hap-nodejs-accessory.js --storage DIR [--setup-code 031-45-154] [--port 0]
//
// Listens on 127.0.0.1 only and never advertises: hap-nodejs would start a ciao mDNS responder
// (UDP 5353 on every interface) and bind 0.0.0.0 / ::, so the advertiser classes are replaced
// by a no-op and the bind option parser by one that returns 127.0.0.1.
// Prints, one line each: `PORT <n>`, `BRIGHTNESS <aid>.<iid>`, then `PAIRED 1` once paired.
// Ends on SIGTERM/SIGINT or when stdin closes.
"use strict";
const path = require("path");
const EventEmitter = require("events");

const hapDir = path.join(__dirname, "../interop/node_modules/hap-nodejs");
let hap;
try {
  hap = require(hapDir);
} catch (e) {
  process.stderr.write(`hap-nodejs not installed in tests/interop/node_modules: ${e.message}\n`);
  process.exit(77);
}
const advertiser = require(path.join(hapDir, "dist/lib/Advertiser"));

const args = { storage: null, setupCode: "031-45-154", port: 0 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--storage") args.storage = process.argv[++i];
  else if (a === "--setup-code") args.setupCode = process.argv[++i];
  else if (a === "--port") args.port = Number(process.argv[++i]);
  else {
    process.stderr.write(`unknown argument ${a}\n`);
    process.exit(2);
  }
}
if (!args.storage) {
  process.stderr.write("--storage DIR is required\n");
  process.exit(2);
}

// No mDNS at all: every advertiser backend becomes this no-op.
class NoAdvertiser extends EventEmitter {
  constructor() {
    super();
  }
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
// Loopback only (hap-nodejs turns an IP bind option into the unspecified address).
hap.Accessory.parseBindOption = () => ({
  advertiserAddress: undefined,
  serviceRestrictedAddress: undefined,
  serviceDisableIpv6: true,
  serverAddress: "127.0.0.1",
});

hap.HAPStorage.setCustomStoragePath(args.storage);
const { Accessory, Service, Characteristic, Categories, uuid } = hap;

const accessory = new Accessory("Test Light", uuid.generate("hksv.bench.hap-nodejs-light"));
accessory
  .getService(Service.AccessoryInformation)
  .setCharacteristic(Characteristic.Manufacturer, "hksv")
  .setCharacteristic(Characteristic.Model, "test-accessory")
  .setCharacteristic(Characteristic.SerialNumber, "0001")
  .setCharacteristic(Characteristic.FirmwareRevision, "1.0.0");
const light = new Service.Lightbulb("Light");
light.setPrimaryService(true);
light.getCharacteristic(Characteristic.On).updateValue(false);
light.getCharacteristic(Characteristic.Brightness).updateValue(50);
accessory.addService(light);

accessory.on("listening", (port) => {
  const brightness = light.getCharacteristic(Characteristic.Brightness);
  process.stdout.write(`PORT ${port}\n`);
  process.stdout.write(`BRIGHTNESS ${accessory.aid}.${brightness.iid}\n`);
});
accessory.on("paired", () => process.stdout.write("PAIRED 1\n"));

accessory
  .publish({
    username: "1A:2B:3C:4D:5E:6F",
    pincode: args.setupCode,
    port: args.port,
    category: Categories.LIGHTBULB,
    bind: "127.0.0.1",
  })
  .catch((e) => {
    process.stderr.write(`publish failed: ${e.stack || e}\n`);
    process.exit(1);
  });

const stop = () => {
  accessory.unpublish().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();

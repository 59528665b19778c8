// Interop: hap/pair-setup.c, hap/pair-verify.c, hap/pairings-request.c (C accessory) against
// hap-controller's PairingProtocol (a controller), and hap/pair-setup-client.c,
// hap/pair-verify-client.c (C controller) against HAP-NodeJS's HAPServer pairing handlers (an
// accessory). Bodies travel in memory through the interop-pairing helper's line protocol.
// Usage: node pairing.test.js PATH/TO/interop-pairing
// Exit: 0 all agree, 1 any mismatch, 77 skipped (node_modules or helper missing).
"use strict";

const path = require("path");
const fs = require("fs");
const crypto = require("crypto");
const { HelperProcess } = require("./helper-process");

const nodeModules = path.join(__dirname, "node_modules");
for (const m of ["hap-controller", "hap-nodejs", "tweetnacl"]) {
  if (!fs.existsSync(path.join(nodeModules, m))) {
    console.error(`skip: tests/interop/node_modules/${m} is missing (run npm ci in tests/interop)`);
    process.exit(77);
  }
}
const helperPath = process.argv[2];
if (!helperPath || !fs.existsSync(helperPath)) {
  console.error("skip: the interop-pairing helper was not given or not built");
  process.exit(77);
}

const PairingProtocol =
  require(path.join(nodeModules, "hap-controller/lib/protocol/pairing-protocol")).default;
const { PairMethods } = require(path.join(nodeModules, "hap-controller/lib/protocol/pairing-protocol"));
const { HAPServer } = require(path.join(nodeModules, "hap-nodejs/dist/lib/HAPServer"));
const nacl = require(path.join(nodeModules, "tweetnacl"));

// ---- helper process: one command line in, one answer line out ----

function parse(line) {
  const parts = line.split(" ");
  if (parts[0] === "ok") {
    const out = { ok: true };
    for (const p of parts.slice(1)) {
      const eq = p.indexOf("=");
      const value = p.slice(eq + 1);
      out[p.slice(0, eq)] = value === "-" ? Buffer.alloc(0) : Buffer.from(value, "hex");
    }
    return out;
  }
  return { ok: false, code: Number(parts[1]), message: parts.slice(2).join(" ") };
}

const hex = (b) => (b && b.length ? Buffer.from(b).toString("hex") : "-");

// ---- reporting ----
let failures = 0, checks = 0;
function check(cond, what) {
  checks++;
  if (cond) {
    console.log(`ok ${checks} - ${what}`);
  } else {
    failures++;
    console.log(`not ok ${checks} - ${what}`);
  }
}
const sameBuf = (a, b) => Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
async function throwsCode(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e.statusCode !== undefined ? e.statusCode : (e.message || String(e));
  }
}

function setupCode() {
  for (;;) {
    const d = crypto.randomBytes(8).map((x) => 48 + (x % 10)).toString("latin1");
    const code = `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5, 8)}`;
    if (!/^(\d)\1\1-\1\1-\1\1\1$/.test(code) && code !== "123-45-678" && code !== "876-54-321")
      return code;
  }
}

// ---- hap-controller (node controller) against the C accessory ----
async function nodeControllerPairSetup(helper, code, pin, method, label) {
  const pp = new PairingProtocol();
  const m1 = await pp.buildPairSetupM1(method);
  let r = await helper.cmd(`acc-setup ${hex(m1)}`);
  const m2 = await pp.parsePairSetupM2(r.body);
  const m3 = await pp.buildPairSetupM3(m2, pin);
  r = await helper.cmd(`acc-setup ${hex(m3)}`);
  if (pin !== code) {
    const c = await throwsCode(pp.parsePairSetupM4(r.body));
    check(c === 2 && r.status[0] === 2, `${label}: wrong code gives Authentication (2) to hap-controller`);
    return null;
  }
  await pp.parsePairSetupM4(r.body);
  const m5 = await pp.buildPairSetupM5();
  r = await helper.cmd(`acc-setup ${hex(m5)}`);
  check(r.ok && r.status[0] === 1, `${label}: C accessory accepts hap-controller's M5 (PAIRED)`);
  await pp.parsePairSetupM6(r.body);
  check(true, `${label}: hap-controller verifies the C accessory's M6 signature`);
  return pp;
}

async function nodeControllerPairVerify(helper, pp, label) {
  await helper.cmd("acc-conn");
  const m1 = await pp.buildPairVerifyM1();
  let r = await helper.cmd(`acc-verify ${hex(m1)}`);
  await pp.parsePairVerifyM2(r.body);
  check(true, `${label}: hap-controller verifies the C accessory's M2 (id, signature)`);
  const m3 = await pp.buildPairVerifyM3();
  r = await helper.cmd(`acc-verify ${hex(m3)}`);
  check(r.ok && r.status[0] === 1, `${label}: C accessory verifies hap-controller's M3`);
  await pp.parsePairVerifyM4(r.body);
  const keys = pp.getSessionKeys();
  check(sameBuf(r.a2c, keys.AccessoryToControllerKey), `${label}: accessory->controller key agrees`);
  check(sameBuf(r.c2a, keys.ControllerToAccessoryKey), `${label}: controller->accessory key agrees`);
  check(sameBuf(r.shared, pp.pairVerify.sharedSecret), `${label}: shared secret agrees`);
  check(sameBuf(r.controller, pp.iOSDevicePairingID), `${label}: controller id agrees`);
}

async function nodeControllerPairings(helper, pp, label) {
  const admin = pp.iOSDevicePairingID;
  let r = await helper.cmd(`acc-pairings ${hex(admin)} ${hex(await pp.buildListPairingsM1())}`);
  let tlv = await pp.parseListPairingsM2(r.body);
  check(sameBuf(tlv.get(1), admin) && sameBuf(tlv.get(3), pp.iOSDeviceLTPK) &&
        tlv.get(11)[0] === 1, `${label}: list shows the admin pairing`);

  const other = crypto.randomUUID().toUpperCase();
  const otherKey = Buffer.from(nacl.sign.keyPair().publicKey);
  r = await helper.cmd(`acc-pairings ${hex(admin)} ${hex(await pp.buildAddPairingM1(other, otherKey, false))}`);
  await pp.parseAddPairingM2(r.body);
  check(r.count[0] === 2, `${label}: add pairing`);
  r = await helper.cmd(`acc-pairings ${hex(admin)} ${hex(await pp.buildListPairingsM1())}`);
  tlv = await pp.parseListPairingsM2(r.body);
  const ids = tlv.get(1), perms = tlv.get(11);
  check(Array.isArray(ids) && ids.length === 2 && ids[1].toString() === other && perms[1][0] === 0,
        `${label}: hap-controller reads a list of two (0xFF separated)`);

  // The non-admin pairing may not use /pairings.
  r = await helper.cmd(`acc-pairings ${hex(Buffer.from(other))} ${hex(await pp.buildListPairingsM1())}`);
  check(await throwsCode(pp.parseListPairingsM2(r.body)) === 2, `${label}: non-admin gets Authentication`);
  // Other key for an existing id: Unknown.
  r = await helper.cmd(`acc-pairings ${hex(admin)} ${hex(await pp.buildAddPairingM1(other,
      Buffer.from(nacl.sign.keyPair().publicKey), true))}`);
  check(await throwsCode(pp.parseAddPairingM2(r.body)) === 1, `${label}: add with another key gives Unknown`);

  r = await helper.cmd(`acc-pairings ${hex(admin)} ${hex(await pp.buildRemovePairingM1(Buffer.from(other)))}`);
  await pp.parseRemovePairingM2(r.body);
  check(r.count[0] === 1, `${label}: remove pairing`);
  // Removing the last admin removes everything.
  r = await helper.cmd(`acc-pairings ${hex(admin)} ${hex(await pp.buildAddPairingM1(other, otherKey, false))}`);
  r = await helper.cmd(`acc-pairings ${hex(admin)} ${hex(await pp.buildRemovePairingM1(admin))}`);
  await pp.parseRemovePairingM2(r.body);
  check(r.count[0] === 0, `${label}: removing the last admin removes every pairing`);
}

// ---- C controller against HAP-NodeJS's accessory handlers ----
function nodeAccessory(code) {
  const keys = nacl.sign.keyPair();
  const clients = new Map();
  const server = Object.create(HAPServer.prototype);
  server.allowInsecureRequest = false;
  server.unsuccessfulPairAttempts = 0;
  server.accessoryInfo = {
    username: "0E:1D:2C:3B:4A:59",
    pincode: code,
    signSk: Buffer.from(keys.secretKey),
    signPk: Buffer.from(keys.publicKey),
    paired: () => clients.size > 0,
    getClientPublicKey: (id) => clients.get(id),
  };
  server.emit = (event, id, ltpk, callback) => {
    if (event === "pair") {
      clients.set(id, ltpk);
      callback();
    }
    return true;
  };
  return { server, clients, connection: { connectionAuthenticated: () => {} } };
}

function call(acc, handler, body) {
  return new Promise((resolve) => {
    const response = { writeHead: () => {}, end: (data) => resolve(data) };
    acc.server[handler](acc.connection, "/", {}, body, response);
  });
}

async function cControllerNodeAccessory(helper, code, method, label) {
  const acc = nodeAccessory(code);
  const id = crypto.randomUUID().toUpperCase();
  let r = await helper.cmd(`ctl-setup-new ${code} ${hex(Buffer.from(id))} ${method}`);
  r.status = Buffer.from([0]);
  for (let step = 0; r.ok && r.status[0] === 0; step++) {
    const response = await call(acc, "handlePairSetup", r.body);
    r = await helper.cmd(`ctl-setup ${hex(response)}`);
  }
  check(r.ok && r.status[0] === 1, `${label}: C controller pairs with HAP-NodeJS (${r.message || "done"})`);
  if (!r.ok) return;
  check(r.accessory.toString() === acc.server.accessoryInfo.username, `${label}: accessory id`);
  check(sameBuf(r.altpk, acc.server.accessoryInfo.signPk), `${label}: accessory LTPK`);
  check(sameBuf(acc.clients.get(id), r.ltpk), `${label}: HAP-NodeJS stored the C controller's LTPK`);

  r = await helper.cmd("ctl-verify-new");
  r.status = Buffer.from([0]);
  for (let step = 0; r.ok && r.status[0] === 0; step++) {
    const response = await call(acc, "handlePairVerify", r.body);
    r = await helper.cmd(`ctl-verify ${hex(response)}`);
  }
  check(r.ok && r.status[0] === 1, `${label}: C controller verifies with HAP-NodeJS (${r.message || "done"})`);
  if (!r.ok) return;
  const enc = acc.connection.encryption;
  check(sameBuf(r.a2c, enc.accessoryToControllerKey), `${label}: accessory->controller key agrees`);
  check(sameBuf(r.c2a, enc.controllerToAccessoryKey), `${label}: controller->accessory key agrees`);
  check(sameBuf(r.shared, enc.sharedSecret), `${label}: shared secret agrees`);
}

async function cControllerWrongCode(helper, label) {
  const code = setupCode();
  let wrong = setupCode();
  while (wrong === code) wrong = setupCode();
  const acc = nodeAccessory(code);
  let r = await helper.cmd(`ctl-setup-new ${wrong} ${hex(Buffer.from("c"))} 0`);
  r = await helper.cmd(`ctl-setup ${hex(await call(acc, "handlePairSetup", r.body))}`);
  r = await helper.cmd(`ctl-setup ${hex(await call(acc, "handlePairSetup", r.body))}`);
  check(!r.ok && r.code === 2, `${label}: HAP-NodeJS's Authentication reaches the C controller as code 2`);
}

async function main() {
  const helper = new HelperProcess(helperPath, parse);
  console.log("TAP version 13");
  try {
    for (const [i, method] of [PairMethods.PairSetupWithAuth, PairMethods.PairSetup].entries()) {
      const code = setupCode();
      const label = `hap-controller -> C accessory #${i} (method ${method})`;
      const a = await helper.cmd(`acc-new ${code}`);
      check(a.ok, `${label}: new accessory`);
      // A wrong code first, then the right one on a new connection.
      let wrong = setupCode();
      while (wrong === code) wrong = setupCode();
      await nodeControllerPairSetup(helper, code, wrong, method, label);
      const f = await helper.cmd("acc-failed");
      check(f.n[0] === 1, `${label}: one failed attempt counted`);
      await helper.cmd("acc-conn");
      const pp = await nodeControllerPairSetup(helper, code, code, method, label);
      check(sameBuf(pp.AccessoryPairingID, a.id) && sameBuf(pp.AccessoryLTPK, a.ltpk),
            `${label}: hap-controller got the accessory's id and LTPK`);
      // Already paired: Unavailable.
      await helper.cmd("acc-conn");
      const again = new PairingProtocol();
      const r = await helper.cmd(`acc-setup ${hex(await again.buildPairSetupM1(method))}`);
      check(await throwsCode(again.parsePairSetupM2(r.body)) === 6, `${label}: paired accessory answers Unavailable`);
      await nodeControllerPairVerify(helper, pp, label);
      await nodeControllerPairVerify(helper, pp, `${label} (second session)`);
      // A controller that is not paired: Authentication at M4.
      const stranger = new PairingProtocol({
        AccessoryPairingID: hex(a.id), AccessoryLTPK: hex(a.ltpk),
        iOSDevicePairingID: hex(Buffer.from("stranger")),
        iOSDeviceLTSK: hex(Buffer.from(nacl.sign.keyPair().secretKey)),
      });
      await helper.cmd("acc-conn");
      let v = await helper.cmd(`acc-verify ${hex(await stranger.buildPairVerifyM1())}`);
      await stranger.parsePairVerifyM2(v.body);
      v = await helper.cmd(`acc-verify ${hex(await stranger.buildPairVerifyM3())}`);
      check(await throwsCode(stranger.parsePairVerifyM4(v.body)) === 2, `${label}: unknown controller gets Authentication`);
      await nodeControllerPairings(helper, pp, label);
    }
    for (const [i, method] of [0, 1].entries()) {
      await cControllerNodeAccessory(helper, setupCode(), method, `C controller -> HAP-NodeJS #${i} (method ${method})`);
    }
    await cControllerWrongCode(helper, "C controller -> HAP-NodeJS, wrong code");
  } catch (e) {
    check(false, `exception: ${e.stack || e}`);
  }
  helper.close();
  console.log(`1..${checks}`);
  process.exit(failures ? 1 : 0);
}

main();

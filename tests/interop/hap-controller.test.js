// Interop: the libhap accessory server (hap-test-accessory) against the npm `hap-controller`
// HttpClient, an independent HAP controller: pair-setup (wrong code, then the right one),
// pair-verify, /accessories, reading and writing characteristics, events (coalesced and button
// events), /identify, add/list/remove pairings, a second controller at the same time, and the
// reset to unpaired when the last admin is removed.
// Usage: node hap-controller.test.js [PATH/TO/hap-test-accessory]
//   (default: $G_TEST_BUILDDIR/interop/hap-test-accessory)
// Exit: 0 all passed, 1 a failure, 77 skipped (node_modules or the accessory missing).
"use strict";

const path = require("path");
const fs = require("fs");
const os = require("os");
const net = require("net");
const assert = require("assert");
const { spawn } = require("child_process");
const readline = require("readline");

const nodeModules = path.join(__dirname, "node_modules");
if (!fs.existsSync(path.join(nodeModules, "hap-controller")) ||
    !fs.existsSync(path.join(nodeModules, "libsodium-wrappers"))) {
  console.error("skip: tests/interop/node_modules is missing (run npm ci in tests/interop)");
  process.exit(77);
}
const accessoryPath = process.argv[2] ||
    (process.env.G_TEST_BUILDDIR && path.join(process.env.G_TEST_BUILDDIR, "interop", "hap-test-accessory"));
if (!accessoryPath || !fs.existsSync(accessoryPath)) {
  console.error("skip: hap-test-accessory was not given or not built");
  process.exit(77);
}

const { HttpClient } = require(path.join(nodeModules, "hap-controller"));
const sodium = require(path.join(nodeModules, "libsodium-wrappers"));

const SETUP_CODE = "031-45-154";
const HOST = "127.0.0.1";
// iids of hap-test-accessory (see its header comment).
const ON = "1.9";
const BRIGHTNESS = "1.10";
const NAME = "1.11";
const BUTTON = "1.13";

// ---- the accessory process: stdout lines are awaited by prefix ----
class Accessory {
  constructor(storage) {
    this.proc = spawn(accessoryPath, ["--storage", storage, "--setup-code", SETUP_CODE],
        { stdio: ["pipe", "pipe", process.env.HAP_TEST_ACCESSORY_STDERR ? "inherit" : "ignore"] });
    this.lines = [];
    this.waiters = [];
    this.exited = false;
    readline.createInterface({ input: this.proc.stdout }).on("line", (line) => {
      this.lines.push(line);
      this.poke();
    });
    this.proc.on("exit", (code) => {
      this.exited = true;
      this.exitCode = code;
      this.poke();
    });
  }
  poke() {
    for (const w of this.waiters.slice()) w();
  }
  // Resolves with the first unread line starting with `prefix` (and drops the lines before it).
  wait(prefix, ms = 5000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.lines.findIndex((l) => l.startsWith(prefix));
        if (i >= 0) {
          const line = this.lines[i];
          this.lines.splice(0, i + 1);
          done();
          resolve(line);
        } else if (this.exited) {
          done();
          reject(new Error(`accessory exited (${this.exitCode}) before "${prefix}"`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timeout waiting for "${prefix}"`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }
  command(line) {
    this.proc.stdin.write(line + "\n");
    return this.wait("OK " + line);
  }
  stop() {
    if (!this.exited) this.proc.stdin.end("quit\n");
  }
}

// A raw plaintext request on a new TCP connection; resolves with the whole response text.
function rawRequest(port, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    let data = "";
    socket.setTimeout(5000, () => socket.destroy(new Error("raw request timed out")));
    socket.on("connect", () => socket.write(text));
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const end = data.indexOf("\r\n\r\n");
      const m = /content-length: *(\d+)/i.exec(data);
      if (end >= 0 && (!m || data.length >= end + 4 + Number(m[1]))) {
        socket.end();
        resolve(data);
      }
    });
    socket.on("error", reject);
  });
}

// Collects HttpClient events; waitFor() resolves with the first matching characteristic.
function eventCollector(client) {
  const seen = [];
  let wake = null;
  client.on("event", (ev) => {
    for (const c of ev.characteristics) seen.push({ id: `${c.aid}.${c.iid}`, value: c.value });
    if (wake) wake();
  });
  return {
    seen,
    waitFor(id, value, ms = 3000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event ${id}=${value}; got ${JSON.stringify(seen)}`)), ms);
        const check = () => {
          const i = seen.findIndex((e) => e.id === id && e.value === value);
          if (i >= 0) {
            seen.splice(0, i + 1);
            clearTimeout(timer);
            wake = null;
            resolve();
          }
        };
        wake = check;
        check();
      });
    },
  };
}

function valuesOf(result) {
  const out = {};
  for (const c of result.characteristics) out[`${c.aid}.${c.iid}`] = c.value;
  return out;
}

let failures = 0;
async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (err) {
    failures++;
    console.log(`not ok - ${name}: ${err && err.stack ? err.stack : err}`);
  }
}

async function main() {
  await sodium.ready;
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), "hap-test-accessory-"));
  const acc = new Accessory(storage);
  let port;
  let admin;
  let adminData;
  let second;
  const secondKeys = sodium.crypto_sign_keypair();
  const secondId = "second-controller-" + process.pid;
  try {
    const setup = await acc.wait("SETUP ");
    assert.strictEqual(setup.split(" ")[1], SETUP_CODE);
    port = Number((await acc.wait("PORT ")).split(" ")[1]);
    assert.ok(port > 0);

    await step("identify while unpaired", async () => {
      await new HttpClient("acc", HOST, port).identify();
      await acc.wait("IDENTIFY");
    });

    await step("wrong setup code fails cleanly", async () => {
      const bad = new HttpClient("acc", HOST, port);
      await assert.rejects(bad.pairSetup("111-22-333"));
    });

    await step("pair-setup", async () => {
      const client = new HttpClient("acc", HOST, port);
      await client.pairSetup(SETUP_CODE);
      adminData = client.getLongTermData();
      assert.ok(adminData && adminData.AccessoryLTPK);
      await acc.wait("PAIRED 1");
    });

    await step("second pair-setup refused once paired", async () => {
      const other = new HttpClient("acc", HOST, port);
      await assert.rejects(other.pairSetup(SETUP_CODE));
    });

    await step("plaintext access after pairing -> 470", async () => {
      const text = await rawRequest(port, "GET /accessories HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.match(text, /^HTTP\/1\.1 470 /);
      assert.ok(text.endsWith('{"status":-70401}'), text);
    });

    await step("identify once paired -> 400", async () => {
      await assert.rejects(new HttpClient("acc", HOST, port).identify(), (err) => err.statusCode === 400);
    });

    admin = new HttpClient("acc", HOST, port, adminData, { usePersistentConnections: true });

    await step("pair-verify and /accessories", async () => {
      const db = await admin.getAccessories();
      const services = db.accessories[0].services;
      const light = services.find((s) => s.type === "43" || s.type.startsWith("00000043"));
      assert.ok(light, JSON.stringify(services));
      const brightness = light.characteristics.find((c) => c.iid === 10);
      assert.strictEqual(brightness.minValue, 0);
      assert.strictEqual(brightness.maxValue, 100);
      assert.strictEqual(brightness.minStep, 1);
      assert.strictEqual(brightness.format, "int");
    });

    await step("read characteristics", async () => {
      const v = valuesOf(await admin.getCharacteristics([ON, BRIGHTNESS, NAME]));
      assert.strictEqual(v[ON], false);
      assert.strictEqual(v[BRIGHTNESS], 50);
      assert.strictEqual(v[NAME], "Light");
    });

    await step("write characteristics", async () => {
      await admin.setCharacteristics({ [ON]: true, [BRIGHTNESS]: 75, [NAME]: "Desk" });
      await acc.wait("WRITE 9 true");
      const v = valuesOf(await admin.getCharacteristics([ON, BRIGHTNESS, NAME]));
      assert.deepStrictEqual([v[ON], v[BRIGHTNESS], v[NAME]], [true, 75, "Desk"]);
    });

    await step("invalid write -> -70410", async () => {
      let result;
      try {
        result = await admin.setCharacteristics({ [BRIGHTNESS]: 500 });
      } catch (err) {
        result = JSON.parse(err.body.toString());
      }
      assert.strictEqual(result.characteristics[0].status, -70410);
      const v = valuesOf(await admin.getCharacteristics([BRIGHTNESS]));
      assert.strictEqual(v[BRIGHTNESS], 75);
    });

    const adminEvents = eventCollector(admin);
    await step("subscribe and receive events", async () => {
      await admin.subscribeCharacteristics([ON, BUTTON]);
      await acc.command("on 0");
      await adminEvents.waitFor(ON, false);
      await acc.command("press 1");
      await adminEvents.waitFor(BUTTON, 1);
      await acc.command("press 2");
      await adminEvents.waitFor(BUTTON, 2);
    });

    await step("add and list pairings", async () => {
      await admin.addPairing(secondId, Buffer.from(secondKeys.publicKey), false);
      const list = await admin.listPairings();
      const text = JSON.stringify(list);
      assert.ok(text.length > 0);
      second = new HttpClient("acc", HOST, port, {
        AccessoryPairingID: adminData.AccessoryPairingID,
        AccessoryLTPK: adminData.AccessoryLTPK,
        iOSDevicePairingID: Buffer.from(secondId).toString("hex"),
        iOSDeviceLTSK: Buffer.from(secondKeys.privateKey).toString("hex"),
        iOSDeviceLTPK: Buffer.from(secondKeys.publicKey).toString("hex"),
      }, { usePersistentConnections: true });
    });

    await step("two controllers at the same time", async () => {
      const secondEvents = eventCollector(second);
      await second.subscribeCharacteristics([ON]);
      const reads = [];
      for (let i = 0; i < 10; i++) {
        reads.push(admin.getCharacteristics([BRIGHTNESS]));
        reads.push(second.getCharacteristics([BRIGHTNESS]));
      }
      for (const r of await Promise.all(reads)) assert.strictEqual(valuesOf(r)[BRIGHTNESS], 75);
      // The admin's write reaches the second controller as an event.
      await admin.setCharacteristics({ [ON]: true });
      await secondEvents.waitFor(ON, true);
      // The owner's change reaches both.
      await acc.command("on 0");
      await Promise.all([secondEvents.waitFor(ON, false), adminEvents.waitFor(ON, false)]);
    });

    await step("a user (non-admin) cannot manage pairings", async () => {
      await assert.rejects(second.listPairings());
    });

    await step("remove a pairing closes its sessions", async () => {
      const secondData = second.getLongTermData();
      // The second controller's subscription connection is closed by the accessory.
      const dropped = new Promise((resolve) => second.once("event-disconnect", resolve));
      await admin.removePairing(Buffer.from(secondId));
      await Promise.race([dropped, new Promise((_, reject) =>
        setTimeout(() => reject(new Error("the removed controller's session stayed open")), 3000))]);
      // hap-controller closes its persistent connection after removePairing but keeps using
      // it: continue with fresh clients.
      await admin.close().catch(() => {});
      admin = new HttpClient("acc", HOST, port, adminData);
      await second.close().catch(() => {});
      const again = new HttpClient("acc", HOST, port, secondData);
      await assert.rejects(again.getAccessories());
      const v = valuesOf(await admin.getCharacteristics([ON]));
      assert.strictEqual(v[ON], false);
      await admin.close();
    });

    await step("removing the last admin resets to unpaired", async () => {
      await admin.removePairing(Buffer.from(adminData.iOSDevicePairingID, "hex"));
      await acc.wait("PAIRED 0");
      await acc.wait("SETUP ");
      await new HttpClient("acc", HOST, port).identify();
    });
  } catch (err) {
    failures++;
    console.log(`not ok - ${err && err.stack ? err.stack : err}`);
  } finally {
    for (const c of [admin, second]) if (c) await c.close().catch(() => {});
    acc.stop();
    fs.rmSync(storage, { recursive: true, force: true });
  }
  console.log(failures === 0 ? "all passed" : `${failures} failed`);
  process.exit(failures === 0 ? 0 : 1);
}

main();

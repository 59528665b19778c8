// Interop: hap/srp.c (+ hap/hkdf.c) against fast-srp-hap, the SRP-6a of HAP-NodeJS, with the
// HAP parameters (RFC 5054 3072-bit group, SHA-512, username "Pair-Setup").
// Usage: node srp.test.js PATH/TO/interop-srp
// Exit: 0 all agree, 1 any mismatch, 77 skipped (node_modules or helper missing).
"use strict";

const path = require("path");
const fs = require("fs");
const crypto = require("crypto");
const { HelperProcess } = require("./helper-process");

const nodeModules = path.join(__dirname, "node_modules");
if (!fs.existsSync(path.join(nodeModules, "fast-srp-hap")) ||
    !fs.existsSync(path.join(nodeModules, "futoin-hkdf"))) {
  console.error("skip: tests/interop/node_modules is missing (run npm ci in tests/interop)");
  process.exit(77);
}
const helperPath = process.argv[2];
if (!helperPath || !fs.existsSync(helperPath)) {
  console.error("skip: the interop-srp helper was not given or not built");
  process.exit(77);
}

const { SRP, SrpClient, SrpServer } = require(path.join(nodeModules, "fast-srp-hap"));
const futoinHkdf = require(path.join(nodeModules, "futoin-hkdf"));

const params = SRP.params.hap;
const USERNAME = Buffer.from("Pair-Setup");
const N_LEN = 384;

// ---- helper process: one command line in, one answer line out ----

function parse(line) {
  const parts = line.split(" ");
  if (parts[0] === "ok") {
    const out = { ok: true };
    for (const p of parts.slice(1)) {
      const eq = p.indexOf("=");
      const key = p.slice(0, eq), value = p.slice(eq + 1);
      out[key] = key === "tries" ? Number(value) : Buffer.from(value, "hex");
    }
    return out;
  }
  return { ok: false, code: Number(parts[1]), message: parts.slice(2).join(" ") };
}

const hex = (b) => (b && b.length ? b.toString("hex") : "-");

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
function sameBuf(a, b) {
  return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
}
function setupCode() {
  const d = crypto.randomBytes(8).map((x) => 48 + (x % 10)).toString("latin1");
  return `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5, 8)}`;
}

// The pair-setup M5/M6 encryption key, derived from K on both sides.
async function checkHkdf(helper, K, label) {
  const salt = "Pair-Setup-Encrypt-Salt", info = "Pair-Setup-Encrypt-Info";
  const c = await helper.cmd(`hkdf ${hex(K)} ${salt} ${info} 32`);
  const n1 = Buffer.from(crypto.hkdfSync("sha512", K, salt, info, 32));
  const n2 = futoinHkdf(K, 32, { salt, info, hash: "SHA-512" });
  check(c.ok && sameBuf(c.okm, n1) && sameBuf(c.okm, n2), `${label}: HKDF-SHA512 of K agrees`);
}

// C accessory (server) vs node controller (client).
async function cServerNodeClient(helper, label, opts = {}) {
  const code = opts.code || setupCode();
  const clientCode = opts.clientCode || code;
  const s = await helper.cmd(`server-new ${code} ${hex(opts.salt)} ${hex(opts.b)}`);
  if (!s.ok) return check(false, `${label}: server-new: ${s.message}`);
  check(s.salt.length === 16 || opts.salt, `${label}: salt length`);
  check(s.B.length === N_LEN, `${label}: B is ${N_LEN} bytes`);
  if (opts.b) {
    // The same B from fast-srp-hap's server with the same inputs.
    const ref = new SrpServer(params, s.salt, USERNAME, Buffer.from(code), opts.b);
    check(sameBuf(ref.computeB(), s.B), `${label}: B equals fast-srp-hap's`);
  }

  const a = opts.a || crypto.randomBytes(32);
  const client = new SrpClient(params, s.salt, USERNAME, Buffer.from(clientCode), a);
  client.setB(s.B);
  const A = client.computeA();
  const r = await helper.cmd(`server-A ${hex(A)}`);
  check(r.ok, `${label}: C server accepts node A`);
  const m = await helper.cmd(`server-M1 ${hex(client.computeM1())}`);
  if (clientCode !== code) {
    check(!m.ok && m.code === 5, `${label}: C server rejects M1 of a wrong setup code (AUTH)`);
    return null;
  }
  check(m.ok, `${label}: C server verifies node M1`);
  if (!m.ok) return null;
  let m2ok = true;
  try {
    client.checkM2(m.M2);
  } catch (e) {
    m2ok = false;
  }
  check(m2ok, `${label}: node client verifies C M2`);
  check(sameBuf(m.K, client.computeK()), `${label}: session keys agree`);
  await checkHkdf(helper, m.K, label);
  return client;
}

// node accessory (server) vs C controller (client).
async function nodeServerCClient(helper, label, opts = {}) {
  const code = opts.code || setupCode();
  const clientCode = opts.clientCode || code;
  const salt = opts.salt || crypto.randomBytes(16);
  const server = new SrpServer(params, salt, USERNAME, Buffer.from(code),
      opts.b || crypto.randomBytes(32));
  const c = await helper.cmd(`client-new ${clientCode} ${hex(opts.a)}`);
  if (!c.ok) return check(false, `${label}: client-new: ${c.message}`);
  check(c.A.length === N_LEN, `${label}: A is ${N_LEN} bytes`);
  if (opts.a) {
    const ref = new SrpClient(params, salt, USERNAME, Buffer.from(clientCode), opts.a);
    check(sameBuf(ref.computeA(), c.A), `${label}: A equals fast-srp-hap's`);
  }
  const m1 = await helper.cmd(`client-B ${hex(salt)} ${hex(server.computeB())}`);
  check(m1.ok, `${label}: C client accepts node B`);
  if (!m1.ok) return null;
  server.setA(c.A);
  let m1ok = true;
  try {
    server.checkM1(m1.M1);
  } catch (e) {
    m1ok = false;
  }
  if (clientCode !== code) {
    check(!m1ok, `${label}: node server rejects C M1 of a wrong setup code`);
    return null;
  }
  check(m1ok, `${label}: node server verifies C M1`);
  const k = await helper.cmd(`client-M2 ${hex(server.computeM2())}`);
  check(k.ok, `${label}: C client verifies node M2`);
  check(k.ok && sameBuf(k.K, server.computeK()), `${label}: session keys agree`);
  if (k.ok) await checkHkdf(helper, k.K, label);
  return server;
}

async function main() {
  const helper = new HelperProcess(helperPath, parse);
  console.log("TAP version 13");

  // Random exchanges in both directions.
  for (let i = 0; i < 6; i++) {
    await cServerNodeClient(helper, `C server / node client #${i}`);
    await nodeServerCClient(helper, `node server / C client #${i}`);
  }

  // Injected private values: B and A must equal fast-srp-hap's byte for byte.
  for (let i = 0; i < 3; i++) {
    const opts = { salt: crypto.randomBytes(16), a: crypto.randomBytes(32),
                   b: crypto.randomBytes(32), code: setupCode() };
    await cServerNodeClient(helper, `injected C server #${i}`, opts);
    await nodeServerCClient(helper, `injected C client #${i}`, opts);
  }

  // Padding edge cases: values whose big-endian form starts with a zero byte (1 in 256).
  const code = setupCode();
  const salt = crypto.randomBytes(16);
  for (const what of ["A", "B", "S"]) {
    const found = await helper.cmd(`search ${what} ${code} ${hex(salt)}`);
    if (!found.ok) {
      check(false, `search for a leading zero in ${what}: ${found.message}`);
      continue;
    }
    const opts = { code, salt, a: found.a, b: found.b };
    const client = await cServerNodeClient(helper, `leading zero ${what}, C server`, opts);
    const server = await nodeServerCClient(helper, `leading zero ${what}, C client`, opts);
    if (what === "A" && client) check(client.computeA()[0] === 0, "node A starts with 0x00");
    if (what === "B" && server) check(server.computeB()[0] === 0, "node B starts with 0x00");
    // _S is fast-srp-hap's test-only copy of the premaster secret.
    if (what === "S" && client) check(client._S[0] === 0, "node S starts with 0x00");
  }

  // Wrong setup code, both directions.
  await cServerNodeClient(helper, "wrong code, C server", { code: "111-22-333",
                                                             clientCode: "111-22-334" });
  await nodeServerCClient(helper, "wrong code, node server", { code: "111-22-333",
                                                              clientCode: "111-22-334" });

  // Invalid A from a peer: 0 and N are refused (OUT_OF_RANGE = 4), short A (MALFORMED = 2).
  const Nbuf = params.N.toBuffer(N_LEN);
  for (const [name, A, code] of [["zero", Buffer.alloc(N_LEN), 4], ["N", Nbuf, 4],
                                 ["short", crypto.randomBytes(N_LEN - 1), 2]]) {
    await helper.cmd(`server-new 123-45-678 - -`);
    const r = await helper.cmd(`server-A ${hex(A)}`);
    check(!r.ok && r.code === code, `C server rejects A = ${name}`);
  }
  for (const [name, B, code] of [["zero", Buffer.alloc(N_LEN), 4], ["N", Nbuf, 4]]) {
    await helper.cmd(`client-new 123-45-678 -`);
    const r = await helper.cmd(`client-B ${hex(salt)} ${hex(B)}`);
    check(!r.ok && r.code === code, `C client rejects B = ${name}`);
  }

  helper.close();
  console.log(`1..${checks}`);
  if (failures) {
    console.error(`${failures} of ${checks} checks failed`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

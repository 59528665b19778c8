// Interop: hap/hds-message.c (HDS "OPACK" codec) against hap-nodejs's DataStreamParser,
// DataStreamReader and DataStreamWriter (npm hap-nodejs, dist/lib/datastream/).
//
// For every case of a table (hello, dataSend open/data/ack/close, a 262144-byte chunk,
// nested mixtures, every integer width, strings, back-references):
//   JS -> C: hap-nodejs encodes the value; our decoder must produce the same typed value.
//   C -> JS: our encoder re-encodes what it decoded; hap-nodejs must decode it to the value.
// hap-nodejs has known codec bugs (PROTOCOL.md section 4). A direction that would hit one is
// skipped and the script says so; where hap-nodejs cannot *encode* a value, the case gives
// hand-written bytes (from the tag table) instead.
//
// Usage: node hds-message.test.js PATH/TO/interop-hds-message
// Exit: 0 all agree, 1 any mismatch, 77 skipped (node_modules or helper missing).
"use strict";

const path = require("path");
const fs = require("fs");
const { spawn } = require("child_process");
const readline = require("readline");

const nodeModules = path.join(__dirname, "node_modules");
const parserPath = path.join(nodeModules, "hap-nodejs", "dist", "lib", "datastream",
  "DataStreamParser.js");
if (!fs.existsSync(parserPath)) {
  console.error("skip: tests/interop/node_modules/hap-nodejs is missing (run npm ci in tests/interop)");
  process.exit(77);
}
const helperPath = process.argv[2];
if (!helperPath || !fs.existsSync(helperPath)) {
  console.error("skip: the interop-hds-message helper was not given or not built");
  process.exit(77);
}

const {
  DataStreamParser, DataStreamReader, DataStreamWriter, ValueWrapper,
  Int8, Int16, Int32, Int64, Float32, Float64, SecondsSince2001, UUID,
} = require(parserPath);

// ---- helper process: one command line in, one answer line out ----
class Helper {
  constructor(file) {
    this.proc = spawn(file, [], { stdio: ["pipe", "pipe", "inherit"] });
    this.waiting = [];
    readline.createInterface({ input: this.proc.stdout, crlfDelay: Infinity })
      .on("line", (line) => { const w = this.waiting.shift(); if (w) w(line); });
    this.proc.on("exit", (code) => {
      for (const w of this.waiting) w(`error -2 helper exited with ${code}`);
      this.waiting = [];
    });
  }
  cmd(kind, buf) {
    return new Promise((resolve) => {
      this.waiting.push((line) => {
        // "ok JSON HEX" (the JSON may hold spaces, the hex never does) or "error CODE TEXT"
        const first = line.indexOf(" "), last = line.lastIndexOf(" ");
        if (line.startsWith("ok ") && last > first) {
          resolve({ ok: true, json: JSON.parse(line.slice(first + 1, last)), hex: line.slice(last + 1) });
        } else {
          resolve({ ok: false, error: line.slice(first + 1) });
        }
      });
      this.proc.stdin.write(`${kind} ${buf.toString("hex")}\n`);
    });
  }
  close() { this.proc.stdin.end("quit\n"); }
}

// ---- hap-nodejs side ----
function jsEncode(value) {
  const w = new DataStreamWriter();
  DataStreamParser.encode(value, w);
  return w.getData();
}
// Same layout as DataStreamConnection.sendHDSFrame: u8 header length, header, message.
function jsEncodePayload(header, message) {
  const h = jsEncode(header);
  return Buffer.concat([Buffer.from([h.length]), h, jsEncode(message)]);
}
function jsDecode(buf) {
  return DataStreamParser.decode(new DataStreamReader(buf));
}
function jsDecodePayload(buf) {
  const hlen = buf.readUInt8(0);
  return {
    header: jsDecode(buf.subarray(1, 1 + hlen)),
    message: jsDecode(buf.subarray(1 + hlen)),
  };
}

// ---- typed canonical form, the same as the helper's JSON ----
const uuidHex = (s) => s.replace(/-/g, "").toLowerCase();
function canon(v, forJsDecode) {
  if (v === null) return null;
  if (v === undefined) return { undefined: true };
  if (typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "bigint") return { int: v.toString() };
  if (typeof v === "number") return Number.isInteger(v) ? { int: String(v) } : { f64: v };
  if (Buffer.isBuffer(v)) return { data: v.toString("hex") };
  if (Array.isArray(v)) return v.map((e) => canon(e, forJsDecode));
  if (v instanceof Int8 || v instanceof Int16 || v instanceof Int32 || v instanceof Int64) {
    return { int: String(v.value) };
  }
  if (v instanceof Float32) return forJsDecode ? canon(Math.fround(v.value), true) : { f32: Math.fround(v.value) };
  if (v instanceof Float64) return forJsDecode ? canon(v.value, true) : { f64: v.value };
  if (v instanceof SecondsSince2001) return forJsDecode ? canon(v.value, true) : { date: v.value };
  // hap-nodejs decodes a UUID to its dashed string
  if (v instanceof UUID) return forJsDecode ? v.value.toLowerCase() : { uuid: uuidHex(v.value) };
  const dict = {};
  for (const [k, e] of Object.entries(v)) if (e !== undefined) dict[k] = canon(e, forJsDecode);
  return { dict };
}
function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

// ---- which hap-nodejs bugs a value hits ----
function walk(v, fn) {
  fn(v);
  if (Array.isArray(v)) v.forEach((e) => walk(e, fn));
  else if (v && typeof v === "object" && !Buffer.isBuffer(v) && !(v instanceof ValueWrapper)) {
    Object.values(v).forEach((e) => { if (e !== undefined) walk(e, fn); });
  }
}
// Bugs of hap-nodejs's *encoder* (then the case must bring its own bytes).
function encoderBugs(v) {
  const bugs = new Set();
  walk(v, (x) => {
    if (typeof x === "string" && Buffer.byteLength(x) <= 32 && Buffer.byteLength(x) !== x.length) {
      bugs.add("writes the inline string tag from the character count, not the UTF-8 byte length");
    }
    if (typeof x === "number" && Number.isInteger(x) && x !== -2147483648 &&
        (x < -32768 || x > 0xffffffff)) {
      bugs.add("int32 range check sends it to int64, whose writer keeps only 32 bits");
    }
    if (x instanceof Int64 && (x.value < 0 || x.value > 0xffffffff)) {
      bugs.add("int64 writer keeps only 32 bits");
    }
    if (typeof x === "bigint") bugs.add("cannot encode integers beyond 2^53");
  });
  return [...bugs];
}
// Bugs of hap-nodejs's *decoder* on what our encoder writes for this value.
function decoderBugs(v) {
  const bugs = new Set();
  walk(v, (x) => {
    if (Buffer.isBuffer(x) && x.length <= 32) bugs.add("inline data (0x70-0x90) decodes to undefined");
    if (x === 39) bugs.add("small integers stop at 38 (0x2F = 39 is an unknown tag)");
    if ((typeof x === "number" && !Number.isInteger(x)) || x instanceof Float64 ||
        x instanceof SecondsSince2001) {
      bugs.add("float64/date reader does not advance past its 8 bytes");
    }
    if (typeof x === "bigint" && (x > BigInt(Number.MAX_SAFE_INTEGER) || x < BigInt(Number.MIN_SAFE_INTEGER))) {
      bugs.add("not representable as a JS number (not a bug)");
    }
  });
  return [...bugs];
}

// ---- the table ----
const chunk = Buffer.alloc(262144);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + (i >> 9)) & 0xff;
const buf40 = Buffer.from(Array.from({ length: 40 }, (_, i) => i * 3));
const arrayOf = (n) => Array.from({ length: n }, (_, i) => i * 5);
const dictOf = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
const meta = (type, seq, chunkSeq, last, total) => ({
  dataType: type, dataSequenceNumber: seq, dataChunkSequenceNumber: chunkSeq,
  isLastDataChunk: last, dataTotalSize: total,
});
const evHeader = (protocol, topic) => ({ protocol, event: topic });
const reqHeader = (protocol, topic, id) => ({ protocol, request: topic, id: new Int64(id) });
const resHeader = (protocol, topic, id, status) =>
  ({ protocol, response: topic, id: new Int64(id), status: new Int64(status) });
const sharedBuf = Buffer.from(buf40);

const cases = [
  // whole payloads (header + message)
  { name: "control/hello request", header: reqHeader("control", "hello", 1), message: {} },
  { name: "control/hello response", header: resHeader("control", "hello", 1, 0), message: {} },
  { name: "dataSend open request", header: reqHeader("dataSend", "open", 0),
    message: { target: "controller", type: "ipcamera.recording", streamId: 1 } },
  { name: "dataSend open response", header: resHeader("dataSend", "open", 0, 0), message: { status: 0 } },
  { name: "dataSend open refused BUSY", header: resHeader("dataSend", "open", 7, 6), message: { status: 2 } },
  { name: "dataSend data mediaInitialization (small)", header: evHeader("dataSend", "data"),
    message: { streamId: 1, packets: [{ data: Buffer.from("ftyp....moov"), metadata: meta("mediaInitialization", 1, 1, true, 12) }] } },
  { name: "dataSend data 262144-byte chunk", header: evHeader("dataSend", "data"),
    message: { streamId: 1, packets: [{ data: chunk, metadata: meta("mediaFragment", 2, 1, false, 600000) }] } },
  { name: "dataSend data last chunk endOfStream", header: evHeader("dataSend", "data"),
    message: { streamId: 2, packets: [{ data: Buffer.alloc(1000, 7), metadata: meta("mediaFragment", 9, 3, true, undefined) }], endOfStream: true } },
  { name: "dataSend ack", header: evHeader("dataSend", "ack"), message: { streamId: 1, endOfStream: true } },
  { name: "dataSend close reason", header: evHeader("dataSend", "close"), message: { streamId: 1, reason: 0 } },
  { name: "dataSend close status (spec example)", header: evHeader("dataSend", "close"), message: { streamId: 5, status: 3 } },
  { name: "nested mixture", header: reqHeader("test", "nested", 123456),
    message: { a: [1, 2, [3, { b: null, c: [] }], {}], t: true, f: false, s: "x".repeat(40),
      d: buf40, m1: -1, i38: 38, i40: 40, n129: -129, n32768: -32768, i70000: 70000,
      big31: 2147483648, u32max: 4294967295, min32: -2147483648, s16: new Int16(5),
      s8: new Int8(-7), s32: new Int32(-100000), f32: new Float32(1.5),
      uuid: new UUID("00000129-0000-1000-8000-0026BB765291"), deep: [[[[[["deep"]]]]]] } },
  { name: "floats and dates", header: evHeader("test", "float"),
    message: { f64: 2.25, neg: new Float64(-1e300), tiny: 5e-324, date: new SecondsSince2001(86400.5), f32: new Float32(-0.1) } },
  // hap-nodejs's encoder emits back-references for repeated strings, wrapped numbers and the
  // same Buffer object; its own decoder miscounts when 1-byte values come first.
  { name: "back-references", header: evHeader("test", "refs"),
    message: { a: "foo", c: 1, d: true, b: "foo", e: "bar", n: null, f: "bar", g: new Int64(7),
      h: new Int64(7), i: sharedBuf, j: sharedBuf, k: [0, "foo", "bar", new Int64(7)], foo: "a" },
    selfCheck: true },
  // bare values
  ...[12, 13, 14, 15, 40].map((n) => ({ name: `array of ${n}`, value: arrayOf(n) })),
  ...[14, 15, 30].map((n) => ({ name: `dict of ${n}`, value: dictOf(n) })),
  { name: "string of 32 bytes", value: "a".repeat(32) },
  { name: "string of 33 bytes", value: "b".repeat(33) },
  { name: "string of 300 bytes", value: "c".repeat(300) },
  { name: "string of 70000 bytes", value: "d".repeat(70000) },
  { name: "multi-byte string of 34 bytes", value: "\u00e9".repeat(17) },
  // 9 bytes: 49 + c3a9 + e282ac + f09f8ea5
  { name: "multi-byte string of 9 bytes", value: "\u00e9\u20ac\u{1F3A5}", hex: "49c3a9e282acf09f8ea5" },
  { name: "data of 33 bytes", value: Buffer.alloc(33, 0x03) },
  { name: "data of 70000 bytes", value: Buffer.alloc(70000, 0xa5) },
  { name: "data of 5 bytes", value: Buffer.from([1, 2, 3, 4, 5]) },
  { name: "integer 38", value: 38 },
  { name: "integer 39", value: 39 },
  { name: "integer -1", value: -1 },
  { name: "integer 65536", value: 65536 },
  { name: "integer -40000", value: -40000, hex: "32c063ffff" },
  { name: "integer 2^40", value: 2 ** 40, hex: "330000000000010000" },
  { name: "integer -2^40", value: -(2 ** 40), hex: "330000000000ffffff" },
  { name: "integer 0x0123456789abcdef", value: 0x0123456789abcdefn, hex: "33efcdab8967452301" },
  // 0x9F chunked data, 0x6F string, 0xEF dict (hand-written, hap-nodejs writes none of them)
  { name: "chunked data 0x9F", value: Buffer.concat([buf40.subarray(0, 20), buf40.subarray(20)]),
    hex: "9f94" + "1400000000000000" + buf40.subarray(0, 20).toString("hex") + "91" + "14" +
      buf40.subarray(20).toString("hex") + "03" },
  { name: "NUL-terminated string 0x6F in a terminated dict", value: { key: "value of 0x6f" },
    hex: "ef436b65796f" + Buffer.from("value of 0x6f").toString("hex") + "0003" },
];

// ---- run ----
async function main() {
  const helper = new Helper(helperPath);
  let failures = 0, checks = 0, skips = 0, byteEqual = 0;
  const fail = (msg) => { failures++; console.log(`FAIL ${msg}`); };
  const skip = (msg) => { skips++; console.log(`SKIP ${msg}`); };

  for (const c of cases) {
    const isMsg = c.value === undefined;
    const expected = isMsg ? { header: c.header, message: c.message } : c.value;
    const encBugs = encoderBugs(expected);
    const decBugs = decoderBugs(expected);
    let input;

    if (c.hex) {
      input = Buffer.from(c.hex, "hex");
      if (encBugs.length) skip(`${c.name} (hap-nodejs encoder): ${encBugs.join("; ")} - using hand-written bytes`);
    } else if (encBugs.length) {
      skip(`${c.name} (JS -> C): ${encBugs.join("; ")}`);
      continue;
    } else {
      input = isMsg ? jsEncodePayload(c.header, c.message) : jsEncode(c.value);
    }

    // JS -> C
    const r = await helper.cmd(isMsg ? "msg" : "value", input);
    checks++;
    if (!r.ok) {
      fail(`${c.name} (JS -> C): our decoder rejected ${input.length} bytes: ${r.error}`);
      continue;
    }
    if (isMsg) {
      const kind = c.header.event !== undefined ? "event" : c.header.request !== undefined ? "request" : "response";
      const p = r.json.parsed;
      if (!deepEqual(r.json.header, canon(c.header)) || !deepEqual(r.json.message, canon(c.message)) ||
          p.kind !== kind || p.protocol !== c.header.protocol || p.topic !== c.header[kind] ||
          (c.header.id && p.id !== String(c.header.id.value)) ||
          (c.header.status && p.status !== String(c.header.status.value))) {
        fail(`${c.name} (JS -> C): decoded ${JSON.stringify(r.json).slice(0, 400)}`);
        continue;
      }
    } else if (!deepEqual(r.json, canon(c.value))) {
      fail(`${c.name} (JS -> C): decoded ${JSON.stringify(r.json).slice(0, 300)}, want ${JSON.stringify(canon(c.value)).slice(0, 300)}`);
      continue;
    }

    // C -> JS
    const ours = Buffer.from(r.hex, "hex");
    if (decBugs.length) {
      skip(`${c.name} (C -> JS): hap-nodejs decoder: ${decBugs.join("; ")}`);
    } else {
      checks++;
      let got;
      try {
        got = isMsg ? jsDecodePayload(ours) : jsDecode(ours);
      } catch (e) {
        fail(`${c.name} (C -> JS): hap-nodejs rejected our ${ours.length} bytes: ${e.message}`);
        continue;
      }
      const want = canon(expected, true);
      if (!deepEqual(canon(got, true), want)) {
        fail(`${c.name} (C -> JS): hap-nodejs decoded ${JSON.stringify(canon(got, true)).slice(0, 300)}`);
        continue;
      }
      // Without back-references both encoders pick the same forms for these values.
      if (!c.hex && !c.selfCheck && ours.equals(input)) byteEqual++;
    }

    // hap-nodejs decoding its own bytes (informational: shows its reader's table bug)
    if (c.selfCheck) {
      let self;
      try {
        self = jsDecodePayload(input);
      } catch (e) {
        self = null;
      }
      const same = self && deepEqual(canon(self, true), canon(expected, true));
      console.log(`INFO ${c.name}: hap-nodejs reading its own bytes ${same ? "agrees" : "disagrees"}` +
        (same ? "" : " (its reader also tables true/false/-1/0..39, its writer does not; ours follows the writer)"));
    }
  }
  helper.close();
  console.log(`hds-message interop: ${checks} checks, ${failures} failures, ${skips} skipped directions, ` +
    `${byteEqual} re-encodings byte-identical to hap-nodejs's`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });

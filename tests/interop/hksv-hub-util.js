// What the hksv-hub interop tests share: the reference camera process (hksv-camera.js) with
// its line protocol, and running the hksv-hub binary with a JSON report.
"use strict";
const path = require("path");
const fs = require("fs");
const os = require("os");
const { spawn } = require("child_process");
const readline = require("readline");

const nodeModules = path.join(__dirname, "node_modules");
const referenceDir = path.join(__dirname, "../data/reference-camera");

// Exits 77 (skip) with a reason when the peers or the binary are missing.
function requirePeers(hubPath) {
  if (!fs.existsSync(path.join(nodeModules, "hap-nodejs"))) {
    console.error("skip: tests/interop/node_modules is missing (run npm ci in tests/interop)");
    process.exit(77);
  }
  if (!hubPath || !fs.existsSync(hubPath)) {
    console.error("skip: the hksv-hub binary was not given or not built");
    process.exit(77);
  }
}

function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hksv-${name}-`));
}

// The reference camera; stdout lines are awaited by prefix.
class Camera {
  constructor(dir, extraArgs = []) {
    this.proc = spawn(process.execPath,
        [path.join(__dirname, "hksv-camera.js"), "--storage", path.join(dir, "camera"), ...extraArgs],
        { stdio: ["pipe", "pipe", process.env.HKSV_CAMERA_STDERR ? "inherit" : "ignore"] });
    this.lines = [];
    this.seen = [];
    this.waiters = [];
    this.exited = false;
    readline.createInterface({ input: this.proc.stdout }).on("line", (line) => {
      this.lines.push(line);
      this.seen.push(line);
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
  // The first unread line starting with `prefix` (lines before it are dropped).
  wait(prefix, ms = 10000) {
    return new Promise((resolve, reject) => {
      let timer;
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      const check = () => {
        const i = this.lines.findIndex((l) => l.startsWith(prefix));
        if (i >= 0) {
          const line = this.lines[i];
          this.lines.splice(0, i + 1);
          done();
          resolve(line);
        } else if (this.exited) {
          done();
          reject(new Error(`camera exited (${this.exitCode}) before "${prefix}"`));
        }
      };
      timer = setTimeout(() => {
        done();
        reject(new Error(`camera did not print "${prefix}" within ${ms} ms`));
      }, ms);
      this.waiters.push(check);
      check();
    });
  }
  send(line) {
    this.proc.stdin.write(line + "\n");
  }
  async port() {
    return Number((await this.wait("PORT ")).split(" ")[1]);
  }
  stop() {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
      this.proc.on("exit", () => {
        clearTimeout(t);
        resolve();
      });
      this.proc.stdin.end("quit\n");
    });
  }
}

// Runs hksv-hub with `args` (+ --json); resolves {code, signal, stdout, stderr, report, ms}.
// `during(child)` may drive the test while it runs.
function runHub(hubPath, args, during) {
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(hubPath, [...args, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let duringError = null;
    child.on("exit", (code, signal) => {
      let report = null;
      try {
        report = JSON.parse(stdout);
      } catch (e) {
        report = null;
      }
      // Let a failing `during` settle first.
      setImmediate(() => resolve({ code, signal, stdout, stderr, report, ms: Date.now() - start, duringError }));
    });
    if (during)
      Promise.resolve()
        .then(() => during(child))
        .catch((e) => {
          duringError = e;
        });
  });
}

// A finished run must have exited by itself with its report (no crash, no sanitizer report).
function assertClean(assert, run, what) {
  if (run.duringError) throw run.duringError;
  assert.strictEqual(run.signal, null, `${what}: killed by ${run.signal}\n${run.stderr}`);
  assert.ok(!/Sanitizer|runtime error/.test(run.stderr), `${what}: sanitizer report\n${run.stderr}`);
  assert.ok(run.report, `${what}: no JSON report (exit ${run.code})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  assert.strictEqual(run.report.exit_status, run.code, `${what}: exit status differs from the report`);
}

// The sockets of process `pid` (Linux /proc): [{proto, local}] with local as "a.b.c.d:port" or
// "[v6]:port" hex, from the socket inodes of its descriptors.
function socketsOf(pid) {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch (e) {
      continue;
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]);
  }
  const found = [];
  for (const proto of ["tcp", "tcp6", "udp", "udp6"]) {
    const lines = fs.readFileSync(`/proc/${pid}/net/${proto}`, "utf8").trim().split("\n").slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (inodes.has(f[9])) found.push({ proto, local: f[1], loopback: /^0100007F:|^0{24}0100000{8}:|^0{31}1:/i.test(f[1]) });
    }
  }
  return found;
}

function reference() {
  return Buffer.concat(["mediaInitialization.mp4", "sequence2.mp4", "sequence3.mp4", "sequence4.mp4"]
      .map((f) => fs.readFileSync(path.join(referenceDir, f))));
}

module.exports = { requirePeers, tempDir, Camera, runHub, assertClean, reference, socketsOf };

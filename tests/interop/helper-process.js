// A C interop helper (interop-NAME) driven line by line: each command written to its stdin is
// answered by one line on its stdout, which `parse` turns into the command's result.
"use strict";
const { spawn } = require("child_process");
const readline = require("readline");

class HelperProcess {
  constructor(file, parse) {
    this.parse = parse;
    this.proc = spawn(file, [], { stdio: ["pipe", "pipe", "inherit"] });
    this.waiting = [];
    this.lines = []; // lines that arrived with no command waiting
    readline.createInterface({ input: this.proc.stdout }).on("line", (line) => {
      const w = this.waiting.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
    this.proc.on("exit", (code) => {
      for (const w of this.waiting) w(`error -2 helper exited with ${code}`);
      this.waiting = [];
    });
  }
  cmd(line) {
    return new Promise((resolve) => {
      this.waiting.push((answer) => resolve(this.parse(answer)));
      this.proc.stdin.write(line + "\n");
    });
  }
  close() {
    this.proc.stdin.end("quit\n");
  }
}

module.exports = { HelperProcess };

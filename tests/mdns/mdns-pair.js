// Pairing helper of tests/mdns/mdns.sh: the npm `hap-controller` HttpClient (an independent HAP
// controller, from tests/interop/node_modules) pairs with or unpairs from an accessory on
// 127.0.0.1.
//   node mdns-pair.js pair PORT SETUP-CODE FILE   pair-setup; the long-term data goes to FILE
//                                                 and the accessory's pairing id to stdout
//   node mdns-pair.js unpair PORT FILE            pair-verify with FILE's data, then remove
//                                                 that controller's own pairing
// Exit: 0 done, 1 failed, 77 node_modules missing.
"use strict";

const path = require("path");
const fs = require("fs");

const nodeModules = path.join(__dirname, "..", "interop", "node_modules");
if (!fs.existsSync(path.join(nodeModules, "hap-controller"))) {
  console.error("skip: tests/interop/node_modules is missing (run npm ci in tests/interop)");
  process.exit(77);
}
const { HttpClient } = require(path.join(nodeModules, "hap-controller"));

const HOST = "127.0.0.1";

async function main(argv) {
  const [command, portText] = argv;
  const port = Number(portText);
  if (!(port > 0 && port < 65536)) throw new Error(`bad port ${portText}`);
  if (command === "pair" && argv.length === 4) {
    const client = new HttpClient("acc", HOST, port);
    await client.pairSetup(argv[2]);
    const data = client.getLongTermData();
    fs.writeFileSync(argv[3], JSON.stringify(data), { mode: 0o600 });
    console.log(Buffer.from(data.AccessoryPairingID, "hex").toString());
    await client.close().catch(() => {});
    return;
  }
  if (command === "unpair" && argv.length === 3) {
    const data = JSON.parse(fs.readFileSync(argv[2], "utf8"));
    const client = new HttpClient("acc", HOST, port, data);
    try {
      await client.removePairing(Buffer.from(data.iOSDevicePairingID, "hex"));
    } finally {
      await client.close().catch(() => {});
    }
    return;
  }
  throw new Error("usage: mdns-pair.js pair PORT CODE FILE | unpair PORT FILE");
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    console.error(`mdns-pair: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  });

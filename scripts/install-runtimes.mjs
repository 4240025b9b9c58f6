// Installs the runtimes the interop tests load exported models in (test/runtimes/package.json:
// onnxruntime-node, onnxruntime-web) unless they are already there. `npm test` runs it before vitest.
//
// Apart from the root package because onnxruntime-node's install script downloads optional GPU
// parts from a host CI cannot reach: a root dev dependency would make a plain `npm install`
// fail. With --ignore-scripts that script does not run; the CPU binary ships inside the package.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../test/runtimes", import.meta.url));
const markers = ["onnxruntime-node", "onnxruntime-web"].map((p) => `${dir}/node_modules/${p}/package.json`);
const installed = () => markers.every((m) => existsSync(m));
if (installed()) process.exit(0);
console.log("installing test/runtimes (onnxruntime-node and -web, without install scripts)…");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const r = spawnSync(npm, ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", dir], { stdio: "inherit" });
if (r.status !== 0 || !installed()) {
  console.error("scripts/install-runtimes.mjs: npm install --prefix test/runtimes failed");
  process.exit(r.status || 1);
}

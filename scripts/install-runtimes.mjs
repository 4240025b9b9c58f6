// Installs the runtimes the interop tests load exported models in (test/runtimes/package.json:
// onnxruntime-node) unless they are already there. `npm test` runs it before vitest.
//
// Apart from the root package because onnxruntime-node's install script downloads optional GPU
// parts from a host CI cannot reach: a root dev dependency would make a plain `npm install`
// fail. With --ignore-scripts that script does not run; the CPU binary ships inside the package.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../test/runtimes", import.meta.url));
const marker = `${dir}/node_modules/onnxruntime-node/package.json`;
if (existsSync(marker)) process.exit(0);
console.log("installing test/runtimes (onnxruntime-node, without its install script)…");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const r = spawnSync(npm, ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", dir], { stdio: "inherit" });
if (r.status !== 0 || !existsSync(marker)) {
  console.error("scripts/install-runtimes.mjs: npm install --prefix test/runtimes failed");
  process.exit(r.status || 1);
}

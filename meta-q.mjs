import { build } from "esbuild";
import { gzipSync } from "node:zlib";
const r = await build({ stdin: { contents: 'import { Network, init } from "./dist/index.js"; await init(); globalThis.N = Network;', resolveDir: process.cwd(), loader: "js" },
  bundle: true, minify: true, format: "esm", write: false, splitting: true, outdir: "/tmp/metaout", target: "es2022" });
const main = r.outputFiles.find((f) => f.path.endsWith("stdin.js"));
console.log("esbuild page JS gz", gzipSync(main.contents, { level: 9 }).length);

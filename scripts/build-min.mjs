// The prebuilt files for users without a bundler or without ESM, made from dist/ (tsc's
// output) with esbuild, after `npm run build:ts`:
//
//   dist/min/nabla.js    `nabla/min` (src/min.ts): everything `nabla` exports, one minified ES
//                        (esbuild, then terser)
//                        module; init() imports the one wasm build the engine runs
//                        (dist/min/wasm-*.js), so a page makes one request for its code and
//                        one for the build; and the js backend (dist/min/baseline-*.js) only
//                        when it is asked for or the engine has no WebAssembly.
//   dist/min/worker.js   `nabla/min/worker`: the NetworkWorker client, minified; it starts
//   dist/min/entry.js    the worker script next to it (the library, minified, with its builds).
//                        nabla.js and worker.js are built together with code splitting: the
//                        error classes are one small chunk both import (one set of classes
//                        on a page using both, for instanceof), and a page computing on its
//                        main thread does not load the worker client.
//   dist/nabla.cjs       `require("nabla")` in Node: the Node entry (all three builds, the js
//                        backend) as CommonJS.
//
// Chunk names carry a content hash, so the builds (and the js backend) shared by nabla.js and
// entry.js are one file each.
import { build } from "esbuild";
import { minify } from "terser";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = (p) => `${root}dist/${p}`;
rmSync(dist("min"), { recursive: true, force: true });

const common = { bundle: true, logLevel: "warning", legalComments: "none" };
// The engine probes (src/probes.ts: availableBackends) go into nabla.js and worker.js each,
// not into the chunk they share: that chunk is then the error classes alone, which must be one
// copy, and nabla.js keeps the probes inside its own gzip context (a page computing on its
// main thread loads 0.09 KB less, the worker client 0.05 KB). Each copy probes once; both
// answer the same.
const ownProbes = {
  name: "own-probes",
  setup(b) {
    b.onResolve({ filter: /\/probes\.js$/ }, (a) => (a.importer === dist("worker/index.js") ? { path: dist("probes.js"), suffix: "?client" } : undefined));
  },
};
for (const entryPoints of [{ nabla: dist("min.js"), worker: dist("worker/index.js") }, { entry: dist("worker/entry.js") }]) {
  await build({
    ...common, entryPoints, outdir: dist("min"), format: "esm", splitting: true, minify: true, target: "es2022", chunkNames: "[name]-[hash]",
    plugins: [ownProbes],
  });
}
// A second pass over the code files with terser: its names (chosen by frequency) and its
// compression took nabla.js from 18.8 to 18.1 KB gzipped, measured, where esbuild's minifier
// stops (the builds are strings: nothing to gain there); four passes and hoisted function
// declarations (`hoist_funs`, which moves declarations, not what they do) took the page 0.19 KB
// further than two passes (three alone gain nothing; five no more than four). Exported names stay as they are, so the
// chunks still import each other; the error classes name themselves with literal strings.
for (const f of readdirSync(dist("min")).filter((f) => f.endsWith(".js") && !f.startsWith("wasm-"))) {
  const code = readFileSync(dist(`min/${f}`), "utf8");
  const out = await minify(code, { module: true, ecma: 2022, compress: { passes: 4, hoist_funs: true }, mangle: true, format: { comments: false } });
  writeFileSync(dist(`min/${f}`), out.code);
}
await build({ ...common, entryPoints: [dist("node.js")], outfile: dist("nabla.cjs"), format: "cjs", platform: "node", target: "node20" });
// Types for require("nabla"): under --module node16 a .cts file takes the "require"
// condition's types, and those must be CommonJS declarations (.d.cts) all the way down: a
// .d.cts that imports the package's ESM .d.ts is an error (TS1479). So each .d.ts that
// index.d.ts reaches gets a .d.cts twin whose relative imports name the twins (".cjs").
const twins = [dist("index.d.ts")];
for (const file of twins) {
  const text = readFileSync(file, "utf8").replace(/((?:from|import\()\s*["'])(\.{1,2}\/[^"']+)\.js(["'])/g, (_, pre, spec, post) => {
    const dts = join(dirname(file), `${spec}.d.ts`);
    if (!existsSync(dts)) throw new Error(`build-min: ${relative(root, file)} imports ${spec}.js without declarations`);
    if (!twins.includes(dts)) twins.push(dts);
    return `${pre}${spec}.cjs${post}`;
  });
  writeFileSync(file.replace(/\.d\.ts$/, ".d.cts"), text);
}

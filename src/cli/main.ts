#!/usr/bin/env node
// The `nabla` command (package.json "bin"). See src/cli/run.ts and docs/cli.md.
import "../threads/relaxed-simd.js"; // first: turns on relaxed SIMD on Node 20 before any wasm is compiled
import { run } from "./run.js";

// `nabla predict … | head`: a closed pipe ends the output quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}
process.exitCode = await run(process.argv.slice(2));

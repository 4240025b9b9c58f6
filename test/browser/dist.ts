// The worker, size and browser tests run the built package (dist/), as pages and workers
// load it. `npm test` builds first; a stale dist/ fails loudly instead of testing old code.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

function newest(dir: string, ext: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** Throws unless dist/ exists and is at least as new as every file in src/. */
export function assertDistFresh(): void {
  const dist = join(root, "dist");
  if (!existsSync(join(dist, "index.js")) || !existsSync(join(dist, "worker", "entry.js"))) {
    throw new Error("dist/ is not built: run `npm run build` (or `npm run build:ts`) first");
  }
  if (!existsSync(join(dist, "min", "nabla.js")) || !existsSync(join(dist, "nabla.cjs"))) {
    throw new Error("dist/min/ or dist/nabla.cjs is missing: run `npm run build:ts` (it runs scripts/build-min.mjs)");
  }
  const src = newest(join(root, "src"), ".ts"), out = newest(dist, ".js");
  if (src > out + 1000) throw new Error("dist/ is older than src/: run `npm run build:ts` first");
}

// The documented ways of loading nabla in a page (docs/web.md "Loading"), each made exactly
// as docs/web.md tells users to, in a fresh app directory under test-results/:
//
//   min      no bundler: copy node_modules/nabla/dist/min/ next to the page and import
//            ./nabla/nabla.js (everything, NetworkWorker included), or ./nabla/worker.js
//            (the NetworkWorker client alone)
//   vite     vite.config.js `export default { worker: { format: "es" } }`, then `vite build`
//   esbuild  `esbuild app.js --bundle --minify --format=esm --splitting --outdir=dist`, and
//            for NetworkWorker the same for node_modules/nabla/dist/worker/entry.js
//
// Used by test/size.test.ts (what each way loads, gzipped) and test/browser/bundles.test.ts
// (minified bundles in Chromium: error classes on the page and across the worker).
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, extname, join, normalize, posix } from "node:path";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { gzipSync } from "node:zlib";
import { root } from "./dist.js";
import type { Session } from "./chromium.js";

export const METHODS = ["min", "vite", "esbuild"] as const;
export type Method = (typeof METHODS)[number];

/**
 * Builds `app` (the page's module, importing "nabla" / "nabla/worker") the given way into
 * `dir`; returns the directory to serve (index.html at its top).
 */
export function buildApp(method: Method, dir: string, app: string, usesWorker: boolean): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(root, join(dir, "node_modules", "nabla"), "dir"); // as if installed
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const html = (src: string) => `<!doctype html><html><head><meta charset="utf-8"><title>app</title>` +
    `<link rel="icon" href="data:,"><script type="module" src="${src}"></script></head><body></body></html>\n`;
  if (method === "min") {
    const out = join(dir, "site");
    mkdirSync(out);
    cpSync(join(dir, "node_modules/nabla/dist/min"), join(out, "nabla"), { recursive: true });
    // nabla.js has NetworkWorker too: a page using both takes both from it (one set of error
    // classes); a page using only the worker takes the small worker.js.
    const client = "./nabla/worker.js";
    writeFileSync(join(out, "app.js"), app.replaceAll('"nabla/worker"', `"${client}"`).replaceAll('"nabla"', '"./nabla/nabla.js"'));
    writeFileSync(join(out, "index.html"), html("./app.js"));
    return out;
  }
  writeFileSync(join(dir, "app.js"), app);
  if (method === "vite") {
    writeFileSync(join(dir, "index.html"), html("./app.js"));
    writeFileSync(join(dir, "vite.config.js"), 'export default { worker: { format: "es" } };\n');
    execFileSync(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], { cwd: dir, stdio: "pipe" });
    return join(dir, "dist");
  }
  const esbuild = (entry: string) => execFileSync(join(root, "node_modules/.bin/esbuild"),
    [entry, "--bundle", "--minify", "--format=esm", "--splitting", "--outdir=dist", "--log-level=error"], { cwd: dir, stdio: "pipe" });
  esbuild("app.js");
  if (usesWorker) esbuild("node_modules/nabla/dist/worker/entry.js");
  writeFileSync(join(dir, "dist", "index.html"), html("./app.js"));
  return join(dir, "dist");
}

/** A wasm build's module: a string literal of 2000+ characters of its text form's alphabet (scripts/wasm-text.mjs). */
export const isBuild = (text: string) => /"[ !#-;=-[\]-~]{2000,}"/.test(text);
const gz = (s: string) => gzipSync(s, { level: 9 }).length;

/** A file's relative module references: static imports (and re-exports), and dynamic import("…"). */
function refs(file: string, site: string): { statics: string[]; dynamics: string[] } {
  const text = readFileSync(file, "utf8");
  const resolve = (spec: string) => (spec.startsWith("/") ? join(site, spec) : join(dirname(file), spec));
  const local = (s: string) => /^\.{0,2}\//.test(s);
  const statics = [...text.matchAll(/\b(?:import|export)\s*(?:\{[^}]*\}|\*\s*as\s*[\w$]+|[\w$]+(?:\s*,\s*\{[^}]*\})?)?\s*(?:from\s*)?["'`]([^"'`]+)["'`]/g)]
    .map((m) => m[1]).filter(local).map(resolve);
  const dynamics = [...text.matchAll(/\bimport\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]).filter(local).map(resolve);
  return { statics, dynamics };
}

export interface Loaded {
  /** The JavaScript loaded at once: the entry and every chunk it imports statically, gzipped. */
  js: number;
  files: number;
  /** Those files. */
  paths: string[];
  /** The largest wasm build chunk the JavaScript may import dynamically (init() loads one), gzipped. */
  build: number;
  total: number;
}

/** What a thread loads, starting from `entry`: its static closure plus the largest build it can import. */
export function loaded(site: string, entry: string): Loaded {
  const seen = new Set<string>(), todo = [entry], dynamic = new Set<string>();
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    if (!existsSync(f)) throw new Error(`${f}: imported but not emitted`);
    seen.add(f);
    const r = refs(f, site);
    todo.push(...r.statics);
    r.dynamics.forEach((d) => dynamic.add(d));
  }
  let js = 0;
  for (const f of seen) js += gz(readFileSync(f, "utf8"));
  const builds = [...dynamic].filter((f) => !seen.has(f) && existsSync(f)).map((f) => readFileSync(f, "utf8")).filter(isBuild).map(gz);
  const build = builds.length ? Math.max(...builds) : 0;
  return { js, files: seen.size, paths: [...seen], build, total: js + build };
}

/** Every emitted .js file under site (relative path → text). */
export function emitted(site: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".js")) out.set(posix.normalize(p.slice(site.length + 1)), readFileSync(p, "utf8"));
    }
  };
  walk(site);
  return out;
}

/** The page's entry module: the script index.html loads. */
export function pageEntry(site: string): string {
  const src = /<script type="module"[^>]*src="([^"]+)"/.exec(readFileSync(join(site, "index.html"), "utf8"))![1];
  return src.startsWith("/") ? join(site, src) : join(site, src);
}

/** The worker's script: the one emitted file holding nabla's worker entry. */
export function workerEntries(site: string): string[] {
  return [...emitted(site)].filter(([, t]) => t.includes("nabla worker entry: not running in a worker")).map(([f]) => join(site, f));
}

/** A static server for a built app on 127.0.0.1 (a free port), each response with `headers` too (e.g. COOP/COEP). */
export function serveApp(dir: string, headers: Record<string, string> = {}): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    try {
      const body = await readFile(join(dir, path.endsWith("/") ? `${path}index.html` : path));
      res.writeHead(200, { ...headers, "content-type": extname(path) === ".js" ? "text/javascript" : "text/html" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` });
  }));
}

/**
 * Serves a built app (serveApp), opens it in the session and waits for the page to set
 * `window.result`; returns it with every page error and failed response, then closes both.
 */
export async function appResult<T>(session: Session, dir: string, headers: Record<string, string> = {}): Promise<{ result: T; problems: string[] }> {
  const { server, url } = await serveApp(dir, headers);
  const page = await session.context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 60_000 });
    return { result: await page.evaluate(() => (window as unknown as { result: T }).result), problems };
  } finally {
    await page.close();
    server.close();
  }
}

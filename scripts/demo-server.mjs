// A tiny static server for the demo page (and the browser tests): node:http, no packages.
// Serves only demo/, dist/, build/demo/ (the digits) and test/browser/ from the repository,
// on 127.0.0.1. `/` and `/demo` redirect to the page, `/demo/` (relative asset URLs need the
// slash). Files are sent gzipped to clients that accept it (the 7.5 MB digits file is 1.6 MB
// so), compressed once per file version and kept in memory. Every response carries COOP/COEP
// (ISOLATION below), so the page is cross-origin isolated and NetworkWorker can use threads.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { gzip } from "node:zlib";
import { promisify } from "node:util";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const ALLOWED = ["demo", "dist", join("build", "demo"), join("test", "browser")];
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".bin": "application/octet-stream",
  ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".ts": "text/plain; charset=utf-8",
};

const gzipped = new Map(); // path → { key: "mtime size", body: Promise<Buffer> }

/** The file's bytes gzipped (level 6), computed once per version of the file. */
function gzipOf(path, info, body) {
  const key = `${info.mtimeMs} ${info.size}`;
  let c = gzipped.get(path);
  if (!c || c.key !== key) gzipped.set(path, (c = { key, body: promisify(gzip)(body) }));
  return c.body;
}

/** Whether an Accept-Encoding header allows gzip (and does not refuse it with q=0). */
const acceptsGzip = (h = "") => h.split(",").some((p) => {
  const [enc, ...params] = p.trim().split(";");
  return (enc === "gzip" || enc === "*") && !params.some((q) => /^\s*q=0(\.0*)?\s*$/.test(q));
});

/**
 * Cross-origin isolation (crossOriginIsolated === true), which a page needs for SharedArrayBuffer
 * and so for NetworkWorker's helper threads (docs/web.md): COOP same-origin, COEP require-corp,
 * on every response. Everything the demo loads is same-origin, which require-corp allows.
 */
export const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

/**
 * Starts the server; resolves with it and its URL. port 0 picks a free port. `isolate: false`
 * leaves out the COOP/COEP headers (the browser tests' page that is not cross-origin isolated).
 */
export function startDemoServer({ port = 0, host = "127.0.0.1", isolate = true } = {}) {
  const isolation = isolate ? ISOLATION : {};
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/" || url.pathname === "/demo") {
      res.writeHead(url.pathname === "/" ? 302 : 301, { location: `/demo/${url.search}`, ...isolation });
      return res.end();
    }
    let rel = normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, "");
    if (rel.endsWith(sep)) rel = join(rel, "index.html");
    if (rel.includes("..") || !ALLOWED.some((a) => rel.startsWith(a + sep))) {
      res.writeHead(404, { ...isolation, "content-type": "text/plain" });
      return res.end("not found");
    }
    try {
      const path = join(root, rel);
      const info = await stat(path);
      let body = await readFile(path);
      const headers = {
        ...isolation,
        "content-type": TYPES[extname(rel)] ?? "application/octet-stream",
        "cache-control": "no-cache",
        vary: "accept-encoding",
      };
      if (body.length > 1024 && acceptsGzip(req.headers["accept-encoding"])) {
        body = await gzipOf(path, info, body);
        headers["content-encoding"] = "gzip";
      }
      res.writeHead(200, { ...headers, "content-length": body.length });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { ...isolation, "content-type": "text/plain" });
      res.end("not found");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({ server, url: `http://${host}:${a.port}/` });
    });
  });
}

// A tiny static server for the demo page (and the browser tests): node:http, no packages.
// Serves only demo/, dist/, build/demo/ (the digits) and test/browser/ from the repository,
// on 127.0.0.1. `/` redirects to the page.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const ALLOWED = ["demo", "dist", join("build", "demo"), join("test", "browser")];
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".bin": "application/octet-stream",
  ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".ts": "text/plain; charset=utf-8",
};

/** Starts the server; resolves with it and its URL. port 0 picks a free port. */
export function startDemoServer({ port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/") {
      res.writeHead(302, { location: "/demo/" });
      return res.end();
    }
    let rel = normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, "");
    if (rel.endsWith(sep) || rel === "demo") rel = join(rel, "index.html");
    if (rel.includes("..") || !ALLOWED.some((a) => rel.startsWith(a + sep))) {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("not found");
    }
    try {
      const body = await readFile(join(root, rel));
      res.writeHead(200, {
        "content-type": TYPES[extname(rel)] ?? "application/octet-stream",
        "cache-control": "no-cache",
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
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

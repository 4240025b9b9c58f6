// The demo's static server (scripts/demo-server.mjs), over HTTP from Node: `/demo` redirects
// to `/demo/` (the page's relative asset URLs need the slash), files go out gzipped to
// clients that accept gzip — the digits file 7.5 MB → about 1.6 MB — and as they are to the
// others, nothing outside the served directories is reachable, and every response carries
// COOP/COEP (cross-origin isolation, for NetworkWorker's threads).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import type { Server } from "node:http";
import { assertDistFresh } from "./dist.js";
// @ts-ignore: plain JavaScript (scripts/)
import { startDemoServer } from "../../scripts/demo-server.mjs";
// @ts-ignore: plain JavaScript (scripts/)
import { writeDemoData, dataFile } from "../../scripts/demo-data.mjs";

interface Got { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }
function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Got> {
  return new Promise((resolve, reject) => {
    request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on("error", reject).end();
  });
}

describe("the demo server", () => {
  let server: Server, url: string;
  beforeAll(async () => {
    assertDistFresh();
    await writeDemoData();
    ({ server, url } = await startDemoServer());
  });
  afterAll(() => server?.close());

  it("redirects / and /demo to /demo/", async () => {
    for (const [path, to] of [["", "/demo/"], ["demo", "/demo/"], ["demo?x=1", "/demo/?x=1"]]) {
      const r = await get(`${url}${path}`);
      expect([301, 302]).toContain(r.status);
      expect(r.headers.location).toBe(to);
    }
    const page = await get(`${url}demo/`);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toMatch(/<h1/);
  });

  it("sends the digits gzipped when the client accepts gzip, as they are otherwise", async () => {
    const raw = readFileSync(dataFile);
    const z = await get(`${url}build/demo/mnist.bin`, { "accept-encoding": "gzip, deflate, br" });
    expect(z.status).toBe(200);
    expect(z.headers["content-encoding"]).toBe("gzip");
    expect(z.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(z.headers["content-length"])).toBe(z.body.length);
    console.log(`demo digits: ${(raw.length / 1e6).toFixed(2)} MB, sent gzipped as ${(z.body.length / 1e6).toFixed(2)} MB`);
    expect(z.body.length).toBeLessThan(raw.length / 3);
    expect(gunzipSync(z.body).equals(raw)).toBe(true);
    for (const accept of [undefined, "identity", "gzip;q=0, identity"]) {
      const r = await get(`${url}build/demo/mnist.bin`, accept ? { "accept-encoding": accept } : {});
      expect(r.headers["content-encoding"], String(accept)).toBeUndefined();
      expect(r.body.equals(raw)).toBe(true);
    }
    const head = await get(`${url}build/demo/mnist.bin`, { "accept-encoding": "gzip" }, "HEAD");
    expect(head.headers["content-length"]).toBe(z.headers["content-length"]);
    expect(head.body.length).toBe(0);
  });

  it("sends COOP same-origin and COEP require-corp with every response (the page is cross-origin isolated: NetworkWorker can use threads); isolate: false leaves them out", async () => {
    const paths = ["demo/", "demo/app.js", "demo/style.css", "dist/min/worker.js", "dist/min/entry.js", "build/demo/mnist.bin", "demo", "nothing-here"];
    for (const path of paths) {
      const r = await get(`${url}${path}`, { "accept-encoding": "gzip" });
      expect(r.headers["cross-origin-opener-policy"], path).toBe("same-origin");
      expect(r.headers["cross-origin-embedder-policy"], path).toBe("require-corp");
    }
    const plain = await startDemoServer({ isolate: false });
    try {
      for (const path of paths) {
        const r = await get(`${plain.url}${path}`);
        expect(r.headers["cross-origin-opener-policy"], path).toBeUndefined();
        expect(r.headers["cross-origin-embedder-policy"], path).toBeUndefined();
      }
    } finally {
      plain.server.close();
    }
  });

  it("serves nothing outside demo/, dist/, build/demo/ and test/browser/", async () => {
    for (const path of ["package.json", "src/network.ts", "demo/../package.json", "build/nabla-simd.wasm", "%2e%2e/%2e%2e/etc/passwd"]) {
      expect((await get(`${url}${path}`)).status, path).toBe(404);
    }
  });
});

// `npm run demo`: makes the digits file if needed, serves the demo page on localhost and
// prints its URL. Needs the built package: `npm run demo` builds it first when dist/min/ is
// missing (the "predemo" script); after changing src/, run `npm run build`.
import { existsSync } from "node:fs";
import { writeDemoData } from "./demo-data.mjs";
import { startDemoServer } from "./demo-server.mjs";

if (!existsSync(new URL("../dist/min/worker.js", import.meta.url))) {
  console.error("demo: dist/ is not built. Run `npm run build` first.");
  process.exit(1);
}
await writeDemoData();
const want = Number(process.env.PORT ?? 8080);
let started;
try {
  started = await startDemoServer({ port: want });
} catch (e) {
  if (e.code !== "EADDRINUSE") throw e;
  started = await startDemoServer({ port: 0 });
}
console.log(`nabla demo: ${started.url}demo/   (Ctrl+C to stop)`);

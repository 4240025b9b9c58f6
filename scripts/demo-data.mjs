// Writes build/demo/mnist.bin, the digits the demo page trains on: a fixed split of the
// `mnist` package's 10,000 real digits (8,000 to train, 2,000 to test, shuffled with seed 0,
// as mnistSplit in src/data/mnist.ts), pixels as bytes. Generated, never committed (build/).
//
// Layout (little-endian): "MNST", u32 trainCount, u32 testCount, u32 pixelsPerImage (784),
// then trainCount + testCount labels (u8), then the images, 784 bytes each (0 = white … 255 = ink).
import { mkdirSync, existsSync, writeFileSync, renameSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
export const dataFile = fileURLToPath(new URL("build/demo/mnist.bin", root));

export async function writeDemoData({ train = 8000, test = 2000, force = false } = {}) {
  if (existsSync(dataFile) && !force) return dataFile;
  const mnist = new URL("dist/data/mnist.js", root);
  if (!existsSync(mnist)) throw new Error("dist/ is not built: run `npm run build` first");
  const { mnistSplit } = await import(mnist.href);
  const split = mnistSplit(train, test, 0);
  const n = train + test, header = 16;
  const out = new Uint8Array(header + n + n * 784);
  const dv = new DataView(out.buffer);
  out.set([77, 78, 83, 84], 0); // "MNST"
  dv.setUint32(4, train, true);
  dv.setUint32(8, test, true);
  dv.setUint32(12, 784, true);
  out.set(split.train.labels, header);
  out.set(split.test.labels, header + train);
  const px = header + n;
  const put = (inputs, at) => { for (let i = 0; i < inputs.length; i++) out[at + i] = Math.round(inputs[i] * 255); };
  put(split.train.inputs, px);
  put(split.test.inputs, px + train * 784);
  mkdirSync(new URL("build/demo/", root), { recursive: true });
  const tmp = `${dataFile}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, dataFile);
  return dataFile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = await writeDemoData({ force: process.argv.includes("--force") });
  console.log(`wrote ${f}`);
}

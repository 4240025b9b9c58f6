// Issue 13 item 2: every network the CLI trains can be saved. Above JSON_MAX_PARAMS parameters
// (JSON text of ≈ 25 M exceeds V8's 512 MB string limit) `--save` writes the library's binary
// form (net.toBinary) as <name>.nabla, decided and checked before training; eval and predict
// read both forms.
import { describe, it, expect, afterAll } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Network } from "../../src/node.js";
import { binaryHeader } from "../../src/binary.js";
import { JSON_MAX_PARAMS, savePlan } from "../../src/cli/model.js";
import { nabla, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const csv = tmp.path("toy.csv");
writeFileSync(csv, "a,b,kind\n" + Array.from({ length: 60 }, (_, i) => `${(i % 3) + 0.1 * (i % 7)},${(i % 5) / 5},${["cat", "dog", "emu"][i % 3]}`).join("\n") + "\n");
const TOY = ["--data", `csv:${csv}`, "--hidden", "4", "--epochs", "2", "--quiet", "--seed", "5", "--optimizer", "adam", "--eta", "0.01"];

describe("saving in the binary form", () => {
  it("the format follows the size: JSON up to JSON_MAX_PARAMS, then <name>.nabla; a .nabla name is always binary", () => {
    const n = 1999; // [n, n, 1]: n² + 2n + 1 parameters, just below 4 M
    expect(n * n + 2 * n + 1).toBeLessThanOrEqual(JSON_MAX_PARAMS);
    expect(savePlan("m.json", [n, n, 1])).toEqual({ path: "m.json", binary: false });
    expect(savePlan("m.json", [n, n + 1, 1])).toEqual({ path: "m.nabla", binary: true });
    expect(savePlan("dir/m.JSON", [5000, 5000, 10])).toEqual({ path: "dir/m.nabla", binary: true });
    expect(savePlan("model", [5000, 5000, 10])).toEqual({ path: "model.nabla", binary: true });
    expect(savePlan("m.nabla", [2, 4, 3])).toEqual({ path: "m.nabla", binary: true });
  });

  it("--save x.nabla and --save x.json of the same training hold the same model; eval and predict read both alike", async () => {
    const j = tmp.path("toy.json"), b = tmp.path("toy.nabla");
    expect((await nabla(["train", ...TOY, "--save", j])).code).toBe(0);
    expect((await nabla(["train", ...TOY, "--save", b])).code).toBe(0);
    const json = JSON.parse(readFileSync(j, "utf8"));
    const bytes = readFileSync(b);
    const net = Network.fromBinary(bytes);
    const { dataset, training, ...model } = json;
    expect(net.toJSON()).toEqual(model); // Adam state and generator included
    expect(net.toJSON().optimizer?.name).toBe("adam");
    const header = binaryHeader("test", bytes);
    expect(header.dataset).toEqual(dataset);
    expect({ ...(header.training as object), seconds: 0 }).toEqual({ ...training, seconds: 0 });
    for (const args of [["eval", "--data", `csv:${csv}`, "--json"], ["predict", "1,2", "--json"]]) {
      const [cmd, ...rest] = args;
      const fromJSON = await nabla([cmd, j, ...rest]), fromBinary = await nabla([cmd, b, ...rest]);
      expect(fromBinary.code, fromBinary.err).toBe(0);
      expect(fromBinary.out.replaceAll(b, j)).toBe(fromJSON.out); // the same, but for the file's name
    }
  });

  it("a hostile .nabla file is refused by eval with a ModelFormatError message, not a crash", async () => {
    const good = readFileSync(tmp.path("toy.nabla"));
    for (const bad of [good.subarray(0, good.length - 4), Buffer.concat([good.subarray(0, 12), Buffer.from([255, 255, 255, 127]), good.subarray(16)])]) {
      const p = tmp.path("bad.nabla");
      writeFileSync(p, bad);
      const r = await nabla(["eval", p, "--data", `csv:${csv}`]);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/Network\.fromBinary\(bytes, options\): (bytes|header length) must be/);
    }
  });

  // 25 M parameters: JSON.stringify of this network throws RangeError. One epoch of 20 rows.
  const wide = tmp.path("wide.csv");
  const WIDE = () => {
    if (!existsSync(wide)) {
      const rows = Array.from({ length: 20 }, (_, i) => [...Array.from({ length: 5000 }, (_, k) => ((i * 31 + k * 7) % 13) / 13), `c${i % 10}`].join(","));
      writeFileSync(wide, [...Array.from({ length: 5000 }, (_, k) => `f${k}`), "label"].join(",") + "\n" + rows.join("\n") + "\n");
    }
    return ["--data", `csv:${wide}`, "--epochs", "1", "--batch", "16", "--eta", "0.1", "--test-fraction", "0.2"];
  };

  it("the binary path is checked before training: a directory in the way of <name>.nabla is refused before any epoch", async () => {
    mkdirSync(tmp.path("blocked.nabla"));
    // [5000, 1000, 10]: 5 M parameters, above JSON_MAX_PARAMS (and quicker to build than 25 M).
    const r = await nabla(["train", ...WIDE(), "--hidden", "1000", "--save", tmp.path("blocked.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--save .*blocked\.nabla: that is a directory/);
    expect(r.out).not.toMatch(/Epoch/);
  }, 60_000);

  it("a [5000, 5000, 10] network (25 M parameters) trains, saves as .nabla and loads in eval", async () => {
    const asked = tmp.path("big.json"), path = tmp.path("big.nabla");
    const t = await nabla(["train", ...WIDE(), "--hidden", "5000", "--save", asked]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toContain(`it will be saved in nabla's binary form as ${path}`);
    expect(t.out).toContain(`saved ${path}`);
    expect(existsSync(asked)).toBe(false);
    const bytes = readFileSync(path);
    const params = 5000 * 5000 + 5000 + 5000 * 10 + 10;
    expect(bytes.length).toBeGreaterThan(4 * params);
    expect(bytes.length).toBeLessThan(4 * params + 2 ** 20); // plain SGD: no optimizer state; a small header
    const header = binaryHeader("test", bytes); // (eval below loads the whole model: Network.fromBinary)
    expect(header.sizes).toEqual([5000, 5000, 10]);
    expect((header.dataset as { classes: number }).classes).toBe(10);
    const e = await nabla(["eval", path, "--data", `csv:${wide}`, "--test-fraction", "0.2", "--json"]);
    expect(e.code, e.err).toBe(0);
    expect(JSON.parse(e.out).total).toBe(4);
  }, 120_000);
});

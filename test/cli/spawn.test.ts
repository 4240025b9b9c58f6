// The built command as a user runs it: a separate process, real signals. Needs the build
// (npm test runs it first; alone: npx tsc -p tsconfig.build.json).
import { describe, it, expect, afterAll } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tempDir } from "./helpers.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function built(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build, or npx tsc -p tsconfig.build.json)`);
}

describe("the nabla command", () => {
  it("is an executable script with exit codes 0, 2 and 1", () => {
    built();
    expect(readFileSync(CLI, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.bin.nabla).toBe("dist/cli/main.js");
    const help = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("nabla train");
    const bad = spawnSync(process.execPath, [CLI, "train", "--epochs", "-1"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--epochs/);
    const missing = spawnSync(process.execPath, [CLI, "eval", tmp.path("none.json")], { encoding: "utf8" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/none\.json.*no such file/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it("predict reads standard input", () => {
    built();
    const csv = tmp.path("xor.csv"), model = tmp.path("xor.json");
    writeFileSync(csv, "a,b,y\n" + Array.from({ length: 40 }, (_, i) => `${i % 2},${(i >> 1) % 2},${(i % 2) ^ ((i >> 1) % 2)}`).join("\n") + "\n");
    const t = spawnSync(process.execPath, [CLI, "train", "--data", csv, "--hidden", "4", "--epochs", "1", "--test-fraction", "0", "--quiet", "--save", model], { encoding: "utf8" });
    expect(t.status).toBe(0);
    const p = spawnSync(process.execPath, [CLI, "predict", model, "-", "--json"], { input: "a,b\n0,1\n1,1\n", encoding: "utf8" });
    expect(p.status).toBe(0);
    const lines = p.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.input)).toEqual(["stdin line 2", "stdin line 3"]);
    for (const l of lines) expect(l.outputs).toHaveLength(2);
  });

  it("Ctrl-C stops after the current epoch, saves what was trained and exits with 130", async () => {
    built();
    const model = tmp.path("stopped.json");
    const child = spawn(process.execPath, [CLI, "train", "--train-size", "1000", "--test-size", "100", "--epochs", "100000", "--save", model]);
    let out = "", err = "", sent = false;
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      if (!sent && /Epoch 1:/.test(out)) { sent = true; child.kill("SIGINT"); }
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => { err += s; });
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(code).toBe(130);
    const epochs = out.split("\n").filter((l) => l.startsWith("Epoch")).length;
    // The signal is seen at the end of an epoch or at a progress event inside the next one (which is then undone).
    expect(err).toContain(`Ctrl-C: stopped after epoch ${epochs - 1}`);
    expect(err).toMatch(new RegExp(`stopped after epoch ${epochs - 1}( \\(epoch ${epochs} was cut short and undone\\))?; saving to `));
    expect(epochs).toBeGreaterThanOrEqual(2);
    expect(epochs).toBeLessThan(100000);
    expect(out).toMatch(new RegExp(`interrupted: trained ${epochs} epochs`));
    expect(out).toContain(`saved ${model}`);
    const saved = JSON.parse(readFileSync(model, "utf8"));
    expect(saved.training.epochs).toBe(epochs);
    expect(saved.sizes).toEqual([784, 30, 10]);
  });
});

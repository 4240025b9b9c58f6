// The package as users import it: `import { Network } from "nabla"` from the repo after
// `npm install` (dist/ is built by the prepare script), typed, with no run-time dependencies.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the nabla package", () => {
  it("imports by name as ESM and trains", () => {
    const script = `
      import { Network, availableBackends } from "nabla";
      const net = new Network([2, 3, 1], { seed: 1 });
      net.train([[[0, 1], [1]], [[1, 0], [0]]], { epochs: 2 });
      console.log(JSON.stringify({ out: net.feedforward([0, 1]).length, backends: availableBackends() }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    const r = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(r.out).toBe(1);
    expect(r.backends).toContain("js");
    expect(r.backends).toContain("wasm-scalar");
  });

  it("ships type declarations and has no run-time dependency the library imports", () => {
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, "utf8"));
    expect(existsSync(`${root}/${pkg.types}`)).toBe(true);
    // The library's compiled files import only each other (relative paths), never a package.
    const seen = new Set<string>(), stack = ["dist/index.js"];
    while (stack.length) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const src = readFileSync(`${root}/${f}`, "utf8");
      for (const [, spec] of src.matchAll(/(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g)) {
        expect(spec.startsWith("."), `${f} imports ${spec}`).toBe(true);
        stack.push(new URL(spec, `file:///${f}`).pathname.slice(1));
      }
    }
    expect(seen.size).toBeGreaterThan(5);
  });
});

// nabla/interop as users import it: by name through package.json "exports", typed, with no
// run-time dependency, and not part of what a page loads for `import "nabla"`.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Files reachable from a dist entry by static relative imports (and the bare specifiers seen). */
function graph(entry: string): { files: Set<string>; bare: string[] } {
  const files = new Set<string>(), bare: string[] = [], stack = [entry];
  while (stack.length) {
    const f = stack.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    const src = readFileSync(`${root}/${f}`, "utf8");
    for (const [, spec] of src.matchAll(/(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g)) {
      if (spec.startsWith(".")) stack.push(new URL(spec, `file:///${f}`).pathname.slice(1));
      else bare.push(spec);
    }
  }
  return { files, bare };
}

describe("nabla/interop", () => {
  it("is a sub-export with types; the main entry does not reach it; it imports no package", () => {
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, "utf8"));
    const sub = pkg.exports["./interop"];
    expect(existsSync(`${root}/${sub.default}`)).toBe(true);
    expect(existsSync(`${root}/${sub.types}`)).toBe(true);
    const main = graph("dist/index.js");
    expect([...main.files].filter((f) => f.includes("/interop/"))).toEqual([]);
    const interop = graph("dist/interop/index.js");
    expect(interop.bare).toEqual([]);
    expect(interop.files.has("dist/network.js")).toBe(true); // the same Network class as "nabla"
  });

  it("imports by name next to nabla and round-trips a network through ONNX and TF.js", () => {
    const script = `
      import { Network } from "nabla";
      import { toONNX, fromONNX, toTfjs, fromTfjs } from "nabla/interop";
      const net = new Network([3, 4, 2], { seed: 1 });
      const a = fromONNX(toONNX(net)), b = fromTfjs(toTfjs(net));
      const same = (n) => JSON.stringify([n.weights, n.biases]) === JSON.stringify([net.weights, net.biases]);
      console.log(JSON.stringify({ onnx: same(a), tfjs: same(b), cls: a instanceof Network }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual({ onnx: true, tfjs: true, cls: true });
  });
});

// The package as users get it. First from this repository (`import { Network } from "nabla"`,
// a self-reference), then as npm installs it: the tarball `npm pack` makes, installed offline
// into a fresh project — no install script, its size, `import` and `require`, the CLI, the
// types under --module node16 (.mts and .cts), and every relative link in the shipped README.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { assertDistFresh } from "./browser/dist.js";

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

/** Bytes in a directory tree. */
function du(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? du(p) : statSync(p).size;
  }
  return n;
}

describe("the packed tarball, installed into a fresh project", () => {
  let tmp: string, app: string, tarball: string, installLog: string;
  const pkgDir = () => join(app, "node_modules", "nabla");
  const npm = (args: string[], cwd: string) => {
    const r = spawnSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
    if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return `${r.stdout}\n${r.stderr}`;
  };
  const run = (file: string, args: string[] = []) => execFileSync(process.execPath, [file, ...args], { cwd: app, encoding: "utf8" });

  beforeAll(() => {
    assertDistFresh(); // npm test builds first; `npm pack` alone would build again (prepack)
    tmp = mkdtempSync(join(tmpdir(), "nabla-pack-"));
    // --ignore-scripts: the prepack build already ran (npm test builds); what is packed is dist/ as built.
    const packed = JSON.parse(npm(["pack", root, "--ignore-scripts", "--json", "--pack-destination", tmp], tmp).replace(/^[^[]*/, "").replace(/\][^\]]*$/, "]"));
    tarball = join(tmp, packed[0].filename);
    app = join(tmp, "app");
    execFileSync("mkdir", [app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }));
    installLog = npm(["install", tarball, "--offline", "--no-audit", "--no-fund", "--loglevel", "warn"], app);
  }, 60_000);

  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it("installs with no install script, no dependency and no warning, in under 2 MB", () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir(), "package.json"), "utf8"));
    for (const s of ["preinstall", "install", "postinstall", "prepare"]) expect(pkg.scripts?.[s], `scripts.${s}`).toBeUndefined();
    expect(pkg.dependencies ?? {}).toEqual({});
    // npm 11 warns about a package's install scripts (prepare included) not covered by allowScripts.
    expect(installLog.split("\n").filter((l) => /script|warn.*nabla/i.test(l))).toEqual([]);
    expect(readdirSync(join(app, "node_modules")).filter((d) => !d.startsWith("."))).toEqual(["nabla"]);
    const size = du(pkgDir()), tgz = statSync(tarball).size;
    console.log(`installed package: ${(size / 1024).toFixed(0)} KB on disk (tarball ${(tgz / 1024).toFixed(0)} KB)`);
    expect(size).toBeLessThan(2 * 1024 * 1024);
    expect(size).toBeGreaterThan(200 * 1024); // dist/ is really in it
    expect(readFileSync(join(pkgDir(), "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the nabla authors/);
  });

  it("import and require both work (the same network, the same numbers)", () => {
    writeFileSync(join(app, "esm.mjs"), `
      import { Network, ShapeError, availableBackends } from "nabla";
      import { NetworkWorker } from "nabla/worker";
      const net = new Network([2, 3, 1], { seed: 7 });
      net.train([[[0, 1], [1]], [[1, 0], [0]]], { epochs: 3 });
      let shape = false;
      try { net.feedforward([1]); } catch (e) { shape = e instanceof ShapeError && e.name === "ShapeError"; }
      console.log(JSON.stringify({ y: [...net.feedforward([0, 1])], shape, worker: typeof NetworkWorker.create, backends: availableBackends() }));`);
    writeFileSync(join(app, "cjs.cjs"), `
      const { Network, ShapeError, availableBackends } = require("nabla");
      const net = new Network([2, 3, 1], { seed: 7 });
      net.train([[[0, 1], [1]], [[1, 0], [0]]], { epochs: 3 });
      let shape = false;
      try { net.feedforward([1]); } catch (e) { shape = e instanceof ShapeError && e.name === "ShapeError"; }
      console.log(JSON.stringify({ y: [...net.feedforward([0, 1])], shape, worker: "function", backends: availableBackends() }));`);
    const esm = JSON.parse(run("esm.mjs")), cjs = JSON.parse(run("cjs.cjs"));
    expect(esm.y).toHaveLength(1);
    expect(esm.shape).toBe(true);
    expect(esm.worker).toBe("function");
    expect(esm.backends).toContain("wasm-scalar");
    expect(cjs).toEqual(esm);
  });

  it("nabla/min (the prebuilt file for pages) loads its build with init() and computes what nabla computes", () => {
    writeFileSync(join(app, "min.mjs"), `
      import * as min from "nabla/min";
      import { Network } from "nabla";
      await min.init(["wasm-scalar"]);
      const a = new min.Network([2, 3, 1], { seed: 7, backend: "wasm-scalar" });
      const b = new Network([2, 3, 1], { seed: 7, backend: "wasm-scalar" });
      console.log(JSON.stringify({ same: a.feedforward([0.3, 0.6])[0] === b.feedforward([0.3, 0.6])[0], name: new min.ShapeError("f", "x", "y", "z").name }));`);
    expect(JSON.parse(run("min.mjs"))).toEqual({ same: true, name: "ShapeError" });
  });

  it("the CLI runs (npx nabla --help)", () => {
    const out = run(join(app, "node_modules", ".bin", "nabla"), ["--help"]);
    expect(out).toMatch(/Usage/);
  });

  it("the types resolve under --module node16, for .mts (import) and .cts (require) files", () => {
    writeFileSync(join(app, "a.mts"), `
      import { Network, ShapeError, type EpochStats } from "nabla";
      import { NetworkWorker } from "nabla/worker";
      import * as min from "nabla/min";
      const net: Network = new Network([2, 3, 1]);
      const y: Float32Array = net.feedforward([0, 1]);
      const s: EpochStats[] = net.train([[[0, 1], [1]]]);
      void [y, s, ShapeError, NetworkWorker.create, min.init];`);
    writeFileSync(join(app, "b.cts"), `
      import nabla = require("nabla");
      const net: nabla.Network = new nabla.Network([2, 3, 1]);
      const y: Float32Array = net.feedforward([0, 1]);
      const e: nabla.ShapeError | null = null;
      void [y, e];`);
    // A misuse in each kind of file must be an error: the types are real, not any.
    writeFileSync(join(app, "bad.mts"), `import { Network } from "nabla";\nconst n: string = new Network([2, 1]);\nvoid n;\n`);
    writeFileSync(join(app, "bad.cts"), `import nabla = require("nabla");\nconst n: string = new nabla.Network([2, 1]);\nvoid n;\n`);
    const tsc = (files: string[]) => {
      const options = { module: "node16", moduleResolution: "node16", target: "es2022", strict: true, noEmit: true, types: [], lib: ["es2023", "dom"] };
      writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files }));
      return spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: app, encoding: "utf8" });
    };
    // One compiler run (it takes seconds): the only errors are the two misuses.
    const r = tsc(["a.mts", "b.cts", "bad.mts", "bad.cts"]);
    const errors = r.stdout.split("\n").filter((l) => l.includes("error")).sort();
    expect(errors).toEqual([
      expect.stringMatching(/^bad\.cts\(2,7\): error TS2322: Type 'Network' is not assignable to type 'string'/),
      expect.stringMatching(/^bad\.mts\(2,7\): error TS2322: Type 'Network' is not assignable to type 'string'/),
    ]);
  });

  it("every relative link in the shipped README (and the docs it links) resolves inside the package", () => {
    const seen = new Set<string>(), todo = ["README.md"];
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const text = readFileSync(join(pkgDir(), f), "utf8");
      for (const [, href] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:|^#/i.test(href)) continue; // https:, mailto:, anchors
        const target = join(dirname(f), href.split("#")[0]);
        expect(existsSync(join(pkgDir(), target)), `${f} links ${href}, which the package does not ship`).toBe(true);
        if (target.endsWith(".md")) todo.push(target);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(["README.md", "docs/web.md", "docs/cli.md"]));
  });
});

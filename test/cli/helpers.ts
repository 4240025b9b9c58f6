// Helpers for the CLI tests: captured output and a temporary directory.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/run.js";
import type { Io } from "../../src/cli/progress.js";

export interface Captured { code: number; out: string; err: string }

/** Runs `nabla …args` in-process with captured stdout/stderr. */
export async function nabla(args: string[], opts: { isTTY?: boolean } = {}): Promise<Captured> {
  let out = "", err = "";
  const io: Io = { out: (s) => { out += s; }, err: (s) => { err += s; }, isTTY: opts.isTTY ?? false, columns: 100 };
  const code = await run(args, io);
  return { code, out, err };
}

export function tempDir(): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "nabla-cli-"));
  return { dir, path: (n) => join(dir, n), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The built command (dist/cli/main.js), as a user runs it: a separate process. Needs the build. */
export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** Runs `node dist/cli/main.js …args` in a child process; stdin text optional. */
export function spawnNabla(args: string[], input?: string): Captured {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build, or npx tsc -p tsconfig.build.json)`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", input, maxBuffer: 64 * 2 ** 20 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

// Helpers for the CLI tests: captured output and a temporary directory.
import { mkdtempSync, rmSync } from "node:fs";
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

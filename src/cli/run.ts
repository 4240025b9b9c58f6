// The CLI's dispatcher: `run(argv, io)` → exit code. Tests call it with captured output;
// src/cli/main.ts calls it for the real process.
import "../node.js"; // every wasm build, registered: networks are created synchronously
import { NablaError } from "../errors.js";
import { UsageError, closest } from "./args.js";
import { HELP, MAIN_HELP } from "./help.js";
import { processIo, printable, type Io } from "./progress.js";
import { trainCommand } from "./train.js";
import { evalCommand } from "./eval.js";
import { predictCommand } from "./predict.js";
import { exportCommand } from "./export.js";

const COMMANDS: Record<string, (args: readonly string[], io: Io) => Promise<number>> = {
  train: trainCommand,
  eval: evalCommand,
  predict: predictCommand,
  export: exportCommand,
};

/** Runs `nabla <argv…>` and returns the exit code: 0 done, 1 runtime error, 2 usage error, 130 interrupted. */
export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    io.out(MAIN_HELP);
    return 0;
  }
  if (command === "help") {
    const topic = rest[0];
    if (topic === undefined) { io.out(MAIN_HELP); return 0; }
    if (!HELP[topic]) return usage(io, new UsageError(`no command ${JSON.stringify(topic)}; the commands are train, eval, predict and export`));
    io.out(HELP[topic]);
    return 0;
  }
  if (command === "--version" || command === "-v") {
    io.out("nabla 0.1.0\n");
    return 0;
  }
  const cmd = COMMANDS[command];
  if (!cmd) {
    const near = closest(command.replace(/^-+/, ""), Object.keys(COMMANDS));
    return usage(io, new UsageError(`unknown command ${JSON.stringify(command)}${near ? ` (did you mean ${near}?)` : ""}; the commands are train, eval, predict and export`));
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(HELP[command]);
    return 0;
  }
  try {
    return await cmd(rest, io);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e, command);
    if (e instanceof NablaError) {
      io.err(`nabla ${command}: ${printable(e.message, true)}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    io.err(`nabla ${command}: ${printable(err?.message ?? String(e), true)}\n`);
    if (process.env.NABLA_DEBUG) io.err(String(err?.stack) + "\n");
    return 1;
  }
}

function usage(io: Io, e: UsageError, command = ""): number {
  const cmd = e.command || command;
  io.err(`nabla${cmd ? " " + cmd : ""}: ${printable(e.message, true)}\nRun 'nabla ${cmd ? cmd + " " : ""}--help' for ${cmd ? "its options" : "the commands"}.\n`);
  return 2;
}

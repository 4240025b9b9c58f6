// Command-line parsing on node:util parseArgs, with values checked here so that a bad
// flag gets a message naming the flag (exit code 2), not a library error.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake on the command line: unknown flag, bad value, missing argument. Exit code 2. */
export class UsageError extends Error {
  /** The command whose help to point at, e.g. "train". */
  readonly command: string;
  constructor(message: string, command = "") {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** parseArgs in strict mode; its errors become UsageErrors that name the flag. */
export function parse(command: string, args: readonly string[], options: OptionSpec): Parsed {
  // `--epochs -3`: parseArgs refuses a value starting with a dash as "ambiguous"; a negative
  // number after a flag that takes a value is its value, and our own checks judge it.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") { joined.push(...args.slice(i)); break; }
    const m = /^--([^=]+)$/.exec(a);
    if (m && options[m[1]]?.type === "string" && i + 1 < args.length && /^-(\d|\.\d|Infinity)/.test(args[i + 1])) {
      joined.push(`${a}=${args[++i]}`);
    } else joined.push(a);
  }
  let r;
  try {
    r = parseArgs({ args: joined, options, strict: true, allowPositionals: true, allowNegative: true, tokens: true } as ParseArgsConfig);
  } catch (e) {
    const err = e as Error & { code?: string };
    let msg = err.message;
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const m = /Unknown option '([^']+)'/.exec(msg);
      const flag = m ? m[1] : "?";
      const near = closest(flag.replace(/^-+/, ""), Object.keys(options));
      msg = /^-[\d.]/.test(flag)
        ? `unknown option ${flag} (to pass a value that starts with a minus sign, put -- before it: nabla ${command} … -- -1.5,2)`
        : `unknown option ${flag}${near ? ` (did you mean --${near}?)` : ""}`;
    } else if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      msg = msg.replace(/^Option /, "option ");
    } else if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      msg = msg.replace(/^Unexpected argument/, "unexpected argument");
    }
    throw new UsageError(msg, command);
  }
  // Each option at most once: a repeated --data would otherwise silently take the last, and
  // --header --no-header contradict each other.
  const seen = new Map<string, string>();
  for (const t of r.tokens ?? []) {
    if (t.kind !== "option") continue;
    const shown = t.value !== undefined ? `${t.rawName} ${t.value}` : t.rawName;
    const prev = seen.get(t.name);
    if (prev !== undefined) throw new UsageError(`--${t.name} is given twice (${prev}, then ${shown}): give it once`, command);
    seen.set(t.name, shown);
  }
  return { values: r.values as Parsed["values"], positionals: r.positionals };
}

/** The option name nearest to `name` by edit distance, if close enough to be a likely typo. */
export function closest(name: string, names: readonly string[]): string | null {
  let best: string | null = null, bestD = Infinity;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d < bestD) { bestD = d; best = n; }
  }
  return bestD <= Math.max(1, Math.min(2, Math.floor(name.length / 2))) ? best : null;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** Typed access to parsed values, each check failing with a UsageError naming the flag. */
export class Values {
  constructor(readonly command: string, readonly values: Parsed["values"]) {}

  #fail(flag: string, expected: string, got: string): never {
    throw new UsageError(`--${flag} must be ${expected}, got ${JSON.stringify(got)}`, this.command);
  }

  has(flag: string): boolean {
    return this.values[flag] !== undefined;
  }

  string(flag: string): string | undefined {
    const v = this.values[flag];
    return typeof v === "string" ? v : undefined;
  }

  bool(flag: string): boolean | undefined {
    const v = this.values[flag];
    return typeof v === "boolean" ? v : undefined;
  }

  /** A finite number, checked by `test`. */
  number(flag: string, test: (x: number) => boolean, expected: string): number | undefined {
    const s = this.string(flag);
    if (s === undefined) return undefined;
    // Decimal only, as in data files: "0x10", "Infinity" and "" are not numbers.
    const x = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(s) ? Number(s) : NaN;
    if (!Number.isFinite(x) || !test(x)) this.#fail(flag, expected, s);
    return x;
  }

  int(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return this.number(flag, (x) => Number.isInteger(x) && x >= min && x <= max,
      max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`);
  }

  choice<T extends string>(flag: string, allowed: readonly T[]): T | undefined {
    const s = this.string(flag);
    if (s === undefined) return undefined;
    if (!allowed.includes(s as T)) this.#fail(flag, `one of ${allowed.join(", ")}`, s);
    return s as T;
  }

  /** A comma-separated list of choices, e.g. `relu,tanh`. */
  choices<T extends string>(flag: string, allowed: readonly T[]): T[] | undefined {
    const s = this.string(flag);
    if (s === undefined) return undefined;
    const parts = s.split(",").map((p) => p.trim());
    for (const p of parts) if (!allowed.includes(p as T)) this.#fail(flag, `one of ${allowed.join(", ")} (or a comma-separated list of them)`, s);
    return parts as T[];
  }

  /** A comma-separated list of positive integers, e.g. `784,30,10`. */
  ints(flag: string, minLength: number): number[] | undefined {
    const s = this.string(flag);
    if (s === undefined) return undefined;
    const parts = s.split(/[,x×]/).map((p) => p.trim());
    const ns = parts.map(Number);
    if (parts.length < minLength || ns.some((n, i) => parts[i] === "" || !Number.isInteger(n) || n < 1)) {
      this.#fail(flag, `a comma-separated list of at least ${minLength} positive integers, e.g. ${minLength > 1 ? "784,30,10" : "30 or 256,128"}`, s);
    }
    return ns;
  }
}

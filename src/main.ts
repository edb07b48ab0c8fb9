import { readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CommanderError } from "commander";
import { buildProgram } from "./cli.js";
import { ExitCode, isLambdaDestError } from "./errors.js";
import type { Io } from "./io.js";
import { printableLines } from "./printable.js";
import { createStdoutWriter, isTerminal } from "./stdout-writer.js";

export function processIo(): Io {
  // The AWS SDK prints a multi-line notice through process.emitWarning on Node 20 (its future releases will
  // need Node 22). It says nothing about the user's command, so it is off unless the user set the variable.
  // Set here, where the process is ours, rather than in library code.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // A reader that goes away (`lambda-dest tail x | head -1`) is not an error: stop writing, and stop
  // long-running commands as if interrupted, so that tail cleans up and never consumes unseen messages.
  const stdout = createStdoutWriter(() => interrupts().abort("EPIPE"));
  return {
    stdout,
    stderr: {
      write: (text) => {
        process.stderr.write(text);
      },
      get isTTY() {
        return isTerminal(2);
      },
    },
    // Created on first use: making the stdin stream costs start-up time that most commands don't need.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    columns: () => (isTerminal(1) ? process.stdout.columns : undefined),
    watchInterrupts: () => {
      // Long-running commands also stop when the reader of their output goes away while they are idle.
      stdout.watchReader();
      return watchProcessInterrupts();
    },
    atForcedExit,
  };
}

/** What commands still have to remove, printed if the process is made to stop at once or exits with it. */
const lastWords = new Set<() => string[]>();
let sayingLastWordsAtExit = false;

function atForcedExit(report: () => string[]): () => void {
  lastWords.add(report);
  if (!sayingLastWordsAtExit) {
    sayingLastWordsAtExit = true;
    process.once("exit", sayLastWords);
  }
  return () => lastWords.delete(report);
}

/** Written with a blocking write: the process is about to end, and an asynchronous one would be lost. */
function sayLastWords(): void {
  const lines: string[] = [];
  for (const report of lastWords) {
    try {
      lines.push(...report());
    } catch {
      // A report that fails must not keep the others from being said.
    }
  }
  lastWords.clear();
  if (lines.length === 0) return;
  try {
    writeSync(2, lines.map((line) => `${line.startsWith(" ") ? "" : "lambda-dest: "}${line}\n`).join(""));
  } catch {
    // stderr is gone too: nothing more can be said.
  }
}

let interruptController: AbortController | undefined;
let watchingSignals = false;
let signalsReceived = 0;

function interrupts(): AbortController {
  interruptController ??= new AbortController();
  return interruptController;
}

function watchProcessInterrupts(): AbortSignal {
  const controller = interrupts();
  if (watchingSignals) return controller.signal;
  watchingSignals = true;
  for (const name of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(name, () => {
      signalsReceived += 1;
      if (signalsReceived > 1) {
        // Second signal: the user insists. Say what is left behind, restore the default and re-raise it.
        sayLastWords();
        process.removeAllListeners(name);
        process.kill(process.pid, name);
        return;
      }
      controller.abort(name);
    });
  }
  return controller.signal;
}

/**
 * Runs the program and returns the exit code. The only place that catches: a known error becomes one
 * line on stderr (the stack only with --verbose), anything else is reported as an internal error.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  const state = { exitCode: ExitCode.ok as number };
  const program = buildProgram(io, state, argv);
  try {
    await program.parseAsync(argv, { from: "user" });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.ok;
      // `help` asked for is a success; help shown because no command was given is a usage error.
      if (error.code === "commander.help") return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      // Commander has already printed its message through our io.
      return ExitCode.usage;
    }
    if (isLambdaDestError(error)) {
      // Messages quote file names, queue and topic names and AWS's own words: escaped, like all outside text.
      io.stderr.write(`lambda-dest: ${printableLines(error.message)}\n`);
      if (verbose) io.stderr.write(`${printableLines(describeStack(error))}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`lambda-dest: unexpected error: ${printableLines(message)}\n`);
    if (verbose) io.stderr.write(`${printableLines(describeStack(error))}\n`);
    else io.stderr.write("Run again with --verbose for the stack trace, and report it if it persists.\n");
    return ExitCode.failure;
  }
}

function describeStack(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    parts.push(current.stack ?? `${current.name}: ${current.message}`);
    current = current.cause;
    if (current) parts.push("caused by:");
  }
  if (current !== undefined && !(current instanceof Error)) parts.push(String(current));
  return withSourcePositions(parts.join("\n"));
}

/** A stack frame's place in a file: path (or file URL), line, column. */
const FRAME_PLACE = /((?:file:\/\/)?\/[^\s()]+\.c?js):(\d+):(\d+)/g;

/**
 * The stack with each frame in the package's built files (the minified start-up bundle, the compiled
 * modules) pointed back at its TypeScript source through that file's source map: "dist/main.cjs:55:9404"
 * says little in a bug report, "src/commands/validate.ts:71:18" says where. Frames elsewhere or without a
 * map stay as they are, and so does the whole stack if reading a map fails.
 */
function withSourcePositions(stack: string): string {
  try {
    // Loaded only for --verbose's stack trace.
    const { SourceMap } = createRequire(import.meta.url)("node:module") as typeof import("node:module");
    const built = dirname(fileURLToPath(import.meta.url));
    const maps = new Map<string, InstanceType<typeof SourceMap> | null>();
    return stack.replace(FRAME_PLACE, (place: string, file: string, line: string, column: string) => {
      const path = file.startsWith("file://") ? fileURLToPath(file) : file;
      if (!path.startsWith(built + sep)) return place;
      let map = maps.get(path);
      if (map === undefined) {
        try {
          map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, "utf8")));
        } catch {
          map = null;
        }
        maps.set(path, map);
      }
      const entry = map?.findEntry(Number(line) - 1, Number(column) - 1);
      if (!entry || !("originalSource" in entry)) return place;
      const source = relative(dirname(built), resolve(dirname(path), entry.originalSource));
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    });
  } catch {
    return stack;
  }
}

import { isatty } from "node:tty";
import { CommanderError } from "commander";
import { buildProgram } from "./cli.js";
import { ExitCode, LambdaDestError } from "./errors.js";
import type { Io } from "./io.js";
import { printableLines } from "./printable.js";
import { createStdoutWriter } from "./stdout-writer.js";

export function processIo(): Io {
  return {
    // A reader that goes away (`lambda-dest tail x | head -1`) is not an error: stop writing, and stop
    // long-running commands as if interrupted, so that tail cleans up and never consumes unseen messages.
    stdout: createStdoutWriter(() => interrupts().abort("EPIPE")),
    stderr: {
      write: (text) => {
        process.stderr.write(text);
      },
      get isTTY() {
        return isatty(2);
      },
    },
    // Created on first use: making the stdin stream costs start-up time that most commands don't need.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    watchInterrupts: watchProcessInterrupts,
  };
}

let interruptController: AbortController | undefined;
let watchingSignals = false;

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
      if (controller.signal.aborted) {
        // Second signal: the user insists. Restore the default and re-raise it.
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
    if (error instanceof LambdaDestError) {
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
  return parts.join("\n");
}

import type { ChalkInstance } from "chalk";
import { printableLines } from "./printable.js";

/** Where a command writes. Injected so that tests can call commands directly and read what they wrote. */
export interface Writer {
  write(text: string): void;
  /** UTF-8 text already encoded (a worker thread's results, sent as bytes): written as it is. */
  writeBytes?(bytes: Uint8Array): void;
  readonly isTTY: boolean;
  /**
   * Resolves to true once everything written so far was accepted by the stream, false when it could not
   * be (the reader went away). Commands that must not lose data, such as `tail --consume`, wait for it
   * before they act on what they wrote. Writers that cannot fail may leave it out.
   */
  flushed?(): Promise<boolean>;
  /** True once the reader went away (EPIPE, or noticed while idle): later writes are dropped. */
  readonly closed?: boolean;
  /** True when the output is a pipe or socket: written bytes are only buffered until the reader takes them. */
  readonly isPipe?: boolean;
  /** Starts noticing a reader that goes away while nothing is written (a pipe's reader exiting). */
  watchReader?(): void;
}

export interface Io {
  stdout: Writer;
  stderr: Writer;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  now(): Date;
  /** stdout's width in columns while it is a terminal (undefined otherwise, or when unknown). */
  columns?(): number | undefined;
  /** Waits (a retry's back-off); a test puts in one that records the waits instead. Default: a real timer. */
  sleep?(milliseconds: number): Promise<void>;
  /**
   * Starts listening for Ctrl-C, SIGTERM and SIGHUP and returns a signal that aborts on the first of them
   * (its reason names the signal). Only long-running commands call it, so that others keep the default
   * behaviour. A second signal ends the process at once.
   */
  watchInterrupts(): AbortSignal;
  /**
   * Registers lines to print if the process is made to stop at once (a second Ctrl-C) or exits with the
   * report still registered: what a command leaves behind, and how to remove it. Returns the unregistration.
   */
  atForcedExit?(report: () => string[]): () => void;
}

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

export interface AwsOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  local?: boolean;
  /** --request-timeout: how long one AWS request may go unanswered (the clients' default when unset). */
  requestTimeoutMs?: number;
}

/** Everything a command needs from the outside world. */
export interface CommandContext {
  io: Io;
  /** Colors for stdout; a no-color instance when stdout is not a terminal or colors are off. */
  colors: ChalkInstance;
  /** Colors for stderr (progress, warnings). */
  errorColors: ChalkInstance;
  output: OutputOptions;
  aws: AwsOptions;
  /** Columns that text output is laid out in: the terminal's, or 100 when stdout is not one. */
  width?: number;
}

/** Writes one line to stderr unless --quiet. */
/** Writes one line to stderr unless --quiet. Names and messages in it are escaped: pass no colors here. */
export function note(context: CommandContext, line: string): void {
  if (!context.output.quiet) context.io.stderr.write(`${printableLines(line)}\n`);
}

/** Writes a warning line to stderr (shown even with --quiet: warnings matter). */
export function warn(context: CommandContext, line: string): void {
  context.io.stderr.write(`${context.errorColors.yellow("warning:")} ${printableLines(line)}\n`);
}

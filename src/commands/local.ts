import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { UsageError } from "../errors.js";
import { type CommandContext, note, warn } from "../io.js";
import { initDocumentProblem } from "../local/init-validation.js";
import type { LocalLogger } from "../local/local-logger.js";
import type { LocalStackInit } from "../local/local-stack-init.js";
import { printableLines } from "../printable.js";

export interface LocalOptions {
  port: number;
  init?: string;
  functions: string[];
  realTiming: boolean;
  /** Web origins admitted to call the stack (`--allow-origin`), already checked to be origins. */
  allowOrigins?: string[];
}

/**
 * Runs the embedded local stack in the foreground until Ctrl-C, SIGTERM or SIGHUP. stdout gets only what a
 * shell can evaluate (the endpoint as a comment and the variables to export) or, with --json, one document;
 * function logs, deliveries and warnings go to stderr.
 */
export async function runLocal(options: LocalOptions, context: CommandContext): Promise<number> {
  const functions = options.functions.map(parseFunctionFlag);
  const init = options.init === undefined ? undefined : await readInitFile(options.init, context.io.cwd);
  const interrupted = context.io.watchInterrupts();
  const { startLocalStack, DEFAULT_RETRY_DELAY_SCALE } = await import("../local/stack.js");
  const logger = localStackLogger(context);
  const stack = await startLocalStack({
    port: options.port,
    retryDelayScale: options.realTiming ? 1 : DEFAULT_RETRY_DELAY_SCALE,
    allowOrigins: options.allowOrigins,
    logger,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") {
      throw new UsageError(
        `Port ${options.port} on 127.0.0.1 is already in use; choose another with --port.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  });
  try {
    if (init)
      await stack.applyInit(init.document, init.directory).catch(rethrowAsUsage(`--init ${options.init}`));
    for (const fn of functions) {
      await stack
        .registerFunction({ name: fn.name, path: path.resolve(context.io.cwd, fn.path), handler: fn.handler })
        .catch(rethrowAsUsage(`--function ${fn.name}`));
    }
    const environment = {
      AWS_ENDPOINT_URL: stack.endpoint,
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    };
    if (context.output.json) {
      context.io.stdout.write(
        `${JSON.stringify({ version: 1, endpoint: stack.endpoint, region: stack.region, environment })}\n`,
      );
    } else {
      const { stdout } = context.io;
      stdout.write(`# lambda-dest local stack (SQS, SNS, S3, Lambda) on ${stack.endpoint}\n`);
      for (const [name, value] of Object.entries(environment)) stdout.write(`export ${name}=${value}\n`);
    }
    note(
      context,
      options.realTiming
        ? "Async retries use AWS's timing (about 1 and 2 minutes). Ctrl-C stops the stack."
        : `Async retries are ${Math.round(1 / DEFAULT_RETRY_DELAY_SCALE)} times faster than on AWS (about 1 s and 2 s); --real-timing restores AWS's. Ctrl-C stops the stack.`,
    );
    await new Promise<void>((resolve) => {
      if (interrupted.aborted) resolve();
      else interrupted.addEventListener("abort", () => resolve(), { once: true });
    });
    note(context, "Stopping the local stack...");
  } finally {
    await stack.stop();
  }
  return 0;
}

interface FunctionFlag {
  name: string;
  path: string;
  handler?: string;
}

/** NAME=PATH, or NAME=PATH:HANDLER (e.g. orders=./src/app.py:app.handle). */
function parseFunctionFlag(value: string): FunctionFlag {
  const equals = value.indexOf("=");
  if (equals <= 0 || equals === value.length - 1) {
    throw new UsageError(`--function takes NAME=PATH (a handler file or a folder), got "${value}".`);
  }
  const name = value.slice(0, equals);
  let target = value.slice(equals + 1);
  let handler: string | undefined;
  const colon = target.lastIndexOf(":");
  if (
    colon > 0 &&
    /^[\w/.-]+\.[\w$]+$/.test(target.slice(colon + 1)) &&
    !target.slice(colon + 1).includes("/")
  ) {
    handler = target.slice(colon + 1);
    target = target.slice(0, colon);
  }
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    throw new UsageError(
      `--function: "${name}" is not a valid function name (letters, digits, - and _, up to 64).`,
    );
  }
  return { name, path: target, handler };
}

async function readInitFile(
  file: string,
  cwd: string,
): Promise<{ document: LocalStackInit; directory: string }> {
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read --init file ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const document = JSON.parse(text);
    if (document === null || typeof document !== "object" || Array.isArray(document))
      throw new Error("not an object");
    // Checked before the stack starts: a name AWS would refuse is the file's mistake, said in one line.
    const problem = initDocumentProblem(document);
    if (problem !== undefined) {
      throw new UsageError(`--init ${file}: ${problem}. Fix that entry in the file.`);
    }
    return { document, directory: path.dirname(absolute) };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--init file ${file} is not a JSON object: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function rethrowAsUsage(what: string) {
  return (error: unknown): never => {
    throw new UsageError(`${what}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  };
}

/**
 * The stack's log on stderr: function output, deliveries, refused requests. Every line can carry bytes a
 * function or an HTTP client chose (a log line, a Host header), so each is escaped for the terminal.
 */
export function localStackLogger(context: CommandContext): LocalLogger {
  return {
    info: (line) => note(context, line),
    warn: (line) => warn(context, line),
    error: (line) =>
      context.io.stderr.write(`${context.errorColors.red("error:")} ${printableLines(line)}\n`),
  };
}

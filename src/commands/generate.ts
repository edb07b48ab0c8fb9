import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { ExitCode, UsageError } from "../errors.js";
import {
  type GenerateOptions,
  generateTexts,
  MAX_REQUEST_BYTES,
  prettyText,
  withDefaultSeed,
} from "../generate/index.js";
import { compactJsonText, spansLines } from "../generate/json-text.js";
import type { Wrapper } from "../generate/options.js";
import { type CommandContext, note } from "../io.js";
import { quoted } from "../printable.js";

/** The command's options as commander hands them over: strings, checked here. */
export interface GenerateCommandOptions {
  kind: string;
  condition?: string;
  function?: string;
  qualifier?: string;
  runtime?: string;
  error?: string;
  attempts?: string;
  request?: string;
  response?: string;
  source?: string;
  status?: string;
  wrap: string[];
  count?: string;
  seed?: string;
  pretty: boolean;
}

/**
 * DEL, C1 controls and the bidirectional overrides that JSON.stringify leaves raw. In valid JSON they can only
 * stand inside strings, where a \u escape is the same character.
 */
const TERMINAL_CONTROLS = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const unicodeEscape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Output is written in chunks of about this size; between chunks the command checks that stdout is still read. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Prints generated envelopes: one as it is, several as NDJSON (one per line) or, with --pretty, as one
 * indented JSON array. A thin layer over the library's generator.
 */
export async function runGenerate(options: GenerateCommandOptions, context: CommandContext): Promise<number> {
  const { io, output } = context;
  if (options.pretty && output.json) {
    throw new UsageError("--pretty and --json cannot be combined: --json prints each item on one line");
  }
  const library: GenerateOptions = {
    condition: options.condition,
    function: options.function,
    qualifier: options.qualifier,
    runtime: options.runtime as GenerateOptions["runtime"],
    error: options.error,
    attempts: parseWhole("--attempts", options.attempts),
    requestJson: await payloadArgument("--request", options.request, context),
    responseJson: await payloadArgument("--response", options.response, context),
    source: options.source as GenerateOptions["source"],
    status: options.status as GenerateOptions["status"],
    wrap: options.wrap as Wrapper[],
    count: parseWhole("--count", options.count),
    seed: parseWhole("--seed", options.seed),
  };
  const generation = withDefaultSeed(library, io.now);
  const items = generateTexts(options.kind, generation);
  // The options are checked when the first item is asked for: nothing is printed before that.
  const first = items.next();
  const count = generation.count ?? 1;
  let buffer = "";
  let written = 0;
  // Piped output keeps every byte; on a terminal, characters it would act on are written as \u escapes.
  const toTerminal = io.stdout.isTTY;
  const flush = async (): Promise<boolean> => {
    if (buffer === "") return true;
    io.stdout.write(toTerminal ? buffer.replace(TERMINAL_CONTROLS, unicodeEscape) : buffer);
    buffer = "";
    return (await io.stdout.flushed?.()) !== false;
  };
  if (options.pretty && count > 1) buffer += "[\n";
  let next = first;
  while (!next.done) {
    const item = next.value;
    if (options.pretty) {
      const indented = prettyText(item.text);
      buffer += count > 1 ? `${written > 0 ? ",\n" : ""}${indented.replace(/^/gm, "  ")}` : `${indented}\n`;
    } else if (count > 1 || output.json) {
      // NDJSON: an item whose text spans lines (a request given on several lines) is put on one.
      buffer += `${spansLines(item.text) ? compactJsonText(item.text) : item.text}\n`;
    } else {
      buffer += `${item.text}\n`;
    }
    if (item.s3Key !== undefined)
      note(context, `S3 object key${count > 1 ? ` of item ${written + 1}` : ""}: ${item.s3Key}`);
    written++;
    if (buffer.length >= CHUNK_CHARS && !(await flush())) return ExitCode.ok;
    next = items.next();
  }
  if (options.pretty && count > 1) buffer += "\n]\n";
  await flush();
  return ExitCode.ok;
}

function parseWhole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) throw new UsageError(`${flag} takes a whole number, got ${quoted(value)}`);
  return Number(value);
}

/** `--request JSON` or `--request @file` (`@-` reads stdin): the JSON text, as given. */
async function payloadArgument(
  flag: string,
  value: string | undefined,
  context: CommandContext,
): Promise<string | undefined> {
  if (value === undefined || !value.startsWith("@")) return value;
  const name = value.slice(1);
  if (name === "-") {
    if (context.io.stdin.isTTY)
      throw new UsageError(`${flag} @- reads stdin, but stdin is a terminal: pipe the JSON in`);
    return readLimited(flag, "stdin", context.io.stdin);
  }
  const path = resolve(context.io.cwd, name);
  try {
    const facts = await stat(path);
    if (!facts.isFile()) throw new UsageError(`${flag}: ${quoted(name)} is not a file`);
    if (facts.size > MAX_REQUEST_BYTES + 4096) {
      throw new UsageError(
        `${flag}: ${quoted(name)} is ${facts.size} bytes; Lambda refuses payloads over 1 MB`,
      );
    }
    return await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new UsageError(`${flag}: cannot read ${quoted(name)}: ${reason}`);
  }
}

async function readLimited(flag: string, source: string, stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > MAX_REQUEST_BYTES + 4096)
      throw new UsageError(`${flag}: ${source} holds more than 1 MB; Lambda refuses payloads over 1 MB`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString("utf8");
}

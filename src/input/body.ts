/** Reading a message body (or many, one per line) from an argument, a file or stdin. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "../errors.js";

export interface BodySource {
  /** The body given as a command-line argument. */
  argument?: string;
  /** --file: a path, or "-" for stdin. */
  file?: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  cwd: string;
  /** How the command calls its body, for messages: "message body", "payload". */
  noun: string;
  /** When nothing is given and stdin is a terminal: this text, or a usage error when undefined. */
  fallback?: string;
}

export interface InputText {
  text: string;
  /** Where it came from: "argument", "-" or the file path. */
  origin: string;
}

export async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

export async function readInputText(source: BodySource): Promise<InputText> {
  if (source.argument !== undefined && source.file !== undefined) {
    throw new UsageError(`give the ${source.noun} either as an argument or with --file, not both`);
  }
  if (source.argument !== undefined) return { text: source.argument, origin: "argument" };
  if (source.file !== undefined && source.file !== "-") {
    const path = resolve(source.cwd, source.file);
    try {
      return { text: (await readFile(path)).toString("utf8"), origin: source.file };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code;
      throw new UsageError(`cannot read ${source.file}: ${reason ?? (error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (source.file === "-" || source.stdin.isTTY !== true) {
    return { text: (await readStream(source.stdin)).toString("utf8"), origin: "-" };
  }
  if (source.fallback !== undefined) return { text: source.fallback, origin: "default" };
  throw new UsageError(`no ${source.noun}: give it as an argument, with --file <path>, or on stdin`);
}

export interface InputLine {
  /** 1-based line number in the input. */
  line: number;
  text: string;
}

/** The non-blank lines of a text, each with its line number (a trailing \r is dropped). */
export function splitLines(text: string): InputLine[] {
  const lines: InputLine[] = [];
  let start = 0;
  let number = 1;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    let line = text.slice(start, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.trim() !== "") lines.push({ line: number, text: line });
    start = end + 1;
    number += 1;
  }
  return lines;
}

import { createReadStream, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { findSyntaxError, type SyntaxProblem } from "../envelopes/positions.js";
import { UsageError } from "../errors.js";
import { expandGlob, isGlob } from "./glob.js";

/** One JSON value found in an input, with what is needed to point back into the text it came from. */
export interface SourceItem {
  /** File name as the user gave it, or "-" for stdin. */
  source: string;
  /** Item number within the source, from 0. */
  index: number;
  /** The whole source, one element of a JSON array, or one line of NDJSON. */
  form: "document" | "element" | "line";
  /** The parsed value; absent when the text is not JSON (see `syntaxError`). */
  value?: unknown;
  syntaxError?: SyntaxProblem;
  /** The text to locate JSON pointers in; pointers into the item are prefixed with `pointerPrefix`. */
  text?: string;
  pointerPrefix: string;
  /** Lines before the text starts (NDJSON: the item's line number minus one). */
  lineOffset: number;
}

/** A source that could not be read at all: reported, and the exit code becomes 2. */
export interface UnreadableSource {
  source: string;
  message: string;
}

export type SourceEvent =
  | { type: "item"; item: SourceItem }
  | { type: "unreadable"; problem: UnreadableSource };

/** How far into a file we look to decide whether it is NDJSON. */
const SNIFF_BYTES = 64 * 1024;
/** Chunk size when streaming NDJSON. */
const STREAM_CHUNK_BYTES = 256 * 1024;
const TOO_LARGE =
  "too large to read as one JSON document (V8 strings stop at about 512 MB); split it, or write it as NDJSON (one value per line), which is streamed";

/**
 * Expands the user's file arguments: globs, literal paths, and "-" for stdin (also when there are none
 * and stdin is piped). Throws a UsageError when nothing can be read at all.
 */
export async function expandSources(
  files: string[],
  options: { cwd: string; stdinIsTTY: boolean },
): Promise<{ sources: string[]; unreadable: UnreadableSource[] }> {
  if (files.length === 0) {
    if (options.stdinIsTTY) {
      throw new UsageError("no input: give files (or globs), or pipe JSON into stdin");
    }
    return { sources: ["-"], unreadable: [] };
  }
  const sources: string[] = [];
  const unreadable: UnreadableSource[] = [];
  for (const file of files) {
    if (file !== "-" && isGlob(file)) {
      const matches = await expandGlob(file, options.cwd);
      if (matches.length === 0) unreadable.push({ source: file, message: "no files match this pattern" });
      sources.push(...matches);
    } else {
      sources.push(file);
    }
  }
  return { sources, unreadable };
}

/**
 * Reads the items of one source: a JSON value, a JSON array (each element an item), or NDJSON (each line
 * an item, streamed so that memory stays flat whatever the file's size). Items come in batches, one per
 * chunk read, so that a large file does not pay an await per line.
 */
export async function* readItems(
  source: string,
  options: { cwd: string; stdin: NodeJS.ReadableStream },
): AsyncGenerator<SourceEvent[]> {
  let stream: NodeJS.ReadableStream;
  if (source === "-") {
    stream = options.stdin;
  } else {
    const path = resolve(options.cwd, source);
    const checked = checkReadable(path);
    if (typeof checked === "string") {
      yield [{ type: "unreadable", problem: { source, message: checked } }];
      return;
    }
    // A small file is read at once (the common case, and start-up time counts); a large one is streamed.
    if (checked.size <= STREAM_CHUNK_BYTES) {
      yield [...documentItems(source, readFileSync(path, "utf8"))];
      return;
    }
    stream = createReadStream(path, { encoding: "utf8", highWaterMark: STREAM_CHUNK_BYTES });
  }
  yield* itemsFromStream(source, stream);
}

/**
 * Visits every item of every source in order; a source that cannot be read is passed to `onUnreadable`
 * and the rest go on.
 */
export async function forEachItem(
  sources: string[],
  options: { cwd: string; stdin: NodeJS.ReadableStream },
  onItem: (item: SourceItem) => void,
  onUnreadable: (problem: UnreadableSource) => void,
): Promise<void> {
  for (const source of sources) {
    for await (const batch of readItems(source, options)) {
      for (const event of batch) {
        if (event.type === "item") onItem(event.item);
        else onUnreadable(event.problem);
      }
    }
  }
}

/** The file's size, or why it cannot be read. */
function checkReadable(path: string): { size: number } | string {
  try {
    const info = statSync(path);
    if (info.isDirectory()) return "is a directory; give the files in it, or a glob such as dir/*.json";
    return { size: info.size };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EACCES") return "permission denied";
    return (error as Error).message;
  }
}

async function* itemsFromStream(
  source: string,
  stream: NodeJS.ReadableStream,
): AsyncGenerator<SourceEvent[]> {
  if ("setEncoding" in stream && typeof stream.setEncoding === "function") stream.setEncoding("utf8");
  const iterator = (stream as AsyncIterable<string>)[Symbol.asyncIterator]();
  let head = "";
  let ended = false;
  // Read enough to see the first complete line (or the end).
  while (!ended && head.indexOf("\n") === -1 && head.length < SNIFF_BYTES * 4) {
    const next = await iterator.next();
    if (next.done) ended = true;
    else head += next.value;
  }
  // A first line that is a whole JSON object means one value per line (one line is fine too); anything
  // else (pretty-printed JSON, an array) is one document.
  if (!head.trimStart().startsWith("[") && firstLineParses(head)) {
    yield* ndjsonItems(source, head, iterator, ended);
    return;
  }
  // One document (pretty-printed JSON, an array, receive-message output): read it whole.
  const parts = [head];
  while (!ended) {
    const next = await iterator.next();
    if (next.done) ended = true;
    else parts.push(next.value);
  }
  let text: string;
  try {
    text = parts.join("");
  } catch {
    yield [{ type: "unreadable", problem: { source, message: TOO_LARGE } }];
    return;
  }
  yield [...documentItems(source, text)];
}

function firstLineParses(head: string): boolean {
  const newline = head.indexOf("\n");
  const line = (newline === -1 ? head : head.slice(0, newline)).trim();
  if (line === "" || (line[0] !== "{" && line[0] !== "[")) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function* documentItems(source: string, text: string): Generator<SourceEvent> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") {
    yield {
      type: "item",
      item: {
        source,
        index: 0,
        form: "document",
        syntaxError: { line: 1, column: 1, message: "empty input: expected a JSON value" },
        pointerPrefix: "",
        lineOffset: 0,
      },
    };
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // Several JSON values on their own lines (NDJSON whose first line is broken) read line by line.
    if (firstLineParses(body) || looksLikeLines(body)) {
      yield* linesOf(source, body.split("\n"), 0);
      return;
    }
    yield {
      type: "item",
      item: {
        source,
        index: 0,
        form: "document",
        syntaxError: findSyntaxError(body),
        text: body,
        pointerPrefix: "",
        lineOffset: 0,
      },
    };
    return;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      yield {
        type: "item",
        item: {
          source,
          index,
          form: "element",
          value: value[index],
          text: body,
          pointerPrefix: `/${index}`,
          lineOffset: 0,
        },
      };
    }
    return;
  }
  yield {
    type: "item",
    item: { source, index: 0, form: "document", value, text: body, pointerPrefix: "", lineOffset: 0 },
  };
}

/** True when most non-empty lines parse as JSON on their own. */
function looksLikeLines(text: string): boolean {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length < 2) return false;
  let parsed = 0;
  for (const line of lines) {
    try {
      JSON.parse(line);
      parsed++;
    } catch {
      // counted below
    }
  }
  return parsed >= lines.length / 2;
}

function* linesOf(source: string, lines: string[], firstIndex: number): Generator<SourceEvent> {
  let index = firstIndex;
  for (let number = 0; number < lines.length; number++) {
    const event = lineItem(source, lines[number]!, number, index);
    if (event) {
      index++;
      yield event;
    }
  }
}

function lineItem(
  source: string,
  rawLine: string,
  lineNumber: number,
  index: number,
): SourceEvent | undefined {
  const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
  if (line.trim() === "") return undefined;
  try {
    const value = JSON.parse(line);
    return {
      type: "item",
      item: { source, index, form: "line", value, text: line, pointerPrefix: "", lineOffset: lineNumber },
    };
  } catch {
    const problem = findSyntaxError(line);
    return {
      type: "item",
      item: {
        source,
        index,
        form: "line",
        syntaxError: { ...problem, line: problem.line + lineNumber },
        text: line,
        pointerPrefix: "",
        lineOffset: lineNumber,
      },
    };
  }
}

async function* ndjsonItems(
  source: string,
  head: string,
  iterator: AsyncIterator<string>,
  alreadyEnded: boolean,
): AsyncGenerator<SourceEvent[]> {
  let buffer = head;
  let lineNumber = 0;
  let index = 0;
  let ended = alreadyEnded;
  // The first item waits for a second: a file holding one JSON line is a document, not NDJSON.
  let held: SourceEvent | undefined;
  let batch: SourceEvent[] = [];
  const emit = (event: SourceEvent | undefined) => {
    if (!event) return;
    index++;
    if (index === 1) {
      held = event;
      return;
    }
    if (held) {
      batch.push(held);
      held = undefined;
    }
    batch.push(event);
  };
  for (;;) {
    let newline = buffer.indexOf("\n");
    let start = 0;
    while (newline !== -1) {
      emit(lineItem(source, buffer.slice(start, newline), lineNumber, index));
      lineNumber++;
      start = newline + 1;
      newline = buffer.indexOf("\n", start);
    }
    buffer = buffer.slice(start);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
    if (ended) break;
    const next = await iterator.next();
    if (next.done) ended = true;
    else buffer += next.value;
  }
  emit(lineItem(source, buffer, lineNumber, index));
  if (held?.type === "item") batch.push({ type: "item", item: { ...held.item, form: "document" } });
  if (batch.length > 0) yield batch;
}

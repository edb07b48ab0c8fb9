import { isUtf8 } from "node:buffer";
import { closeSync, createReadStream, openSync, ReadStream, readFileSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import type { Finding } from "./finding.js";
import { expandGlob, isGlob } from "./glob.js";
import {
  depthExcessOffset,
  findDuplicateKeys,
  MAX_DEPTH,
  mayHaveDuplicateKeys,
  measureValue,
  tooDeepMessage,
} from "./json-checks.js";
import { elementSpans, findSyntaxError, positionAt, type SyntaxProblem } from "./positions.js";

/** One JSON value found in an input, with what is needed to point back into the text it came from. */
export interface SourceItem {
  /** File name as the user gave it, or "-" for stdin. */
  source: string;
  /** Item number within the source, from 0. */
  index: number;
  /** The whole source, one element of a JSON array, or one line of NDJSON. */
  form: "document" | "element" | "line";
  /** The parsed value; absent when the text is not JSON (see `syntaxError`) or cannot be processed. */
  value?: unknown;
  syntaxError?: SyntaxProblem;
  /** The text to locate JSON pointers in; pointers into the item are prefixed with `pointerPrefix`. */
  text?: string;
  pointerPrefix: string;
  /** Lines before the text starts (NDJSON: the item's line number minus one). */
  lineOffset: number;
  /** What reading found wrong with the bytes, reported with the item: invalid UTF-8, keys given twice. */
  warnings?: Finding[];
  /** Why the item cannot be processed at all (nested too deep): its only error. */
  unprocessable?: Finding;
  /** For an array element: the document it is part of, to print the element as written. */
  document?: ArrayDocument;
}

/** A JSON array document whose elements are items; where each element is written, found on demand. */
export interface ArrayDocument {
  text: string;
  spans?: Array<[number, number]>;
}

/** A source that could not be read at all: reported, and the exit code becomes 2. */
export interface UnreadableSource {
  source: string;
  message: string;
}

export type SourceEvent =
  | { type: "item"; item: SourceItem }
  | { type: "unreadable"; problem: UnreadableSource };

/** How far into a stream we look for the first line, to decide whether it is NDJSON. */
const SNIFF_BYTES = 256 * 1024;
/** Files up to this size are read at once: the common case, and start-up time counts. */
const SMALL_FILE_BYTES = 256 * 1024;
/**
 * Chunk size when streaming. Decoded chunks stay below V8's large-object threshold: strings of 256 KB
 * were each allocated as a large object, which made decoding the slowest step of a large validate.
 */
const STREAM_CHUNK_BYTES = 64 * 1024;
/**
 * A large regular file is read synchronously in chunks of this size: waiting on the thread pool for each
 * chunk left the main thread idle a tenth of the time. Lines are decoded one by one, so a chunk's size
 * makes no large strings.
 */
const FILE_CHUNK_BYTES = 256 * 1024;
/** Every so many chunks of a file, the event loop gets a turn (timers, a reader that went away). */
const CHUNKS_PER_TURN = 16;
/** V8 strings stop at about 2^29 characters: a larger document cannot be decoded or parsed at all. */
const MAX_DOCUMENT_BYTES = 2 ** 29 - 24;
const TOO_LARGE =
  "too large to read as one JSON document (V8 strings stop at about 512 MB); split it, or write it as NDJSON (one value per line), which is streamed";
const LINE_FEED = 0x0a;

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
 * chunk read, so that a large file does not pay an await per line. A source that cannot be read, from the
 * start or part-way, ends with an "unreadable" event after the items read so far.
 *
 * With `direct`, the items of NDJSON are given to it as each line is read instead of in the batches (see
 * forEachItem); what `direct` throws comes out of here as it was thrown, never reported as unreadable.
 */
export async function* readItems(
  source: string,
  options: { cwd: string; stdin: NodeJS.ReadableStream },
  direct?: (event: SourceEvent) => void,
): AsyncGenerator<SourceEvent[]> {
  const unreadable = (message: string): SourceEvent[] => [
    { type: "unreadable", problem: { source, message } },
  ];
  let stream: AsyncIterable<Buffer | string>;
  if (source === "-") {
    stream = options.stdin as AsyncIterable<Buffer | string>;
  } else {
    const path = resolve(options.cwd, source);
    const checked = checkReadable(path);
    if (typeof checked === "string") {
      yield unreadable(checked);
      return;
    }
    if (checked.regular && checked.size <= SMALL_FILE_BYTES) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (error) {
        yield unreadable(describeReadError(error));
        return;
      }
      yield [...documentItems(source, bytes)];
      return;
    }
    // A large file, read in chunks; a pipe or device (`validate <(aws sqs receive-message ...)`): streamed.
    stream = checked.regular
      ? fileChunks(path)
      : (createReadStream(path, { highWaterMark: STREAM_CHUNK_BYTES }) as AsyncIterable<Buffer>);
  }
  try {
    const passed =
      direct &&
      ((event: SourceEvent) => {
        try {
          direct(event);
        } catch (error) {
          throw new DirectFailure(error);
        }
      });
    yield* itemsFromStream(source, stream, passed);
  } catch (error) {
    if (error instanceof DirectFailure) throw error.error;
    yield unreadable(describeReadError(error));
  } finally {
    // A file opened here is closed however the reading ends: what `direct` throws (the reader of stdout went
    // away), or a caller that stops early, leaves it part read. Stdin is the caller's.
    if (source !== "-") await closeFile(stream);
  }
}

async function closeFile(stream: AsyncIterable<Buffer | string>): Promise<void> {
  // Not awaited: a pipe's read that waits for a writer cannot be called off, and the descriptor is closed
  // when it returns.
  if (stream instanceof ReadStream) stream.destroy();
  else await (stream as AsyncGenerator<Buffer>).return(undefined);
}

/**
 * Visits every item of every source in order; a source that cannot be read is passed to `onUnreadable`
 * and the rest go on. An NDJSON line's item is visited as soon as the line is read, before the next line
 * is parsed, while it is fresh in the cache: a batch holds a chunk's parsed lines (about 170 on the bench's
 * realistic mix), all alive at each young-generation collection. On a 20,000-line slice of that mix,
 * `validate --json` ran 1.5% fewer instructions (three callgrind runs each) and had a third fewer simulated
 * last-level cache write misses (981,296 against 632,833, one run each). What `onItem` throws (the reader
 * of stdout went away) comes out of here as it was thrown.
 */
export async function forEachItem(
  sources: string[],
  options: { cwd: string; stdin: NodeJS.ReadableStream },
  onItem: (item: SourceItem) => void,
  onUnreadable: (problem: UnreadableSource) => void,
): Promise<void> {
  for (const source of sources) {
    const deliver = (event: SourceEvent) => {
      if (event.type === "item") onItem(event.item);
      else onUnreadable(event.problem);
    };
    for await (const batch of readItems(source, options, deliver)) {
      for (const event of batch) deliver(event);
    }
  }
}

/** What readItems' `direct` threw, wrapped on its way out so that it is not taken for a read error. */
class DirectFailure {
  constructor(readonly error: unknown) {}
}

/** The item exactly as written in its source: the document, the NDJSON line, or the array element. */
export function rawItemText(item: SourceItem): string | undefined {
  const document = item.document;
  if (!document) return item.text;
  document.spans ??= elementSpans(document.text);
  const span = document.spans[item.index];
  return span ? document.text.slice(span[0], span[1]) : undefined;
}

/** One line for a file that cannot be read: what went wrong, in words, with the system's code. */
export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return `permission denied (${code})`;
    case "EISDIR":
      return "is a directory; give the files in it, or a glob such as dir/*.json";
    case "ENOTDIR":
      return "a part of the path is not a directory (ENOTDIR)";
    case "ELOOP":
      return "too many levels of symbolic links (ELOOP)";
    case "ENAMETOOLONG":
      return "the name is too long (ENAMETOOLONG)";
    case "EIO":
      return "input/output error while reading (EIO)";
    case "EINVAL":
      return "cannot be read as a file (EINVAL)";
    case "ENXIO":
    case "ENODEV":
      return `no such device (${code})`;
    case "EMFILE":
    case "ENFILE":
      return `too many open files (${code}); try fewer files at once`;
    case "ERR_STRING_TOO_LONG":
      return TOO_LARGE;
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return code ? `cannot be read (${code}): ${message}` : `cannot be read: ${message}`;
    }
  }
}

/** The file's kind and size, or why it cannot be read. */
function checkReadable(path: string): { size: number; regular: boolean } | string {
  try {
    const info = statSync(path);
    if (info.isDirectory()) return describeReadError({ code: "EISDIR" });
    return { size: info.size, regular: info.isFile() };
  } catch (error) {
    return describeReadError(error);
  }
}

/**
 * A regular file's bytes, chunk by chunk, read synchronously; the event loop turns now and then. A reader
 * done with the chunk it was given hands it back through `next(chunk)`, and the next bytes are read into
 * it: a fresh 256 KB buffer for every chunk was memory the kernel had to map and zero each time (`validate
 * -q` of the bench's realistic mix on one thread: 1.84-1.95 s of CPU with reuse against 2.03-2.19 without,
 * four interleaved rounds; peak RSS 68-76 MiB against 99-111).
 */
async function* fileChunks(path: string): AsyncGenerator<Buffer, void, Buffer | undefined> {
  const fd = openSync(path, "r");
  try {
    let spare: Buffer | undefined;
    for (let count = 1; ; count++) {
      const chunk = spare ?? Buffer.allocUnsafe(FILE_CHUNK_BYTES);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return;
      if (count % CHUNKS_PER_TURN === 0) await new Promise((resume) => setImmediate(resume));
      const given = read === chunk.length ? chunk : chunk.subarray(0, read);
      // Only the chunk just given is taken back, whole: never a buffer from elsewhere.
      const returned = yield given;
      spare = returned === given && given === chunk ? chunk : undefined;
    }
  } finally {
    closeSync(fd);
  }
}

function asBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
}

async function* itemsFromStream(
  source: string,
  stream: AsyncIterable<Buffer | string>,
  direct?: (event: SourceEvent) => void,
): AsyncGenerator<SourceEvent[]> {
  const iterator = stream[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let size = 0;
  let ended = false;
  let newline = -1;
  // Read enough to see the first complete line (or the end).
  while (!ended && newline === -1 && size < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) ended = true;
    else {
      const chunk = asBuffer(next.value);
      const at = chunk.indexOf(LINE_FEED);
      if (at !== -1) newline = size + at;
      parts.push(chunk);
      size += chunk.length;
    }
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const sniffed = sniffNdjson(head, newline);
  if (sniffed.ndjson) {
    yield* ndjsonItems(source, head.subarray(sniffed.start), iterator, ended, direct);
    return;
  }
  // One document (pretty-printed JSON, an array, receive-message output): read it whole.
  const chunks = [head];
  while (!ended) {
    const next = await iterator.next();
    if (next.done) ended = true;
    else {
      const chunk = asBuffer(next.value);
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_DOCUMENT_BYTES) {
        await iterator.return?.();
        yield [{ type: "unreadable", problem: { source, message: TOO_LARGE } }];
        return;
      }
    }
  }
  yield [...documentItems(source, Buffer.concat(chunks))];
}

/**
 * Whether an input is NDJSON, from its first bytes: a first line that is a whole JSON object means one value
 * per line (one line is fine too); anything else (pretty-printed JSON, an array) is one document. `start`
 * skips a byte order mark (as some Windows editors write), which is not part of the first line's JSON.
 */
export function sniffNdjson(
  head: Buffer,
  newline = head.indexOf(LINE_FEED),
): { ndjson: boolean; start: number } {
  const firstLine = head.toString("utf8", 0, newline === -1 ? head.length : newline);
  const ndjson = !firstLine.trimStart().startsWith("[") && firstLineParses(firstLine);
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  return { ndjson, start: ndjson && bom ? 3 : 0 };
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

/** Where bytes that are not UTF-8 are, per line: the first place in the line, and how many places. */
interface Utf8Problem {
  /** Byte offset in the line. */
  byteInLine: number;
  /** Byte offset in the input. */
  byteInInput: number;
  count: number;
  /** The line's bytes, to turn the byte offset into a column. */
  lineBytes: Buffer;
}

/**
 * The invalid UTF-8 in some bytes, by line index (from 0 at `bytes`' start). Called only when isUtf8 says
 * there is some, and then checks line by line so that only the bad lines are walked byte by byte.
 */
function utf8Problems(bytes: Buffer, inputOffset: number): Map<number, Utf8Problem> {
  const problems = new Map<number, Utf8Problem>();
  let start = 0;
  for (let line = 0; start <= bytes.length; line++) {
    let end = bytes.indexOf(LINE_FEED, start);
    if (end === -1) end = bytes.length;
    const lineBytes = bytes.subarray(start, end);
    if (!isUtf8(lineBytes)) {
      const { first, count } = invalidSequences(lineBytes);
      problems.set(line, { byteInLine: first, byteInInput: inputOffset + start + first, count, lineBytes });
    }
    start = end + 1;
  }
  return problems;
}

/** The first invalid sequence and the number of them (each is read as one U+FFFD). */
function invalidSequences(bytes: Buffer): { first: number; count: number } {
  let first = -1;
  let count = 0;
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    if (lead < 0x80) {
      index++;
      continue;
    }
    let needed = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) needed = 1;
    else if (lead === 0xe0) [needed, lower] = [2, 0xa0];
    else if (lead === 0xed) [needed, upper] = [2, 0x9f];
    else if (lead >= 0xe1 && lead <= 0xef) needed = 2;
    else if (lead === 0xf0) [needed, lower] = [3, 0x90];
    else if (lead === 0xf4) [needed, upper] = [3, 0x8f];
    else if (lead >= 0xf1 && lead <= 0xf3) needed = 3;
    let next = index + 1;
    let valid = needed > 0;
    for (let continuation = 0; valid && continuation < needed; continuation++) {
      const byte = bytes[next];
      const low = continuation === 0 ? lower : 0x80;
      const high = continuation === 0 ? upper : 0xbf;
      if (byte === undefined || byte < low || byte > high) valid = false;
      else next++;
    }
    if (!valid) {
      if (first === -1) first = index;
      count++;
    }
    index = next;
  }
  return { first, count };
}

function utf8Warning(problem: Utf8Problem, line: number, where: "line" | "input"): Finding {
  const column = problem.lineBytes.toString("utf8", 0, problem.byteInLine).length + 1;
  const place =
    where === "line"
      ? `byte ${problem.byteInLine} of line ${line} (byte ${problem.byteInInput} of the input)`
      : `byte ${problem.byteInInput} (line ${line})`;
  const more = problem.count > 1 ? `, and ${problem.count - 1} more in the line` : "";
  return {
    path: "",
    message: `not valid UTF-8 at ${place}${more}: read as U+FFFD, so the text is not what was written; check the encoding`,
    line,
    column,
  };
}

/**
 * Depth and duplicate keys of one parsed text: too deep makes the item unprocessable; keys given twice are
 * warnings at their pointer, with their line and column.
 */
function inspect(
  text: string,
  value: unknown,
  lineOffset: number,
): { members: number; unprocessable?: Finding; warnings?: Finding[] } {
  const { members, tooDeep } = measureValue(value, MAX_DEPTH);
  if (tooDeep) return { members, unprocessable: tooDeepFinding(text, 0, lineOffset) };
  if (!mayHaveDuplicateKeys(text, members)) return { members };
  const warnings = findDuplicateKeys(text).map((duplicate) =>
    duplicateWarning(text, duplicate.key, duplicate.pointer, duplicate.offset, lineOffset),
  );
  return warnings.length > 0 ? { members, warnings } : { members };
}

function tooDeepFinding(text: string, start: number, lineOffset: number): Finding {
  const offset = depthExcessOffset(text.slice(start), MAX_DEPTH);
  const position = positionAt(text, start + Math.max(0, offset));
  return { path: "", message: tooDeepMessage(), line: position.line + lineOffset, column: position.column };
}

function duplicateWarning(
  text: string,
  key: string,
  pointer: string,
  offset: number,
  lineOffset: number,
): Finding {
  const position = positionAt(text, offset);
  return {
    path: pointer,
    message: `key ${JSON.stringify(key)} is given twice in one object: lambda-dest (like JSON.parse) uses the last, other consumers may use the first or refuse it`,
    line: position.line + lineOffset,
    column: position.column,
  };
}

function* documentItems(source: string, bytes: Buffer): Generator<SourceEvent> {
  let text: string;
  try {
    text = bytes.toString("utf8");
  } catch (error) {
    yield { type: "unreadable", problem: { source, message: describeReadError(error) } };
    return;
  }
  const problems = isUtf8(bytes) ? undefined : utf8Problems(bytes, 0);
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  if (body.trim() === "") {
    const item: SourceItem = {
      source,
      index: 0,
      form: "document",
      syntaxError: { line: 1, column: 1, message: "empty input: expected a JSON value" },
      pointerPrefix: "",
      lineOffset: 0,
    };
    if (problems)
      item.warnings = [...problems].map(([line, problem]) => utf8Warning(problem, line + 1, "input"));
    yield { type: "item", item };
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // Several JSON values on their own lines (NDJSON whose first line is broken) read line by line.
    if (firstLineParses(body) || looksLikeLines(body)) {
      yield* linesOf(source, body.split("\n"), 0, problems);
      return;
    }
    const item: SourceItem = {
      source,
      index: 0,
      form: "document",
      syntaxError: findSyntaxError(body),
      text: body,
      pointerPrefix: "",
      lineOffset: 0,
    };
    addUtf8Warnings(item, problems, () => true);
    yield { type: "item", item };
    return;
  }
  if (Array.isArray(value)) {
    yield* elementItems(source, body, value, problems, bom);
    return;
  }
  const item: SourceItem = {
    source,
    index: 0,
    form: "document",
    value,
    text: body,
    pointerPrefix: "",
    lineOffset: 0,
  };
  const inspected = inspect(body, value, 0);
  if (inspected.unprocessable) {
    item.unprocessable = inspected.unprocessable;
    item.value = undefined;
  }
  if (inspected.warnings) item.warnings = inspected.warnings;
  addUtf8Warnings(item, problems, () => true);
  yield { type: "item", item };
}

/** Adds one warning for the first invalid UTF-8 (by line) that `belongs` to the item. */
function addUtf8Warnings(
  item: SourceItem,
  problems: Map<number, Utf8Problem> | undefined,
  belongs: (line: number, problem: Utf8Problem) => boolean,
): void {
  if (!problems) return;
  for (const [line, problem] of problems) {
    if (!belongs(line, problem)) continue;
    addWarning(item, utf8Warning(problem, line + 1, "input"), "first");
    return;
  }
}

/** The elements of a top-level array, each an item; depth and duplicates are checked per element. */
function* elementItems(
  source: string,
  body: string,
  elements: unknown[],
  problems: Map<number, Utf8Problem> | undefined,
  bom: boolean,
): Generator<SourceEvent> {
  const document: ArrayDocument = { text: body };
  let members = 0;
  const tooDeep = new Set<number>();
  for (let index = 0; index < elements.length; index++) {
    const measured = measureValue(elements[index], MAX_DEPTH);
    members += measured.members;
    if (measured.tooDeep) tooDeep.add(index);
  }
  // With an element too deep the member count is partial: scan (iteratively) rather than trust it.
  const duplicates = tooDeep.size > 0 || mayHaveDuplicateKeys(body, members) ? findDuplicateKeys(body) : [];
  // Which element holds a character of the body: only looked up when something needs attributing.
  const spans = () => (document.spans ??= elementSpans(body));
  const elementAt = (offset: number) => spans().findIndex(([start, end]) => offset >= start && offset < end);
  for (let index = 0; index < elements.length; index++) {
    const item: SourceItem = {
      source,
      index,
      form: "element",
      value: elements[index],
      text: body,
      pointerPrefix: `/${index}`,
      lineOffset: 0,
      document,
    };
    if (tooDeep.has(index)) {
      item.value = undefined;
      item.unprocessable = tooDeepFinding(body, spans()[index]?.[0] ?? 0, 0);
    }
    const prefix = `/${index}/`;
    for (const duplicate of duplicates) {
      if (!duplicate.pointer.startsWith(prefix)) continue;
      const warning = duplicateWarning(body, duplicate.key, duplicate.pointer, duplicate.offset, 0);
      warning.path = duplicate.pointer.slice(prefix.length - 1);
      addWarning(item, warning, "last");
    }
    addUtf8Warnings(item, problems, (line, problem) => {
      // The character offset in the body of the first bad byte of that line.
      const lineStart = lineStartOffset(body, line) + (bom && line === 0 ? -1 : 0);
      const offset = lineStart + problem.lineBytes.toString("utf8", 0, problem.byteInLine).length;
      return elementAt(offset) === index;
    });
    yield { type: "item", item };
  }
}

function addWarning(item: SourceItem, warning: Finding, where: "first" | "last"): void {
  if (!item.warnings) item.warnings = [];
  if (where === "first") item.warnings.unshift(warning);
  else item.warnings.push(warning);
}

function lineStartOffset(text: string, line: number): number {
  let offset = 0;
  for (let current = 0; current < line; current++) {
    const newline = text.indexOf("\n", offset);
    if (newline === -1) return text.length;
    offset = newline + 1;
  }
  return offset;
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

function* linesOf(
  source: string,
  lines: string[],
  firstIndex: number,
  problems: Map<number, Utf8Problem> | undefined,
): Generator<SourceEvent> {
  let index = firstIndex;
  for (let number = 0; number < lines.length; number++) {
    const event = lineItem(source, lines[number]!, number, index, problems?.get(number));
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
  utf8Problem: Utf8Problem | undefined,
): SourceEvent | undefined {
  const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
  if (line.trim() === "") return undefined;
  let item: SourceItem;
  try {
    const value = JSON.parse(line);
    item = { source, index, form: "line", value, text: line, pointerPrefix: "", lineOffset: lineNumber };
    // The hot path of a large NDJSON file: a walk of the value and two native scans of the line.
    const inspected = inspect(line, value, lineNumber);
    if (inspected.unprocessable) {
      item.unprocessable = inspected.unprocessable;
      item.value = undefined;
    }
    if (inspected.warnings) item.warnings = inspected.warnings;
  } catch {
    const problem = findSyntaxError(line);
    item = {
      source,
      index,
      form: "line",
      syntaxError: { ...problem, line: problem.line + lineNumber },
      text: line,
      pointerPrefix: "",
      lineOffset: lineNumber,
    };
  }
  if (utf8Problem) addWarning(item, utf8Warning(utf8Problem, lineNumber + 1, "line"), "first");
  return { type: "item", item };
}

/** Where the next line of an NDJSON input starts: its number (from 0), its item index and its byte. */
export interface LineCursor {
  lineNumber: number;
  index: number;
  /** Bytes of the input before the line (after a byte order mark). */
  consumed: number;
}

/**
 * The items of some whole lines of NDJSON: `bytes` ends with a line feed, or is the input's last line when
 * `last`. Bytes are checked for UTF-8 once, then each line is decoded once, straight from the bytes; the
 * cursor moves past them. Shared by the streamed reader and the worker threads of a large file.
 */
export function ndjsonLineItems(
  source: string,
  bytes: Buffer,
  cursor: LineCursor,
  last: boolean,
  emit: (event: SourceEvent) => void,
): void {
  const problems = isUtf8(bytes) ? undefined : utf8Problems(bytes, cursor.consumed);
  let start = 0;
  let line = 0;
  const take = (end: number) => {
    const event = lineItem(
      source,
      bytes.toString("utf8", start, end),
      cursor.lineNumber,
      cursor.index,
      problems?.get(line),
    );
    if (event) {
      cursor.index++;
      emit(event);
    }
  };
  for (let newline = bytes.indexOf(LINE_FEED); newline !== -1; newline = bytes.indexOf(LINE_FEED, start)) {
    take(newline);
    cursor.lineNumber++;
    line++;
    start = newline + 1;
  }
  if (last) take(bytes.length);
  cursor.consumed += bytes.length;
}

/** The whole lines of a chunk, read as they come; a line cut by the chunk's end is carried to the next. */
class LineCarry {
  private parts: Buffer[] = [];
  private size = 0;

  /** Calls `lines` with runs of whole lines (each run ends with a line feed). */
  push(chunk: Buffer, lines: (bytes: Buffer) => void): void {
    let start = 0;
    if (this.size > 0) {
      const first = chunk.indexOf(LINE_FEED);
      if (first === -1) {
        this.keep(chunk);
        return;
      }
      this.parts.push(chunk.subarray(0, first + 1));
      lines(Buffer.concat(this.parts));
      this.parts = [];
      this.size = 0;
      start = first + 1;
    }
    const cut = chunk.lastIndexOf(LINE_FEED);
    if (cut >= start) {
      lines(chunk.subarray(start, cut + 1));
      start = cut + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** Keeps the start of a line not yet ended: a copy, as the chunk is read into again (see fileChunks). */
  private keep(bytes: Buffer): void {
    this.parts.push(Buffer.from(bytes));
    this.size += bytes.length;
  }

  /** What is left: the last line, without a line feed (maybe empty). */
  rest(): Buffer {
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
  }
}

/**
 * NDJSON, streamed: lines are found on the bytes of each chunk (a line cut by a chunk's end is joined with
 * its rest, nothing else is copied), checked for UTF-8 a run at a time, and each decoded once.
 */
async function* ndjsonItems(
  source: string,
  head: Buffer,
  iterator: AsyncIterator<Buffer | string>,
  alreadyEnded: boolean,
  direct?: (event: SourceEvent) => void,
): AsyncGenerator<SourceEvent[]> {
  const cursor: LineCursor = { lineNumber: 0, index: 0, consumed: 0 };
  let ended = alreadyEnded;
  // The first item waits for a second: a file holding one JSON line is a document, not NDJSON.
  let held: SourceEvent | undefined;
  let batch: SourceEvent[] = [];
  const add = direct ?? ((event: SourceEvent) => batch.push(event));
  const emit = (event: SourceEvent) => {
    if (cursor.index === 1) {
      held = event;
      return;
    }
    if (held) {
      add(held);
      held = undefined;
    }
    add(event);
  };
  const readLines = (bytes: Buffer) => ndjsonLineItems(source, bytes, cursor, false, emit);
  // Every chunk after the head is handed back to the reader once its lines are read (see fileChunks).
  const carry = new LineCarry();
  let chunk: Buffer | undefined = head;
  let done: Buffer | undefined;
  for (;;) {
    if (chunk) carry.push(chunk, readLines);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
    if (ended) break;
    const next = await iterator.next(done);
    if (next.done) {
      ended = true;
      chunk = undefined;
    } else {
      chunk = asBuffer(next.value);
      done = chunk;
    }
  }
  ndjsonLineItems(source, carry.rest(), cursor, true, emit);
  if (held?.type === "item") add({ type: "item", item: { ...held.item, form: "document" } });
  if (batch.length > 0) yield batch;
}

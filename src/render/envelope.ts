import type { ChalkInstance } from "chalk";
import type { AnalyzedEnvelope, EnvelopeSummary, Finding } from "../envelopes/types.js";
import { printable } from "../printable.js";
import { lossyNumbers, mayHaveLossyNumbers } from "../sources/json-checks.js";
import { locateOffset } from "../sources/positions.js";
import { isObject } from "../values.js";
import {
  decodeJsonString,
  indentBlock,
  JSON_STRING_MARK,
  type NumberLiterals,
  prettyJson,
  stringifyWithNumbers,
} from "./json.js";
import { displayWidth, PIPED_WIDTH, wrap } from "./wrap.js";

export interface RenderEnvelopeOptions {
  colors: ChalkInstance;
  /** Where it came from, e.g. "failure.json" or "queue orders, message 1f2e...". */
  origin?: string;
  /** Show everything (payloads, layers); otherwise the summary line, errors and the key details. */
  detailed: boolean;
  /** Columns to lay out in (the terminal's width; 100 when piped). */
  width?: number;
  /** -v: the runtime's stack frames too, in their place, instead of one line counting them. */
  verbose?: boolean;
  /** Printed before the summary line, on the same line (tail's time and source). */
  lead?: string;
  /** When the record was shown live (tail): the summary line gives its age then, e.g. "12 s ago". */
  receivedAt?: Date;
}

const LAYER_SEPARATOR = " › ";
/** Labels take 9 columns after an indentation of 2: text and its continuation lines start at column 11. */
const LABEL_WIDTH = 9;
const TEXT_INDENT = " ".repeat(2 + LABEL_WIDTH);

/** The outcome badge: readable without colors too. */
export function badge(summary: EnvelopeSummary, colors: ChalkInstance): string {
  if (summary.outcome === "success") return colors.green.bold("✓ SUCCESS");
  if (summary.outcome === "failure") return colors.red.bold("✗ FAILURE");
  return colors.yellow.bold("• UNKNOWN");
}

export interface SummaryLineOptions {
  width?: number;
  lead?: string;
  receivedAt?: Date;
}

/**
 * One line: outcome, kind, function and qualifier, condition, attempts, request id, time (ISO, with its age
 * when shown live). Every string here and below comes from the envelope: each is passed through `printable`
 * before colors are added. Wider than the width, it goes on over more lines, indented, never splitting a part.
 */
export function summaryLine(
  envelope: AnalyzedEnvelope,
  colors: ChalkInstance,
  options: SummaryLineOptions = {},
): string {
  const { summary } = envelope;
  const parts = [badge(summary, colors), colors.bold(printable(envelope.kind ?? "unknown kind"))];
  if (summary.functionName) {
    const name = summary.qualifier ? `${summary.functionName}:${summary.qualifier}` : summary.functionName;
    parts.push(colors.cyan(printable(name)));
  }
  if (summary.condition) parts.push(printable(summary.condition));
  if (summary.attempts !== undefined) parts.push(`attempts ${summary.attempts}`);
  if (summary.requestId) parts.push(colors.dim(`request ${printable(summary.requestId)}`));
  if (summary.messageId) parts.push(colors.dim(`message ${printable(summary.messageId)}`));
  if (summary.time) parts.push(colors.dim(timeText(summary.time, options.receivedAt)));
  if (!envelope.valid) parts.push(colors.red("INVALID"));
  // Continuation lines start under the kind, where no label stands.
  const indent = " ".repeat(displayWidth(options.lead ?? "") + displayWidth(parts[0]!) + 2);
  return joinParts(options.lead ?? "", parts, options.width ?? PIPED_WIDTH, indent);
}

/** The record's time in ISO form (as written when it already is), and its age when it was shown live. */
export function timeText(time: string, receivedAt: Date | undefined): string {
  const parsed = Date.parse(time);
  const iso = ISO_TIME.test(time) || Number.isNaN(parsed) ? printable(time) : new Date(parsed).toISOString();
  if (!receivedAt || Number.isNaN(parsed)) return iso;
  return `${iso} (${age(receivedAt.getTime() - parsed)})`;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** "12 s ago", "3 min ago", "5 h ago", "2 days ago"; a record from the future says how far ahead it is. */
export function age(milliseconds: number): string {
  const ahead = milliseconds < -1000;
  const seconds = Math.floor(Math.abs(milliseconds) / 1000);
  const amount =
    seconds < 120
      ? `${ahead ? seconds : Math.max(0, Math.floor(milliseconds / 1000))} s`
      : seconds < 7200
        ? `${Math.floor(seconds / 60)} min`
        : seconds < 172_800
          ? `${Math.floor(seconds / 3600)} h`
          : `${Math.floor(seconds / 86_400)} days`;
  return ahead ? `${amount} ahead of this clock` : `${amount} ago`;
}

/** Parts two spaces apart, going on to a new line (after `indent`) where the next one would not fit. */
function joinParts(lead: string, parts: string[], width: number, indent: string): string {
  const lines: string[] = [];
  let line = lead;
  let lineWidth = displayWidth(lead);
  let empty = true;
  for (const part of parts) {
    const partWidth = displayWidth(part);
    if (!empty && lineWidth + 2 + partWidth > width) {
      lines.push(line);
      // A part wider than a line by itself (a request id in a narrow terminal) is wrapped in its turn.
      const laid =
        indent.length + partWidth > width ? wrap(indent, part, width, indent).split("\n") : [indent + part];
      line = laid.pop()!;
      lines.push(...laid);
      lineWidth = displayWidth(line);
    } else {
      line += empty ? part : `  ${part}`;
      lineWidth += (empty ? 0 : 2) + partWidth;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join("\n");
}

/** The `show` rendering of one envelope: summary line, then the details laid out. */
export function renderEnvelope(envelope: AnalyzedEnvelope, options: RenderEnvelopeOptions): string {
  const { colors } = options;
  const width = options.width ?? PIPED_WIDTH;
  const lines: string[] = [
    summaryLine(envelope, colors, { width, lead: options.lead, receivedAt: options.receivedAt }),
  ];
  const label = (name: string) => colors.dim(name.padEnd(LABEL_WIDTH));
  /** A labelled line, its text wrapped under itself. */
  const labelled = (name: string, text: string) =>
    lines.push(wrap(`  ${label(name)}`, text, width, TEXT_INDENT));
  const via = envelope.layers.length > 1 ? ` (${envelope.layers.map(printable).join(LAYER_SEPARATOR)})` : "";
  if (options.origin || via) labelled("from", `${printable(options.origin ?? "")}${via}`);

  const { summary } = envelope;
  if (summary.errorType || summary.errorMessage) {
    const head = [summary.errorType, summary.errorMessage].filter(Boolean).join(": ");
    labelled("error", colors.red(printable(head)));
    lines.push(...traceLines(stackTrace(envelope), colors, width, options.verbose === true));
  }
  if (summary.explanation) labelled("why", printable(summary.explanation));
  for (const note of summary.notes) labelled("note", printable(note));
  for (const finding of envelope.errors) labelled("invalid", colors.red(describeFinding(finding)));
  for (const finding of envelope.warnings) labelled("warning", colors.yellow(describeFinding(finding)));

  const payload = envelope.payload;
  const numbers = numbersAsWritten(envelope);
  const show = (name: string, value: unknown, pointer: string) =>
    lines.push(block(name, value, pointer, numbers, options, label));
  if (
    isObject(payload) &&
    (envelope.kind === "invocation-record" || envelope.kind === "esm-failure-record")
  ) {
    if ("requestPayload" in payload) show("request", payload.requestPayload, "/requestPayload");
    if ("responsePayload" in payload) {
      const shown =
        summary.outcome === "success" || (options.detailed && !onlyErrorFields(payload.responsePayload));
      if (shown) show("response", payload.responsePayload, "/responsePayload");
    }
    if (options.detailed && "responseContext" in payload) {
      show("context", payload.responseContext, "/responseContext");
    }
    if (envelope.kind === "esm-failure-record" && options.detailed) {
      for (const key of ["KinesisBatchInfo", "DDBStreamBatchInfo", "KafkaBatchInfo"]) {
        if (key in payload) show("batch", payload[key], `/${key}`);
      }
    }
  } else {
    show("payload", payload, "");
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The payload's numbers that would print changed once parsed (1e400 as Infinity, -0 as 0, long integers
 * rounded), read from the text the payload was parsed from, by pointer relative to the payload.
 */
function numbersAsWritten(envelope: AnalyzedEnvelope): NumberLiterals | undefined {
  const at = envelope.payloadAt;
  const payload = envelope.payload;
  if (!at?.text || (typeof payload !== "object" && typeof payload !== "number") || payload === null) {
    return undefined;
  }
  if (!mayHaveLossyNumbers(at.text)) return undefined;
  const start = locateOffset(at.text, at.pointer);
  if (start === undefined) return undefined;
  const numbers = lossyNumbers(at.text, start);
  return numbers.size > 0 ? numbers : undefined;
}

/**
 * An NDJSON line's JSON (`tail --json`, `show --json`): JSON.stringify of `fields`, except that the
 * payload's numbers are written as the envelope wrote them, so that 1e400 is not written as null and a
 * consumed message loses nothing; a payload parsed from a whole JSON string is written as that string's text.
 */
export function envelopeLineJson(fields: Record<string, unknown>, envelope: AnalyzedEnvelope): string {
  const written = "payload" in fields ? payloadAsWritten(envelope) : undefined;
  if (written !== undefined) return withPayloadText(fields, written);
  const numbers = numbersAsWritten(envelope);
  if (!numbers) return JSON.stringify(fields);
  const members: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const text = key === "payload" ? stringifyWithNumbers(value, numbers) : JSON.stringify(value);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(",")}}`;
}

/**
 * The line with the payload's text where its value goes: the other fields serialised in one call, a stand-in
 * in the payload's place. The stand-in's JSON cannot occur elsewhere in the line: within a string value every
 * quote is escaped, and no other object of the line has a "payload" key.
 */
function withPayloadText(fields: Record<string, unknown>, text: string): string {
  const json = JSON.stringify({ ...fields, payload: PAYLOAD_STAND_IN });
  const member = json.indexOf(PAYLOAD_STAND_IN_JSON);
  const before = json.slice(0, member + PAYLOAD_KEY_JSON.length);
  return `${before}${text}${json.slice(member + PAYLOAD_STAND_IN_JSON.length)}`;
}

const PAYLOAD_STAND_IN = "\u0000payload\u0000";
const PAYLOAD_KEY_JSON = '"payload":';
const PAYLOAD_STAND_IN_JSON = `${PAYLOAD_KEY_JSON}${JSON.stringify(PAYLOAD_STAND_IN)}`;

/**
 * The payload's JSON as the envelope wrote it, when the payload is the whole of a JSON string the analysis
 * parsed (an SQS body, an SNS message): the same value, every number as written, without serialising it
 * again. Undefined when that text cannot stand in an NDJSON line as it is: a line break between its tokens,
 * or a lone surrogate (which JSON.stringify would write escaped); and when the payload is the string itself
 * (a value nested too deeply to be shown decoded).
 */
function payloadAsWritten(envelope: AnalyzedEnvelope): string | undefined {
  const at = envelope.payloadAt;
  const payload = envelope.payload;
  if (at?.text === undefined || at.pointer !== "" || typeof payload !== "object" || payload === null) {
    return undefined;
  }
  const text = at.text;
  if (text.includes("\n") || text.includes("\r") || !isWellFormed(text)) return undefined;
  return text;
}

/** String.prototype.isWellFormed (in every Node this runs on; not yet in the TypeScript library used). */
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

function block(
  name: string,
  value: unknown,
  pointer: string,
  numbers: NumberLiterals | undefined,
  options: RenderEnvelopeOptions,
  label: (name: string) => string,
): string {
  const { colors } = options;
  const width = options.width ?? PIPED_WIDTH;
  let shown = value;
  let scoped = numbers && scope(numbers, pointer);
  let title = name;
  // A payload that is itself a JSON string (a handler that returned JSON.stringify(...)) is shown decoded.
  const decoded = typeof value === "string" ? decodeJsonString(value) : undefined;
  if (decoded) {
    shown = decoded.value;
    scoped = decoded.numbers;
    title = `${name} ${JSON_STRING_MARK}`;
  }
  // Laid out in the block's indentation; a one-line form must fit after the label instead.
  const used = (title.length < LABEL_WIDTH ? TEXT_INDENT.length : title.length + 3) - BLOCK_INDENT.length;
  const text = prettyJson(shown, colors, "", scoped, "", { width: width - BLOCK_INDENT.length, used });
  if (!text.includes("\n")) {
    const head = title.length < LABEL_WIDTH ? `  ${label(title)}` : `  ${colors.dim(title)} `;
    return wrap(head, text, width, TEXT_INDENT);
  }
  return `  ${colors.dim(title)}\n${indentBlock(text, BLOCK_INDENT)}`;
}

const BLOCK_INDENT = "    ";

/** The literals under `pointer`, keyed relative to it. */
function scope(numbers: NumberLiterals, pointer: string): NumberLiterals | undefined {
  if (pointer === "") return numbers;
  const scoped = new Map<string, string>();
  for (const [key, literal] of numbers) {
    if (key === pointer || key.startsWith(`${pointer}/`)) scoped.set(key.slice(pointer.length), literal);
  }
  return scoped.size > 0 ? scoped : undefined;
}

/** The fields every runtime's error object has; a response with no others is already on the error line. */
const ERROR_FIELDS = new Set(["errorType", "errorMessage", "trace", "stackTrace", "requestId"]);

function onlyErrorFields(response: unknown): boolean {
  return isObject(response) && Object.keys(response).every((key) => ERROR_FIELDS.has(key));
}

export function describeFinding(finding: Finding): string {
  const where = finding.line !== undefined ? ` (line ${finding.line}, column ${finding.column})` : "";
  const path = finding.path === "" ? "(root)" : finding.path;
  const inner = finding.innerPath !== undefined ? ` → inside the string: ${finding.innerPath}` : "";
  return printable(`${path}${inner}${where}: ${finding.message}`);
}

/** One stack frame: a line, or a few (Python's names the file, then shows the line of code). */
export interface StackFrame {
  lines: string[];
  /** A frame of the Lambda runtime (its bootstrap, Node's internals), not of the function's own code. */
  runtime: boolean;
}

export interface StackTrace {
  frames: StackFrame[];
  /** Java's causes, one line each ("caused by: Type: message"). */
  causes: string[];
}

/**
 * Frames of the runtime rather than the function: AWS's runtimes live in /var/runtime (Node's index.mjs,
 * Python's bootstrap.py) and Python's runtime interface client in awslambdaric; the local stack's bootstraps
 * are bootstrap.mjs and bootstrap.py; node:internal is Node's own; lambdainternal and reflection are Java's
 * runtime calling the handler; Go's are the aws-lambda-go library and the Go runtime's panic machinery.
 */
const RUNTIME_FRAME =
  /\/var\/runtime\/|[\\/]awslambdaric[\\/]|[\\/]bootstrap\.(?:mjs|py)\b|\bnode:internal\/|\(node:[a-z_]+:\d|\blambdainternal\.|\b(?:sun|jdk\.internal)\.reflect\.|\bjava\.lang\.reflect\.Method\.invoke\b|\/aws-lambda-go(?:@[^/\s]+)?\/lambda\/|[\s/](?:runtime|reflect)\/\w+\.go:\d/;

/** The stack frames of a runtime's error object, whichever runtime wrote it. */
export function stackTrace(envelope: AnalyzedEnvelope): StackTrace {
  const payload = envelope.payload;
  const none: StackTrace = { frames: [], causes: [] };
  if (!isObject(payload)) return none;
  const error = isObject(payload.responsePayload)
    ? payload.responsePayload
    : isObject(payload.invocationError)
      ? payload.invocationError
      : undefined;
  if (!error) return none;
  const trace = error.trace ?? error.stackTrace;
  const texts: string[] = [];
  if (typeof trace === "string") texts.push(...trace.split("\n"));
  if (Array.isArray(trace)) {
    for (const frame of trace) {
      if (typeof frame === "string") texts.push(frame);
      else if (isObject(frame))
        texts.push(`${frame.label ?? ""} ${frame.path ?? ""}:${frame.line ?? ""}`.trim());
    }
  }
  const frames: StackFrame[] = [];
  for (const text of texts) {
    const lines = text
      .split("\n")
      .map((line) => line.trimEnd())
      .filter((line) => line !== "");
    if (lines.length > 0) frames.push({ lines, runtime: RUNTIME_FRAME.test(lines[0]!) });
  }
  // Node's trace repeats "Type: message" as its first line; it is already on the error line.
  const first = frames[0]?.lines[0];
  if (first && typeof error.errorMessage === "string" && first.includes(error.errorMessage)) frames.shift();
  const causes: string[] = [];
  if (isObject(error.cause))
    causes.push(`caused by: ${error.cause.errorType ?? ""}: ${error.cause.errorMessage ?? ""}`);
  return { frames, causes };
}

/** The stack trace lines of a runtime's error object, as `show -v` lists them (every frame, in order). */
export function stackFrames(envelope: AnalyzedEnvelope): string[] {
  const { frames, causes } = stackTrace(envelope);
  return [...frames.flatMap((frame) => frame.lines), ...causes];
}

/**
 * The trace under the error line: the function's own frames first and whole, then one line counting the
 * runtime's frames; with -v every frame in its place. Each line is wrapped under itself.
 */
function traceLines(trace: StackTrace, colors: ChalkInstance, width: number, verbose: boolean): string[] {
  const own = verbose ? trace.frames : trace.frames.filter((frame) => !frame.runtime);
  const folded = trace.frames.length - own.length;
  const lines: string[] = [];
  const add = (text: string) => {
    const leading = /^ */.exec(text)![0];
    const body = text.slice(leading.length);
    // Continuation lines go in further than a Python frame's line of code, which is indented by 2.
    const indent = `${TEXT_INDENT}${leading}    `;
    lines.push(wrap(`${TEXT_INDENT}${leading}`, colors.dim(printable(body)), width, indent));
  };
  for (const frame of own) for (const line of frame.lines) add(line);
  if (folded > 0) {
    const count = `${folded} runtime frame${folded === 1 ? "" : "s"}`;
    lines.push(wrap(TEXT_INDENT, colors.dim(`… ${count} (-v shows them)`), width, TEXT_INDENT));
  }
  for (const cause of trace.causes) add(cause);
  return lines;
}

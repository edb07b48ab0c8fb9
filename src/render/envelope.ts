import type { ChalkInstance } from "chalk";
import type { AnalyzedEnvelope, EnvelopeSummary, Finding } from "../envelopes/types.js";
import { printable } from "../printable.js";
import { lossyNumbers } from "../sources/json-checks.js";
import { locateOffset } from "../sources/positions.js";
import { isObject } from "../values.js";
import { indentBlock, type NumberLiterals, prettyJson } from "./json.js";

export interface RenderEnvelopeOptions {
  colors: ChalkInstance;
  /** Where it came from, e.g. "failure.json" or "queue orders, message 1f2e...". */
  origin?: string;
  /** Show everything (payloads, layers); otherwise the summary line, errors and the key details. */
  detailed: boolean;
}

const LAYER_SEPARATOR = " › ";

/** The outcome badge: readable without colors too. */
export function badge(summary: EnvelopeSummary, colors: ChalkInstance): string {
  if (summary.outcome === "success") return colors.green.bold("✓ SUCCESS");
  if (summary.outcome === "failure") return colors.red.bold("✗ FAILURE");
  return colors.yellow.bold("• UNKNOWN");
}

/**
 * One line: outcome, kind, function and qualifier, condition, attempts, request id, time. Every string
 * here and below comes from the envelope: each is passed through `printable` before colors are added.
 */
export function summaryLine(envelope: AnalyzedEnvelope, colors: ChalkInstance): string {
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
  if (summary.time) parts.push(colors.dim(printable(summary.time)));
  if (!envelope.valid) parts.push(colors.red("INVALID"));
  return parts.join("  ");
}

/** The `show` rendering of one envelope: summary line, then the details laid out. */
export function renderEnvelope(envelope: AnalyzedEnvelope, options: RenderEnvelopeOptions): string {
  const { colors } = options;
  const lines: string[] = [summaryLine(envelope, colors)];
  const label = (name: string) => colors.dim(name.padEnd(9));
  const via = envelope.layers.length > 1 ? ` (${envelope.layers.map(printable).join(LAYER_SEPARATOR)})` : "";
  if (options.origin || via) lines.push(`  ${label("from")}${printable(options.origin ?? "")}${via}`);

  const { summary } = envelope;
  if (summary.errorType || summary.errorMessage) {
    const head = [summary.errorType, summary.errorMessage].filter(Boolean).join(": ");
    lines.push(`  ${label("error")}${colors.red(printable(head))}`);
    for (const frame of stackFrames(envelope))
      lines.push(`  ${" ".repeat(9)}${colors.dim(printable(frame))}`);
  }
  if (summary.explanation) lines.push(`  ${label("why")}${printable(summary.explanation)}`);
  for (const note of summary.notes) lines.push(`  ${label("note")}${printable(note)}`);
  for (const finding of envelope.errors)
    lines.push(`  ${label("invalid")}${colors.red(describeFinding(finding))}`);
  for (const finding of envelope.warnings)
    lines.push(`  ${label("warning")}${colors.yellow(describeFinding(finding))}`);

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
  const start = locateOffset(at.text, at.pointer);
  if (start === undefined) return undefined;
  const numbers = lossyNumbers(at.text, start);
  return numbers.size > 0 ? numbers : undefined;
}

function block(
  name: string,
  value: unknown,
  pointer: string,
  numbers: NumberLiterals | undefined,
  options: RenderEnvelopeOptions,
  label: (name: string) => string,
): string {
  const scoped = numbers && scope(numbers, pointer);
  const text = prettyJson(value, options.colors, "", scoped);
  if (!text.includes("\n")) return `  ${label(name)}${text}`;
  return `  ${options.colors.dim(name)}\n${indentBlock(text, "    ")}`;
}

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

/** The stack trace lines of a runtime's error object, whichever runtime wrote it. */
export function stackFrames(envelope: AnalyzedEnvelope): string[] {
  const payload = envelope.payload;
  if (!isObject(payload)) return [];
  const error = isObject(payload.responsePayload)
    ? payload.responsePayload
    : isObject(payload.invocationError)
      ? payload.invocationError
      : undefined;
  if (!error) return [];
  const frames = error.trace ?? error.stackTrace;
  const lines: string[] = [];
  if (typeof frames === "string") lines.push(...frames.split("\n"));
  if (Array.isArray(frames)) {
    for (const frame of frames) {
      if (typeof frame === "string") lines.push(...frame.replace(/\n$/, "").split("\n"));
      else if (isObject(frame)) {
        lines.push(`${frame.label ?? ""} ${frame.path ?? ""}:${frame.line ?? ""}`.trim());
      }
    }
  }
  // Node's trace repeats "Type: message" as its first line; it is already on the error line.
  if (lines[0] && typeof error.errorMessage === "string" && lines[0].includes(error.errorMessage))
    lines.shift();
  if (isObject(error.cause))
    lines.push(`caused by: ${error.cause.errorType ?? ""}: ${error.cause.errorMessage ?? ""}`);
  return lines.map((line) => line.trimEnd()).filter((line) => line !== "");
}

import type { ChalkInstance } from "chalk";
import { isObject } from "../envelopes/detect.js";
import type { AnalyzedEnvelope, EnvelopeSummary, Finding } from "../envelopes/types.js";
import { indentBlock, prettyJson } from "./json.js";

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

/** One line: outcome, kind, function and qualifier, condition, attempts, request id, time. */
export function summaryLine(envelope: AnalyzedEnvelope, colors: ChalkInstance): string {
  const { summary } = envelope;
  const parts = [badge(summary, colors), colors.bold(envelope.kind ?? "unknown kind")];
  if (summary.functionName) {
    parts.push(
      colors.cyan(summary.qualifier ? `${summary.functionName}:${summary.qualifier}` : summary.functionName),
    );
  }
  if (summary.condition) parts.push(summary.condition);
  if (summary.attempts !== undefined) parts.push(`attempts ${summary.attempts}`);
  if (summary.requestId) parts.push(colors.dim(`request ${summary.requestId}`));
  if (summary.messageId) parts.push(colors.dim(`message ${summary.messageId}`));
  if (summary.time) parts.push(colors.dim(summary.time));
  if (!envelope.valid) parts.push(colors.red("INVALID"));
  return parts.join("  ");
}

/** The `show` rendering of one envelope: summary line, then the details laid out. */
export function renderEnvelope(envelope: AnalyzedEnvelope, options: RenderEnvelopeOptions): string {
  const { colors } = options;
  const lines: string[] = [summaryLine(envelope, colors)];
  const label = (name: string) => colors.dim(name.padEnd(9));
  const via = envelope.layers.length > 1 ? ` (${envelope.layers.join(LAYER_SEPARATOR)})` : "";
  if (options.origin || via) lines.push(`  ${label("from")}${options.origin ?? ""}${via}`);

  const { summary } = envelope;
  if (summary.errorType || summary.errorMessage) {
    const head = [summary.errorType, summary.errorMessage].filter(Boolean).join(": ");
    lines.push(`  ${label("error")}${colors.red(head)}`);
    for (const frame of stackFrames(envelope)) lines.push(`  ${" ".repeat(9)}${colors.dim(frame)}`);
  }
  if (summary.explanation) lines.push(`  ${label("why")}${summary.explanation}`);
  for (const note of summary.notes) lines.push(`  ${label("note")}${note}`);
  for (const finding of envelope.errors)
    lines.push(`  ${label("invalid")}${colors.red(describeFinding(finding))}`);
  for (const finding of envelope.warnings)
    lines.push(`  ${label("warning")}${colors.yellow(describeFinding(finding))}`);

  const payload = envelope.payload;
  if (
    isObject(payload) &&
    (envelope.kind === "invocation-record" || envelope.kind === "esm-failure-record")
  ) {
    if ("requestPayload" in payload) lines.push(block("request", payload.requestPayload, options, label));
    if ("responsePayload" in payload) {
      const shown =
        summary.outcome === "success" || (options.detailed && !onlyErrorFields(payload.responsePayload));
      if (shown) lines.push(block("response", payload.responsePayload, options, label));
    }
    if (options.detailed && "responseContext" in payload) {
      lines.push(block("context", payload.responseContext, options, label));
    }
    if (envelope.kind === "esm-failure-record" && options.detailed) {
      for (const key of ["KinesisBatchInfo", "DDBStreamBatchInfo", "KafkaBatchInfo"]) {
        if (key in payload) lines.push(block("batch", payload[key], options, label));
      }
    }
  } else {
    lines.push(block("payload", payload, options, label));
  }
  return `${lines.join("\n")}\n`;
}

function block(
  name: string,
  value: unknown,
  options: RenderEnvelopeOptions,
  label: (name: string) => string,
): string {
  const text = prettyJson(value, options.colors);
  if (!text.includes("\n")) return `  ${label(name)}${text}`;
  return `  ${options.colors.dim(name)}\n${indentBlock(text, "    ")}`;
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
  return `${path}${inner}${where}: ${finding.message}`;
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

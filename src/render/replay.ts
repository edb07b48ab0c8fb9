/** How `replay` shows its plan, each replay and the closing count. Every outside string is escaped. */
import type { ChalkInstance } from "chalk";
import { printable } from "../printable.js";

/** Where a value came from, for the plan and the report. */
export interface ReplayOrigin {
  /** "sqs:orders-failures message 3f2…", "s3://bucket/key", "failures.ndjson line 4". */
  label: string;
  /** SQS: the handle that deletes the message (--delete). */
  receiptHandle?: string;
  messageId?: string;
  /** The message holds more than one value: --delete leaves it, as one message cannot be partly deleted. */
  shared?: boolean;
}

export type ReplayKind = "failure-record" | "success-record" | "dead-letter" | "esm-failure" | "other";

export interface ReplayItem {
  origin: ReplayOrigin;
  kind: ReplayKind;
  /** requestContext.condition of an invocation record. */
  condition?: string;
  /** The request id of the original invocation (the record's, or a dead-letter message's RequestID). */
  originalRequestId?: string;
  /** The function to invoke: a name or ARN as Lambda's FunctionName takes it. */
  functionName?: string;
  qualifier?: string;
  /** The exact text to send. */
  payload?: string;
  /** Why this value is not replayed; absent for one that is. */
  skip?: string;
  /** The function must have concurrency again before this record is replayed (ZeroReservedConcurrency). */
  needsConcurrency?: boolean;
  /** A replay log (--skip-replayed) shows it as accepted already. */
  alreadyReplayed?: boolean;
}

export interface ReplayResult {
  item: ReplayItem;
  outcome: "accepted" | "failed" | "skipped" | "not-run" | "planned";
  newRequestId?: string;
  statusCode?: number;
  /** Why it failed (the AWS error, or the function's error with --sync), or why it was skipped. */
  reason?: string;
  /** --sync: the function's result text. */
  result?: string;
  deleted?: boolean;
  /** --wait: what the new destination record said, or why none came. */
  wait?: "succeeded" | "failed" | "timed-out" | "interrupted";
  /** --wait: the new record's condition and error, when it failed again. */
  waitError?: string;
}

/** How many payloads the plan shows. */
const SHOWN_PAYLOADS = 3;
/** How much of a payload the plan shows. */
const PAYLOAD_PREVIEW = 160;

export function targetLabel(functionName: string | undefined, qualifier: string | undefined): string {
  if (!functionName) return "?";
  const name = functionName.startsWith("arn:") ? (functionName.split(":")[6] ?? functionName) : functionName;
  return printable(qualifier ? `${name}:${qualifier}` : name);
}

export function planLines(
  source: string,
  items: ReplayItem[],
  options: { sync: boolean; deleting: boolean; queue: boolean },
  colors: ChalkInstance,
): string[] {
  const replayed = items.filter((item) => item.skip === undefined);
  const skipped = items.filter((item) => item.skip !== undefined);
  const lines = [
    colors.bold(
      `Replay plan: ${replayed.length} of ${items.length} value${items.length === 1 ? "" : "s"} from ${printable(source)}, ${options.sync ? "synchronously (RequestResponse)" : "asynchronously (Event)"}`,
    ),
  ];
  const byTarget = new Map<string, number>();
  for (const item of replayed) {
    const label = targetLabel(item.functionName, item.qualifier);
    byTarget.set(label, (byTarget.get(label) ?? 0) + 1);
  }
  for (const [label, count] of byTarget) lines.push(`  ${count} to ${label}`);
  const reasons = new Map<string, number>();
  for (const item of skipped) reasons.set(item.skip!, (reasons.get(item.skip!) ?? 0) + 1);
  for (const [reason, count] of reasons) lines.push(`  ${count} skipped: ${printable(reason)}`);
  const zero = replayed.filter((item) => item.needsConcurrency).length;
  if (zero > 0) {
    lines.push(
      `  ${zero} ZeroReservedConcurrency record${zero === 1 ? "" : "s"}: replayed only if the function has concurrency now`,
    );
  }
  if (replayed.length > 0) {
    lines.push("  first payloads:");
    for (const [index, item] of replayed.slice(0, SHOWN_PAYLOADS).entries()) {
      const text = item.payload ?? "";
      const preview = text.length > PAYLOAD_PREVIEW ? `${text.slice(0, PAYLOAD_PREVIEW)}…` : text;
      const from = item.originalRequestId ? ` (request ${printable(item.originalRequestId)})` : "";
      lines.push(`    ${index + 1}. ${printable(preview.replace(/\s*\n\s*/g, " "))}${colors.dim(from)}`);
    }
  }
  if (options.queue) {
    lines.push(
      options.deleting
        ? "  each message is deleted once its replay was accepted; the others are given back"
        : "  the queue is only peeked: every message is given back (--delete deletes the replayed ones)",
    );
  }
  return lines;
}

export function resultLine(result: ReplayResult, colors: ChalkInstance): string {
  const target = targetLabel(result.item.functionName, result.item.qualifier);
  const from = printable(result.item.origin.label);
  switch (result.outcome) {
    case "accepted": {
      const deleted = result.deleted ? ", message deleted" : "";
      return `${colors.green("✓")} ${target} ← ${from}: accepted, request ${printable(result.newRequestId ?? "?")}${deleted}`;
    }
    case "failed":
      return `${colors.red("✗")} ${target} ← ${from}: ${printable(result.reason ?? "failed")}`;
    case "skipped":
      return `${colors.dim("-")} ${from}: skipped, ${printable(result.reason ?? "")}`;
    default:
      return `${colors.dim("·")} ${target} ← ${from}: not replayed (interrupted)`;
  }
}

export function summaryLine(results: ReplayResult[], interrupted: boolean): string {
  const count = (outcome: ReplayResult["outcome"]) => results.filter((r) => r.outcome === outcome).length;
  const deleted = results.filter((result) => result.deleted).length;
  const parts = [`${count("accepted")} accepted`, `${count("failed")} failed`, `${count("skipped")} skipped`];
  if (deleted > 0) parts.push(`${deleted} deleted`);
  if (interrupted) parts.push(`${count("not-run")} not replayed: interrupted`);
  return `replay: ${parts.join(", ")}`;
}

/** The --json document's entry for one value. */
export function resultRecord(result: ReplayResult): Record<string, unknown> {
  const item = result.item;
  return {
    origin: item.origin.label,
    messageId: item.origin.messageId ?? null,
    kind: item.kind,
    condition: item.condition ?? null,
    originalRequestId: item.originalRequestId ?? null,
    function: item.functionName ?? null,
    qualifier: item.qualifier ?? null,
    outcome: result.outcome,
    newRequestId: result.newRequestId ?? null,
    statusCode: result.statusCode ?? null,
    reason: result.reason ?? null,
    result: result.result ?? null,
    deleted: result.deleted === true,
    waitOutcome: result.wait ?? null,
    waitError: result.waitError ?? null,
  };
}

/** --wait's closing table: replayed, now succeeded, failed again (with the new error), timed out. */
export function waitTable(results: ReplayResult[], colors: ChalkInstance): string[] {
  const replayed = results.filter((result) => result.outcome === "accepted");
  const count = (wait: ReplayResult["wait"]) => replayed.filter((result) => result.wait === wait).length;
  const lines = [
    colors.bold("replayed  now succeeded  failed again  timed out"),
    `${String(replayed.length).padEnd(10)}${String(count("succeeded")).padEnd(15)}${String(count("failed")).padEnd(14)}${count("timed-out")}`,
  ];
  for (const result of replayed) {
    if (result.wait !== "failed") continue;
    lines.push(
      `${colors.red("✗")} ${printable(result.item.origin.label)} → request ${printable(result.newRequestId ?? "?")}: ${printable(result.waitError ?? "failed")}`,
    );
  }
  return lines;
}

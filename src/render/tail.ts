/** How `tail` (and `invoke --wait`) print envelopes: a show-style line or block, an NDJSON line, a summary table. */
import type { ChalkInstance } from "chalk";
import { describeFailure, unprocessableEnvelope } from "../envelopes/analyze.js";
import type { AnalyzedEnvelope } from "../envelopes/types.js";
import { printable, printableJson } from "../printable.js";
import { envelopeLineJson, renderEnvelope, summaryLine } from "./envelope.js";
import { tableLines } from "./table.js";

export interface ArrivalFacts {
  receivedAt: Date;
  /** "sqs:orders-results", "sns:order-events". */
  source: string;
  messageId?: string;
}

/**
 * One NDJSON line of `tailRecord`, as text: JSON.stringify escapes C0 controls; DEL, C1 and bidi controls
 * are escaped too, so that a line is safe on a terminal and still carries the very same strings. It never
 * throws: an envelope that cannot be serialised is written as an invalid one saying why.
 */
export function tailLine(envelope: AnalyzedEnvelope, facts: ArrivalFacts): string {
  try {
    return printableJson(envelopeLineJson(tailRecord(envelope, facts), envelope));
  } catch (error) {
    const failed = unprocessableEnvelope(`could not be written: ${describeFailure(error)}`, undefined);
    return printableJson(JSON.stringify(tailRecord(failed, facts)));
  }
}

/** One NDJSON line: version, receivedAt, source, messageId, layers, kind, valid, summary, payload, errors. */
export function tailRecord(envelope: AnalyzedEnvelope, facts: ArrivalFacts): Record<string, unknown> {
  return {
    version: 1,
    receivedAt: facts.receivedAt.toISOString(),
    source: facts.source,
    messageId: facts.messageId ?? null,
    layers: envelope.layers,
    kind: envelope.kind,
    valid: envelope.valid,
    summary: envelope.summary,
    payload: envelope.payload,
    errors: envelope.errors,
    warnings: envelope.warnings,
  };
}

/**
 * The human form: time and source, then the `show` summary line; with details, the whole `show` block.
 * It never throws: an envelope that cannot be rendered is shown as an invalid one saying why.
 */
export function tailText(
  envelope: AnalyzedEnvelope,
  facts: ArrivalFacts,
  colors: ChalkInstance,
  detailed: boolean,
  width?: number,
): string {
  try {
    return renderArrival(envelope, facts, colors, detailed, width);
  } catch (error) {
    const failed = unprocessableEnvelope(`could not be shown: ${describeFailure(error)}`, undefined);
    return renderArrival(failed, facts, colors, detailed, width);
  }
}

/** The record's time is given with its age as of its arrival: tail shows records as they arrive. */
function renderArrival(
  envelope: AnalyzedEnvelope,
  facts: ArrivalFacts,
  colors: ChalkInstance,
  detailed: boolean,
  width: number | undefined,
): string {
  const time = facts.receivedAt.toISOString().slice(11, 19);
  const lead = `${colors.dim(time)} ${colors.dim(printable(facts.source))}  `;
  const receivedAt = facts.receivedAt;
  if (!detailed) return `${summaryLine(envelope, colors, { width, lead, receivedAt })}\n`;
  const origin = `${facts.source}${facts.messageId ? `, message ${facts.messageId}` : ""}`;
  // -v: every detail, the runtime's stack frames included.
  const options = { colors, origin, detailed: true, width, lead, receivedAt, verbose: true };
  return `${renderEnvelope(envelope, options)}\n`;
}

/** Counts per function and condition, for the table printed on exit. */
export class TailStatistics {
  readonly #rows = new Map<
    string,
    { functionName: string; condition: string; outcome: string; count: number }
  >();
  shown = 0;
  invalid = 0;
  messages = 0;

  add(envelope: AnalyzedEnvelope): void {
    this.shown += 1;
    if (!envelope.valid) this.invalid += 1;
    const functionName = envelope.summary.functionName
      ? envelope.summary.qualifier
        ? `${envelope.summary.functionName}:${envelope.summary.qualifier}`
        : envelope.summary.functionName
      : "-";
    const condition = envelope.summary.condition ?? envelope.kind ?? "unknown";
    const key = `${functionName}\u0000${condition}`;
    const row = this.#rows.get(key) ?? {
      functionName,
      condition,
      outcome: envelope.summary.outcome,
      count: 0,
    };
    row.count += 1;
    this.#rows.set(key, row);
  }

  rows() {
    return [...this.#rows.values()].sort(
      (a, b) => a.functionName.localeCompare(b.functionName) || b.count - a.count,
    );
  }
}

export function summaryTable(statistics: TailStatistics, elapsed: string, colors: ChalkInstance): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const validity = statistics.invalid > 0 ? `, ${colors.red(`${statistics.invalid} invalid`)}` : "";
  const lines = [`${count(statistics.shown, "envelope")} in ${elapsed}${validity}`];
  const rows = statistics.rows();
  if (rows.length > 0) {
    const paint = (outcome: string) =>
      outcome === "failure" ? colors.red : outcome === "success" ? colors.green : undefined;
    lines.push(
      ...tableLines(
        ["function", "condition", "count"],
        rows.map((row) => ({
          cells: [row.functionName, row.condition, String(row.count)],
          paint: paint(row.outcome),
        })),
        colors,
        (column) => column === 2,
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

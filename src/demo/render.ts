/** How the demo prints: each arrival (human block or NDJSON line) and the closing table. */
import type { ChalkInstance } from "chalk";
import { renderEnvelope } from "../render/envelope.js";
import { tableLines } from "../render/table.js";
import { tailRecord } from "../render/tail.js";
import { describeExpected, type ExpectedEnvelope } from "./scenario.js";
import type { Arrival, DemoTracker } from "./tracker.js";

/** One NDJSON line: tail's line (version, receivedAt, source, messageId, ...) plus what the demo expected. */
export function arrivalRecord(arrival: Arrival): Record<string, unknown> {
  return {
    ...tailRecord(arrival.envelope, {
      receivedAt: arrival.receivedAt,
      source: arrival.source,
      messageId: arrival.messageId,
    }),
    expected: arrival.expected ? describeExpected(arrival.expected) : null,
    problems: arrival.problems,
  };
}

/** The human form: a heading naming what arrived where, then the `show` rendering of the envelope. */
export function arrivalText(arrival: Arrival, colors: ChalkInstance, width?: number): string {
  const time = arrival.receivedAt.toISOString().slice(11, 23);
  const about = arrival.expected ? `order ${arrival.expected.order.orderId}` : "unexpected";
  const heading = `${colors.dim(time)}  ${colors.bold(arrival.source)}  ${colors.dim(`(${about})`)}`;
  const origin = arrival.messageId ? `message ${arrival.messageId}` : undefined;
  const body = renderEnvelope(arrival.envelope, { colors, origin, detailed: false, width });
  const problems = arrival.problems.map((problem) => `  ${colors.red(`✗ ${problem}`)}\n`).join("");
  return `${heading}\n${body}${problems}\n`;
}

interface Row {
  kind: string;
  outcome: string;
  condition: string;
  source: string;
  expected: number;
  arrived: number;
  valid: number;
}

/** Counts per kind, outcome and place, expected against arrived. */
export function summaryRows(tracker: DemoTracker): Row[] {
  const rows = new Map<string, Row>();
  const row = (kind: string, outcome: string, condition: string, source: string): Row => {
    const key = [kind, outcome, condition, source].join("\u0000");
    let found = rows.get(key);
    if (!found) {
      found = { kind, outcome, condition, source, expected: 0, arrived: 0, valid: 0 };
      rows.set(key, found);
    }
    return found;
  };
  const conditionOf = (expected: ExpectedEnvelope) => expected.condition ?? "-";
  for (const expected of tracker.expected) {
    row(expected.kind, expected.outcome, conditionOf(expected), expected.source).expected += 1;
  }
  for (const arrival of tracker.arrivals) {
    const { envelope } = arrival;
    const target = arrival.expected
      ? row(
          arrival.expected.kind,
          arrival.expected.outcome,
          conditionOf(arrival.expected),
          arrival.expected.source,
        )
      : row(
          envelope.kind ?? "unknown",
          envelope.summary.outcome,
          envelope.summary.condition ?? "-",
          arrival.source,
        );
    target.arrived += 1;
    if (arrival.problems.length === 0) target.valid += 1;
  }
  return [...rows.values()];
}

export function summaryTable(tracker: DemoTracker, colors: ChalkInstance, elapsed: string): string {
  const count = (n: number) => `${n} envelope${n === 1 ? "" : "s"}`;
  const rows = summaryRows(tracker).map((row) => {
    const good = row.expected === row.arrived && row.valid === row.arrived;
    return {
      cells: [
        row.kind,
        row.outcome,
        row.condition,
        row.source,
        String(row.expected),
        String(row.arrived),
        String(row.valid),
      ],
      paint: !good ? colors.red : row.outcome === "failure" ? colors.yellow : colors.green,
    };
  });
  const header = ["kind", "outcome", "condition", "arrived at", "expected", "arrived", "valid"];
  return `${[
    `${count(tracker.arrivals.length)} arrived in ${elapsed} (${tracker.expected.length} expected)`,
    ...tableLines(header, rows, colors, (column) => column >= 4),
  ].join("\n")}\n`;
}

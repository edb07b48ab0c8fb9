/**
 * The seed article's scenario as data: the resources the demo creates, what it sends, and every envelope it
 * expects back. Pure, so that the test and the command agree on one definition.
 */

import type { AnalyzedEnvelope, Outcome } from "../envelopes/types.js";
import { isObject } from "../values.js";

export const FUNCTION_NAME = "order-processor";

/** Names of the resources; each role is named after what it does in the article. */
export const RESOURCES = {
  /** The input queue the function is triggered by. */
  inputQueue: "orders",
  /** Where the handler publishes its own SUCCESS results (processing-result). */
  successTopic: "order-success",
  /** Where the handler publishes its own FAILURE results. */
  failureTopic: "order-failure",
  /** The OnSuccess destination of asynchronous invocations (an SNS topic). */
  destinationTopic: "order-invocation-success",
  /** The OnFailure destination of asynchronous invocations (an SQS queue). */
  destinationQueue: "order-invocation-failure",
} as const;

/** How a watched place is labelled in the output: "sns:order-success", "sqs:order-invocation-failure". */
export const SOURCES = {
  successTopic: `sns:${RESOURCES.successTopic}`,
  failureTopic: `sns:${RESOURCES.failureTopic}`,
  destinationTopic: `sns:${RESOURCES.destinationTopic}`,
  destinationQueue: `sqs:${RESOURCES.destinationQueue}`,
} as const;

/** Retries of a failed asynchronous invocation: one, so the failure record shows 2 attempts. */
export const MAXIMUM_RETRY_ATTEMPTS = 1;

export type Path = "queue" | "async";

export interface Order {
  /** How the order enters: a message on the input queue, or an asynchronous Invoke. */
  path: Path;
  orderId: string;
  /** The exact bytes sent: a message body or an Invoke payload. */
  payload: string;
  /** Whether the handler fails it (its payload contains "error"). */
  fails: boolean;
}

function order(path: Path, orderId: string, fields: Record<string, unknown>): Order {
  const payload = JSON.stringify({ order_id: orderId, ...fields });
  return { path, orderId, payload, fails: payload.includes("error") };
}

export const ORDERS: readonly Order[] = [
  order("queue", "1001", { item: "coffee beans", quantity: 2 }),
  order("queue", "1002", { item: "teapot", quantity: 1 }),
  order("queue", "1003", { item: "mug", quantity: 1, note: "simulate an error" }),
  order("async", "2001", { item: "kettle", quantity: 1 }),
  order("async", "2002", { item: "filter papers", quantity: 3, note: "simulate an error" }),
];

/** One envelope the demo waits for. */
export interface ExpectedEnvelope {
  order: Order;
  /** Where it must arrive. */
  source: string;
  kind: "processing-result" | "invocation-record";
  outcome: Exclude<Outcome, "unknown">;
  /** The invocation record's condition. */
  condition?: string;
  /** The attempts an invocation record must report. */
  attempts?: number;
}

export function expectedEnvelopes(orders: readonly Order[] = ORDERS): ExpectedEnvelope[] {
  return orders.map((entry): ExpectedEnvelope => {
    if (entry.path === "queue") {
      return {
        order: entry,
        source: entry.fails ? SOURCES.failureTopic : SOURCES.successTopic,
        kind: "processing-result",
        outcome: entry.fails ? "failure" : "success",
      };
    }
    return entry.fails
      ? {
          order: entry,
          source: SOURCES.destinationQueue,
          kind: "invocation-record",
          outcome: "failure",
          condition: "RetriesExhausted",
          attempts: MAXIMUM_RETRY_ATTEMPTS + 1,
        }
      : {
          order: entry,
          source: SOURCES.destinationTopic,
          kind: "invocation-record",
          outcome: "success",
          condition: "Success",
          attempts: 1,
        };
  });
}

/** A short description: "processing result FAILURE for order 1003". */
export function describeExpected(expected: ExpectedEnvelope): string {
  const what =
    expected.kind === "processing-result"
      ? `processing result ${expected.outcome === "success" ? "SUCCESS" : "FAILURE"}`
      : `invocation record ${expected.condition}`;
  return `${what} for order ${expected.order.orderId} at ${expected.source}`;
}

/**
 * The order an envelope is about: the order_id in a processing result's body, or in an invocation record's
 * request payload. Undefined when the envelope names none.
 */
export function orderIdOf(envelope: AnalyzedEnvelope): string | undefined {
  const payload = envelope.payload;
  if (!isObject(payload)) return undefined;
  let carried: unknown;
  if (envelope.kind === "processing-result") {
    carried = typeof payload.body === "string" ? parseOrNull(payload.body) : payload.body;
  } else {
    carried = payload.requestPayload;
  }
  return isObject(carried) && typeof carried.order_id === "string" ? carried.order_id : undefined;
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** What is wrong with an envelope that arrived for an expected one, or an empty list when it is right. */
export function mismatches(expected: ExpectedEnvelope, envelope: AnalyzedEnvelope, source: string): string[] {
  const problems: string[] = [];
  if (source !== expected.source) problems.push(`arrived at ${source}, expected at ${expected.source}`);
  if (envelope.kind !== expected.kind) problems.push(`is a ${envelope.kind ?? "payload of no known kind"}`);
  if (envelope.summary.outcome !== expected.outcome) problems.push(`outcome is ${envelope.summary.outcome}`);
  if (expected.condition !== undefined && envelope.summary.condition !== expected.condition) {
    problems.push(`condition is ${envelope.summary.condition ?? "missing"}`);
  }
  if (expected.attempts !== undefined && envelope.summary.attempts !== expected.attempts) {
    problems.push(`reports ${envelope.summary.attempts ?? "no"} attempts, expected ${expected.attempts}`);
  }
  if (!envelope.valid) problems.push("does not validate");
  return problems;
}

/** The kinds of payload and wrapper that lambda-dest knows; each has a schema in schemas/<kind>.schema.json. */
export const KINDS = [
  "invocation-record",
  "esm-failure-record",
  "sns-notification",
  "eventbridge-event",
  "sqs-message",
  "s3-object",
  "lambda-sqs-event",
  "lambda-sns-event",
  "processing-result",
  "article-envelope",
] as const;

export type Kind = (typeof KINDS)[number];

import type { Finding } from "../sources/finding.js";

export type { Finding };

export type Outcome = "success" | "failure" | "unknown";

/** What a person wants to know at a glance. */
export interface EnvelopeSummary {
  outcome: Outcome;
  kind: string | null;
  functionName?: string;
  qualifier?: string;
  condition?: string;
  attempts?: number;
  requestId?: string;
  /** The SQS message a processing result is about. */
  messageId?: string;
  time?: string;
  errorType?: string;
  errorMessage?: string;
  /** Extra facts, e.g. "dead-letter message" or "article envelope: AWS sends an invocation record". */
  notes: string[];
  /** What the condition means, for people reading `show` (e.g. why a record has no response). */
  explanation?: string;
}

/** One payload found in an input item, after unwrapping. */
export interface AnalyzedEnvelope {
  /** Kind of the innermost payload (detected or forced), or null when none fits. */
  kind: string | null;
  /** Kinds of the layers, outermost first, ending with the payload's kind. */
  layers: string[];
  valid: boolean;
  errors: Finding[];
  warnings: Finding[];
  /** The innermost payload, parsed. */
  payload: unknown;
  summary: EnvelopeSummary;
  /**
   * Where the payload is written. `path`: the pointer into the item to it, or to the JSON string it was
   * parsed from (an SQS Body, an SNS Message). `pointer`: the pointer into `text`, that string, or into the
   * item itself when `text` is absent. The text view reads from there the numbers that a double cannot hold
   * as written.
   */
  payloadAt?: { path: string; text?: string; pointer: string };
}

/** The attributes Lambda adds to an event it sends to a dead-letter queue. */
export interface DeadLetterInfo {
  requestId?: string;
  errorCode?: string;
  errorMessage?: string;
}

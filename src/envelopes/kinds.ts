import { readFileSync } from "node:fs";
import type { CompiledValidator } from "./compiled-validators.js";
import * as validators from "./compiled-validators.js";
import { findingsFromAjv } from "./schema-errors.js";
import type { Finding, Kind } from "./types.js";

export interface KindInfo {
  kind: Kind;
  /** One line for `lambda-dest schemas`. */
  summary: string;
  /** A wrapper carries another payload inside it; the others are payloads. */
  wrapper: boolean;
  validator: CompiledValidator;
}

export const KIND_INFO: Record<Kind, KindInfo> = {
  "invocation-record": {
    kind: "invocation-record",
    summary: "what Lambda sends to an async invocation's on-success or on-failure destination",
    wrapper: false,
    validator: validators.invocationRecord,
  },
  "esm-failure-record": {
    kind: "esm-failure-record",
    summary: "a Kinesis, DynamoDB Streams or Kafka event source mapping's discarded-batch record",
    wrapper: false,
    validator: validators.esmFailureRecord,
  },
  "sns-notification": {
    kind: "sns-notification",
    summary: "the SNS envelope around a published message (queue delivery without raw delivery)",
    wrapper: true,
    validator: validators.snsNotification,
  },
  "eventbridge-event": {
    kind: "eventbridge-event",
    summary: "the EventBridge 'Lambda Function Invocation Result' event around an invocation record",
    wrapper: true,
    validator: validators.eventbridgeEvent,
  },
  "sqs-message": {
    kind: "sqs-message",
    summary: "one SQS message as ReceiveMessage returns it (the record is its Body)",
    wrapper: true,
    validator: validators.sqsMessage,
  },
  "lambda-sqs-event": {
    kind: "lambda-sqs-event",
    summary: "the event a function triggered by an SQS queue receives (Records[].body)",
    wrapper: true,
    validator: validators.lambdaSqsEvent,
  },
  "lambda-sns-event": {
    kind: "lambda-sns-event",
    summary: "the event a function subscribed to an SNS topic receives (Records[].Sns.Message)",
    wrapper: true,
    validator: validators.lambdaSnsEvent,
  },
  "processing-result": {
    kind: "processing-result",
    summary: "the order-processor example's own SUCCESS/FAILURE result for each SQS record",
    wrapper: false,
    validator: validators.processingResult,
  },
  "article-envelope": {
    kind: "article-envelope",
    summary: "the seed article's illustrative envelope (AWS sends an invocation record instead)",
    wrapper: false,
    validator: validators.articleEnvelope,
  },
};

export function isKind(name: string): name is Kind {
  return Object.hasOwn(KIND_INFO, name);
}

/** Validates a value against a bundled kind's schema. */
export function validateAgainstKind(kind: Kind, value: unknown): Finding[] {
  const validator = KIND_INFO[kind].validator;
  if (validator(value)) return [];
  return findingsFromAjv(validator.errors, { schema: () => loadSchema(kind), data: value });
}

const SCHEMA_DIR = new URL("../../schemas/", import.meta.url);
const loadedSchemas = new Map<Kind, unknown>();

/** A bundled schema as it ships, read on first need (error messages quote its descriptions). */
export function loadSchema(kind: Kind): unknown {
  let schema = loadedSchemas.get(kind);
  if (schema === undefined) {
    schema = JSON.parse(readFileSync(new URL(`${kind}.schema.json`, SCHEMA_DIR), "utf8"));
    loadedSchemas.set(kind, schema);
  }
  return schema;
}

/** The text of a bundled schema file. */
export function schemaText(kind: Kind): string {
  return readFileSync(new URL(`${kind}.schema.json`, SCHEMA_DIR), "utf8");
}

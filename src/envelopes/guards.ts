/**
 * Type guards: a value is of a kind when it validates against that kind's bundled schema, the same check
 * `lambda-dest validate` makes (warnings, such as an unknown condition, do not make it fail).
 */
import { isObject } from "../values.js";
import { isReceiveMessageOutput as looksLikeReceiveMessageOutput } from "./detect.js";
import { validateAgainstKind } from "./kinds.js";
import type {
  DeadLetterMessage,
  EsmFailureRecord,
  EventBridgeEvent,
  FailureRecord,
  InvocationRecord,
  LambdaSnsEvent,
  LambdaSqsEvent,
  ProcessingResult,
  ReceiveMessageOutput,
  S3Object,
  SnsNotification,
  SqsMessage,
  SuccessRecord,
} from "./shapes.js";
import type { Kind } from "./types.js";

const fits = (kind: Kind, value: unknown) => validateAgainstKind(kind, value).length === 0;

/**
 * An invocation record. The payload types are yours to assert: the guard checks the record, not what
 * your function receives and returns.
 */
export function isInvocationRecord<Request = unknown, Response = unknown>(
  value: unknown,
): value is InvocationRecord<Request, Response> {
  return fits("invocation-record", value);
}

/** An invocation record of the on-success path (condition Success). */
export function isSuccessRecord<Request = unknown, Response = unknown>(
  value: unknown,
): value is SuccessRecord<Request, Response> {
  return isInvocationRecord(value) && value.requestContext.condition === "Success";
}

/** An invocation record of the on-failure path (any condition but Success). */
export function isFailureRecord<Request = unknown>(value: unknown): value is FailureRecord<Request> {
  return isInvocationRecord(value) && value.requestContext.condition !== "Success";
}

export function isEsmFailureRecord(value: unknown): value is EsmFailureRecord {
  return fits("esm-failure-record", value);
}

export function isProcessingResult(value: unknown): value is ProcessingResult {
  return fits("processing-result", value);
}

export function isSqsMessage(value: unknown): value is SqsMessage {
  return fits("sqs-message", value);
}

export function isS3Object(value: unknown): value is S3Object {
  return fits("s3-object", value);
}

/** An SQS message from a dead-letter queue: the attributes Lambda adds, and the original event as body. */
export function isDeadLetterMessage(value: unknown): value is DeadLetterMessage {
  if (!isSqsMessage(value) || !isObject(value.MessageAttributes)) return false;
  const attributes = value.MessageAttributes;
  return ["RequestID", "ErrorCode", "ErrorMessage"].every((name) => isObject(attributes[name]));
}

/** What `aws sqs receive-message` prints: every message must be one. */
export function isReceiveMessageOutput(value: unknown): value is ReceiveMessageOutput {
  return looksLikeReceiveMessageOutput(value) && value.Messages.every(isSqsMessage);
}

export function isSnsNotification(value: unknown): value is SnsNotification {
  return fits("sns-notification", value);
}

export function isEventBridgeEvent(value: unknown): value is EventBridgeEvent {
  return fits("eventbridge-event", value) && isInvocationRecord((value as { detail: unknown }).detail);
}

export function isLambdaSqsEvent(value: unknown): value is LambdaSqsEvent {
  return fits("lambda-sqs-event", value);
}

export function isLambdaSnsEvent(value: unknown): value is LambdaSnsEvent {
  return fits("lambda-sns-event", value);
}

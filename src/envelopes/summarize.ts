import { parseFunctionArn } from "../arn.js";
import { isObject } from "../values.js";
import type { DeadLetterInfo, EnvelopeSummary, Outcome } from "./types.js";

/** What a person wants to see first about a payload: outcome, function, condition, attempts, ids, time. */
export function summarize(
  kind: string | null,
  payload: unknown,
  notes: string[],
  deadLetter: DeadLetterInfo | undefined,
): EnvelopeSummary {
  const summary: EnvelopeSummary = { outcome: "unknown", kind, notes: [...notes] };
  if (deadLetter) {
    summary.outcome = "failure";
    summary.requestId = deadLetter.requestId;
    if (deadLetter.errorCode !== undefined) summary.errorType = `ErrorCode ${deadLetter.errorCode}`;
    summary.errorMessage = deadLetter.errorMessage;
    return summary;
  }
  if (!isObject(payload)) return summary;
  switch (kind) {
    case "invocation-record":
    case "esm-failure-record": {
      const context = isObject(payload.requestContext) ? payload.requestContext : {};
      const condition = typeof context.condition === "string" ? context.condition : undefined;
      summary.outcome = outcomeOfCondition(condition, kind);
      summary.condition = condition;
      if (condition !== undefined && Object.hasOwn(CONDITION_EXPLANATIONS, condition)) {
        summary.explanation = CONDITION_EXPLANATIONS[condition];
      }
      // A count a double cannot hold as written (1e400 is Infinity) is left to the payload view, as written.
      if (Number.isSafeInteger(context.approximateInvokeCount))
        summary.attempts = context.approximateInvokeCount as number;
      if (typeof context.requestId === "string") summary.requestId = context.requestId;
      if (typeof payload.timestamp === "string") summary.time = payload.timestamp;
      const arn = parseFunctionArn(context.functionArn);
      if (arn) {
        summary.functionName = arn.functionName;
        summary.qualifier = arn.qualifier;
      }
      if (kind === "invocation-record" && summary.outcome === "failure")
        describeError(payload.responsePayload, summary);
      if (kind === "esm-failure-record") summary.notes.push(describeBatch(payload));
      return summary;
    }
    case "processing-result": {
      summary.outcome =
        payload.status === "SUCCESS" ? "success" : payload.status === "FAILURE" ? "failure" : "unknown";
      if (typeof payload.message_id === "string") summary.messageId = payload.message_id;
      if (typeof payload.error === "string") summary.errorMessage = payload.error;
      return summary;
    }
    case "article-envelope": {
      summary.outcome =
        "invocationError" in payload ? "failure" : "invocationResponse" in payload ? "success" : "unknown";
      if (typeof payload.functionName === "string") summary.functionName = payload.functionName;
      const arn = parseFunctionArn(payload.functionArn);
      if (arn?.qualifier) summary.qualifier = arn.qualifier;
      if (typeof payload.invocationId === "string") summary.requestId = payload.invocationId;
      describeError(payload.invocationError, summary);
      return summary;
    }
    default:
      return summary;
  }
}

const CONDITION_EXPLANATIONS: Record<string, string> = {
  RetriesExhausted:
    "every attempt failed: Lambda retried up to the function's MaximumRetryAttempts, then gave up",
  EventAgeExceeded:
    "the event grew older than the function's MaximumEventAgeInSeconds before an attempt succeeded",
  ZeroReservedConcurrency: "the function's reserved concurrency is 0, so it never ran: no response exists",
  RetryAttemptsExhausted: "the batch failed on every retry and was discarded",
  RecordAgeExceeded: "the batch grew older than the mapping's MaximumRecordAgeInSeconds and was discarded",
  MaximumPayloadSizeExceeded: "the batch was larger than the destination accepts and was discarded",
};

function outcomeOfCondition(condition: string | undefined, kind: string): Outcome {
  if (kind === "esm-failure-record") return "failure";
  if (condition === undefined) return "unknown";
  return condition === "Success" ? "success" : "failure";
}

function describeError(error: unknown, summary: EnvelopeSummary): void {
  if (!isObject(error)) return;
  if (typeof error.errorType === "string") summary.errorType = error.errorType;
  if (typeof error.errorMessage === "string") summary.errorMessage = error.errorMessage;
}

function describeBatch(payload: Record<string, unknown>): string {
  for (const [key, source] of [
    ["KinesisBatchInfo", "Kinesis"],
    ["DDBStreamBatchInfo", "DynamoDB stream"],
    ["KafkaBatchInfo", "Kafka"],
  ] as const) {
    const info = payload[key];
    if (!isObject(info)) continue;
    const size = typeof info.batchSize === "number" ? `${info.batchSize} record(s)` : "a batch";
    const from = info.streamArn ?? info.eventSourceArn;
    return `${source} batch of ${size}${typeof from === "string" ? ` from ${from}` : ""} was discarded`;
  }
  return "discarded batch";
}

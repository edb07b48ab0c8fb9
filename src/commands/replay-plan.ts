/**
 * What `replay` does with each value it reads: which function gets which bytes, or why the value is not
 * replayed. Pure: the values come from a queue, a bucket or files; nothing here talks to AWS.
 *
 * The payload sent is the request as written in the record's text, byte for byte: the slice of the text
 * that holds `requestPayload` (or a dead-letter message's body), never a re-serialisation of the parsed
 * value, which would turn 1e400 into null, -0 into 0 and lose key order and spacing.
 */
import { parseFunctionArn } from "../arn.js";
import { analyzeSafely } from "../envelopes/analyze.js";
import type { AnalyzedEnvelope } from "../envelopes/types.js";
import type { ReplayItem, ReplayKind, ReplayOrigin } from "../render/replay.js";
import { valueSpanAt } from "../sources/positions.js";

export type { ReplayItem, ReplayKind, ReplayOrigin };

export interface PlanOptions {
  functionName?: string;
  qualifier?: string;
  includeSuccess: boolean;
}

/**
 * The items in one value read from a source. `text` is the value's JSON text as read (an SQS body is
 * reached through the analysed layers); `value` the parsed value (an SDK message for a queue).
 */
export function planValue(
  value: unknown,
  text: string | undefined,
  origin: ReplayOrigin,
  options: PlanOptions,
): ReplayItem[] {
  // A line that `tail --json` or `tail --out` wrote: its payload is the envelope, as the line holds it.
  if (isTailLine(value) && text !== undefined) {
    const span = valueSpanAt(text, "/payload");
    if (span) {
      const inner = text.slice(span.start, span.end);
      const layers = value.layers as unknown[];
      const deadLetter = isDeadLetterSummary(value.summary);
      if (deadLetter && layers.includes("sqs-message")) {
        return [deadLetterItem(inner, origin, options, requestIdOf(value.summary))];
      }
      return planValue(value.payload, inner, origin, options);
    }
  }
  const envelopes = analyzeSafely(value);
  if (envelopes.length === 0) return [{ origin, kind: "other", skip: "holds no envelope" }];
  return envelopes.map((envelope) => planEnvelope(envelope, text, origin, options));
}

function planEnvelope(
  envelope: AnalyzedEnvelope,
  itemText: string | undefined,
  origin: ReplayOrigin,
  options: PlanOptions,
): ReplayItem {
  const at = envelope.payloadAt;
  const text = at?.text ?? itemText;
  const pointer = at?.pointer ?? "";
  if (envelope.kind === "invocation-record") {
    const record = envelope.payload as {
      requestContext?: { requestId?: unknown; functionArn?: unknown; condition?: unknown };
    };
    const condition =
      typeof record.requestContext?.condition === "string" ? record.requestContext.condition : undefined;
    const requestId =
      typeof record.requestContext?.requestId === "string" ? record.requestContext.requestId : undefined;
    const success = condition === "Success";
    const item: ReplayItem = {
      origin,
      kind: success ? "success-record" : "failure-record",
      condition,
      originalRequestId: requestId,
    };
    if (success && !options.includeSuccess) {
      return { ...item, skip: "a Success record: its event was processed (--include-success replays it)" };
    }
    const target = targetOf(record.requestContext?.functionArn, options);
    if ("problem" in target) return { ...item, skip: target.problem };
    const span = text === undefined ? undefined : valueSpanAt(text, `${pointer}/requestPayload`);
    if (!span || text === undefined) {
      return { ...item, ...target, skip: "the record holds no requestPayload to send" };
    }
    return {
      ...item,
      ...target,
      payload: text.slice(span.start, span.end),
      needsConcurrency: condition === "ZeroReservedConcurrency" ? true : undefined,
    };
  }
  if (envelope.kind === "sqs-message" && isDeadLetterSummary(envelope.summary)) {
    // The body of a dead-letter message is the original event, as the message carries it.
    const body = at?.text;
    if (body === undefined) return { origin, kind: "dead-letter", skip: "the message has no body" };
    return deadLetterItem(body, origin, options, envelope.summary.requestId);
  }
  if (envelope.kind === "esm-failure-record") {
    return { origin, kind: "esm-failure", skip: explainEsmRecord(envelope.payload) };
  }
  const what = envelope.kind === null ? "not a destination record" : `a ${envelope.kind}, not a record`;
  return { origin, kind: "other", skip: `${what}: nothing to replay` };
}

function deadLetterItem(
  body: string,
  origin: ReplayOrigin,
  options: PlanOptions,
  requestId: string | undefined,
): ReplayItem {
  const item: ReplayItem = { origin, kind: "dead-letter", originalRequestId: requestId, payload: body };
  if (!options.functionName) {
    return { ...item, skip: "a dead-letter message does not name its function: give --function" };
  }
  return { ...item, functionName: options.functionName, qualifier: options.qualifier };
}

/** The function and qualifier to invoke: --function/--qualifier, else the record's functionArn. */
function targetOf(
  functionArn: unknown,
  options: PlanOptions,
): { functionName: string; qualifier?: string } | { problem: string } {
  if (options.functionName) return { functionName: options.functionName, qualifier: options.qualifier };
  const parts = parseFunctionArn(functionArn);
  if (!parts) return { problem: "requestContext.functionArn is not a function ARN: give --function" };
  // The unqualified ARN, so that the qualifier is a separate, visible choice.
  const arn = `arn:${String(functionArn).split(":")[1]}:lambda:${parts.region}:${parts.account}:function:${parts.functionName}`;
  return { functionName: arn, qualifier: options.qualifier ?? parts.qualifier };
}

function isTailLine(value: unknown): value is { layers: unknown[]; payload: unknown; summary?: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const line = value as Record<string, unknown>;
  return (
    line.version === 1 &&
    Array.isArray(line.layers) &&
    typeof line.receivedAt === "string" &&
    "payload" in line
  );
}

function isDeadLetterSummary(summary: unknown): boolean {
  const notes = (summary as { notes?: unknown } | undefined)?.notes;
  return (
    Array.isArray(notes) && notes.some((note) => typeof note === "string" && note.startsWith("dead-letter"))
  );
}

function requestIdOf(summary: unknown): string | undefined {
  const id = (summary as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === "string" ? id : undefined;
}

/** What an event source mapping's failure record points at, and how to read those records. */
export function explainEsmRecord(record: unknown): string {
  const value = record as Record<string, Record<string, unknown> | undefined>;
  const stream = value.KinesisBatchInfo ?? value.DDBStreamBatchInfo;
  const not = "not replayable by re-invoking: the record names a batch, not its events";
  if (stream) {
    const isKinesis = value.KinesisBatchInfo !== undefined;
    const shard = String(stream.shardId ?? "?");
    const start = String(stream.startSequenceNumber ?? "?");
    const end = String(stream.endSequenceNumber ?? "?");
    const arn = String(stream.streamArn ?? "?");
    const read = isKinesis
      ? `aws kinesis get-shard-iterator --stream-arn ${arn} --shard-id ${shard} --shard-iterator-type AT_SEQUENCE_NUMBER --starting-sequence-number ${start}, then aws kinesis get-records`
      : `aws dynamodbstreams get-shard-iterator --stream-arn ${arn} --shard-id ${shard} --shard-iterator-type AT_SEQUENCE_NUMBER --sequence-number ${start}, then aws dynamodbstreams get-records`;
    return `${not} (shard ${shard}, sequence numbers ${start} to ${end}); read them with ${read} (while the stream still holds them)`;
  }
  const kafka = value.KafkaBatchInfo;
  if (kafka) {
    const partitions = Object.entries((kafka.recordsInfo as Record<string, Record<string, unknown>>) ?? {})
      .map(
        ([partition, info]) =>
          `${partition} offsets ${String(info.firstRecordOffset)}-${String(info.lastRecordOffset)}`,
      )
      .join(", ");
    return `${not} (Kafka ${partitions || "batch"}); read those offsets from the topic with a Kafka consumer`;
  }
  return `${not}`;
}

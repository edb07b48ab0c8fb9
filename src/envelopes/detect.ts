import { isObject } from "../values.js";
import type { Kind } from "./types.js";

const BATCH_INFO_KEYS = ["KinesisBatchInfo", "DDBStreamBatchInfo", "KafkaBatchInfo"] as const;

/** Keys that SDKs add beside the data of a response (boto3's ResponseMetadata, SDK v3's $metadata). */
const RESPONSE_METADATA_KEYS = new Set(["Messages", "ResponseMetadata", "$metadata"]);

/** ReceiveMessage output as the AWS CLI prints it (`{"Messages": [...]}`), or as an SDK returns it. */
export function isReceiveMessageOutput(value: unknown): value is { Messages: unknown[] } {
  return (
    isObject(value) &&
    Array.isArray(value.Messages) &&
    Object.keys(value).every((key) => RESPONSE_METADATA_KEYS.has(key))
  );
}

/**
 * Names the kind of a value from its shape alone, leniently: a value that looks like a kind is reported
 * as that kind even when it breaks the kind's rules, so that validation can say what is wrong with it.
 */
export function detectKind(value: unknown): Kind | null {
  if (!isObject(value)) return null;
  if (Array.isArray(value.Records)) {
    const first = value.Records[0];
    if (isObject(first)) {
      const source = first.eventSource ?? first.EventSource;
      if (source === "aws:sqs" || ("body" in first && "messageId" in first)) return "lambda-sqs-event";
      if (source === "aws:sns" || "Sns" in first) return "lambda-sns-event";
    }
    return null;
  }
  if ("Body" in value && ("MessageId" in value || "ReceiptHandle" in value)) return "sqs-message";
  if ("Bucket" in value && "Key" in value && "Body" in value) return "s3-object";
  if ("TopicArn" in value && "Message" in value && ("Type" in value || "MessageId" in value)) {
    return "sns-notification";
  }
  if ("detail-type" in value && "detail" in value) return "eventbridge-event";
  if (BATCH_INFO_KEYS.some((key) => key in value)) return "esm-failure-record";
  if ("requestContext" in value && ("requestPayload" in value || "responsePayload" in value)) {
    return "invocation-record";
  }
  if (
    isObject(value.requestContext) &&
    ("condition" in value.requestContext || "functionArn" in value.requestContext)
  ) {
    return "invocation-record";
  }
  if ("invocationRequest" in value || ("invocationId" in value && "functionArn" in value))
    return "article-envelope";
  if ("message_id" in value && "status" in value) return "processing-result";
  return null;
}

/**
 * The layers a record travels in, built as AWS builds them: an SQS message's Body and an
 * SNS notification's Message hold the layer below as text, byte for byte; an EventBridge event holds the
 * record as an object with its keys sorted.
 */
import { createHash } from "node:crypto";
import { compactNode, parseJsonText, prettyNode, sortKeys } from "./json-text.js";
import type { Wrapper } from "./options.js";
import type { Random } from "./random.js";

export interface Place {
  partition: string;
  region: string;
  account: string;
  functionName: string;
  /** The qualified ARN, for EventBridge's resources. */
  functionArn: string;
  /** "amazonaws.com", or "amazonaws.com.cn" in the China partition. */
  domain: string;
  /** The SNS signing certificate of the region (the same for every message of a run). */
  certificateId: string;
}

export interface DeadLetterAttributes {
  RequestID: string;
  ErrorCode: string;
  ErrorMessage: string;
}

export interface WrapContext {
  rng: Random;
  place: Place;
  /** Milliseconds since the epoch; each layer happens a little after the one it wraps. */
  clock: number;
  /** Names the destination after the outcome: a function's on-success and on-failure targets differ. */
  outcome: "success" | "failure";
  /** For an EventBridge event: the record's condition. */
  condition?: string;
  /** The attributes Lambda adds to a dead-letter message, on the first SQS layer. */
  deadLetter?: DeadLetterAttributes;
}

const json = JSON.stringify;

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

/**
 * MD5OfMessageAttributes as SQS computes it: for each attribute in name order, the name, the data type
 * and the value, each preceded by its length as 4 big-endian bytes, the value also by its transport type
 * (1 for String and Number). See the SQS developer guide, "Calculating the MD5 message digest for
 * message attributes".
 */
export function md5OfMessageAttributes(
  attributes: Record<string, { DataType: string; StringValue: string }>,
): string {
  const hash = createHash("md5");
  const withLength = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name]!;
    withLength(name);
    withLength(attribute.DataType);
    hash.update(Buffer.from([1]));
    withLength(attribute.StringValue);
  }
  return hash.digest("hex");
}

function advance(context: WrapContext, minMs: number, maxMs: number): number {
  context.clock += context.rng.int(minMs, maxMs);
  return context.clock;
}

function arn(context: WrapContext, service: string, resource: string): string {
  const { partition, region, account } = context.place;
  return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}

function queueName(context: WrapContext): string {
  return context.deadLetter
    ? `${context.place.functionName}-dlq`
    : `${context.place.functionName}-${context.outcome}`;
}

function topicName(context: WrapContext): string {
  return `${context.place.functionName}-${context.outcome}-events`;
}

function receiptHandle(rng: Random): string {
  return `AQEB${rng.base64(129)}`;
}

function deadLetterAttributes(
  attributes: DeadLetterAttributes,
): Record<string, { DataType: string; StringValue: string }> {
  return {
    RequestID: { DataType: "String", StringValue: attributes.RequestID },
    ErrorCode: { DataType: "Number", StringValue: attributes.ErrorCode },
    ErrorMessage: { DataType: "String", StringValue: attributes.ErrorMessage },
  };
}

/** One message as ReceiveMessage returns it (the SDK's and the AWS CLI's form). */
function sqsMessage(body: string, context: WrapContext): string {
  const { rng } = context;
  advance(context, 15, 400);
  let text = `{"MessageId":${json(rng.uuid())},"ReceiptHandle":${json(receiptHandle(rng))},"MD5OfBody":${json(md5(body))},"Body":${json(body)}`;
  if (context.deadLetter) {
    const attributes = deadLetterAttributes(context.deadLetter);
    const entries = Object.entries(attributes).map(
      ([name, value]) =>
        `${json(name)}:{"StringValue":${json(value.StringValue)},"DataType":${json(value.DataType)}}`,
    );
    text += `,"MD5OfMessageAttributes":${json(md5OfMessageAttributes(attributes))},"MessageAttributes":{${entries.join(",")}}`;
    context.deadLetter = undefined;
  }
  return `${text}}`;
}

/** The event a function triggered by the queue receives, one record. */
function lambdaSqsEvent(body: string, context: WrapContext): string {
  const { rng, place } = context;
  const sent = advance(context, 15, 400);
  const received = advance(context, 5, 2000);
  let messageAttributes = "{}";
  if (context.deadLetter) {
    const attributes = deadLetterAttributes(context.deadLetter);
    messageAttributes = `{${Object.entries(attributes)
      .map(
        ([name, value]) =>
          `${json(name)}:{"stringValue":${json(value.StringValue)},"stringListValues":[],"binaryListValues":[],"dataType":${json(value.DataType)}}`,
      )
      .join(",")}}`;
    context.deadLetter = undefined;
  }
  const attributes = `{"ApproximateReceiveCount":"1","SentTimestamp":"${sent}","SenderId":${json(`AROA${rng.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17)}`)},"ApproximateFirstReceiveTimestamp":"${received}"}`;
  const record = `{"messageId":${json(rng.uuid())},"receiptHandle":${json(receiptHandle(rng))},"body":${json(body)},"attributes":${attributes},"messageAttributes":${messageAttributes},"md5OfBody":${json(md5(body))},"eventSource":"aws:sqs","eventSourceARN":${json(arn(context, "sqs", queueName(context)))},"awsRegion":${json(place.region)}}`;
  return `{"Records":[${record}]}`;
}

function snsFields(context: WrapContext) {
  const { rng, place } = context;
  const time = new Date(advance(context, 20, 300)).toISOString();
  const topicArn = arn(context, "sns", topicName(context));
  const host = `https://sns.${place.region}.${place.domain}`;
  return {
    messageId: rng.uuid(5),
    topicArn,
    time,
    // SignatureVersion 1 signs with SHA1withRSA and a 2048-bit key: 256 bytes of signature.
    signature: rng.base64(256),
    certificateUrl: `${host}/SimpleNotificationService-${place.certificateId}.pem`,
    unsubscribeUrl: `${host}/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${rng.uuid()}`,
  };
}

/**
 * The notification SNS delivers to a queue without raw message delivery. SNS writes it with two-space
 * indentation and " : " between key and value, and no Subject when the publisher gave none.
 */
function snsNotification(message: string, context: WrapContext): string {
  const fields = snsFields(context);
  const lines = [
    ["Type", "Notification"],
    ["MessageId", fields.messageId],
    ["TopicArn", fields.topicArn],
    ["Message", message],
    ["Timestamp", fields.time],
    ["SignatureVersion", "1"],
    ["Signature", fields.signature],
    ["SigningCertURL", fields.certificateUrl],
    ["UnsubscribeURL", fields.unsubscribeUrl],
  ].map(([key, value]) => `  ${json(key)} : ${json(value)}`);
  return `{\n${lines.join(",\n")}\n}`;
}

/** The event a function subscribed to the topic receives (SigningCertUrl/UnsubscribeUrl spelling). */
function lambdaSnsEvent(message: string, context: WrapContext): string {
  const fields = snsFields(context);
  const subscriptionArn = fields.unsubscribeUrl.slice(fields.unsubscribeUrl.indexOf("SubscriptionArn=") + 16);
  const sns = `{"Type":"Notification","MessageId":${json(fields.messageId)},"TopicArn":${json(fields.topicArn)},"Subject":null,"Message":${json(message)},"Timestamp":${json(fields.time)},"SignatureVersion":"1","Signature":${json(fields.signature)},"SigningCertUrl":${json(fields.certificateUrl)},"UnsubscribeUrl":${json(fields.unsubscribeUrl)},"MessageAttributes":{}}`;
  return `{"Records":[{"EventSource":"aws:sns","EventVersion":"1.0","EventSubscriptionArn":${json(subscriptionArn)},"Sns":${sns}}]}`;
}

/** The EventBridge destination's event: the record as `detail`, keys sorted; time to the second. */
function eventBridgeEvent(record: string, context: WrapContext): string {
  const { rng, place } = context;
  const time = `${new Date(advance(context, 10, 900)).toISOString().slice(0, 19)}Z`;
  const success = context.condition === "Success";
  const detailType = `Lambda Function Invocation Result - ${success ? "Success" : "Failure"}`;
  const resources = [arn(context, "events", "event-bus/default"), place.functionArn];
  const detail = compactNode(sortKeys(parseJsonText(record)));
  return `{"version":"0","id":${json(rng.uuid())},"detail-type":${json(detailType)},"source":"lambda","account":${json(place.account)},"time":${json(time)},"region":${json(place.region)},"resources":${json(resources)},"detail":${detail}}`;
}

/** What `aws sqs receive-message` prints: the messages, indented by four spaces as the CLI does. */
function cliReceiveOutput(message: string): string {
  return prettyNode(parseJsonText(`{"Messages":[${message}]}`), 4);
}

/** Applies one wrapper to the text of the layer below. */
export function applyWrapper(wrapper: Wrapper, inner: string, context: WrapContext): string {
  switch (wrapper) {
    case "sqs":
      return sqsMessage(inner, context);
    case "lambda-sqs-event":
      return lambdaSqsEvent(inner, context);
    case "sns":
      return snsNotification(inner, context);
    case "lambda-sns-event":
      return lambdaSnsEvent(inner, context);
    case "eventbridge":
      return eventBridgeEvent(inner, context);
    case "cli-receive":
      return cliReceiveOutput(inner);
    case "s3":
      // The object holds the record itself; its key is reported beside the item.
      return inner;
  }
}

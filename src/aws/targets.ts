import { type FunctionReference, parseArn, splitFunctionName } from "../arn.js";
/**
 * Queues, topics and functions as users name them: a name, a URL or an ARN, or (for tail) a prefixed name.
 * Pure parsing; resolving names against AWS happens in sqs.ts / sns.ts.
 */
import { UsageError } from "../errors.js";

export interface QueueReference {
  type: "queue";
  name: string;
  url?: string;
  arn?: string;
  region?: string;
  accountId?: string;
}

export interface TopicReference {
  type: "topic";
  name: string;
  arn?: string;
  region?: string;
  accountId?: string;
}

/** A function to watch or invoke: the reference, and the text given, passed to Lambda as FunctionName. */
export interface FunctionTarget extends FunctionReference {
  type: "function";
  /** What Lambda accepts as FunctionName: a name, a name:qualifier, or an ARN. */
  functionName: string;
}

/** A bucket and a key prefix (`s3://BUCKET[/PREFIX]`, or an S3 destination's ARN). */
export interface BucketReference {
  type: "bucket";
  bucket: string;
  /** "" for the whole bucket. */
  prefix: string;
}

/** An EventBridge bus: `events:NAME`, or its ARN. */
export interface BusReference {
  type: "bus";
  /** The name, or the ARN when given one (EventBridge accepts either). */
  name: string;
  region?: string;
}

/** A bare name that could be a topic or a queue; resolving it asks AWS. */
export interface EitherReference {
  type: "either";
  name: string;
}

export type TargetReference =
  | QueueReference
  | TopicReference
  | FunctionTarget
  | BucketReference
  | BusReference
  | EitherReference;

/** `events:NAME` (or `eventbridge:NAME`), or arn:aws:events:REGION:ACCOUNT:event-bus/NAME. */
export function parseBusReference(text: string): BusReference {
  const given = text.trim();
  if (given.startsWith("arn:")) {
    const arn = parseArn(given);
    if (arn?.service !== "events" || !/^event-bus\/[A-Za-z0-9._\-/]{1,256}$/.test(arn.resource)) {
      throw new UsageError(`"${given}" is not an EventBridge bus ARN`);
    }
    return { type: "bus", name: given, region: arn.region || undefined };
  }
  const name = given.replace(/^(events|eventbridge):/, "");
  if (!/^[A-Za-z0-9._\-/]{1,256}$/.test(name)) {
    throw new UsageError(
      `"${given}" is not an event bus name (events:NAME; default is the account's default bus)`,
    );
  }
  return { type: "bus", name };
}

/** S3's bucket naming rules: 3-63 characters, lowercase letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://BUCKET[/PREFIX]`, or an S3 bucket ARN (arn:aws:s3:::BUCKET), as a bucket and a prefix. */
export function parseBucketReference(text: string): BucketReference {
  const given = text.trim();
  let rest: string;
  if (given.startsWith("arn:")) {
    const arn = parseArn(given);
    if (arn?.service !== "s3") throw new UsageError(`"${given}" is not an S3 bucket ARN`);
    rest = arn.resource;
  } else if (/^s3:\/\//i.test(given)) {
    rest = given.slice("s3://".length);
  } else {
    throw new UsageError(`"${given}" is not an s3://BUCKET[/PREFIX] URL`);
  }
  const slash = rest.indexOf("/");
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? "" : rest.slice(slash + 1);
  if (!BUCKET_NAME.test(bucket)) {
    throw new UsageError(
      `"${given}" does not name a bucket: give s3://BUCKET[/PREFIX] (bucket names use 3-63 lowercase letters, digits, dots and hyphens)`,
    );
  }
  if (prefix.length > 1024) throw new UsageError(`the prefix of "${given}" is longer than S3's 1,024 bytes`);
  return { type: "bucket", bucket, prefix };
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

function checkQueueName(name: string, given: string): string {
  if (!QUEUE_NAME.test(name) || name.length > 80) {
    throw new UsageError(
      `"${given}" is not a queue name, URL or ARN (names use letters, digits, - and _, up to 80 characters)`,
    );
  }
  return name;
}

function checkTopicName(name: string, given: string): string {
  if (!TOPIC_NAME.test(name)) {
    throw new UsageError(`"${given}" is not a topic name or ARN (names use letters, digits, - and _)`);
  }
  return name;
}

export function parseQueueReference(text: string): QueueReference {
  const given = text.trim();
  if (given === "") throw new UsageError("the queue is empty: give a queue name, URL or ARN");
  if (/^https?:\/\//i.test(given)) {
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      throw new UsageError(`"${given}" is not a valid queue URL`);
    }
    const parts = url.pathname.split("/").filter(Boolean);
    const name = parts[parts.length - 1];
    if (!name) throw new UsageError(`"${given}" is not a queue URL (no queue name in its path)`);
    // https://sqs.eu-west-1.amazonaws.com/... (and the legacy eu-west-1.queue.amazonaws.com) say their region.
    const region =
      /^sqs\.([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(url.hostname)?.[1] ??
      /^([a-z]{2}(?:-[a-z]+)+-\d+)\.queue\./.exec(url.hostname)?.[1];
    return {
      type: "queue",
      name,
      url: given,
      accountId: parts.length >= 2 ? parts[parts.length - 2] : undefined,
      region,
    };
  }
  if (given.startsWith("arn:")) {
    const arn = parseArn(given);
    if (arn?.service !== "sqs") throw new UsageError(`"${given}" is not an SQS queue ARN`);
    return {
      type: "queue",
      name: checkQueueName(arn.resource, given),
      arn: given,
      region: arn.region,
      accountId: arn.accountId,
    };
  }
  const name = given.startsWith("sqs:") ? given.slice(4) : given;
  return { type: "queue", name: checkQueueName(name, given) };
}

export function parseTopicReference(text: string): TopicReference {
  const given = text.trim();
  if (given === "") throw new UsageError("the topic is empty: give a topic name or ARN");
  if (given.startsWith("arn:")) {
    const arn = parseArn(given);
    if (arn?.service !== "sns" || arn.resource.includes(":")) {
      throw new UsageError(`"${given}" is not an SNS topic ARN`);
    }
    return {
      type: "topic",
      name: checkTopicName(arn.resource, given),
      arn: given,
      region: arn.region,
      accountId: arn.accountId,
    };
  }
  const name = given.startsWith("sns:") ? given.slice(4) : given;
  return { type: "topic", name: checkTopicName(name, given) };
}

export function parseFunctionReference(text: string): FunctionTarget {
  const given = text.trim();
  if (given === "") throw new UsageError("the function is empty: give a function name or ARN");
  const reference = splitFunctionName(given);
  if (!reference) {
    throw new UsageError(
      given.startsWith("arn:")
        ? `"${given}" is not a Lambda function ARN`
        : `"${given}" is not a function name (or name:qualifier) or ARN`,
    );
  }
  return { type: "function", functionName: given, ...reference };
}

/** Parses a `tail` target: `function:NAME`, `sqs:NAME`, `sns:NAME`, a queue URL, an ARN, or a bare name. */
export function parseTailTarget(text: string): TargetReference {
  const given = text.trim();
  if (given.startsWith("function:")) return parseFunctionReference(given.slice("function:".length));
  if (given.startsWith("sqs:") || /^https?:\/\//i.test(given)) return parseQueueReference(given);
  if (/^s3:\/\//i.test(given)) return parseBucketReference(given);
  if (/^(events|eventbridge):/.test(given)) return parseBusReference(given);
  if (given.startsWith("sns:")) return parseTopicReference(given);
  if (given.startsWith("arn:")) {
    const arn = parseArn(given);
    if (arn?.service === "sqs") return parseQueueReference(given);
    if (arn?.service === "sns") return parseTopicReference(given);
    if (arn?.service === "lambda") return parseFunctionReference(given);
    if (arn?.service === "s3") return parseBucketReference(given);
    if (arn?.service === "events") return parseBusReference(given);
    throw new UsageError(
      `cannot tail "${given}": give an SNS topic, an SQS queue, events:BUS, s3://BUCKET[/PREFIX], or function:NAME`,
    );
  }
  if (!QUEUE_NAME.test(given) && !TOPIC_NAME.test(given)) {
    throw new UsageError(
      `"${given}" is not a topic or queue name, URL or ARN, nor function:NAME (sns:NAME / sqs:NAME force one)`,
    );
  }
  return { type: "either", name: given };
}

/** Whether a queue or topic name or ARN designates a FIFO one. */
export function isFifoName(nameOrArn: string): boolean {
  return nameOrArn.endsWith(".fifo");
}

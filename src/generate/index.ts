/**
 * `generate`: realistic envelopes of every kind, built as text in AWS's key order with the caller's
 * request kept byte for byte. Pure: everything comes from the seed and the options.
 */

import { randomInt } from "node:crypto";
import type {
  DeadLetterMessage,
  EsmFailureRecord,
  EventBridgeEvent,
  InvocationRecord,
  LambdaSnsEvent,
  LambdaSqsEvent,
  ProcessingResult,
  ReceiveMessageOutput,
  SnsNotification,
  SqsMessage,
} from "../envelopes/shapes.js";
import { UsageError } from "../errors.js";
import { parseJsonText, prettyNode } from "./json-text.js";
import {
  ESM_SOURCES,
  type EsmSource,
  type GenerateKind,
  type GenerateOptions,
  type Plan,
  RUNTIMES,
  type Runtime,
  resolveOptions,
  type Wrapper,
} from "./options.js";
import { Random } from "./random.js";
import { crashError, type ErrorSite, runtimeError, timeoutError } from "./runtime-errors.js";
import { SCENARIOS, type Scenario } from "./scenarios.js";
import { applyWrapper, type DeadLetterAttributes, type Place, type WrapContext } from "./wrappers.js";

export {
  ESM_CONDITIONS,
  ESM_SOURCES,
  type EsmSource,
  GENERATE_KINDS,
  type GenerateKind,
  type GenerateOptions,
  INVOCATION_CONDITIONS,
  MAX_COUNT,
  MAX_REQUEST_BYTES,
  RUNTIMES,
  type Runtime,
  resolveOptions,
  WRAPPERS,
  type Wrapper,
} from "./options.js";

/** One generated item. */
export interface GeneratedText {
  /** The item as AWS would deliver it: compact JSON (the AWS CLI's output is indented, as the CLI prints it). */
  text: string;
  /** For `--wrap s3`: the key Lambda gives the object. */
  s3Key?: string;
}

/** The shape of what a kind is, as generated without wrappers. */
export interface GeneratedPayloads {
  "invocation-record": InvocationRecord;
  "esm-failure-record": EsmFailureRecord;
  "dlq-message": DeadLetterMessage;
  "processing-result": ProcessingResult;
}

export interface WrapperShapes {
  sqs: SqsMessage;
  sns: SnsNotification;
  eventbridge: EventBridgeEvent;
  "lambda-sqs-event": LambdaSqsEvent;
  "lambda-sns-event": LambdaSnsEvent;
  "cli-receive": ReceiveMessageOutput;
}

/** What a generated item is: its outermost wrapper, or the payload itself (an S3 object holds the record). */
export type Generated<K extends GenerateKind, W extends readonly Wrapper[]> = W extends readonly []
  ? GeneratedPayloads[K]
  : W extends readonly [...unknown[], infer Last extends Wrapper]
    ? Last extends keyof WrapperShapes
      ? WrapperShapes[Last]
      : GeneratedPayloads[K]
    : unknown;

export interface GeneratedItem<T = unknown> {
  /** The item parsed. */
  value: T;
  /** The item as text, byte for byte as AWS delivers it (a request given as JSON text keeps its bytes). */
  text: string;
  /** For `wrap: ["s3"]`: the object key Lambda uses. */
  s3Key?: string;
}

/**
 * Realistic envelopes for tests: `count` items (default 1) of `kind`, wrapped as `wrap` says (innermost
 * first). The same `seed` and options give the same items; without a seed the items are random and
 * their times are now. Throws UsageError (a one-line message naming the CLI flag) on bad options.
 */
export function generate<K extends GenerateKind, const W extends readonly Wrapper[] = []>(
  kind: K,
  options: GenerateOptions & { wrap?: W } = {},
): Array<GeneratedItem<Generated<K, W>>> {
  const items: Array<GeneratedItem<Generated<K, W>>> = [];
  for (const item of generateTexts(
    kind,
    withDefaultSeed(options, () => new Date()),
  )) {
    items.push({ value: JSON.parse(item.text), ...item });
  }
  return items;
}

/** SNS drops what Lambda publishes beyond 256 KB; `validate` warns from 240 KB. */
const SNS_MESSAGE_MAX_BYTES = 240 * 1024;
/** An SQS message, attributes included, is at most 1 MiB. */
const SQS_MESSAGE_MAX_BYTES = 1024 * 1024;
/** 2025-01-01T00:00:00Z: seeded times fall in the year after it. */
const SEEDED_EPOCH = Date.UTC(2025, 0, 1);
const REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-2",
  "eu-west-1",
  "eu-central-1",
  "ap-southeast-2",
  "ap-northeast-1",
];

interface Scene {
  rng: Random;
  plan: Plan;
  place: Place;
  scenario: Scenario;
  qualifier: string;
  executedVersion: string;
  /** The runtime of the function; `explicit` when the caller chose it (then every failure has its shape). */
  runtime: Runtime;
  runtimeExplicit: boolean;
  timeoutSeconds: string;
  source: EsmSource;
  esm: EsmPlace;
  clock: number;
}

interface EsmPlace {
  mappingId: string;
  streamName: string;
  tableName: string;
  streamLabel: string;
  kinesisShard: string;
  dynamoShard: string;
  cluster: string;
  clusterArn: string;
  bootstrapServers: string;
  topic: string;
  partition: number;
}

function makeScene(plan: Plan, seed: number): Scene {
  const rng = new Random(seed);
  const scenario = rng.pick(SCENARIOS);
  const functionName = plan.fn.name ?? rng.pick(scenario.functionNames);
  const region = plan.fn.region ?? rng.pick(REGIONS);
  const account = plan.fn.account ?? rng.digits(12);
  const qualifier = plan.fn.qualifier ?? "$LATEST";
  const executedVersion =
    qualifier === "$LATEST" || /^\d+$/.test(qualifier) ? qualifier : String(rng.int(1, 60));
  const partition = plan.fn.partition;
  const place: Place = {
    partition,
    region,
    account,
    functionName,
    functionArn: `arn:${partition}:lambda:${region}:${account}:function:${functionName}:${qualifier}`,
    domain: partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com",
    certificateId: rng.hex(32),
  };
  const runtime = plan.runtime ?? rng.pick(RUNTIMES);
  const cluster = `${scenario.module}-${rng.pick(["prod", "events", "stream"])}`;
  const brokerId = rng.chars("abcdefghijklmnopqrstuvwxyz0123456789", 6);
  const esm: EsmPlace = {
    mappingId: rng.uuid(),
    streamName: `${scenario.module}-stream`,
    tableName: scenario.module,
    streamLabel: new Date(SEEDED_EPOCH - rng.int(1, 400) * 86_400_000 + rng.int(0, 86_399_999))
      .toISOString()
      .slice(0, 23),
    kinesisShard: `shardId-${rng.digits(1).padStart(12, "0")}`,
    dynamoShard: `shardId-${rng.digits(20)}-${rng.hex(8)}`,
    cluster,
    clusterArn: `arn:${partition}:kafka:${region}:${account}:cluster/${cluster}/${rng.uuid()}-${rng.int(1, 9)}`,
    bootstrapServers: [1, 2, 3]
      .map((broker) => `b-${broker}.${cluster}.${brokerId}.c2.kafka.${region}.amazonaws.com:9098`)
      .join(","),
    topic: scenario.module,
    partition: rng.int(0, 5),
  };
  return {
    rng,
    plan,
    place,
    scenario,
    qualifier,
    executedVersion,
    runtime,
    runtimeExplicit: plan.runtime !== undefined,
    timeoutSeconds: rng.pick(["3.00", "10.00", "30.00", "60.00", "900.00"]),
    source: plan.source ?? rng.pick(ESM_SOURCES),
    esm,
    clock: plan.time ? plan.time.getTime() : SEEDED_EPOCH + rng.int(0, 364 * 86_400) * 1000 + rng.int(0, 999),
  };
}

/** Yields the items one by one (constant memory whatever `count`); throws UsageError for bad options. */
export function* generateTexts(
  kind: GenerateKind | string,
  options: GenerateOptions = {},
): Generator<GeneratedText> {
  const plan = resolveOptions(kind, options);
  const scene = makeScene(plan, plan.seed);
  for (let index = 0; index < plan.count; index++) {
    if (index > 0) scene.clock += scene.rng.int(200, 90_000);
    yield makeItem(scene);
  }
}

function makeItem(scene: Scene): GeneratedText {
  const { plan } = scene;
  switch (plan.kind) {
    case "invocation-record":
      return invocationRecord(scene);
    case "esm-failure-record":
      return esmFailureRecord(scene);
    case "dlq-message":
      return deadLetterMessage(scene);
    case "processing-result":
      return processingResult(scene);
  }
}

const CONDITION_WEIGHTS: Record<string, number> = {
  Success: 5,
  RetriesExhausted: 3,
  EventAgeExceeded: 1,
  ZeroReservedConcurrency: 1,
  RetryAttemptsExhausted: 6,
  RecordAgeExceeded: 2,
  MaximumPayloadSizeExceeded: 1,
};

function pickCondition(scene: Scene, conditions: string[]): string {
  if (conditions.length === 1) return conditions[0]!;
  return scene.rng.weighted(
    conditions.map((condition) => [condition, CONDITION_WEIGHTS[condition] ?? 1] as const),
  );
}

function defaultRequest(scene: Scene): { text: string; value: unknown } {
  if (scene.plan.requestText !== undefined) {
    return { text: scene.plan.requestText, value: JSON.parse(scene.plan.requestText) };
  }
  const value = scene.scenario.request(scene.rng);
  return { text: JSON.stringify(value), value };
}

function errorSite(scene: Scene, requestId: string): ErrorSite {
  return {
    rng: scene.rng,
    requestId,
    functionName: scene.place.functionName,
    module: scene.scenario.module,
    step: scene.scenario.step,
  };
}

/** The runtime's error object for a failed invocation. */
function errorPayload(scene: Scene, requestId: string, request: unknown): string {
  const { rng, plan, runtime } = scene;
  const site = errorSite(scene, requestId);
  if (plan.error) {
    if (plan.error.type === "Sandbox.Timedout") return timeoutError(requestId, plan.error.message);
    const type = plan.error.type ?? scene.scenario.failure(rng, request).types[runtime];
    return runtimeError(runtime, type, plan.error.message, site);
  }
  if (!scene.runtimeExplicit) {
    const kind = rng.weighted([
      ["runtime", 80],
      ["timeout", 12],
      ["crash", 8],
    ] as const);
    if (kind === "timeout")
      return timeoutError(requestId, `Task timed out after ${scene.timeoutSeconds} seconds`);
    if (kind === "crash") return crashError(requestId);
  }
  const failure = scene.scenario.failure(rng, request);
  return runtimeError(runtime, failure.types[runtime], failure.message, site);
}

function checkSize(text: string, limit: number, what: string): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > limit) {
    throw new UsageError(
      `the generated ${what} is ${bytes} bytes, over ${limit}: AWS would not deliver it (make --request or --response smaller)`,
    );
  }
}

/** Applies the plan's wrappers, innermost first, checking the size limits of the layers that have one. */
function wrap(scene: Scene, payload: string, context: WrapContext): string {
  let text = payload;
  for (const wrapper of scene.plan.wrap) {
    if (wrapper === "sns" || wrapper === "lambda-sns-event")
      checkSize(text, SNS_MESSAGE_MAX_BYTES, "SNS message");
    if (wrapper === "sqs" || wrapper === "lambda-sqs-event")
      checkSize(text, SQS_MESSAGE_MAX_BYTES, "SQS message body");
    text = applyWrapper(wrapper, text, context);
  }
  return text;
}

function wrapContext(
  scene: Scene,
  outcome: "success" | "failure",
  extra: Partial<WrapContext> = {},
): WrapContext {
  return { rng: scene.rng, place: scene.place, clock: scene.clock, outcome, ...extra };
}

function s3Timestamp(time: number): { day: string; stamp: string } {
  const iso = new Date(time).toISOString();
  return { day: iso.slice(0, 10).replace(/-/g, "/"), stamp: iso.slice(0, 19).replace(/:/g, ".") };
}

function invocationRecord(scene: Scene): GeneratedText {
  const { rng, plan, place } = scene;
  const condition = pickCondition(scene, plan.conditions);
  const requestId = rng.uuid();
  const request = defaultRequest(scene);
  const attempts =
    plan.attempts ??
    (condition === "ZeroReservedConcurrency"
      ? 0
      : condition === "RetriesExhausted"
        ? 3
        : condition === "EventAgeExceeded"
          ? rng.int(1, 3)
          : rng.weighted([
              [1, 85],
              [2, 10],
              [3, 5],
            ] as const));
  const json = JSON.stringify;
  let record =
    `{"version":"1.0","timestamp":${json(new Date(scene.clock).toISOString())},` +
    `"requestContext":{"requestId":${json(requestId)},"functionArn":${json(place.functionArn)},` +
    `"condition":${json(condition)},"approximateInvokeCount":${attempts}},"requestPayload":${request.text}`;
  if (condition === "Success") {
    const response = plan.responseText ?? json(scene.scenario.response(rng, request.value));
    record += `,"responseContext":{"statusCode":200,"executedVersion":${json(scene.executedVersion)}},"responsePayload":${response}`;
  } else if (condition !== "ZeroReservedConcurrency") {
    const response = plan.responseText ?? errorPayload(scene, requestId, request.value);
    record += `,"responseContext":{"statusCode":200,"executedVersion":${json(scene.executedVersion)},"functionError":"Unhandled"},"responsePayload":${response}`;
  }
  record += "}";
  const outcome = condition === "Success" ? "success" : "failure";
  const item: GeneratedText = { text: wrap(scene, record, wrapContext(scene, outcome, { condition })) };
  if (plan.wrap[0] === "s3") {
    const { day, stamp } = s3Timestamp(scene.clock + rng.int(20, 600));
    item.s3Key = `aws/lambda/async/${place.functionName}/${day}/${stamp}-${rng.uuid()}`;
  }
  return item;
}

/** A decimal string `delta` above another (sequence numbers exceed 2^53). */
function addToDecimal(decimal: string, delta: number): string {
  return (BigInt(decimal) + BigInt(delta)).toString();
}

function esmFailureRecord(scene: Scene): GeneratedText {
  const { rng, plan, place, esm } = scene;
  const source = scene.source;
  const conditions = plan.conditions.filter(
    (condition) => source === "kafka" || condition !== "MaximumPayloadSizeExceeded",
  );
  const condition = pickCondition(scene, conditions);
  const toS3 = plan.wrap[0] === "s3";
  const json = JSON.stringify;
  const requestId = rng.uuid();
  const attempts = plan.attempts ?? (condition === "RetryAttemptsExhausted" ? rng.int(1, 4) : 1);
  // Discarded stream batches are named by the unqualified function unless the mapping is on a version or alias.
  const functionArn =
    plan.fn.qualifier === undefined
      ? `arn:${place.partition}:lambda:${place.region}:${place.account}:function:${place.functionName}`
      : place.functionArn;
  let text = `{"requestContext":{"requestId":${json(requestId)},"functionArn":${json(functionArn)},"condition":${json(condition)},"approximateInvokeCount":${attempts}}`;
  if (condition === "RetryAttemptsExhausted") {
    text += `,"responseContext":{"statusCode":200,"executedVersion":${json(scene.executedVersion)},"functionError":"Unhandled"}`;
  } else if (condition === "MaximumPayloadSizeExceeded") {
    text += `,"responseContext":null`;
  }
  text += `,"version":"1.0","timestamp":${json(new Date(scene.clock).toISOString())}`;
  const batchSize = toS3 ? rng.int(1, 5) : rng.int(1, source === "kafka" ? 100 : 500);
  // The oldest record arrived before the batch was given up: long before when it aged out.
  const age = condition === "RecordAgeExceeded" ? rng.int(3_600, 86_400) * 1000 : rng.int(2_000, 600_000);
  const first = scene.clock - age;
  const last = first + rng.int(0, Math.min(age - 1_000, 60_000));
  let shard: string;
  let payload: unknown;
  if (source === "kafka") {
    shard = `${esm.topic}-${esm.partition}`;
    const firstOffset = rng.int(1, 5_000_000);
    const payloadSize =
      condition === "MaximumPayloadSizeExceeded"
        ? rng.int(6 * 1024 * 1024 + 1, 12 * 1024 * 1024)
        : batchSize * rng.int(150, 2_000);
    const info = `{"firstRecordOffset":"${firstOffset}","lastRecordOffset":"${firstOffset + batchSize - 1}","firstRecordTimestamp":${json(new Date(first).toISOString())},"lastRecordTimestamp":${json(new Date(last).toISOString())}}`;
    text += `,"KafkaBatchInfo":{"batchSize":${batchSize},"eventSourceArn":${json(esm.clusterArn)},"bootstrapServers":${json(esm.bootstrapServers)},"payloadSize":${payloadSize},"recordsInfo":{${json(shard)}:${info}}}`;
    if (toS3) {
      const records = Array.from({ length: batchSize }, (_, index) => ({
        topic: esm.topic,
        partition: esm.partition,
        offset: firstOffset + index,
        timestamp: first + Math.round(((last - first) * index) / Math.max(1, batchSize - 1)),
        timestampType: "CREATE_TIME",
        key: Buffer.from(`key-${rng.digits(4)}`).toString("base64"),
        value: Buffer.from(JSON.stringify(scene.scenario.request(rng))).toString("base64"),
        headers: [],
      }));
      payload = {
        eventSource: "aws:kafka",
        eventSourceArn: esm.clusterArn,
        bootstrapServers: esm.bootstrapServers,
        records: { [shard]: records },
      };
    }
  } else {
    const kinesis = source === "kinesis";
    shard = kinesis ? esm.kinesisShard : esm.dynamoShard;
    const start = kinesis ? `49${rng.digits(54)}` : `${rng.int(1, 9)}${rng.digits(20)}`;
    const sequences = Array.from({ length: batchSize }, (_, index) =>
      addToDecimal(start, index * rng.int(1, 9_000_000)),
    );
    for (let index = 1; index < sequences.length; index++) {
      if (BigInt(sequences[index]!) <= BigInt(sequences[index - 1]!)) {
        sequences[index] = addToDecimal(sequences[index - 1]!, 1);
      }
    }
    // Kinesis gives arrival times to the millisecond, DynamoDB Streams to the second.
    const time = (ms: number) =>
      kinesis ? new Date(ms).toISOString() : `${new Date(ms).toISOString().slice(0, 19)}Z`;
    const streamArn = kinesis
      ? `arn:${place.partition}:kinesis:${place.region}:${place.account}:stream/${esm.streamName}`
      : `arn:${place.partition}:dynamodb:${place.region}:${place.account}:table/${esm.tableName}/stream/${esm.streamLabel}`;
    const key = kinesis ? "KinesisBatchInfo" : "DDBStreamBatchInfo";
    text += `,${json(key)}:{"shardId":${json(shard)},"startSequenceNumber":${json(sequences[0])},"endSequenceNumber":${json(sequences[sequences.length - 1])},"approximateArrivalOfFirstRecord":${json(time(first))},"approximateArrivalOfLastRecord":${json(time(last))},"batchSize":${batchSize},"streamArn":${json(streamArn)}}`;
    if (toS3) {
      payload = {
        Records: sequences.map((sequenceNumber, index) => {
          const arrival = first + Math.round(((last - first) * index) / Math.max(1, batchSize - 1));
          const data = scene.scenario.request(rng);
          return kinesis
            ? {
                kinesis: {
                  kinesisSchemaVersion: "1.0",
                  partitionKey: rng.digits(4),
                  sequenceNumber,
                  data: Buffer.from(JSON.stringify(data)).toString("base64"),
                  approximateArrivalTimestamp: arrival / 1000,
                },
                eventSource: "aws:kinesis",
                eventVersion: "1.0",
                eventID: `${shard}:${sequenceNumber}`,
                eventName: "aws:kinesis:record",
                invokeIdentityArn: `arn:${place.partition}:iam::${place.account}:role/${place.functionName}-role`,
                awsRegion: place.region,
                eventSourceARN: streamArn,
              }
            : {
                eventID: rng.hex(32),
                eventName: "INSERT",
                eventVersion: "1.1",
                eventSource: "aws:dynamodb",
                awsRegion: place.region,
                dynamodb: {
                  ApproximateCreationDateTime: Math.floor(arrival / 1000),
                  Keys: { id: { S: rng.uuid() } },
                  NewImage: { id: { S: rng.uuid() }, body: { S: JSON.stringify(data) } },
                  SequenceNumber: sequenceNumber,
                  SizeBytes: rng.int(60, 900),
                  StreamViewType: "NEW_AND_OLD_IMAGES",
                },
                eventSourceARN: streamArn,
              };
        }),
      };
    }
  }
  if (toS3) text += `,"payload":${json(json(payload))}`;
  text += "}";
  const item: GeneratedText = { text: wrap(scene, text, wrapContext(scene, "failure")) };
  if (toS3) {
    // aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID> (Lambda developer guide,
    // "Retain discarded batch records"); for Kafka the shard is taken to be "<topic>-<partition>".
    const { day, stamp } = s3Timestamp(scene.clock + rng.int(20, 600));
    item.s3Key = `aws/lambda/${esm.mappingId}/${shard}/${day}/${stamp}-${rng.uuid()}`;
  }
  return item;
}

/** The dead-letter queue's message: the original event as body, the failure in its attributes. */
function deadLetterMessage(scene: Scene): GeneratedText {
  const { rng, plan } = scene;
  const requestId = rng.uuid();
  const request = defaultRequest(scene);
  const message = plan.error?.message ?? scene.scenario.failure(rng, request.value).message;
  const deadLetter: DeadLetterAttributes = {
    RequestID: requestId,
    // A function error comes back with status 200 and X-Amz-Function-Error.
    ErrorCode: "200",
    ErrorMessage: truncateBytes(message, 1024),
  };
  return { text: wrap(scene, request.text, wrapContext(scene, "failure", { deadLetter })) };
}

/** The dead-letter attribute keeps the first 1 KB of the message. */
function truncateBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  return bytes
    .subarray(0, maxBytes)
    .toString("utf8")
    .replace(/\uFFFD+$/, "");
}

/** What the order-processor example publishes for one SQS record it handled. */
function processingResult(scene: Scene): GeneratedText {
  const { rng, plan } = scene;
  const status =
    plan.status ??
    rng.weighted([
      ["SUCCESS", 7],
      ["FAILURE", 3],
    ] as const);
  const failing = status === "FAILURE";
  const body = plan.requestText ?? scene.scenario.processingBody(rng, failing);
  const json = JSON.stringify;
  const error = failing
    ? `,"error":${json(plan.error?.message ?? `Order could not be processed: the payload contains "error": ${body}`)}`
    : "";
  const text = `{"message_id":${json(rng.uuid())},"body":${json(body)}${error},"status":${json(status)}}`;
  return { text: wrap(scene, text, wrapContext(scene, failing ? "failure" : "success")) };
}

/** Re-lays an item's text as JSON.stringify(value, null, 2) would, with its literals and key order kept. */
export function prettyText(text: string): string {
  return prettyNode(parseJsonText(text), 2);
}

/** Without a seed, a random one, and times from now: a seed alone must reproduce everything. */
export function withDefaultSeed(options: GenerateOptions, now: () => Date): GenerateOptions {
  if (options.seed !== undefined) return options;
  return { ...options, seed: randomInt(2 ** 47), time: options.time ?? now() };
}

import { UsageError } from "../errors.js";
import { printable, quoted } from "../printable.js";
import { depthExcessOffset, MAX_DEPTH } from "../sources/json-checks.js";
import { compactJsonText } from "./json-text.js";

/** What `generate` can make: the payload kinds, plus the dead-letter queue's message. */
export const GENERATE_KINDS = [
  "invocation-record",
  "esm-failure-record",
  "dlq-message",
  "processing-result",
] as const;
export type GenerateKind = (typeof GENERATE_KINDS)[number];

/** Wrappers, applied innermost first: ["sns", "sqs"] is an SNS notification inside an SQS message. */
export const WRAPPERS = [
  "sqs",
  "sns",
  "eventbridge",
  "s3",
  "lambda-sqs-event",
  "lambda-sns-event",
  "cli-receive",
] as const;
export type Wrapper = (typeof WRAPPERS)[number];

export const RUNTIMES = ["nodejs", "python", "java", "go"] as const;
export type Runtime = (typeof RUNTIMES)[number];

export const ESM_SOURCES = ["kinesis", "dynamodb", "kafka"] as const;
export type EsmSource = (typeof ESM_SOURCES)[number];

export const INVOCATION_CONDITIONS = [
  "Success",
  "RetriesExhausted",
  "EventAgeExceeded",
  "ZeroReservedConcurrency",
] as const;
export const ESM_CONDITIONS = [
  "RetryAttemptsExhausted",
  "RecordAgeExceeded",
  "MaximumPayloadSizeExceeded",
] as const;

export const MAX_COUNT = 1_000_000;
/** Lambda refuses asynchronous payloads over 1 MB (Lambda quotas: "Invocation payload", asynchronous). */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface GenerateOptions {
  /** invocation-record: Success, RetriesExhausted, EventAgeExceeded or ZeroReservedConcurrency; esm-failure-record: RetryAttemptsExhausted, RecordAgeExceeded or MaximumPayloadSizeExceeded. Default: a realistic mix. */
  condition?: string;
  /** A function name, or its ARN (which sets the region, the account and maybe the qualifier). */
  function?: string;
  /** $LATEST (default), a version number or an alias. */
  qualifier?: string;
  /** The runtime whose error object and stack trace a failure carries. */
  runtime?: Runtime;
  /** "Type: message", or just a message. */
  error?: string;
  /** approximateInvokeCount. */
  attempts?: number;
  /** The original event, serialised compactly. */
  request?: unknown;
  /** The original event as JSON text, kept byte for byte as Lambda keeps it. */
  requestJson?: string;
  /** The handler's return value (Success) or error object (failures). */
  response?: unknown;
  responseJson?: string;
  /** esm-failure-record: the event source. */
  source?: EsmSource;
  /** processing-result: SUCCESS or FAILURE. */
  status?: "SUCCESS" | "FAILURE";
  wrap?: readonly Wrapper[];
  /** How many items (default 1). */
  count?: number;
  /** Same seed, same options: same items. Without one, a random seed. */
  seed?: number;
  /** The time of the first item. Default: derived from the seed, so that a seed alone reproduces items. */
  time?: Date;
}

export interface FunctionChoice {
  partition: string;
  region?: string;
  account?: string;
  name?: string;
  qualifier?: string;
}

/** The options checked and normalised. Everything left undefined is chosen by the seeded generator. */
export interface Plan {
  kind: GenerateKind;
  count: number;
  seed: number;
  time?: Date;
  /** The conditions left possible: one when chosen, else the generator picks among them per item. */
  conditions: string[];
  attempts?: number;
  fn: FunctionChoice;
  runtime?: Runtime;
  error?: { type?: string; message: string };
  requestText?: string;
  responseText?: string;
  source?: EsmSource;
  status?: "SUCCESS" | "FAILURE";
  wrap: Wrapper[];
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const FUNCTION_ARN =
  /^arn:(aws[a-z-]*):lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;
const QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const ERROR_TYPE = /^([A-Za-z_$*][\w$.]*): ([\s\S]*)$/;

/** Text that may hold a user's bytes (a JSON parser's message quotes the input), made safe for one line. */
function safeText(text: string): string {
  return printable(text.length > 200 ? `${text.slice(0, 197)}...` : text);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} ${quoted(value)} is not one of: ${allowed.join(", ")}`);
}

function wholeNumber(flag: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, got ${quoted(String(value))}`);
  }
  return value;
}

/** JSON text from either form of a payload option, checked. */
function payloadText(flag: string, value: unknown, text: string | undefined): string | undefined {
  if (text !== undefined) {
    const trimmed = text.trim();
    try {
      JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(
        `${flag} is not valid JSON (${safeText((error as Error).message)}); give JSON text or @file`,
      );
    }
    return withinDepth(flag, trimmed);
  }
  if (value === undefined) return undefined;
  let serialised: string | undefined;
  try {
    serialised = JSON.stringify(value);
  } catch (error) {
    throw new UsageError(`${flag} cannot be expressed as JSON (${safeText((error as Error).message)})`);
  }
  if (serialised === undefined) throw new UsageError(`${flag} cannot be expressed as JSON`);
  return withinDepth(flag, serialised);
}

/** The generator lays payloads out recursively: nesting beyond the readers' limit is refused up front. */
function withinDepth(flag: string, text: string): string {
  if (depthExcessOffset(text) !== -1) {
    throw new UsageError(`${flag} is nested deeper than ${MAX_DEPTH} levels; lambda-dest reads no deeper`);
  }
  return text;
}

function rejectFor(kind: GenerateKind, flag: string, present: boolean, appliesTo: string): void {
  if (present) throw new UsageError(`${flag} does not apply to ${kind}; it is for ${appliesTo}`);
}

export function resolveOptions(kindName: string, options: GenerateOptions = {}): Plan {
  const kind = oneOf("kind", kindName, GENERATE_KINDS);
  const plan: Plan = {
    kind,
    count: options.count === undefined ? 1 : wholeNumber("--count", options.count, 1, MAX_COUNT),
    seed: options.seed === undefined ? 0 : wholeNumber("--seed", options.seed, 0, Number.MAX_SAFE_INTEGER),
    conditions: [],
    fn: { partition: "aws" },
    wrap: (options.wrap ?? []).map((wrapper) => oneOf("--wrap", wrapper, WRAPPERS)),
  };
  if (options.time !== undefined) {
    if (!(options.time instanceof Date) || Number.isNaN(options.time.getTime())) {
      throw new UsageError("time must be a valid Date");
    }
    plan.time = options.time;
  }

  const isRecord = kind === "invocation-record";
  rejectFor(kind, "--runtime", options.runtime !== undefined && !isRecord, "invocation-record");
  rejectFor(
    kind,
    "--response",
    (options.response !== undefined || options.responseJson !== undefined) && !isRecord,
    "invocation-record",
  );
  rejectFor(
    kind,
    "--source",
    options.source !== undefined && kind !== "esm-failure-record",
    "esm-failure-record",
  );
  rejectFor(
    kind,
    "--status",
    options.status !== undefined && kind !== "processing-result",
    "processing-result",
  );
  rejectFor(
    kind,
    "--condition",
    options.condition !== undefined && kind !== "invocation-record" && kind !== "esm-failure-record",
    "invocation-record and esm-failure-record",
  );
  rejectFor(
    kind,
    "--attempts",
    options.attempts !== undefined && kind !== "invocation-record" && kind !== "esm-failure-record",
    "invocation-record and esm-failure-record",
  );
  rejectFor(
    kind,
    "--request",
    (options.request !== undefined || options.requestJson !== undefined) && kind === "esm-failure-record",
    "invocation-record, dlq-message and processing-result (a discarded batch's record carries no event)",
  );
  rejectFor(
    kind,
    "--error",
    options.error !== undefined && kind === "esm-failure-record",
    "invocation-record, dlq-message and processing-result",
  );

  if (options.runtime !== undefined) plan.runtime = oneOf("--runtime", options.runtime, RUNTIMES);
  if (options.source !== undefined) plan.source = oneOf("--source", options.source, ESM_SOURCES);
  if (options.status !== undefined)
    plan.status = oneOf("--status", options.status, ["SUCCESS", "FAILURE"] as const);
  resolveFunction(options, plan);
  resolveError(options, plan);
  resolvePayloads(options, plan);
  resolveWrappers(plan);
  resolveCondition(options, plan);
  return plan;
}

function resolveFunction(options: GenerateOptions, plan: Plan): void {
  if (options.function !== undefined) {
    const arn = FUNCTION_ARN.exec(options.function);
    if (arn) {
      plan.fn = { partition: arn[1]!, region: arn[2]!, account: arn[3]!, name: arn[4]!, qualifier: arn[5] };
    } else if (FUNCTION_NAME.test(options.function)) {
      plan.fn.name = options.function;
    } else {
      throw new UsageError(
        `--function takes a function name (letters, digits, - and _, at most 64) or its ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), got ${quoted(options.function)}`,
      );
    }
  }
  if (options.qualifier !== undefined) {
    if (!QUALIFIER.test(options.qualifier)) {
      throw new UsageError(
        `--qualifier takes $LATEST, a version number or an alias (letters, digits, - and _), got ${quoted(options.qualifier)}`,
      );
    }
    if (plan.fn.qualifier !== undefined && plan.fn.qualifier !== options.qualifier) {
      throw new UsageError(
        `--qualifier ${quoted(options.qualifier)} contradicts the qualifier in --function's ARN (${quoted(plan.fn.qualifier)})`,
      );
    }
    plan.fn.qualifier = options.qualifier;
  }
}

function resolveError(options: GenerateOptions, plan: Plan): void {
  if (options.error === undefined) return;
  const text = options.error.trim();
  if (text === "") throw new UsageError('--error is empty; give "Type: message" or a message');
  const match = ERROR_TYPE.exec(text);
  plan.error = match ? { type: match[1]!, message: match[2]! } : { message: text };
  if (plan.kind === "processing-result") {
    if (plan.status === "SUCCESS") throw new UsageError("--error contradicts --status SUCCESS");
    plan.status = "FAILURE";
    // The example publishes error.message / str(exception): there is no type in a processing result.
    plan.error = { message: plan.error.message };
  }
}

function resolvePayloads(options: GenerateOptions, plan: Plan): void {
  const request = payloadText("--request", options.request, options.requestJson);
  if (request !== undefined) {
    if (Buffer.byteLength(request) > MAX_REQUEST_BYTES) {
      throw new UsageError(
        `--request is ${Buffer.byteLength(request)} bytes; Lambda refuses asynchronous payloads over 1 MB (${MAX_REQUEST_BYTES} bytes)`,
      );
    }
    plan.requestText = request;
  }
  const response = payloadText("--response", options.response, options.responseJson);
  if (response !== undefined) {
    if (plan.error) throw new UsageError("--response and --error both describe the response: give one");
    plan.responseText = compactJsonText(response);
  }
}

function resolveCondition(options: GenerateOptions, plan: Plan): void {
  if (plan.kind === "invocation-record") {
    if (options.attempts !== undefined) plan.attempts = wholeNumber("--attempts", options.attempts, 0, 3);
    const failures = ["RetriesExhausted", "EventAgeExceeded", "ZeroReservedConcurrency"];
    const ran = ["Success", "RetriesExhausted", "EventAgeExceeded"];
    const constraints: Array<{ allowed: string[]; why: string }> = [];
    if (plan.wrap.includes("s3")) {
      constraints.push({ allowed: failures, why: "--wrap s3: S3 destinations take failure records only" });
    }
    if (plan.error) {
      constraints.push({
        allowed: ["RetriesExhausted", "EventAgeExceeded"],
        why: "--error describes a function error, which only RetriesExhausted and EventAgeExceeded records carry",
      });
    }
    if (plan.responseText !== undefined) {
      const value = JSON.parse(plan.responseText) as unknown;
      const isErrorObject =
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        typeof (value as { errorMessage?: unknown }).errorMessage === "string";
      constraints.push(
        isErrorObject
          ? {
              allowed: ran,
              why: "--response: a ZeroReservedConcurrency record has no response (the function never ran)",
            }
          : {
              allowed: ["Success"],
              why: "--response of a failure record is the runtime's error object: a JSON object with an errorMessage string",
            },
      );
    }
    if (plan.attempts === 0) {
      constraints.push({
        allowed: ["ZeroReservedConcurrency"],
        why: "--attempts 0: only a ZeroReservedConcurrency record has 0 attempts (the function never ran)",
      });
    } else if (plan.attempts !== undefined) {
      constraints.push({
        allowed: ran,
        why: "--attempts: a ZeroReservedConcurrency record always has 0 attempts",
      });
    }
    plan.conditions = narrow(options.condition, INVOCATION_CONDITIONS, constraints);
    return;
  }
  if (plan.kind === "esm-failure-record") {
    // MaximumRetryAttempts goes up to 10000 for stream mappings: one attempt more than that.
    if (options.attempts !== undefined)
      plan.attempts = wholeNumber("--attempts", options.attempts, 1, 10_001);
    const constraints: Array<{ allowed: string[]; why: string }> = [];
    if (plan.source !== undefined && plan.source !== "kafka") {
      constraints.push({
        allowed: ["RetryAttemptsExhausted", "RecordAgeExceeded"],
        why: "MaximumPayloadSizeExceeded happens only to Kafka mappings (--source kafka)",
      });
    }
    plan.conditions = narrow(options.condition, ESM_CONDITIONS, constraints);
    if (plan.conditions.length === 1 && plan.conditions[0] === "MaximumPayloadSizeExceeded")
      plan.source = "kafka";
  }
}

/** The conditions the options leave possible; a contradiction is a usage error naming its reason. */
function narrow(
  chosen: string | undefined,
  known: readonly string[],
  constraints: Array<{ allowed: string[]; why: string }>,
): string[] {
  let possible = chosen === undefined ? [...known] : [oneOf("--condition", chosen, known)];
  for (const { allowed, why } of constraints) {
    const left = possible.filter((condition) => allowed.includes(condition));
    if (left.length === 0) {
      throw new UsageError(
        chosen === undefined ? `the options contradict each other: ${why}` : `--condition ${chosen}: ${why}`,
      );
    }
    possible = left;
  }
  return possible;
}

/** Which layer may go around which: the paths records really travel. */
function resolveWrappers(plan: Plan): void {
  const { kind } = plan;
  // The AWS CLI prints messages it received: an SQS message is implied when the layer below is not one.
  const wrap: Wrapper[] = [];
  for (const wrapper of plan.wrap) {
    if (wrapper === "cli-receive" && wrap[wrap.length - 1] !== "sqs") wrap.push("sqs");
    wrap.push(wrapper);
  }
  // A dead-letter message is an SQS message: as ReceiveMessage returns it unless a Lambda event carries it.
  if (kind === "dlq-message" && wrap[0] !== "sqs" && wrap[0] !== "lambda-sqs-event") wrap.unshift("sqs");
  let inner: "payload" | Wrapper = "payload";
  wrap.forEach((wrapper, index) => {
    const refuse = (why: string): never => {
      throw new UsageError(
        `--wrap ${wrapper}: ${why} (wrappers go innermost first, e.g. --wrap sns --wrap sqs)`,
      );
    };
    if (
      inner === "s3" ||
      inner === "cli-receive" ||
      inner === "lambda-sqs-event" ||
      inner === "lambda-sns-event"
    ) {
      refuse(`nothing goes around ${inner}: it is what a consumer finally reads`);
    }
    switch (wrapper) {
      case "eventbridge":
        if (kind !== "invocation-record") refuse("EventBridge destinations take invocation records only");
        if (index > 0) refuse("an EventBridge event carries the invocation record itself, so it comes first");
        break;
      case "s3":
        if (kind !== "invocation-record" && kind !== "esm-failure-record") {
          refuse("S3 destinations take invocation records and event source mapping records only");
        }
        if (index > 0) refuse("an S3 destination stores the record itself, so it comes first");
        break;
      case "sns":
      case "lambda-sns-event":
        if (kind === "dlq-message") {
          refuse(
            "a dead-letter message is read from its SQS queue: use sqs, lambda-sqs-event or cli-receive",
          );
        }
        if (inner === "sqs" || inner === "sns") {
          refuse(`an ${inner === "sqs" ? "SQS message" : "SNS notification"} is not published to SNS as is`);
        }
        break;
      case "sqs":
      case "lambda-sqs-event":
        if (inner === "sqs") refuse("an SQS message is not sent to a queue as is");
        break;
      case "cli-receive":
        break;
    }
    inner = wrapper;
  });
  plan.wrap = wrap;
}

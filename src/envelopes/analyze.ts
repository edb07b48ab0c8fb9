import { hasMaskedAccount } from "../arn.js";
import {
  findDuplicateKeys,
  mayHaveDuplicateKeys,
  measureValue,
  tooDeepMessage,
} from "../sources/json-checks.js";
import { positionAt } from "../sources/positions.js";
import { isObject } from "../values.js";
import { detectKind, isReceiveMessageOutput } from "./detect.js";
import { KIND_INFO, validateAgainstKind } from "./kinds.js";
import { summarize } from "./summarize.js";
import type { AnalyzedEnvelope, DeadLetterInfo, Finding, Kind } from "./types.js";

/** A schema the user chose: a bundled kind, or their own compiled schema. */
export type ForcedSchema = { kind: Kind } | { name: string; validate: (value: unknown) => Finding[] };

export interface AnalyzeOptions {
  forced?: ForcedSchema;
  /** Warnings count as failures. */
  strict?: boolean;
}

/**
 * Where the walk is: `path` is a JSON pointer into the item as given; once the walk enters a JSON string
 * (an SQS Body, an SNS Message) `path` stays on that string and `inner` holds pointers inside the decoded
 * text, one per nested string.
 */
interface Place {
  path: string;
  inner: string[];
  /** Once inside a JSON string: that string, the text `inner`'s last pointer points into. */
  text?: string;
  layers: string[];
  errors: Finding[];
  warnings: Finding[];
  notes: string[];
  deadLetter?: DeadLetterInfo;
}

const KNOWN_CONDITIONS = new Set([
  "Success",
  "RetriesExhausted",
  "EventAgeExceeded",
  "ZeroReservedConcurrency",
]);
const KNOWN_ESM_CONDITIONS = new Set([
  "RetryAttemptsExhausted",
  "RecordAgeExceeded",
  "MaximumPayloadSizeExceeded",
]);
const INVOCATION_RECORD_KEYS = new Set([
  "version",
  "timestamp",
  "requestContext",
  "requestPayload",
  "responseContext",
  "responsePayload",
]);
const SNS_MESSAGE_WARN_BYTES = 240 * 1024;

/**
 * Unwraps a value layer by layer (AWS CLI receive-message output, SQS message, Lambda SQS/SNS events,
 * SNS notification, EventBridge event, JSON held in a string) down to the payloads, validating every layer
 * against its schema. One value can hold several payloads (a batch of records), hence the array.
 */
export function analyzeValue(value: unknown, options: AnalyzeOptions = {}): AnalyzedEnvelope[] {
  const results: AnalyzedEnvelope[] = [];
  const start: Place = {
    path: "",
    inner: [],
    text: undefined,
    layers: [],
    errors: [],
    warnings: [],
    notes: [],
    deadLetter: undefined,
  };
  walk(value, start, options, results, true);
  return results;
}

/**
 * analyzeValue for values from outside that must not stop a stream (tail, invoke --wait): whatever goes
 * wrong becomes one invalid envelope that carries the value as it came, so that nothing is lost.
 */
export function analyzeSafely(value: unknown, options: AnalyzeOptions = {}): AnalyzedEnvelope[] {
  try {
    return analyzeValue(value, options);
  } catch (error) {
    return [unprocessableEnvelope(`could not be processed: ${describeFailure(error)}`, value)];
  }
}

/** An envelope that could not be analysed or rendered: invalid, with the reason as its one error. */
export function unprocessableEnvelope(message: string, payload: unknown): AnalyzedEnvelope {
  return {
    kind: null,
    layers: [],
    valid: false,
    errors: [{ path: "", message }],
    warnings: [],
    payload,
    summary: { outcome: "unknown", kind: null, notes: [] },
  };
}

/** Why processing failed, in words: a stack overflow means nesting beyond what the checks caught. */
export function describeFailure(error: unknown): string {
  if (error instanceof RangeError) return "nested too deeply";
  return error instanceof Error ? error.message : String(error);
}

function walk(
  value: unknown,
  place: Place,
  options: AnalyzeOptions,
  out: AnalyzedEnvelope[],
  top: boolean,
): void {
  if (typeof value === "string") {
    const decoded = decodeJsonString(value);
    if (decoded.ok) {
      const inside = copyPlace(place);
      inside.inner = [...place.inner, ""];
      inside.text = value;
      // A string is parsed here, not by the reader: it gets the reader's checks here.
      const { members, tooDeep } = measureValue(decoded.value);
      if (tooDeep) {
        inside.errors = [...place.errors, at(inside, "", tooDeepMessage(), undefined)];
        out.push(envelope(place.layers[place.layers.length - 1] ?? null, inside, value, options));
        return;
      }
      if (mayHaveDuplicateKeys(value, members)) {
        const duplicates = findDuplicateKeys(value);
        if (duplicates.length > 0) {
          inside.warnings = [
            ...place.warnings,
            ...duplicates.map((duplicate) => {
              const { line, column } = positionAt(value, duplicate.offset);
              const message = `key ${JSON.stringify(duplicate.key)} is given twice in one object (line ${line}, column ${column} of the string): lambda-dest (like JSON.parse) uses the last, other consumers may use the first or refuse it`;
              return at(inside, duplicate.pointer, message, undefined);
            }),
          ];
        }
      }
      walk(decoded.value, inside, options, out, top);
      return;
    }
    finishPayload(value, null, place, options, out);
    return;
  }

  if (top && isReceiveMessageOutput(value)) {
    value.Messages.forEach((message, index) => {
      walk(message, fork(place, `/Messages/${index}`), options, out, false);
    });
    if (value.Messages.length === 0) {
      const empty = fork(place, "");
      empty.errors.push(at(empty, "/Messages", "the receive-message output holds no messages", undefined));
      out.push(envelope(null, empty, null, options));
    }
    return;
  }

  const forced = options.forced;
  const forcedKind = forced && "kind" in forced ? forced.kind : undefined;
  let kind = detectKind(value);
  if (forcedKind && KIND_INFO[forcedKind].wrapper && place.layers.length === 0) kind = forcedKind;

  if (kind && KIND_INFO[kind].wrapper) {
    unwrap(kind, value, place, options, out);
    return;
  }
  finishPayload(value, kind, place, options, out);
}

function unwrap(
  kind: Kind,
  value: unknown,
  place: Place,
  options: AnalyzeOptions,
  out: AnalyzedEnvelope[],
): void {
  const here = copyPlace(place);
  here.layers = [...place.layers, kind];
  const findings = validateAgainstKind(kind, value);
  here.errors = [...place.errors, ...findings.map((finding) => relocate(here, finding, kind))];
  here.warnings = [...place.warnings];
  here.notes = [...place.notes];
  if (!isObject(value)) {
    out.push(envelope(kind, here, value, options));
    return;
  }
  switch (kind) {
    case "sqs-message": {
      const deadLetter = deadLetterFromSdkAttributes(value.MessageAttributes);
      if (deadLetter) here.deadLetter = deadLetter;
      if (typeof value.Body !== "string") {
        out.push(envelope(kind, here, value.Body, options, "/Body"));
        return;
      }
      walk(value.Body, fork(here, "/Body"), options, out, false);
      return;
    }
    case "s3-object": {
      if (typeof value.Problem === "string") here.errors.push(at(here, "/Body", value.Problem, kind));
      if (typeof value.Body !== "string") {
        out.push(envelope(kind, here, value.Body, options, "/Body"));
        return;
      }
      walk(value.Body, fork(here, "/Body"), options, out, false);
      return;
    }
    case "sns-notification": {
      if (typeof value.Message === "string" && Buffer.byteLength(value.Message) > SNS_MESSAGE_WARN_BYTES) {
        here.warnings.push(
          at(
            here,
            "/Message",
            "the message is close to SNS's 256 KB limit: Lambda drops larger records",
            kind,
          ),
        );
      }
      if (value.Type !== "Notification" || typeof value.Message !== "string") {
        out.push(envelope(kind, here, value.Message, options, "/Message"));
        return;
      }
      walk(value.Message, fork(here, "/Message"), options, out, false);
      return;
    }
    case "eventbridge-event": {
      if (value.source === "aws.lambda") {
        here.warnings.push(
          at(here, "/source", 'source "aws.lambda" is what the docs say; real events carry "lambda"', kind),
        );
      }
      walk(value.detail, fork(here, "/detail"), options, out, false);
      return;
    }
    case "lambda-sqs-event":
    case "lambda-sns-event": {
      const records = Array.isArray(value.Records) ? value.Records : [];
      if (records.length === 0) {
        out.push(envelope(kind, here, value, options));
        return;
      }
      records.forEach((record, index) => {
        const recordPlace = fork(here, `/Records/${index}`);
        if (!isObject(record)) {
          out.push(envelope(kind, recordPlace, record, options));
          return;
        }
        if (kind === "lambda-sqs-event") {
          const deadLetter = deadLetterFromEventAttributes(record.messageAttributes);
          if (deadLetter) recordPlace.deadLetter = deadLetter;
          walk(record.body, fork(recordPlace, "/body"), options, out, false);
        } else {
          const sns = isObject(record.Sns) ? record.Sns : {};
          walk(sns.Message, fork(fork(recordPlace, "/Sns"), "/Message"), options, out, false);
        }
      });
      return;
    }
    default:
      out.push(envelope(kind, here, value, options));
  }
}

function finishPayload(
  value: unknown,
  detected: Kind | null,
  place: Place,
  options: AnalyzeOptions,
  out: AnalyzedEnvelope[],
): void {
  const here = copyPlace(place);
  here.errors = [...place.errors];
  here.warnings = [...place.warnings];
  here.notes = [...place.notes];
  // A forced wrapper kind applies to the outermost layer (see walk); a forced payload schema applies here.
  const forced =
    options.forced && !("kind" in options.forced && KIND_INFO[options.forced.kind].wrapper)
      ? options.forced
      : undefined;
  if (forced) {
    const name = "kind" in forced ? forced.kind : forced.name;
    const findings = "kind" in forced ? validateAgainstKind(forced.kind, value) : forced.validate(value);
    here.layers = [...place.layers, name];
    here.errors.push(...findings.map((finding) => relocate(here, finding, name)));
    if ("kind" in forced) checkPayload(forced.kind, value, here);
    out.push(envelope(name, here, value, options));
    return;
  }
  if (detected) {
    here.layers = [...place.layers, detected];
    here.errors.push(
      ...validateAgainstKind(detected, value).map((finding) => relocate(here, finding, detected)),
    );
    checkPayload(detected, value, here);
    out.push(envelope(detected, here, value, options));
    return;
  }
  const carrier = place.layers[place.layers.length - 1];
  if (here.deadLetter) {
    here.notes.push("dead-letter message: the body is the original event; Lambda gave up on it");
    out.push(envelope(carrier ?? null, here, value, options));
    return;
  }
  if (carrier) {
    here.warnings.push(
      at(here, "", `the ${carrier} carries a payload of no known kind; see 'lambda-dest schemas'`, carrier),
    );
    out.push(envelope(carrier, here, value, options));
    return;
  }
  here.errors.push(
    at(
      here,
      "",
      `not a known envelope: expected an invocation record or one of its wrappers (see 'lambda-dest schemas', or force one with --schema)`,
      undefined,
    ),
  );
  out.push(envelope(null, here, value, options));
}

/** Checks that a schema cannot express, or that are warnings rather than errors. */
function checkPayload(kind: Kind, value: unknown, place: Place): void {
  if (!isObject(value)) return;
  const warn = (path: string, message: string) => place.warnings.push(at(place, path, message, kind));
  const context = isObject(value.requestContext) ? value.requestContext : undefined;
  if (kind === "invocation-record" || kind === "esm-failure-record") {
    const known = kind === "invocation-record" ? KNOWN_CONDITIONS : KNOWN_ESM_CONDITIONS;
    if (context && typeof context.condition === "string" && !known.has(context.condition)) {
      warn(
        "/requestContext/condition",
        `unknown condition "${context.condition}" (known: ${[...known].join(", ")})`,
      );
    }
    if (context && hasMaskedAccount(context.functionArn)) {
      warn("/requestContext/functionArn", "the ARN's account is not a 12-digit id (masked?)");
    }
    if (
      context &&
      typeof context.requestId === "string" &&
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(context.requestId)
    ) {
      warn("/requestContext/requestId", "requestId is not a UUID");
    }
    if (
      typeof value.timestamp === "string" &&
      !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value.timestamp)
    ) {
      warn(
        "/timestamp",
        "timestamp is not in Lambda's form (UTC with milliseconds, e.g. 2019-11-14T18:16:05.568Z)",
      );
    }
  }
  if (kind === "invocation-record") {
    for (const key of Object.keys(value)) {
      if (!INVOCATION_RECORD_KEYS.has(key)) warn(`/${escapePointer(key)}`, `unexpected field "${key}"`);
    }
    const response = isObject(value.responseContext) ? value.responseContext : undefined;
    if (response?.functionError === "Handled") {
      place.notes.push('functionError "Handled" appears only in 2019-era records');
    }
  }
  if (kind === "article-envelope") {
    place.notes.push(
      "article envelope: AWS does not send this shape; real destinations receive an invocation record (lambda-dest schemas invocation-record)",
    );
  }
}

function envelope(
  kind: string | null,
  place: Place,
  payload: unknown,
  options: AnalyzeOptions,
  /** Where the payload is relative to the place, when it is not the value at the place itself. */
  payloadPointer = "",
): AnalyzedEnvelope {
  const layers = place.layers.length > 0 ? place.layers : [];
  const valid = place.errors.length === 0 && !(options.strict && place.warnings.length > 0);
  const inString = place.inner.length > 0;
  return {
    kind,
    layers,
    valid,
    errors: place.errors,
    warnings: place.warnings,
    payload,
    summary: summarize(kind, payload, place.notes, place.deadLetter),
    payloadAt: inString
      ? { path: place.path, text: place.text, pointer: place.inner[place.inner.length - 1]! + payloadPointer }
      : { path: place.path + payloadPointer, pointer: place.path + payloadPointer },
  };
}

/** A finding at a pointer relative to the current place. */
function at(place: Place, relative: string, message: string, layer: string | undefined): Finding {
  return relocate(place, { path: relative, message }, layer);
}

/** Rebases a finding whose path is relative to the value at `place`. */
function relocate(place: Place, finding: Finding, layer: string | undefined): Finding {
  const located: Finding = { ...finding };
  if (place.inner.length === 0) {
    located.path = place.path + finding.path;
  } else {
    located.path = place.path;
    const inner = [...place.inner];
    inner[inner.length - 1] = inner[inner.length - 1] + finding.path;
    located.innerPath = inner.map((pointer) => pointer || "/").join(" > ");
  }
  if (layer) located.layer = layer;
  return located;
}

/**
 * A copy of a place, written as a literal with every field in one order: V8 then gives every place one
 * shape. Spreads of places of several shapes (with or without `text`, `deadLetter`) took V8's slow path,
 * 60,000 times on a 20,000-line slice of the bench's realistic mix and 2% of the run's instructions.
 */
function copyPlace(place: Place): Place {
  return {
    path: place.path,
    inner: place.inner,
    text: place.text,
    layers: place.layers,
    errors: place.errors,
    warnings: place.warnings,
    notes: place.notes,
    deadLetter: place.deadLetter,
  };
}

/** A copy of the place one step deeper. */
function fork(place: Place, relative: string): Place {
  const next = copyPlace(place);
  next.inner = [...place.inner];
  if (next.inner.length === 0) next.path = place.path + relative;
  else next.inner[next.inner.length - 1] += relative;
  return next;
}

function decodeJsonString(text: string): { ok: true; value: unknown } | { ok: false } {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[" && first !== '"') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function deadLetterFromSdkAttributes(attributes: unknown): DeadLetterInfo | undefined {
  if (!isObject(attributes)) return undefined;
  const read = (name: string) => {
    const attribute = attributes[name];
    return isObject(attribute) && typeof attribute.StringValue === "string"
      ? attribute.StringValue
      : undefined;
  };
  return deadLetterFrom(read);
}

function deadLetterFromEventAttributes(attributes: unknown): DeadLetterInfo | undefined {
  if (!isObject(attributes)) return undefined;
  const read = (name: string) => {
    const attribute = attributes[name];
    return isObject(attribute) && typeof attribute.stringValue === "string"
      ? attribute.stringValue
      : undefined;
  };
  return deadLetterFrom(read);
}

function deadLetterFrom(read: (name: string) => string | undefined): DeadLetterInfo | undefined {
  const requestId = read("RequestID");
  const errorCode = read("ErrorCode");
  const errorMessage = read("ErrorMessage");
  if (requestId === undefined || (errorCode === undefined && errorMessage === undefined)) return undefined;
  return { requestId, errorCode, errorMessage };
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

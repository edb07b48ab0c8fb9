/**
 * The library's face of the envelope functions: what `lambda-dest validate` and `show` do, for values
 * already in memory.
 */
import { analyzeValue } from "./analyze.js";
import { isKind, KIND_INFO, loadSchema } from "./kinds.js";
import type { AnalyzedEnvelope, Finding, Kind } from "./types.js";
import { KINDS } from "./types.js";

export interface CheckOptions {
  /** Validate against this kind instead of detecting one (a wrapper kind applies to the outermost layer). */
  kind?: Kind;
  /** Count warnings as failures. */
  strict?: boolean;
}

function forcedKind(options: CheckOptions): { kind: Kind } | undefined {
  if (options.kind === undefined) return undefined;
  if (!isKind(options.kind)) {
    throw new TypeError(`no bundled kind "${String(options.kind)}"; the kinds are: ${KINDS.join(", ")}`);
  }
  return { kind: options.kind };
}

/**
 * Unwraps a value layer by layer (AWS CLI receive-message output, SQS message, Lambda SQS or SNS event,
 * SNS notification, EventBridge event, JSON inside strings) down to its payloads, and checks each layer
 * against its schema. One value may hold several payloads (a batch), hence the array. JSON text works
 * too: a string holding JSON is decoded like an SQS Body.
 */
export function analyze(value: unknown, options: CheckOptions = {}): AnalyzedEnvelope[] {
  return analyzeValue(value, { forced: forcedKind(options), strict: options.strict === true });
}

export interface ValidationResult {
  /** True when every payload and every layer validated (and, with `strict`, had no warnings). */
  valid: boolean;
  /** Each payload found, as `analyze` returns it. */
  envelopes: AnalyzedEnvelope[];
  /** Every envelope's errors and warnings, together. */
  errors: Finding[];
  warnings: Finding[];
}

/** `lambda-dest validate` for one value. */
export function validate(value: unknown, options: CheckOptions = {}): ValidationResult {
  const envelopes = analyze(value, options);
  return {
    valid: envelopes.every((envelope) => envelope.valid),
    envelopes,
    errors: envelopes.flatMap((envelope) => envelope.errors),
    warnings: envelopes.flatMap((envelope) => envelope.warnings),
  };
}

/** Every kind lambda-dest knows; each has a schema at `lambda-dest/schemas/<kind>.json`. */
export const kinds: readonly Kind[] = KINDS;

/** A kind's one-line summary and whether it wraps another payload. */
export function describeKind(kind: Kind): { kind: Kind; summary: string; wrapper: boolean } {
  if (!isKind(kind))
    throw new TypeError(`no bundled kind "${String(kind)}"; the kinds are: ${KINDS.join(", ")}`);
  return { ...KIND_INFO[kind] };
}

/** A kind's JSON Schema (draft 2020-12), as it ships in schemas/. */
export function schema(kind: Kind): unknown {
  if (!isKind(kind))
    throw new TypeError(`no bundled kind "${String(kind)}"; the kinds are: ${KINDS.join(", ")}`);
  return structuredClone(loadSchema(kind));
}

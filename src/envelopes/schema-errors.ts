import type { Finding } from "./types.js";

/** The parts of an Ajv error object that we read. */
export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, any>;
  message?: string;
}

/**
 * What the errors were about: the schema that failed (for the descriptions that say why a rule exists)
 * and the value validated (to quote the offending part). Looked up only when there are errors, so the
 * compiled validators stay small and fast.
 */
interface ErrorContext {
  schema: () => unknown;
  data: unknown;
}

/**
 * Turns Ajv's errors into findings a person can act on: the "must match then schema" echoes of if/then
 * are dropped (the real error is reported beside them), a missing property is named, and the schema's own
 * description says why a rule exists.
 */
export function findingsFromAjv(
  errors: readonly AjvError[] | null | undefined,
  context: ErrorContext,
): Finding[] {
  if (!errors) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === "if") continue;
    if (isOneOfBranchNoise(error, errors)) continue;
    const finding = { path: error.instancePath, message: describe(error, context) };
    const key = `${finding.path}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}

/** Inside a failed oneOf, the per-branch "required" errors repeat what the oneOf error says. */
function isOneOfBranchNoise(error: AjvError, all: readonly AjvError[]): boolean {
  const match = /^(.*)\/oneOf\/\d+\//.exec(error.schemaPath);
  if (!match) return false;
  const oneOfPath = `${match[1]}/oneOf`;
  return all.some((other) => other.keyword === "oneOf" && other.schemaPath === oneOfPath);
}

function describe(error: AjvError, context: ErrorContext): string {
  const why = reason(error, context);
  const data = atPointer(context.data, error.instancePath);
  switch (error.keyword) {
    case "required":
      return withReason(`missing required property "${error.params.missingProperty}"`, why);
    case "dependentRequired":
      return withReason(`"${error.params.property}" needs "${error.params.missingProperty}" beside it`, why);
    case "const":
      return withReason(`must be ${JSON.stringify(error.params.allowedValue)}, got ${preview(data)}`, why);
    case "enum":
      return withReason(
        `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}, got ${preview(data)}`,
        why,
      );
    case "type":
      return withReason(`must be ${error.params.type}, got ${typeName(data)}`, why);
    case "pattern":
      return withReason(`${preview(data)} does not match ${error.params.pattern}`, why);
    case "format":
      return withReason(`${preview(data)} is not a valid ${error.params.format}`, why);
    case "not":
      return why ?? "must not be present here";
    case "oneOf":
      if (error.params.passingSchemas) return withReason("matches more than one allowed shape", why);
      return withReason(`must match exactly one of the allowed shapes`, why ?? oneOfHint(error, context));
    case "anyOf":
      return withReason("matches none of the allowed shapes", why);
    default:
      return withReason(error.message ?? `fails ${error.keyword}`, why);
  }
}

/** The description of the schema object that holds the failed keyword (for `not`, of the negated one). */
function reason(error: AjvError, context: ErrorContext): string | undefined {
  const segments = schemaSegments(error.schemaPath);
  const holder = error.keyword === "not" ? segments : segments.slice(0, -1);
  const own = describedAt(context.schema(), holder);
  if (own || error.keyword !== "not") return own;
  return describedAt(context.schema(), segments.slice(0, -1));
}

function schemaSegments(schemaPath: string): string[] {
  return schemaPath
    .replace(/^#\/?/, "")
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~"));
}

function describedAt(schema: unknown, segments: string[]): string | undefined {
  const node = walk(schema, segments);
  return typeof node === "object" && node !== null && typeof (node as any).description === "string"
    ? (node as any).description
    : undefined;
}

function walk(value: unknown, segments: string[]): unknown {
  let node = value;
  for (const segment of segments) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function atPointer(value: unknown, pointer: string): unknown {
  if (pointer === "") return value;
  return walk(
    value,
    pointer
      .slice(1)
      .split("/")
      .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~")),
  );
}

function withReason(message: string, why: string | undefined): string {
  return why ? `${message} (${why})` : message;
}

function oneOfHint(error: AjvError, context: ErrorContext): string | undefined {
  const branches = walk(context.schema(), schemaSegments(error.schemaPath)) as
    | Array<{ required?: string[] }>
    | undefined;
  if (!Array.isArray(branches)) return undefined;
  const names = branches.flatMap((branch) => branch.required ?? []);
  return names.length > 0 ? `exactly one of ${names.join(", ")}` : undefined;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (Number.isInteger(value)) return "integer";
  return typeof value;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

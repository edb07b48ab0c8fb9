import type { Finding } from "./types.js";

/** The parts of an Ajv error object that we read (Ajv is compiled with allErrors and verbose). */
export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, any>;
  message?: string;
  schema?: unknown;
  parentSchema?: { description?: string } & Record<string, unknown>;
  data?: unknown;
}

/**
 * Turns Ajv's errors into findings a person can act on: the "must match then schema" echoes of if/then
 * are dropped (the real error is reported beside them), a missing property is named, and the schema's own
 * description says why a rule exists.
 */
export function findingsFromAjv(errors: readonly AjvError[] | null | undefined): Finding[] {
  if (!errors) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === "if") continue;
    if (isOneOfBranchNoise(error, errors)) continue;
    const finding = { path: error.instancePath, message: describe(error) };
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

function describe(error: AjvError): string {
  const why = reason(error);
  switch (error.keyword) {
    case "required":
      return withReason(`missing required property "${error.params.missingProperty}"`, why);
    case "dependentRequired":
      return withReason(`"${error.params.property}" needs "${error.params.missingProperty}" beside it`, why);
    case "const":
      return withReason(
        `must be ${JSON.stringify(error.params.allowedValue)}, got ${preview(error.data)}`,
        why,
      );
    case "enum":
      return withReason(
        `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}, got ${preview(error.data)}`,
        why,
      );
    case "type":
      return withReason(`must be ${error.params.type}, got ${typeName(error.data)}`, why);
    case "pattern":
      return withReason(`${preview(error.data)} does not match ${error.params.pattern}`, why);
    case "format":
      return withReason(`${preview(error.data)} is not a valid ${error.params.format}`, why);
    case "not":
      return why ?? "must not be present here";
    case "oneOf":
      if (error.params.passingSchemas) return withReason("matches more than one allowed shape", why);
      return withReason(`must match exactly one of the allowed shapes`, why ?? oneOfHint(error));
    case "anyOf":
      return withReason("matches none of the allowed shapes", why);
    default:
      return withReason(error.message ?? `fails ${error.keyword}`, why);
  }
}

function reason(error: AjvError): string | undefined {
  if (error.keyword === "not") {
    const schema = error.schema as { description?: string } | undefined;
    return schema?.description ?? error.parentSchema?.description;
  }
  return error.parentSchema?.description;
}

function withReason(message: string, why: string | undefined): string {
  return why ? `${message} (${why})` : message;
}

function oneOfHint(error: AjvError): string | undefined {
  const branches = error.schema as Array<{ required?: string[] }> | undefined;
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

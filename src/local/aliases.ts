import { randomUUID } from "node:crypto";
import { isAliasName, isVersionNumber, LATEST } from "./arns.js";
import { invalidParameter, LambdaServiceError, validationError } from "./lambda-service-error.js";

/** An alias: a name pointing at a version, optionally sharing its traffic with one other version. */
export interface Alias {
  name: string;
  functionVersion: string;
  description: string;
  revisionId: string;
  /** RoutingConfig.AdditionalVersionWeights: version → share of invocations (0 ≤ w < 1). */
  weights?: Record<string, number>;
}

/** CreateAlias's Name, checked as AWS checks it (its pattern quoted as its recorded responses quote it). */
export function checkAliasName(name: unknown): string {
  if (typeof name !== "string" || name === "") throw nullMember("name");
  if (name.length > 128) {
    throw validationError(name, "name", "Member must have length less than or equal to 128");
  }
  if (!isAliasName(name)) {
    throw validationError(
      name,
      "name",
      "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    );
  }
  return name;
}

/** "1 validation error detected: Value null at 'x' failed to satisfy constraint: Member must not be null". */
export function nullMember(member: string): LambdaServiceError {
  return new LambdaServiceError(
    "ValidationException",
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    400,
  );
}

/**
 * RoutingConfig.AdditionalVersionWeights as the Lambda API checks it (messages from AWS's recorded responses,
 * LocalStack's AWS-validated alias tests): one entry at most, a weight in [0, 1), a version number that is not
 * the alias's own version, and never with an alias of $LATEST. `versionExists` refuses a missing version.
 */
export function parseRoutingConfig(
  routing: unknown,
  target: string,
  versionExists: (version: string) => void,
): Record<string, number> | undefined {
  if (routing === undefined || routing === null) return undefined;
  const weights = (routing as { AdditionalVersionWeights?: unknown }).AdditionalVersionWeights;
  if (weights === undefined || weights === null) return undefined;
  if (typeof weights !== "object" || Array.isArray(weights)) {
    throw invalidParameter("RoutingConfig.AdditionalVersionWeights must be a map of version to weight.");
  }
  const entries = Object.entries(weights as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length > 1) {
    throw invalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1");
  }
  const [version, weight] = entries[0]!;
  if (typeof weight !== "number" || weight < 0 || weight > 1) {
    throw validationError(
      `{${version}=${javaDouble(weight)}}`,
      "routingConfig.additionalVersionWeights",
      "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
    );
  }
  if (version === target) {
    throw invalidParameter(
      `Invalid function version ${target}. Function version ${target} is already included in routing configuration.`,
    );
  }
  if (target === LATEST) {
    // AWS's answer carries no Type member here (test_notfound_and_invalid_routingconfigs snapshot).
    throw new LambdaServiceError(
      "InvalidParameterValueException",
      "$LATEST is not supported for an alias pointing to more than 1 version",
      400,
      { Type: undefined },
    );
  }
  if (!isVersionNumber(version)) {
    throw validationError(
      `{${version}=${javaDouble(weight)}}`,
      "routingConfig.additionalVersionWeights",
      "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]",
    );
  }
  versionExists(version);
  return { [version]: weight };
}

/** A weight as AWS's messages print it (Java's double: 2.0, -1.0, 0.5). */
function javaDouble(value: unknown): string {
  return typeof value === "number" && Number.isInteger(value) ? `${value}.0` : String(value);
}

export function newAlias(
  name: string,
  functionVersion: string,
  description: string,
  weights: Record<string, number> | undefined,
): Alias {
  return { name, functionVersion, description, revisionId: randomUUID(), weights };
}

/** The version an invocation of the alias runs: the extra version for its share of calls, else the main one. */
export function pickAliasVersion(alias: Alias, random: () => number = Math.random): string {
  for (const [version, weight] of Object.entries(alias.weights ?? {})) {
    if (random() < weight) return version;
  }
  return alias.functionVersion;
}

/** The AliasConfiguration the alias operations return. */
export function aliasResponse(alias: Alias, aliasArn: string): Record<string, unknown> {
  return {
    AliasArn: aliasArn,
    Description: alias.description,
    FunctionVersion: alias.functionVersion,
    Name: alias.name,
    RevisionId: alias.revisionId,
    ...(alias.weights === undefined ? {} : { RoutingConfig: { AdditionalVersionWeights: alias.weights } }),
  };
}

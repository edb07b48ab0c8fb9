import { createHash } from "node:crypto";
import { checkEnvironmentVariables } from "./function-environment.js";
import { validationError } from "./lambda-service-error.js";
import type { RuntimeFamily } from "./runtimes.js";

/**
 * What one version of a function runs with: AWS's version-specific configuration. $LATEST's changes with each
 * update; a published version's is a copy frozen at PublishVersion.
 */
export interface VersionConfig {
  runtime: string;
  family: RuntimeFamily;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  /** undefined: no Environment was given, and GetFunctionConfiguration shows none (as on AWS). */
  environment?: Record<string, string>;
  codeDirectory: string;
  codeSha256: string;
  codeSize: number;
  lastModified: Date;
  revisionId: string;
  deadLetterArn?: string;
  architecture: "x86_64" | "arm64";
  ephemeralStorageSize: number;
  tracingMode: string;
  /** Changes on every update of $LATEST; PublishVersion publishes nothing new when it has not moved. */
  internalRevision: number;
}

/** The per-response status members: Pending on create, InProgress on update, settled otherwise. */
export type ConfigurationPhase = "created" | "updated" | "settled" | "listed";

const ROLE_PATTERN = "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+";
const DEAD_LETTER_PATTERN = "(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()";

/**
 * A configuration as CreateFunction, UpdateFunction*, GetFunction(Configuration), PublishVersion and the lists
 * return it, member for member as AWS's recorded responses (LocalStack's AWS-validated test_lambda_api
 * snapshots): LoggingConfig, RuntimeVersionConfig, SnapStart, EphemeralStorage, Architectures, PackageType,
 * Environment only when one was given, DeadLetterConfig only when set. Create answers State Pending (with
 * StateReason) and no LastUpdateStatus; an update answers LastUpdateStatus InProgress; afterwards both are
 * settled (Active, Successful). The lists leave the status members and RuntimeVersionConfig out.
 */
export function renderConfiguration(
  name: string,
  arn: string,
  version: string,
  config: VersionConfig,
  region: string,
  phase: ConfigurationPhase,
): Record<string, unknown> {
  const status: Record<string, unknown> =
    phase === "created"
      ? { State: "Pending", StateReason: "The function is being created.", StateReasonCode: "Creating" }
      : phase === "updated"
        ? {
            State: "Active",
            LastUpdateStatus: "InProgress",
            LastUpdateStatusReason: "The function is being created.",
            LastUpdateStatusReasonCode: "Creating",
          }
        : phase === "settled"
          ? { State: "Active", LastUpdateStatus: "Successful" }
          : {};
  return {
    FunctionName: name,
    FunctionArn: arn,
    Runtime: config.runtime,
    Role: config.role,
    Handler: config.handler,
    CodeSize: config.codeSize,
    Description: config.description,
    Timeout: config.timeout,
    MemorySize: config.memorySize,
    LastModified: config.lastModified.toISOString().replace("Z", "+0000"),
    CodeSha256: config.codeSha256,
    Version: version,
    ...(config.environment === undefined ? {} : { Environment: { Variables: config.environment } }),
    ...(config.deadLetterArn === undefined ? {} : { DeadLetterConfig: { TargetArn: config.deadLetterArn } }),
    TracingConfig: { Mode: config.tracingMode },
    RevisionId: config.revisionId,
    ...status,
    PackageType: "Zip",
    Architectures: [config.architecture],
    EphemeralStorage: { Size: config.ephemeralStorageSize },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    ...(phase === "listed"
      ? {}
      : { RuntimeVersionConfig: { RuntimeVersionArn: runtimeVersionArn(region, config.runtime) } }),
    LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${name}` },
  };
}

/** arn:aws:lambda:REGION::runtime:<64 hex>, AWS's form; the hash stands for the runtime's local build. */
function runtimeVersionArn(region: string, runtime: string): string {
  return `arn:aws:lambda:${region}::runtime:${createHash("sha256").update(`lambda-dest local ${runtime}`).digest("hex")}`;
}

/** The settings CreateFunction and UpdateFunctionConfiguration share, checked as the Lambda API checks them. */
export interface FunctionSettings {
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
  description?: string;
  role?: string;
  /** null: given as "" (removes the dead-letter queue). */
  deadLetterArn?: string | null;
  architecture?: "x86_64" | "arm64";
  ephemeralStorageSize?: number;
  tracingMode?: string;
}

export function parseFunctionSettings(body: Record<string, unknown>): FunctionSettings {
  const settings: FunctionSettings = {};
  if (body.Timeout !== undefined && body.Timeout !== null) {
    const timeout = body.Timeout;
    if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > 900) {
      throw validationError(timeout, "timeout", "Member must have value between 1 and 900");
    }
    settings.timeout = timeout;
  }
  if (body.MemorySize !== undefined && body.MemorySize !== null) {
    const memory = body.MemorySize;
    if (typeof memory !== "number" || !Number.isInteger(memory) || memory < 128 || memory > 10_240) {
      throw validationError(memory, "memorySize", "Member must have value between 128 and 10240");
    }
    settings.memorySize = memory;
  }
  if (body.Environment !== undefined && body.Environment !== null) {
    const variables = (body.Environment as { Variables?: Record<string, string> }).Variables ?? {};
    checkEnvironmentVariables(variables);
    settings.environment = { ...variables };
  }
  if (typeof body.Description === "string") settings.description = body.Description;
  if (body.Role !== undefined && body.Role !== null) {
    // AWS's ValidationException for a role that is not a role ARN ("r1"), quoting its pattern.
    if (typeof body.Role !== "string" || !new RegExp(`^${ROLE_PATTERN}$`).test(body.Role)) {
      throw validationError(
        body.Role,
        "role",
        `Member must satisfy regular expression pattern: ${ROLE_PATTERN}`,
      );
    }
    settings.role = body.Role;
  }
  if (body.Architectures !== undefined && body.Architectures !== null) {
    const list = body.Architectures;
    const shown = Array.isArray(list) ? `[${list.join(", ")}]` : String(list);
    if (!Array.isArray(list) || list.length !== 1) {
      throw validationError(shown, "architectures", "Member must have length less than or equal to 1");
    }
    if (list[0] !== "x86_64" && list[0] !== "arm64") {
      throw validationError(
        shown,
        "architectures",
        "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]",
      );
    }
    settings.architecture = list[0];
  }
  const deadLetter = body.DeadLetterConfig as { TargetArn?: unknown } | undefined | null;
  if (deadLetter && deadLetter.TargetArn !== undefined && deadLetter.TargetArn !== null) {
    const target = deadLetter.TargetArn;
    if (typeof target !== "string" || !new RegExp(`^(${DEAD_LETTER_PATTERN})$`).test(target)) {
      throw validationError(
        target,
        "deadLetterConfig.targetArn",
        `Member must satisfy regular expression pattern: ${DEAD_LETTER_PATTERN}`,
      );
    }
    settings.deadLetterArn = target === "" ? null : target;
  }
  const storage = (body.EphemeralStorage as { Size?: unknown } | undefined | null)?.Size;
  if (storage !== undefined && storage !== null) {
    if (typeof storage !== "number" || !Number.isInteger(storage) || storage < 512 || storage > 10_240) {
      throw validationError(storage, "ephemeralStorage.size", "Member must have value between 512 and 10240");
    }
    settings.ephemeralStorageSize = storage;
  }
  const mode = (body.TracingConfig as { Mode?: unknown } | undefined | null)?.Mode;
  if (mode !== undefined && mode !== null) {
    if (mode !== "Active" && mode !== "PassThrough") {
      throw validationError(
        mode,
        "tracingConfig.mode",
        "Member must satisfy enum value set: [Active, PassThrough]",
      );
    }
    settings.tracingMode = mode;
  }
  return settings;
}

/** Applies UpdateFunctionConfiguration's settings to $LATEST's configuration. */
export function applyFunctionSettings(config: VersionConfig, settings: FunctionSettings): void {
  if (settings.timeout !== undefined) config.timeout = settings.timeout;
  if (settings.memorySize !== undefined) config.memorySize = settings.memorySize;
  if (settings.environment !== undefined) config.environment = settings.environment;
  if (settings.description !== undefined) config.description = settings.description;
  if (settings.role !== undefined) config.role = settings.role;
  if (settings.deadLetterArn !== undefined) config.deadLetterArn = settings.deadLetterArn ?? undefined;
  if (settings.architecture !== undefined) config.architecture = settings.architecture;
  if (settings.ephemeralStorageSize !== undefined)
    config.ephemeralStorageSize = settings.ephemeralStorageSize;
  if (settings.tracingMode !== undefined) config.tracingMode = settings.tracingMode;
}

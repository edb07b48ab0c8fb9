import { randomBytes } from "node:crypto";
import { LATEST } from "./arns.js";
import { invalidParameter } from "./lambda-service-error.js";
import type { RuntimeFamily } from "./runtimes.js";

/**
 * What a function's process sees as its environment. This is a security boundary: the process is started
 * with this environment only (nothing else of the stack's own), so no credential of the person running the
 * stack reaches function code; the AWS SDK in the function gets dummy credentials and the stack's endpoint.
 */

/** The function's side of the environment: its settings and its own Environment.Variables. */
export interface FunctionEnvironmentSettings {
  name: string;
  runtime: string;
  family: RuntimeFamily;
  handler: string;
  memorySize: number;
  codeDirectory: string;
  /** Environment.Variables as the caller set them (checked with checkEnvironmentVariables). */
  variables: Record<string, string>;
}

/** The stack's side: where it runs and what it offers every function. */
export interface StackEnvironmentSettings {
  region: string;
  /** The stack's endpoint, which every AWS SDK in the function is pointed at. */
  endpoint: string;
  runtimeDirectory: string;
  /** node_modules that Node.js functions may import the AWS SDK from. */
  sharedNodeModules?: string;
  /** The stack's PATH: runtimes find their interpreters (python3) and tools through it. */
  path?: string;
}

/** Variables Lambda sets itself; AWS refuses them in Environment.Variables. */
export const RESERVED_VARIABLES: ReadonlySet<string> = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

/** Lambda measures Environment.Variables as compact JSON, keys and values together. */
const ENVIRONMENT_LIMIT_BYTES = 4096;

/** Refuses Environment.Variables as Lambda does: beyond 4 KB, or naming a reserved variable. */
export function checkEnvironmentVariables(variables: Record<string, string>): void {
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > ENVIRONMENT_LIMIT_BYTES) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
  const reserved = Object.keys(variables).filter((name) => RESERVED_VARIABLES.has(name));
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
}

/**
 * The standard Lambda variables, pointing every AWS SDK in the function back at the local stack. Without
 * AWS_LAMBDA_RUNTIME_API: each sandbox adds its own, with its secret path.
 */
export function functionEnvironment(
  fn: FunctionEnvironmentSettings,
  stack: StackEnvironmentSettings,
  now: Date = new Date(),
): Record<string, string> {
  const today = now.toISOString().slice(0, 10).replaceAll("-", "/");
  const environment: Record<string, string> = {
    PATH: stack.path ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    ...fn.variables,
    _HANDLER: fn.handler,
    LAMBDA_TASK_ROOT: fn.codeDirectory,
    LAMBDA_RUNTIME_DIR: stack.runtimeDirectory,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: LATEST,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${today}/[${LATEST}]${randomBytes(16).toString("hex")}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_REGION: stack.region,
    AWS_DEFAULT_REGION: stack.region,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SESSION_TOKEN: "test",
  };
  // AWS_ENDPOINT_URL is not reserved on AWS, so a function's own setting wins.
  environment.AWS_ENDPOINT_URL = fn.variables.AWS_ENDPOINT_URL ?? stack.endpoint;
  if (fn.family === "nodejs" && stack.sharedNodeModules) {
    environment.NODE_PATH = fn.variables.NODE_PATH ?? stack.sharedNodeModules;
  }
  if (fn.family === "python") environment.PYTHONUNBUFFERED = "1";
  return environment;
}

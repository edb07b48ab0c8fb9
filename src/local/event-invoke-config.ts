import { parseValidArn } from "./arns.js";
import { invalidParameter, validationError } from "./lambda-service-error.js";

export interface EventInvokeConfig {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
  lastModified: number;
}

/** AWS's defaults when a setting is not configured. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600;

const DESTINATION_SERVICES = new Set(["sqs", "sns", "lambda", "events", "s3"]);

/** The request body of Put/UpdateFunctionEventInvokeConfig, checked like the Lambda API checks it. */
export interface EventInvokeConfigInput {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  /** undefined: not given; null or "": given without a destination. */
  onSuccess?: string | null;
  onFailure?: string | null;
}

export function parseEventInvokeConfigInput(body: Record<string, unknown>): EventInvokeConfigInput {
  const input: EventInvokeConfigInput = {};
  if (body.MaximumRetryAttempts !== undefined && body.MaximumRetryAttempts !== null) {
    input.maximumRetryAttempts = integerInRange(body.MaximumRetryAttempts, "maximumRetryAttempts", 0, 2);
  }
  if (body.MaximumEventAgeInSeconds !== undefined && body.MaximumEventAgeInSeconds !== null) {
    input.maximumEventAgeInSeconds = integerInRange(
      body.MaximumEventAgeInSeconds,
      "maximumEventAgeInSeconds",
      60,
      21_600,
    );
  }
  const destinations = body.DestinationConfig;
  if (destinations !== undefined && destinations !== null) {
    if (typeof destinations !== "object") throw invalidParameter("DestinationConfig must be an object.");
    const { OnSuccess, OnFailure } = destinations as Record<string, unknown>;
    if (OnSuccess !== undefined) input.onSuccess = destinationOf(OnSuccess, "onSuccess");
    if (OnFailure !== undefined) input.onFailure = destinationOf(OnFailure, "onFailure");
  }
  return input;
}

/** PUT replaces the whole configuration: what is not given goes back to the default. */
export function replaceEventInvokeConfig(input: EventInvokeConfigInput, now: Date): EventInvokeConfig {
  return {
    maximumRetryAttempts: input.maximumRetryAttempts,
    maximumEventAgeInSeconds: input.maximumEventAgeInSeconds,
    onSuccess: input.onSuccess || undefined,
    onFailure: input.onFailure || undefined,
    lastModified: now.getTime() / 1000,
  };
}

/** POST (UpdateFunctionEventInvokeConfig) changes only what is given. */
export function mergeEventInvokeConfig(
  existing: EventInvokeConfig | undefined,
  input: EventInvokeConfigInput,
  now: Date,
): EventInvokeConfig {
  const base = existing ?? { lastModified: 0 };
  return {
    maximumRetryAttempts: input.maximumRetryAttempts ?? base.maximumRetryAttempts,
    maximumEventAgeInSeconds: input.maximumEventAgeInSeconds ?? base.maximumEventAgeInSeconds,
    onSuccess: input.onSuccess === undefined ? base.onSuccess : input.onSuccess || undefined,
    onFailure: input.onFailure === undefined ? base.onFailure : input.onFailure || undefined,
    lastModified: now.getTime() / 1000,
  };
}

/** The API's view: unset destinations read back as `{}`, unset numbers are left out. */
export function eventInvokeConfigResponse(
  config: EventInvokeConfig,
  qualifiedFunctionArn: string,
): Record<string, unknown> {
  return {
    LastModified: config.lastModified,
    FunctionArn: qualifiedFunctionArn,
    ...(config.maximumRetryAttempts === undefined
      ? {}
      : { MaximumRetryAttempts: config.maximumRetryAttempts }),
    ...(config.maximumEventAgeInSeconds === undefined
      ? {}
      : { MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds }),
    DestinationConfig: {
      OnSuccess: config.onSuccess === undefined ? {} : { Destination: config.onSuccess },
      OnFailure: config.onFailure === undefined ? {} : { Destination: config.onFailure },
    },
  };
}

function integerInRange(value: unknown, member: string, minimum: number, maximum: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw validationError(value, member, "Member must be an integer");
  }
  if (value < minimum)
    throw validationError(value, member, `Member must have value greater than or equal to ${minimum}`);
  if (value > maximum)
    throw validationError(value, member, `Member must have value less than or equal to ${maximum}`);
  return value;
}

function destinationOf(value: unknown, which: "onSuccess" | "onFailure"): string | null {
  if (value === null) return null;
  if (typeof value !== "object") throw invalidParameter(`DestinationConfig.${which} must be an object.`);
  const destination = (value as Record<string, unknown>).Destination;
  if (destination === undefined || destination === null || destination === "") return null;
  if (typeof destination !== "string")
    throw invalidParameter(`DestinationConfig.${which}.Destination must be an ARN.`);
  checkDestinationArn(destination, which);
  return destination;
}

/**
 * AWS accepts a FIFO queue or topic here and then fails every delivery silently (Lambda's destinations documentation: FIFO queues and topics are not supported); the
 * local stack refuses it up front so the mistake is visible where it is made.
 */
function checkDestinationArn(destination: string, which: "onSuccess" | "onFailure"): void {
  const arn = parseValidArn(destination);
  if (!arn) {
    throw validationError(
      destination,
      `destinationConfig.${which}.destination`,
      "Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)",
    );
  }
  if (!DESTINATION_SERVICES.has(arn.service)) {
    throw invalidParameter(
      `The destination ARN ${destination} is invalid: a destination must be an SQS queue, SNS topic, Lambda function, EventBridge event bus or S3 bucket.`,
    );
  }
  if (arn.service === "s3" && which === "onSuccess") {
    throw invalidParameter("S3 bucket destinations are supported for OnFailure only.");
  }
  if ((arn.service === "sqs" || arn.service === "sns") && arn.resource.endsWith(".fifo")) {
    throw invalidParameter(
      `The destination ${destination} is a FIFO ${arn.service === "sqs" ? "queue" : "topic"}: Lambda destinations must be standard queues and topics (AWS accepts this setting and then fails every delivery silently).`,
    );
  }
  if (arn.service === "lambda" && !arn.resource.startsWith("function:")) {
    throw invalidParameter(`The destination ARN ${destination} is not a Lambda function ARN.`);
  }
}

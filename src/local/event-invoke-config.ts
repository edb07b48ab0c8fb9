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
  /** Whether the body had a DestinationConfig at all. */
  destinationsGiven?: boolean;
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
    input.destinationsGiven = true;
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
 * The destination's ARN as AWS checks it: its pattern (ValidationException, AWS's wording and pattern from its
 * recorded responses), then the services Lambda delivers to (InvalidParameterValueException). A FIFO queue or
 * topic is accepted, as on AWS, whose every delivery to it then fails (Lambda's documentation, "Capturing
 * records of Lambda asynchronous invocations": DestinationDeliveryFailures for an SQS or SNS FIFO destination).
 */
function checkDestinationArn(destination: string, which: "onSuccess" | "onFailure"): void {
  const arn = parseValidArn(destination);
  if (!arn || !DESTINATION_PATTERN.test(destination)) {
    throw validationError(
      destination,
      `destinationConfig.${which}.destination`,
      "Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)",
    );
  }
  if (arn.service === "lambda" && !arn.resource.startsWith("function:")) {
    throw invalidParameter(`The destination ARN ${destination} is invalid.`);
  }
}

const DESTINATION_PATTERN =
  /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;

/**
 * The checks that need the whole configuration: a destination of a service Lambda does not deliver to (or S3 on
 * success) makes AWS refuse the whole DestinationConfig, in its own notation.
 */
export function checkDestinationServices(input: EventInvokeConfigInput): void {
  const services = (destination: string | null | undefined, which: "onSuccess" | "onFailure") => {
    if (!destination) return true;
    const service = parseValidArn(destination)?.service ?? "";
    return DESTINATION_SERVICES.has(service) && !(service === "s3" && which === "onSuccess");
  };
  if (services(input.onSuccess, "onSuccess") && services(input.onFailure, "onFailure")) return;
  const success = input.onSuccess ? `OnSuccess(destination=${input.onSuccess})` : "null";
  const failure = input.onFailure ? `OnFailure(destination=${input.onFailure})` : "null";
  throw invalidParameter(
    `The provided destination config DestinationConfig(onSuccess=${success}, onFailure=${failure}) is invalid.`,
  );
}

/** True when a Put/UpdateFunctionEventInvokeConfig body sets nothing at all. */
export function isEmptyEventInvokeConfigInput(input: EventInvokeConfigInput): boolean {
  return (
    input.maximumRetryAttempts === undefined &&
    input.maximumEventAgeInSeconds === undefined &&
    !input.destinationsGiven
  );
}

/**
 * The exceptions whose message member is `Message` in Lambda's API model (the SDK reads it from there); every
 * other modelled exception carries a lowercase `message`. AWS's recorded responses show the same split, e.g.
 * ResourceNotFoundException `{"Type":"User","Message":…}` and InvalidParameterValueException
 * `{"Type":"User","message":…}`.
 */
const CAPITAL_MESSAGE_TYPES = new Set([
  "ResourceNotFoundException",
  "ServiceException",
  "RecursiveInvocationException",
  "ResourceInUseException",
  "InvalidZipFileException",
  "InvalidRuntimeException",
  "ServiceQuotaExceededException",
  "NoPublishedVersionException",
  "PublicPolicyException",
  "CodeSigningConfigNotFoundException",
  "CodeVerificationFailedException",
  "InvalidCodeSignatureException",
  "SubnetIPAddressLimitReachedException",
]);

/**
 * An error answered the way the Lambda API answers it: the error name in the `x-amzn-ErrorType` header (which
 * the SDK's restJson1 deserialiser reads first to pick the exception class) and `{"Type":"User", message}` in
 * the body, the message under the member name the API model gives that exception.
 */
export class LambdaServiceError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly statusCode = 400,
    /** Extra body members, e.g. `Reason` on TooManyRequestsException. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "LambdaServiceError";
  }

  body(): Record<string, unknown> {
    // ValidationException comes from the request-validation layer on AWS and carries no "Type".
    if (this.errorType === "ValidationException") return { message: this.message };
    const member = CAPITAL_MESSAGE_TYPES.has(this.errorType) ? "Message" : "message";
    // `details` may set Type to undefined: the few answers AWS sends without one.
    return { Type: "User", ...this.details, [member]: this.message };
  }
}

export function resourceNotFound(message: string): LambdaServiceError {
  return new LambdaServiceError("ResourceNotFoundException", message, 404);
}

export function invalidParameter(message: string): LambdaServiceError {
  return new LambdaServiceError("InvalidParameterValueException", message, 400);
}

export function resourceConflict(message: string): LambdaServiceError {
  return new LambdaServiceError("ResourceConflictException", message, 409);
}

/** AWS's answer to a RevisionId that is not the current one (PreconditionFailedException, 412). */
export function revisionMismatch(): LambdaServiceError {
  return new LambdaServiceError(
    "PreconditionFailedException",
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    412,
  );
}

/** The wording of AWS's request-validation errors ("1 validation error detected: Value ... at ..."). */
export function validationError(value: unknown, member: string, constraint: string): LambdaServiceError {
  return new LambdaServiceError(
    "ValidationException",
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
    400,
  );
}

/** Lambda's answer to a request body over an operation's size limit, before the operation itself runs. */
export function requestTooLarge(limit: number, operation: string): LambdaServiceError {
  return new LambdaServiceError(
    "RequestEntityTooLargeException",
    `Request must be smaller than ${limit} bytes for the ${operation} operation`,
    413,
  );
}

/**
 * An error answered the way the Lambda API answers it: the error name in the `x-amzn-ErrorType` header (which
 * the SDK's restJson1 deserialiser reads first to pick the exception class) and `{"Type", "message"}` in the
 * body.
 */
export class LambdaServiceError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly statusCode = 400,
    /** Extra body members, e.g. `Reason` on TooManyRequestsException. */
    readonly details: Record<string, unknown> = {},
    /** The member the message goes in: most exceptions in Lambda's model say `message`, a few `Message`. */
    private readonly messageMember: "message" | "Message" = "message",
  ) {
    super(message);
    this.name = "LambdaServiceError";
  }

  body(): Record<string, unknown> {
    // ValidationException comes from the request-validation layer on AWS and carries no "Type".
    if (this.errorType === "ValidationException") return { message: this.message };
    return { ...this.details, Type: "User", [this.messageMember]: this.message };
  }
}

export function resourceNotFound(message: string): LambdaServiceError {
  return new LambdaServiceError("ResourceNotFoundException", message, 404);
}

export function invalidParameter(message: string): LambdaServiceError {
  return new LambdaServiceError("InvalidParameterValueException", message, 400);
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

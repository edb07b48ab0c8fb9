/**
 * An error as EventBridge answers it (JSON 1.1): HTTP 400 and `{"__type": NAME, "message": TEXT}`, which SDK v3
 * turns into the exception class of that name.
 */
export class EventsServiceError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = "EventsServiceError";
  }
}

export function validation(message: string): EventsServiceError {
  return new EventsServiceError("ValidationException", message);
}

export function notFound(message: string): EventsServiceError {
  return new EventsServiceError("ResourceNotFoundException", message);
}

/** AWS's wording for a member that breaks the API model's constraints. */
export function constraint(value: unknown, member: string, rule: string): EventsServiceError {
  const shown = value === undefined || value === null ? "null" : `'${String(value)}'`;
  return validation(
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${rule}`,
  );
}

/**
 * Typed errors. `main()` is the only place that catches them: it prints `message` as one line
 * (the stack only with --verbose) and returns `exitCode`.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  timeout: 3,
} as const;

export abstract class LambdaDestError extends Error {
  abstract readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Marks our errors on their prototype. The start-up bundle (dist/main.cjs) holds its own copy of this module
 * and the lazily loaded commands another, so `instanceof` across the two would miss; the mark does not.
 */
const OURS = Symbol.for("lambda-dest.error");
Object.defineProperty(LambdaDestError.prototype, OURS, { value: true });

/** Whether `error` is one of ours, from whichever copy of this module. */
export function isLambdaDestError(error: unknown): error is LambdaDestError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[OURS] === true;
}

/** Bad flags or arguments, or input that cannot be read at all (missing file, no stdin). Exit 2. */
export class UsageError extends LambdaDestError {
  readonly exitCode = ExitCode.usage;
}

/** A payload did not validate. Exit 1. */
export class ValidationFailedError extends LambdaDestError {
  readonly exitCode = ExitCode.failure;
}

/**
 * What an AWS call met, decided once where the SDK's error is translated (src/aws/errors.ts), so that callers
 * switch on it instead of digging into `cause`.
 */
export type AwsFailureReason =
  | "not-found"
  | "access-denied"
  | "expired-credentials"
  | "no-credentials"
  | "rejected-credentials"
  | "throttled"
  | "unreachable"
  | "no-answer"
  | "failed";

/** An AWS call failed (no such queue, access denied, unreachable endpoint...). Exit 1. */
export class AwsOperationError extends LambdaDestError {
  readonly exitCode = ExitCode.failure;
  readonly reason: AwsFailureReason;
  /** The service's own words, when it gave any (the line above is ours). */
  readonly serviceMessage?: string;
  constructor(
    message: string,
    options?: { cause?: unknown; reason?: AwsFailureReason; serviceMessage?: string },
  ) {
    super(message, options);
    this.reason = options?.reason ?? "failed";
    this.serviceMessage = options?.serviceMessage;
  }
}

/** Waiting for something took longer than the user allowed. Exit 3. */
export class TimeoutError extends LambdaDestError {
  readonly exitCode = ExitCode.timeout;
}

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

/** Bad flags or arguments, or input that cannot be read at all (missing file, no stdin). Exit 2. */
export class UsageError extends LambdaDestError {
  readonly exitCode = ExitCode.usage;
}

/** A payload did not validate. Exit 1. */
export class ValidationFailedError extends LambdaDestError {
  readonly exitCode = ExitCode.failure;
}

/** An AWS call failed (no such queue, access denied, unreachable endpoint...). Exit 1. */
export class AwsOperationError extends LambdaDestError {
  readonly exitCode = ExitCode.failure;
}

/** Waiting for something took longer than the user allowed. Exit 3. */
export class TimeoutError extends LambdaDestError {
  readonly exitCode = ExitCode.timeout;
}

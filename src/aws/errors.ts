/**
 * SDK errors translated into one clear line each (what failed, where, what to do). Errors are recognised by
 * their name and code rather than by class, so that this module does not load the SDK.
 */
import { formatDuration } from "../duration.js";
import { type AwsFailureReason, AwsOperationError, type LambdaDestError, UsageError } from "../errors.js";
import { MAX_TIMER_MS } from "../option-values.js";
import { ATTEMPTS_WITHOUT_ANSWER, CONNECT_TIMEOUT_MS } from "./clients.js";

export interface AwsCall {
  /** IAM-style action, e.g. "sqs:SendMessage". */
  action: string;
  /** What the call was about, e.g. "queue orders" or "function order-processor". */
  resource?: string;
  /** The endpoint in use, for "cannot reach" messages. */
  endpoint: string;
  /** The region in use, for "does not exist" messages. */
  region?: string;
  /** Another way round an access denied, e.g. "give the topic ARN instead of its name". */
  hint?: string;
  /** How long one attempt may wait for its answer: the request time-out, plus a long poll's own wait. */
  answerWithinMs: number;
  /** Tries of a request that got no answer (default ATTEMPTS_WITHOUT_ANSWER); 1 for one that must not run twice. */
  attemptsWithoutAnswer?: number;
}

/** What a call passes to the SDK's `send`: the signal that ends it, and its time-out. */
export interface SendOptions {
  abortSignal: AbortSignal;
  requestTimeout: number;
}

const NOT_FOUND = new Set([
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "NonExistentQueue",
  "NotFound",
  "NotFoundException",
  "ResourceNotFoundException",
  "NoSuchBucket",
  "NoSuchKey",
]);
const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "AuthorizationError",
  "AuthorizationErrorException",
  "KMSAccessDeniedException",
  "KmsAccessDenied",
  "KMS.AccessDeniedException",
]);
const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"]);
const REJECTED = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
  "InvalidAccessKeyId",
  "AuthFailure",
  "IncompleteSignature",
  "MissingAuthenticationToken",
]);
const THROTTLED = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "KMSThrottlingException",
  "ProvisionedThroughputExceededException",
]);
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

interface ErrorFacts {
  name: string;
  code?: string;
  message: string;
  status?: number;
  attempts?: number;
}

function factsOf(error: unknown): ErrorFacts {
  const record = (error ?? {}) as Record<string, any>;
  let code: string | undefined = typeof record.code === "string" ? record.code : undefined;
  // Node's happy-eyeballs connect failures arrive as an AggregateError whose parts carry the code.
  if (!code && Array.isArray(record.errors)) {
    code = record.errors.find((part: any) => typeof part?.code === "string")?.code;
  }
  if (!code && record.cause && typeof record.cause.code === "string") code = record.cause.code;
  return {
    name: typeof record.name === "string" ? record.name : "Error",
    code: code ?? (typeof record.Code === "string" ? record.Code : undefined),
    message: typeof record.message === "string" ? record.message : String(error),
    status: record.$metadata?.httpStatusCode,
    attempts: record.$metadata?.attempts,
  };
}

/** The error an aborted call ends with (named as the SDK names its own). */
export function abortError(signal: AbortSignal): Error {
  const error = new Error("the call was aborted", { cause: signal.reason });
  error.name = "AbortError";
  return error;
}

export function isAbortError(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === "AbortError";
}

/** One sentence ending without a period, from an SDK message that may span lines. */
function firstLine(message: string): string {
  return message.split("\n")[0]!.trim().replace(/\.$/, "");
}

/** Translates an SDK (or network) error into our error with one clear line; keeps the original as `cause`. */
export function translateAwsError(error: unknown, call: AwsCall): LambdaDestError {
  const facts = factsOf(error);
  const { name, code } = facts;
  const is = (set: Set<string>) => set.has(name) || (code !== undefined && set.has(code));
  const what = call.resource ?? call.action;
  const inRegion = call.region ? ` in ${call.region}` : "";
  let message: string;
  let reason: AwsFailureReason = "failed";
  if (/region is missing/i.test(facts.message)) {
    return new UsageError("no AWS region configured: pass --region, set AWS_REGION, or use --profile", {
      cause: error,
    });
  } else if (is(NOT_FOUND)) {
    reason = "not-found";
    message = `${what} does not exist${inRegion} (${call.action}); check the name, --region and --profile`;
  } else if (is(ACCESS_DENIED)) {
    reason = "access-denied";
    const remedy = call.hint ? `grant it in the IAM policy, or ${call.hint}` : "grant it in the IAM policy";
    message = `access denied: your credentials may not call ${call.action} on ${what}; ${remedy} (${firstLine(facts.message)})`;
  } else if (is(EXPIRED) || (name === "CredentialsProviderError" && /expired|refresh/i.test(facts.message))) {
    reason = "expired-credentials";
    message = `your AWS credentials have expired (${call.action}); refresh them (e.g. aws sso login) and retry`;
  } else if (
    name === "CredentialsProviderError" ||
    /could not load credentials|could not resolve credentials/i.test(facts.message)
  ) {
    reason = "no-credentials";
    message = `no usable AWS credentials: ${firstLine(facts.message)}; set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login (or use --local)`;
  } else if (is(REJECTED)) {
    reason = "rejected-credentials";
    message = `the AWS credentials were rejected (${call.action}: ${name}); check the access key, the profile and the region`;
  } else if (is(THROTTLED)) {
    reason = "throttled";
    const attempts = facts.attempts ? ` after ${facts.attempts} attempts` : " after retries";
    message = `throttled by AWS: ${call.action} on ${what} still throttled${attempts}; slow down or retry later`;
  } else if (
    name === "TimeoutError" &&
    /connection/i.test(facts.message) &&
    !/requestTimeout/.test(facts.message)
  ) {
    reason = "unreachable";
    message = `cannot reach ${call.endpoint} (no connection within ${formatDuration(Math.min(CONNECT_TIMEOUT_MS, call.answerWithinMs))}${triedTimes(facts)}) for ${call.action}; check --endpoint-url / --region, your network, or start the local stack (lambda-dest local)`;
  } else if (name === "TimeoutError" || name === "RequestTimeout") {
    reason = "no-answer";
    message = noAnswerMessage(call, `within ${formatDuration(call.answerWithinMs)}${triedTimes(facts)}`);
  } else if (code !== undefined && UNREACHABLE.has(code)) {
    reason = "unreachable";
    message = `cannot reach ${call.endpoint} (${code}) for ${call.action}; check --endpoint-url / --region, your network, or start the local stack (lambda-dest local)`;
  } else {
    const status = facts.status ? ` (HTTP ${facts.status})` : "";
    message = `${call.action} failed on ${what}: ${name === "Error" ? "" : `${name}: `}${firstLine(facts.message)}${status}`;
  }
  return new AwsOperationError(message, { cause: error, reason, serviceMessage: facts.message });
}

function triedTimes(facts: ErrorFacts): string {
  return facts.attempts && facts.attempts > 1 ? `, tried ${facts.attempts} times` : "";
}

function noAnswerMessage(call: AwsCall, when: string): string {
  return `no answer from ${call.endpoint} to ${call.action} ${when}: it accepts connections but does not answer; check --endpoint-url / --region and your network, or allow more with --request-timeout`;
}

/**
 * The longest one call may take, retries included, whatever stalls (a response that stops half-way); never
 * more than a Node timer holds.
 */
export function callBudgetMs(call: AwsCall): number {
  return Math.min(
    MAX_TIMER_MS,
    (call.attemptsWithoutAnswer ?? ATTEMPTS_WITHOUT_ANSWER) * call.answerWithinMs +
      CONNECT_TIMEOUT_MS +
      5_000,
  );
}

class CallBudgetSpent extends Error {}

/**
 * Runs one SDK call with its time-out, ended by `signal` or when its budget is spent; an error is rethrown as
 * ours, with one clear line. An abort by `signal` passes through untouched.
 */
export async function awsCall<T>(
  call: AwsCall,
  send: (options: SendOptions) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const budget = callBudgetMs(call);
  const timer = setTimeout(() => controller.abort(new CallBudgetSpent()), budget);
  const forward = () => controller.abort(signal!.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener("abort", forward, { once: true });
  try {
    return await send({
      abortSignal: controller.signal,
      requestTimeout: Math.min(call.answerWithinMs, MAX_TIMER_MS),
    });
  } catch (error) {
    if (controller.signal.reason instanceof CallBudgetSpent) {
      throw new AwsOperationError(noAnswerMessage(call, `within ${formatDuration(budget)}`), {
        cause: error,
        reason: "no-answer",
      });
    }
    if (isAbortError(error)) throw error;
    throw translateAwsError(error, call);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", forward);
  }
}

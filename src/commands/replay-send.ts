/**
 * `replay`'s send step: each payload invoked at the pace asked for (--rate, --concurrency), within the
 * Invoke API's payload limits, its outcome logged (--out) and shown as it ends; --delete deletes a held
 * message once its replay was accepted.
 */
import { appendFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArn } from "../arn.js";
import type { AwsClients } from "../aws/clients.js";
import type { LambdaOperations } from "../aws/lambda.js";
import type { HeldQueue } from "../aws/replay-sources.js";
import { parseFunctionReference } from "../aws/targets.js";
import { sleep } from "../aws/watched.js";
import type { CommandContext } from "../io.js";
import { printable } from "../printable.js";
import { type ReplayItem, type ReplayResult, resultLine } from "../render/replay.js";
import { logRecord } from "./replay-log.js";

export interface SendOptions {
  sync: boolean;
  delete: boolean;
  /** Invocations started per second, at most. */
  rate?: number;
  concurrency?: number;
  /** Appends one NDJSON line per replayed value: the replay log. */
  out?: string;
  /** Follow each replay to its new destination record (a message is deleted only after it). */
  wait: boolean;
}

/** Payload limits of the Invoke API: 1 MB for an asynchronous invocation, 6 MB for a synchronous one. */
const ASYNC_PAYLOAD_LIMIT = 1_048_576;
const SYNC_PAYLOAD_LIMIT = 6_291_456;
const DEFAULT_CONCURRENCY = 4;

/**
 * ZeroReservedConcurrency records are replayed only to a function that can run now: one whose reserved
 * concurrency is no longer 0. The others are skipped, saying why.
 */
export async function checkConcurrency(
  items: ReplayItem[],
  clients: AwsClients,
  stop: AbortSignal,
): Promise<void> {
  const waiting = items.filter((item) => item.skip === undefined && item.needsConcurrency);
  if (waiting.length === 0) return;
  const { reservedConcurrency } = await import("../aws/replay-sources.js");
  const verdicts = new Map<string, string | undefined>();
  for (const item of waiting) {
    const name = item.functionName!;
    if (!verdicts.has(name)) {
      try {
        const regional = await clients.forResourceRegion(parseArn(name)?.region, "lambda");
        const reserved = await reservedConcurrency(regional, name, stop);
        verdicts.set(
          name,
          reserved === 0
            ? "ZeroReservedConcurrency: the function's reserved concurrency is still 0, so it would be throttled again (raise it with put-function-concurrency, or remove it with delete-function-concurrency)"
            : undefined,
        );
      } catch (error) {
        verdicts.set(
          name,
          `ZeroReservedConcurrency: could not check the function's concurrency: ${(error as Error).message}`,
        );
      }
    }
    const reason = verdicts.get(name);
    if (reason) item.skip = reason;
  }
}

/** Invokes every item not skipped; `onInvoked` hears of each as its invocation ends. */
export async function invokeAll(
  items: ReplayItem[],
  options: SendOptions,
  context: CommandContext,
  clients: AwsClients,
  held: HeldQueue | undefined,
  stop: AbortSignal,
  onInvoked?: (result: ReplayResult) => void,
): Promise<ReplayResult[]> {
  const { LambdaOperations } = await import("../aws/lambda.js");
  const lambdas = new Map<string, Promise<LambdaOperations>>();
  const lambdaFor = (functionName: string) => {
    const region = parseArn(functionName)?.region ?? "";
    let lambda = lambdas.get(region);
    if (!lambda) {
      lambda = clients
        .forResourceRegion(region || undefined, "lambda")
        .then((c) => LambdaOperations.create(c));
      lambdas.set(region, lambda);
    }
    return lambda;
  };
  const results: ReplayResult[] = items.map((item) =>
    item.skip === undefined ? { item, outcome: "not-run" } : { item, outcome: "skipped", reason: item.skip },
  );
  const queue = results.filter((result) => result.outcome === "not-run");
  const interval = options.rate ? 1000 / options.rate : 0;
  const started = Date.now();
  let nextIndex = 0;
  let launched = 0;
  const show = (result: ReplayResult) => {
    if (!context.output.json) context.io.stdout.write(`${resultLine(result, context.colors)}\n`);
  };
  const log = options.out === undefined ? undefined : resolve(context.io.cwd, options.out);
  for (const result of results) {
    // A message a log shows as replayed, held again after an interruption: --delete finishes its job.
    if (
      result.item.alreadyReplayed &&
      options.delete &&
      held &&
      result.item.origin.messageId &&
      !result.item.origin.shared
    ) {
      const problem = await held.delete(result.item.origin.messageId).catch((error: Error) => error.message);
      if (problem === undefined) result.deleted = true;
    }
    if (result.outcome === "skipped" && context.output.verbose) show(result);
  }

  const worker = async () => {
    while (!stop.aborted && nextIndex < queue.length) {
      const result = queue[nextIndex++]!;
      if (interval > 0) {
        const slot = started + launched * interval;
        launched++;
        const wait = slot - Date.now();
        if (wait > 0) await sleep(wait, stop);
        if (stop.aborted) {
          // Not started: it stays "not-run", and its message is not deleted.
          return;
        }
      }
      await invokeOne(result, options, lambdaFor, held);
      onInvoked?.(result);
      if (log) appendFileSync(log, `${JSON.stringify(logRecord(result, new Date()))}\n`);
      show(result);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

async function invokeOne(
  result: ReplayResult,
  options: SendOptions,
  lambdaFor: (functionName: string) => Promise<LambdaOperations>,
  held: HeldQueue | undefined,
): Promise<void> {
  const item = result.item;
  const bytes = Buffer.from(item.payload ?? "", "utf8");
  const limit = options.sync ? SYNC_PAYLOAD_LIMIT : ASYNC_PAYLOAD_LIMIT;
  if (bytes.length > limit) {
    result.outcome = "failed";
    result.reason = `the payload (${bytes.length} bytes) is larger than the ${limit} bytes ${options.sync ? "a synchronous" : "an asynchronous"} invoke takes`;
    return;
  }
  try {
    const lambda = await lambdaFor(item.functionName!);
    const target = parseFunctionReference(item.functionName!);
    // The invocation itself is not cut short by an interrupt: once started, it is seen through, so that the
    // report (and --delete) knows whether it was accepted.
    const outcome = await lambda.invoke(
      target,
      item.qualifier,
      bytes,
      options.sync ? "RequestResponse" : "Event",
    );
    result.newRequestId = outcome.requestId;
    result.statusCode = outcome.statusCode;
    if (options.sync) {
      result.result = outcome.payload ? Buffer.from(outcome.payload).toString("utf8") : "";
      if (outcome.functionError) {
        result.outcome = "failed";
        result.reason = `function error (${outcome.functionError}): ${functionErrorText(result.result)}`;
        return;
      }
    }
    result.outcome = "accepted";
  } catch (error) {
    result.outcome = "failed";
    result.reason = (error as Error).message;
    return;
  }
  // With --wait, a message is deleted only once its new record says Success (after the wait).
  if (options.delete && !options.wait && held && item.origin.messageId && !item.origin.shared) {
    try {
      const problem = await held.delete(item.origin.messageId);
      if (problem) result.reason = `accepted, but the message could not be deleted: ${problem}`;
      else result.deleted = true;
    } catch (error) {
      result.reason = `accepted, but the message could not be deleted: ${(error as Error).message}`;
    }
  }
}

function functionErrorText(text: string): string {
  try {
    const error = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    const parts = [error.errorType, error.errorMessage].filter((part) => typeof part === "string");
    if (parts.length > 0) return printable(parts.join(": "));
  } catch {
    // not JSON: shown as it is
  }
  return printable(text.slice(0, 200));
}

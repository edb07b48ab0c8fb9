/**
 * Sending many messages in batch requests (SQS SendMessageBatch, SNS PublishBatch): several requests in flight,
 * entries that failed on the server's side retried with backoff, outcomes reported in input order.
 */

import { AwsOperationError } from "../errors.js";
import { type BatchLimits, planBatches } from "./batches.js";

export interface OutgoingMessage {
  /** 0-based position in the input. */
  index: number;
  /** 1-based input line, with --lines. */
  line?: number;
  body: string;
  /** Bytes the service counts: body plus attributes. */
  size: number;
}

export interface EntryResult {
  index: number;
  messageId?: string;
  sequenceNumber?: string;
  error?: { code: string; message: string; retryable: boolean };
}

export interface EntryOutcome {
  message: OutgoingMessage;
  messageId?: string;
  sequenceNumber?: string;
  error?: { code: string; message: string };
}

export interface BatchSendOptions<M extends OutgoingMessage> {
  limits: BatchLimits;
  /** Requests in flight at once; 1 keeps a FIFO group's order. */
  concurrency: number;
  /** Sends one batch; returns one result per entry. Throws (our error) when the whole request failed. */
  sendBatch(batch: M[]): Promise<EntryResult[]>;
  /** Called once per message, in input order. */
  onOutcome(outcome: EntryOutcome): void;
  onProgress?(done: number, total: number): void;
  /** Attempts for an entry that failed on the server's side (throttled, internal error). */
  maxAttempts?: number;
  /** Waits out a back-off; a real timer unless a test records the waits instead. */
  sleep?: (milliseconds: number) => Promise<void>;
}

const defaultSleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** Delay before retry `attempt` (1-based): exponential with full jitter, capped at 5 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(5_000, 100 * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function sendInBatches<M extends OutgoingMessage>(
  messages: readonly M[],
  options: BatchSendOptions<M>,
): Promise<{ sent: number; failed: number }> {
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 5;
  const batches = planBatches(messages, (message) => message.size, options.limits);
  const outcomes: (EntryOutcome | undefined)[] = new Array(messages.length);
  const byIndex = new Map<number, M>();
  for (const message of messages) byIndex.set(message.index, message);
  const firstIndex = messages.length > 0 ? messages[0]!.index : 0;
  let flushed = 0;
  let done = 0;
  let sent = 0;
  let failed = 0;

  const record = (message: M, result: EntryResult | undefined) => {
    const position = message.index - firstIndex;
    if (result?.error) {
      outcomes[position] = { message, error: { code: result.error.code, message: result.error.message } };
      failed += 1;
    } else {
      outcomes[position] = { message, messageId: result?.messageId, sequenceNumber: result?.sequenceNumber };
      sent += 1;
    }
    done += 1;
    while (flushed < outcomes.length && outcomes[flushed] !== undefined) {
      options.onOutcome(outcomes[flushed]!);
      outcomes[flushed] = undefined; // keeps memory flat on big inputs
      flushed += 1;
    }
  };

  const sendWithRetries = async (batch: M[]) => {
    let pending = batch;
    for (let attempt = 1; ; attempt += 1) {
      let results: EntryResult[];
      try {
        results = await options.sendBatch(pending);
      } catch (error) {
        // The SDK already retried a throttled request; one more round with our longer backoff, then give up.
        if (error instanceof AwsOperationError && error.reason === "throttled" && attempt < maxAttempts) {
          await sleep(backoffDelay(attempt));
          continue;
        }
        throw error;
      }
      const retry: M[] = [];
      for (const result of results) {
        const message = byIndex.get(result.index)!;
        if (result.error?.retryable && attempt < maxAttempts) retry.push(message);
        else record(message, result);
      }
      if (retry.length === 0) return;
      pending = retry;
      await sleep(backoffDelay(attempt));
    }
  };

  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < batches.length && failure === undefined) {
      const batch = batches[next]!;
      next += 1;
      try {
        await sendWithRetries(batch);
      } catch (error) {
        failure ??= error;
        return;
      }
      options.onProgress?.(done, messages.length);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, batches.length)) }, worker),
  );
  if (failure !== undefined) throw failure;
  return { sent, failed };
}

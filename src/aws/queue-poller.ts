/**
 * Watching queues without harming them: peeking (short visibility, released at once) and consuming (delete only
 * what was written); a temporary queue of our own is emptied.
 */
import { isAbortError } from "./errors.js";
import type { ResolvedTopic } from "./sns.js";
import type { ResolvedQueue, SqsMessage, SqsOperations } from "./sqs.js";
import { type Handle, type Handled, type Received, sleep, type WatchedSource } from "./watched.js";

export type { Disposition, Handled, Received } from "./watched.js";

/** Seconds a peeked message stays hidden if we die before releasing it. */
export const PEEK_VISIBILITY_SECONDS = 5;
const CONSUME_VISIBILITY_SECONDS = 30;

/** peek: release everything; consume: delete what was written; own: our temporary queue, delete everything. */
export type WatchMode = "peek" | "consume" | "own";

export interface WatchedQueue extends WatchedSource {
  kind: "queue";
  queue: ResolvedQueue;
  /** The operations for the queue's region. */
  sqs: SqsOperations;
  mode: WatchMode;
  /** For a topic tap: the topic and the subscription. */
  topic?: ResolvedTopic;
  subscriptionArn?: string;
}

/** Message ids already shown, so that a peeked message released and received again is shown once. */
export class BoundedSet {
  readonly #items = new Map<string, true>();
  readonly #capacity: number;
  constructor(capacity: number) {
    this.#capacity = capacity;
  }
  has(item: string): boolean {
    return this.#items.has(item);
  }
  add(item: string): void {
    this.#items.set(item, true);
    if (this.#items.size > this.#capacity) this.#items.delete(this.#items.keys().next().value!);
  }
  get size(): number {
    return this.#items.size;
  }
}

/**
 * Shared by every receive loop of a run with --max: a loop asks only for the messages still wanted, so that no
 * loop is left in a long poll (holding messages it will never show) when the last one arrives.
 */
export class ReceiveBudget {
  #reserved = 0;
  readonly #remaining: () => number;

  /** `remaining`: how many more envelopes are wanted (Infinity without --max). */
  constructor(remaining: () => number) {
    this.#remaining = remaining;
  }

  reserve(wanted: number): number {
    const free = this.#remaining() - this.#reserved;
    const granted = Math.max(0, Math.min(wanted, Number.isFinite(free) ? free : wanted));
    this.#reserved += granted;
    return granted;
  }

  release(count: number): void {
    this.#reserved -= count;
  }
}

export interface PollOptions {
  watched: WatchedQueue;
  /** Aborts the loop (and an in-flight long poll). */
  stop: AbortSignal;
  /** Shows the messages (in order) and says what was done with each. */
  handle: Handle<WatchedQueue>;
  /** Receive loops in parallel (consume and own modes only; a peek runs one loop). */
  concurrency?: number;
  /** A delete or release that failed: reported, not fatal. */
  onProblem?(text: string): void;
  budget?: ReceiveBudget;
  /**
   * A peek's long poll, in seconds (default 1). 0 polls briefly, every SHORT_POLL_INTERVAL_MS: a watch of several
   * sources that ends the moment its record arrives through one of them (invoke --wait) is then never held by
   * another's long poll, which it may not cut short.
   */
  peekWaitSeconds?: number;
}

/** Between two short polls (peekWaitSeconds 0) that found nothing. */
export const SHORT_POLL_INTERVAL_MS = 200;

/** A signal that aborts `graceMs` after `stop` does. */
function afterGrace(stop: AbortSignal, graceMs: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    timer = setTimeout(() => controller.abort(stop.reason), graceMs);
  };
  if (stop.aborted) start();
  else stop.addEventListener("abort", start, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      stop.removeEventListener("abort", start);
    },
  };
}

/**
 * Receives from one queue until `stop` aborts. Peek: short visibility, every message released after it was
 * handled. Consume: written messages are deleted, the rest released. On a user's queue, a message received a
 * second time is held hidden instead (see ReceivedBacklog), and a round that brought only messages already
 * gone through backs off, so a backlog is not spun on. Own: everything is deleted.
 */
export async function pollQueue(options: PollOptions): Promise<void> {
  const { watched, stop } = options;
  const peek = watched.mode === "peek";
  const loops = peek ? 1 : Math.max(1, options.concurrency ?? 1);
  const settling = new Set<Promise<void>>();
  const backlog =
    watched.mode === "own"
      ? undefined
      : new ReceivedBacklog(peek ? PEEK_VISIBILITY_SECONDS : CONSUME_VISIBILITY_SECONDS);
  const waitSeconds = peek ? (options.peekWaitSeconds ?? 1) : 5;
  // On a user's queue a long poll is not cut off when we stop: SQS would still hand messages to the
  // abandoned request, hiding them for the visibility timeout. It is let finish (it returns within
  // waitSeconds) and what it brought is released (see receiveOnce); only an endpoint that stopped answering
  // is cut. One signal serves every receive of the watch: its grace starts when `stop` aborts.
  const grace = watched.mode === "own" ? undefined : afterGrace(stop, (waitSeconds + 2) * 1000);
  const receiving = { waitSeconds, signal: grace?.signal ?? stop };
  const loop = async () => {
    let idleRounds = 0;
    while (!stop.aborted) {
      const wanted = options.budget ? options.budget.reserve(10) : 10;
      if (wanted === 0) {
        // Other loops hold what is still wanted; look again when they are done.
        await sleep(10, stop);
        continue;
      }
      let round: "fresh" | "deeper" | "stale" | "empty";
      try {
        round = await receiveOnce(options, receiving, wanted, settling, backlog);
      } finally {
        options.budget?.release(wanted);
      }
      // A round that brought back only messages already handled (a backlog gone through, messages
      // filtered out of a consume) backs off instead of spinning on them: each receive counts towards a redrive
      // policy. A round that went deeper into a backlog (its messages are held now) goes on at once.
      if (round === "empty" && peek && options.peekWaitSeconds === 0) {
        await sleep(SHORT_POLL_INTERVAL_MS, stop);
      } else if (round === "stale") {
        idleRounds += 1;
        await sleep(Math.min(2_000, 100 * 2 ** idleRounds), stop);
      } else if (round === "fresh") {
        idleRounds = 0;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: loops }, loop));
  } finally {
    grace?.dispose();
    // Deletions still waiting for their reader's confirmation end before the queue is let go.
    while (settling.size > 0) await Promise.all(settling);
    // What was held back is visible again when the watch ends, as everything else given back is.
    const held = backlog?.takeHeld() ?? [];
    if (held.length > 0) await settle(options, [], held);
  }
}

/**
 * What a watch of a user's queue has received, for the messages it gives back (all of a peek's, those a
 * consume skips). A message is given back as soon as it has been handled, and comes back: SQS hands out a
 * queue's oldest messages first (roughly, on a standard queue), so a watch that gave everything back at once
 * would receive the same few messages of a backlog again and again, and never what is behind them
 * (`invoke --wait` on a queue holding 40 earlier records took 5.5 s, against 0.5 s on an empty one). So a
 * message received a second time is held, not given back: it stays hidden for the rest of its visibility
 * timeout, and the next receives reach what is behind it; what is still held when the watch ends is given
 * back then. A round that brings only messages received twice before backs off, as before: the backlog has
 * been gone through, and each receive counts towards a redrive policy.
 */
class ReceivedBacklog {
  /** How many times each message (by id) was received; bounded as the shown ids are. */
  readonly #receipts = new Map<string, number>();
  /** Receipt handles held hidden, with when: a handle older than its visibility timeout is no longer ours. */
  #held: { handle: string; at: number }[] = [];
  /** How long a held handle may be given back: its visibility timeout, less a second. */
  readonly #windowMs: number;

  constructor(visibilitySeconds: number) {
    this.#windowMs = (visibilitySeconds - 1) * 1000;
  }

  /** Counts a round's messages: which were received before, and whether any for the second time. */
  count(messages: SqsMessage[]): { repeated: boolean[]; deeper: boolean } {
    let deeper = false;
    const repeated = messages.map((message) => {
      const id = message.MessageId ?? "";
      const count = (this.#receipts.get(id) ?? 0) + 1;
      this.#receipts.set(id, count);
      if (this.#receipts.size > RECEIPTS_REMEMBERED)
        this.#receipts.delete(this.#receipts.keys().next().value!);
      if (count === 2) deeper = true;
      return count > 1;
    });
    return { repeated, deeper };
  }

  hold(handle: string): void {
    const now = Date.now();
    // Handles that have expired are dropped: their messages are visible again on their own.
    if (this.#held.length > 0 && this.#held[0]!.at < now - this.#windowMs) {
      this.#held = this.#held.filter((item) => item.at >= now - this.#windowMs);
    }
    this.#held.push({ handle, at: now });
  }

  /** The receipt handles still held, for giving them back at the end. */
  takeHeld(): string[] {
    const since = Date.now() - this.#windowMs;
    const handles = this.#held.filter((item) => item.at >= since).map((item) => item.handle);
    this.#held = [];
    return handles;
  }
}

const RECEIPTS_REMEMBERED = 100_000;

async function receiveOnce(
  options: PollOptions,
  receiving: { waitSeconds: number; signal: AbortSignal },
  wanted: number,
  settling: Set<Promise<void>>,
  backlog: ReceivedBacklog | undefined,
): Promise<"fresh" | "deeper" | "stale" | "empty"> {
  const { watched, stop } = options;
  const { sqs } = watched;
  const peek = watched.mode === "peek";
  const userQueue = watched.mode !== "own";
  let messages: SqsMessage[];
  try {
    messages = await sqs.receive(watched.queue, {
      maxMessages: wanted,
      visibilityTimeout: peek ? PEEK_VISIBILITY_SECONDS : CONSUME_VISIBILITY_SECONDS,
      waitSeconds: receiving.waitSeconds,
      signal: receiving.signal,
    });
  } catch (error) {
    if (stop.aborted || isAbortError(error)) return "empty";
    throw error;
  }
  if (messages.length > 0 && stop.aborted && userQueue) {
    await settle(
      options,
      [],
      messages.map((message) => message.ReceiptHandle!),
    );
    return "empty";
  }
  if (messages.length === 0) return "empty";
  const { dispositions, fresh, confirmed }: Handled = await options.handle(messages.map(received), watched);
  const counted = backlog?.count(messages);
  const remove: string[] = [];
  const release: string[] = [];
  messages.forEach((message, index) => {
    const disposition = dispositions[index] ?? "skipped";
    const keep = watched.mode === "peek" || (watched.mode === "consume" && disposition === "skipped");
    if (!keep) remove.push(message.ReceiptHandle!);
    else if (counted?.repeated[index]) backlog!.hold(message.ReceiptHandle!);
    else release.push(message.ReceiptHandle!);
  });
  if (confirmed === undefined) {
    await settle(options, remove, release);
  } else {
    const pending: Promise<void> = confirmed
      .then((reached) =>
        reached ? settle(options, remove, release) : settle(options, [], [...release, ...remove]),
      )
      .finally(() => settling.delete(pending));
    settling.add(pending);
  }
  return fresh > 0 ? "fresh" : counted?.deeper ? "deeper" : "stale";
}

async function settle(options: PollOptions, remove: string[], release: string[]): Promise<void> {
  const { watched } = options;
  const { sqs } = watched;
  const [deleteProblems, releaseProblems] = await Promise.all([
    remove.length > 0 ? sqs.deleteBatch(watched.queue, remove) : [],
    release.length > 0 ? sqs.release(watched.queue, release) : [],
  ]);
  for (const problem of deleteProblems)
    options.onProblem?.(`could not delete a message from ${watched.label}: ${problem}`);
  for (const problem of releaseProblems) {
    options.onProblem?.(
      `could not release a peeked message on ${watched.label} (it reappears within ${PEEK_VISIBILITY_SECONDS}s): ${problem}`,
    );
  }
}

/** A message as every watcher's consumer takes it. */
export function received(message: SqsMessage): Received {
  return { id: message.MessageId ?? "", value: message, messageId: message.MessageId };
}

/**
 * Watching queues without harming them: peeking (short visibility, released at once), consuming (delete only
 * what was written), and tapping SNS topics through a temporary, tagged, encrypted, policy-restricted queue that
 * is removed afterwards.
 */
import { randomBytes } from "node:crypto";
import { AwsOperationError } from "../errors.js";
import { printable } from "../printable.js";
import { isAbortError } from "./errors.js";
import type { ResolvedTopic, SnsOperations } from "./sns.js";
import type { ResolvedQueue, SqsMessage, SqsOperations } from "./sqs.js";

/** The tag every temporary queue carries; its value is the creation time (ISO-8601). */
export const TAIL_TAG = "lambda-dest:tail";
export const TAIL_TOPIC_TAG = "lambda-dest:topic";
/**
 * Refreshed (ISO-8601 time) by the tail that uses the queue, every HEARTBEAT_INTERVAL_MS: `cleanup` leaves a
 * queue alone until HEARTBEAT_STALE_MINUTES pass without a refresh, so that it never removes a live tail's.
 */
export const HEARTBEAT_TAG = "lambda-dest:heartbeat";
export const HEARTBEAT_INTERVAL_MS = 60_000;
export const HEARTBEAT_STALE_MINUTES = 5;
/** Temporary queue names start with this, so that `cleanup` finds them with one ListQueues prefix. */
export const TAIL_QUEUE_PREFIX = "lambda-dest-tail-";

/** Seconds a peeked message stays hidden if we die before releasing it. */
export const PEEK_VISIBILITY_SECONDS = 5;
const CONSUME_VISIBILITY_SECONDS = 30;

/** peek: release everything; consume: delete what was written; own: our temporary queue, delete everything. */
export type WatchMode = "peek" | "consume" | "own";

export interface WatchedQueue {
  queue: ResolvedQueue;
  /** The operations for the queue's region. */
  sqs: SqsOperations;
  /** How the user knows it: "sqs:orders-results", "sns:order-events". */
  label: string;
  mode: WatchMode;
  /** For a topic tap: the topic and the subscription. */
  topic?: ResolvedTopic;
  subscriptionArn?: string;
}

/**
 * What the consumer did with one received message: written (now or on an earlier receive, so a consume may
 * delete it) or skipped (filtered out, or past --max: never deleted from a user's queue).
 */
export type Disposition = "written" | "skipped";

export interface Handled {
  dispositions: Disposition[];
  /** How many of the messages had not been seen before; a peek backs off when none had. */
  fresh: number;
  /**
   * Resolves once it is known whether what was written reached its reader (true) or not (false, and the
   * written messages are released instead of deleted). Until then the messages stay invisible and the
   * loop goes on receiving, so waiting for it costs no throughput.
   */
  confirmed?: Promise<boolean>;
}

/** A temporary queue: its name is known before CreateQueue answers, its URL after. */
interface TrackedQueue {
  name: string;
  queue?: ResolvedQueue;
  sqs: SqsOperations;
}
/** A subscription of a temporary queue: its ARN is known once Subscribe answers. */
interface TrackedSubscription {
  arn?: string;
  topic: ResolvedTopic;
  queueArn?: string;
  sns: SnsOperations;
}

export interface Leftover {
  type: "queue" | "subscription";
  id: string;
  reason: string;
  /** The command that removes it. */
  remedy: string;
}

/**
 * Everything a run created, removed in reverse order on the way out. A resource is tracked from just before
 * the call that creates it until its removal is confirmed, so that `leftovers()` can say at any moment what
 * would be left behind (a second Ctrl-C, a removal cut short), including what an interrupted create may
 * have made.
 */
export class TemporaryResources {
  readonly #queues: TrackedQueue[] = [];
  readonly #subscriptions: TrackedSubscription[] = [];
  readonly removed: string[] = [];

  /** Records a queue about to be created; `queueCreated` completes it. */
  creatingQueue(name: string, sqs: SqsOperations): TrackedQueue {
    const tracked: TrackedQueue = { name, sqs };
    this.#queues.push(tracked);
    return tracked;
  }

  queueCreated(tracked: TrackedQueue, queue: ResolvedQueue): void {
    tracked.queue = queue;
  }

  /** Records a created queue with the operations (region) that remove it. */
  addQueue(queue: ResolvedQueue, sqs: SqsOperations): void {
    this.#queues.push({ name: queue.name, queue, sqs });
  }

  /** Records a subscription about to be made; `subscribed` completes it. */
  subscribing(topic: ResolvedTopic, queueArn: string, sns: SnsOperations): TrackedSubscription {
    const tracked: TrackedSubscription = { topic, queueArn, sns };
    this.#subscriptions.push(tracked);
    return tracked;
  }

  subscribed(tracked: TrackedSubscription, arn: string): void {
    tracked.arn = arn;
  }

  addSubscription(arn: string, topic: ResolvedTopic, sns: SnsOperations): void {
    this.#subscriptions.push({ arn, topic, sns });
  }

  get isEmpty(): boolean {
    return this.#queues.length === 0 && this.#subscriptions.length === 0;
  }

  /** The queues created so far whose URL is known (for the heartbeat). */
  get queues(): { queue: ResolvedQueue; sqs: SqsOperations }[] {
    return this.#queues.flatMap((tracked) =>
      tracked.queue ? [{ queue: tracked.queue, sqs: tracked.sqs }] : [],
    );
  }

  /** What is not (yet) known to be removed, each with the command that removes it. Never throws. */
  leftovers(reason: string): Leftover[] {
    return [
      ...this.#subscriptions.map((tracked) => subscriptionLeftover(tracked, reason)),
      ...this.#queues.map((tracked) => queueLeftover(tracked, reason)),
    ];
  }

  /**
   * Unsubscribes, then deletes the queues, until `signal` aborts. Never throws: what could not be removed is
   * returned. What an interrupted create may have made is looked up (by queue name, by the topic's
   * subscriptions) and removed too.
   */
  async remove(signal?: AbortSignal): Promise<Leftover[]> {
    const leftovers: Leftover[] = [];
    for (const tracked of [...this.#subscriptions].reverse()) {
      try {
        const arns = tracked.arn !== undefined ? [tracked.arn] : await subscriptionsFeeding(tracked, signal);
        for (const arn of arns) {
          try {
            await tracked.sns.unsubscribe(arn, signal);
            this.removed.push(`subscription to ${tracked.topic.name}`);
          } catch (error) {
            // Already gone (the topic was deleted, say): nothing is left behind.
            if (!(error instanceof AwsOperationError && error.reason === "not-found")) throw error;
          }
        }
        this.#forget(this.#subscriptions, tracked);
      } catch (error) {
        leftovers.push(subscriptionLeftover(tracked, failureReason(error)));
      }
    }
    for (const tracked of [...this.#queues].reverse()) {
      try {
        const queue = tracked.queue ?? (await tracked.sqs.exists(tracked.name, signal));
        if (queue) {
          try {
            await tracked.sqs.deleteQueue(queue, signal);
            this.removed.push(`queue ${queue.name}`);
          } catch (error) {
            if (!(error instanceof AwsOperationError && error.reason === "not-found")) throw error;
          }
        }
        this.#forget(this.#queues, tracked);
      } catch (error) {
        leftovers.push(queueLeftover(tracked, failureReason(error)));
      }
    }
    return leftovers;
  }

  #forget<T>(list: T[], item: T): void {
    const index = list.indexOf(item);
    if (index >= 0) list.splice(index, 1);
  }
}

function failureReason(error: unknown): string {
  if (isAbortError(error)) return "stopped before it could be removed";
  return error instanceof Error ? error.message : String(error);
}

async function subscriptionsFeeding(tracked: TrackedSubscription, signal?: AbortSignal): Promise<string[]> {
  if (!tracked.queueArn) return [];
  const all = await tracked.sns.subscriptionsOf(tracked.topic, signal);
  return all
    .filter((subscription) => subscription.protocol === "sqs" && subscription.endpoint === tracked.queueArn)
    .map((subscription) => subscription.arn)
    .filter((arn) => arn.startsWith("arn:"));
}

function subscriptionLeftover(tracked: TrackedSubscription, reason: string): Leftover {
  const options = tracked.sns.cliOptions();
  if (tracked.arn !== undefined) {
    return {
      type: "subscription",
      id: tracked.arn,
      reason,
      remedy: `aws sns unsubscribe --subscription-arn ${tracked.arn}${options}`,
    };
  }
  return {
    type: "subscription",
    id: `(being created) of ${tracked.queueArn ?? "the temporary queue"} to ${tracked.topic.arn}`,
    reason,
    remedy: `aws sns list-subscriptions-by-topic --topic-arn ${tracked.topic.arn}${options}, then aws sns unsubscribe --subscription-arn ARN${options}`,
  };
}

function queueLeftover(tracked: TrackedQueue, reason: string): Leftover {
  const options = tracked.sqs.cliOptions();
  if (tracked.queue) {
    return {
      type: "queue",
      id: tracked.queue.url,
      reason,
      remedy: `aws sqs delete-queue --queue-url ${tracked.queue.url}${options}`,
    };
  }
  return {
    type: "queue",
    id: `${tracked.name} (being created)`,
    reason,
    remedy: `aws sqs delete-queue --queue-url "$(aws sqs get-queue-url --queue-name ${tracked.name} --query QueueUrl --output text${options})"${options}`,
  };
}

/**
 * The lines that tell the user what was left behind and how to remove it: each resource with its command,
 * then `lambda-dest cleanup`, which finds them all by their tag.
 */
export function describeLeftovers(leftovers: Leftover[], cleanupOptions = ""): string[] {
  if (leftovers.length === 0) return [];
  // Queue URLs and ARNs come from the endpoint: printed escaped.
  return describeLeftoverLines(leftovers, cleanupOptions).map(printable);
}

function describeLeftoverLines(leftovers: Leftover[], cleanupOptions: string): string[] {
  const lines: string[] = [];
  for (const leftover of leftovers) {
    lines.push(`left behind: temporary ${leftover.type} ${leftover.id} (${leftover.reason})`);
    lines.push(`  remove it with: ${leftover.remedy}`);
  }
  lines.push(
    `  or later: lambda-dest cleanup${cleanupOptions}  (removes the queues tail leaves once ${HEARTBEAT_STALE_MINUTES} minutes pass without their heartbeat; --force: at once)`,
  );
  return lines;
}

/** A name for a temporary queue: the prefix, a readable part of the topic name, and a random suffix. */
export function temporaryQueueName(
  topicName: string,
  fifo: boolean,
  random = randomBytes(4).toString("hex"),
): string {
  const base = topicName.replace(/\.fifo$/, "").replace(/[^A-Za-z0-9_-]/g, "-");
  const suffix = `-${random}${fifo ? ".fifo" : ""}`;
  const room = 80 - TAIL_QUEUE_PREFIX.length - suffix.length;
  return `${TAIL_QUEUE_PREFIX}${base.slice(0, room)}${suffix}`;
}

/** A queue policy that admits SendMessage from SNS for this one topic only. */
export function topicOnlyPolicy(queueArn: string, topicArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "lambda-dest-tail",
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
      },
    ],
  });
}

export interface TapOptions {
  sqs: SqsOperations;
  sns: SnsOperations;
  topic: ResolvedTopic;
  resources: TemporaryResources;
  now: Date;
  signal: AbortSignal;
  /** Longest wait for the subscription to be confirmed. */
  confirmTimeoutMs?: number;
  onProgress?(text: string): void;
}

/**
 * Creates the temporary queue for a topic (tagged, SSE-SQS, policy restricted to the topic, FIFO for a FIFO
 * topic), subscribes it, and returns once the subscription is confirmed. It never publishes to the topic.
 */
export async function tapTopic(options: TapOptions): Promise<WatchedQueue> {
  const { sqs, sns, topic, resources, signal } = options;
  const attributes = await sns.attributes(topic, signal);
  const fifo = attributes.FifoTopic === "true" || topic.name.endsWith(".fifo");
  const name = temporaryQueueName(topic.name, fifo);
  const queueAttributes: Record<string, string> = {
    SqsManagedSseEnabled: "true",
    MessageRetentionPeriod: "86400",
  };
  if (fifo) queueAttributes.FifoQueue = "true";
  // Tracked before each create call, so that an interrupt or a time-out during the call (they abort it) can
  // still find what the call made and remove it.
  const trackedQueue = resources.creatingQueue(name, sqs);
  const queue = await sqs.createQueue(
    name,
    queueAttributes,
    {
      [TAIL_TAG]: options.now.toISOString(),
      [HEARTBEAT_TAG]: options.now.toISOString(),
      [TAIL_TOPIC_TAG]: topic.arn.slice(0, 256),
    },
    signal,
  );
  resources.queueCreated(trackedQueue, queue);
  if (!queue.arn)
    throw new AwsOperationError(`the temporary queue ${name} has no ARN (sqs:GetQueueAttributes)`);
  await sqs.setAttributes(queue, { Policy: topicOnlyPolicy(queue.arn, topic.arn) }, signal);
  const trackedSubscription = resources.subscribing(topic, queue.arn, sns);
  const subscriptionArn = await sns.subscribeQueue(topic, queue.arn, signal);
  resources.subscribed(trackedSubscription, subscriptionArn);
  await waitUntilConfirmed({ ...options, queue, subscriptionArn });
  return { queue, sqs, label: `sns:${topic.name}`, mode: "own", topic, subscriptionArn };
}

async function waitUntilConfirmed(
  options: TapOptions & { queue: ResolvedQueue; subscriptionArn: string },
): Promise<void> {
  const { sqs, sns, queue, topic, signal } = options;
  const deadline = Date.now() + (options.confirmTimeoutMs ?? 60_000);
  for (let round = 0; ; round += 1) {
    if (!/pending/i.test(options.subscriptionArn)) {
      const attributes = await sns.subscriptionAttributes(options.subscriptionArn, signal);
      if (attributes.PendingConfirmation !== "true") return;
    }
    if (Date.now() > deadline) {
      throw new AwsOperationError(
        `SNS did not confirm the subscription of the temporary queue to ${topic.name} within ${Math.round((options.confirmTimeoutMs ?? 60_000) / 1000)}s; nothing was received (the queue and subscription are removed)`,
      );
    }
    if (round === 1) options.onProgress?.(`waiting for SNS to confirm the subscription to ${topic.name}...`);
    // A topic in another account sends a confirmation message to the queue; confirm it with its token.
    const messages = await sqs.receive(queue, {
      maxMessages: 10,
      visibilityTimeout: 5,
      waitSeconds: 1,
      signal,
    });
    for (const message of messages) {
      let body: { Type?: unknown; Token?: unknown } | undefined;
      try {
        body = JSON.parse(message.Body ?? "");
      } catch {
        continue; // not a confirmation: left for the tail to show
      }
      if (body?.Type === "SubscriptionConfirmation" && typeof body.Token === "string") {
        await sns.confirmSubscription(topic, body.Token, signal);
        await sqs.deleteBatch(queue, [message.ReceiptHandle!], signal);
      }
    }
  }
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
  handle(messages: SqsMessage[], watched: WatchedQueue): Promise<Handled> | Handled;
  /** Receive loops in parallel (consume and own modes only; a peek runs one loop). */
  concurrency?: number;
  /** A delete or release that failed: reported, not fatal. */
  onProblem?(text: string): void;
  budget?: ReceiveBudget;
}

const sleep = (milliseconds: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

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
 * Receives from one queue until `stop` aborts. Peek: short visibility, every message released at once after it
 * was handled (a round that brought only messages already shown backs off, so a backlog is not spun on).
 * Consume: written messages are deleted, the rest released. Own: everything is deleted.
 */
export async function pollQueue(options: PollOptions): Promise<void> {
  const { watched, stop } = options;
  const peek = watched.mode === "peek";
  const loops = peek ? 1 : Math.max(1, options.concurrency ?? 1);
  const settling = new Set<Promise<void>>();
  const loop = async () => {
    let idleRounds = 0;
    while (!stop.aborted) {
      const wanted = options.budget ? options.budget.reserve(10) : 10;
      if (wanted === 0) {
        // Other loops hold what is still wanted; look again when they are done.
        await sleep(10, stop);
        continue;
      }
      let round: "fresh" | "stale" | "empty";
      try {
        round = await receiveOnce(options, wanted, settling);
      } finally {
        options.budget?.release(wanted);
      }
      // A round that brought back only messages already handled (a peeked backlog, messages filtered out of a
      // consume) backs off instead of spinning on them: each receive counts towards a redrive policy.
      if (round === "stale") {
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
    // Deletions still waiting for their reader's confirmation end before the queue is let go.
    while (settling.size > 0) await Promise.all(settling);
  }
}

async function receiveOnce(
  options: PollOptions,
  wanted: number,
  settling: Set<Promise<void>>,
): Promise<"fresh" | "stale" | "empty"> {
  const { watched, stop } = options;
  const { sqs } = watched;
  const peek = watched.mode === "peek";
  const waitSeconds = peek ? 1 : 5;
  // On a user's queue a long poll is not cut off when we stop: SQS would still hand messages to the
  // abandoned request, hiding them for the visibility timeout. It is let finish (it returns within
  // waitSeconds) and what it brought is released below; only an endpoint that stopped answering is cut.
  const userQueue = watched.mode !== "own";
  const receiveSignal = userQueue
    ? afterGrace(stop, (waitSeconds + 2) * 1000)
    : { signal: stop, dispose() {} };
  let messages: SqsMessage[];
  try {
    messages = await sqs.receive(watched.queue, {
      maxMessages: wanted,
      visibilityTimeout: peek ? PEEK_VISIBILITY_SECONDS : CONSUME_VISIBILITY_SECONDS,
      waitSeconds,
      signal: receiveSignal.signal,
    });
  } catch (error) {
    if (stop.aborted || isAbortError(error)) return "empty";
    throw error;
  } finally {
    receiveSignal.dispose();
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
  const { dispositions, fresh, confirmed } = await options.handle(messages, watched);
  const remove: string[] = [];
  const release: string[] = [];
  messages.forEach((message, index) => {
    const disposition = dispositions[index] ?? "skipped";
    const keep = watched.mode === "peek" || (watched.mode === "consume" && disposition === "skipped");
    (keep ? release : remove).push(message.ReceiptHandle!);
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
  return fresh > 0 ? "fresh" : "stale";
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

/**
 * The temporary resources a run creates (queues, subscriptions): tagged so that `cleanup` finds them, their
 * heartbeat, their removal on the way out, and what is left behind when removal is cut short.
 */
import { AwsOperationError } from "../errors.js";
import { printable } from "../printable.js";
import { isAbortError } from "./errors.js";
import type { EventsOperations, ResolvedBus } from "./events.js";
import type { ResolvedTopic, SnsOperations } from "./sns.js";
import type { ResolvedQueue, SqsOperations } from "./sqs.js";

/** The tag every temporary queue carries; its value is the creation time (ISO-8601). */
export const TAIL_TAG = "lambda-dest:tail";
export const TAIL_TOPIC_TAG = "lambda-dest:topic";
/** On the temporary queue of an event bus tap: the bus whose rule (named as the queue) feeds it. */
export const TAIL_BUS_TAG = "lambda-dest:bus";
/**
 * Refreshed (ISO-8601 time) by the tail that uses the queue, every HEARTBEAT_INTERVAL_MS: `cleanup` leaves a
 * queue alone until HEARTBEAT_STALE_MINUTES pass without a refresh, so that it never removes a live tail's.
 */
export const HEARTBEAT_TAG = "lambda-dest:heartbeat";
export const HEARTBEAT_INTERVAL_MS = 60_000;
export const HEARTBEAT_STALE_MINUTES = 5;
/** Temporary queue names start with this, so that `cleanup` finds them with one ListQueues prefix. */
export const TAIL_QUEUE_PREFIX = "lambda-dest-tail-";

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

/** A rule of ours on an event bus (its name is chosen before PutRule). */
interface TrackedRule {
  name: string;
  bus: ResolvedBus;
  events: EventsOperations;
}

export interface Leftover {
  type: "queue" | "subscription" | "rule";
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
  readonly #rules: TrackedRule[] = [];
  readonly removed: string[] = [];

  /** Records a rule about to be put on a bus. */
  creatingRule(name: string, bus: ResolvedBus, events: EventsOperations): void {
    this.#rules.push({ name, bus, events });
  }

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
    return this.#queues.length === 0 && this.#subscriptions.length === 0 && this.#rules.length === 0;
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
      ...this.#rules.map((tracked) => ruleLeftover(tracked, reason)),
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
    // Rules first, so that nothing is sent to a queue about to be deleted.
    for (const tracked of [...this.#rules].reverse()) {
      try {
        try {
          await tracked.events.deleteRule(tracked.bus.arn, tracked.name, signal);
          this.removed.push(`rule ${tracked.name} on ${tracked.bus.name}`);
        } catch (error) {
          if (!(error instanceof AwsOperationError && error.reason === "not-found")) throw error;
        }
        this.#forget(this.#rules, tracked);
      } catch (error) {
        leftovers.push(ruleLeftover(tracked, failureReason(error)));
      }
    }
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

function ruleLeftover(tracked: TrackedRule, reason: string): Leftover {
  const options = tracked.events.cliOptions();
  const where = `--rule ${tracked.name} --event-bus-name ${tracked.bus.name}`;
  return {
    type: "rule",
    id: `${tracked.name} on ${tracked.bus.name}`,
    reason,
    remedy: `aws events remove-targets ${where} --ids lambda-dest-tail${options} && aws events delete-rule --name ${tracked.name} --event-bus-name ${tracked.bus.name}${options}`,
  };
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

import { parseArn } from "../arn.js";
/**
 * A watch session: the queues being watched (a queue peeked or consumed, a topic tapped through a temporary
 * queue, a function's destinations), the pollers, and the removal of everything it created.
 */
import { AwsOperationError, UsageError } from "../errors.js";
import { baseline, functionRecordPrefix, pollBucket, type WatchedBucket } from "./bucket-poller.js";
import { functionDestinationPattern, LAMBDA_DESTINATION_PATTERN, tapBus } from "./bus-tap.js";
import type { AwsClients } from "./clients.js";
import type { DestinationConfig, destinationType } from "./lambda.js";
import { pollLocalDestination, type WatchedInvocations, watchLocalDestination } from "./local-invocations.js";
import { pollQueue, type ReceiveBudget, type WatchedQueue } from "./queue-poller.js";
import type { S3Operations } from "./s3.js";
import type { SnsOperations } from "./sns.js";
import { SqsOperations } from "./sqs.js";
import {
  type BucketReference,
  type BusReference,
  type FunctionTarget,
  isFifoName,
  parseBucketReference,
  parseBusReference,
  parseQueueReference,
  parseTopicReference,
  type QueueReference,
  type TargetReference,
  type TopicReference,
} from "./targets.js";
import {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_STALE_MINUTES,
  HEARTBEAT_TAG,
  type Leftover,
  TemporaryResources,
} from "./temporary-resources.js";
import { tapTopic } from "./topic-tap.js";
import type { Handle } from "./watched.js";

/** Every kind of watched source: a queue (a topic is watched through its tap, a queue) or a bucket. */
export type Watched = WatchedQueue | WatchedBucket | WatchedInvocations;

/** How a function's record reaches what is watched. */
export type DestinationRole = "on-success" | "on-failure" | "dead-letter";

export interface SessionEvents {
  /** Progress and notes for stderr. */
  note(text: string): void;
  warn(text: string): void;
}

export interface FunctionDestinations {
  config?: DestinationConfig;
  /** The dead-letter queue or topic (DeadLetterConfig), when one is set. */
  deadLetter?: string;
  watched: { role: DestinationRole; arn: string; watched: Watched }[];
  /** Destinations that cannot be watched, with the reason. */
  unwatchable: { role: DestinationRole; arn: string; reason: string }[];
}

/** The longest the removal of temporary resources may take on the way out. */
const REMOVAL_BUDGET_MS = 15_000;

export class WatchSession {
  readonly watched: Watched[] = [];
  readonly resources = new TemporaryResources();
  readonly #clients: AwsClients;
  readonly #events: SessionEvents;
  readonly #consume: boolean;
  readonly #stop: AbortSignal;
  readonly #now: () => Date;
  #sqs?: SqsOperations;
  #sns?: SnsOperations;
  #s3?: S3Operations;
  #heartbeat?: NodeJS.Timeout;
  #heartbeatWarned = false;

  constructor(options: {
    clients: AwsClients;
    events: SessionEvents;
    consume: boolean;
    stop: AbortSignal;
    now: () => Date;
  }) {
    this.#clients = options.clients;
    this.#events = options.events;
    this.#consume = options.consume;
    this.#stop = options.stop;
    this.#now = options.now;
  }

  async sqs(): Promise<SqsOperations> {
    this.#sqs ??= await SqsOperations.create(this.#clients);
    return this.#sqs;
  }

  // SNS, S3 and EventBridge operations (and their SDK clients) are loaded only when a target needs them:
  // `invoke --wait` on a function with a queue destination loads neither.
  async sns(): Promise<SnsOperations> {
    this.#sns ??= await (await import("./sns.js")).SnsOperations.create(this.#clients);
    return this.#sns;
  }

  /** SQS operations in the region an ARN names (ours when it names none or ours). */
  async #regionalSqs(region: string | undefined): Promise<SqsOperations> {
    const clients = await this.#clients.forResourceRegion(region, "sqs");
    return clients === this.#clients ? this.sqs() : SqsOperations.create(clients);
  }

  /** SNS operations in the region an ARN names, likewise. */
  async #regionalSns(region: string | undefined): Promise<SnsOperations> {
    const clients = await this.#clients.forResourceRegion(region, "sqs");
    return clients === this.#clients ? this.sns() : (await import("./sns.js")).SnsOperations.create(clients);
  }

  /** Resolves a tail target and starts watching it (the pollers start in `run`). */
  async add(target: TargetReference, qualifier?: string): Promise<void> {
    switch (target.type) {
      case "queue":
        await this.addQueue(target);
        return;
      case "topic":
        await this.addTopic(target);
        return;
      case "function": {
        const destinations = await this.addFunction(target, qualifier);
        for (const item of destinations.unwatchable) this.#events.warn(item.reason);
        const configured = Boolean(destinations.config?.onSuccess || destinations.config?.onFailure);
        if (!configured && destinations.watched.length > 0) {
          this.#events.note(
            `${target.name} has no destinations configured: only its dead-letter queue is tailed`,
          );
        }
        if (destinations.config && configured && destinations.watched.length > 0) {
          if (!destinations.config.onSuccess)
            this.#events.note(`${target.name} has no on-success destination`);
          if (!destinations.config.onFailure)
            this.#events.note(`${target.name} has no on-failure destination`);
        }
        if (destinations.watched.length === 0) {
          const none =
            destinations.config || destinations.deadLetter
              ? "none of its destinations can be tailed (see above)"
              : "it has no destinations configured (no event invoke config) and no dead-letter queue";
          throw new AwsOperationError(`nothing to tail for function ${target.name}: ${none}`);
        }
        return;
      }
      case "bucket":
        await this.addBucket(target);
        return;
      case "bus":
        await this.addBus(target);
        return;
      case "either":
        await this.add(await this.#disambiguate(target.name));
        return;
    }
  }

  async #disambiguate(name: string): Promise<TargetReference> {
    const sqs = await this.sqs();
    const sns = await this.sns();
    const [queue, topic] = await Promise.all([sqs.exists(name, this.#stop), sns.find(name, this.#stop)]);
    if (queue && topic) {
      throw new UsageError(`"${name}" is both a queue and a topic: write sqs:${name} or sns:${name}`);
    }
    if (queue) return { type: "queue", name, url: queue.url };
    if (topic) return { type: "topic", name, arn: topic.arn };
    const region = this.#clients.settings("sqs").region;
    throw new AwsOperationError(
      `no queue or topic named ${name}${region ? ` in ${region}` : ""}; check the name, --region and --profile`,
      { reason: "not-found" },
    );
  }

  async addQueue(reference: QueueReference): Promise<WatchedQueue> {
    const sqs = await this.#regionalSqs(reference.region);
    const queue = await sqs.resolve(reference, this.#stop);
    const attributes = await sqs.attributes(
      queue,
      ["QueueArn", "RedrivePolicy", "ApproximateNumberOfMessages"],
      this.#stop,
    );
    queue.arn ??= attributes.QueueArn;
    const mode = this.#consume ? "consume" : "peek";
    const watched: WatchedQueue = { kind: "queue", queue, sqs, label: `sqs:${queue.name}`, mode };
    if (mode === "peek" && attributes.RedrivePolicy) {
      try {
        const policy = JSON.parse(attributes.RedrivePolicy) as {
          maxReceiveCount?: number | string;
          deadLetterTargetArn?: string;
        };
        const dlq = policy.deadLetterTargetArn
          ? (parseArn(policy.deadLetterTargetArn)?.resource ?? policy.deadLetterTargetArn)
          : "its dead-letter queue";
        this.#events.warn(
          `${watched.label} moves a message to ${dlq} after ${policy.maxReceiveCount ?? "some"} receives, and every peek counts as a receive: a message peeked repeatedly can be moved there`,
        );
      } catch {
        this.#events.warn(`${watched.label} has a redrive policy: every peek counts as a receive towards it`);
      }
    }
    const backlog = Number(attributes.ApproximateNumberOfMessages ?? 0);
    if (mode === "peek" && backlog > 100) {
      this.#events.note(
        `${watched.label} holds about ${backlog} messages: a peek samples them at random, so older ones are shown as they come up and a new one can take a while to surface`,
      );
    }
    this.watched.push(watched);
    return watched;
  }

  /**
   * Watches a bucket for objects written under the prefix from now on (and, with `since`, those modified
   * since then). The first listing is made here, so that nothing written after the watch is set up is missed.
   */
  async addBucket(reference: BucketReference, since?: Date): Promise<WatchedBucket> {
    this.#s3 ??= await (await import("./s3.js")).S3Operations.create(this.#clients);
    const watched: WatchedBucket = {
      kind: "bucket",
      s3: this.#s3,
      bucket: reference.bucket,
      prefix: reference.prefix,
      label: `s3://${reference.bucket}/${reference.prefix}`,
      known: new Set(),
      since,
    };
    await baseline(watched, this.#now(), this.#stop);
    this.watched.push(watched);
    return watched;
  }

  /**
   * Watches an event bus through a rule of our own (default pattern: Lambda's destination events) that
   * targets a temporary queue; a user's rules are never touched.
   */
  async addBus(reference: BusReference, pattern?: string): Promise<WatchedQueue> {
    const clients = await this.#clients.forResourceRegion(reference.region, "events");
    const events = await (await import("./events.js")).EventsOperations.create(clients);
    const sqs = clients === this.#clients ? await this.sqs() : await SqsOperations.create(clients);
    const bus = await events.describeBus(reference.name, this.#stop);
    const watched = await tapBus({
      sqs,
      events,
      bus,
      pattern: pattern ?? JSON.stringify(LAMBDA_DESTINATION_PATTERN),
      resources: this.resources,
      now: this.#now(),
      signal: this.#stop,
    });
    this.watched.push(watched);
    this.#startHeartbeat();
    return watched;
  }

  async addTopic(reference: TopicReference): Promise<WatchedQueue> {
    // The temporary queue lives in the topic's region, next to it.
    const sqs = await this.#regionalSqs(reference.region);
    const sns = await this.#regionalSns(reference.region);
    const topic = await sns.resolve(reference, this.#stop);
    const watched = await tapTopic({
      sqs,
      sns,
      topic,
      resources: this.resources,
      now: this.#now(),
      signal: this.#stop,
      onProgress: (text) => this.#events.note(text),
    });
    this.watched.push(watched);
    this.#startHeartbeat();
    return watched;
  }

  /**
   * Refreshes the heartbeat tag of the temporary queues every minute, so that `cleanup` (here or in another
   * terminal) knows they are in use. A failure is said once and does not stop the tail.
   */
  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      const now = this.#now().toISOString();
      for (const { queue, sqs } of this.resources.queues) {
        sqs.tag(queue, { [HEARTBEAT_TAG]: now }, this.#stop).catch((error: unknown) => {
          if (this.#stop.aborted || this.#heartbeatWarned) return;
          this.#heartbeatWarned = true;
          this.#events.warn(
            `cannot refresh the heartbeat of ${queue.name} (${(error as Error).message}): lambda-dest cleanup may remove it while this tail runs, once ${HEARTBEAT_STALE_MINUTES} minutes have passed`,
          );
        });
      }
    }, HEARTBEAT_INTERVAL_MS);
    this.#heartbeat.unref();
  }

  /**
   * Watches the destinations configured for exactly this function and qualifier (SQS, SNS, S3), and its
   * dead-letter queue or topic.
   */
  async addFunction(target: FunctionTarget, qualifier?: string): Promise<FunctionDestinations> {
    // The SQS client loads while Lambda is asked: most destinations need it (a queue, or the temporary queue
    // of a topic or bus tap). A failure to load it is met, and reported, where it is used.
    this.#clients.sqs().catch(() => undefined);
    // Loaded here: it loads the Lambda client, which a watch of a queue, topic, bus or bucket never uses.
    const { LambdaOperations, destinationType } = await import("./lambda.js");
    const lambda = await LambdaOperations.create(this.#clients);
    const [config, deadLetter] = await Promise.all([
      lambda.eventInvokeConfig(target, qualifier, this.#stop),
      lambda.deadLetterTarget(target, qualifier, this.#stop),
    ]);
    const result: FunctionDestinations = { config, deadLetter, watched: [], unwatchable: [] };
    const byArn = new Map<string, Watched>();
    const targets: [DestinationRole, string | undefined][] = [
      ["on-success", config?.onSuccess],
      ["on-failure", config?.onFailure],
      ["dead-letter", deadLetter],
    ];
    for (const [role, arn] of targets) {
      if (!arn) continue;
      if (isFifoName(arn)) {
        this.#events.warn(
          `the ${role} destination ${arn} is FIFO: Lambda cannot deliver to FIFO queues or topics and drops those records silently`,
        );
      }
      const existing = byArn.get(arn);
      if (existing) {
        result.watched.push({ role, arn, watched: existing });
        continue;
      }
      const type = destinationType(arn);
      let watched: Watched | undefined;
      if (type === "sqs") watched = await this.addQueue(parseQueueReference(arn));
      else if (type === "sns") watched = await this.addTopic(parseTopicReference(arn));
      else if (type === "eventbridge") {
        // Only this function's events: the bus may carry other functions' records too.
        const functionArn = config?.functionArn ?? target.functionName;
        const pattern = functionArn.startsWith("arn:")
          ? functionDestinationPattern(functionArn)
          : LAMBDA_DESTINATION_PATTERN;
        watched = await this.addBus(parseBusReference(arn), JSON.stringify(pattern));
      } else if (type === "lambda") {
        // Only the local stack can say what it sent to a destination function.
        const endpoint = this.#clients.settings("lambda").endpoint;
        const name = parseArn(arn)?.resource.split(":")[1];
        if (endpoint && name) {
          watched = await watchLocalDestination(endpoint, name, this.#stop, this.#clients.requestTimeoutMs);
          if (watched) this.watched.push(watched);
        }
      } else if (type === "s3") {
        // Lambda writes a function's records under aws/lambda/async/<function-name>/.
        const { bucket } = parseBucketReference(arn);
        watched = await this.addBucket({ type: "bucket", bucket, prefix: functionRecordPrefix(target.name) });
      }
      if (watched) {
        byArn.set(arn, watched);
        result.watched.push({ role, arn, watched });
      } else {
        result.unwatchable.push({ role, arn, reason: unwatchableReason(role, arn, type) });
      }
    }
    return result;
  }

  /** Polls every watched source until `stop` aborts; the first error stops the others and is thrown. */
  async run(
    handle: Handle<Watched>,
    stopAll: () => void,
    concurrency: number,
    budget?: ReceiveBudget,
    peekWaitSeconds?: number,
  ): Promise<void> {
    let failure: unknown;
    await Promise.all(
      this.watched.map((watched) =>
        (watched.kind === "bucket"
          ? pollBucket({ watched, stop: this.#stop, handle, now: this.#now })
          : watched.kind === "invocations"
            ? pollLocalDestination({
                watched,
                stop: this.#stop,
                handle,
                timeoutMs: this.#clients.requestTimeoutMs,
              })
            : pollQueue({
                watched,
                stop: this.#stop,
                handle,
                concurrency,
                budget,
                peekWaitSeconds,
                onProblem: (text) => this.#events.warn(text),
              })
        ).catch((error) => {
          failure ??= error;
          stopAll();
        }),
      ),
    );
    if (failure !== undefined) throw failure;
  }

  /**
   * Removes what the session created, for at most REMOVAL_BUDGET_MS (an endpoint that stopped answering must
   * not hold the way out); returns what could not be removed.
   */
  async close(): Promise<Leftover[]> {
    clearInterval(this.#heartbeat);
    if (this.resources.isEmpty) return [];
    return this.resources.remove(AbortSignal.timeout(REMOVAL_BUDGET_MS));
  }
}

/** Why a destination cannot be watched, and what to do instead. */
function unwatchableReason(
  role: DestinationRole,
  arn: string,
  type: ReturnType<typeof destinationType>,
): string {
  switch (type) {
    case "lambda":
      return `the ${role} destination ${arn} is a Lambda function: outside the local stack its input can be read only from its own logs; tail that function's own destinations instead (lambda-dest tail function:${parseArn(arn)?.resource.split(":")[1] ?? "NAME"})`;
    default:
      return `the ${role} destination ${arn} is of a type lambda-dest cannot tail (it tails SQS queues, SNS topics, EventBridge buses and S3 buckets)`;
  }
}

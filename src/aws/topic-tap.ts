/**
 * Tapping an SNS topic: a temporary, tagged, encrypted queue whose policy admits only that topic, subscribed
 * and confirmed, then watched like any queue and removed afterwards.
 */
import { randomBytes } from "node:crypto";
import { AwsOperationError } from "../errors.js";
import type { WatchedQueue } from "./queue-poller.js";
import type { ResolvedTopic, SnsOperations } from "./sns.js";
import type { ResolvedQueue, SqsOperations } from "./sqs.js";
import {
  HEARTBEAT_TAG,
  TAIL_QUEUE_PREFIX,
  TAIL_TAG,
  TAIL_TOPIC_TAG,
  type TemporaryResources,
} from "./temporary-resources.js";

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
  return { kind: "queue", queue, sqs, label: `sns:${topic.name}`, mode: "own", topic, subscriptionArn };
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

/**
 * Tapping an EventBridge bus: a temporary, tagged, encrypted queue whose policy admits only our rule, and a rule
 * of our own on the bus (never a user's) that sends what its pattern matches to the queue. Both are removed
 * afterwards; the rule first.
 */
import { randomBytes } from "node:crypto";
import { AwsOperationError } from "../errors.js";
import type { EventsOperations, ResolvedBus } from "./events.js";
import type { WatchedQueue } from "./queue-poller.js";
import type { SqsOperations } from "./sqs.js";
import {
  HEARTBEAT_TAG,
  TAIL_BUS_TAG,
  TAIL_QUEUE_PREFIX,
  TAIL_TAG,
  type TemporaryResources,
} from "./temporary-resources.js";

/** The events Lambda sends to a bus destination; AWS's docs name the source "aws.lambda", real events "lambda". */
export const LAMBDA_DESTINATION_PATTERN = {
  source: ["lambda", "aws.lambda"],
  "detail-type": [
    "Lambda Function Invocation Result - Success",
    "Lambda Function Invocation Result - Failure",
  ],
};

/** The destination events of one function (any qualifier): its unqualified ARN, or that ARN and a qualifier. */
export function functionDestinationPattern(functionArn: string): Record<string, unknown> {
  const unqualified = functionArn.split(":").slice(0, 7).join(":");
  return {
    ...LAMBDA_DESTINATION_PATTERN,
    detail: { requestContext: { functionArn: [unqualified, { prefix: `${unqualified}:` }] } },
  };
}

/** A queue policy that admits SendMessage from EventBridge for this one rule only. */
export function ruleOnlyPolicy(queueArn: string, ruleArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "lambda-dest-tail",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      },
    ],
  });
}

export interface BusTapOptions {
  sqs: SqsOperations;
  events: EventsOperations;
  bus: ResolvedBus;
  /** The event pattern, as JSON text. */
  pattern: string;
  resources: TemporaryResources;
  now: Date;
  signal: AbortSignal;
}

export async function tapBus(options: BusTapOptions): Promise<WatchedQueue> {
  const { sqs, events, bus, resources, signal } = options;
  const random = randomBytes(4).toString("hex");
  const base = bus.name.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 30);
  const name = `${TAIL_QUEUE_PREFIX}events-${base}-${random}`;
  const trackedQueue = resources.creatingQueue(name, sqs);
  const queue = await sqs.createQueue(
    name,
    { SqsManagedSseEnabled: "true", MessageRetentionPeriod: "86400" },
    {
      [TAIL_TAG]: options.now.toISOString(),
      [HEARTBEAT_TAG]: options.now.toISOString(),
      [TAIL_BUS_TAG]: bus.arn.slice(0, 256),
    },
    signal,
  );
  resources.queueCreated(trackedQueue, queue);
  if (!queue.arn)
    throw new AwsOperationError(`the temporary queue ${name} has no ARN (sqs:GetQueueAttributes)`);
  const rule = busRuleName(name);
  resources.creatingRule(rule, bus, events);
  const ruleArn = await events.putRule(
    bus,
    rule,
    options.pattern,
    { [TAIL_TAG]: options.now.toISOString() },
    signal,
  );
  await sqs.setAttributes(queue, { Policy: ruleOnlyPolicy(queue.arn, ruleArn) }, signal);
  await events.targetQueue(bus, rule, queue.arn, signal);
  return { kind: "queue", queue, sqs, label: `events:${bus.name}`, mode: "own" };
}

/** The rule of a bus tap is named as its queue (rule names: up to 64 letters, digits, . - _). */
export function busRuleName(queueName: string): string {
  return queueName.slice(0, 64);
}

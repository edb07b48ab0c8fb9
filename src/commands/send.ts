import type { SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import type { OutgoingMessage } from "../aws/batch-send.js";
import { SQS_BATCH_LIMITS, SQS_MESSAGE_LIMIT } from "../aws/batches.js";
import { type AwsClients, withClients } from "../aws/clients.js";
import { isFifoName, parseQueueReference } from "../aws/targets.js";
import { UsageError } from "../errors.js";
import { toSdkAttributes } from "../input/attributes.js";
import { prepareOutgoing } from "../input/outgoing.js";
import type { CommandContext } from "../io.js";
import { deduplicationId, requireGroupId } from "./delivery.js";

export interface SendOptions {
  queue: string;
  body?: string;
  file?: string;
  lines: boolean;
  attributes: string[];
  groupId?: string;
  dedupId?: string;
  delaySeconds?: number;
}

/** Requests in flight for a standard queue; a FIFO queue gets one at a time so that a group keeps its order. */
const CONCURRENCY = 8;

export async function runSend(options: SendOptions, context: CommandContext): Promise<number> {
  return withClients(context, (clients) => sendMessages(options, context, clients));
}

/** The command with its clients injected (tests pass clients with a simulated transport). */
export async function sendMessages(
  options: SendOptions,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const reference = parseQueueReference(options.queue);
  const fifo = isFifoName(reference.name);
  if (fifo) requireGroupId(reference.name, "queue", options);
  if (fifo && options.delaySeconds) {
    throw new UsageError(
      "--delay cannot be set per message on a FIFO queue (set the queue's DelaySeconds instead)",
    );
  }
  const { messages, attributes } = await prepareOutgoing({
    source: {
      argument: options.body,
      file: options.file,
      stdin: context.io.stdin,
      cwd: context.io.cwd,
      noun: "message body",
    },
    lines: options.lines,
    attributes: options.attributes,
    limit: SQS_MESSAGE_LIMIT,
    service: "SQS",
  });

  const { SqsOperations } = await import("../aws/sqs.js");
  const { deliver, batchResults } = await import("./delivery.js");
  const sqs = await SqsOperations.create(await clients.forResourceRegion(reference.region, "sqs"));
  const queue = await sqs.resolve(reference);
  const sdkAttributes = toSdkAttributes(attributes);
  const entryFor = (message: OutgoingMessage): SendMessageBatchRequestEntry => ({
    Id: String(message.index),
    MessageBody: message.body,
    MessageAttributes: sdkAttributes,
    DelaySeconds: options.delaySeconds,
    MessageGroupId: options.groupId,
    MessageDeduplicationId: deduplicationId(options, message),
  });
  return deliver(context, {
    target: { type: "queue", name: queue.name, url: queue.url },
    messages,
    limits: SQS_BATCH_LIMITS,
    concurrency: fifo ? 1 : CONCURRENCY,
    sendBatch: async (batch) => batchResults(await sqs.sendBatch(queue, batch.map(entryFor))),
  });
}

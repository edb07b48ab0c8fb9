import type { PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import type { OutgoingMessage } from "../aws/batch-send.js";
import { SNS_BATCH_LIMITS, SNS_MESSAGE_LIMIT } from "../aws/batches.js";
import { type AwsClients, withClients } from "../aws/clients.js";
import { isFifoName, parseTopicReference } from "../aws/targets.js";
import { UsageError } from "../errors.js";
import { toSdkAttributes } from "../input/attributes.js";
import { prepareOutgoing } from "../input/outgoing.js";
import type { CommandContext } from "../io.js";
import { snsSubject } from "../option-values.js";
import { deduplicationId, requireGroupId } from "./delivery.js";

export interface PublishOptions {
  topic: string;
  message?: string;
  file?: string;
  lines: boolean;
  attributes: string[];
  groupId?: string;
  dedupId?: string;
  subject?: string;
}

const CONCURRENCY = 8;

export async function runPublish(options: PublishOptions, context: CommandContext): Promise<number> {
  return withClients(context, (clients) => publishMessages(options, context, clients));
}

/** The command with its clients injected (tests pass clients with a simulated transport). */
export async function publishMessages(
  options: PublishOptions,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const reference = parseTopicReference(options.topic);
  const fifo = isFifoName(reference.name);
  if (fifo) requireGroupId(reference.name, "topic", options);
  if (options.subject !== undefined) {
    try {
      snsSubject(options.subject);
    } catch (error) {
      throw new UsageError(`--subject: ${(error as Error).message}`);
    }
  }
  const { messages, attributes } = await prepareOutgoing({
    source: {
      argument: options.message,
      file: options.file,
      stdin: context.io.stdin,
      cwd: context.io.cwd,
      noun: "message",
    },
    lines: options.lines,
    attributes: options.attributes,
    limit: SNS_MESSAGE_LIMIT,
    service: "SNS",
  });

  const { SnsOperations } = await import("../aws/sns.js");
  const { deliver, batchResults } = await import("./delivery.js");
  const sns = await SnsOperations.create(await clients.forResourceRegion(reference.region, "sns"));
  const topic = await sns.resolve(reference);
  const sdkAttributes = toSdkAttributes(attributes);
  const entryFor = (message: OutgoingMessage): PublishBatchRequestEntry => ({
    Id: String(message.index),
    Message: message.body,
    Subject: options.subject,
    MessageAttributes: sdkAttributes,
    MessageGroupId: options.groupId,
    MessageDeduplicationId: deduplicationId(options, message),
  });
  return deliver(context, {
    target: { type: "topic", name: topic.name, arn: topic.arn },
    messages,
    limits: SNS_BATCH_LIMITS,
    concurrency: fifo ? 1 : CONCURRENCY,
    sendBatch: async (batch) => batchResults(await sns.publishBatch(topic, batch.map(entryFor))),
  });
}

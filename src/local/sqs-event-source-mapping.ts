import { LOCAL_ACCOUNT_ID } from "./arns.js";
import { fifoGroupLocks } from "./fauxqs-stores.js";
import type { InProcessAws } from "./in-process-aws.js";
import type { LocalLogger } from "./local-logger.js";
import { type Lineage, lineageFromTraceHeader, mergeLineages } from "./recursion-lineage.js";
import type { InvocationOutcome } from "./sandbox.js";
import { md5OfMessageAttributes, type SqsMessageAttribute } from "./sqs-message-attributes-md5.js";

export interface SqsEventSourceMappingSettings {
  uuid: string;
  eventSourceArn: string;
  functionName: string;
  functionArn: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  reportBatchItemFailures: boolean;
  enabled: boolean;
  lastModified: number;
}

export interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, SqsMessageAttribute>;
}

export interface MappingTarget {
  invoke(functionName: string, payload: string, lineage: Lineage): Promise<InvocationOutcome>;
  /** Whether recursive loop detection stops an invocation of this lineage (and says so on the log). */
  recursionStopped(functionName: string, lineage: Lineage): boolean;
  /** The X-Ray trace header a message was sent with (its AWSTraceHeader), if any. */
  traceHeaderOf(message: { MessageId: string; Body: string }): string | undefined;
}

/**
 * A mapping's ARN: "arn:aws:lambda:REGION:ACCOUNT:event-source-mapping:UUID" (Lambda API reference,
 * EventSourceMappingConfiguration.EventSourceMappingArn; the pattern Region switch's API reference gives for
 * it: "arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:event-source-mapping:<UUID>").
 */
export function eventSourceMappingArn(settings: { uuid: string; functionArn: string }): string {
  const region = settings.functionArn.split(":")[3];
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:event-source-mapping:${settings.uuid}`;
}

/**
 * What CreateEventSourceMapping answers for a queue that does not exist: an InvalidParameterValueException
 * with SQS's error, in the words recorded from AWS (and reproduced by other emulators).
 */
export const MISSING_QUEUE_MESSAGE =
  "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.";

/** How long one ReceiveMessage long poll waits; short, so that disabling a mapping takes effect quickly. */
const WAIT_TIME_SECONDS = 1;

/**
 * An SQS event source mapping and its poller. Like Lambda's: it receives batches, invokes the function
 * synchronously with the Lambda SQS event, deletes the batch on success, deletes only the messages not
 * reported with ReportBatchItemFailures, and leaves failed messages in the queue, where its visibility
 * timeout and redrive policy (maxReceiveCount, dead-letter queue) decide what happens next.
 */
export class SqsEventSourceMapping {
  /** Whether the poll loop should go on; cleared to stop it at its next check. */
  private running = false;
  /**
   * Whether a poll loop is alive. A loop told to stop may still be inside a long poll; enabling again before
   * it has noticed lets that loop go on rather than starting a second one beside it.
   */
  private polling = false;

  constructor(
    public settings: SqsEventSourceMappingSettings,
    private readonly aws: InProcessAws,
    private readonly target: MappingTarget,
    private readonly logger: LocalLogger,
  ) {}

  get state(): "Enabled" | "Disabled" {
    return this.settings.enabled ? "Enabled" : "Disabled";
  }

  /** Starts or stops polling to match `settings.enabled`. */
  apply(): void {
    this.running = this.settings.enabled;
    if (this.running && !this.polling) {
      this.polling = true;
      void this.poll();
    }
  }

  stop(): void {
    this.running = false;
  }

  private async poll(): Promise<void> {
    const region = this.settings.eventSourceArn.split(":")[3];
    let queueUrl: string | undefined;
    try {
      while (this.running) {
        try {
          queueUrl ??= await this.aws.queueUrl(this.settings.eventSourceArn);
          const batch = await this.receiveBatch(queueUrl, region);
          if (!this.running) break;
          if (batch.length > 0) await this.process(queueUrl, region, batch);
        } catch (error) {
          if (!this.running) break;
          this.logger.warn(
            `event source mapping ${this.settings.uuid}: ${error instanceof Error ? error.message : String(error)}`,
          );
          queueUrl = undefined;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    } finally {
      // Cleared in the same turn as the loop's last check, so that apply() never sees a loop that has
      // already decided to end as alive.
      this.polling = false;
    }
  }

  private async receiveBatch(queueUrl: string, region: string): Promise<SqsMessage[]> {
    const fifo = this.settings.eventSourceArn.endsWith(".fifo");
    const batch: SqsMessage[] = [];
    const windowEnds = Date.now() + this.settings.maximumBatchingWindowInSeconds * 1000;
    for (;;) {
      const wanted = Math.min(10, this.settings.batchSize - batch.length);
      const messages = await this.receive(
        queueUrl,
        region,
        wanted,
        batch.length === 0 ? WAIT_TIME_SECONDS : 0,
        fifo ? batch : [],
      );
      batch.push(...messages);
      if (!this.running || batch.length >= this.settings.batchSize || batch.length === 0) break;
      // A FIFO queue goes on while it gives: fauxqs hands out one message per group per receive, where SQS
      // gives a group's messages together, and Lambda a batch of up to BatchSize of them.
      if (fifo ? messages.length === 0 && Date.now() >= windowEnds : Date.now() >= windowEnds) break;
      if (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return fifo ? inGroupOrder(batch) : batch;
  }

  /**
   * One ReceiveMessage. On a FIFO queue, the groups of the messages this batch already holds are unlocked for
   * the time of the call (and locked again after it, counting what it added): this poller holds them, so the
   * next messages of those groups may join its batch, in order, as they would on SQS. (While the call is in
   * flight, another consumer of the same queue could be handed a message of those groups too: the locks are
   * fauxqs's, and the call goes through its request handling.)
   */
  private async receive(
    queueUrl: string,
    region: string,
    wanted: number,
    waitSeconds: number,
    held: SqsMessage[],
  ): Promise<SqsMessage[]> {
    const locks = held.length > 0 ? fifoGroupLocks(this.aws, this.settings.eventSourceArn) : undefined;
    const released = new Map<string, number>();
    if (locks) {
      for (const message of held) {
        const group = message.Attributes?.MessageGroupId;
        if (group === undefined || released.has(group)) continue;
        released.set(group, locks.get(group) ?? 0);
        locks.delete(group);
      }
    }
    try {
      const result = await this.aws.sqs<{ Messages?: SqsMessage[] }>(
        "ReceiveMessage",
        {
          QueueUrl: queueUrl,
          MaxNumberOfMessages: wanted,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        },
        region,
      );
      return result.Messages ?? [];
    } finally {
      if (locks) {
        for (const [group, count] of released) {
          const total = count + (locks.get(group) ?? 0);
          if (total > 0) locks.set(group, total);
        }
      }
    }
  }

  private async process(queueUrl: string, region: string, received: SqsMessage[]): Promise<void> {
    const traced = received.map((message) => {
      const trace = this.target.traceHeaderOf(message);
      return { message, trace, lineage: lineageFromTraceHeader(trace) };
    });
    // A message that would run the function once more than a recursive loop may is not passed on: it stays
    // in the queue, and its redrive policy moves it to the dead-letter queue in time, as on AWS.
    const kept = traced.filter(
      ({ lineage }) => !this.target.recursionStopped(this.settings.functionName, lineage),
    );
    if (kept.length < traced.length) {
      this.logger.warn(
        `event source mapping ${this.settings.uuid}: ${traced.length - kept.length} message(s) of a recursive loop left in the queue`,
      );
    }
    if (kept.length === 0) return;
    const batch = kept.map(({ message }) => message);
    const event = JSON.stringify({
      Records: kept.map(({ message, trace }) => this.toRecord(message, region, trace)),
    });
    const outcome = await this.target.invoke(
      this.settings.functionName,
      event,
      mergeLineages(kept.map(({ lineage }) => lineage)),
    );
    if (outcome.functionError !== undefined) {
      this.logger.info(
        `event source mapping ${this.settings.uuid}: the function failed; ${batch.length} message(s) stay in the queue`,
      );
      return;
    }
    const failed = this.settings.reportBatchItemFailures
      ? failedItems(outcome.payload, batch)
      : new Set<string>();
    const done = batch.filter((message) => !failed.has(message.MessageId));
    for (let start = 0; start < done.length; start += 10) {
      await this.aws.sqs(
        "DeleteMessageBatch",
        {
          QueueUrl: queueUrl,
          Entries: done.slice(start, start + 10).map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        },
        region,
      );
    }
    if (failed.size > 0) {
      this.logger.info(
        `event source mapping ${this.settings.uuid}: ${failed.size} message(s) reported as failed stay in the queue`,
      );
    }
  }

  private toRecord(message: SqsMessage, region: string, trace: string | undefined): Record<string, unknown> {
    const messageAttributes: Record<string, unknown> = {};
    for (const [name, attribute] of Object.entries(message.MessageAttributes ?? {})) {
      messageAttributes[name] = {
        ...(attribute.StringValue === undefined ? {} : { stringValue: attribute.StringValue }),
        ...(attribute.BinaryValue === undefined ? {} : { binaryValue: attribute.BinaryValue }),
        stringListValues: [],
        binaryListValues: [],
        dataType: attribute.DataType,
      };
    }
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: {
        // In the order of Lambda's example records ("Example Amazon SQS message event (FIFO queue)").
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        ...(attributes.SequenceNumber === undefined ? {} : { SequenceNumber: attributes.SequenceNumber }),
        ...(attributes.MessageGroupId === undefined ? {} : { MessageGroupId: attributes.MessageGroupId }),
        SenderId: attributes.SenderId ?? "AIDAIENQZJOLO23YVJ4VO",
        ...(attributes.MessageDeduplicationId === undefined
          ? {}
          : { MessageDeduplicationId: attributes.MessageDeduplicationId }),
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        ...(trace === undefined ? {} : { AWSTraceHeader: trace }),
      },
      messageAttributes,
      // As in the records Lambda hands functions: null when the message has no attributes.
      md5OfMessageAttributes: md5OfMessageAttributes(message.MessageAttributes) ?? null,
      md5OfBody: message.MD5OfBody,
      eventSource: "aws:sqs",
      eventSourceARN: this.settings.eventSourceArn,
      awsRegion: region,
    };
  }
}

/** A FIFO batch with each group's messages together, groups in the order they first came, as SQS orders them. */
function inGroupOrder(batch: SqsMessage[]): SqsMessage[] {
  const groups = new Map<string, SqsMessage[]>();
  for (const message of batch) {
    const group = message.Attributes?.MessageGroupId ?? "";
    groups.set(group, [...(groups.get(group) ?? []), message]);
  }
  return [...groups.values()].flat();
}

/**
 * The message ids a ReportBatchItemFailures response names. As on AWS, a response that cannot be read, or an
 * item identifier that is empty or not in the batch, fails the whole batch.
 */
function failedItems(payload: string, batch: SqsMessage[]): Set<string> {
  const all = new Set(batch.map((message) => message.MessageId));
  let response: unknown;
  try {
    response = JSON.parse(payload);
  } catch {
    return all;
  }
  if (response === null || typeof response !== "object") return new Set();
  const failures = (response as Record<string, unknown>).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const failure of failures) {
    const id =
      failure && typeof failure === "object"
        ? (failure as Record<string, unknown>).itemIdentifier
        : undefined;
    if (typeof id !== "string" || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

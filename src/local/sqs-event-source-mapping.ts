import type { InProcessAws } from "./in-process-aws.js";
import type { LocalLogger } from "./local-logger.js";
import { type Lineage, lineageFromTraceHeader, mergeLineages } from "./recursion-lineage.js";
import type { InvocationOutcome } from "./sandbox.js";

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
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
}

export interface MappingTarget {
  invoke(functionName: string, payload: string, lineage: Lineage): Promise<InvocationOutcome>;
  /** Whether recursive loop detection stops an invocation of this lineage (and says so on the log). */
  recursionStopped(functionName: string, lineage: Lineage): boolean;
  /** The X-Ray trace header a message was sent with (its AWSTraceHeader), if any. */
  traceHeaderOf(message: { MessageId: string; Body: string }): string | undefined;
}

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
    const batch: SqsMessage[] = [];
    const windowEnds = Date.now() + this.settings.maximumBatchingWindowInSeconds * 1000;
    do {
      const wanted = Math.min(10, this.settings.batchSize - batch.length);
      const result = await this.aws.sqs<{ Messages?: SqsMessage[] }>(
        "ReceiveMessage",
        {
          QueueUrl: queueUrl,
          MaxNumberOfMessages: wanted,
          WaitTimeSeconds: batch.length === 0 ? WAIT_TIME_SECONDS : 0,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        },
        region,
      );
      const messages = result.Messages ?? [];
      batch.push(...messages);
      if (messages.length === 0 && (batch.length === 0 || Date.now() >= windowEnds)) break;
    } while (this.running && batch.length < this.settings.batchSize && Date.now() < windowEnds);
    return batch;
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
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? "AIDAIENQZJOLO23YVJ4VO",
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        ...(attributes.MessageGroupId === undefined ? {} : { MessageGroupId: attributes.MessageGroupId }),
        ...(attributes.MessageDeduplicationId === undefined
          ? {}
          : { MessageDeduplicationId: attributes.MessageDeduplicationId }),
        ...(attributes.SequenceNumber === undefined ? {} : { SequenceNumber: attributes.SequenceNumber }),
        ...(trace === undefined ? {} : { AWSTraceHeader: trace }),
      },
      messageAttributes,
      md5OfBody: message.MD5OfBody,
      eventSource: "aws:sqs",
      eventSourceARN: this.settings.eventSourceArn,
      awsRegion: region,
    };
  }
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

import { randomUUID } from "node:crypto";
import { BatchLines, type PendingMessage } from "./batch-lines.js";
import { type InProcessAws, InProcessAwsError } from "./in-process-aws.js";
import type { SqsTraceHeaders } from "./sqs-trace-headers.js";

interface QueuedMessage extends PendingMessage {
  message: string;
  region: string;
  traceHeader?: string;
}

/**
 * Publishes records to the stack's own SNS topics in batches, as SqsSendBatcher sends them to queues: a message
 * that comes while a publication to the same topic is under way (or in the same turn of the event loop) waits
 * and goes with the next PublishBatch, up to 10 at a time. Each message still succeeds or fails on its own (a
 * batch answers per entry) and keeps its own trace header: PublishBatch has one X-Amzn-Trace-Id for the whole
 * request, so each entry's is handed to SqsTraceHeaders under the entry's id, an id nobody else knows. A lone
 * message, a large one and any message to a FIFO topic go with Publish, whose answers (and errors) they had
 * before batching existed.
 */
export class SnsPublishBatcher {
  private readonly lines = new BatchLines<QueuedMessage>((topicArn, batch) =>
    this.publishBatch(topicArn, batch),
  );

  constructor(
    private readonly aws: InProcessAws,
    private readonly traceHeaders?: SqsTraceHeaders,
  ) {}

  publish(topicArn: string, region: string, message: string, traceHeader: string | undefined): Promise<void> {
    if (topicArn.endsWith(".fifo")) return this.publishOne(topicArn, region, message, traceHeader);
    return new Promise<void>((resolve, reject) => {
      const bytes = Buffer.byteLength(message, "utf8");
      this.lines.add(topicArn, { message, region, bytes, traceHeader, resolve, reject });
    });
  }

  private async publishOne(
    topicArn: string,
    region: string,
    message: string,
    traceHeader: string | undefined,
  ): Promise<void> {
    await this.aws.sns("Publish", { TopicArn: topicArn, Message: message }, region, traceHeader);
  }

  private async publishBatch(topicArn: string, batch: QueuedMessage[]): Promise<void> {
    const region = batch[0]!.region;
    if (batch.length === 1) {
      const [only] = batch;
      await this.publishOne(topicArn, region, only.message, only.traceHeader);
      only.resolve();
      return;
    }
    const ids = batch.map(() => randomUUID());
    const parameters: Record<string, string> = { TopicArn: topicArn };
    batch.forEach((entry, index) => {
      const prefix = `PublishBatchRequestEntries.member.${index + 1}`;
      parameters[`${prefix}.Id`] = ids[index]!;
      parameters[`${prefix}.Message`] = entry.message;
      if (entry.traceHeader !== undefined) this.traceHeaders?.expectEntry(ids[index]!, entry.traceHeader);
    });
    let answer: string;
    try {
      answer = await this.aws.sns("PublishBatch", parameters, region);
    } finally {
      this.traceHeaders?.forgetEntries(ids);
    }
    const failed = failedEntries(answer);
    batch.forEach((entry, index) => {
      const failure = failed.get(ids[index]!);
      if (failure === undefined) entry.resolve();
      else entry.reject(new InProcessAwsError(failure.code, failure.message));
    });
  }
}

/** The Failed members of a PublishBatch answer, by entry id. */
function failedEntries(xml: string): Map<string, { code: string; message: string }> {
  const failed = new Map<string, { code: string; message: string }>();
  const section = /<Failed>([\s\S]*?)<\/Failed>/.exec(xml)?.[1];
  if (section === undefined) return failed;
  for (const member of section.split("</member>")) {
    const id = /<Id>([^<]*)<\/Id>/.exec(member)?.[1];
    if (id === undefined) continue;
    failed.set(id, {
      code: /<Code>([^<]*)<\/Code>/.exec(member)?.[1] ?? "Error",
      message: /<Message>([^<]*)<\/Message>/.exec(member)?.[1] ?? "SNS Publish failed",
    });
  }
  return failed;
}

import { randomUUID } from "node:crypto";
import { type InProcessAws, InProcessAwsError } from "./in-process-aws.js";
import type { SqsTraceHeaders } from "./sqs-trace-headers.js";

/** PublishBatch takes 10 entries at most (SNS API reference, PublishBatch). */
const MAX_ENTRIES = 10;
/** "The maximum total payload size (the sum of the individual lengths of all of the batched messages)" is 256 KiB. */
const MAX_BATCH_BYTES = 256 * 1024;
/** A message this large is published on its own, with Publish, as before batching existed. */
const MAX_BATCHED_MESSAGE_BYTES = 64 * 1024;

interface PendingMessage {
  message: string;
  bytes: number;
  traceHeader?: string;
  resolve(): void;
  reject(error: unknown): void;
}

interface TopicLine {
  topicArn: string;
  region: string;
  pending: PendingMessage[];
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
  private readonly lines = new Map<string, TopicLine>();

  constructor(
    private readonly aws: InProcessAws,
    private readonly traceHeaders?: SqsTraceHeaders,
  ) {}

  publish(topicArn: string, region: string, message: string, traceHeader: string | undefined): Promise<void> {
    if (topicArn.endsWith(".fifo")) return this.publishOne(topicArn, region, message, traceHeader);
    let line = this.lines.get(topicArn);
    const starting = line === undefined;
    if (!line) {
      line = { topicArn, region, pending: [] };
      this.lines.set(topicArn, line);
    }
    const queued = line;
    return new Promise<void>((resolve, reject) => {
      queued.pending.push({
        message,
        bytes: Buffer.byteLength(message, "utf8"),
        traceHeader,
        resolve,
        reject,
      });
      // The rest of this turn's records join the batch.
      if (starting) setImmediate(() => void this.drain(queued));
    });
  }

  private async drain(line: TopicLine): Promise<void> {
    while (line.pending.length > 0) {
      const batch = takeBatch(line.pending);
      try {
        await this.publishBatch(line, batch);
      } catch (error) {
        for (const message of batch) message.reject(error);
      }
    }
    this.lines.delete(line.topicArn);
  }

  private async publishOne(
    topicArn: string,
    region: string,
    message: string,
    traceHeader: string | undefined,
  ): Promise<void> {
    await this.aws.sns("Publish", { TopicArn: topicArn, Message: message }, region, traceHeader);
  }

  private async publishBatch(line: TopicLine, batch: PendingMessage[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch;
      await this.publishOne(line.topicArn, line.region, only.message, only.traceHeader);
      only.resolve();
      return;
    }
    const ids = batch.map(() => randomUUID());
    const parameters: Record<string, string> = { TopicArn: line.topicArn };
    batch.forEach((entry, index) => {
      const prefix = `PublishBatchRequestEntries.member.${index + 1}`;
      parameters[`${prefix}.Id`] = ids[index]!;
      parameters[`${prefix}.Message`] = entry.message;
      if (entry.traceHeader !== undefined) this.traceHeaders?.expectEntry(ids[index]!, entry.traceHeader);
    });
    let answer: string;
    try {
      answer = await this.aws.sns("PublishBatch", parameters, line.region);
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

/** The next messages that go together: up to 10, within the byte budget; a large one goes alone. */
function takeBatch(pending: PendingMessage[]): PendingMessage[] {
  if (pending[0]!.bytes > MAX_BATCHED_MESSAGE_BYTES) return pending.splice(0, 1);
  let count = 0;
  let bytes = 0;
  while (
    count < pending.length &&
    count < MAX_ENTRIES &&
    pending[count]!.bytes <= MAX_BATCHED_MESSAGE_BYTES &&
    bytes + pending[count]!.bytes <= MAX_BATCH_BYTES
  ) {
    bytes += pending[count]!.bytes;
    count += 1;
  }
  return pending.splice(0, count);
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

import { type InProcessAws, InProcessAwsError } from "./in-process-aws.js";

/** SendMessageBatch takes 10 entries at most (SQS API reference, SendMessageBatch). */
const MAX_ENTRIES = 10;
/** Bodies batched together stay under this many bytes in all (SQS's batch limit is larger; this keeps batches small). */
const MAX_BATCH_BYTES = 256 * 1024;
/** A body this large is sent on its own, with SendMessage, as before batching existed. */
const MAX_BATCHED_BODY_BYTES = 64 * 1024;

interface PendingMessage {
  body: string;
  bytes: number;
  traceHeader?: string;
  resolve(): void;
  reject(error: unknown): void;
}

interface QueueLine {
  queueArn: string;
  region: string;
  pending: PendingMessage[];
  /** A send to this queue is under way or scheduled: messages that come meanwhile wait and go together. */
  busy: boolean;
}

/**
 * Sends messages to the stack's own SQS queues in batches: a message that comes while another send to the same
 * queue is under way (or in the same turn of the event loop) waits and goes with the next SendMessageBatch, up
 * to 10 at a time. Each message still succeeds or fails on its own (a batch answers per entry), with the error
 * a single SendMessage would have given, and carries its own trace header (the AWSTraceHeader system
 * attribute, per entry). Queue URLs are looked up once per queue ARN and forgotten when the queue is gone.
 */
export class SqsSendBatcher {
  private readonly lines = new Map<string, QueueLine>();
  private readonly urls = new Map<string, string>();

  constructor(private readonly aws: InProcessAws) {}

  send(queueArn: string, region: string, body: string, traceHeader: string | undefined): Promise<void> {
    let line = this.lines.get(queueArn);
    if (!line) {
      line = { queueArn, region, pending: [], busy: false };
      this.lines.set(queueArn, line);
    }
    const queued = line;
    return new Promise<void>((resolve, reject) => {
      queued.pending.push({ body, bytes: Buffer.byteLength(body, "utf8"), traceHeader, resolve, reject });
      if (!queued.busy) {
        queued.busy = true;
        // The rest of this turn's records join the batch.
        setImmediate(() => void this.drain(queued));
      }
    });
  }

  private async drain(line: QueueLine): Promise<void> {
    while (line.pending.length > 0) {
      const batch = takeBatch(line.pending);
      try {
        await this.sendBatch(line, batch);
      } catch (error) {
        for (const message of batch) message.reject(error);
      }
    }
    line.busy = false;
    this.lines.delete(line.queueArn);
  }

  private async sendBatch(line: QueueLine, batch: PendingMessage[]): Promise<void> {
    const queueUrl = await this.queueUrl(line.queueArn);
    try {
      if (batch.length === 1) {
        const [message] = batch;
        await this.aws.sqs(
          "SendMessage",
          { QueueUrl: queueUrl, MessageBody: message.body },
          line.region,
          message.traceHeader,
        );
        message.resolve();
        return;
      }
      const result = await this.aws.sqs<{
        Successful?: Array<{ Id: string }>;
        Failed?: Array<{ Id: string; Code?: string; Message?: string }>;
      }>(
        "SendMessageBatch",
        {
          QueueUrl: queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            MessageBody: message.body,
            ...(message.traceHeader === undefined
              ? {}
              : {
                  MessageSystemAttributes: {
                    AWSTraceHeader: { DataType: "String", StringValue: message.traceHeader },
                  },
                }),
          })),
        },
        line.region,
      );
      const failed = new Map((result.Failed ?? []).map((entry) => [entry.Id, entry]));
      batch.forEach((message, index) => {
        const failure = failed.get(String(index));
        if (failure === undefined) message.resolve();
        else
          message.reject(
            new InProcessAwsError(failure.Code ?? "Error", failure.Message ?? "SQS SendMessage failed"),
          );
      });
    } catch (error) {
      if (error instanceof InProcessAwsError && error.code === "QueueDoesNotExist")
        this.urls.delete(line.queueArn);
      throw error;
    }
  }

  private async queueUrl(queueArn: string): Promise<string> {
    const known = this.urls.get(queueArn);
    if (known !== undefined) return known;
    const url = await this.aws.queueUrl(queueArn);
    this.urls.set(queueArn, url);
    return url;
  }
}

/** The next messages that go together: up to 10, within the byte budget; a large one goes alone. */
function takeBatch(pending: PendingMessage[]): PendingMessage[] {
  if (pending[0].bytes > MAX_BATCHED_BODY_BYTES) return pending.splice(0, 1);
  let count = 0;
  let bytes = 0;
  while (
    count < pending.length &&
    count < MAX_ENTRIES &&
    pending[count].bytes <= MAX_BATCHED_BODY_BYTES &&
    bytes + pending[count].bytes <= MAX_BATCH_BYTES
  ) {
    bytes += pending[count].bytes;
    count += 1;
  }
  return pending.splice(0, count);
}

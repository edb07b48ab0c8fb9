import { BatchLines, type PendingMessage } from "./batch-lines.js";
import { type InProcessAws, InProcessAwsError } from "./in-process-aws.js";

interface QueuedMessage extends PendingMessage {
  body: string;
  region: string;
  traceHeader?: string;
}

/**
 * Sends messages to the stack's own SQS queues in batches: a message that comes while another send to the same
 * queue is under way (or in the same turn of the event loop) waits and goes with the next SendMessageBatch, up
 * to 10 at a time. Each message still succeeds or fails on its own (a batch answers per entry), with the error
 * a single SendMessage would have given, and carries its own trace header (the AWSTraceHeader system
 * attribute, per entry). Queue URLs are looked up once per queue ARN and forgotten when the queue is gone.
 */
export class SqsSendBatcher {
  private readonly lines = new BatchLines<QueuedMessage>((queueArn, batch) =>
    this.sendBatch(queueArn, batch),
  );
  private readonly urls = new Map<string, string>();

  constructor(private readonly aws: InProcessAws) {}

  send(queueArn: string, region: string, body: string, traceHeader: string | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const bytes = Buffer.byteLength(body, "utf8");
      this.lines.add(queueArn, { body, region, bytes, traceHeader, resolve, reject });
    });
  }

  private async sendBatch(queueArn: string, batch: QueuedMessage[]): Promise<void> {
    const queueUrl = await this.queueUrl(queueArn);
    const region = batch[0]!.region;
    try {
      if (batch.length === 1) {
        const [message] = batch;
        await this.aws.sqs(
          "SendMessage",
          { QueueUrl: queueUrl, MessageBody: message.body },
          region,
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
        region,
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
        this.urls.delete(queueArn);
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

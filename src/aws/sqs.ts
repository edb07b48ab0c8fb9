/** SQS operations the commands need, each call's errors translated next to it. */
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  type Message,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { AwsClients } from "./clients.js";
import { type AwsCall, awsCall } from "./errors.js";
import type { QueueReference } from "./targets.js";

export type SqsMessage = Message;

export interface ResolvedQueue {
  url: string;
  name: string;
  arn?: string;
}

export class SqsOperations {
  readonly client: SQSClient;
  readonly #clients: AwsClients;
  readonly #region?: string;

  private constructor(client: SQSClient, clients: AwsClients, region?: string) {
    this.client = client;
    this.#clients = clients;
    this.#region = region;
  }

  static async create(clients: AwsClients): Promise<SqsOperations> {
    const client = await clients.sqs();
    return new SqsOperations(client, clients, clients.settings("sqs").region);
  }

  call(action: string, resource?: string): AwsCall {
    return {
      action: `sqs:${action}`,
      resource,
      endpoint: this.#clients.endpointLabel("sqs"),
      region: this.#region,
    };
  }

  /** A queue's URL from its name, URL or ARN. Names (and ARNs) are looked up with GetQueueUrl. */
  async resolve(reference: QueueReference, signal?: AbortSignal): Promise<ResolvedQueue> {
    if (reference.url) return { url: reference.url, name: reference.name, arn: reference.arn };
    const output = await awsCall(this.call("GetQueueUrl", `queue ${reference.name}`), () =>
      this.client.send(
        new GetQueueUrlCommand({ QueueName: reference.name, QueueOwnerAWSAccountId: reference.accountId }),
        { abortSignal: signal },
      ),
    );
    return { url: output.QueueUrl!, name: reference.name, arn: reference.arn };
  }

  /** Whether a queue of that name exists (for resolving a bare tail target); other errors are thrown. */
  async exists(name: string, signal?: AbortSignal): Promise<ResolvedQueue | undefined> {
    try {
      return await this.resolve({ type: "queue", name }, signal);
    } catch (error) {
      const cause = (error as { cause?: { name?: string } }).cause;
      if (cause?.name && /QueueDoesNotExist|NonExistentQueue/.test(cause.name)) return undefined;
      throw error;
    }
  }

  async attributes(
    queue: ResolvedQueue,
    names: QueueAttributeName[],
    signal?: AbortSignal,
  ): Promise<Record<string, string>> {
    const output = await awsCall(this.call("GetQueueAttributes", `queue ${queue.name}`), () =>
      this.client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: names }), {
        abortSignal: signal,
      }),
    );
    return output.Attributes ?? {};
  }

  async sendBatch(queue: ResolvedQueue, entries: SendMessageBatchRequestEntry[]) {
    return awsCall(this.call("SendMessage", `queue ${queue.name}`), () =>
      this.client.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries })),
    );
  }

  async receive(
    queue: ResolvedQueue,
    options: { maxMessages: number; visibilityTimeout: number; waitSeconds: number; signal?: AbortSignal },
  ): Promise<SqsMessage[]> {
    const output = await awsCall(this.call("ReceiveMessage", `queue ${queue.name}`), () =>
      this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: options.maxMessages,
          VisibilityTimeout: options.visibilityTimeout,
          WaitTimeSeconds: options.waitSeconds,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        { abortSignal: options.signal },
      ),
    );
    return output.Messages ?? [];
  }

  /** Deletes received messages; returns the receipt handles that could not be deleted, with the reason. */
  async deleteBatch(queue: ResolvedQueue, receiptHandles: string[]): Promise<string[]> {
    const problems: string[] = [];
    for (let start = 0; start < receiptHandles.length; start += 10) {
      const slice = receiptHandles.slice(start, start + 10);
      const output = await awsCall(this.call("DeleteMessage", `queue ${queue.name}`), () =>
        this.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: slice.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
          }),
        ),
      );
      for (const failure of output.Failed ?? []) problems.push(`${failure.Code}: ${failure.Message ?? ""}`);
    }
    return problems;
  }

  /** Makes received messages visible again at once (a peek gives them back). */
  async release(queue: ResolvedQueue, receiptHandles: string[]): Promise<string[]> {
    const problems: string[] = [];
    for (let start = 0; start < receiptHandles.length; start += 10) {
      const slice = receiptHandles.slice(start, start + 10);
      const output = await awsCall(this.call("ChangeMessageVisibility", `queue ${queue.name}`), () =>
        this.client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queue.url,
            Entries: slice.map((handle, index) => ({
              Id: String(index),
              ReceiptHandle: handle,
              VisibilityTimeout: 0,
            })),
          }),
        ),
      );
      for (const failure of output.Failed ?? []) problems.push(`${failure.Code}: ${failure.Message ?? ""}`);
    }
    return problems;
  }

  async createQueue(
    name: string,
    attributes: Record<string, string>,
    tags: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<ResolvedQueue> {
    const created = await awsCall(this.call("CreateQueue", `queue ${name}`), () =>
      this.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes, tags }), {
        abortSignal: signal,
      }),
    );
    const queue: ResolvedQueue = { url: created.QueueUrl!, name };
    // The ARN is needed for the subscription; read it rather than build it (partition, account).
    const read = await this.attributes(queue, ["QueueArn"]);
    queue.arn = read.QueueArn;
    return queue;
  }

  async setAttributes(
    queue: ResolvedQueue,
    attributes: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<void> {
    await awsCall(this.call("SetQueueAttributes", `queue ${queue.name}`), () =>
      this.client.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: attributes }), {
        abortSignal: signal,
      }),
    );
  }

  async deleteQueue(queue: ResolvedQueue): Promise<void> {
    await awsCall(this.call("DeleteQueue", `queue ${queue.name}`), () =>
      this.client.send(new DeleteQueueCommand({ QueueUrl: queue.url })),
    );
  }

  /** Every queue URL whose name starts with the prefix (paginated). */
  async listQueues(prefix: string): Promise<string[]> {
    const urls: string[] = [];
    let token: string | undefined;
    do {
      const output = await awsCall(this.call("ListQueues", `queues named ${prefix}*`), () =>
        this.client.send(
          new ListQueuesCommand({ QueueNamePrefix: prefix, NextToken: token, MaxResults: 1000 }),
        ),
      );
      urls.push(...(output.QueueUrls ?? []));
      token = output.NextToken;
    } while (token);
    return urls;
  }

  async tags(queue: ResolvedQueue): Promise<Record<string, string>> {
    const output = await awsCall(this.call("ListQueueTags", `queue ${queue.name}`), () =>
      this.client.send(new ListQueueTagsCommand({ QueueUrl: queue.url })),
    );
    return output.Tags ?? {};
  }
}

/** The queue name at the end of a queue URL. */
export function queueNameFromUrl(url: string): string {
  const parts = url.split("/").filter(Boolean);
  return parts[parts.length - 1] ?? url;
}

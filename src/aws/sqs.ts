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
  TagQueueCommand,
} from "@aws-sdk/client-sqs";
import { type AwsClients, awsCliOptions } from "./clients.js";
import { type AwsCall, awsCall, type SendOptions } from "./errors.js";
import type { QueueReference } from "./targets.js";

/** ChangeMessageVisibilityBatch requests in flight at once when releasing many messages. */
const RELEASE_CONCURRENCY = 4;

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

  /** `waitMs`: how long the call may legitimately stay silent on top of the request time-out (a long poll). */
  /** The region the client was configured with (flag or environment), when it was. */
  get region(): string | undefined {
    return this.#region;
  }

  /** The AWS CLI options that reach the same endpoint, region and profile, for commands we print. */
  cliOptions(): string {
    return awsCliOptions(this.#clients.settings("sqs"));
  }

  call(action: string, resource?: string, waitMs = 0): AwsCall {
    return {
      action: `sqs:${action}`,
      resource,
      endpoint: this.#clients.endpointLabel("sqs"),
      region: this.#region,
      answerWithinMs: this.#clients.requestTimeoutMs + waitMs,
    };
  }

  /** A queue's URL from its name, URL or ARN. Names (and ARNs) are looked up with GetQueueUrl. */
  async resolve(reference: QueueReference, signal?: AbortSignal): Promise<ResolvedQueue> {
    if (reference.url) return { url: reference.url, name: reference.name, arn: reference.arn };
    const output = await awsCall(
      this.call("GetQueueUrl", `queue ${reference.name}`),
      (options) =>
        this.client.send(
          new GetQueueUrlCommand({ QueueName: reference.name, QueueOwnerAWSAccountId: reference.accountId }),
          options,
        ),
      signal,
    );
    return { url: output.QueueUrl!, name: reference.name, arn: reference.arn };
  }

  /** Whether a queue of that name exists (for resolving a bare tail target); other errors are thrown. */
  async exists(name: string, signal?: AbortSignal): Promise<ResolvedQueue | undefined> {
    try {
      return await this.resolve({ type: "queue", name }, signal);
    } catch (error) {
      if (isQueueMissing(error)) return undefined;
      throw error;
    }
  }

  async attributes(
    queue: ResolvedQueue,
    names: QueueAttributeName[],
    signal?: AbortSignal,
  ): Promise<Record<string, string>> {
    const output = await awsCall(
      this.call("GetQueueAttributes", `queue ${queue.name}`),
      (options) =>
        this.client.send(
          new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: names }),
          options,
        ),
      signal,
    );
    return output.Attributes ?? {};
  }

  async sendBatch(queue: ResolvedQueue, entries: SendMessageBatchRequestEntry[], signal?: AbortSignal) {
    return awsCall(
      this.call("SendMessage", `queue ${queue.name}`),
      (options) =>
        this.client.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }), options),
      signal,
    );
  }

  async receive(
    queue: ResolvedQueue,
    request: { maxMessages: number; visibilityTimeout: number; waitSeconds: number; signal?: AbortSignal },
  ): Promise<SqsMessage[]> {
    // A long poll is silent for up to its wait: that is added to the request time-out.
    const output = await awsCall(
      this.call("ReceiveMessage", `queue ${queue.name}`, request.waitSeconds * 1000),
      (options) =>
        this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: request.maxMessages,
            VisibilityTimeout: request.visibilityTimeout,
            WaitTimeSeconds: request.waitSeconds,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          options,
        ),
      request.signal,
    );
    return output.Messages ?? [];
  }

  /** Deletes received messages; returns the receipt handles that could not be deleted, with the reason. */
  async deleteBatch(queue: ResolvedQueue, receiptHandles: string[], signal?: AbortSignal): Promise<string[]> {
    const problems: string[] = [];
    for (let start = 0; start < receiptHandles.length; start += 10) {
      const slice = receiptHandles.slice(start, start + 10);
      const command = new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: slice.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
      });
      const output = await awsCall(
        this.call("DeleteMessage", `queue ${queue.name}`),
        (options) => sendReusingHandler(() => this.client.send(command), options),
        signal,
      );
      for (const failure of output.Failed ?? []) problems.push(`${failure.Code}: ${failure.Message ?? ""}`);
    }
    return problems;
  }

  /**
   * Makes received messages visible again at once (a peek gives them back). Batches go RELEASE_CONCURRENCY at
   * a time: what a peek held back of a backlog is released in one go when it stops.
   */
  async release(queue: ResolvedQueue, receiptHandles: string[], signal?: AbortSignal): Promise<string[]> {
    const problems: string[] = [];
    let next = 0;
    const releaseBatches = async () => {
      for (let start = next; start < receiptHandles.length; start = next) {
        next += 10;
        await this.#releaseBatch(queue, receiptHandles.slice(start, start + 10), problems, signal);
      }
    };
    await Promise.all(Array.from({ length: RELEASE_CONCURRENCY }, releaseBatches));
    return problems;
  }

  async #releaseBatch(
    queue: ResolvedQueue,
    slice: string[],
    problems: string[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const command = new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queue.url,
      Entries: slice.map((handle, index) => ({
        Id: String(index),
        ReceiptHandle: handle,
        VisibilityTimeout: 0,
      })),
    });
    const output = await awsCall(
      this.call("ChangeMessageVisibility", `queue ${queue.name}`),
      (options) => sendReusingHandler(() => this.client.send(command), options),
      signal,
    );
    for (const failure of output.Failed ?? []) problems.push(`${failure.Code}: ${failure.Message ?? ""}`);
  }

  async createQueue(
    name: string,
    attributes: Record<string, string>,
    tags: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<ResolvedQueue> {
    const created = await awsCall(
      this.call("CreateQueue", `queue ${name}`),
      (options) =>
        this.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes, tags }), options),
      signal,
    );
    const queue: ResolvedQueue = { url: created.QueueUrl!, name };
    // The ARN is needed for the subscription; read it rather than build it (partition, account).
    const read = await this.attributes(queue, ["QueueArn"], signal);
    queue.arn = read.QueueArn;
    return queue;
  }

  async setAttributes(
    queue: ResolvedQueue,
    attributes: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<void> {
    await awsCall(
      this.call("SetQueueAttributes", `queue ${queue.name}`),
      (options) =>
        this.client.send(
          new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: attributes }),
          options,
        ),
      signal,
    );
  }

  async deleteQueue(queue: ResolvedQueue, signal?: AbortSignal): Promise<void> {
    await awsCall(
      this.call("DeleteQueue", `queue ${queue.name}`),
      (options) => this.client.send(new DeleteQueueCommand({ QueueUrl: queue.url }), options),
      signal,
    );
  }

  /** Every queue URL whose name starts with the prefix (paginated). */
  async listQueues(prefix: string, signal?: AbortSignal): Promise<string[]> {
    const urls: string[] = [];
    let token: string | undefined;
    do {
      const output = await awsCall(
        this.call("ListQueues", `queues named ${prefix}*`),
        (options) =>
          this.client.send(
            new ListQueuesCommand({ QueueNamePrefix: prefix, NextToken: token, MaxResults: 1000 }),
            options,
          ),
        signal,
      );
      urls.push(...(output.QueueUrls ?? []));
      token = output.NextToken;
    } while (token);
    return urls;
  }

  async tags(queue: ResolvedQueue, signal?: AbortSignal): Promise<Record<string, string>> {
    const output = await awsCall(
      this.call("ListQueueTags", `queue ${queue.name}`),
      (options) => this.client.send(new ListQueueTagsCommand({ QueueUrl: queue.url }), options),
      signal,
    );
    return output.Tags ?? {};
  }

  async tag(queue: ResolvedQueue, tags: Record<string, string>, signal?: AbortSignal): Promise<void> {
    await awsCall(
      this.call("TagQueue", `queue ${queue.name}`),
      (options) => this.client.send(new TagQueueCommand({ QueueUrl: queue.url, Tags: tags }), options),
      signal,
    );
  }
}

/**
 * Sends a command (`send` calls the client's `send` with no options) with the handler the SDK keeps for its
 * class (the clients are made with `cacheMiddleware`, see clients.ts). Its request time-out is the client's
 * own, which is `options.requestTimeout` for a call that is no long poll (only such calls come here); the
 * abort signal ends the wait for the answer. A call given up on that way still ends by itself within that
 * time-out: only calls that may run on unobserved come here (deleting or releasing messages, which repeating
 * or abandoning cannot harm).
 */
function sendReusingHandler<Output>(send: () => Promise<Output>, options: SendOptions): Promise<Output> {
  const { abortSignal } = options;
  if (abortSignal.aborted) return Promise.reject(abortError(abortSignal));
  return new Promise<Output>((resolve, reject) => {
    const onAbort = () => reject(abortError(abortSignal));
    abortSignal.addEventListener("abort", onAbort, { once: true });
    send().then(
      (output) => {
        abortSignal.removeEventListener("abort", onAbort);
        resolve(output);
      },
      (error: unknown) => {
        abortSignal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function abortError(signal: AbortSignal): Error {
  const error = new Error("the call was aborted", { cause: signal.reason });
  error.name = "AbortError";
  return error;
}

/** Whether an error (ours or the SDK's) says that the queue does not exist. */
export function isQueueMissing(error: unknown): boolean {
  const cause = (error as { cause?: { name?: string } }).cause ?? (error as { name?: string });
  return cause?.name !== undefined && /QueueDoesNotExist|NonExistentQueue/.test(cause.name);
}

/** The queue name at the end of a queue URL. */
export function queueNameFromUrl(url: string): string {
  const parts = url.split("/").filter(Boolean);
  return parts[parts.length - 1] ?? url;
}

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
  type MessageAttributeValue,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SetQueueAttributesCommand,
  type SQSClient,
  TagQueueCommand,
} from "@aws-sdk/client-sqs";
import { MAX_TIMER_MS } from "../option-values.js";
import { isObject } from "../values.js";
import { type AwsClients, awsCliOptions } from "./clients.js";
import { hexDigest } from "./digest.js";
import { type AwsCall, abortError, awsCall, type SendOptions, translateAwsError } from "./errors.js";
import type { SqsWire, WireAction } from "./sqs-wire.js";
import type { QueueReference } from "./targets.js";

/** ChangeMessageVisibilityBatch requests in flight at once when releasing many messages. */
const RELEASE_CONCURRENCY = 4;

/**
 * One received message as SQS's JSON protocol carries it, and as a Lambda event or `aws sqs receive-message`
 * shows it: a Binary attribute's value is base64 text (the SDK decodes it to bytes; see `fromSdk`). Whatever
 * the endpoint sent is kept: the fields are checked where they are used.
 */
export interface SqsMessage {
  MessageId?: string;
  ReceiptHandle?: string;
  MD5OfBody?: string;
  Body?: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, SqsAttributeValue>;
}

export interface SqsAttributeValue {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export interface ResolvedQueue {
  url: string;
  name: string;
  arn?: string;
}

export class SqsOperations {
  readonly client: SQSClient;
  readonly #clients: AwsClients;
  readonly #region?: string;
  readonly #wire?: SqsWire;
  /**
   * Whether a receive, delete or release has been answered through the SDK: the wire path is taken only after
   * that, so that a first call's problems (no credentials or region, no such queue, an endpoint that is not
   * there or silent) are met and named by the SDK exactly as before.
   */
  #proven = false;
  #endpointLabel?: string;

  private constructor(client: SQSClient, clients: AwsClients, region?: string, wire?: SqsWire) {
    this.client = client;
    this.#clients = clients;
    this.#region = region;
    this.#wire = wire;
  }

  static async create(clients: AwsClients): Promise<SqsOperations> {
    const [client, wire] = await Promise.all([clients.sqs(), clients.sqsWire()]);
    return new SqsOperations(client, clients, clients.settings("sqs").region, wire);
  }

  /** The region the client was configured with (flag or environment), when it was. */
  get region(): string | undefined {
    return this.#region;
  }

  /** The AWS CLI options that reach the same endpoint, region and profile, for commands we print. */
  cliOptions(): string {
    return awsCliOptions(this.#clients.settings("sqs"));
  }

  /** `waitMs`: how long the call may legitimately stay silent on top of the request time-out (a long poll). */
  call(action: string, resource?: string, waitMs = 0): AwsCall {
    // Named once: a drain makes 2,000 calls, and the label is resolved from the flags and environment.
    this.#endpointLabel ??= this.#clients.endpointLabel("sqs");
    return {
      action: `sqs:${action}`,
      resource,
      endpoint: this.#endpointLabel,
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
    const input = {
      QueueUrl: queue.url,
      MaxNumberOfMessages: request.maxMessages,
      VisibilityTimeout: request.visibilityTimeout,
      WaitTimeSeconds: request.waitSeconds,
      MessageSystemAttributeNames: ["All" as const],
      MessageAttributeNames: ["All"],
    };
    // A long poll is silent for up to its wait: that is added to the request time-out.
    const call = this.call("ReceiveMessage", `queue ${queue.name}`, request.waitSeconds * 1000);
    const received = await this.#overWire(
      call,
      "ReceiveMessage",
      queue,
      input,
      request.signal,
      messagesFromWire,
    );
    if (received) return received;
    return awsCall(
      call,
      async (options) => {
        const output = await this.client.send(new ReceiveMessageCommand(input), options);
        this.#proven = true;
        return (output.Messages ?? []).map(fromSdk);
      },
      request.signal,
    );
  }

  /** Deletes received messages; returns the receipt handles that could not be deleted, with the reason. */
  async deleteBatch(queue: ResolvedQueue, receiptHandles: string[], signal?: AbortSignal): Promise<string[]> {
    const problems: string[] = [];
    for (let start = 0; start < receiptHandles.length; start += 10) {
      const input = {
        QueueUrl: queue.url,
        Entries: receiptHandles
          .slice(start, start + 10)
          .map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
      };
      const call = this.call("DeleteMessage", `queue ${queue.name}`);
      const failed =
        (await this.#overWire(call, "DeleteMessageBatch", queue, input, signal, failuresFromWire)) ??
        (await this.#batchBySdk(call, () => this.client.send(new DeleteMessageBatchCommand(input)), signal));
      for (const failure of failed) problems.push(`${failure.Code}: ${failure.Message ?? ""}`);
    }
    return problems;
  }

  /** A batch call (a delete, a release) through the SDK: its entries that failed. */
  async #batchBySdk(
    call: AwsCall,
    send: () => Promise<{ Failed?: { Code?: string; Message?: string }[] }>,
    signal: AbortSignal | undefined,
  ): Promise<{ Code?: string; Message?: string }[]> {
    return awsCall(
      call,
      async (options) => {
        const output = await sendReusingHandler(send, options);
        this.#proven = true;
        return output.Failed ?? [];
      },
      signal,
    );
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
    const input = {
      QueueUrl: queue.url,
      Entries: slice.map((handle, index) => ({
        Id: String(index),
        ReceiptHandle: handle,
        VisibilityTimeout: 0,
      })),
    };
    const call = this.call("ChangeMessageVisibility", `queue ${queue.name}`);
    const wired = await this.#overWire(
      call,
      "ChangeMessageVisibilityBatch",
      queue,
      input,
      signal,
      failuresFromWire,
    );
    const failed =
      wired ??
      (await this.#batchBySdk(
        call,
        () => this.client.send(new ChangeMessageVisibilityBatchCommand(input)),
        signal,
      ));
    for (const failure of failed) problems.push(`${failure.Code}: ${failure.Message ?? ""}`);
  }

  /**
   * The call sent over the wire (see sqs-wire.ts) once the SDK has been answered, its answer read by `read`;
   * undefined when it is to go through the SDK. It keeps the call's time-out (the wire's own) and its
   * abort; its one error of its own (a body that fails its MD5) is named as the SDK's would be.
   */
  async #overWire<T>(
    call: AwsCall,
    action: WireAction,
    queue: ResolvedQueue,
    input: object,
    signal: AbortSignal | undefined,
    read: (answer: unknown) => T | undefined,
  ): Promise<T | undefined> {
    if (!this.#proven || !this.#wire) return undefined;
    const answer = await this.#wire.post(action, queue.url, input, {
      abortSignal: signal,
      requestTimeout: Math.min(call.answerWithinMs, MAX_TIMER_MS),
    });
    if (answer === undefined) return undefined;
    try {
      return read(answer);
    } catch (error) {
      throw translateAwsError(error, call);
    }
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

/**
 * The messages of a ReceiveMessage answer read off the wire, each body checked against its MD5 as the SDK
 * checks it (and failing the call as the SDK does); undefined when the answer is not shaped as one, so that
 * the call goes through the SDK.
 */
export function messagesFromWire(answer: unknown): SqsMessage[] | undefined {
  if (!isObject(answer)) return undefined;
  const { Messages } = answer;
  if (Messages === undefined) return [];
  if (!Array.isArray(Messages) || !Messages.every(isObject)) return undefined;
  const mismatched: string[] = [];
  for (const message of Messages as SqsMessage[]) {
    const body = typeof message.Body === "string" ? message.Body : "";
    if (message.MD5OfBody !== hexDigest("md5", body)) {
      mismatched.push(String(message.MessageId));
    }
  }
  // The SDK's own words (@aws-sdk/middleware-sdk-sqs), so that both paths fail alike.
  if (mismatched.length > 0) throw new Error(`Invalid MD5 checksum on messages: ${mismatched.join(", ")}`);
  return Messages as SqsMessage[];
}

/** The Failed entries of a batch answer read off the wire; undefined when the answer is not shaped as one. */
function failuresFromWire(answer: unknown): { Code?: string; Message?: string }[] | undefined {
  if (!isObject(answer)) return undefined;
  const { Failed } = answer;
  if (Failed === undefined) return [];
  if (!Array.isArray(Failed) || !Failed.every(isObject)) return undefined;
  return Failed.map((failure) => ({
    Code: typeof failure.Code === "string" ? failure.Code : "unknown",
    Message: typeof failure.Message === "string" ? failure.Message : undefined,
  }));
}

/** A message as the SDK returns it, in the JSON protocol's form: binary attribute values back to base64. */
export function fromSdk(message: Message): SqsMessage {
  const attributes = message.MessageAttributes;
  if (!attributes) return message as SqsMessage;
  const encoded: Record<string, SqsAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) encoded[name] = attributeFromSdk(value);
  return { ...(message as SqsMessage), MessageAttributes: encoded };
}

function attributeFromSdk(value: MessageAttributeValue): SqsAttributeValue {
  const { BinaryValue, BinaryListValues, ...rest } = value;
  const attribute: SqsAttributeValue = rest;
  if (BinaryValue !== undefined) attribute.BinaryValue = Buffer.from(BinaryValue).toString("base64");
  if (BinaryListValues !== undefined) {
    attribute.BinaryListValues = BinaryListValues.map((bytes) => Buffer.from(bytes).toString("base64"));
  }
  return attribute;
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

/**
 * What `replay` reads from AWS without harming it: the messages of a queue, held (received, invisible to
 * others) while they are replayed and given back afterwards unless deleted on purpose; the objects under
 * an S3 prefix, only listed and read.
 */
import type { AwsClients } from "./clients.js";
import { awsCall } from "./errors.js";
import { S3Operations } from "./s3.js";
import { type ResolvedQueue, type SqsMessage, SqsOperations } from "./sqs.js";
import type { BucketReference, QueueReference } from "./targets.js";

/**
 * How long received messages stay hidden while a replay plans, asks and runs. Messages not deleted are made
 * visible again at the end; should the process die, they reappear by themselves after this.
 */
export const HOLD_SECONDS = 15 * 60;

/** Receives stop after this many empty answers in a row (SQS may answer empty while messages remain). */
const EMPTY_RECEIVES = 2;

export class HeldQueue {
  readonly queue: ResolvedQueue;
  readonly sqs: SqsOperations;
  readonly #held = new Map<string, string>();

  private constructor(sqs: SqsOperations, queue: ResolvedQueue) {
    this.sqs = sqs;
    this.queue = queue;
  }

  static async open(
    clients: AwsClients,
    reference: QueueReference,
    signal?: AbortSignal,
  ): Promise<HeldQueue> {
    const regional = await clients.forResourceRegion(reference.region, "sqs");
    const sqs = await SqsOperations.create(regional);
    return new HeldQueue(sqs, await sqs.resolve(reference, signal));
  }

  /** Receives up to `max` messages, each once, and holds them. */
  async receiveAll(max: number, signal?: AbortSignal): Promise<SqsMessage[]> {
    const messages: SqsMessage[] = [];
    let empty = 0;
    while (messages.length < max && empty < EMPTY_RECEIVES && !signal?.aborted) {
      const batch = await this.sqs.receive(this.queue, {
        maxMessages: Math.min(10, max - messages.length),
        visibilityTimeout: HOLD_SECONDS,
        waitSeconds: 1,
        signal,
      });
      if (batch.length === 0) {
        empty++;
        continue;
      }
      empty = 0;
      for (const message of batch) {
        if (!message.ReceiptHandle || !message.MessageId) continue;
        if (this.#held.has(message.MessageId)) continue;
        this.#held.set(message.MessageId, message.ReceiptHandle);
        messages.push(message);
      }
    }
    return messages;
  }

  /** Deletes one held message; returns the problem, if SQS reported one. */
  async delete(messageId: string): Promise<string | undefined> {
    const handle = this.#held.get(messageId);
    if (!handle) return `message ${messageId} is not held`;
    const problems = await this.sqs.deleteBatch(this.queue, [handle]);
    if (problems.length === 0) this.#held.delete(messageId);
    return problems[0];
  }

  /** Makes every message still held visible again at once. */
  async releaseAll(): Promise<string[]> {
    const handles = [...this.#held.values()];
    this.#held.clear();
    if (handles.length === 0) return [];
    return this.sqs.release(this.queue, handles);
  }
}

export interface BucketObjectText {
  key: string;
  text?: string;
  problem?: string;
}

/** A record is at most a few megabytes; larger objects are not read. */
const MAX_OBJECT_BYTES = 16 * 1024 * 1024;

/** Lists the keys under the prefix (in key order, up to `max`) and reads each object as text. */
export async function readBucketPrefix(
  clients: AwsClients,
  reference: BucketReference,
  max: number,
  signal?: AbortSignal,
): Promise<BucketObjectText[]> {
  const s3 = await S3Operations.create(clients);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.list(reference.bucket, reference.prefix, undefined, token, signal);
    for (const object of page.objects) {
      if (keys.length < max && !object.key.endsWith("/")) keys.push(object.key);
    }
    token = keys.length < max ? page.continuationToken : undefined;
  } while (token);
  const objects: BucketObjectText[] = [];
  for (const key of keys) {
    if (signal?.aborted) break;
    const read = await s3.readText(reference.bucket, key, MAX_OBJECT_BYTES, signal);
    objects.push(read.ok ? { key, text: read.text } : { key, problem: read.reason });
  }
  return objects;
}

/**
 * The function's reserved concurrency: a number when one is set (0 means the function cannot run at all),
 * undefined when none is, and the function draws on the account's unreserved pool.
 */
export async function reservedConcurrency(
  clients: AwsClients,
  functionName: string,
  signal?: AbortSignal,
): Promise<number | undefined> {
  const [{ GetFunctionConcurrencyCommand }, { LambdaOperations }] = await Promise.all([
    import("@aws-sdk/client-lambda"),
    import("./lambda.js"),
  ]);
  const lambda = await LambdaOperations.create(clients);
  const output = await awsCall(
    lambda.call("GetFunctionConcurrency", `function ${functionName}`),
    (options) =>
      lambda.client.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }), options),
    signal,
  );
  return output.ReservedConcurrentExecutions;
}

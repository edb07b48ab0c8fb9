/**
 * Deleting and releasing received messages, as `tail --consume` and a peek settle them: these calls reuse the
 * handler the SDK resolved for their command, so one queue's call must not leak into another's, and an
 * aborted call ends at once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { AwsClients } from "../../../src/aws/clients.js";
import { isAbortError } from "../../../src/aws/errors.js";
import { type ResolvedQueue, SqsOperations } from "../../../src/aws/sqs.js";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";

let stack: LocalStack;
let clients: AwsClients;
let sqs: SqsOperations;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = new AwsClients(
    { endpointUrl: stack.endpoint, region: stack.region },
    {},
    { credentials: { accessKeyId: "test", secretAccessKey: "test" } },
  );
  sqs = await SqsOperations.create(clients);
});

afterAll(async () => {
  await clients?.destroy();
  await stack?.stop();
});

async function queueWith(name: string, count: number): Promise<ResolvedQueue> {
  const queue = await sqs.createQueue(name, {}, {});
  for (let start = 0; start < count; start += 10) {
    const entries = [];
    for (let index = start; index < Math.min(count, start + 10); index += 1)
      entries.push({ Id: String(index), MessageBody: JSON.stringify({ name, index }) });
    await sqs.sendBatch(queue, entries);
  }
  return queue;
}

/** Receives until `count` messages are in hand (hidden for a minute). */
async function receiveAll(queue: ResolvedQueue, count: number): Promise<string[]> {
  const handles: string[] = [];
  while (handles.length < count) {
    const messages = await sqs.receive(queue, { maxMessages: 10, visibilityTimeout: 60, waitSeconds: 1 });
    for (const message of messages) handles.push(message.ReceiptHandle!);
  }
  return handles;
}

async function depth(queue: ResolvedQueue): Promise<{ visible: number; hidden: number }> {
  const attributes = await sqs.attributes(queue, [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
  ]);
  return {
    visible: Number(attributes.ApproximateNumberOfMessages),
    hidden: Number(attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

it("deletes from each queue it is given, in batches of ten, whichever queue came first", async () => {
  const first = await queueWith("settle-first", 25);
  const second = await queueWith("settle-second", 12);
  const fromFirst = await receiveAll(first, 25);
  const fromSecond = await receiveAll(second, 12);
  // Interleaved on purpose: the second queue's call comes after the first's handler was resolved.
  expect(await sqs.deleteBatch(first, fromFirst.slice(0, 10))).toEqual([]);
  expect(await sqs.deleteBatch(second, fromSecond)).toEqual([]);
  expect(await sqs.deleteBatch(first, fromFirst.slice(10))).toEqual([]);
  expect(await depth(first)).toEqual({ visible: 0, hidden: 0 });
  expect(await depth(second)).toEqual({ visible: 0, hidden: 0 });
});

it("releases messages: they are visible again at once", async () => {
  const queue = await queueWith("settle-release", 14);
  const handles = await receiveAll(queue, 14);
  expect(await depth(queue)).toEqual({ visible: 0, hidden: 14 });
  expect(await sqs.release(queue, handles)).toEqual([]);
  expect(await depth(queue)).toEqual({ visible: 14, hidden: 0 });
});

it("an aborted delete ends with an abort, and the messages stay in the queue", async () => {
  const queue = await queueWith("settle-abort", 2);
  const handles = await receiveAll(queue, 2);
  const controller = new AbortController();
  controller.abort();
  const error = await sqs.deleteBatch(queue, handles, controller.signal).catch((caught: unknown) => caught);
  expect(isAbortError(error)).toBe(true);
  expect(await depth(queue)).toEqual({ visible: 0, hidden: 2 });
});

it("several operations over one client settle alike", async () => {
  const again = await SqsOperations.create(clients);
  const queue = await queueWith("settle-again", 4);
  const handles = await receiveAll(queue, 4);
  expect(await again.deleteBatch(queue, handles.slice(0, 2))).toEqual([]);
  expect(await sqs.deleteBatch(queue, handles.slice(2))).toEqual([]);
  expect(await depth(queue)).toEqual({ visible: 0, hidden: 0 });
});

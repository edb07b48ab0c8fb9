import { ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import { ListQueuesCommand, SendMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import {
  CliProcess,
  clientsFor,
  createQueue,
  createTopic,
  deployFunction,
  parseLines,
  queueCounts,
  runCli,
  type StackClients,
} from "./support.js";

let stack: LocalStack;
let clients: StackClients;
let successQueue: { url: string; arn: string };
let failureTopic: string;
let singleQueue: { url: string; arn: string };

beforeAll(async () => {
  // Lambda's retry delays (about 1 and 2 minutes) scaled to about 1 and 2 seconds.
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  successQueue = await createQueue(clients, "invoke-success");
  failureTopic = await createTopic(clients, "invoke-failure");
  await deployFunction(clients, "orders", {
    onSuccess: successQueue.arn,
    onFailure: failureTopic,
    retries: 2,
  });
  await deployFunction(clients, "bare");
  singleQueue = await createQueue(clients, "invoke-single");
  await deployFunction(clients, "single", { onSuccess: singleQueue.arn, retries: 0 });
  const tailedQueue = await createQueue(clients, "tailed-success");
  const tailedTopic = await createTopic(clients, "tailed-failure");
  await deployFunction(clients, "tailed", { onSuccess: tailedQueue.arn, onFailure: tailedTopic, retries: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function noTemporaryResources(): Promise<void> {
  const { QueueUrls } = await clients.sqs.send(
    new ListQueuesCommand({ QueueNamePrefix: "lambda-dest-tail-" }),
  );
  expect(QueueUrls ?? []).toEqual([]);
  const { Subscriptions } = await clients.sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: failureTopic }),
  );
  expect(Subscriptions ?? []).toEqual([]);
}

describe("invoke", () => {
  it("invokes asynchronously by default and prints the RequestId", async () => {
    const result = await runCli(stack, ["invoke", "bare", '{"orderId":1}']);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(UUID);
    const json = await runCli(stack, ["invoke", "bare", "--json", "--qualifier", "$LATEST"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      version: 1,
      function: "bare",
      qualifier: "$LATEST",
      statusCode: 202,
    });
  });

  it("--sync prints the result and the decoded log tail; a function error exits 1", async () => {
    const ok = await runCli(stack, ["invoke", "bare", '{"orderId":2}', "--sync"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, echo: { orderId: 2 } });
    expect(ok.stderr).toMatch(/--- log tail \(request [0-9a-f-]{36}\) ---\nSTART RequestId: /);
    expect(ok.stderr).toContain('got {"orderId":2}');

    const failed = await runCli(stack, ["invoke", "bare", '{"fail":"bad order"}', "--sync", "--json"]);
    expect(failed.code).toBe(1);
    const document = JSON.parse(failed.stdout);
    expect(document).toMatchObject({
      version: 1,
      functionError: "Unhandled",
      result: { errorType: "OrderError" },
    });
    expect(document.log).toContain("failing on purpose: bad order");
  });

  it("reads the payload from --file and from stdin", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const file = join(mkdtempSync(join(tmpdir(), "lambda-dest-invoke-")), "event.json");
    writeFileSync(file, '{"orderId":7}');
    const fromFile = await runCli(stack, ["invoke", "bare", "--file", file, "--sync", "--json"]);
    expect(JSON.parse(fromFile.stdout).result).toEqual({ ok: true, echo: { orderId: 7 } });
    const fromStdin = await runCli(stack, ["invoke", "bare", "--sync", "--json"], { input: '{"orderId":8}' });
    expect(JSON.parse(fromStdin.stdout).result).toEqual({ ok: true, echo: { orderId: 8 } });
  });

  it("refuses a payload that is not JSON, and conflicting qualifiers", async () => {
    const notJson = await runCli(stack, ["invoke", "bare", "{oops"]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^lambda-dest: the payload is not JSON: .*; Lambda takes a JSON event\n$/);
    const conflict = await runCli(stack, ["invoke", "bare:one", "--qualifier", "two"]);
    expect(conflict.code).toBe(2);
  });

  it("--wait prints the success record whose requestId matches and exits 0", async () => {
    const result = await runCli(stack, ["invoke", "orders", '{"orderId":3}', "--wait", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const [record] = parseLines(result.stdout);
    expect(record).toMatchObject({
      version: 1,
      outcome: "success",
      source: "sqs:invoke-success",
      kind: "invocation-record",
      valid: true,
      summary: { condition: "Success", functionName: "orders" },
    });
    expect(record.summary.requestId).toBe(record.requestId);
    expect(result.stderr).toContain(`invoked orders asynchronously, request ${record.requestId}`);
    // The record was peeked, not taken: it is still in the user's queue.
    expect((await queueCounts(clients, successQueue.url)).visible).toBeGreaterThanOrEqual(1);
    await noTemporaryResources();
  });

  it("--wait prints the failure record after Lambda's retries and exits 1", async () => {
    const result = await runCli(stack, ["invoke", "orders", '{"fail":"no stock"}', "--wait"]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout, result.stderr).not.toBe("");
    expect(result.stdout).toMatch(
      /^✗ FAILURE {2}invocation-record {2}orders:\$LATEST {2}RetriesExhausted {2}attempts 3/,
    );
    expect(result.stdout).toContain("OrderError: failing on purpose: no stock");
    expect(result.stderr).toContain(
      "Lambda retries up to 2 times; AWS waits about 1 min, then 2 min, a local stack",
    );
    await noTemporaryResources();
  });

  it("--wait exits 3 when --timeout passes first, and removes its topic tap", async () => {
    const result = await runCli(stack, ["invoke", "orders", '{"sleepMs":4000}', "--wait", "--timeout", "1s"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /lambda-dest: no destination record for request [0-9a-f-]{36} within 1\.0s/,
    );
    await noTemporaryResources();
  });

  it("Ctrl-C during --wait removes the topic tap and exits 1", async () => {
    const waiting = new CliProcess(stack, ["invoke", "orders", '{"sleepMs":3000}', "--wait"]);
    await waiting.waitFor("waiting for its record");
    waiting.child.kill("SIGINT");
    const result = await waiting.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/warning: interrupted before the record of request [0-9a-f-]{36} arrived/);
    await noTemporaryResources();
  });

  // One destination queue is long-polled ("Long polling lets you consume messages from your Amazon SQS queue
  // as soon as they become available", AWS SQS Developer Guide, best practices: appropriate polling mode);
  // the record ends the watch through that very poll.
  it("--wait with a single destination queue prints its record, and leaves it in the queue visible", async () => {
    const result = await runCli(stack, ["invoke", "single", '{"orderId":4}', "--wait", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const [record] = parseLines(result.stdout);
    expect(record).toMatchObject({ outcome: "success", source: "sqs:invoke-single" });
    expect(record.summary.requestId).toBe(record.requestId);
    // Peeked and released at once: visible again, nothing left hidden.
    expect(await queueCounts(clients, singleQueue.url)).toEqual({ visible: 1, inFlight: 0 });
  });

  // SQS hands out a queue's oldest messages first ("Amazon SQS makes a best effort to preserve the order of
  // messages", SQS Developer Guide, standard queues), and every earlier --wait leaves its record in the queue.
  // A peek that released each message at once received the same ones again and backed off on them: behind
  // 100 earlier records the new one took some 15 s, past this --timeout. Messages received a second time are
  // held hidden until the wait ends, then released.
  it("--wait finds its record behind a backlog of 100 earlier ones, and leaves every message visible", async () => {
    const queue = await createQueue(clients, "invoke-backlog");
    await deployFunction(clients, "backlogged", { onSuccess: queue.arn, retries: 0 });
    for (let batch = 0; batch < 10; batch++) {
      await clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: Array.from({ length: 10 }, (_, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(earlierRecord(batch * 10 + index)),
          })),
        }),
      );
    }
    const result = await runCli(stack, [
      "invoke",
      "backlogged",
      '{"orderId":5}',
      "--wait",
      "--json",
      "--timeout",
      "10s",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [record] = parseLines(result.stdout);
    expect(record).toMatchObject({ outcome: "success", source: "sqs:invoke-backlog" });
    expect(record.summary.requestId).toBe(record.requestId);
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 101, inFlight: 0 });
  });

  // A long poll on the user's queue is not cut short when the wait stops: SQS would hand a message arriving
  // meanwhile to the abandoned request and hide it for the visibility timeout. The poll is let finish, and
  // what it brought is released.
  it("Ctrl-C during --wait on a single destination queue does not abandon its long poll", async () => {
    const queue = await createQueue(clients, "invoke-single-stop");
    await deployFunction(clients, "single-stop", { onSuccess: queue.arn, retries: 0 });
    const waiting = new CliProcess(stack, ["invoke", "single-stop", '{"sleepMs":5000}', "--wait"]);
    await waiting.waitFor("waiting for its record");
    await new Promise((resolve) => setTimeout(resolve, 200));
    waiting.child.kill("SIGINT");
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"other":1}' }));
    const result = await waiting.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/warning: interrupted before the record of request [0-9a-f-]{36} arrived/);
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 1, inFlight: 0 });
  });

  it("--wait refuses a function without destinations before invoking it", async () => {
    const result = await runCli(stack, ["invoke", "bare", "--wait"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("warning: bare has no destinations configured for this qualifier");
    expect(result.stderr).toContain("lambda-dest: nothing to wait for");
  });

  it("tail function:NAME follows a Lambda destination on the local stack (the stack knows what it sent)", async () => {
    const queue = await createQueue(clients, "mixed-success");
    await deployFunction(clients, "mixed", {
      onSuccess: queue.arn,
      onFailure: "arn:aws:lambda:us-east-1:000000000000:function:bare",
      retries: 0,
    });
    const tail = new CliProcess(stack, [
      "tail",
      "function:mixed",
      "--json",
      "--max",
      "1",
      "--only",
      "failure",
    ]);
    await tail.waitFor("listening on lambda:bare");
    expect(tail.stderr).toContain("listening on sqs:mixed-success");
    await runCli(stack, ["invoke", "mixed", '{"fail":"routed"}']);
    const mixed = await tail.done;
    expect(mixed.code, mixed.stderr).toBe(0);
    const [line] = parseLines(mixed.stdout);
    expect([line.source, line.layers, line.summary.functionName, line.summary.outcome]).toEqual([
      "lambda:bare",
      ["invocation-record"],
      "mixed",
      "failure",
    ]);

    const none = await runCli(stack, ["tail", "function:bare"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      "lambda-dest: nothing to tail for function bare: it has no destinations configured (no event invoke config) and no dead-letter queue\n",
    );
    const missing = await runCli(stack, ["tail", "function:no-such-function"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("tail function:NAME watches both destinations of the function", async () => {
    const tail = new CliProcess(stack, ["tail", "function:tailed", "--json", "--max", "2"]);
    await tail.waitFor("listening on sqs:tailed-success");
    await tail.waitFor("listening on sns:tailed-failure");
    await runCli(stack, ["invoke", "tailed", '{"orderId":5}']);
    await runCli(stack, ["invoke", "tailed", '{"fail":"once"}']);
    const result = await tail.done;
    expect(result.code).toBe(0);
    const lines = parseLines(result.stdout);
    expect(
      lines.map((line) => [line.source, line.summary.outcome, line.summary.functionName]).sort(),
    ).toEqual([
      ["sns:tailed-failure", "failure", "tailed"],
      ["sqs:tailed-success", "success", "tailed"],
    ]);
    await noTemporaryResources();
  });
});

/** A Success record of an earlier invocation of "backlogged", as its destination queue holds it. */
function earlierRecord(index: number) {
  return {
    version: "1.0",
    timestamp: "2026-12-01T09:00:00.000Z",
    requestContext: {
      requestId: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:backlogged:$LATEST",
      condition: "Success",
      approximateInvokeCount: 1,
    },
    requestPayload: { orderId: index },
    responseContext: { statusCode: 200, executedVersion: "$LATEST" },
    responsePayload: { ok: true },
  };
}

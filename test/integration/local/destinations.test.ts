import {
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import {
  type Clients,
  clientsFor,
  createQueue,
  deployFixture,
  destroyClients,
  receiveBodies,
} from "./helpers.js";

let stack: LocalStack;
let clients: Clients;
let success: { url: string; arn: string };
let failure: { url: string; arn: string };
const logged: string[] = [];

beforeAll(async () => {
  // 1/1000 of AWS's timing: retries after 60 ms and 120 ms, a 60 s maximum event age becomes 60 ms.
  const collect = (line: string) => logged.push(line);
  stack = await startLocalStack({
    port: 0,
    retryDelayScale: 0.001,
    logger: { info: collect, warn: collect, error: collect },
  });
  clients = clientsFor(stack);
  success = await createQueue(clients, "records-success");
  failure = await createQueue(clients, "records-failure");
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

async function configure(
  functionName: string,
  settings: { retries?: number; maxAge?: number; onSuccess?: string; onFailure?: string },
) {
  await clients.lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: functionName,
      MaximumRetryAttempts: settings.retries,
      MaximumEventAgeInSeconds: settings.maxAge,
      DestinationConfig: {
        OnSuccess: settings.onSuccess === undefined ? undefined : { Destination: settings.onSuccess },
        OnFailure: settings.onFailure === undefined ? undefined : { Destination: settings.onFailure },
      },
    }),
  );
}

async function invokeAsync(functionName: string, payload: string): Promise<string> {
  const response = await clients.lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(payload) }),
  );
  expect(response.StatusCode).toBe(202);
  return response.$metadata.requestId!;
}

async function nextRecord(queueUrl: string): Promise<{ text: string; record: any }> {
  const [text] = await receiveBodies(clients, queueUrl, 1, 15_000);
  expect(text, "a record arrived").toBeDefined();
  return { text, record: JSON.parse(text) };
}

const RECORD_KEYS = [
  "version",
  "timestamp",
  "requestContext",
  "requestPayload",
  "responseContext",
  "responsePayload",
];

describe("invocation records", () => {
  it("a Node success record is byte-exact: key order, payload bytes, qualified ARN, requestId of the Invoke", async () => {
    await deployFixture(clients, "node-ok", "node-esm");
    await configure("node-ok", { retries: 0, onSuccess: success.arn, onFailure: failure.arn });
    const payload = '{ "order" : 1,\n  "items": [1, 2.50] }';
    const requestId = await invokeAsync("node-ok", payload);
    const { text, record } = await nextRecord(success.url);
    const response = JSON.stringify({ ok: true, requestId, echo: { order: 1, items: [1, 2.5] } });
    expect(text).toBe(
      `{"version":"1.0","timestamp":"${record.timestamp}","requestContext":{"requestId":"${requestId}",` +
        `"functionArn":"arn:aws:lambda:us-east-1:000000000000:function:node-ok:$LATEST","condition":"Success",` +
        `"approximateInvokeCount":1},"requestPayload":${payload},` +
        `"responseContext":{"statusCode":200,"executedVersion":"$LATEST"},"responsePayload":${response}}`,
    );
    expect(record.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("a Node failure record counts every attempt (retries + 1) and carries the runtime's error object", async () => {
    await deployFixture(clients, "node-fail", "node-esm");
    await configure("node-fail", { retries: 2, onSuccess: success.arn, onFailure: failure.arn });
    const requestId = await invokeAsync("node-fail", '{"fail":"stock"}');
    const { record } = await nextRecord(failure.url);
    expect(Object.keys(record)).toEqual(RECORD_KEYS);
    expect(record.requestContext).toEqual({
      requestId,
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:node-fail:$LATEST",
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    });
    expect(record.responseContext).toEqual({
      statusCode: 200,
      executedVersion: "$LATEST",
      functionError: "Unhandled",
    });
    expect(Object.keys(record.responsePayload)).toEqual(["errorType", "errorMessage", "trace"]);
    expect(record.responsePayload.errorType).toBe("OrderError");
    expect(record.responsePayload.errorMessage).toBe("failing on purpose: stock");
    expect(record.responsePayload.trace[0]).toBe("OrderError: failing on purpose: stock");
  });

  it("Python success and failure records (python3.12 error objects carry requestId)", async () => {
    await deployFixture(clients, "py", "python-app", { runtime: "python3.12", handler: "app.handler" });
    await configure("py", { retries: 1, onSuccess: success.arn, onFailure: failure.arn });
    const okId = await invokeAsync("py", '{"n": 1}');
    const ok = await nextRecord(success.url);
    expect(ok.record.requestContext.requestId).toBe(okId);
    expect(ok.record.requestContext.condition).toBe("Success");
    expect(ok.record.responsePayload).toEqual({
      ok: true,
      requestId: okId,
      region: "us-east-1",
      echo: { n: 1 },
    });

    const failId = await invokeAsync("py", '{"fail": "py"}');
    const failed = await nextRecord(failure.url);
    expect(failed.record.requestContext).toMatchObject({
      requestId: failId,
      condition: "RetriesExhausted",
      approximateInvokeCount: 2,
    });
    expect(Object.keys(failed.record.responsePayload)).toEqual([
      "errorMessage",
      "errorType",
      "requestId",
      "stackTrace",
    ]);
    expect(failed.record.responsePayload).toMatchObject({
      errorMessage: "failing on purpose: py",
      errorType: "ValueError",
      requestId: failId,
    });
    expect(failed.record.responsePayload.stackTrace[0]).toMatch(/File ".*app\.py", line \d+, in handler/);
    // Python's runtime answers with spaced JSON; the record carries it compact, strings untouched.
    expect(failed.text).toContain(
      `"responsePayload":{"errorMessage":"failing on purpose: py","errorType":"ValueError","requestId":"${failId}","stackTrace":["  File `,
    );
  });

  it("an event older than MaximumEventAgeInSeconds ends as EventAgeExceeded", async () => {
    await deployFixture(clients, "node-age", "node-esm");
    // Scaled: the first retry would come after 60 ms, when the event is already older than 60 ms.
    await configure("node-age", { retries: 2, maxAge: 60, onFailure: failure.arn });
    const requestId = await invokeAsync("node-age", '{"fail":"age"}');
    const { record } = await nextRecord(failure.url);
    expect(record.requestContext).toMatchObject({
      requestId,
      condition: "EventAgeExceeded",
      approximateInvokeCount: 1,
    });
    expect(record.responseContext.functionError).toBe("Unhandled");
  });

  it("zero reserved concurrency: the event goes straight to on-failure, with no response", async () => {
    await deployFixture(clients, "node-zero", "node-esm");
    await configure("node-zero", { onFailure: failure.arn });
    await clients.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "node-zero", ReservedConcurrentExecutions: 0 }),
    );
    await expect(
      clients.lambda.send(new InvokeCommand({ FunctionName: "node-zero", Payload: Buffer.from("{}") })),
    ).rejects.toBeInstanceOf(TooManyRequestsException);
    const requestId = await invokeAsync("node-zero", '{"a":1}');
    const { text, record } = await nextRecord(failure.url);
    expect(Object.keys(record)).toEqual(["version", "timestamp", "requestContext", "requestPayload"]);
    expect(record.requestContext).toMatchObject({
      requestId,
      condition: "ZeroReservedConcurrency",
      approximateInvokeCount: 0,
    });
    expect(text).toContain('"requestPayload":{"a":1}}');
  });

  it("a timeout kills the function and reports Sandbox.Timedout", async () => {
    await deployFixture(clients, "node-slow", "node-esm", { timeout: 1 });
    await configure("node-slow", { retries: 0, onFailure: failure.arn });
    const requestId = await invokeAsync("node-slow", '{"sleepMs":5000}');
    const { record } = await nextRecord(failure.url);
    expect(record.requestContext).toMatchObject({
      requestId,
      condition: "RetriesExhausted",
      approximateInvokeCount: 1,
    });
    expect(record.responsePayload).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: `RequestId: ${requestId} Error: Task timed out after 1.00 seconds`,
    });
  });

  it("a process exit reports Runtime.ExitError with the exit status, for Node and Python", async () => {
    // As current AWS runtimes report it (issue #8 item 6; see test/hostile/local-exit.test.ts for sources).
    await deployFixture(clients, "node-crash", "node-esm");
    await configure("node-crash", { retries: 0, onFailure: failure.arn });
    const nodeId = await invokeAsync("node-crash", '{"exit":true}');
    const nodeRecord = await nextRecord(failure.url);
    expect(nodeRecord.record.responsePayload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${nodeId} Error: Runtime exited with error: exit status 3`,
    });

    await deployFixture(clients, "py-crash", "python-app", { runtime: "python3.12", handler: "app.handler" });
    await configure("py-crash", { retries: 0, onFailure: failure.arn });
    const pyId = await invokeAsync("py-crash", '{"exit":true}');
    const pyRecord = await nextRecord(failure.url);
    expect(pyRecord.record.responsePayload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${pyId} Error: Runtime exited with error: exit status 2`,
    });
  });

  it("an SNS destination delivers the record as the Message, seen through a subscribed queue", async () => {
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: "records-topic" }));
    const subscriber = await createQueue(clients, "topic-subscriber");
    await clients.sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: subscriber.arn }));
    await deployFixture(clients, "node-sns", "node-esm");
    await configure("node-sns", { onSuccess: TopicArn });
    const requestId = await invokeAsync("node-sns", '{"via":"sns"}');
    const { record: notification } = await nextRecord(subscriber.url);
    expect(notification.Type).toBe("Notification");
    expect(notification.TopicArn).toBe(TopicArn);
    const record = JSON.parse(notification.Message);
    expect(record.requestContext).toMatchObject({ requestId, condition: "Success" });
    expect(record.requestPayload).toEqual({ via: "sns" });
  });

  it("a Lambda destination invokes the function asynchronously with the record as its event", async () => {
    const forwarded = await createQueue(clients, "forwarded");
    await deployFixture(clients, "forwarder", "node-forwarder", {
      environment: { FORWARD_QUEUE: "forwarded" },
    });
    await deployFixture(clients, "node-chain", "node-esm");
    await configure("node-chain", {
      onSuccess: "arn:aws:lambda:us-east-1:000000000000:function:forwarder",
    });
    const requestId = await invokeAsync("node-chain", '{"chain":1}');
    const { record } = await nextRecord(forwarded.url);
    expect(Object.keys(record)).toEqual(RECORD_KEYS);
    expect(record.requestContext).toMatchObject({
      requestId,
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:node-chain:$LATEST",
      condition: "Success",
    });
  });

  it("an S3 on-failure destination stores the record under aws/lambda/async/<function>/...", async () => {
    await clients.s3.send(new CreateBucketCommand({ Bucket: "failed-records" }));
    await deployFixture(clients, "node-s3", "node-esm");
    await configure("node-s3", { retries: 0, onFailure: "arn:aws:s3:::failed-records" });
    const requestId = await invokeAsync("node-s3", '{"fail":"s3"}');
    let key: string | undefined;
    for (let attempt = 0; attempt < 100 && key === undefined; attempt += 1) {
      const listing = await clients.s3.send(new ListObjectsV2Command({ Bucket: "failed-records" }));
      key = listing.Contents?.[0]?.Key;
      if (key === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(key).toMatch(
      /^aws\/lambda\/async\/node-s3\/\d{4}\/\d\d\/\d\d\/\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d-[0-9a-f-]{36}$/,
    );
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: "failed-records", Key: key }));
    const record = JSON.parse(await object.Body!.transformToString());
    expect(record.requestContext).toMatchObject({ requestId, condition: "RetriesExhausted" });
  });

  it("an unreachable destination is logged as a delivery failure; an EventBridge one is delivered", async () => {
    await deployFixture(clients, "node-lost", "node-esm");
    await configure("node-lost", {
      retries: 0,
      onSuccess: "arn:aws:sqs:us-east-1:000000000000:no-such-queue",
      onFailure: "arn:aws:events:us-east-1:000000000000:event-bus/default",
    });
    const okId = await invokeAsync("node-lost", "{}");
    const failId = await invokeAsync("node-lost", '{"fail":"eb"}');
    const deadline = Date.now() + 5000;
    const find = (text: string) =>
      logged.find((line) => line.includes(text) && !line.startsWith("[node-lost]"));
    while (
      (!find(`delivery failed: Success record of node-lost (RequestId ${okId})`) || !find(failId)) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(find(`delivery failed: Success record of node-lost (RequestId ${okId})`)).toContain(
      "no-such-queue",
    );
    // The local EventBridge takes it (events-destinations.test.ts follows such records to a rule's target).
    expect(find(failId)).toMatch(/^delivered RetriesExhausted record of node-lost .* to arn:aws:events:/);
    // The stack carries on.
    expect((await invokeAsync("node-lost", "{}")).length).toBe(36);
  });
});

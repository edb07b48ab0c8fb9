/**
 * Paths no local server can produce (throttling, access denied, expired credentials), through real SDK clients
 * whose transport is replaced by a request handler that answers like AWS does.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { Chalk } from "chalk";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsClients } from "../../../src/aws/clients.js";
import { translateAwsError } from "../../../src/aws/errors.js";
import type { SnsOperations } from "../../../src/aws/sns.js";
import { SqsOperations } from "../../../src/aws/sqs.js";
import { TAIL_TAG, TemporaryResources } from "../../../src/aws/temporary-resources.js";
import { tapTopic } from "../../../src/aws/topic-tap.js";
import { sendMessages } from "../../../src/commands/send.js";
import { AwsOperationError, UsageError } from "../../../src/errors.js";
import type { CommandContext } from "../../../src/io.js";

/** The back-off waits of the batch sender, recorded instead of waited for (through the injected io). */
const backoff = { sleeps: [] as number[] };

beforeEach(() => {
  backoff.sleeps.length = 0;
});

/** The waits are AWS's "exponential backoff with jitter": each between half its ceiling and the ceiling. */
function expectBackoff(ceilings: number[]): void {
  expect(backoff.sleeps).toHaveLength(ceilings.length);
  backoff.sleeps.forEach((waited, index) => {
    expect(waited).toBeGreaterThanOrEqual(ceilings[index]! / 2);
    expect(waited).toBeLessThanOrEqual(ceilings[index]!);
  });
}

interface Call {
  target: string;
  body: any;
}

/** Answers each request with the next reply for its operation (the last one repeats). */
type Reply = { status: number; body: unknown } | ((request: any) => { status: number; body: unknown });

function fakeAws(replies: Record<string, Reply[]>) {
  const calls: Call[] = [];
  const handler = {
    async handle(request: { headers: Record<string, string>; body?: string | Uint8Array }) {
      const target = (request.headers["x-amz-target"] ?? "").split(".").pop() ?? "";
      const body = request.body ? JSON.parse(Buffer.from(request.body).toString("utf8")) : {};
      calls.push({ target, body });
      const queue = replies[target] ?? [{ status: 200, body: {} }];
      const next = queue.length > 1 ? queue.shift()! : queue[0]!;
      const reply = typeof next === "function" ? next(body) : next;
      return {
        response: {
          statusCode: reply.status,
          headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "req-1" },
          body: Readable.from([Buffer.from(JSON.stringify(reply.body))]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, calls };
}

/** Retries at once: the tests check what is retried, not how long the SDK waits. */
function immediateRetries(maxAttempts: number) {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 0 });
  return {
    mode: "standard",
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (
      previous: { getRetryCount(): number },
      error: { errorType?: string },
    ) => {
      const count = previous.getRetryCount() + 1;
      if (count >= maxAttempts || error.errorType === undefined || error.errorType === "CLIENT_ERROR")
        throw error;
      return token(count);
    },
    recordSuccess() {},
  };
}

function contextFor(stdin = ""): CommandContext & { out: () => string; err: () => string } {
  let stdout = "";
  let stderr = "";
  const colors = new Chalk({ level: 0 });
  return {
    io: {
      stdout: {
        write: (text) => {
          stdout += text;
        },
        isTTY: false,
      },
      stderr: {
        write: (text) => {
          stderr += text;
        },
        isTTY: false,
      },
      stdin: Readable.from([stdin]),
      env: {},
      cwd: process.cwd(),
      now: () => new Date("2026-01-01T00:00:00Z"),
      sleep: async (milliseconds) => {
        backoff.sleeps.push(milliseconds);
      },
      watchInterrupts: () => new AbortController().signal,
    },
    colors,
    errorColors: colors,
    output: { json: false, quiet: false, verbose: false },
    aws: { region: "eu-west-1", endpointUrl: "https://sqs.example.test" },
    out: () => stdout,
    err: () => stderr,
  };
}

function clientsWith(handler: unknown) {
  return new AwsClients(
    { region: "eu-west-1", endpointUrl: "https://sqs.example.test" },
    {},
    {
      requestHandler: handler,
      retryStrategy: immediateRetries(3),
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    },
  );
}

const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";
const throttled = {
  status: 400,
  body: { __type: "com.amazonaws.sqs#ThrottlingException", message: "Rate exceeded" },
};
const md5 = (text: string) => createHash("md5").update(text).digest("hex");
/** Success for the given entry ids (the SDK checks each body's MD5). */
const ok = (ids: string[]) => (request: { Entries: { Id: string; MessageBody: string }[] }) => ({
  status: 200,
  body: {
    Successful: request.Entries.filter((entry) => ids.includes(entry.Id)).map((entry) => ({
      Id: entry.Id,
      MessageId: `m-${entry.Id}`,
      MD5OfMessageBody: md5(entry.MessageBody),
    })),
    Failed: [],
  },
});

describe("send against a simulated AWS", () => {
  it("retries a throttled batch with backoff and succeeds", async () => {
    const { handler, calls } = fakeAws({ SendMessageBatch: [throttled, throttled, throttled, ok(["0"])] });
    const context = contextFor();
    const code = await sendMessages(
      { queue: QUEUE_URL, body: "hello", lines: false, attributes: [] },
      context,
      clientsWith(handler),
    );
    expect(code).toBe(0);
    expect(context.out()).toBe("m-0\n");
    expect(calls.filter((call) => call.target === "SendMessageBatch")).toHaveLength(4);
  });

  it("gives one line naming the action when still throttled after retries", async () => {
    const { handler } = fakeAws({ SendMessageBatch: [throttled] });
    const promise = sendMessages(
      { queue: QUEUE_URL, body: "hello", lines: false, attributes: [] },
      contextFor(),
      clientsWith(handler),
    );
    await expect(promise).rejects.toThrow(AwsOperationError);
    await expect(promise).rejects.toThrow(
      /^throttled by AWS: sqs:SendMessage on queue orders still throttled after 3 attempts; slow down or retry later$/,
    );
    // Five rounds of the SDK's own attempts, with our longer back-off between them: 100 ms · 2^attempt.
    expectBackoff([200, 400, 800, 1600]);
  });

  it("--json still reports what was sent when a later request fails for good", async () => {
    const allButLast = (request: { Entries: { Id: string; MessageBody: string }[] }) =>
      request.Entries.length === 10 ? ok(request.Entries.map((entry) => entry.Id))(request) : throttled;
    const { handler } = fakeAws({ SendMessageBatch: [allButLast] });
    const context = contextFor(Array.from({ length: 11 }, (_, index) => `line ${index}`).join("\n"));
    context.output.json = true;
    await expect(
      sendMessages({ queue: QUEUE_URL, lines: true, attributes: [] }, context, clientsWith(handler)),
    ).rejects.toThrow(/^throttled by AWS/);
    const report = JSON.parse(context.out());
    expect(report).toMatchObject({
      version: 1,
      sent: 10,
      failed: 0,
      error: expect.stringMatching(/^throttled by AWS/),
    });
    expect(report.messages).toHaveLength(10);
    expectBackoff([200, 400, 800, 1600]);
  });

  it("retries entries that failed on the server's side, and reports entries refused as the sender's fault (exit 1)", async () => {
    const partial = {
      status: 200,
      body: {
        Successful: [{ Id: "0", MessageId: "m-0", MD5OfMessageBody: md5("a") }],
        Failed: [
          { Id: "1", SenderFault: false, Code: "InternalError", Message: "try again" },
          { Id: "2", SenderFault: true, Code: "InvalidMessageContents", Message: "bad characters" },
        ],
      },
    };
    const { handler, calls } = fakeAws({ SendMessageBatch: [partial, ok(["1"])] });
    const context = contextFor("a\nb\nc\n");
    const code = await sendMessages(
      { queue: QUEUE_URL, lines: true, attributes: [] },
      context,
      clientsWith(handler),
    );
    expect(code).toBe(1);
    expect(context.out()).toBe("m-0\nm-1\n");
    expect(context.err()).toBe(
      "failed: line 3: InvalidMessageContents: bad characters\nsent 2 messages to orders; 1 message failed (listed above)\n",
    );
    const batches = calls.filter((call) => call.target === "SendMessageBatch");
    expect(batches.map((call) => call.body.Entries.map((entry: any) => entry.MessageBody))).toEqual([
      ["a", "b", "c"],
      ["b"],
    ]);
    expectBackoff([200]);
  });

  it("access denied names the action and the queue", async () => {
    const denied = {
      status: 400,
      body: {
        __type: "com.amazon.coral.service#AccessDeniedException",
        message:
          "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:eu-west-1:123456789012:orders",
      },
    };
    const { handler } = fakeAws({ SendMessageBatch: [denied] });
    await expect(
      sendMessages(
        { queue: QUEUE_URL, body: "x", lines: false, attributes: [] },
        contextFor(),
        clientsWith(handler),
      ),
    ).rejects.toThrow(
      /^access denied: your credentials may not call sqs:SendMessage on queue orders; grant it in the IAM policy/,
    );
  });

  it("expired and rejected credentials each get their own line", async () => {
    for (const [type, expected] of [
      ["ExpiredToken", /^your AWS credentials have expired \(sqs:GetQueueUrl\); refresh them/],
      [
        "InvalidClientTokenId",
        /^the AWS credentials were rejected \(sqs:GetQueueUrl: InvalidClientTokenId\)/,
      ],
    ] as const) {
      const { handler } = fakeAws({
        GetQueueUrl: [{ status: 403, body: { __type: `com.amazonaws.sqs#${type}`, message: "no" } }],
      });
      await expect(
        sendMessages(
          { queue: "orders", body: "x", lines: false, attributes: [] },
          contextFor(),
          clientsWith(handler),
        ),
      ).rejects.toThrow(expected);
    }
  });
});

describe("tapTopic", () => {
  it("creates an SSE-SQS, tagged queue, restricts its policy to the topic, and waits for confirmation", async () => {
    const { handler: sqsHandler, calls: sqsCalls } = fakeAws({
      CreateQueue: [
        { status: 200, body: { QueueUrl: "https://sqs.example.test/1/lambda-dest-tail-events-x" } },
      ],
      GetQueueAttributes: [
        {
          status: 200,
          body: { Attributes: { QueueArn: "arn:aws:sqs:eu-west-1:1:lambda-dest-tail-events-x" } },
        },
      ],
    });
    const clients = clientsWith(sqsHandler);
    const sqs = await SqsOperations.create(clients);
    const confirmations = ["true", "false"];
    const sns = {
      attributes: async () => ({ FifoTopic: "false" }),
      subscribeQueue: async () => "arn:aws:sns:eu-west-1:1:events:sub-1",
      subscriptionAttributes: async () => ({ PendingConfirmation: confirmations.shift() ?? "false" }),
      confirmSubscription: async () => undefined,
    } as unknown as SnsOperations;
    const resources = new TemporaryResources();
    const watched = await tapTopic({
      sqs,
      sns,
      topic: { arn: "arn:aws:sns:eu-west-1:1:events", name: "events" },
      resources,
      now: new Date("2026-01-01T00:00:00Z"),
      signal: new AbortController().signal,
    });
    expect(watched).toMatchObject({
      label: "sns:events",
      mode: "own",
      subscriptionArn: "arn:aws:sns:eu-west-1:1:events:sub-1",
    });
    const create = sqsCalls.find((call) => call.target === "CreateQueue")!;
    expect(create.body.Attributes).toEqual({ SqsManagedSseEnabled: "true", MessageRetentionPeriod: "86400" });
    expect(create.body.tags).toEqual({
      [TAIL_TAG]: "2026-01-01T00:00:00.000Z",
      "lambda-dest:heartbeat": "2026-01-01T00:00:00.000Z",
      "lambda-dest:topic": "arn:aws:sns:eu-west-1:1:events",
    });
    const policy = JSON.parse(
      sqsCalls.find((call) => call.target === "SetQueueAttributes")!.body.Attributes.Policy,
    );
    expect(policy.Statement[0].Condition.ArnEquals["aws:SourceArn"]).toBe("arn:aws:sns:eu-west-1:1:events");
    expect(confirmations).toEqual([]);
    expect(resources.isEmpty).toBe(false);
  });
});

describe("translateAwsError", () => {
  const call = {
    answerWithinMs: 10_000,
    action: "sqs:ReceiveMessage",
    resource: "queue orders",
    endpoint: "https://sqs.example.test",
    region: "eu-west-1",
  };
  it.each([
    [
      { name: "QueueDoesNotExist", message: "x" },
      "queue orders does not exist in eu-west-1 (sqs:ReceiveMessage); check the name, --region and --profile",
    ],
    [
      { name: "Error", code: "ENOTFOUND", message: "getaddrinfo" },
      /^cannot reach https:\/\/sqs\.example\.test \(ENOTFOUND\)/,
    ],
    [
      { name: "AggregateError", errors: [{ code: "ECONNREFUSED" }], message: "" },
      /^cannot reach .* \(ECONNREFUSED\)/,
    ],
    [
      {
        name: "CredentialsProviderError",
        message: "Token is expired. To refresh this SSO session run aws sso login",
      },
      /^your AWS credentials have expired/,
    ],
    [
      { name: "KMSAccessDeniedException", message: "kms" },
      /^access denied: your credentials may not call sqs:ReceiveMessage on queue orders/,
    ],
    [
      { name: "SomethingElse", message: "odd\nsecond line", $metadata: { httpStatusCode: 500 } },
      "sqs:ReceiveMessage failed on queue orders: SomethingElse: odd (HTTP 500)",
    ],
  ])("%o", (error, expected) => {
    const translated = translateAwsError(error, call);
    expect(translated).toBeInstanceOf(AwsOperationError);
    if (typeof expected === "string") expect(translated.message).toBe(expected);
    else expect(translated.message).toMatch(expected);
    expect(translated.cause).toBe(error);
  });

  it("a missing region is a usage error", () => {
    expect(translateAwsError(new Error("Region is missing"), call)).toBeInstanceOf(UsageError);
  });

  // The error names are the SDK's exception classes (SQS, SNS and Lambda API references, "Errors"); the
  // connection codes are Node's. Callers switch on `reason`, never on the SDK error behind it.
  it.each([
    [{ name: "QueueDoesNotExist", message: "The specified queue does not exist." }, "not-found"],
    [{ name: "NotFoundException", message: "Topic does not exist" }, "not-found"],
    [
      { name: "ResourceNotFoundException", message: "The function f doesn't have an EventInvokeConfig" },
      "not-found",
    ],
    [{ name: "AccessDeniedException", message: "User is not authorized" }, "access-denied"],
    [{ name: "AuthorizationErrorException", message: "not authorized" }, "access-denied"],
    [
      { name: "ExpiredTokenException", message: "The security token included in the request is expired" },
      "expired-credentials",
    ],
    [
      { name: "CredentialsProviderError", message: "Could not load credentials from any providers" },
      "no-credentials",
    ],
    [
      { name: "InvalidClientTokenId", message: "The security token included in the request is invalid." },
      "rejected-credentials",
    ],
    [{ name: "ThrottlingException", message: "Rate exceeded" }, "throttled"],
    [{ name: "TooManyRequestsException", message: "Rate exceeded" }, "throttled"],
    [{ name: "Error", code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1" }, "unreachable"],
    [{ name: "TimeoutError", message: "Connection timed out after 5000 ms" }, "unreachable"],
    [{ name: "TimeoutError", message: "requestTimeout of 10000ms exceeded" }, "no-answer"],
    [{ name: "SomethingElse", message: "odd" }, "failed"],
  ])("reason of %o is %s, with the service's own words kept", (error, reason) => {
    const translated = translateAwsError(error, call) as AwsOperationError;
    expect(translated.reason).toBe(reason);
    expect(translated.serviceMessage).toBe(error.message);
  });
});

describe("TemporaryResources", () => {
  it("removes subscriptions then queues, says what it could not remove and how, and ignores what is already gone", async () => {
    const order: string[] = [];
    const denied = new AwsOperationError("access denied: your credentials may not call sqs:DeleteQueue", {
      cause: { name: "AccessDenied" },
    });
    const sns = {
      unsubscribe: async (arn: string) => {
        order.push(`unsubscribe ${arn}`);
        if (arn.endsWith("gone"))
          throw new AwsOperationError("gone", { cause: { name: "NotFoundException" }, reason: "not-found" });
      },
      cliOptions: () => " --region eu-west-1",
    } as unknown as SnsOperations;
    const sqs = {
      deleteQueue: async (queue: { name: string }) => {
        order.push(`delete ${queue.name}`);
        throw denied;
      },
      cliOptions: () => " --region eu-west-1",
    } as unknown as SqsOperations;
    const resources = new TemporaryResources();
    const topic = { arn: "arn:aws:sns:eu-west-1:1:events", name: "events" };
    resources.addQueue(
      { url: "https://sqs.example.test/1/lambda-dest-tail-events-x", name: "lambda-dest-tail-events-x" },
      sqs,
    );
    resources.addSubscription("arn:aws:sns:eu-west-1:1:events:sub", topic, sns);
    resources.addSubscription("arn:aws:sns:eu-west-1:1:events:gone", topic, sns);
    const leftovers = await resources.remove();
    expect(order).toEqual([
      "unsubscribe arn:aws:sns:eu-west-1:1:events:gone",
      "unsubscribe arn:aws:sns:eu-west-1:1:events:sub",
      "delete lambda-dest-tail-events-x",
    ]);
    expect(leftovers).toEqual([
      {
        type: "queue",
        id: "https://sqs.example.test/1/lambda-dest-tail-events-x",
        reason: denied.message,
        remedy:
          "aws sqs delete-queue --queue-url https://sqs.example.test/1/lambda-dest-tail-events-x --region eu-west-1",
      },
    ]);
    expect(resources.removed).toEqual(["subscription to events"]);
    // What was not removed is still known, for a report at a forced exit.
    expect(resources.leftovers("stopped").map((leftover) => leftover.id)).toEqual([
      "https://sqs.example.test/1/lambda-dest-tail-events-x",
    ]);
  });
});

describe("TemporaryResources: creates cut short", () => {
  it("#8.16 finds and removes what an interrupted CreateQueue and Subscribe made, and names them until then", async () => {
    const calls: string[] = [];
    const queueArn = "arn:aws:sqs:eu-west-1:1:lambda-dest-tail-events-y";
    const sqs = {
      exists: async (name: string) => {
        calls.push(`exists ${name}`);
        return { url: `https://sqs.example.test/1/${name}`, name };
      },
      deleteQueue: async (queue: { url: string }) => {
        calls.push(`delete ${queue.url}`);
      },
      cliOptions: () => "",
    } as unknown as SqsOperations;
    const sns = {
      subscriptionsOf: async () => [
        {
          arn: "arn:aws:sns:eu-west-1:1:events:other",
          protocol: "sqs",
          endpoint: "arn:aws:sqs:eu-west-1:1:someone-else",
          topicArn: "",
        },
        { arn: "arn:aws:sns:eu-west-1:1:events:ours", protocol: "sqs", endpoint: queueArn, topicArn: "" },
      ],
      unsubscribe: async (arn: string) => {
        calls.push(`unsubscribe ${arn}`);
      },
      cliOptions: () => "",
    } as unknown as SnsOperations;
    const resources = new TemporaryResources();
    const topic = { arn: "arn:aws:sns:eu-west-1:1:events", name: "events" };
    // Both calls were aborted before they answered: no URL, no subscription ARN.
    resources.creatingQueue("lambda-dest-tail-events-y", sqs);
    resources.subscribing(topic, queueArn, sns);
    expect(resources.leftovers("stopped").map((leftover) => leftover.type)).toEqual([
      "subscription",
      "queue",
    ]);
    expect(resources.leftovers("stopped")[1]!.remedy).toContain("--queue-name lambda-dest-tail-events-y");
    expect(await resources.remove()).toEqual([]);
    expect(calls).toEqual([
      "unsubscribe arn:aws:sns:eu-west-1:1:events:ours",
      "exists lambda-dest-tail-events-y",
      "delete https://sqs.example.test/1/lambda-dest-tail-events-y",
    ]);
    expect(resources.leftovers("stopped")).toEqual([]);
  });
});

describe("invoke --wait against a simulated AWS", () => {
  it("warns that a FIFO destination drops records silently, and still watches the others", async () => {
    const sqsCalls: string[] = [];
    const handler = {
      async handle(request: {
        path: string;
        method: string;
        headers: Record<string, string>;
        body?: string | Uint8Array;
      }) {
        const reply = (statusCode: number, body: unknown, headers: Record<string, string> = {}) => ({
          response: {
            statusCode,
            headers: {
              "content-type": "application/json",
              "x-amzn-requestid": "11111111-2222-4333-8444-555555555555",
              ...headers,
            },
            body: Readable.from([Buffer.from(body === undefined ? "" : JSON.stringify(body))]),
          },
        });
        if (request.path.includes("/event-invoke-config")) {
          return reply(200, {
            FunctionArn: "arn:aws:lambda:eu-west-1:1:function:orders:$LATEST",
            MaximumRetryAttempts: 0,
            DestinationConfig: {
              OnSuccess: { Destination: "arn:aws:sqs:eu-west-1:1:results.fifo" },
              OnFailure: { Destination: "arn:aws:sqs:eu-west-1:1:failures" },
            },
          });
        }
        if (request.path.endsWith("/invocations")) return reply(202, undefined);
        const target = (request.headers["x-amz-target"] ?? "").split(".").pop() ?? "";
        sqsCalls.push(target);
        const body = JSON.parse(Buffer.from(request.body ?? "{}").toString("utf8"));
        if (target === "GetQueueUrl")
          return reply(200, { QueueUrl: `https://sqs.example.test/1/${body.QueueName}` });
        if (target === "GetQueueAttributes")
          return reply(200, { Attributes: { QueueArn: "arn", ApproximateNumberOfMessages: "0" } });
        await new Promise((resolve) => setTimeout(resolve, 20));
        return reply(200, {});
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    };
    const { invoke } = await import("../../../src/commands/invoke.js");
    const context = contextFor();
    const promise = invoke(
      { functionName: "orders", payload: "{}", sync: false, wait: true, timeoutMs: 200 },
      context,
      clientsWith(handler),
    );
    await expect(promise).rejects.toThrow(
      /^no destination record for request 11111111-2222-4333-8444-555555555555 within 200ms/,
    );
    expect(context.err()).toContain(
      "warning: the on-success destination arn:aws:sqs:eu-west-1:1:results.fifo is FIFO: Lambda cannot deliver to FIFO queues or topics and drops those records silently",
    );
    expect(context.err()).toContain("retries are off for this function (MaximumRetryAttempts 0)");
    expect(sqsCalls.filter((call) => call === "ReceiveMessage").length).toBeGreaterThan(0);
  });
});

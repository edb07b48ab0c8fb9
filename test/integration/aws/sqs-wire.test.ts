/**
 * A receive loop's requests sent over the wire (src/aws/sqs-wire.ts) beside the SDK: signed as the SDK's
 * signer signs them, answered by the local stack as the SDK's are, and handed back to the SDK for anything
 * but an ordinary answer.
 */
import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { DeleteQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsClients } from "../../../src/aws/clients.js";
import { isAbortError } from "../../../src/aws/errors.js";
import { type ResolvedQueue, type SqsMessage, SqsOperations } from "../../../src/aws/sqs.js";
import { type SignedRequest, SqsWire } from "../../../src/aws/sqs-wire.js";
import type { LocalStack } from "../../../src/local/stack.js";
import { createQueue, runCli, type StackClients, useStack } from "./support.js";

/** The SHA-256 the SDK's signer is given in Node (the shape of @smithy/hash-node's Hash). */
class Sha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** The Authorization header the SDK's own signer (@smithy/signature-v4) gives the same request. */
async function sdkAuthorization(request: SignedRequest, headers: Record<string, string>): Promise<string> {
  const { authorization: _, ...unsigned } = headers;
  const signer = new SignatureV4({
    service: "sqs",
    region: request.region,
    credentials: request.credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "https:",
      hostname: request.host,
      path: request.path,
      query: {},
      headers: unsigned,
      body: request.body,
    },
    { signingDate: request.date },
  );
  return signed.headers.authorization!;
}

const wireFor = (region: string, credentials: SignedRequest["credentials"]) =>
  new SqsWire({
    region: async () => region,
    credentials: async () => credentials,
    clockOffsetMs: () => 0,
    answered() {},
  });

describe("the wire path's signature", () => {
  const cases: [string, SignedRequest][] = [
    [
      "long-term keys, AWS's endpoint",
      {
        action: "ReceiveMessage",
        host: "sqs.eu-west-1.amazonaws.com",
        path: "/",
        body: '{"QueueUrl":"https://sqs.eu-west-1.amazonaws.com/123456789012/orders","MaxNumberOfMessages":10}',
        region: "eu-west-1",
        credentials: {
          accessKeyId: "AKIDEXAMPLE",
          secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        },
        date: new Date("2026-12-04T22:49:23.456Z"),
      },
    ],
    [
      "a session token, a custom endpoint with a port and a path, text beyond ASCII in the body",
      {
        action: "DeleteMessageBatch",
        host: "127.0.0.1:4566",
        path: "/base/path/",
        body: '{"QueueUrl":"http://127.0.0.1:4566/000000000000/commandes-é","Entries":[{"Id":"0","ReceiptHandle":"a+b/c=="}]}',
        region: "us-east-1",
        credentials: {
          accessKeyId: "ASIAEXAMPLE",
          secretAccessKey: "secret/with+signs=",
          sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==",
        },
        date: new Date("2027-01-01T00:00:00.000Z"),
      },
    ],
    [
      "a release, just before midnight in another region",
      {
        action: "ChangeMessageVisibilityBatch",
        host: "sqs.ap-southeast-2.amazonaws.com",
        path: "/",
        body: "{}",
        region: "ap-southeast-2",
        credentials: { accessKeyId: "AKID", secretAccessKey: "SECRET" },
        date: new Date("2026-02-28T23:59:59.999Z"),
      },
    ],
  ];

  it.each(cases)("is the one the SDK's signer computes (%s)", async (_, request) => {
    const headers = wireFor(request.region, request.credentials).sign(request);
    expect(headers.authorization).toBe(await sdkAuthorization(request, headers));
    expect(headers["x-amz-target"]).toBe(`AmazonSQS.${request.action}`);
    expect(headers["x-amz-security-token"]).toBe(request.credentials.sessionToken);
  });

  it("keeps a signing key per day and region, not per request", () => {
    const [, request] = cases[0]!;
    const wire = wireFor(request.region, request.credentials);
    const first = wire.sign(request);
    const later = wire.sign({ ...request, date: new Date(request.date.getTime() + 3_600_000) });
    const otherDay = wire.sign({ ...request, date: new Date(request.date.getTime() + 86_400_000) });
    expect(later.authorization).not.toBe(first.authorization);
    expect(otherDay.authorization).toContain("/20261205/eu-west-1/sqs/aws4_request");
  });
});

describe("the wire path gives way to the SDK", () => {
  const options = { requestTimeout: 1_000 };

  it("when the credentials provider fails (the SDK asks it again and names the problem)", async () => {
    const wire = new SqsWire({
      region: async () => "eu-west-1",
      credentials: () =>
        Promise.reject(new Error("The SSO session associated with this profile has expired")),
      clockOffsetMs: () => 0,
      answered() {},
    });
    await expect(wire.post("ReceiveMessage", "http://127.0.0.1:9/1/q", {}, options)).resolves.toBeUndefined();
    wire.destroy();
  });

  it("when a header cannot be sent (a session token with a line break)", async () => {
    const wire = wireFor("eu-west-1", { accessKeyId: "AKID", secretAccessKey: "s", sessionToken: "a\r\nb" });
    await expect(wire.post("ReceiveMessage", "http://127.0.0.1:9/1/q", {}, options)).resolves.toBeUndefined();
    wire.destroy();
  });

  it.each([
    ["a queue URL that is no URL", "orders"],
    ["a scheme other than http(s)", "ftp://127.0.0.1/1/q"],
    ["credentials in the URL", "http://user:pass@127.0.0.1:9/1/q"],
  ])("for %s", async (_, queueUrl) => {
    const wire = wireFor("eu-west-1", { accessKeyId: "AKID", secretAccessKey: "s" });
    await expect(wire.post("ReceiveMessage", queueUrl, {}, options)).resolves.toBeUndefined();
    wire.destroy();
  });
});

describe("against the local stack", () => {
  let stack: LocalStack;
  let sdk: StackClients;
  useStack((started) => {
    stack = started.stack;
    sdk = started.clients;
  });
  const opened: AwsClients[] = [];
  afterAll(async () => {
    for (const clients of opened) await clients.destroy();
  });

  /** Fresh operations (nothing proven yet), and a count of the calls the wire answered itself. */
  async function operations(): Promise<{ sqs: SqsOperations; clients: AwsClients; overWire: () => number }> {
    const clients = new AwsClients(
      { endpointUrl: stack.endpoint, region: stack.region },
      {},
      { credentials: { accessKeyId: "test", secretAccessKey: "test" } },
    );
    opened.push(clients);
    const wire = (await clients.sqsWire())!;
    let answered = 0;
    const post = wire.post.bind(wire);
    vi.spyOn(wire, "post").mockImplementation(async (...args) => {
      const answer = await post(...args);
      if (answer !== undefined) answered += 1;
      return answer;
    });
    return { sqs: await SqsOperations.create(clients), clients, overWire: () => answered };
  }

  async function queueWithAttributes(name: string): Promise<ResolvedQueue> {
    const { url } = await createQueue(sdk, name);
    await sdk.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"orderId":"o-1","note":"ünïcødé ✓"}',
        MessageAttributes: {
          bytes: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 1, 2, 250, 255]) },
          text: { DataType: "String", StringValue: "plain" },
          count: { DataType: "Number.int", StringValue: "42" },
        },
      }),
    );
    return { url, name };
  }

  /** What does not depend on which receive brought the message. */
  const stable = (message: SqsMessage) => {
    const { ReceiptHandle: _, Attributes, ...rest } = message;
    const {
      ApproximateReceiveCount: __,
      ApproximateFirstReceiveTimestamp: ___,
      ...attributes
    } = Attributes ?? {};
    return { ...rest, Attributes: attributes };
  };

  it("is taken once the SDK has answered, and brings the same message the SDK brings", async () => {
    const { sqs, overWire } = await operations();
    const queue = await queueWithAttributes("wire-same");
    const request = { maxMessages: 10, visibilityTimeout: 30, waitSeconds: 1 };
    const [bySdk] = await sqs.receive(queue, request);
    expect(overWire()).toBe(0);
    expect(await sqs.release(queue, [bySdk!.ReceiptHandle!])).toEqual([]);
    expect(overWire()).toBe(1);
    const [byWire] = await sqs.receive(queue, request);
    expect(overWire()).toBe(2);
    expect(stable(byWire!)).toEqual(stable(bySdk!));
    // As SQS's JSON carries it, and as a Lambda event or the AWS CLI shows it.
    expect(byWire!.MessageAttributes!.bytes).toEqual({ DataType: "Binary", BinaryValue: "AAEC+v8=" });
    expect(byWire!.Attributes!.ApproximateReceiveCount).toBe("2");
    expect(await sqs.deleteBatch(queue, [byWire!.ReceiptHandle!])).toEqual([]);
    expect(overWire()).toBe(3);
    expect(await sqs.receive(queue, { ...request, waitSeconds: 0 })).toEqual([]);
  });

  it("hands a failed call to the SDK, which names the error as it always has", async () => {
    const first = await operations();
    const queue = await queueWithAttributes("wire-gone");
    await first.sqs.receive(queue, { maxMessages: 1, visibilityTimeout: 0, waitSeconds: 0 });
    await sdk.sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
    const answersBefore = first.clients.answers;
    const overWire = await first.sqs
      .receive(queue, { maxMessages: 1, visibilityTimeout: 0, waitSeconds: 0 })
      .catch((error: Error) => error);
    // The wire's request was answered (400) and counted; the SDK's was too.
    expect(first.clients.answers).toBe(answersBefore + 2);
    expect(first.overWire()).toBe(0);
    const fresh = await operations();
    const bySdk = await fresh.sqs
      .receive(queue, { maxMessages: 1, visibilityTimeout: 0, waitSeconds: 0 })
      .catch((error: Error) => error);
    expect(overWire).toBeInstanceOf(Error);
    expect((overWire as Error).message).toBe((bySdk as Error).message);
    expect((overWire as Error).message).toMatch(/queue wire-gone does not exist/);
  });

  it("ends a long poll at once when the watch stops", async () => {
    const { sqs, overWire } = await operations();
    const { url } = await createQueue(sdk, "wire-abort");
    const queue = { url, name: "wire-abort" };
    await sqs.receive(queue, { maxMessages: 1, visibilityTimeout: 0, waitSeconds: 0 });
    const stop = new AbortController();
    const started = Date.now();
    const polling = sqs
      .receive(queue, { maxMessages: 10, visibilityTimeout: 30, waitSeconds: 10, signal: stop.signal })
      .catch((error: unknown) => error);
    setTimeout(() => stop.abort(), 200);
    const error = await polling;
    expect(isAbortError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(overWire()).toBe(0);
  });

  it("lets `tail` show a message with a binary attribute as valid, its value in base64", async () => {
    await queueWithAttributes("wire-tail");
    const result = await runCli(stack, ["tail", "sqs:wire-tail", "--json", "--max", "1", "--timeout", "20s"]);
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout.trim());
    expect(line.valid).toBe(true);
    expect(line.errors).toEqual([]);
    expect(line.payload).toEqual({ orderId: "o-1", note: "ünïcødé ✓" });
  });
});

/**
 * A server of our own on loopback that answers as SQS does, then as told: what no local stack does on demand
 * (go silent, corrupt a body). Every request is recorded, with the signature checked by the SDK's signer.
 */
describe("against an endpoint that misbehaves after its first answer", () => {
  let server: Server;
  let port: number;
  let behave: (request: IncomingMessage, body: string, response: ServerResponse) => void;
  const seen: {
    method: string;
    path: string;
    contentType: string;
    userAgent: string;
    target: string;
    signatureValid: boolean;
  }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => {
        body += chunk;
      });
      request.on("end", async () => {
        seen.push({
          method: request.method ?? "",
          path: request.url ?? "",
          contentType: String(request.headers["content-type"]),
          userAgent: String(request.headers["user-agent"]),
          target: String(request.headers["x-amz-target"]),
          signatureValid: await signatureValid(request, body),
        });
        behave(request, body, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterEach(() => {
    seen.length = 0;
    server.closeAllConnections();
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Whether the request's signature is the one the SDK's signer computes from what arrived. */
  async function signatureValid(request: IncomingMessage, body: string): Promise<boolean> {
    const headers: Record<string, string> = {};
    const signedNames = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))?.[1]?.split(";");
    for (const name of signedNames ?? []) headers[name] = String(request.headers[name]);
    const date = String(request.headers["x-amz-date"]);
    const when = new Date(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    const expected = await sdkAuthorization(
      {
        action: "ReceiveMessage",
        host: headers.host!,
        path: request.url!,
        body,
        region: "eu-west-1",
        credentials: { accessKeyId: "AKIDWIRE", secretAccessKey: "wire-secret" },
        date: when,
      },
      headers,
    );
    return expected === request.headers.authorization;
  }

  const message = (body: string, md5 = createHash("md5").update(body).digest("hex")) => ({
    MessageId: "m-1",
    ReceiptHandle: "r-1",
    MD5OfBody: md5,
    Body: body,
  });

  /** Answers the first request as SQS does with one message, every later one with `later`. */
  function firstThen(later: (response: ServerResponse) => void): void {
    let answered = 0;
    behave = (_, __, response) => {
      answered += 1;
      if (answered > 1) return later(response);
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify({ Messages: [message('{"n":1}')] }));
    };
  }

  /** Operations with no endpoint given: requests go to the QueueUrl's host, as the SDK sends them. */
  async function operations(requestTimeoutMs = 10_000) {
    const clients = new AwsClients(
      { region: "eu-west-1", requestTimeoutMs },
      {},
      { credentials: { accessKeyId: "AKIDWIRE", secretAccessKey: "wire-secret" } },
    );
    const queue = { url: `http://127.0.0.1:${port}/123456789012/orders`, name: "orders" };
    return { clients, queue, sqs: await SqsOperations.create(clients) };
  }

  it("sends to the QueueUrl's host, signed with the SDK's credentials and region", async () => {
    const { clients, queue, sqs } = await operations();
    firstThen((response) => {
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify({ Messages: [message('{"n":2}')] }));
    });
    try {
      await sqs.receive(queue, { maxMessages: 10, visibilityTimeout: 30, waitSeconds: 0 });
      const [second] = await sqs.receive(queue, { maxMessages: 10, visibilityTimeout: 30, waitSeconds: 0 });
      expect(second!.Body).toBe('{"n":2}');
    } finally {
      await clients.destroy();
    }
    expect(seen).toHaveLength(2);
    expect(seen[0]!.userAgent).toMatch(/aws-sdk-js/);
    // "Making query API requests using AWS JSON protocol in Amazon SQS" (SQS Developer Guide): "POST / HTTP/1.1
    // Host: sqs.<region>.<domain> X-Amz-Target: AmazonSQS.SendMessage X-Amz-Date: <Date> Content-Type:
    // application/x-amz-json-1.0 Authorization: <AuthParams>", the parameters as JSON in the body.
    expect(seen[1]).toEqual({
      method: "POST",
      path: "/",
      contentType: "application/x-amz-json-1.0",
      userAgent: "lambda-dest",
      target: "AmazonSQS.ReceiveMessage",
      signatureValid: true,
    });
  });

  it("fails a receive whose body does not match its MD5, in the SDK's words", async () => {
    const { clients, queue, sqs } = await operations();
    firstThen((response) => {
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify({ Messages: [message('{"n":2}', "0".repeat(32))] }));
    });
    try {
      await sqs.receive(queue, { maxMessages: 10, visibilityTimeout: 30, waitSeconds: 0 });
      const error = await sqs
        .receive(queue, { maxMessages: 10, visibilityTimeout: 30, waitSeconds: 0 })
        .catch((thrown: Error) => thrown);
      expect((error as Error).message).toBe(
        "sqs:ReceiveMessage failed on queue orders: Invalid MD5 checksum on messages: m-1",
      );
      expect(seen.map((request) => request.userAgent.startsWith("lambda-dest"))).toEqual([false, true]);
    } finally {
      await clients.destroy();
    }
  });

  it("does not hang on an endpoint gone silent: the SDK takes over and names it", async () => {
    const { clients, queue, sqs } = await operations(400);
    firstThen(() => {
      // Accepted, never answered.
    });
    try {
      await sqs.receive(queue, { maxMessages: 10, visibilityTimeout: 30, waitSeconds: 0 });
      const started = Date.now();
      const error = await sqs
        .receive(queue, { maxMessages: 10, visibilityTimeout: 30, waitSeconds: 0 })
        .catch((thrown: Error) => thrown);
      expect((error as Error).message).toMatch(
        /^no answer from the AWS SQS endpoint to sqs:ReceiveMessage within/,
      );
      // One try over the wire, then the SDK's own (two, each within the request time-out).
      expect(seen.map((request) => request.userAgent.startsWith("lambda-dest"))).toEqual([
        false,
        true,
        false,
        false,
      ]);
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      await clients.destroy();
    }
  });
});

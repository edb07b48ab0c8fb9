/**
 * Issue #8 items 1, 2 and 5: no web page (cross-site, or through DNS rebinding) and no other local process gets
 * to run code through the local stack, and requests the Lambda API does not know are answered as AWS answers
 * them.
 *
 * What the real clients send, captured against a plain node:http server on 127.0.0.1 (AWS SDK for JavaScript
 * v3.1163, botocore 1.43 / boto3, AWS CLI 1.45 and AWS CLI 2.9.19):
 *   - Invoke: SDK v3 sends `Content-Type: application/octet-stream`; botocore, boto3 and both CLIs send no
 *     Content-Type at all (botocore's rest-json serializer sets none for a blob payload).
 *   - every other Lambda operation: `Content-Type: application/json`.
 *   - SNS uses the Query protocol (`application/x-www-form-urlencoded`) from every client, so the fauxqs routes
 *     are guarded by Origin, Sec-Fetch-Site and Host rather than by content type.
 * None of them sends Origin or Sec-Fetch-*: those only come from browsers.
 *
 * An unknown route: AWS's front ends answer 404 with the body `<UnknownOperationException/>` (seen in the
 * wild for bedrock-runtime, cloudsearch and DynamoDB, e.g. "bedrock-runtime/v1/models 404
 * <UnknownOperationException/>"); the Lambda API shares that front end.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import {
  GetFunctionCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { GetQueueUrlCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../src/local/stack.js";
import { zipDirectory } from "../../src/local/zip-directory.js";
import { type Clients, clientsFor, createQueue, destroyClients } from "../integration/local/helpers.js";
import { deployInline, rawRequest } from "./local-helpers.js";

const run = promisify(execFile);
let stack: LocalStack;
let clients: Clients;
const logged: string[] = [];

const ECHO = {
  "index.mjs": `export const handler = async (event) => ({ echo: event, runtimeApi: process.env.AWS_LAMBDA_RUNTIME_API });`,
};

beforeAll(async () => {
  const collect = (line: string) => logged.push(line);
  stack = await startLocalStack({ port: 0, logger: { info: collect, warn: collect, error: collect } });
  clients = clientsFor(stack);
  await deployInline(clients, "echo", ECHO);
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

const EVIL = "http://evil.example";

async function createFunctionBody(name: string): Promise<string> {
  const zip = await zipDirectory("test/fixtures/functions/node-esm");
  return JSON.stringify({
    FunctionName: name,
    Runtime: "nodejs20.x",
    Handler: "index.handler",
    Role: "arn:aws:iam::000000000000:role/lambda-role",
    Code: { ZipFile: Buffer.from(zip).toString("base64") },
  });
}

async function functionExists(name: string): Promise<boolean> {
  try {
    await clients.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

function hasAccessControlHeaders(headers: Record<string, unknown>): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase().startsWith("access-control-allow-"));
}

describe("#8.1 cross-site requests and DNS rebinding", () => {
  it("#8.1 refuses a request whose Origin is not the stack's own, on the Lambda, SQS, SNS and S3 routes", async () => {
    const created = await rawRequest(stack.port, {
      method: "POST",
      path: "/2015-03-31/functions",
      headers: { "content-type": "text/plain", origin: EVIL },
      body: await createFunctionBody("from-evil"),
    });
    expect(created.status).toBe(403);
    expect(await functionExists("from-evil")).toBe(false);

    // Even with the JSON content type a page could send after a (refused) preflight.
    const invoked = await rawRequest(stack.port, {
      method: "POST",
      path: "/2015-03-31/functions/echo/invocations",
      headers: { "content-type": "application/json", origin: EVIL },
      body: '{"x":1}',
    });
    expect(invoked.status).toBe(403);
    expect(invoked.headers["x-amzn-errortype"]).toBe("AccessDeniedException");
    expect(JSON.parse(invoked.body)).toMatchObject({ Type: "User" });
    expect(JSON.parse(invoked.body).message).toContain("evil.example");

    const queue = await rawRequest(stack.port, {
      method: "POST",
      path: "/",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.CreateQueue",
        origin: EVIL,
      },
      body: '{"QueueName":"evil-queue"}',
    });
    expect(queue.status).toBe(403);
    await expect(clients.sqs.send(new GetQueueUrlCommand({ QueueName: "evil-queue" }))).rejects.toThrow();

    const topic = await rawRequest(stack.port, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: EVIL },
      body: "Action=CreateTopic&Name=evil-topic",
    });
    expect(topic.status).toBe(403);

    const bucket = await rawRequest(stack.port, {
      method: "PUT",
      path: "/evil-bucket/index.html",
      headers: { "content-type": "text/html", origin: EVIL },
      body: "<script>alert(1)</script>",
    });
    expect(bucket.status).toBe(403);

    // An opaque origin (a sandboxed frame, a data: URL) is no better.
    const opaque = await rawRequest(stack.port, {
      method: "POST",
      path: "/2015-03-31/functions/echo/invocations",
      headers: { "content-type": "application/octet-stream", origin: "null" },
      body: "{}",
    });
    expect(opaque.status).toBe(403);

    // A no-cors read from another site carries no Origin, only Sec-Fetch-Site (e.g. <script src=...>).
    const included = await rawRequest(stack.port, {
      method: "GET",
      path: "/2015-03-31/functions",
      headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "script" },
    });
    expect(included.status).toBe(403);

    // The stack's own origin, and a plain navigation, are fine.
    const own = await rawRequest(stack.port, {
      method: "GET",
      path: "/2015-03-31/functions",
      headers: { origin: `http://127.0.0.1:${stack.port}` },
    });
    expect(own.status).toBe(200);
    const navigation = await rawRequest(stack.port, {
      method: "GET",
      path: "/2015-03-31/functions",
      headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
    });
    expect(navigation.status).toBe(200);
    expect(logged.some((line) => line.includes("evil.example"))).toBe(true);
  });

  it("#8.1 refuses the content types a browser sends without a preflight, and keeps every real client's Invoke", async () => {
    for (const contentType of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const response = await rawRequest(stack.port, {
        method: "POST",
        path: "/2015-03-31/functions/echo/invocations",
        headers: { "content-type": contentType },
        body: '{"x":1}',
      });
      expect(response.status, contentType).toBe(415);
      expect(response.headers["x-amzn-errortype"]).toBe("UnsupportedMediaTypeException");
    }
    const created = await rawRequest(stack.port, {
      method: "POST",
      path: "/2015-03-31/functions",
      headers: { "content-type": "text/plain" },
      body: await createFunctionBody("from-text"),
    });
    expect(created.status).toBe(415);
    expect(await functionExists("from-text")).toBe(false);

    // What the SDKs and CLIs send: octet-stream (SDK v3), nothing (botocore, both CLIs), JSON.
    for (const headers of [
      { "content-type": "application/octet-stream" },
      {} as Record<string, string>,
      { "content-type": "application/json" },
    ]) {
      const response = await rawRequest(stack.port, {
        method: "POST",
        path: "/2015-03-31/functions/echo/invocations",
        headers,
        body: '{"x":1}',
      });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).echo).toEqual({ x: 1 });
    }
    const viaSdk = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from('{"sdk":3}') }),
    );
    expect(JSON.parse(Buffer.from(viaSdk.Payload!).toString()).echo).toEqual({ sdk: 3 });
    await invokeWithPythonClients(stack.endpoint);
  });

  it("#8.1 refuses DNS rebinding: a Host that names neither a loopback address nor a *.localhost name", async () => {
    for (const host of [`evil.example:${stack.port}`, `192.168.1.20:${stack.port}`, "evil.example"]) {
      const lambda = await rawRequest(stack.port, {
        path: "/2015-03-31/functions",
        headers: { host },
      });
      expect(lambda.status, host).toBe(403);
      const sqs = await rawRequest(stack.port, {
        method: "POST",
        path: "/",
        headers: {
          host,
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "AmazonSQS.ListQueues",
        },
        body: "{}",
      });
      expect(sqs.status, host).toBe(403);
      const s3 = await rawRequest(stack.port, { path: "/", headers: { host } });
      expect(s3.status, host).toBe(403);
    }
    // Loopback names pass, and so do fauxqs's queue URLs (sqs.REGION.localhost) and S3 virtual hosts.
    for (const host of [`127.0.0.1:${stack.port}`, `localhost:${stack.port}`, `[::1]:${stack.port}`]) {
      const response = await rawRequest(stack.port, { path: "/2015-03-31/functions", headers: { host } });
      expect(response.status, host).toBe(200);
    }
    const queue = await createQueue(clients, "rebinding-check");
    const name = new URL(queue.url).pathname;
    const sent = await rawRequest(stack.port, {
      method: "POST",
      path: "/",
      headers: {
        host: `sqs.us-east-1.localhost:${stack.port}`,
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.SendMessage",
      },
      body: JSON.stringify({
        QueueUrl: `http://sqs.us-east-1.localhost:${stack.port}${name}`,
        MessageBody: "hello",
      }),
    });
    expect(sent.status).toBe(200);
    const bucket = await rawRequest(stack.port, {
      method: "PUT",
      path: "/",
      headers: { host: `virtual-bucket.localhost:${stack.port}` },
    });
    expect(bucket.status).toBe(200);
    const listed = await clients.sqs.send(new ListQueuesCommand({}));
    expect(listed.QueueUrls?.some((url) => url.endsWith("/rebinding-check"))).toBe(true);
  });

  it("#8.1 answers preflights without Access-Control-Allow-*, unless the origin was admitted with --allow-origin", async () => {
    const preflight = (port: number, origin: string) =>
      rawRequest(port, {
        method: "OPTIONS",
        path: "/2015-03-31/functions/echo/invocations",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,x-amz-invocation-type",
        },
      });
    const refused = await preflight(stack.port, EVIL);
    expect(hasAccessControlHeaders(refused.headers)).toBe(false);
    expect(refused.status).toBe(403);

    const admitting = await startLocalStack({ port: 0, allowOrigins: ["http://localhost:3000"] });
    try {
      const admittedClients = clientsFor(admitting);
      await deployInline(admittedClients, "echo", ECHO);
      destroyClients(admittedClients);
      const admitted = await preflight(admitting.port, "http://localhost:3000");
      expect(admitted.status).toBe(204);
      expect(admitted.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
      expect(String(admitted.headers["access-control-allow-methods"])).toContain("POST");
      const invoked = await rawRequest(admitting.port, {
        method: "POST",
        path: "/2015-03-31/functions/echo/invocations",
        headers: { origin: "http://localhost:3000", "content-type": "application/json" },
        body: '{"from":"front end"}',
      });
      expect(invoked.status).toBe(200);
      expect(invoked.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
      expect(String(invoked.headers["access-control-expose-headers"])).toContain("X-Amz-Function-Error");
      const stillRefused = await preflight(admitting.port, EVIL);
      expect(hasAccessControlHeaders(stillRefused.headers)).toBe(false);
    } finally {
      await admitting.stop();
    }
  });
});

describe("#8.2 the Runtime API", () => {
  it("#8.2 serves each sandbox's events only to that sandbox: any request without its secret is refused", async () => {
    const first = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from("{}") }),
    );
    const runtimeApi: string = JSON.parse(Buffer.from(first.Payload!).toString()).runtimeApi;
    const [hostPort, ...secret] = runtimeApi.split("/");
    expect(hostPort).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(secret.join("/").length).toBeGreaterThanOrEqual(22);
    const port = Number(hostPort!.split(":")[1]);

    // A local process that knows the port but not the secret asks for the next event while a real one is sent.
    const stolen = rawRequest(port, { path: "/2018-06-01/runtime/invocation/next", timeoutMs: 3000 }).catch(
      (error: Error) => ({ status: 0, headers: {}, body: error.message }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const invoked = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from('{"secret":"payload"}') }),
    );
    expect(JSON.parse(Buffer.from(invoked.Payload!).toString()).echo).toEqual({ secret: "payload" });
    const attempt = await stolen;
    expect(attempt.status).toBeGreaterThanOrEqual(400);
    expect(attempt.body).not.toContain("payload");

    const wrongSecret = await rawRequest(port, {
      path: `/${"A".repeat(secret.join("/").length)}/2018-06-01/runtime/invocation/next`,
      timeoutMs: 3000,
    });
    expect(wrongSecret.status).toBeGreaterThanOrEqual(400);
    const forged = await rawRequest(port, {
      method: "POST",
      path: "/2018-06-01/runtime/invocation/00000000-0000-0000-0000-000000000000/response",
      body: '{"forged":true}',
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
  });
});

describe("#8.5 requests the Lambda API does not take", () => {
  it("#8.5 passes a payload sent with another JSON content type through instead of turning it into {}", async () => {
    const response = await rawRequest(stack.port, {
      method: "POST",
      path: "/2015-03-31/functions/echo/invocations",
      headers: { "content-type": "application/x-amz-json-1.0" },
      body: '{"kept":[1,2]}',
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).echo).toEqual({ kept: [1, 2] });
    const form = await rawRequest(stack.port, {
      method: "POST",
      path: "/2015-03-31/functions/echo/invocations",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: '{"kept":true}',
    });
    expect(form.status).toBe(415);
    expect(form.body).not.toContain('"echo":{}');
  });

  it("#8.5 answers an unknown Lambda path with 404 UnknownOperationException, not an S3 NoSuchBucket", async () => {
    for (const [method, path] of [
      ["GET", "/2015-03-31/nothing"],
      ["PATCH", "/2015-03-31/functions/echo"],
      ["GET", "/2015-03-31/functions/echo/invocations"],
      ["POST", "/2018-06-01/runtime/invocation/next"],
      ["GET", "/2021-10-31/functions/echo/url"],
      ["DELETE", "/2019-09-25/functions"],
    ] as const) {
      const response = await rawRequest(stack.port, { method, path });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body, `${method} ${path}`).toContain("<UnknownOperationException/>");
      expect(response.headers["x-amzn-errortype"]).toBe("UnknownOperationException");
    }
    // The SDK still reads the known routes.
    const listed = await clients.lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.some((fn) => fn.FunctionName === "echo")).toBe(true);
  });

  it("#8.5 answers an over-size body with AWS's RequestEntityTooLargeException, not a framework error", async () => {
    const response = await rawRequest(stack.port, {
      method: "PUT",
      path: "/2019-09-25/functions/echo/event-invoke-config",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ MaximumRetryAttempts: 0, padding: "x".repeat(12 * 1024 * 1024) }),
      timeoutMs: 20_000,
    });
    expect(response.status).toBe(413);
    expect(response.headers["x-amzn-errortype"]).toBe("RequestEntityTooLargeException");
    expect(JSON.parse(response.body)).toMatchObject({ Type: "User" });
    expect(JSON.parse(response.body).message).toMatch(
      /^Request must be smaller than \d+ bytes for the PutFunctionEventInvokeConfig operation$/,
    );
    expect(response.body).not.toContain("FST_");
  });
});

/** boto3 and the AWS CLIs (v1 from pip, v2 from Debian's package) where this machine has them. */
async function invokeWithPythonClients(endpoint: string): Promise<void> {
  if (!pythonWithBoto3()) return;
  const script = [
    "import boto3, json, sys",
    "c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='t', aws_secret_access_key='t')",
    "print(c.invoke(FunctionName='echo', Payload=b'{\"from\":\"boto3\"}')['Payload'].read().decode())",
    "print(json.dumps(c.put_function_event_invoke_config(FunctionName='echo', MaximumRetryAttempts=0)['MaximumRetryAttempts']))",
  ].join("\n");
  // Asynchronously: the stack answers from this very process.
  const out = (await run("python3", ["-c", script, endpoint])).stdout.trim().split("\n");
  expect(JSON.parse(out[0]!).echo).toEqual({ from: "boto3" });
  expect(out[1]).toBe("0");
  const folder = await mkdtemp(path.join(os.tmpdir(), "lambda-dest-cli-"));
  try {
    for (const aws of awsClis()) {
      const outfile = path.join(folder, "out.json");
      await run(
        aws,
        [
          "--endpoint-url",
          endpoint,
          "lambda",
          "invoke",
          "--function-name",
          "echo",
          ...(aws.startsWith("/usr/bin") ? ["--cli-binary-format", "raw-in-base64-out"] : []),
          "--payload",
          '{"from":"cli"}',
          outfile,
        ],
        {
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: "t",
            AWS_SECRET_ACCESS_KEY: "t",
            AWS_DEFAULT_REGION: "us-east-1",
          },
        },
      );
      expect(JSON.parse(await readFile(outfile, "utf8")).echo, aws).toEqual({ from: "cli" });
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function pythonWithBoto3(): boolean {
  try {
    execFileSync("python3", ["-c", "import boto3"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** AWS CLI v1 (pip) on the PATH and v2 from Debian's package, when present. */
function awsClis(): string[] {
  const found: string[] = [];
  for (const candidate of ["aws", "/usr/bin/aws"]) {
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" });
      found.push(candidate);
    } catch {
      // not installed here
    }
  }
  return found;
}

/**
 * Issue #8 item 3: AWS's deployment and invocation limits, with AWS's error types and messages.
 *
 * Sources (the messages AWS returns, as users quoted them):
 *   - "Unzipped size must be smaller than 262144000 bytes (Service: Lambda, Status Code: 400)",
 *     InvalidParameterValueException (jkehler/awslambda-psycopg2#82, serverless/serverless#6792).
 *   - "An error occurred (RequestEntityTooLargeException) when calling the CreateFunction operation: Request must
 *     be smaller than 69905067 bytes for the CreateFunction operation" (localstack/localstack#2999): 50 MB of
 *     zip, base64 in the JSON body.
 *   - "Request must be smaller than 6291456 bytes for the InvokeFunction operation (Status Code: 413; Error Code:
 *     RequestEntityTooLargeException)" (awslabs/aws-athena-query-federation#793).
 *   - "RequestEntityTooLargeException ... 264496 byte payload is too large for the Event invocation type (limit
 *     262144 bytes)" (ASFHyP3/hyp3#2241); the limit is 1 MB today: "For asynchronous invocations, the maximum
 *     payload size is 1 MB" (Lambda API reference, Invoke).
 *   - "InvalidParameterValueException: Lambda was unable to configure your environment variables because the
 *     environment variables you have provided exceeded the 4KB limit. String measured: {"A1":"uSFe...",
 *     and "RequestEntityTooLargeException: Request must be smaller than 5120 bytes for the
 *     UpdateFunctionConfiguration operation" (both quoted in a troubleshooting guide; LocalStack measures the
 *     variables as compact JSON).
 *   - A response over 6 MB: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
 *     errorType Function.ResponseSizeTooLarge, as a function error (DataBiosphere/azul#7466,
 *     umihico/pythonista-chromeless#11).
 */
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import * as path from "node:path";
import * as zlib from "node:zlib";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../src/local/stack.js";
import { type Clients, clientsFor, destroyClients } from "../integration/local/helpers.js";
import { buildZip, deployInline, rawRequest } from "./local-helpers.js";

let stack: LocalStack;
let clients: Clients;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

/**
 * A raw deflate stream of `mebibytes` MiB of zeros that weighs about 1 KB per MiB: one fully flushed block
 * repeated (each starts from a fresh state and ends byte-aligned), then an empty final block.
 */
function zeroBomb(mebibytes: number): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(1024 * 1024), {
    level: 9,
    finishFlush: zlib.constants.Z_FULL_FLUSH,
  });
  const final = zlib.deflateRawSync(Buffer.alloc(0));
  return Buffer.concat([...Array.from({ length: mebibytes }, () => block), final]);
}

const HANDLER = Buffer.from("export const handler = async () => 'ok';\n");

async function createWithZip(name: string, zip: Uint8Array) {
  return clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/lambda-role",
      Code: { ZipFile: zip },
    }),
  );
}

async function codeDirectories(): Promise<string[]> {
  return readdir(path.join(stack.workDirectory, "functions")).catch(() => []);
}

describe("#8.3 deployment limits", () => {
  it("#8.3 refuses a 1 MB zip that unpacks to 1 GiB, honest or lying headers, and leaves nothing behind", async () => {
    const bomb = zeroBomb(1024);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const before = await codeDirectories();
    const rssBefore = process.memoryUsage().rss;

    const honest = buildZip([
      { name: "index.mjs", method: 0, data: HANDLER, declaredSize: HANDLER.length },
      { name: "zeros.bin", method: 8, data: bomb, declaredSize: 1024 * 1024 * 1024 },
    ]);
    const refused = await createWithZip("bomb-honest", honest).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(InvalidParameterValueException);
    expect((refused as Error).message).toBe("Unzipped size must be smaller than 262144000 bytes");

    // Headers that claim 1 KB: the stack must stop while it streams, not after 1 GiB.
    const lying = buildZip([
      { name: "index.mjs", method: 0, data: HANDLER, declaredSize: HANDLER.length },
      { name: "zeros.bin", method: 8, data: bomb, declaredSize: 1024 },
    ]);
    const lied = await createWithZip("bomb-lying", lying).catch((error: Error) => error);
    expect(lied).toBeInstanceOf(InvalidParameterValueException);

    // Many entries that each tell the truth but add up to more than 250 MB.
    const kernel = zeroBomb(10);
    const many = buildZip(
      Array.from({ length: 30 }, (_, index) => ({
        name: `part-${index}.bin`,
        method: 8 as const,
        data: kernel,
        declaredSize: 10 * 1024 * 1024,
      })),
    );
    const summed = await createWithZip("bomb-summed", many).catch((error: Error) => error);
    expect(summed).toBeInstanceOf(InvalidParameterValueException);
    expect((summed as Error).message).toBe("Unzipped size must be smaller than 262144000 bytes");

    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 1024 * 1024);
    expect(await codeDirectories()).toEqual(before);
    for (const name of ["bomb-honest", "bomb-lying", "bomb-summed"]) {
      await expect(
        clients.lambda.send(new GetFunctionCommand({ FunctionName: name })),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
    }

    // UpdateFunctionCode with a bomb keeps the code that was there.
    await deployInline(clients, "keeps-code", { "index.mjs": "export const handler = async () => 'kept';" });
    const update = await clients.lambda
      .send(new UpdateFunctionCodeCommand({ FunctionName: "keeps-code", ZipFile: honest }))
      .catch((error: Error) => error);
    expect(update).toBeInstanceOf(InvalidParameterValueException);
    const kept = await clients.lambda.send(new InvokeCommand({ FunctionName: "keeps-code" }));
    expect(Buffer.from(kept.Payload!).toString()).toBe('"kept"');
  });

  it("#8.3 takes a package up to AWS's 50 MB and answers a larger request with RequestEntityTooLargeException", async () => {
    // 12 MB of incompressible data: over the 11 MiB the HTTP framework allowed, well under AWS's limit.
    const twelve = zipSync({ "index.mjs": HANDLER, "data.bin": randomBytes(12 * 1024 * 1024) }, { level: 0 });
    const created = await createWithZip("twelve-megabytes", twelve);
    expect(created.CodeSize).toBe(twelve.length);

    const tooLarge = await rawRequest(stack.port, {
      method: "POST",
      path: "/2015-03-31/functions",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ FunctionName: "too-large", Code: { ZipFile: "A".repeat(69_905_068) } }),
      timeoutMs: 30_000,
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers["x-amzn-errortype"]).toBe("RequestEntityTooLargeException");
    expect(JSON.parse(tooLarge.body)).toEqual({
      Type: "User",
      message: "Request must be smaller than 69905067 bytes for the CreateFunction operation",
    });
  });
});

describe("#8.3 configuration limits", () => {
  it("#8.3 refuses environment variables over 4 KB and an UpdateFunctionConfiguration over 5120 bytes", async () => {
    const variables = { BIG: "v".repeat(4096) };
    const created = await deployInline(
      clients,
      "env-too-big",
      { "index.mjs": "export const handler = async () => 1;" },
      {
        environment: variables,
      },
    ).catch((error: Error) => error);
    expect(created).toBeInstanceOf(InvalidParameterValueException);
    expect((created as Error).message).toBe(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(variables)}`,
    );
    await deployInline(clients, "env-update", { "index.mjs": "export const handler = async () => 1;" });
    const update = await rawRequest(stack.port, {
      method: "PUT",
      path: "/2015-03-31/functions/env-update/configuration",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Description: "d".repeat(5200) }),
    });
    expect(update.status).toBe(413);
    expect(JSON.parse(update.body).message).toBe(
      "Request must be smaller than 5120 bytes for the UpdateFunctionConfiguration operation",
    );
  });
});

describe("#8.3 invocation payload limits", () => {
  it("#8.3 refuses a request payload over 6 MB (sync) and 1 MB (async) with AWS's errors", async () => {
    await deployInline(clients, "payload-limits", {
      "index.mjs": "export const handler = async () => 'ok';",
    });
    const sync = await rawRequest(stack.port, {
      method: "POST",
      path: "/2015-03-31/functions/payload-limits/invocations",
      headers: { "content-type": "application/octet-stream" },
      body: JSON.stringify({ pad: "x".repeat(6 * 1024 * 1024) }),
      timeoutMs: 20_000,
    });
    expect(sync.status).toBe(413);
    expect(sync.headers["x-amzn-errortype"]).toBe("RequestEntityTooLargeException");
    expect(JSON.parse(sync.body).message).toBe(
      "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    );

    const payload = JSON.stringify({ pad: "x".repeat(1024 * 1024 - 9) });
    expect(Buffer.byteLength(payload)).toBe(1024 * 1024 + 1);
    const asyncInvoke = await rawRequest(stack.port, {
      method: "POST",
      path: "/2015-03-31/functions/payload-limits/invocations",
      headers: { "content-type": "application/octet-stream", "x-amz-invocation-type": "Event" },
      body: payload,
    });
    expect(asyncInvoke.status).toBe(413);
    expect(asyncInvoke.headers["x-amzn-errortype"]).toBe("RequestEntityTooLargeException");
    expect(JSON.parse(asyncInvoke.body).message).toBe(
      "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)",
    );
  });

  it("#8.3 turns a synchronous response over 6 MB into Function.ResponseSizeTooLarge, as AWS does", async () => {
    await deployInline(clients, "big-answer", {
      "index.mjs": "export const handler = async (event) => 'x'.repeat(event.size);",
    });
    const big = await clients.lambda.send(
      new InvokeCommand({
        FunctionName: "big-answer",
        Payload: Buffer.from(JSON.stringify({ size: 7 * 1024 * 1024 })),
      }),
    );
    expect(big.StatusCode).toBe(200);
    expect(big.FunctionError).toBe("Unhandled");
    expect(JSON.parse(Buffer.from(big.Payload!).toString())).toEqual({
      errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
      errorType: "Function.ResponseSizeTooLarge",
    });
    // Just under the limit is fine, and the environment still serves the next invocation.
    const fits = await clients.lambda.send(
      new InvokeCommand({
        FunctionName: "big-answer",
        Payload: Buffer.from(JSON.stringify({ size: 6_291_000 })),
      }),
    );
    expect(fits.FunctionError).toBeUndefined();
    expect(Buffer.from(fits.Payload!).length).toBe(6_291_002);
  });
});

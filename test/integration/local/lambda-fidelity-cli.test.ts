import {
  CreateAliasCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { zipDirectory } from "../../../src/local/zip-directory.js";
import { CliProcess, parseLines, runCli } from "../aws/support.js";
import { type Clients, clientsFor, createQueue, deployFixture, destroyClients } from "./helpers.js";

// `invoke --qualifier` against the local stack's versions and aliases (the built binary, as a user runs it).
// A record of an alias invocation carries the alias ARN and the version that ran, as AWS writes it
// (requestContext.functionArn and responseContext.executedVersion: Lambda developer guide, "Capturing records
// of Lambda asynchronous invocations").

let stack: LocalStack;
let clients: Clients;
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  await deployFixture(clients, "fid-cli", "node-esm");
  await clients.lambda.send(new PublishVersionCommand({ FunctionName: "fid-cli" }));
  await clients.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: "fid-cli",
      ZipFile: await zipDirectory("test/fixtures/functions/node-batch"),
    }),
  );
  await clients.lambda.send(
    new CreateAliasCommand({ FunctionName: "fid-cli", Name: "live", FunctionVersion: "1" }),
  );
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

describe("invoke --qualifier", () => {
  it("--sync runs the version asked for", async () => {
    const v1 = await runCli(stack, ["invoke", "fid-cli", '{"Records":[]}', "--qualifier", "1", "--sync"]);
    expect(v1.code, v1.stderr).toBe(0);
    expect(JSON.parse(v1.stdout)).toMatchObject({ ok: true });
    const latest = await runCli(stack, ["invoke", "fid-cli", '{"Records":[]}', "--sync"]);
    expect(JSON.parse(latest.stdout)).toEqual({ batchItemFailures: [] });
  });

  it("--wait follows the alias's own destination and prints its record", async () => {
    const queue = await createQueue(clients, "fid-cli-records");
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "fid-cli",
        Qualifier: "live",
        DestinationConfig: { OnSuccess: { Destination: queue.arn } },
      }),
    );
    const result = await runCli(stack, [
      "invoke",
      "fid-cli",
      '{"orderId":9}',
      "--qualifier",
      "live",
      "--wait",
      "--json",
      "--timeout",
      "30s",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [record] = parseLines(result.stdout);
    expect(record).toMatchObject({
      outcome: "success",
      summary: { condition: "Success", functionName: "fid-cli", qualifier: "live" },
      payload: {
        requestContext: { functionArn: `${ARN}:fid-cli:live`, condition: "Success" },
        requestPayload: { orderId: 9 },
        responseContext: { statusCode: 200, executedVersion: "1" },
        responsePayload: { ok: true },
      },
    });
  });

  it("tail function:NAME:ALIAS follows that alias's destinations", async () => {
    const queue = await createQueue(clients, "fid-cli-tailed");
    await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: "fid-cli", Name: "tailed", FunctionVersion: "1" }),
    );
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "fid-cli",
        Qualifier: "tailed",
        DestinationConfig: { OnSuccess: { Destination: queue.arn } },
      }),
    );
    const tail = new CliProcess(stack, ["tail", "function:fid-cli:tailed", "--json", "--max", "1"]);
    await tail.waitFor("listening");
    const invoked = await runCli(stack, ["invoke", "fid-cli", '{"tailed":true}', "--qualifier", "tailed"]);
    expect(invoked.code, invoked.stderr).toBe(0);
    const result = await tail.done;
    expect(result.code, result.stderr).toBe(0);
    const [record] = parseLines(result.stdout);
    expect(record).toMatchObject({
      summary: { condition: "Success", qualifier: "tailed" },
      payload: {
        requestContext: { functionArn: `${ARN}:fid-cli:tailed` },
        requestPayload: { tailed: true },
        responseContext: { executedVersion: "1" },
      },
    });
  });
});

import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
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

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, retryDelayScale: 0.001 });
  clients = clientsFor(stack);
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

describe("many asynchronous invocations", () => {
  it("200 concurrent Event invokes give exactly 200 records: none lost, none duplicated", async () => {
    const records = await createQueue(clients, "many-records");
    await deployFixture(clients, "many", "node-esm");
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "many",
        DestinationConfig: {
          OnSuccess: { Destination: records.arn },
          OnFailure: { Destination: records.arn },
        },
      }),
    );
    const requestIds = await Promise.all(
      Array.from({ length: 200 }, async (_, index) => {
        const response = await clients.lambda.send(
          new InvokeCommand({
            FunctionName: "many",
            InvocationType: "Event",
            // Every fifth one fails once for good measure: retried, then recorded as a failure.
            Payload: Buffer.from(JSON.stringify(index % 5 === 0 ? { index, fail: "x" } : { index })),
          }),
        );
        return response.$metadata.requestId!;
      }),
    );
    expect(new Set(requestIds).size).toBe(200);
    const bodies = await receiveBodies(clients, records.url, 200, 40_000);
    const seen = bodies.map((body) => JSON.parse(body).requestContext.requestId);
    expect(seen).toHaveLength(200);
    expect(new Set(seen)).toEqual(new Set(requestIds));
    const failures = bodies
      .map((body) => JSON.parse(body))
      .filter((record) => record.requestContext.condition !== "Success");
    expect(failures).toHaveLength(40);
    expect(failures.every((record) => record.requestContext.approximateInvokeCount === 3)).toBe(true);
    // Nothing more arrives afterwards.
    expect(await receiveBodies(clients, records.url, 1, 1000)).toEqual([]);
  }, 60_000);
});

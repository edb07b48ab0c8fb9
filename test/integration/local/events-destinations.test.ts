/**
 * Lambda destinations to an event bus, end to end through the real SDK clients: an asynchronous invocation
 * whose OnSuccess/OnFailure destination is a bus ARN puts one event on that bus, and the bus's rules route it.
 * The event's shape is what Lambda puts on a bus (AWS Lambda developer guide, "Capturing records of Lambda
 * asynchronous invocations", the EventBridge destination example; and events recorded from AWS): version "0",
 * detail-type "Lambda Function Invocation Result - Success" / "- Failure", source "lambda" (real events; the
 * current guide shows "aws.lambda"), time to the second, resources [bus ARN, qualified function ARN], and the
 * invocation record as detail with its keys in alphabetical order.
 */
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeValue } from "../../../src/envelopes/analyze.js";
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
let events: EventBridgeClient;
const ACCOUNT = "000000000000";
const logged: string[] = [];

beforeAll(async () => {
  const collect = (line: string) => logged.push(line);
  stack = await startLocalStack({
    port: 0,
    retryDelayScale: 0.001,
    logger: { info: collect, warn: collect, error: collect },
  });
  clients = clientsFor(stack);
  events = new EventBridgeClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});

afterAll(async () => {
  events?.destroy();
  if (clients) destroyClients(clients);
  await stack?.stop();
});

async function invokeAsync(functionName: string, payload: string): Promise<string> {
  const response = await clients.lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(payload) }),
  );
  expect(response.StatusCode).toBe(202);
  return response.$metadata.requestId!;
}

describe("EventBridge destinations", () => {
  it("success and failure records reach a user's rule's target queue as Lambda's events", async () => {
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: "results" }));
    const defaultBusArn = `arn:aws:events:${stack.region}:${ACCOUNT}:event-bus/default`;
    const successes = await createQueue(clients, "eb-dest-success");
    const failures = await createQueue(clients, "eb-dest-failure");
    // A user's rules, created by a foreign client: one on the custom bus, one on the default bus.
    await events.send(
      new PutRuleCommand({
        Name: "successes",
        EventBusName: "results",
        EventPattern: JSON.stringify({
          source: ["lambda"],
          "detail-type": ["Lambda Function Invocation Result - Success"],
        }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "successes",
        EventBusName: "results",
        Targets: [{ Id: "q", Arn: successes.arn }],
      }),
    );
    await events.send(
      new PutRuleCommand({
        Name: "failures",
        EventPattern: JSON.stringify({
          "detail-type": [{ suffix: "- Failure" }],
          detail: { requestContext: { condition: ["RetriesExhausted"] } },
        }),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: "failures", Targets: [{ Id: "q", Arn: failures.arn }] }));

    await deployFixture(clients, "eb-dest", "node-esm");
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "eb-dest",
        MaximumRetryAttempts: 0,
        DestinationConfig: {
          OnSuccess: { Destination: EventBusArn },
          OnFailure: { Destination: defaultBusArn },
        },
      }),
    );

    const okId = await invokeAsync("eb-dest", '{"order":1}');
    const [successText] = await receiveBodies(clients, successes.url, 1, 15_000);
    expect(successText, "a success event arrived").toBeDefined();
    const success = JSON.parse(successText!);
    expect(Object.keys(success)).toEqual([
      "version",
      "id",
      "detail-type",
      "source",
      "account",
      "time",
      "region",
      "resources",
      "detail",
    ]);
    const functionArn = `arn:aws:lambda:${stack.region}:${ACCOUNT}:function:eb-dest:$LATEST`;
    expect(success).toMatchObject({
      version: "0",
      "detail-type": "Lambda Function Invocation Result - Success",
      source: "lambda",
      account: ACCOUNT,
      region: stack.region,
      resources: [EventBusArn, functionArn],
    });
    expect(success.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(success.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Object.keys(success.detail)).toEqual([
      "requestContext",
      "requestPayload",
      "responseContext",
      "responsePayload",
      "timestamp",
      "version",
    ]);
    expect(success.detail.requestContext).toEqual({
      approximateInvokeCount: 1,
      condition: "Success",
      functionArn,
      requestId: okId,
    });
    expect(success.detail.requestPayload).toEqual({ order: 1 });
    // lambda-dest's own reading: an invocation record behind an EventBridge event, valid against the schemas.
    const [analyzed] = analyzeValue(success);
    expect(analyzed).toMatchObject({
      kind: "invocation-record",
      layers: ["eventbridge-event", "invocation-record"],
      valid: true,
    });

    const failId = await invokeAsync("eb-dest", '{"fail":"stock"}');
    const [failureText] = await receiveBodies(clients, failures.url, 1, 15_000);
    expect(failureText, "a failure event arrived").toBeDefined();
    const failure = JSON.parse(failureText!);
    expect(failure).toMatchObject({
      "detail-type": "Lambda Function Invocation Result - Failure",
      source: "lambda",
      resources: [defaultBusArn, functionArn],
    });
    expect(failure.detail.requestContext).toMatchObject({ requestId: failId, condition: "RetriesExhausted" });
    expect(failure.detail.responseContext.functionError).toBe("Unhandled");
    // Nothing went to the wrong queue.
    expect(await receiveBodies(clients, successes.url, 1, 1000)).toEqual([]);
  });

  it("a record over PutEvents' 256 KB is a logged delivery failure (AWS counts it in DestinationDeliveryFailures)", async () => {
    await deployFixture(clients, "eb-dest-big", "node-esm");
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "eb-dest-big",
        MaximumRetryAttempts: 0,
        DestinationConfig: {
          OnSuccess: { Destination: `arn:aws:events:${stack.region}:${ACCOUNT}:event-bus/default` },
        },
      }),
    );
    // The function echoes its event, so the record holds the 150 KB twice.
    const id = await invokeAsync("eb-dest-big", JSON.stringify({ pad: "x".repeat(150 * 1024) }));
    const deadline = Date.now() + 10_000;
    const find = () => logged.find((line) => line.startsWith("delivery failed") && line.includes(id));
    while (!find() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(find()).toContain("Total size of the entries in the request is over the limit.");
  });

  // AWS's PutEvents accepts an event for a bus that does not exist and drops it (FailedEntryCount 0: the AWS CLI
  // issue aws/aws-cli#9186, and LocalStack's AWS-validated test_put_events_nonexistent_event_bus); the local
  // stack does the same and says so in its log.
  it("a bus that does not exist takes the record and drops it, with a warning, and the stack carries on", async () => {
    await deployFixture(clients, "eb-dest-lost", "node-esm");
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "eb-dest-lost",
        MaximumRetryAttempts: 0,
        DestinationConfig: {
          OnSuccess: { Destination: `arn:aws:events:${stack.region}:${ACCOUNT}:event-bus/no-such-bus` },
        },
      }),
    );
    const id = await invokeAsync("eb-dest-lost", "{}");
    const deadline = Date.now() + 10_000;
    const find = () =>
      logged.find((line) => line.includes(id) && line.includes("no-such-bus") && !line.startsWith("["));
    while (!find() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(find()).toBeDefined();
    expect(
      logged.some((line) => line.includes(`delivered Success record of eb-dest-lost (RequestId ${id})`)),
    ).toBe(true);
    expect((await invokeAsync("eb-dest-lost", "{}")).length).toBe(36);
  });
});

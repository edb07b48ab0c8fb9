/**
 * Issue #8 item 4: recursive loops stop after 16 invocations of one chain, as on AWS.
 *
 * AWS Compute Blog, "Detecting and stopping recursive loops in AWS Lambda functions": "Lambda uses an AWS X-Ray
 * trace header primitive called "Lineage" to track the number of times a function has been invoked with an
 * event. When your function code sends an event using a supported AWS SDK version, Lambda increments the counter
 * in the lineage header. If your function is then invoked with the same triggering event more than 16 times,
 * Lambda stops the next invocation for that event." ... "It returns a RecursiveInvocationException to the caller
 * ... For asynchronous invokes, Lambda sends the event to a dead-letter queue or on-failure destination, if one
 * is configured." The per-function setting is PutFunctionRecursionConfig, RecursiveLoop "Terminate" (default)
 * or "Allow" (Lambda API reference).
 */
import {
  CreateEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetFunctionRecursionConfigCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
  PutFunctionRecursionConfigCommand,
} from "@aws-sdk/client-lambda";
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../src/local/stack.js";
import { type Clients, clientsFor, createQueue, destroyClients } from "../integration/local/helpers.js";
import { deployInline } from "./local-helpers.js";

let stack: LocalStack;
let clients: Clients;
const logged: string[] = [];

beforeAll(async () => {
  const collect = (line: string) => logged.push(line);
  stack = await startLocalStack({ port: 0, logger: { info: collect, warn: collect, error: collect } });
  clients = clientsFor(stack);
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

/** Lines a function printed with `console.log(marker)`, as the stack's log shows them. */
function count(functionName: string, marker: string): number {
  return logged.filter((line) => line.startsWith(`[${functionName}]`) && line.includes(marker)).length;
}

/** Waits until the count stops changing for `quietMs` (or `limit` is passed), and returns it. */
async function settledCount(
  functionName: string,
  marker: string,
  limit = 40,
  quietMs = 1500,
): Promise<number> {
  const deadline = Date.now() + 20_000;
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const now = count(functionName, marker);
    if (now > limit) return now;
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (now > 0 && Date.now() - stableSince >= quietMs) {
      return now;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return last;
}

const LOGS_AND_SUCCEEDS = {
  "index.mjs": `export const handler = async () => { console.log("invoked"); return "ok"; };`,
};

describe("#8.4 recursive loops", () => {
  it("#8.4 stops a function that is its own destination's destination after 16 invocations, and says so", async () => {
    // AWS refuses a function as its own destination ("You can't specify the function as a destination for
    // itself."), so the loop goes through a second function.
    const arn = await deployInline(clients, "self-destination", LOGS_AND_SUCCEEDS);
    const partner = await deployInline(clients, "self-destination-partner", LOGS_AND_SUCCEEDS);
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "self-destination-partner",
        DestinationConfig: { OnSuccess: { Destination: arn } },
      }),
    );
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "self-destination",
        DestinationConfig: { OnSuccess: { Destination: partner } },
      }),
    );
    await clients.lambda.send(
      new InvokeCommand({ FunctionName: "self-destination", InvocationType: "Event" }),
    );
    expect(await settledCount("self-destination", "invoked")).toBe(16);
    expect(logged.some((line) => line.includes("self-destination") && line.includes("recursive loop"))).toBe(
      true,
    );
    const config = await clients.lambda.send(
      new GetFunctionRecursionConfigCommand({ FunctionName: "self-destination" }),
    );
    expect(config.RecursiveLoop).toBe("Terminate");
  });

  it("#8.4 lets the loop run on with RecursiveLoop Allow", async () => {
    const arn = await deployInline(clients, "allowed-loop", LOGS_AND_SUCCEEDS);
    const partner = await deployInline(clients, "allowed-loop-partner", LOGS_AND_SUCCEEDS);
    for (const name of ["allowed-loop", "allowed-loop-partner"]) {
      const put = await clients.lambda.send(
        new PutFunctionRecursionConfigCommand({ FunctionName: name, RecursiveLoop: "Allow" }),
      );
      expect(put.RecursiveLoop).toBe("Allow");
    }
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "allowed-loop-partner",
        DestinationConfig: { OnSuccess: { Destination: arn } },
      }),
    );
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "allowed-loop",
        DestinationConfig: { OnSuccess: { Destination: partner } },
      }),
    );
    await clients.lambda.send(new InvokeCommand({ FunctionName: "allowed-loop", InvocationType: "Event" }));
    expect(await settledCount("allowed-loop", "invoked", 20)).toBeGreaterThan(20);
    await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: "allowed-loop" }));
    await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: "allowed-loop-partner" }));
  });

  it("#8.4 stops function -> SQS queue -> event source mapping -> same function after 16 invocations", async () => {
    const queue = await createQueue(clients, "loop-queue", { VisibilityTimeout: "30" });
    await deployInline(
      clients,
      "queue-loop",
      {
        "index.mjs": [
          `import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";`,
          `const sqs = new SQSClient({});`,
          `export const handler = async (event) => {`,
          `  console.log("invoked");`,
          `  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: "again" }));`,
          `  return {};`,
          `};`,
        ].join("\n"),
      },
      { environment: { QUEUE_URL: queue.url } },
    );
    await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: queue.arn,
        FunctionName: "queue-loop",
        BatchSize: 1,
      }),
    );
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "start" }));
    expect(await settledCount("queue-loop", "invoked")).toBe(16);
    expect(logged.some((line) => line.includes("queue-loop") && line.includes("recursive loop"))).toBe(true);
  });

  it("#8.4 follows the chain through SNS: function -> topic -> queue -> same function stops after 16", async () => {
    const queue = await createQueue(clients, "topic-loop-queue", { VisibilityTimeout: "30" });
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: "loop-topic" }));
    await clients.sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queue.arn }));
    await deployInline(
      clients,
      "topic-loop",
      {
        "index.mjs": [
          `import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";`,
          `const sns = new SNSClient({});`,
          `export const handler = async () => {`,
          `  console.log("invoked");`,
          `  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: "again" }));`,
          `  return {};`,
          `};`,
        ].join("\n"),
      },
      { environment: { TOPIC_ARN: TopicArn! }, timeout: 30 },
    );
    await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: queue.arn,
        FunctionName: "topic-loop",
        BatchSize: 1,
      }),
    );
    await clients.sns.send(new PublishCommand({ TopicArn, Message: "start" }));
    expect(await settledCount("topic-loop", "invoked")).toBe(16);
  });

  it("#8.4 stops a function that invokes itself through the SDK after 16 invocations", async () => {
    await deployInline(
      clients,
      "invokes-itself",
      {
        "index.mjs": [
          `import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";`,
          `const lambda = new LambdaClient({});`,
          `export const handler = async () => {`,
          `  console.log("invoked");`,
          `  await lambda.send(new InvokeCommand({ FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME, InvocationType: "Event" }));`,
          `  return {};`,
          `};`,
        ].join("\n"),
      },
      { timeout: 30 },
    );
    await clients.lambda.send(new InvokeCommand({ FunctionName: "invokes-itself", InvocationType: "Event" }));
    expect(await settledCount("invokes-itself", "invoked")).toBe(16);
  });
});

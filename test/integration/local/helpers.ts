import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { CreateFunctionCommand, LambdaClient, type Runtime } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { zipDirectory } from "../../../src/local/zip-directory.js";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/functions");

export interface Clients {
  lambda: LambdaClient;
  sqs: SQSClient;
  sns: SNSClient;
  s3: S3Client;
}

/** Real SDK clients pointed at the stack, as a user would configure them. */
export function clientsFor(stack: LocalStack): Clients {
  const common = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  return {
    // One attempt: the tests want to see the first answer, not the SDK retrying a throttle.
    lambda: new LambdaClient({ ...common, maxAttempts: 1 }),
    sqs: new SQSClient(common),
    sns: new SNSClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
  };
}

export interface DeployOptions {
  runtime?: Runtime;
  handler?: string;
  timeout?: number;
  environment?: Record<string, string>;
}

/** Creates a function from a fixture folder (test/fixtures/functions/NAME); returns its ARN. */
export async function deployFixture(
  clients: Clients,
  name: string,
  fixture: string,
  options: DeployOptions = {},
): Promise<string> {
  return deployZip(clients, name, await zipDirectory(path.join(fixtures, fixture)), options);
}

/** Creates a Node.js function whose index.mjs is `source`; returns its ARN. */
export async function deploySource(
  clients: Clients,
  name: string,
  source: string,
  options: DeployOptions = {},
): Promise<string> {
  return deployZip(clients, name, zipSync({ "index.mjs": strToU8(source) }), options);
}

async function deployZip(
  clients: Clients,
  name: string,
  zip: Uint8Array,
  options: DeployOptions,
): Promise<string> {
  const result = await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: options.runtime ?? "nodejs20.x",
      Handler: options.handler ?? "index.handler",
      Role: "arn:aws:iam::000000000000:role/lambda-role",
      Code: { ZipFile: zip },
      Timeout: options.timeout,
      Environment: options.environment ? { Variables: options.environment } : undefined,
    }),
  );
  return result.FunctionArn!;
}

export async function createQueue(
  clients: Pick<Clients, "sqs">,
  name: string,
  attributes?: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Receives and deletes messages until `count` have arrived or `timeoutMs` passes. */
export async function receiveBodies(
  clients: Clients,
  queueUrl: string,
  count: number,
  timeoutMs = 10_000,
): Promise<string[]> {
  const bodies: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (bodies.length < count && Date.now() < deadline) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages) bodies.push(message.Body!);
    if (Messages.length > 0) {
      await clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle!,
          })),
        }),
      );
    }
  }
  return bodies;
}

export function destroyClients(clients: Clients): void {
  clients.lambda.destroy();
  clients.sqs.destroy();
  clients.sns.destroy();
  clients.s3.destroy();
}

/**
 * One local stack for a test file: started before its tests with SDK clients pointed at it, stopped after them.
 * `use` receives both once they exist.
 */
export function useLocalStack(
  use: (started: { stack: LocalStack; clients: Clients }) => void,
  options: Parameters<typeof startLocalStack>[0] = { port: 0 },
): void {
  let started: { stack: LocalStack; clients: Clients } | undefined;
  beforeAll(async () => {
    const stack = await startLocalStack(options);
    started = { stack, clients: clientsFor(stack) };
    use(started);
  });
  afterAll(async () => {
    if (!started) return;
    destroyClients(started.clients);
    await started.stack.stop();
  });
}

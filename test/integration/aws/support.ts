/** Running the built binary against an in-process local stack, and SDK clients to set up and inspect it. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  CreateFunctionCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";

export const repoRoot = join(import.meta.dirname, "../../..");
const binPath = process.env.LAMBDA_DEST_BIN ?? join(repoRoot, "bin/lambda-dest.cjs");

export const testEnv: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  NO_COLOR: "1",
  // Nothing from the developer's own AWS setup may leak in.
  AWS_PROFILE: undefined,
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_CONFIG_FILE: "/nonexistent/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
};

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /** Leave out --endpoint-url / --region. */
  bare?: boolean;
}

function argsFor(stack: LocalStack | undefined, args: string[], options: RunOptions): string[] {
  if (options.bare || !stack) return args;
  return [...args, "--endpoint-url", stack.endpoint, "--region", stack.region];
}

/** A running binary: its output so far, a way to wait for a line, to signal it and to await its end. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly done: Promise<CliResult>;

  constructor(stack: LocalStack | undefined, args: string[], options: RunOptions = {}) {
    this.child = spawn(process.execPath, [binPath, ...argsFor(stack, args, options)], {
      cwd: repoRoot,
      env: { ...process.env, ...testEnv, ...options.env },
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    if (options.input !== undefined) this.child.stdin!.end(options.input);
    this.done = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code, signal) =>
        resolve({
          code,
          signal,
          stdout: stripVTControlCharacters(this.stdout),
          stderr: stripVTControlCharacters(this.stderr),
        }),
      );
    });
  }

  /** Resolves when stderr (or stdout) contains the text; fails after the timeout with what was printed. */
  async waitFor(
    text: string | RegExp,
    stream: "stderr" | "stdout" = "stderr",
    timeoutMs = 15_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const matches = () => {
      const output = stream === "stderr" ? this.stderr : this.stdout;
      return typeof text === "string" ? output.includes(text) : text.test(output);
    };
    while (!matches()) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `did not see ${String(text)} on ${stream}; stdout: ${this.stdout}\nstderr: ${this.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export function runCli(
  stack: LocalStack | undefined,
  args: string[],
  options: RunOptions = {},
): Promise<CliResult> {
  return new CliProcess(stack, args, options).done;
}

export interface StackClients {
  sqs: SQSClient;
  sns: SNSClient;
  lambda: LambdaClient;
  s3: S3Client;
  events: EventBridgeClient;
  /** Closes every client's connections. */
  destroy(): void;
}

/** SDK clients for the local stack, in its region or another (for ARNs that name one). */
export function clientsFor(stack: LocalStack, region = stack.region): StackClients {
  const config = {
    endpoint: stack.endpoint,
    region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  const clients = {
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    lambda: new LambdaClient(config),
    // The local stack serves buckets by path (http://endpoint/bucket), not as subdomains of the endpoint.
    s3: new S3Client({ ...config, forcePathStyle: true }),
    events: new EventBridgeClient(config),
  };
  return {
    ...clients,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

/**
 * A local stack for the tests of one file: started (with SDK clients for it) before them, handed to `use`,
 * stopped after them, its clients destroyed. Hooks the file adds afterwards run once it has started.
 */
export function useStack(use: (started: { stack: LocalStack; clients: StackClients }) => void): void {
  let started: { stack: LocalStack; clients: StackClients } | undefined;
  beforeAll(async () => {
    const stack = await startLocalStack({ port: 0 });
    started = { stack, clients: clientsFor(stack) };
    use(started);
  });
  afterAll(async () => {
    started?.clients.destroy();
    await started?.stack.stop();
  });
}

export { createQueue } from "../local/helpers.js";

export async function createTopic(
  clients: StackClients,
  name: string,
  attributes?: Record<string, string>,
): Promise<string> {
  const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }));
  return TopicArn!;
}

export async function queueCounts(
  clients: StackClients,
  url: string,
): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** A Node.js function: fails when the event says `fail`, sleeps `sleepMs`, else returns what it got. */
export const HANDLER = `export const handler = async (event, context) => {
  console.log("got", JSON.stringify(event));
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.fail) { const error = new Error("failing on purpose: " + event.fail); error.name = "OrderError"; throw error; }
  return { ok: true, echo: event };
};
`;

export async function deployFunction(
  clients: StackClients,
  name: string,
  destinations: { onSuccess?: string; onFailure?: string; retries?: number } = {},
): Promise<string> {
  const { FunctionArn } = await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/lambda-role",
      Code: { ZipFile: zipSync({ "index.mjs": strToU8(HANDLER) }) },
      Timeout: 10,
    }),
  );
  if (destinations.onSuccess || destinations.onFailure || destinations.retries !== undefined) {
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        MaximumRetryAttempts: destinations.retries,
        DestinationConfig: {
          OnSuccess: destinations.onSuccess ? { Destination: destinations.onSuccess } : undefined,
          OnFailure: destinations.onFailure ? { Destination: destinations.onFailure } : undefined,
        },
      }),
    );
  }
  return FunctionArn!;
}

/** A compact invocation record, as Lambda sends it. */
export function invocationRecord(options: {
  requestId: string;
  functionName?: string;
  success: boolean;
  attempts?: number;
}): string {
  const functionArn = `arn:aws:lambda:us-east-1:000000000000:function:${options.functionName ?? "order-processor"}:$LATEST`;
  const base = {
    version: "1.0",
    timestamp: "2025-11-14T18:16:05.568Z",
    requestContext: {
      requestId: options.requestId,
      functionArn,
      condition: options.success ? "Success" : "RetriesExhausted",
      approximateInvokeCount: options.attempts ?? (options.success ? 1 : 3),
    },
    requestPayload: { orderId: 1 },
    responseContext: options.success
      ? { statusCode: 200, executedVersion: "$LATEST" }
      : { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: options.success
      ? { ok: true }
      : {
          errorType: "OrderError",
          errorMessage: "failing on purpose",
          trace: ["OrderError: failing on purpose"],
        },
  };
  return JSON.stringify(base);
}

export function parseLines(text: string): any[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

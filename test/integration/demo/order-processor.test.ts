/**
 * The example handlers on the local stack, invoked directly: what they publish for an SQS batch, and what
 * they return or throw for an asynchronous-style event. The Python handler runs with boto3 when python3 has
 * it, and with its standard-library fallback (boto3 hidden) in any case.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeValue } from "../../../src/envelopes/index.js";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { zipDirectory } from "../../../src/local/zip-directory.js";
import { receiveMessages } from "./support.js";

// The SDK's notice about future Node versions says nothing about these tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const examples = path.resolve(import.meta.dirname, "../../../examples/order-processor");
const hasPython = spawnSync("python3", ["--version"]).status === 0;
const hasBoto3 = hasPython && spawnSync("python3", ["-c", "import boto3"]).status === 0;

interface Variant {
  name: string;
  runtime: "nodejs20.x" | "python3.12";
  handler: string;
  folder: string;
  /** Extra environment, e.g. PYTHONPATH with a boto3 that cannot be imported. */
  environment?: Record<string, string>;
  errorType: string;
  enabled: boolean;
}

const hiddenBoto3 = mkdtempSync(path.join(tmpdir(), "lambda-dest-no-boto3-"));
writeFileSync(path.join(hiddenBoto3, "boto3.py"), 'raise ImportError("boto3 is hidden for this test")\n');

const variants: Variant[] = [
  {
    name: "node",
    runtime: "nodejs20.x",
    handler: "index.handler",
    folder: "node",
    errorType: "Error",
    enabled: true,
  },
  {
    name: "python-boto3",
    runtime: "python3.12",
    handler: "app.handler",
    folder: "python",
    errorType: "ValueError",
    enabled: hasBoto3,
  },
  {
    name: "python-stdlib",
    runtime: "python3.12",
    handler: "app.handler",
    folder: "python",
    environment: { PYTHONPATH: hiddenBoto3 },
    errorType: "ValueError",
    enabled: hasPython,
  },
];

let stack: LocalStack;
let lambda: LambdaClient;
let sqs: SQSClient;
let sns: SNSClient;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  const common = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  lambda = new LambdaClient({ ...common, maxAttempts: 1 });
  sqs = new SQSClient(common);
  sns = new SNSClient(common);
});

afterAll(async () => {
  lambda?.destroy();
  sqs?.destroy();
  sns?.destroy();
  await stack?.stop();
  rmSync(hiddenBoto3, { recursive: true, force: true });
});

/** A topic and a queue subscribed to it, to read what the handler published. */
async function tappedTopic(name: string): Promise<{ topicArn: string; queueUrl: string }> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-tap` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn! }));
  return { topicArn: TopicArn!, queueUrl: QueueUrl! };
}

function sqsRecord(messageId: string, body: string) {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {},
    messageAttributes: {},
    md5OfBody: "0".repeat(32),
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:orders",
    awsRegion: "us-east-1",
  };
}

async function invoke(functionName: string, event: unknown) {
  const output = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  return {
    functionError: output.FunctionError,
    requestId: output.$metadata.requestId,
    result: JSON.parse(new TextDecoder().decode(output.Payload)),
  };
}

describe.each(variants)("order-processor ($name)", (variant) => {
  const functionName = `order-processor-${variant.name}`;
  let success: { topicArn: string; queueUrl: string };
  let failure: { topicArn: string; queueUrl: string };

  beforeAll(async () => {
    if (!variant.enabled) return;
    success = await tappedTopic(`${variant.name}-success`);
    failure = await tappedTopic(`${variant.name}-failure`);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: variant.runtime,
        Handler: variant.handler,
        Role: "arn:aws:iam::000000000000:role/order-processor",
        Code: { ZipFile: await zipDirectory(path.join(examples, variant.folder)) },
        Timeout: 10,
        Environment: {
          Variables: {
            SUCCESS_TOPIC_ARN: success.topicArn,
            FAILURE_TOPIC_ARN: failure.topicArn,
            ...variant.environment,
          },
        },
      }),
    );
  });

  it.skipIf(!variant.enabled)(
    "an SQS batch: one processing result per record, on the topic of its outcome",
    async () => {
      const good = '{"order_id":"1","item":"teapot"}';
      const bad = '{"order_id":"2","note":"simulate an error"}';
      const { functionError, result } = await invoke(functionName, {
        Records: [sqsRecord("m-1", good), sqsRecord("m-2", bad)],
      });
      expect(functionError).toBeUndefined();
      expect(result).toEqual({ processed: 2, succeeded: 1, failed: 1 });

      const [published] = await receiveMessages(sqs, success.queueUrl, 1);
      const [successEnvelope] = analyzeValue(published);
      expect(successEnvelope).toMatchObject({
        kind: "processing-result",
        layers: ["sqs-message", "sns-notification", "processing-result"],
        valid: true,
        payload: { message_id: "m-1", body: good, status: "SUCCESS" },
      });

      const [failed] = await receiveMessages(sqs, failure.queueUrl, 1);
      const [failureEnvelope] = analyzeValue(failed);
      expect(failureEnvelope).toMatchObject({
        kind: "processing-result",
        valid: true,
        summary: { outcome: "failure" },
        payload: {
          message_id: "m-2",
          body: bad,
          status: "FAILURE",
          error: `Order could not be processed: the payload contains "error": ${bad}`,
        },
      });
    },
  );

  it.skipIf(!variant.enabled)(
    "a plain event: returns a SUCCESS result, or fails with the runtime's error object",
    async () => {
      const succeeded = await invoke(functionName, { order_id: "3", item: "kettle" });
      expect(succeeded.functionError).toBeUndefined();
      expect(succeeded.result).toEqual({
        message_id: succeeded.requestId,
        body: '{"order_id":"3","item":"kettle"}',
        status: "SUCCESS",
      });

      const failed = await invoke(functionName, { order_id: "4", note: "simulate an error" });
      expect(failed.functionError).toBe("Unhandled");
      expect(failed.result).toMatchObject({
        errorType: variant.errorType,
        errorMessage:
          'Order could not be processed: the payload contains "error": {"order_id":"4","note":"simulate an error"}',
      });
      // Nothing is published for a plain event: destinations carry its outcome.
      const leftovers = await Promise.all([
        receiveMessages(sqs, success.queueUrl, 1, 1_000),
        receiveMessages(sqs, failure.queueUrl, 1, 1_000),
      ]);
      expect(leftovers).toEqual([[], []]);
    },
  );
});

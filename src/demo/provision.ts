/**
 * What the demo creates on the local stack, through the ordinary AWS APIs: the queues and topics, the order
 * processor deployed from examples/order-processor, its destinations and SQS trigger, then the orders sent
 * and invoked. Only the demo's own resources; watching them is the watch runner's job.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { UsageError } from "../errors.js";
import { LOCAL_ACCOUNT_ID } from "../local/arns.js";
import { FUNCTION_NAME, MAXIMUM_RETRY_ATTEMPTS, ORDERS, RESOURCES } from "./scenario.js";
import type { DemoTracker } from "./tracker.js";

const EXAMPLE_DIRECTORY = fileURLToPath(new URL("../../examples/order-processor/", import.meta.url));

export interface Runtime {
  runtime: string;
  handler: string;
  /** The folder zipped as the deployment package. */
  folder: string;
  /** How the handler is named in the narration. */
  label: string;
}

export function runtimeFor(python: boolean): Runtime {
  return python ? pythonRuntime() : nodeRuntime();
}

function nodeRuntime(): Runtime {
  const major = Number(process.versions.node.split(".")[0]);
  return {
    runtime: major >= 22 ? "nodejs22.x" : "nodejs20.x",
    handler: "index.handler",
    folder: `${EXAMPLE_DIRECTORY}node`,
    label: "examples/order-processor/node/index.mjs",
  };
}

/** The Python version runs on the system's python3, named after its minor version as Lambda would. */
function pythonRuntime(): Runtime {
  const probe = spawnSync("python3", ["-c", "import sys; print(sys.version_info[1])"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new UsageError(
      "demo --python needs python3 on the PATH to run the Python handler, and none was found; install Python 3.9 or later, or run 'lambda-dest demo' for the Node.js version",
    );
  }
  const minor = Number(probe.stdout.trim());
  return {
    runtime: minor >= 9 && minor <= 14 ? `python3.${minor}` : "python3.12",
    handler: "app.handler",
    folder: `${EXAMPLE_DIRECTORY}python`,
    label: "examples/order-processor/python/app.py",
  };
}

export interface Resources {
  inputQueue: QueueRef;
  destinationQueue: QueueRef;
  successTopicArn: string;
  failureTopicArn: string;
  destinationTopicArn: string;
}

interface QueueRef {
  url: string;
  arn: string;
}

async function createQueue(sqs: SQSClient, name: string): Promise<QueueRef> {
  const { CreateQueueCommand, GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = created.QueueUrl!;
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
  );
  return { url, arn: attributes.Attributes!.QueueArn! };
}

async function createTopic(sns: SNSClient, name: string): Promise<string> {
  const { CreateTopicCommand } = await import("@aws-sdk/client-sns");
  return (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
}

export async function createResources(sqs: SQSClient, sns: SNSClient): Promise<Resources> {
  const [inputQueue, destinationQueue, successTopicArn, failureTopicArn, destinationTopicArn] =
    await Promise.all([
      createQueue(sqs, RESOURCES.inputQueue),
      createQueue(sqs, RESOURCES.destinationQueue),
      createTopic(sns, RESOURCES.successTopic),
      createTopic(sns, RESOURCES.failureTopic),
      createTopic(sns, RESOURCES.destinationTopic),
    ]);
  return { inputQueue, destinationQueue, successTopicArn, failureTopicArn, destinationTopicArn };
}

export async function deployFunction(
  lambda: LambdaClient,
  runtime: Runtime,
  resources: Resources,
): Promise<void> {
  const { CreateFunctionCommand } = await import("@aws-sdk/client-lambda");
  const { zipDirectory } = await import("../local/zip-directory.js");
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: FUNCTION_NAME,
      Runtime: runtime.runtime as never,
      Handler: runtime.handler,
      Role: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${FUNCTION_NAME}`,
      Code: { ZipFile: await zipDirectory(runtime.folder) },
      Timeout: 10,
      Environment: {
        Variables: {
          SUCCESS_TOPIC_ARN: resources.successTopicArn,
          FAILURE_TOPIC_ARN: resources.failureTopicArn,
        },
      },
    }),
  );
}

export async function configureDestinations(lambda: LambdaClient, resources: Resources): Promise<void> {
  const { PutFunctionEventInvokeConfigCommand } = await import("@aws-sdk/client-lambda");
  await lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: FUNCTION_NAME,
      MaximumRetryAttempts: MAXIMUM_RETRY_ATTEMPTS,
      DestinationConfig: {
        OnSuccess: { Destination: resources.destinationTopicArn },
        OnFailure: { Destination: resources.destinationQueue.arn },
      },
    }),
  );
}

/**
 * Asks for an on-failure destination on the SQS trigger, as a newcomer might, and returns a sentence saying
 * what the Lambda API answered: AWS refuses DestinationConfig on an SQS event source mapping.
 */
export async function tryDestinationsOnTrigger(lambda: LambdaClient, resources: Resources): Promise<string> {
  const { CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand } = await import(
    "@aws-sdk/client-lambda"
  );
  try {
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: FUNCTION_NAME,
        EventSourceArn: resources.inputQueue.arn,
        DestinationConfig: { OnFailure: { Destination: resources.destinationQueue.arn } },
      }),
    );
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID! }));
    return "(The local stack accepted a DestinationConfig on the SQS trigger, which AWS refuses.)";
  } catch (error) {
    const name = error instanceof Error ? error.name : "error";
    const message = error instanceof Error ? error.message : String(error);
    return `Asked for an OnFailure destination on the SQS trigger, the Lambda API answered ${name} ("${message}").`;
  }
}

export async function createTrigger(lambda: LambdaClient, resources: Resources): Promise<void> {
  const { CreateEventSourceMappingCommand } = await import("@aws-sdk/client-lambda");
  await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: FUNCTION_NAME,
      EventSourceArn: resources.inputQueue.arn,
      BatchSize: 10,
    }),
  );
}

export async function sendOrders(sqs: SQSClient, resources: Resources, tracker: DemoTracker): Promise<void> {
  const { SendMessageBatchCommand } = await import("@aws-sdk/client-sqs");
  const queued = ORDERS.filter((order) => order.path === "queue");
  const sent = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: resources.inputQueue.url,
      Entries: queued.map((order) => ({ Id: `order-${order.orderId}`, MessageBody: order.payload })),
    }),
  );
  if (sent.Failed && sent.Failed.length > 0) {
    throw new Error(
      sent.Failed.map((failure) => `${failure.Id}: ${failure.Message ?? failure.Code}`).join("; "),
    );
  }
  for (const entry of sent.Successful ?? []) {
    if (entry.Id && entry.MessageId) tracker.identify(entry.Id.slice("order-".length), entry.MessageId);
  }
}

/** Invokes asynchronously once per async order; returns "2001 (request …)" for each. */
export async function invokeOrders(lambda: LambdaClient, tracker: DemoTracker): Promise<string[]> {
  const { InvokeCommand } = await import("@aws-sdk/client-lambda");
  const described: string[] = [];
  for (const order of ORDERS.filter((candidate) => candidate.path === "async")) {
    const output = await lambda.send(
      new InvokeCommand({
        FunctionName: FUNCTION_NAME,
        InvocationType: "Event",
        Payload: new TextEncoder().encode(order.payload),
      }),
    );
    const requestId = output.$metadata.requestId;
    if (output.StatusCode !== 202 || !requestId) {
      throw new Error(`Invoke answered ${output.StatusCode} without a RequestId for order ${order.orderId}`);
    }
    tracker.identify(order.orderId, requestId);
    described.push(`${order.orderId} (${order.fails ? 'contains "error", ' : ""}request ${requestId})`);
  }
  return described;
}

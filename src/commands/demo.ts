/**
 * `demo`: the seed article's scenario end to end on an in-process local stack. The example order processor
 * is deployed through the ordinary Lambda API, triggered from a queue (it publishes its own processing
 * results to two topics) and invoked asynchronously (Lambda Destinations route the invocation records), and
 * every envelope that arrives is shown, validated and checked against what the scenario expects.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { AwsClients } from "../aws/clients.js";
import { arrivalRecord, arrivalText, summaryTable } from "../demo/render.js";
import {
  expectedEnvelopes,
  FUNCTION_NAME,
  MAXIMUM_RETRY_ATTEMPTS,
  ORDERS,
  RESOURCES,
  SOURCES,
} from "../demo/scenario.js";
import { DemoTracker, describeVerdict } from "../demo/tracker.js";
import { startWatching, type WatchedQueue } from "../demo/watch.js";
import { formatDuration } from "../duration.js";
import { AwsOperationError, TimeoutError, UsageError, ValidationFailedError } from "../errors.js";
import { type CommandContext, note } from "../io.js";
import { LOCAL_ACCOUNT_ID } from "../local/arns.js";
import type { LocalLogger } from "../local/localLogger.js";
import { printableLines } from "../printable.js";

export interface DemoOptions {
  python: boolean;
  /** How long the whole run may take before it ends with exit 3; default DEMO_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** The whole run, set-up included, must finish within this. */
export const DEMO_TIMEOUT_MS = 30_000;

const EXAMPLE_DIRECTORY = fileURLToPath(new URL("../../examples/order-processor/", import.meta.url));

interface Runtime {
  runtime: string;
  handler: string;
  /** The folder zipped as the deployment package. */
  folder: string;
  /** How the handler is named in the narration. */
  label: string;
}

export async function runDemo(options: DemoOptions, context: CommandContext): Promise<number> {
  const runtime = options.python ? pythonRuntime() : nodeRuntime();
  const started = Date.now();
  const interrupted = context.io.watchInterrupts();
  const { startLocalStack } = await import("../local/stack.js");
  const stack = await startLocalStack({ port: 0, host: "127.0.0.1", logger: stackLogger(context) });
  const clients = new AwsClients({ local: true, endpointUrl: stack.endpoint, region: stack.region }, {});
  const stopWatching = new AbortController();
  let watchers: Promise<void> | undefined;
  const timeoutMs = options.timeoutMs ?? DEMO_TIMEOUT_MS;
  // Cancelled in the finally below: an armed timer would keep the process alive after a set-up error.
  const deadline = deadlineOf(interrupted, started + timeoutMs);
  try {
    const tracker = new DemoTracker(expectedEnvelopes());
    const sqs = await clients.sqs();
    const sns = await clients.sns();
    const lambda = await clients.lambda();

    note(context, `lambda-dest demo: the order processor of the seed article, on an in-process local stack`);
    note(context, `  local stack    ${stack.endpoint} (SQS, SNS, Lambda), region ${stack.region}`);
    const resources = await step("create the queues and topics", () => createResources(sqs, sns));
    note(
      context,
      `  topics         ${RESOURCES.successTopic} and ${RESOURCES.failureTopic} (the handler's own results), ${RESOURCES.destinationTopic} (OnSuccess destination)`,
    );
    note(
      context,
      `  queues         ${RESOURCES.inputQueue} (the trigger), ${RESOURCES.destinationQueue} (OnFailure destination)`,
    );

    await step("deploy the function", () => deployFunction(lambda, runtime, resources));
    note(context, `  function       ${FUNCTION_NAME} (${runtime.runtime}, ${runtime.label})`);
    await step("configure the destinations", () => configureDestinations(lambda, resources));
    note(
      context,
      `  destinations   OnSuccess → ${SOURCES.destinationTopic}, OnFailure → ${SOURCES.destinationQueue}, ` +
        `${MAXIMUM_RETRY_ATTEMPTS} retry (AWS waits ~1 min; ${formatDuration(60_000 * stack.retryDelayScale)} here)`,
    );
    const refusal = await step("try destinations on the SQS trigger", () =>
      tryDestinationsOnTrigger(lambda, resources),
    );
    await step("create the SQS trigger", () => createTrigger(lambda, resources));
    note(
      context,
      `  trigger        sqs:${RESOURCES.inputQueue} → ${FUNCTION_NAME} (event source mapping, batch size 10)`,
    );
    note(context, "");
    note(
      context,
      `Note: an SQS-triggered invocation is synchronous (the event source mapping's poller waits for the result), ` +
        `so it does not use Lambda Destinations. ${refusal} That is why the handler publishes its own processing ` +
        `result for every record, to ${RESOURCES.successTopic} or ${RESOURCES.failureTopic}. Destinations route only ` +
        `asynchronous invocations, which the demo fires with Invoke (InvocationType Event).`,
    );
    note(context, "");

    const watched = await step("subscribe to the topics", () => tapTopics(sqs, sns, resources));
    watchers = startWatching(sqs, watched, stopWatching.signal, (message, source) => {
      const receivedAt = context.io.now();
      for (const envelope of message.envelopes) {
        const arrival = tracker.record(envelope, source, receivedAt, message.messageId);
        if (context.output.json) context.io.stdout.write(`${JSON.stringify(arrivalRecord(arrival))}\n`);
        else context.io.stdout.write(arrivalText(arrival, context.colors));
      }
    });
    // A failing receive ends the demo at once rather than waiting for the deadline.
    const watchFailure = watchers.then(
      () => new Promise<never>(() => {}),
      (error: unknown) => {
        throw new AwsOperationError(`demo: could not read the watched queues (${String(error)})`, {
          cause: error,
        });
      },
    );
    watchFailure.catch(() => {});
    note(context, `  watching       ${watched.map((queue) => queue.label).join(", ")}`);

    await step("send the orders", () => sendOrders(sqs, resources, tracker));
    const queued = ORDERS.filter((order) => order.path === "queue");
    note(context, `  sent           ${queued.map(describeOrder).join(", ")} to sqs:${RESOURCES.inputQueue}`);
    const invoked = await step("invoke the function", () => invokeOrders(lambda, tracker));
    note(context, `  invoked        ${invoked.join(", ")} asynchronously`);
    note(context, "");

    const outcome = await Promise.race([
      tracker.complete.then(() => "complete" as const),
      deadline.promise,
      watchFailure,
    ]);
    deadline.cancel();
    stopWatching.abort();
    await watchers;
    watchers = undefined;

    const verdict = tracker.verdict();
    const elapsed = formatDuration(Date.now() - started);
    const table = summaryTable(tracker, context.output.json ? context.errorColors : context.colors, elapsed);
    if (context.output.json) context.io.stderr.write(table);
    else context.io.stdout.write(table);
    const problems = describeVerdict(verdict);
    if (outcome === "interrupted") {
      throw new ValidationFailedError(
        `demo interrupted (${String(interrupted.reason)}) before it was over; ${problems.join("; ") || "nothing was missing"}`,
      );
    }
    if (outcome === "timeout") {
      throw new TimeoutError(
        `demo timed out after ${formatDuration(timeoutMs)}; ${problems.join("; ") || "nothing arrived"}`,
      );
    }
    if (!verdict.ok) throw new ValidationFailedError(`demo failed: ${problems.join("; ")}`);
    note(context, `All ${tracker.expected.length} expected envelopes arrived and validated in ${elapsed}.`);
    return 0;
  } finally {
    deadline.cancel();
    stopWatching.abort();
    await watchers?.catch(() => {});
    await clients.destroy();
    await stack.stop();
  }

  async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof AwsOperationError) throw error;
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new AwsOperationError(`demo: could not ${what} on the local stack (${detail})`, { cause: error });
    }
  }
}

function describeOrder(order: { orderId: string; fails: boolean }): string {
  return order.fails ? `${order.orderId} (contains "error")` : order.orderId;
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

/** The stack's own log (function output, delivery failures) only with --verbose, on stderr. */
export function stackLogger(context: CommandContext): LocalLogger {
  if (!context.output.verbose) return { info() {}, warn() {}, error() {} };
  const line = (level: string) => (message: string) =>
    context.io.stderr.write(`${context.errorColors.dim(`local ${level}:`)} ${printableLines(message)}\n`);
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

interface Deadline {
  promise: Promise<"timeout" | "interrupted">;
  cancel(): void;
}

function deadlineOf(interrupted: AbortSignal, endsAt: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<"timeout" | "interrupted">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), Math.max(0, endsAt - Date.now()));
    onAbort = () => resolve("interrupted");
    if (interrupted.aborted) onAbort();
    else interrupted.addEventListener("abort", onAbort, { once: true });
  });
  return {
    promise,
    cancel() {
      clearTimeout(timer);
      if (onAbort) interrupted.removeEventListener("abort", onAbort);
    },
  };
}

// ---- the AWS side -----------------------------------------------------------------------------------------

interface Resources {
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

async function createResources(sqs: SQSClient, sns: SNSClient): Promise<Resources> {
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

/** Each topic is read through a queue subscribed to it (no raw delivery: the SNS envelope is part of the show). */
async function tapTopics(sqs: SQSClient, sns: SNSClient, resources: Resources): Promise<WatchedQueue[]> {
  const { SubscribeCommand } = await import("@aws-sdk/client-sns");
  const taps: Array<[label: string, topicArn: string]> = [
    [SOURCES.successTopic, resources.successTopicArn],
    [SOURCES.failureTopic, resources.failureTopicArn],
    [SOURCES.destinationTopic, resources.destinationTopicArn],
  ];
  const watched = await Promise.all(
    taps.map(async ([label, topicArn]) => {
      const queue = await createQueue(sqs, `${label.slice("sns:".length)}-tap`);
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queue.arn }));
      return { label, url: queue.url };
    }),
  );
  return [...watched, { label: SOURCES.destinationQueue, url: resources.destinationQueue.url }];
}

async function deployFunction(lambda: LambdaClient, runtime: Runtime, resources: Resources): Promise<void> {
  const { CreateFunctionCommand } = await import("@aws-sdk/client-lambda");
  const { zipDirectory } = await import("../local/zipDirectory.js");
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

async function configureDestinations(lambda: LambdaClient, resources: Resources): Promise<void> {
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
async function tryDestinationsOnTrigger(lambda: LambdaClient, resources: Resources): Promise<string> {
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

async function createTrigger(lambda: LambdaClient, resources: Resources): Promise<void> {
  const { CreateEventSourceMappingCommand } = await import("@aws-sdk/client-lambda");
  await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: FUNCTION_NAME,
      EventSourceArn: resources.inputQueue.arn,
      BatchSize: 10,
    }),
  );
}

async function sendOrders(sqs: SQSClient, resources: Resources, tracker: DemoTracker): Promise<void> {
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
async function invokeOrders(lambda: LambdaClient, tracker: DemoTracker): Promise<string[]> {
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

/**
 * `doctor` through the built binary against the local stack: each check that can be set up there, asserting
 * the exact line and the exit code.
 *
 * The AWS facts doctor states, and where they come from:
 * - FIFO destinations and delivery failures — Lambda Developer Guide, "Capturing records of Lambda asynchronous
 *   invocations" (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html): "Amazon
 *   SQS – A standard SQS queue", "Amazon SNS – A standard SNS topic", "Amazon S3 – An Amazon S3 bucket (on
 *   failure only)"; "If Lambda can't send a record to a destination you have configured, it sends a
 *   DestinationDeliveryFailures metric to Amazon CloudWatch. This can happen if your configuration includes an
 *   unsupported destination type, such as an Amazon SQS FIFO queue or an Amazon SNS FIFO topic. Delivery errors
 *   can also occur due to permissions errors and size limits."
 * - Reserved concurrency 0 — the same page: "When you set reserved concurrency to zero for an asynchronously
 *   invoked function, Lambda begins sending new events to the configured dead-letter queue or the on-failure
 *   event destination, without any retries."
 * - Dead-letter queues — the same page: "For dead-letter queues, Lambda only sends the content of the event,
 *   without details about the response."
 * - SQS triggers — "Using Lambda with Amazon SQS" (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html):
 *   "With Amazon SQS event source mappings, Lambda polls the queue and invokes your function synchronously with
 *   an event."
 * - Stream sources — CreateEventSourceMapping API reference: "The following error handling options are available
 *   only for stream sources (DynamoDB and Kinesis): ... DestinationConfig – Send discarded records to an Amazon
 *   SQS queue or Amazon SNS topic."
 * - Retry timing — "How Lambda handles errors and retries with asynchronous invocation"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): "If the function returns
 *   an error, by default Lambda attempts to run it two more times, with a one-minute wait between the first two
 *   attempts, and two minutes between the second and third attempts." and "For throttling errors (429) and
 *   system errors (500-series), Lambda returns the event to the queue and attempts to run the function again for
 *   up to 6 hours by default."
 * - SQS trigger failures — "Creating and configuring an Amazon SQS event source mapping": "By default, if Lambda
 *   encounters an error at any point while processing a batch, all messages in that batch return to the queue."
 * - SNS and EventBridge size limits — OnSuccess/OnFailure API reference: "Amazon SNS destinations have a message
 *   size limit of 256 KB. If the combined size of the function request and response payload exceeds the limit,
 *   Lambda will drop the payload when sending OnFailure event to the destination."; "Calculating Amazon
 *   EventBridge PutEvents event entry size": "The total entry size must be less than 256KB."
 * - Retries and event age — PutFunctionEventInvokeConfig API reference: "By default, Lambda retries an
 *   asynchronous invocation twice if the function returns an error. It retains events in a queue for up to six
 *   hours. When an event fails all processing attempts or stays in the asynchronous invocation queue for too
 *   long, Lambda discards it." MaximumRetryAttempts 0..2, MaximumEventAgeInSeconds 60..21600
 *   (FunctionEventInvokeConfig API reference). Retry timing ("about 1 and 2 minutes"): design FORMATS.md §5.
 * - The execution role's actions — sqs:SendMessage / sns:Publish / lambda:InvokeFunction / events:PutEvents /
 *   s3:PutObject, design FORMATS.md §5 ("The function's execution role needs ... on the destination (and KMS
 *   permissions for an encrypted target)"); KMS — "Amazon SQS Key management"
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html): "For a
 *   customer managed KMS key, you must configure the key policy to add permissions for each queue producer and
 *   consumer"; "Amazon SNS Key management": publishers need "the kms:GenerateDataKey* and kms:Decrypt permissions
 *   for the AWS KMS key" — so the role is asked about kms:GenerateDataKey and kms:Decrypt on a customer key (an
 *   alias/aws/... key is AWS managed, and its key policy admits every principal of the account allowed to use
 *   the queue or topic, so it is not asked about).
 * - Destinations are per qualifier — PutFunctionEventInvokeConfig: "Configures options for asynchronous
 *   invocation on a function, version, or alias."
 */

import { CreateEventBusCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  DeleteFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { SubscribeCommand } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import {
  clientsFor,
  createQueue,
  createTopic,
  deployFunction,
  runCli,
  type StackClients,
} from "./support.js";

let stack: LocalStack;
let clients: StackClients;
let endpointOptions: string;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  endpointOptions = `--endpoint-url ${stack.endpoint} --region ${stack.region}`;
  const okQueue = await createQueue(clients, "ok-success");
  const okTopic = await createTopic(clients, "ok-failure");
  const subscriber = await createQueue(clients, "ok-subscriber");
  await clients.sns.send(
    new SubscribeCommand({ TopicArn: okTopic, Protocol: "sqs", Endpoint: subscriber.arn }),
  );
  await deployFunction(clients, "healthy", { onSuccess: okQueue.arn, onFailure: okTopic });

  const fifo = await createQueue(clients, "dest.fifo", { FifoQueue: "true" });
  await deployFunction(clients, "to-fifo", { onFailure: fifo.arn });
  await deployFunction(clients, "to-missing", {
    onFailure: "arn:aws:sqs:us-east-1:000000000000:never-created",
  });
  const lonely = await createTopic(clients, "lonely");
  await deployFunction(clients, "to-lonely", { onFailure: lonely });
  const encrypted = await createQueue(clients, "encrypted", {
    KmsMasterKeyId: "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  });
  const managed = await createQueue(clients, "aws-managed-key", { KmsMasterKeyId: "alias/aws/sqs" });
  await deployFunction(clients, "to-encrypted", { onSuccess: managed.arn, onFailure: encrypted.arn });

  const source = await createQueue(clients, "trigger-source");
  await deployFunction(clients, "triggered", { onFailure: okQueue.arn });
  await clients.lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: "triggered",
      EventSourceArn: source.arn,
      Enabled: false,
    }),
  );

  const dlq = await createQueue(clients, "source-dlq");
  const redriven = await createQueue(clients, "redriven-source", {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: "3" }),
  });
  await deployFunction(clients, "triggered-redriven");
  await clients.lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: "triggered-redriven",
      EventSourceArn: redriven.arn,
      Enabled: false,
    }),
  );

  await deployFunction(clients, "frozen", { onFailure: okQueue.arn });
  await clients.lambda.send(
    new PutFunctionConcurrencyCommand({ FunctionName: "frozen", ReservedConcurrentExecutions: 0 }),
  );

  await deployFunction(clients, "with-dlq", { onFailure: okQueue.arn });
  await clients.lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "with-dlq",
      DeadLetterConfig: { TargetArn: okQueue.arn },
    }),
  );
  await deployFunction(clients, "lost-dlq");
  await clients.lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "lost-dlq",
      DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:gone-dlq" },
    }),
  );

  await clients.s3.send(new CreateBucketCommand({ Bucket: "doctor-failures" }));
  const { EventBusArn } = await clients.events.send(new CreateEventBusCommand({ Name: "doctor-bus" }));
  const healthyArn = "arn:aws:lambda:us-east-1:000000000000:function:healthy";
  await deployFunction(clients, "to-others", {
    onSuccess: EventBusArn!,
    onFailure: "arn:aws:s3:::doctor-failures",
  });
  // The local stack refuses a function destination that does not exist when the config is set
  // (InvalidParameterValueException "The destination ARN ... is invalid."): this one is deleted afterwards.
  const doomed = await deployFunction(clients, "gone-function");
  await deployFunction(clients, "to-gone", {
    onSuccess: "arn:aws:events:us-east-1:000000000000:event-bus/gone-bus",
    onFailure: doomed,
  });
  await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: "gone-function" }));
  await deployFunction(clients, "to-function", { onSuccess: healthyArn });

  await deployFunction(clients, "aliased", { onFailure: okQueue.arn });
  const { Version } = await clients.lambda.send(new PublishVersionCommand({ FunctionName: "aliased" }));
  await clients.lambda.send(
    new CreateAliasCommand({ FunctionName: "aliased", Name: "live", FunctionVersion: Version! }),
  );
});
afterAll(async () => {
  clients?.destroy();
  await stack?.stop();
});

const lines = (stdout: string) => stdout.split("\n").map((line) => line.trim());

describe("doctor on the local stack", () => {
  it("a healthy function: ✓ lines, IAM 'could not check' (⚠, not ✓), exit 0", async () => {
    const result = await runCli(stack, ["doctor", "healthy"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out[0]).toBe("healthy (unqualified)");
    expect(out).toContain("✓ healthy: on success → queue ok-success; on failure → topic ok-failure");
    expect(out).toContain("✓ on success: queue ok-success exists and is a standard queue");
    expect(out).toContain("✓ on failure: topic ok-failure exists and is a standard topic");
    expect(out).toContain("✓ on failure: topic ok-failure has 1 subscription");
    // The OnSuccess/OnFailure API reference: "Amazon SNS destinations have a message size limit of 256 KB. If
    // the combined size of the function request and response payload exceeds the limit, Lambda will drop the
    // payload when sending OnFailure event to the destination."
    const size = out.indexOf(
      "⚠ on failure: topic ok-failure takes messages up to 256 KB; when the event and the response together are larger, Lambda drops them from the record",
    );
    expect(size).toBeGreaterThan(0);
    expect(out[size + 1]).toBe(
      "fix: for large events and responses use an SQS queue or, on failure, an S3 bucket",
    );
    expect(out).toContain(
      "⚠ on success: could not check whether the execution role allows sqs:SendMessage on queue ok-success (not checked locally: the endpoint in use has no IAM policy simulator)",
    );
    expect(out).toContain(
      "⚠ on failure: could not check whether the execution role allows sns:Publish on topic ok-failure (not checked locally: the endpoint in use has no IAM policy simulator)",
    );
    expect(out).toContain(
      "✓ a function error is retried twice (about 1 and 2 minutes later) before the on-failure destination gets the record; an event still unprocessed after 6 hours (throttled, or Lambda busy) is discarded, with an EventAgeExceeded record on failure",
    );
    expect(out).toContain("✓ no reserved concurrency: the function may run");
    expect(out).toContain("✓ no event source mappings invoke this function");
    expect(out.some((line) => line.startsWith("✗"))).toBe(false);
    // The Lambda metrics of failed deliveries (Lambda developer guide, "Types of metrics for Lambda functions":
    // DestinationDeliveryFailures, DeadLetterErrors) are CloudWatch's, which the local stack does not have.
    expect(out).toContain(
      "⚠ could not check the delivery failures AWS saw (not checked locally: the endpoint in use has no CloudWatch)",
    );
    expect(out).toContain("12 checks: 8 ✓, 4 ⚠ (3 could not be checked), 0 ✗");
  });

  it("--json: one versioned document, IAM checks 'unknown'", async () => {
    const result = await runCli(stack, ["doctor", "healthy", "--json"]);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.version).toBe(1);
    expect(document.functions).toHaveLength(1);
    expect(document.functions[0]).toMatchObject({ name: "healthy", qualifier: null });
    const byId = Object.fromEntries(document.functions[0].checks.map((check: any) => [check.id, check]));
    expect(byId["on-success.destination"]).toEqual({
      id: "on-success.destination",
      status: "ok",
      message: "on success: queue ok-success exists and is a standard queue",
    });
    expect(byId["on-success.permission"].status).toBe("unknown");
    expect(byId["on-failure.permission"].status).toBe("unknown");
    expect(byId.concurrency.status).toBe("ok");
  });

  it("a FIFO destination: ✗ with the fix, exit 1", async () => {
    const result = await runCli(stack, ["doctor", "to-fifo"]);
    expect(result.code).toBe(1);
    const out = lines(result.stdout);
    const index = out.indexOf(
      "✗ on failure: queue dest.fifo is FIFO; Lambda cannot deliver records to a FIFO queue or topic, so every record is dropped",
    );
    expect(index).toBeGreaterThan(0);
    expect(out[index + 1]).toBe(
      `fix: aws lambda update-function-event-invoke-config --function-name to-fifo --destination-config '{"OnFailure":{"Destination":"ARN_OF_A_STANDARD_QUEUE_OR_TOPIC"}}' ${endpointOptions}`,
    );
  });

  it("a missing destination queue: ✗ with the command that creates it, exit 1", async () => {
    const result = await runCli(stack, ["doctor", "to-missing"]);
    expect(result.code).toBe(1);
    const out = lines(result.stdout);
    const index = out.indexOf("✗ on failure: queue never-created does not exist, so every record is dropped");
    expect(index).toBeGreaterThan(0);
    expect(out[index + 1]).toBe(
      `fix: create it (aws sqs create-queue --queue-name never-created), or point the config at one that exists: aws lambda update-function-event-invoke-config --function-name to-missing --destination-config '{"OnFailure":{"Destination":"ARN_OF_A_STANDARD_QUEUE_OR_TOPIC"}}' ${endpointOptions}`,
    );
    // Nothing is simulated for a destination that does not exist.
    expect(result.stdout).not.toContain("could not check whether the execution role allows");
  });

  it("an SNS destination with no subscriber: ⚠ and exit 0", async () => {
    const result = await runCli(stack, ["doctor", "to-lonely"]);
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out).toContain(
      "⚠ on failure: topic lonely has no subscriptions: records published to it reach no one",
    );
  });

  it("a customer managed KMS key is asked about (could not check locally); an AWS managed one is not", async () => {
    const result = await runCli(stack, ["doctor", "to-encrypted", "--json"]);
    expect(result.code).toBe(0);
    const checks = JSON.parse(result.stdout).functions[0].checks;
    expect(checks.find((check: any) => check.id === "on-failure.kms")).toEqual({
      id: "on-failure.kms",
      status: "unknown",
      message:
        "on failure: could not check whether the execution role allows kms:GenerateDataKey, kms:Decrypt on the KMS key of queue encrypted (not checked locally: the endpoint in use has no IAM policy simulator)",
    });
    expect(checks.find((check: any) => check.id === "on-success.kms")).toBeUndefined();
  });

  it("function, event bus and bucket destinations: found, or ✗ with the command that creates them", async () => {
    const ok = lines((await runCli(stack, ["doctor", "to-others", "to-function"])).stdout);
    expect(ok).toContain("✓ on success: event bus doctor-bus exists");
    expect(ok).toContain(
      "⚠ on success: event bus doctor-bus takes entries under 256 KB; a record with a larger event and response may not be delivered",
    );
    expect(ok).toContain("✓ on failure: bucket doctor-failures exists");
    expect(ok).toContain(
      "⚠ on failure: could not check whether the execution role allows s3:PutObject on bucket doctor-failures (not checked locally: the endpoint in use has no IAM policy simulator)",
    );
    expect(ok).toContain("✓ on success: function healthy exists");
    const gone = await runCli(stack, ["doctor", "to-gone"]);
    expect(gone.code).toBe(1);
    const out = lines(gone.stdout);
    expect(out).toContain("✗ on success: event bus gone-bus does not exist, so every record is dropped");
    expect(out).toContain("✗ on failure: function gone-function does not exist, so every record is dropped");
    expect(gone.stdout).toContain("fix: create it (aws events create-event-bus --name gone-bus), or point");
  });

  it("an SQS trigger: ⚠ explaining synchronous invocation and the redrive policy", async () => {
    const result = await runCli(stack, ["doctor", "triggered"]);
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    const index = out.indexOf(
      "⚠ queue trigger-source triggers triggered: Lambda invokes synchronously for its messages, so destinations never fire for them; failed messages go back to the queue and then to its redrive policy's dead-letter queue, and this queue has none: failed messages are retried until they expire",
    );
    expect(index).toBeGreaterThan(0);
    expect(out[index + 1]).toMatch(
      /^fix: aws sqs set-queue-attributes --queue-url \S+trigger-source --attributes '\{"RedrivePolicy":/,
    );
  });

  it("an SQS trigger whose queue has a redrive policy: ⚠ naming its dead-letter queue, no fix", async () => {
    const result = await runCli(stack, ["doctor", "triggered-redriven", "--json"]);
    const checks = JSON.parse(result.stdout).functions[0].checks;
    const trigger = checks.find((check: any) => check.id.startsWith("event-source."));
    expect(trigger).toEqual({
      id: trigger.id,
      status: "warn",
      message:
        "queue redriven-source triggers triggered-redriven: Lambda invokes synchronously for its messages, so destinations never fire for them; failed messages go back to the queue and then to its redrive policy's dead-letter queue (queue source-dlq here)",
    });
    expect(trigger.id).toMatch(/^event-source\.[0-9a-f-]{36}$/);
  });

  it("reserved concurrency 0: ✗ with delete-function-concurrency, exit 1", async () => {
    const result = await runCli(stack, ["doctor", "frozen"]);
    expect(result.code).toBe(1);
    const out = lines(result.stdout);
    const index = out.indexOf(
      "✗ reserved concurrency is 0: frozen never runs; asynchronous events go straight to the on-failure destination or dead-letter queue, without retries",
    );
    expect(index).toBeGreaterThan(0);
    expect(out[index + 1]).toBe(
      `fix: aws lambda delete-function-concurrency --function-name frozen ${endpointOptions}`,
    );
  });

  it("the dead-letter queue: said what it receives, checked like a destination", async () => {
    const ok = await runCli(stack, ["doctor", "with-dlq"]);
    expect(ok.code).toBe(0);
    expect(lines(ok.stdout)).toContain(
      "✓ dead-letter queue: queue ok-success receives the events that fail every attempt, as the event alone, without Lambda's response",
    );
    expect(lines(ok.stdout)).toContain(
      "✓ dead-letter queue: queue ok-success exists and is a standard queue",
    );
    const lost = await runCli(stack, ["doctor", "lost-dlq"]);
    expect(lost.code).toBe(1);
    const out = lines(lost.stdout);
    const index = out.indexOf(
      "✗ dead-letter queue: queue gone-dlq does not exist, so every event is dropped",
    );
    expect(index).toBeGreaterThan(0);
    expect(out[index + 1]).toBe(
      `fix: create it (aws sqs create-queue --queue-name gone-dlq), or point the config at one that exists: aws lambda update-function-configuration --function-name lost-dlq --dead-letter-config TargetArn=ARN_OF_A_STANDARD_QUEUE_OR_TOPIC ${endpointOptions}`,
    );
  });

  it("an alias without its own config: ⚠ naming it", async () => {
    const result = await runCli(stack, ["doctor", "aliased"]);
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out).toContain(
      "⚠ 1 alias without an event invoke config (live): a caller invoking aliased:live gets no destination records, as destinations are set per function, version or alias",
    );
    const absent = await runCli(stack, ["doctor", "aliased", "--qualifier", "canary"]);
    expect(absent.code).toBe(1);
    const absentLines = lines(absent.stdout);
    expect(absentLines[0]).toBe("aliased:canary");
    expect(absentLines[1]).toBe(
      "✗ aliased has no version or alias canary: a caller invoking aliased:canary gets an error, not a record",
    );
    expect(absentLines[2]).toBe(`fix: aws lambda list-aliases --function-name aliased ${endpointOptions}`);
    const only = await runCli(stack, ["doctor", "aliased", "--qualifier", "live"]);
    expect(only.code).toBe(1);
    expect(lines(only.stdout)).toContain(
      "✗ aliased:live has no destinations (no event invoke config): records of its asynchronous invocations go nowhere; destinations are set on the unqualified function only, and a caller must invoke that qualifier",
    );
  });

  it("--all where there is no function: said so on stderr, an empty document, exit 0", async () => {
    const empty = await startLocalStack({ port: 0 });
    try {
      const result = await runCli(empty, ["doctor", "--all", "--json"]);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ version: 1, functions: [] });
      expect(result.stderr).toBe("no functions in us-east-1: nothing to check\n");
    } finally {
      await empty.stop();
    }
  });

  it("--all covers every function; a missing function is ✗; bad usage exits 2", async () => {
    const all = await runCli(stack, ["doctor", "--all", "--json"]);
    expect(all.code).toBe(1);
    const names = JSON.parse(all.stdout).functions.map((report: any) => report.name);
    expect(new Set(names)).toEqual(
      new Set([
        "healthy",
        "to-fifo",
        "to-missing",
        "to-lonely",
        "triggered",
        "triggered-redriven",
        "frozen",
        "to-encrypted",
        "to-others",
        "to-gone",
        "to-function",
        "with-dlq",
        "lost-dlq",
        "aliased",
      ]),
    );
    const missing = await runCli(stack, ["doctor", "nobody"]);
    expect(missing.code).toBe(1);
    expect(lines(missing.stdout)).toContain("✗ function nobody does not exist in us-east-1");
    // A name that holds a terminal escape is shown escaped, never raw.
    const hostile = await runCli(stack, ["doctor", "bad\u001b[2Jname"]);
    expect(hostile.code).toBe(1);
    expect(hostile.stdout).toContain(
      "✗ lambda:GetFunctionConfiguration failed on function bad\\x1b[2Jname: ValidationException",
    );
    expect(hostile.stdout).toContain("1 check: 0 ✓, 0 ⚠ (0 could not be checked), 1 ✗");
    const none = await runCli(stack, ["doctor"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("name at least one function, or pass --all");
    const both = await runCli(stack, ["doctor", "healthy", "--all"]);
    expect(both.code).toBe(2);
  });
});

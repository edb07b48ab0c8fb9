/**
 * Issue #9, "SQS event source mappings": batches from FIFO queues, the records' md5OfMessageAttributes, the
 * mapping's ARN and the refusal of a queue that does not exist, through the real Lambda and SQS clients.
 *
 * Sources quoted below:
 * - Lambda developer guide, "Using Lambda with Amazon SQS": for a FIFO queue, "Lambda sorts the messages into
 *   groups and sends only one batch at a time for a group", a batch holding up to BatchSize messages, a
 *   group's messages in order; the event's records carry "messageAttributes", "md5OfMessageAttributes" and
 *   "md5OfBody". A record logged on AWS for a message without attributes: `"messageAttributes": {},
 *   "md5OfMessageAttributes": null, "md5OfBody": "e02c5942..."`.
 * - Amazon SQS developer guide, "Calculating the MD5 message digest for message attributes"; a test vector
 *   of the npm package aws-md5-of-message-attributes: {attribName1: {DataType: "String", StringValue:
 *   "attribValue 1"}} gives "19e27d4e946b072f3f58da80d94fd778". The SQS client checks the MD5 SendMessage
 *   returns against its own computation, so SendMessage's MD5OfMessageAttributes is a second reference.
 * - EventSourceMappingArn: "arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:event-source-mapping:<UUID>" (the
 *   pattern AWS's API references give for a Lambda event source mapping ARN).
 * - A missing source queue: InvalidParameterValueException "Error occurred while ReceiveMessage. SQS Error
 *   Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or
 *   you do not have access to it." (AWS's wording, as other emulators reproduce it).
 */
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvalidParameterValueException,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { SendMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import {
  type Clients,
  createQueue,
  deployFixture,
  deploySource,
  receiveBodies,
  useLocalStack,
} from "./helpers.js";

let clients: Clients;

useLocalStack((started) => {
  clients = started.clients;
});

interface SqsRecord {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, unknown>;
  md5OfMessageAttributes: string | null;
  md5OfBody: string;
}

/** Events the forwarder function received, in the order it received them. */
async function forwardedEvents(queueUrl: string, count: number): Promise<Array<{ Records: SqsRecord[] }>> {
  return (await receiveBodies(clients, queueUrl, count, 15_000)).map((body) => JSON.parse(body));
}

async function forwarder(name: string, queueName: string): Promise<void> {
  await deployFixture(clients, name, "node-forwarder", { environment: { FORWARD_QUEUE: queueName } });
}

describe("FIFO sources", () => {
  it("hand the function full batches, each group's messages together and in order", async () => {
    const out = await createQueue(clients, "fifo-batches-out");
    const source = await createQueue(clients, "fifo-batches.fifo", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
    });
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: [
          ["a1", "a"],
          ["b1", "b"],
          ["a2", "a"],
          ["a3", "a"],
          ["b2", "b"],
          ["a4", "a"],
        ].map(([body, group], index) => ({ Id: String(index), MessageBody: body, MessageGroupId: group })),
      }),
    );
    await forwarder("fifo-forwarder", "fifo-batches-out");
    await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: source.arn,
        FunctionName: "fifo-forwarder",
        BatchSize: 10,
      }),
    );
    const [event] = await forwardedEvents(out.url, 1);
    expect(event!.Records.map((record) => record.body)).toEqual(["a1", "a2", "a3", "a4", "b1", "b2"]);
    for (const record of event!.Records) {
      // Lambda developer guide, "Example Amazon SQS message event (FIFO queue)": the attributes, in order.
      expect(Object.keys(record.attributes)).toEqual([
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SequenceNumber",
        "MessageGroupId",
        "SenderId",
        "MessageDeduplicationId",
        "ApproximateFirstReceiveTimestamp",
      ]);
      expect(record.attributes.MessageGroupId).toBe(record.body.slice(0, 1));
      expect(record.attributes.SequenceNumber).toMatch(/^\d+$/);
      expect(record.attributes.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    }
    // One invocation took them all: nothing else was forwarded.
    expect(await receiveBodies(clients, out.url, 1, 1500)).toEqual([]);
  });

  it("a failing batch returns whole and reaches the dead-letter queue after maxReceiveCount", async () => {
    const dlq = await createQueue(clients, "fifo-failures-dlq.fifo", { FifoQueue: "true" });
    const source = await createQueue(clients, "fifo-failures.fifo", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const failing =
      'export const handler = async (event) => {\n  throw new Error("batch of " + event.Records.length);\n};\n';
    await deploySource(clients, "fifo-failer", failing);
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: ["f1", "f2", "f3", "f4"].map((body, index) => ({
          Id: String(index),
          MessageBody: body,
          MessageGroupId: "only",
        })),
      }),
    );
    await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: source.arn,
        FunctionName: "fifo-failer",
        BatchSize: 10,
      }),
    );
    expect(await receiveBodies(clients, dlq.url, 4, 6_000)).toEqual(["f1", "f2", "f3", "f4"]);
  });
});

describe("records", () => {
  it("carry md5OfMessageAttributes as SQS computes it, and null for a message without attributes", async () => {
    const out = await createQueue(clients, "md5-out");
    const source = await createQueue(clients, "md5-source");
    await forwarder("md5-forwarder", "md5-out");
    const vector = await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: source.url,
        MessageBody: "vector",
        MessageAttributes: { attribName1: { DataType: "String", StringValue: "attribValue 1" } },
      }),
    );
    const mixed = await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: source.url,
        MessageBody: "mixed",
        MessageAttributes: {
          zeta: { DataType: "Number.float", StringValue: "4563442423554324324264524243.32543234" },
          alpha: { DataType: "Binary", BinaryValue: Buffer.from("Hello binary world!") },
          "mid.name": { DataType: "String.custom", StringValue: "é ✓" },
        },
      }),
    );
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "plain" }));
    await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: source.arn,
        FunctionName: "md5-forwarder",
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
      }),
    );
    const records = new Map<string, SqsRecord>();
    for (let attempt = 0; attempt < 3 && records.size < 3; attempt += 1) {
      for (const event of await forwardedEvents(out.url, 1)) {
        for (const record of event.Records) records.set(record.body, record);
      }
    }
    expect(vector.MD5OfMessageAttributes).toBe("19e27d4e946b072f3f58da80d94fd778");
    expect(records.get("vector")?.md5OfMessageAttributes).toBe("19e27d4e946b072f3f58da80d94fd778");
    expect(records.get("mixed")?.md5OfMessageAttributes).toBe(mixed.MD5OfMessageAttributes);
    expect(records.get("plain")?.md5OfMessageAttributes).toBeNull();
    expect(Object.keys(records.get("plain")!)).toEqual([
      "messageId",
      "receiptHandle",
      "body",
      "attributes",
      "messageAttributes",
      "md5OfMessageAttributes",
      "md5OfBody",
      "eventSource",
      "eventSourceARN",
      "awsRegion",
    ]);
  });
});

describe("the mapping API", () => {
  it("returns EventSourceMappingArn from every call", async () => {
    const source = await createQueue(clients, "arn-source");
    await forwarder("arn-forwarder", "arn-source-unused");
    const created = await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: source.arn,
        FunctionName: "arn-forwarder",
        Enabled: false,
      }),
    );
    const arn = `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${created.UUID}`;
    expect(created.EventSourceMappingArn).toBe(arn);
    const got = await clients.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    expect(got.EventSourceMappingArn).toBe(arn);
    const listed = await clients.lambda.send(
      new ListEventSourceMappingsCommand({ EventSourceArn: source.arn }),
    );
    expect(listed.EventSourceMappings?.map((mapping) => mapping.EventSourceMappingArn)).toEqual([arn]);
    const updated = await clients.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 5 }),
    );
    expect(updated.EventSourceMappingArn).toBe(arn);
    const deleted = await clients.lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    expect(deleted.EventSourceMappingArn).toBe(arn);
  });

  it("refuses a source queue that does not exist with AWS's message", async () => {
    await forwarder("missing-forwarder", "missing-unused");
    const refusal = await clients.lambda
      .send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:no-such-queue",
          FunctionName: "missing-forwarder",
        }),
      )
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(InvalidParameterValueException);
    expect((refusal as InvalidParameterValueException).message).toBe(
      "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.",
    );
  });
});

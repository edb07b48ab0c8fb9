import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvalidParameterValueException,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { type Clients, createQueue, deployFixture, receiveBodies, useLocalStack } from "./helpers.js";

let clients: Clients;

useLocalStack((started) => {
  clients = started.clients;
});

describe("SQS event source mappings", () => {
  it("deletes what succeeded, leaves reported failures to the redrive policy (dead-letter queue)", async () => {
    const dlq = await createQueue(clients, "orders-dlq");
    const source = await createQueue(clients, "orders", {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await deployFixture(clients, "batcher", "node-batch");
    const created = await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: source.arn,
        FunctionName: "batcher",
        BatchSize: 10,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      }),
    );
    expect(created.UUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.FunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:batcher");
    const got = await clients.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    expect(got).toMatchObject({
      State: "Enabled",
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });

    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: ["good-1", "bad-1", "good-2", "good-3", "bad-2"].map((body, index) => ({
          Id: String(index),
          MessageBody: body,
        })),
      }),
    );
    // Each bad message is received twice (maxReceiveCount 2), then the queue moves it to the DLQ.
    const deadLetters = await receiveBodies(clients, dlq.url, 2, 15_000);
    expect(deadLetters.sort()).toEqual(["bad-1", "bad-2"]);
    expect(await receiveBodies(clients, source.url, 1, 1500)).toEqual([]);

    const listed = await clients.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "batcher" }));
    expect(listed.EventSourceMappings?.map((mapping) => mapping.UUID)).toEqual([created.UUID]);
    const disabled = await clients.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: false }),
    );
    expect(disabled.State).toBe("Updating");
    await clients.lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    await expect(
      clients.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("refuses a queue that does not exist and a large batch without a batching window", async () => {
    await deployFixture(clients, "batcher-2", "node-batch");
    await expect(
      clients.lambda.send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:missing",
          FunctionName: "batcher-2",
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    const queue = await createQueue(clients, "big-batches");
    await expect(
      clients.lambda.send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: queue.arn,
          FunctionName: "batcher-2",
          BatchSize: 100,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
  });
});

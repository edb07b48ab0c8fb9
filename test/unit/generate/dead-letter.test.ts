import {
  CreateQueueCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../../../src/generate/index.js";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";

let stack: LocalStack;
let sqs: SQSClient;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  sqs = new SQSClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});
afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

describe("a generated dead-letter message against a real SQS server", () => {
  it("has the MD5s SQS computes for the same body and attributes (the SDK checks them on send)", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "generated-dlq" }));
    for (const seed of [1, 2, 3]) {
      const [{ value: generated }] = generate("dlq-message", {
        seed,
        requestJson: '{"orderId": "ord-1", "note": "caf\u00e9 \u2603"}',
        error: "Error: stock service said \u00abno\u00bb",
      });
      const attributes: Record<string, MessageAttributeValue> = {};
      for (const [name, attribute] of Object.entries(generated.MessageAttributes)) {
        attributes[name] = { DataType: attribute.DataType, StringValue: attribute.StringValue };
      }
      const sent = await sqs.send(
        new SendMessageCommand({ QueueUrl, MessageBody: generated.Body, MessageAttributes: attributes }),
      );
      expect(generated.MD5OfBody).toBe(sent.MD5OfMessageBody);
      expect(generated.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }),
      );
      const [received] = Messages;
      // The same fields a consumer reads, with the same values where they do not identify the message.
      expect(
        Object.keys(received!)
          .filter((key) => key !== "$metadata")
          .sort(),
      ).toEqual(Object.keys(generated).sort());
      expect(received!.MessageAttributes).toEqual(generated.MessageAttributes);
      expect(received!.MD5OfMessageAttributes).toBe(generated.MD5OfMessageAttributes);
    }
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SubscribeCommand } from "@aws-sdk/client-sns";
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it, onTestFinished } from "vitest";
import type { LocalStack } from "../../../src/local/stack.js";
import {
  clientsFor,
  createQueue,
  createTopic,
  queueCounts,
  runCli,
  type StackClients,
  useStack,
} from "./support.js";

let stack: LocalStack;
let clients: StackClients;
const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-send-"));

useStack((started) => {
  ({ stack, clients } = started);
});

async function receiveAll(sqs: SQSClient, url: string, expected: number) {
  const messages: any[] = [];
  for (let round = 0; round < 50 && messages.length < expected; round += 1) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    messages.push(...(Messages ?? []));
  }
  return messages;
}

describe("send", () => {
  it("sends a body given as an argument and prints its MessageId", async () => {
    const queue = await createQueue(clients, "send-argument");
    const result = await runCli(stack, ["send", "send-argument", '{"orderId":1}']);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const [message] = await receiveAll(clients.sqs, queue.url, 1);
    expect(message.Body).toBe('{"orderId":1}');
    expect(message.MessageId).toBe(result.stdout.trim());
  });

  it("takes the queue by URL and ARN too, the body from --file and from stdin, and typed attributes", async () => {
    const queue = await createQueue(clients, "send-sources");
    const file = join(scratch, "body.json");
    writeFileSync(file, '{"from":"file"}');
    const binary = join(scratch, "blob.bin");
    writeFileSync(binary, Buffer.from([0, 1, 2, 255]));
    const byUrl = await runCli(stack, [
      "send",
      queue.url,
      "--file",
      file,
      "--attribute",
      "source=cli",
      "--attribute",
      "priority=Number:5",
      "--attribute",
      `blob=Binary:@${binary}`,
    ]);
    expect(byUrl.code).toBe(0);
    const byArn = await runCli(stack, ["send", queue.arn], { input: '{"from":"stdin"}' });
    expect(byArn.code).toBe(0);
    const messages = await receiveAll(clients.sqs, queue.url, 2);
    const fromFile = messages.find((message) => message.Body === '{"from":"file"}');
    expect(fromFile.MessageAttributes).toEqual({
      source: { DataType: "String", StringValue: "cli" },
      priority: { DataType: "Number", StringValue: "5" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
    });
    expect(messages.map((message) => message.Body).sort()).toEqual(['{"from":"file"}', '{"from":"stdin"}']);
  });

  it("--lines sends 11 lines in valid batches, one MessageId per line in order", async () => {
    const queue = await createQueue(clients, "send-lines");
    const lines = Array.from({ length: 11 }, (_, index) => `{"line":${index + 1}}`);
    const result = await runCli(stack, ["send", "send-lines", "--lines", "--json"], {
      input: `${lines.join("\n")}\n`,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      version: 1,
      sent: 11,
      failed: 0,
      target: { type: "queue", name: "send-lines" },
    });
    expect(report.messages.map((message: any) => message.line)).toEqual(lines.map((_, index) => index + 1));
    const received = await receiveAll(clients.sqs, queue.url, 11);
    expect(received.map((message) => message.Body).sort()).toEqual([...lines].sort());
  });

  it("--lines splits 3 x 400 KB by the 1 MiB request limit (the server refuses a bigger batch)", async () => {
    const queue = await createQueue(clients, "send-big");
    const big = (char: string) => `"${char.repeat(400 * 1024)}"`;
    const input = [big("a"), big("b"), big("c")].join("\n");
    const result = await runCli(stack, ["send", "send-big", "--lines"], { input });
    expect(result.stderr).toMatch(/^sent 3 messages to send-big in \d+\.\ds\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n")).toHaveLength(3);
    expect((await queueCounts(clients, queue.url)).visible).toBe(3);
  });

  it("refuses an over-size message before sending, with its size and the limit", async () => {
    const queue = await createQueue(clients, "send-too-big");
    const result = await runCli(stack, ["send", "send-too-big"], { input: "x".repeat(1_048_577) });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "lambda-dest: the message is too large for SQS (1.00 MiB (1048577 bytes); the limit is 1.00 MiB (1048576 bytes)); nothing was sent\n",
    );
    expect((await queueCounts(clients, queue.url)).visible).toBe(0);
  });

  it("sends to a FIFO queue with --group-id and --dedup-id, and asks for --group-id when missing", async () => {
    const queue = await createQueue(clients, "send-fifo.fifo", { FifoQueue: "true" });
    const missing = await runCli(stack, ["send", "send-fifo.fifo", "x"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("FIFO queue: give --group-id");
    const result = await runCli(
      stack,
      ["send", "send-fifo.fifo", "--lines", "--group-id", "g1", "--dedup-id", "d", "--json"],
      {
        input: "one\ntwo\nthree\n",
      },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.sent).toBe(3);
    expect(report.messages.every((message: any) => typeof message.sequenceNumber === "string")).toBe(true);
    const received = await receiveAll(clients.sqs, queue.url, 3);
    expect(received[0].Attributes.MessageGroupId).toBe("g1");
    expect(received[0].Body).toBe("one");
  });

  it("a missing queue, a bad endpoint and missing credentials each give one line and exit 1", async () => {
    const missing = await runCli(stack, ["send", "no-such-queue", "x"]);
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toBe(
      "lambda-dest: queue no-such-queue does not exist in us-east-1 (sqs:GetQueueUrl); check the name, --region and --profile\n",
    );

    const unreachable = await runCli(undefined, [
      "send",
      "q",
      "x",
      "--endpoint-url",
      "http://127.0.0.1:9",
      "--region",
      "us-east-1",
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^lambda-dest: cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\) for sqs:GetQueueUrl; .*\n$/,
    );

    const noCredentials = await runCli(stack, ["send", "q", "x"], {
      env: {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_EC2_METADATA_DISABLED: "true",
      },
    });
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(noCredentials.stderr).toMatch(/^lambda-dest: no usable AWS credentials/);

    const badProfile = await runCli(stack, ["send", "q", "x", "--profile", "nobody"]);
    expect(badProfile.code).toBe(1);
    expect(badProfile.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(badProfile.stderr).toMatch(/^lambda-dest: no usable AWS credentials/);

    const noRegion = await runCli(stack, ["send", "q", "x", "--endpoint-url", stack.endpoint], {
      bare: true,
    });
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toBe(
      "lambda-dest: no AWS region configured: pass --region, set AWS_REGION, or use --profile\n",
    );
  });

  it("--delay delays delivery", async () => {
    const queue = await createQueue(clients, "send-delay");
    const result = await runCli(stack, ["send", "send-delay", "later", "--delay", "30"]);
    expect(result.code).toBe(0);
    const { GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ["ApproximateNumberOfMessagesDelayed"],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessagesDelayed).toBe("1");
    const tooLong = await runCli(stack, ["send", "send-delay", "x", "--delay", "901"]);
    expect(tooLong.code).toBe(2);
  });

  it("takes the region from a queue or topic ARN in another region", async () => {
    const { CreateQueueCommand: Create } = await import("@aws-sdk/client-sqs");
    const { CreateTopicCommand } = await import("@aws-sdk/client-sns");
    const elsewhere = clientsFor(stack, "eu-west-1");
    onTestFinished(() => elsewhere.destroy());
    const { QueueUrl } = await elsewhere.sqs.send(new Create({ QueueName: "send-elsewhere" }));
    const { TopicArn } = await elsewhere.sns.send(new CreateTopicCommand({ Name: "publish-elsewhere" }));
    const queueArn = `arn:aws:sqs:eu-west-1:000000000000:send-elsewhere`;
    const sent = await runCli(stack, ["send", queueArn, "x"]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(QueueUrl).toContain("send-elsewhere");
    const published = await runCli(stack, ["publish", TopicArn!, "x"]);
    expect(published.code, published.stderr).toBe(0);
    const byName = await runCli(stack, ["send", "send-elsewhere", "x"]);
    expect(byName.code).toBe(1);
    expect(byName.stderr).toContain("queue send-elsewhere does not exist in us-east-1");
  });

  it("reads AWS_ENDPOINT_URL_SQS like the SDK does", async () => {
    await createQueue(clients, "send-env-endpoint");
    const result = await runCli(stack, ["send", "send-env-endpoint", "x"], {
      bare: true,
      env: { AWS_ENDPOINT_URL_SQS: stack.endpoint, AWS_REGION: "us-east-1" },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});

describe("publish", () => {
  it("publishes to a topic by name and by ARN, with a subject and attributes; --lines batches", async () => {
    const topicArn = await createTopic(clients, "publish-topic");
    const queue = await createQueue(clients, "publish-sink");
    await clients.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queue.arn }),
    );

    const single = await runCli(stack, [
      "publish",
      "publish-topic",
      '{"a":1}',
      "--subject",
      "hello",
      "--attribute",
      "kind=test",
    ]);
    expect(single.stderr).toBe("");
    expect(single.code).toBe(0);
    expect(single.stdout).toMatch(/^[0-9a-f-]{36}\n$/);

    const lines = Array.from({ length: 12 }, (_, index) => `{"n":${index}}`).join("\n");
    const many = await runCli(stack, ["publish", topicArn, "--lines"], { input: lines });
    expect(many.code).toBe(0);
    expect(many.stdout.trim().split("\n")).toHaveLength(12);

    const received = await receiveAll(clients.sqs, queue.url, 13);
    expect(received).toHaveLength(13);
    const first = received
      .map((message) => JSON.parse(message.Body))
      .find((body) => body.Message === '{"a":1}');
    expect(first.Subject).toBe("hello");
    expect(first.MessageAttributes.kind).toEqual({ Type: "String", Value: "test" });
  });

  it("publishes to a FIFO topic with --group-id and --dedup-id", async () => {
    const topicArn = await createTopic(clients, "publish-fifo.fifo", { FifoTopic: "true" });
    const queue = await createQueue(clients, "publish-fifo-sink.fifo", { FifoQueue: "true" });
    await clients.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queue.arn }),
    );
    const missing = await runCli(stack, ["publish", "publish-fifo.fifo", "x"]);
    expect(missing.code).toBe(2);
    const result = await runCli(stack, [
      "publish",
      "publish-fifo.fifo",
      '{"a":1}',
      "--group-id",
      "g",
      "--dedup-id",
      "d1",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [message] = await receiveAll(clients.sqs, queue.url, 1);
    expect(JSON.parse(message.Body).Message).toBe('{"a":1}');
  });

  it("refuses a message over SNS's 256 KB and names a missing topic", async () => {
    await createTopic(clients, "publish-limits");
    const big = await runCli(stack, ["publish", "publish-limits"], { input: "x".repeat(262_145) });
    expect(big.code).toBe(2);
    expect(big.stderr).toContain("too large for SNS");
    const missing = await runCli(stack, ["publish", "no-such-topic", "x"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "lambda-dest: topic no-such-topic does not exist in us-east-1 (sns:ListTopics); check the name, --region and --profile\n",
    );
  });
});

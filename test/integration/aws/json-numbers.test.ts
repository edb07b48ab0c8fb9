// `tail --consume --json` deletes a message once its line is written: the line must carry the payload's
// numbers as the message wrote them; `show --json` writes them so too. JSON.parse turns 1e400 into Infinity (which JSON.stringify writes as
// null), -0 into 0 and 12345678901234567890 into 12345678901234567000.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import type { LocalStack } from "../../../src/local/stack.js";
import { runCli as runBinary } from "../../support/run-cli.js";
import { createQueue, deployFunction, runCli, type StackClients, useStack } from "./support.js";

let stack: LocalStack;
let clients: StackClients;

useStack((started) => {
  ({ stack, clients } = started);
});

/** A Success record whose response writes numbers a double changes, and ones it keeps. */
const BODY =
  '{"version":"1.0","timestamp":"2025-11-14T18:16:05.568Z","requestContext":{"requestId":"00000000-0000-4000-8000-000000000001",' +
  '"functionArn":"arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST","condition":"Success","approximateInvokeCount":1},' +
  '"requestPayload":{"orderId":1},"responseContext":{"statusCode":200,"executedVersion":"$LATEST"},' +
  '"responsePayload":{"huge":1e400,"zero":-0,"id":12345678901234567890,"list":[1.5,-0.0,2],"note":"x:1e5"}}';

describe("tail --json keeps the payload's numbers as written", () => {
  it("--consume writes 1e400, -0 and a 20-digit integer as the message did, and deletes the message", async () => {
    const queue = await createQueue(clients, "tail-numbers");
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: BODY }));
    const result = await runCli(stack, ["tail", "sqs:tail-numbers", "--consume", "--json", "--max", "1"]);
    expect(result.code).toBe(0);
    const line = result.stdout.trim();
    expect(line).toContain(
      '"responsePayload":{"huge":1e400,"zero":-0,"id":12345678901234567890,"list":[1.5,-0.0,2],"note":"x:1e5"}',
    );
    // Still one JSON document per line, with every other field as JSON.stringify writes it.
    const parsed = JSON.parse(line) as {
      valid: boolean;
      kind: string;
      payload: { responsePayload: unknown };
    };
    expect(parsed).toMatchObject({ valid: true, kind: "invocation-record" });
    const { Messages } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect(Messages ?? []).toHaveLength(0);
  });
});

describe("show --json keeps the payload's numbers as written", () => {
  it("in a record inside an SQS message's Body, and in a record on its own", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-numbers-"));
    const wrapped = join(scratch, "message.json");
    writeFileSync(wrapped, JSON.stringify({ MessageId: "m-1", ReceiptHandle: "r", Body: BODY }));
    const alone = join(scratch, "record.json");
    writeFileSync(alone, BODY);
    for (const path of [wrapped, alone]) {
      const result = await runBinary(["show", "--json", path]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        '"responsePayload":{"huge":1e400,"zero":-0,"id":12345678901234567890,"list":[1.5,-0.0,2],"note":"x:1e5"}',
      );
    }
  });
});

describe("invoke --wait --json keeps the numbers of the event as sent", () => {
  it("the Success record's requestPayload writes 1e400 and a 20-digit integer as the invoke sent them", async () => {
    const queue = await createQueue(clients, "numbers-success");
    await deployFunction(clients, "numbers", { onSuccess: queue.arn, retries: 0 });
    const result = await runCli(stack, [
      "invoke",
      "numbers",
      '{"orderId":1,"huge":1e400,"id":12345678901234567890}',
      "--wait",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('"requestPayload":{"orderId":1,"huge":1e400,"id":12345678901234567890}');
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: "success", valid: true });
  });
});

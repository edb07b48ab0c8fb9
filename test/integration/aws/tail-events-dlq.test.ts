/**
 * `tail events:BUS`, EventBridge destinations and dead-letter queues in `tail function:NAME` and `invoke --wait`,
 * against the local stack (its EventBridge and Lambda services), through the built binary.
 *
 * The event Lambda puts on a bus destination (Lambda developer guide, "Capturing records of Lambda asynchronous
 * invocations"): source "lambda", detail-type "Lambda Function Invocation Result - Success" or "- Failure", the
 * invocation record as detail. A dead-letter message (Lambda developer guide, "Adding a dead-letter queue"):
 * the event as the body, with the message attributes RequestID, ErrorCode and ErrorMessage.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateEventBusCommand,
  type EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateAliasCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import {
  CliProcess,
  clientsFor,
  createQueue,
  deployFunction,
  invocationRecord,
  parseLines,
  runCli,
  type StackClients,
} from "./support.js";

let stack: LocalStack;
let clients: StackClients;
let events: EventBridgeClient;
const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-events-"));

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  events = clients.events;
  await events.send(new CreateEventBusCommand({ Name: "orders" }));
});
afterAll(async () => {
  clients?.destroy();
  await stack?.stop();
});

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function destinationEvent(requestId: string, success: boolean) {
  return {
    Source: "lambda",
    DetailType: `Lambda Function Invocation Result - ${success ? "Success" : "Failure"}`,
    Detail: invocationRecord({ requestId, success }),
    EventBusName: "orders",
  };
}

async function leftovers(): Promise<{ rules: string[]; queues: string[] }> {
  const { Rules } = await events.send(
    new ListRulesCommand({ EventBusName: "orders", NamePrefix: "lambda-dest" }),
  );
  const { QueueUrls } = await clients.sqs.send(
    new ListQueuesCommand({ QueueNamePrefix: "lambda-dest-tail-" }),
  );
  return { rules: (Rules ?? []).map((rule) => rule.Name!), queues: QueueUrls ?? [] };
}

describe("tail events:BUS", () => {
  it("shows Lambda's destination events through a rule of its own, not other events, and removes rule and queue", async () => {
    const tail = new CliProcess(stack, ["tail", "events:orders", "--json", "--max", "2"]);
    await tail.waitFor("listening on events:orders");
    expect((await leftovers()).rules).toHaveLength(1);
    await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "shop", DetailType: "OrderPlaced", Detail: "{}", EventBusName: "orders" },
          destinationEvent(uuid(1), true),
          destinationEvent(uuid(2), false),
        ],
      }),
    );
    const result = await tail.done;
    expect(result.code, result.stderr).toBe(0);
    const lines = parseLines(result.stdout);
    expect(lines.map((line) => [line.layers, line.summary.requestId, line.valid])).toEqual([
      [["sqs-message", "eventbridge-event", "invocation-record"], uuid(1), true],
      [["sqs-message", "eventbridge-event", "invocation-record"], uuid(2), true],
    ]);
    expect(await leftovers()).toEqual({ rules: [], queues: [] });
  });

  it("--pattern chooses what the rule matches; a pattern that is not a JSON object is a usage error", async () => {
    const tail = new CliProcess(stack, [
      "tail",
      "events:orders",
      "--pattern",
      '{"source":["shop"]}',
      "--json",
      "--max",
      "1",
    ]);
    await tail.waitFor("listening on events:orders");
    await events.send(
      new PutEventsCommand({
        Entries: [
          destinationEvent(uuid(3), true),
          { Source: "shop", DetailType: "OrderPlaced", Detail: '{"orderId":7}', EventBusName: "orders" },
        ],
      }),
    );
    const result = await tail.done;
    // Shown, and counted invalid: an event that is not Lambda's destination event breaks the event's schema.
    expect(result.code, result.stderr).toBe(1);
    const [line] = parseLines(result.stdout);
    expect([line.layers, line.valid, line.payload]).toEqual([
      ["sqs-message", "eventbridge-event"],
      false,
      { orderId: 7 },
    ]);

    const bad = await runCli(stack, ["tail", "events:orders", "--pattern", "[1]"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `lambda-dest: --pattern must be a JSON object, such as '{"source":["lambda"]}'\n`,
    );
    const missing = await runCli(stack, ["tail", "events:no-such-bus"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split("\n").filter(Boolean)).toEqual([
      expect.stringMatching(/^lambda-dest: event bus no-such-bus does not exist/),
    ]);
  });

  it("cleanup removes the rule and queue of a tail that was killed", async () => {
    const tail = new CliProcess(stack, ["tail", "events:orders"]);
    await tail.waitFor("listening on events:orders");
    tail.child.kill("SIGKILL");
    await tail.done;
    const left = await leftovers();
    expect([left.rules.length, left.queues.length]).toEqual([1, 1]);
    const cleaned = await runCli(stack, ["cleanup", "--force", "--json"]);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    const report = JSON.parse(cleaned.stdout);
    expect(
      report.resources.map((item: { type: string; action: string }) => [item.type, item.action]),
    ).toEqual([
      ["rule", "deleted"],
      ["queue", "deleted"],
    ]);
    expect(await leftovers()).toEqual({ rules: [], queues: [] });
  });

  it("removes its rule and queue on SIGINT and SIGTERM too; eventbridge:BUS and --pattern @file are accepted", async () => {
    const file = join(scratch, "pattern.json");
    writeFileSync(file, '{"source":["shop"]}');
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const tail = new CliProcess(stack, ["tail", "eventbridge:orders", "--pattern", `@${file}`]);
      await tail.waitFor("listening on events:orders");
      expect((await leftovers()).rules).toHaveLength(1);
      tail.child.kill(signal);
      const result = await tail.done;
      expect(result.signal, result.stderr).toBeNull();
      expect(await leftovers()).toEqual({ rules: [], queues: [] });
    }
    const missing = await runCli(stack, ["tail", "events:orders", "--pattern", "@/no/such/file.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("lambda-dest: --pattern: cannot read /no/such/file.json (ENOENT)\n");
  });

  it("tail function:NAME follows an EventBridge destination: only that function's records", async () => {
    const busArn = `arn:aws:events:${stack.region}:000000000000:event-bus/orders`;
    await deployFunction(clients, "bus-dest", { onSuccess: busArn, onFailure: busArn, retries: 0 });
    const tail = new CliProcess(stack, ["tail", "function:bus-dest", "--json", "--max", "2"]);
    await tail.waitFor("listening on events:orders");
    // Another function's record on the same bus is not this function's.
    await events.send(new PutEventsCommand({ Entries: [destinationEvent(uuid(4), true)] }));
    await runCli(stack, ["invoke", "bus-dest", '{"orderId":1}']);
    await runCli(stack, ["invoke", "bus-dest", '{"fail":"no stock"}']);
    const result = await tail.done;
    expect(result.code, result.stderr).toBe(0);
    const lines = parseLines(result.stdout);
    expect(lines.map((line) => [line.summary.functionName, line.summary.outcome]).sort()).toEqual([
      ["bus-dest", "failure"],
      ["bus-dest", "success"],
    ]);
    expect(await leftovers()).toEqual({ rules: [], queues: [] });
  }, 30_000);
});

describe("invoke --wait with EventBridge destinations", () => {
  it("exits 0 on the success event and 1 on the failure event, and leaves no rule behind", async () => {
    const busArn = `arn:aws:events:${stack.region}:000000000000:event-bus/orders`;
    await deployFunction(clients, "bus-wait", { onSuccess: busArn, onFailure: busArn, retries: 0 });
    const ok = await runCli(stack, ["invoke", "bus-wait", '{"orderId":1}', "--wait", "--timeout", "30s"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("SUCCESS");
    const failed = await runCli(stack, [
      "invoke",
      "bus-wait",
      '{"fail":"no stock"}',
      "--wait",
      "--timeout",
      "30s",
    ]);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stdout).toContain("OrderError: failing on purpose: no stock");
    expect(await leftovers()).toEqual({ rules: [], queues: [] });
  }, 60_000);
});

describe("dead-letter queues", () => {
  it("tail function:NAME shows the dead-letter message with its attributes; invoke --wait exits 1 on it", async () => {
    const dlq = await createQueue(clients, "dlq-only-dlq");
    await deployFunction(clients, "dlq-only", { retries: 0 });
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "dlq-only",
        DeadLetterConfig: { TargetArn: dlq.arn },
      }),
    );
    const tail = new CliProcess(stack, ["tail", "function:dlq-only", "--json", "--max", "1"]);
    await tail.waitFor("listening on sqs:dlq-only-dlq");
    expect(tail.stderr).toContain(
      "dlq-only has no destinations configured: only its dead-letter queue is tailed",
    );

    const waited = await runCli(stack, [
      "invoke",
      "dlq-only",
      '{"fail":"no stock"}',
      "--wait",
      "--timeout",
      "30s",
    ]);
    expect(waited.code, waited.stderr).toBe(1);
    expect(waited.stderr).toContain("dead-letter sqs:dlq-only-dlq");
    const requestId = /request ([0-9a-f-]{36})/.exec(waited.stderr)?.[1];
    expect(requestId).toBeDefined();

    const result = await tail.done;
    expect(result.code, result.stderr).toBe(0);
    const [line] = parseLines(result.stdout);
    expect(line.layers).toEqual(["sqs-message"]);
    expect(line.payload).toEqual({ fail: "no stock" });
    expect(line.summary).toMatchObject({ outcome: "failure", requestId });
    expect(line.summary.errorMessage).toContain("failing on purpose: no stock");
  }, 60_000);
});

describe("tail function:NAME --qualifier", () => {
  it("follows the destinations configured on an alias (destinations are per version or alias)", async () => {
    // Lambda developer guide, "Configuring destinations for asynchronous invocation": the event invoke config
    // is set per function, version or alias (PutFunctionEventInvokeConfig's Qualifier).
    const queue = await createQueue(clients, "aliased-success");
    await deployFunction(clients, "aliased");
    const { Version } = await clients.lambda.send(new PublishVersionCommand({ FunctionName: "aliased" }));
    await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: "aliased", Name: "live", FunctionVersion: Version }),
    );
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "aliased",
        Qualifier: "live",
        DestinationConfig: { OnSuccess: { Destination: queue.arn } },
      }),
    );
    const unqualified = await runCli(stack, ["tail", "function:aliased", "--timeout", "2s"]);
    expect(unqualified.code).toBe(1);
    expect(unqualified.stderr).toContain("it has no destinations configured");

    const tail = new CliProcess(stack, [
      "tail",
      "function:aliased",
      "--qualifier",
      "live",
      "--json",
      "--max",
      "1",
    ]);
    await tail.waitFor("listening on sqs:aliased-success");
    await runCli(stack, ["invoke", "aliased", '{"orderId":3}', "--qualifier", "live"]);
    const result = await tail.done;
    expect(result.code, result.stderr).toBe(0);
    const [line] = parseLines(result.stdout);
    expect(line.payload.requestContext.functionArn).toMatch(/:function:aliased:live$/);

    const clash = await runCli(stack, ["tail", "function:aliased:live", "--qualifier", "1"]);
    expect(clash.code).toBe(2);
  }, 30_000);
});

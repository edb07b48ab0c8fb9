/**
 * The local EventBridge through the AWS CLI (when it is installed): the same requests other tools send, with
 * the CLI's own serialisation (JSON 1.1, timestamps, its error parsing). Skipped where no `aws` is on the PATH.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { type Clients, clientsFor, createQueue, destroyClients, receiveBodies } from "./helpers.js";

const run = promisify(execFile);

function hasAwsCli(): boolean {
  try {
    execFileSync("aws", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

let stack: LocalStack;
let clients: Clients;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
});

afterAll(async () => {
  if (clients) destroyClients(clients);
  await stack?.stop();
});

async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: stack.region,
    AWS_MAX_ATTEMPTS: "1",
  };
  try {
    const { stdout, stderr } = await run(
      "aws",
      ["--endpoint-url", stack.endpoint, "--output", "json", ...args],
      {
        env,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.skipIf(!hasAwsCli())("EventBridge through the AWS CLI", () => {
  it("a bus, a rule and an SQS target receive put-events entries in EventBridge's shape", async () => {
    const queue = await createQueue(clients, "cli-events");
    expect((await aws("events", "create-event-bus", "--name", "cli-bus")).code).toBe(0);
    const rule = await aws(
      "events",
      "put-rule",
      "--name",
      "cli-rule",
      "--event-bus-name",
      "cli-bus",
      "--event-pattern",
      JSON.stringify({ source: [{ prefix: "cli." }], detail: { level: [{ "anything-but": "debug" }] } }),
    );
    expect(rule.code).toBe(0);
    expect(JSON.parse(rule.stdout).RuleArn).toBe(
      `arn:aws:events:${stack.region}:000000000000:rule/cli-bus/cli-rule`,
    );
    const targets = await aws(
      "events",
      "put-targets",
      "--rule",
      "cli-rule",
      "--event-bus-name",
      "cli-bus",
      "--targets",
      JSON.stringify([{ Id: "q", Arn: queue.arn }]),
    );
    expect(JSON.parse(targets.stdout)).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
    const put = await aws(
      "events",
      "put-events",
      "--entries",
      JSON.stringify([
        { EventBusName: "cli-bus", Source: "cli.app", DetailType: "log", Detail: '{"level":"debug"}' },
        {
          EventBusName: "cli-bus",
          Source: "cli.app",
          DetailType: "log",
          Detail: '{"level":"error"}',
          Time: "2024-02-03T04:05:06Z",
        },
      ]),
    );
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout).FailedEntryCount).toBe(0);
    const bodies = await receiveBodies(clients, queue.url, 1, 5000);
    expect(bodies.map((body) => JSON.parse(body))).toEqual([
      expect.objectContaining({
        source: "cli.app",
        time: "2024-02-03T04:05:06Z",
        detail: { level: "error" },
      }),
    ]);
  });

  it("test-event-pattern answers, and errors reach the CLI under AWS's names", async () => {
    const event = JSON.stringify({
      id: "1",
      source: "order",
      "detail-type": "Test",
      account: "000000000000",
      region: "us-east-1",
      time: "2024-01-01T00:00:00Z",
    });
    const yes = await aws(
      "events",
      "test-event-pattern",
      "--event",
      event,
      "--event-pattern",
      '{"source":["order"]}',
    );
    expect(JSON.parse(yes.stdout)).toEqual({ Result: true });
    const invalid = await aws(
      "events",
      "test-event-pattern",
      "--event",
      event,
      "--event-pattern",
      '{"source":"order"}',
    );
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain("(InvalidEventPatternException)");
    expect(invalid.stderr).toContain(
      'Event pattern is not valid. Reason: "source" must be an object or an array',
    );
    const missing = await aws("events", "describe-rule", "--name", "nope");
    expect(missing.stderr).toContain("(ResourceNotFoundException)");
    expect(missing.stderr).toContain("Rule nope does not exist on EventBus default.");
  });
});

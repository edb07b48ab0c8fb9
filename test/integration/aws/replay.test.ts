/**
 * `replay <source>` against the local stack, through the built binary: failure records from an on-failure
 * queue replayed to a fixed function arrive as Success records; the payload reaches Lambda byte for byte;
 * --dry-run and a missing --yes change nothing; dead-letter messages need --function; --delete deletes only
 * what was accepted.
 *
 * AWS facts relied on:
 * - Lambda developer guide, "Capturing records of Lambda asynchronous invocations": a record carries
 *   requestContext.functionArn, requestContext.condition and the original event as requestPayload.
 * - Lambda developer guide, "Adding a dead-letter queue": the event is the message body, with the
 *   attributes RequestID, ErrorCode and ErrorMessage.
 * - Lambda API reference, Invoke: "For asynchronous invocation, Lambda adds events to a queue before sending
 *   them to your function"; a success response of an Event invocation is 202 (InvokeAsync/Invoke: "A
 *   success response (202 Accepted) indicates that the request is queued for invocation").
 * - Lambda API reference, GetFunctionConcurrency: ReservedConcurrentExecutions, "Valid Range: Minimum value
 *   of 0", absent when none is reserved.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { LocalStack } from "../../../src/local/stack.js";
import {
  CliProcess,
  createQueue,
  deployFunction,
  invocationRecord,
  parseLines,
  queueCounts,
  runCli,
  type StackClients,
  useStack,
} from "./support.js";

let stack: LocalStack;
let clients: StackClients;

useStack((started) => {
  ({ stack, clients } = started);
});

/** The fix: a handler that succeeds whatever it gets. */
const FIXED_HANDLER = `export const handler = async (event) => ({ fixed: true, echo: event });\n`;

async function fixFunction(name: string): Promise<void> {
  await clients.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: name,
      ZipFile: zipSync({ "index.mjs": strToU8(FIXED_HANDLER) }),
    }),
  );
}

async function waitForMessages(url: string, count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queueCounts(clients, url);
    if (counts.visible >= count) return;
    if (Date.now() > deadline) throw new Error(`expected ${count} messages, saw ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function receiveBodies(url: string, count: number): Promise<string[]> {
  await waitForMessages(url, count);
  const bodies: string[] = [];
  while (bodies.length < count) {
    const { Messages } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    for (const message of Messages ?? []) bodies.push(message.Body ?? "");
  }
  return bodies;
}

async function invokeAsync(name: string, payload: string): Promise<void> {
  const output = await clients.lambda.send(
    new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: strToU8(payload) }),
  );
  expect(output.StatusCode).toBe(202);
}

/** A payload JSON.parse would change: 1e400 becomes Infinity, -0 prints as 0, spacing and order are lost. */
const ODD_PAYLOAD = '{ "zeta" : 1e400,"fail":"first time",  "alpha":-0, "nested":{"b":1.50,"a":[ ]} }';

describe("replay from an on-failure queue", () => {
  it("fails, is fixed, and replays each record byte for byte as a Success, deleting with --delete", async () => {
    const failures = await createQueue(clients, "rp-failures");
    const successes = await createQueue(clients, "rp-successes");
    await deployFunction(clients, "rp-orders", {
      onSuccess: successes.arn,
      onFailure: failures.arn,
      retries: 0,
    });
    await invokeAsync("rp-orders", ODD_PAYLOAD);
    await invokeAsync("rp-orders", '{"fail":"no stock","orderId":2}');
    await invokeAsync("rp-orders", '{"fail":"no stock","orderId":3}');
    await waitForMessages(failures.url, 3);
    await fixFunction("rp-orders");

    // --dry-run: the plan, on stdout; nothing invoked, every message given back.
    const dry = await runCli(stack, ["replay", "sqs:rp-failures", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("Replay plan: 3 of 3 values from sqs:rp-failures");
    expect(dry.stdout).toContain("3 to rp-orders:$LATEST");
    expect(dry.stdout).toContain("(dry run: nothing was invoked)");
    expect(await queueCounts(clients, failures.url)).toEqual({ visible: 3, inFlight: 0 });

    // No terminal and no --yes: a usage error before the queue is touched.
    const unconfirmed = await runCli(stack, ["replay", "sqs:rp-failures"]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("pass --yes");
    expect(await queueCounts(clients, failures.url)).toEqual({ visible: 3, inFlight: 0 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await queueCounts(clients, successes.url)).toEqual({ visible: 0, inFlight: 0 });

    const replayed = await runCli(stack, ["replay", "sqs:rp-failures", "--yes", "--delete", "--json"]);
    expect(replayed.code, replayed.stderr).toBe(0);
    const report = JSON.parse(replayed.stdout);
    expect(report.items).toHaveLength(3);
    for (const item of report.items) {
      expect(item).toMatchObject({
        kind: "failure-record",
        condition: "RetriesExhausted",
        outcome: "accepted",
        statusCode: 202,
        deleted: true,
        qualifier: "$LATEST",
      });
      expect(item.newRequestId).not.toBe(item.originalRequestId);
    }
    expect(replayed.stderr).toContain("replay: 3 accepted, 0 failed, 0 skipped, 3 deleted");
    expect(await queueCounts(clients, failures.url)).toEqual({ visible: 0, inFlight: 0 });

    const bodies = await receiveBodies(successes.url, 3);
    const records = bodies.map((body) => JSON.parse(body));
    expect(records.map((record) => record.requestContext.condition)).toEqual([
      "Success",
      "Success",
      "Success",
    ]);
    const newIds = report.items.map((item: { newRequestId: string }) => item.newRequestId).sort();
    expect(records.map((record) => record.requestContext.requestId).sort()).toEqual(newIds);
    // The record splices the request as Lambda received it: the exact bytes of the original request.
    expect(bodies.some((body) => body.includes(`"requestPayload":${ODD_PAYLOAD}`))).toBe(true);
  }, 60_000);

  it("peeks by default, and --delete with --sync deletes only the message whose replay succeeded", async () => {
    const queue = await createQueue(clients, "rp-mixed");
    // The function still fails on {"fail":...}: that replay fails again, the other succeeds.
    await deployFunction(clients, "rp-still-failing");
    const record = (requestId: string, payload: string) =>
      invocationRecord({ requestId, functionName: "rp-still-failing", success: false }).replace(
        '"requestPayload":{"orderId":1}',
        `"requestPayload":${payload}`,
      );
    for (const [id, payload] of [
      ["11111111-1111-1111-1111-111111111111", '{"fail":"again"}'],
      ["22222222-2222-2222-2222-222222222222", '{"orderId":22}'],
    ]) {
      await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queue.url, MessageBody: record(id!, payload!) }),
      );
    }

    const peeked = await runCli(stack, ["replay", "rp-mixed", "--yes", "--sync"]);
    expect(peeked.code).toBe(1);
    expect(peeked.stdout).toMatch(/✓ rp-still-failing:\$LATEST ← sqs:rp-mixed message .*: accepted/);
    expect(peeked.stdout).toMatch(/✗ rp-still-failing:\$LATEST ← .*OrderError: failing on purpose: again/);
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 2, inFlight: 0 });

    const deleting = await runCli(stack, ["replay", "rp-mixed", "--yes", "--sync", "--delete", "--json"]);
    expect(deleting.code).toBe(1);
    const report = JSON.parse(deleting.stdout);
    const byRequest = Object.fromEntries(
      report.items.map((item: { originalRequestId: string }) => [item.originalRequestId, item]),
    );
    expect(byRequest["11111111-1111-1111-1111-111111111111"]).toMatchObject({
      outcome: "failed",
      deleted: false,
    });
    expect(byRequest["22222222-2222-2222-2222-222222222222"]).toMatchObject({
      outcome: "accepted",
      deleted: true,
      result: '{"ok":true,"echo":{"orderId":22}}',
    });
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 1, inFlight: 0 });
  }, 60_000);

  it("--rate 5/s spaces 10 invocations over about 2 s", async () => {
    const queue = await createQueue(clients, "rp-rate");
    await deployFunction(clients, "rp-rate-fn");
    for (let index = 0; index < 10; index++) {
      const id = `00000000-0000-0000-0000-${String(index).padStart(12, "0")}`;
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: invocationRecord({ requestId: id, functionName: "rp-rate-fn", success: false }),
        }),
      );
    }
    const started = Date.now();
    const result = await runCli(stack, [
      "replay",
      "rp-rate",
      "--yes",
      "--rate",
      "5/s",
      "--concurrency",
      "10",
    ]);
    const elapsed = Date.now() - started;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("replay: 10 accepted");
    // The tenth starts 9 intervals of 200 ms after the first.
    expect(elapsed).toBeGreaterThanOrEqual(1800);
    expect(elapsed).toBeLessThan(8000);
  }, 60_000);
});

describe("replay --wait", () => {
  it("follows each replay to its new record; --delete deletes only what now succeeded", async () => {
    const failures = await createQueue(clients, "rpw-failures");
    const successes = await createQueue(clients, "rpw-successes");
    await deployFunction(clients, "rpw-orders", {
      onSuccess: successes.arn,
      onFailure: failures.arn,
      retries: 0,
    });
    await invokeAsync("rpw-orders", '{"fail":"no stock","orderId":1}');
    await invokeAsync("rpw-orders", '{"fail":"no stock","orderId":2}');
    await invokeAsync("rpw-orders", '{"fail":"forever","orderId":3}');
    await waitForMessages(failures.url, 3);
    // The fix covers two of the three: the third fails again.
    await clients.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: "rpw-orders",
        ZipFile: zipSync({
          "index.mjs": strToU8(
            `export const handler = async (event) => { if (event.fail === "forever") throw new Error("still broken"); return { fixed: true }; };\n`,
          ),
        }),
      }),
    );

    const result = await runCli(stack, [
      "replay",
      "sqs:rpw-failures",
      "--wait",
      "--delete",
      "--yes",
      "--timeout",
      "30s",
    ]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain("replayed  now succeeded  failed again  timed out");
    expect(result.stdout).toMatch(/\n3 +2 +1 +0\n/);
    expect(result.stdout).toMatch(
      /✗ sqs:rpw-failures message .* → request [0-9a-f-]{36}: RetriesExhausted: Error: still broken/,
    );
    // Two deleted; the one that failed again was given back, and its new failure record arrived beside it.
    expect(await queueCounts(clients, failures.url)).toEqual({ visible: 2, inFlight: 0 });
    expect(await queueCounts(clients, successes.url)).toMatchObject({ visible: 2 });
  }, 60_000);

  it("all succeeded: exit 0 and the failure queue is empty", async () => {
    const failures = await createQueue(clients, "rpw2-failures");
    const successes = await createQueue(clients, "rpw2-successes");
    await deployFunction(clients, "rpw2-orders", {
      onSuccess: successes.arn,
      onFailure: failures.arn,
      retries: 0,
    });
    for (const n of [1, 2, 3, 4]) await invokeAsync("rpw2-orders", `{"fail":"no stock","orderId":${n}}`);
    await waitForMessages(failures.url, 4);
    await fixFunction("rpw2-orders");
    const result = await runCli(stack, [
      "replay",
      "sqs:rpw2-failures",
      "--wait",
      "--delete",
      "--yes",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const items = JSON.parse(result.stdout).items;
    expect(items.map((item: { waitOutcome: string }) => item.waitOutcome)).toEqual([
      "succeeded",
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    expect(items.every((item: { deleted: boolean }) => item.deleted)).toBe(true);
    expect(await queueCounts(clients, failures.url)).toEqual({ visible: 0, inFlight: 0 });
  }, 60_000);
});

describe("an interrupted replay", () => {
  it("deletes nothing it did not replay, and --skip-replayed resumes without duplicates", async () => {
    const queue = await createQueue(clients, "rp-interrupted");
    await deployFunction(clients, "rp-interrupted-fn");
    const ids = [1, 2, 3, 4, 5].map((n) => `bbbbbbbb-0000-0000-0000-00000000000${n}`);
    for (const id of ids) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: invocationRecord({ requestId: id, functionName: "rp-interrupted-fn", success: false }),
        }),
      );
    }
    const log = join(mkdtempSync(join(tmpdir(), "replay-log-")), "replay.ndjson");
    const args = ["replay", "rp-interrupted", "--yes", "--delete", "--out", log, "--concurrency", "1"];
    const first = new CliProcess(stack, [...args, "--rate", "1/s"]);
    await first.waitFor(/✓[^\n]*\n✓/, "stdout", 20_000);
    first.child.kill("SIGINT");
    const stopped = await first.done;
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain("interrupted: stopped before sqs:rp-interrupted message");
    const logged = parseLines(readFileSync(log, "utf8"));
    const replayedFirst = logged.length;
    expect(replayedFirst).toBeGreaterThanOrEqual(2);
    expect(replayedFirst).toBeLessThan(5);
    expect(logged.every((line) => line.outcome === "accepted")).toBe(true);
    // Only the replayed messages were deleted; the others are back in the queue.
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 5 - replayedFirst, inFlight: 0 });

    const resumed = await runCli(stack, [...args, "--skip-replayed", log]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = parseLines(readFileSync(log, "utf8"));
    expect(all).toHaveLength(5);
    expect(all.map((line) => line.originalRequestId).sort()).toEqual(ids);
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  }, 60_000);
});

describe("replay from a dead-letter queue", () => {
  it("needs --function, then sends each body to it", async () => {
    const dlq = await createQueue(clients, "rp-dlq");
    await deployFunction(clients, "rp-dlq-fn", { retries: 0 });
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "rp-dlq-fn",
        DeadLetterConfig: { TargetArn: dlq.arn },
      }),
    );
    await invokeAsync("rp-dlq-fn", '{"fail":"dlq", "n": 1e400}');
    await waitForMessages(dlq.url, 1);

    const withoutFunction = await runCli(stack, ["replay", "rp-dlq", "--yes"]);
    expect(withoutFunction.code).toBe(2);
    expect(withoutFunction.stderr).toContain("give --function");
    expect(await queueCounts(clients, dlq.url)).toEqual({ visible: 1, inFlight: 0 });

    await fixFunction("rp-dlq-fn");
    const replayed = await runCli(stack, [
      "replay",
      dlq.url,
      "--function",
      "rp-dlq-fn",
      "--sync",
      "--yes",
      "--delete",
      "--json",
    ]);
    expect(replayed.code, replayed.stderr).toBe(0);
    const [item] = JSON.parse(replayed.stdout).items;
    expect(item).toMatchObject({
      kind: "dead-letter",
      outcome: "accepted",
      deleted: true,
      function: "rp-dlq-fn",
    });
    // The fixed function echoes what the runtime parsed from the body (1e400 parses as Infinity: null).
    expect(JSON.parse(item.result)).toEqual({ fixed: true, echo: { fail: "dlq", n: null } });
    expect(await queueCounts(clients, dlq.url)).toEqual({ visible: 0, inFlight: 0 });
  }, 60_000);
});

describe("replay from an S3 on-failure destination", () => {
  it("reads the records under the prefix, leaves them there, and replays their bytes", async () => {
    const { s3 } = clients;
    await s3.send(new CreateBucketCommand({ Bucket: "rp-records" }));
    const successes = await createQueue(clients, "rp-s3-successes");
    await deployFunction(clients, "rp-s3", {
      onSuccess: successes.arn,
      onFailure: "arn:aws:s3:::rp-records",
      retries: 0,
    });
    await invokeAsync("rp-s3", ODD_PAYLOAD);
    // Key layout (Lambda developer guide, S3 destinations): aws/lambda/async/<function-name>/YYYY/MM/DD/...
    const prefix = "aws/lambda/async/rp-s3/";
    const keys = async () =>
      (await s3.send(new ListObjectsV2Command({ Bucket: "rp-records", Prefix: prefix }))).Contents ?? [];
    const deadline = Date.now() + 20_000;
    while ((await keys()).length === 0) {
      if (Date.now() > deadline) throw new Error("no failure record was written to S3");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await fixFunction("rp-s3");

    const deleting = await runCli(stack, ["replay", `s3://rp-records/${prefix}`, "--yes", "--delete"]);
    expect(deleting.code).toBe(2);
    expect(deleting.stderr).toContain("--delete works with a queue source only");

    const replayed = await runCli(stack, ["replay", `s3://rp-records/${prefix}`, "--yes", "--json"]);
    expect(replayed.code, replayed.stderr).toBe(0);
    const [item] = JSON.parse(replayed.stdout).items;
    expect(item).toMatchObject({ kind: "failure-record", outcome: "accepted", statusCode: 202 });
    expect(item.origin).toMatch(/^s3:\/\/rp-records\/aws\/lambda\/async\/rp-s3\//);
    expect(await keys()).toHaveLength(1);
    const [body] = await receiveBodies(successes.url, 1);
    expect(body).toContain(`"requestPayload":${ODD_PAYLOAD}`);
  }, 60_000);
});

describe("replay from files", () => {
  it("reads NDJSON records and tail --json lines; skips Success records; checks ZeroReservedConcurrency first", async () => {
    await deployFunction(clients, "rp-files");
    await clients.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "rp-files", ReservedConcurrentExecutions: 0 }),
    );
    const dir = mkdtempSync(join(tmpdir(), "replay-"));
    const failure = invocationRecord({
      requestId: "aaaaaaaa-0000-0000-0000-000000000001",
      functionName: "rp-files",
      success: false,
    });
    const success = invocationRecord({
      requestId: "aaaaaaaa-0000-0000-0000-000000000002",
      functionName: "rp-files",
      success: true,
    });
    const throttled = failure
      .replace("RetriesExhausted", "ZeroReservedConcurrency")
      .replace("aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000003");
    const file = join(dir, "records.ndjson");
    writeFileSync(file, `${failure}\n${success}\n${throttled}\n`);

    const result = await runCli(stack, ["replay", file, "--yes", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const items = JSON.parse(result.stdout).items;
    expect(items.map((item: { outcome: string }) => item.outcome)).toEqual([
      "accepted",
      "skipped",
      "skipped",
    ]);
    expect(items[1].reason).toContain("--include-success");
    expect(items[2].reason).toContain("reserved concurrency is still 0");
    expect(result.stderr).toContain(
      "1 ZeroReservedConcurrency record: replayed only if the function has concurrency now",
    );

    // What `tail --json` writes, piped in: the record inside each line is replayed.
    const tailed = await createQueue(clients, "rp-tailed");
    await deployFunction(clients, "rp-tailed-fn");
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: tailed.url,
        MessageBody: invocationRecord({
          requestId: "aaaaaaaa-0000-0000-0000-000000000004",
          functionName: "rp-tailed-fn",
          success: false,
        }),
      }),
    );
    const tail = await runCli(stack, ["tail", "sqs:rp-tailed", "--json", "--max", "1", "--timeout", "15s"]);
    expect(tail.code, tail.stderr).toBe(0);
    const fromTail = await runCli(stack, ["replay", "-", "--yes", "--sync", "--json"], {
      input: tail.stdout,
    });
    expect(fromTail.code, fromTail.stderr).toBe(0);
    expect(JSON.parse(fromTail.stdout).items[0]).toMatchObject({
      kind: "failure-record",
      originalRequestId: "aaaaaaaa-0000-0000-0000-000000000004",
      outcome: "accepted",
      result: '{"ok":true,"echo":{"orderId":1}}',
    });

    // Not one byte from stdin is replayed without --yes.
    const piped = await runCli(stack, ["replay", "-"], { input: failure });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain("stdin holds the records: pass --yes");
  }, 60_000);
});

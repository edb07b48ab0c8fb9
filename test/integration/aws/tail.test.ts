import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListSubscriptionsByTopicCommand, PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import { describe, expect, it, onTestFinished } from "vitest";
import type { LocalStack } from "../../../src/local/stack.js";
import {
  CliProcess,
  createQueue,
  createTopic,
  invocationRecord,
  parseLines,
  queueCounts,
  runCli,
  type StackClients,
  useStack,
} from "./support.js";

let stack: LocalStack;
let clients: StackClients;
const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-tail-"));

useStack((started) => {
  ({ stack, clients } = started);
});

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

async function fill(url: string, bodies: string[]): Promise<void> {
  for (let start = 0; start < bodies.length; start += 10) {
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies
          .slice(start, start + 10)
          .map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
  }
}

async function temporaryQueues(): Promise<string[]> {
  const { QueueUrls } = await clients.sqs.send(
    new ListQueuesCommand({ QueueNamePrefix: "lambda-dest-tail-" }),
  );
  return QueueUrls ?? [];
}

async function subscriptionsOf(topicArn: string): Promise<string[]> {
  const { Subscriptions } = await clients.sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
  );
  return (Subscriptions ?? []).map((subscription) => subscription.SubscriptionArn!);
}

describe("tail", () => {
  it("tails a topic through a temporary queue while records are published, NDJSON of the right kinds, and removes it", async () => {
    const topicArn = await createTopic(clients, "tail-topic");
    const tail = new CliProcess(stack, ["tail", "sns:tail-topic", "--json", "--max", "3"]);
    await tail.waitFor("listening on sns:tail-topic");
    // Listening is said only once the subscription exists and is confirmed.
    const [subscription] = await subscriptionsOf(topicArn);
    expect(subscription).toBeDefined();
    const queues = await temporaryQueues();
    expect(queues).toHaveLength(1);

    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: invocationRecord({ requestId: uuid(1), success: true }),
      }),
    );
    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: invocationRecord({ requestId: uuid(2), success: false }),
      }),
    );
    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: '{"message_id":"m1","body":"x","status":"SUCCESS"}',
      }),
    );
    const result = await tail.done;
    expect(result.code).toBe(0);
    const lines = parseLines(result.stdout);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining([
          "version",
          "receivedAt",
          "source",
          "messageId",
          "layers",
          "kind",
          "valid",
          "summary",
          "payload",
          "errors",
        ]),
      );
      expect(line.version).toBe(1);
      expect(line.source).toBe("sns:tail-topic");
      expect(line.valid).toBe(true);
    }
    expect(lines.map((line) => line.kind)).toEqual([
      "invocation-record",
      "invocation-record",
      "processing-result",
    ]);
    expect(lines[0].layers).toEqual(["sqs-message", "sns-notification", "invocation-record"]);
    expect(lines.map((line) => line.summary.outcome)).toEqual(["success", "failure", "success"]);
    expect(lines[1].summary.requestId).toBe(uuid(2));
    expect(await temporaryQueues()).toEqual([]);
    expect(await subscriptionsOf(topicArn)).toEqual([]);
  });

  // SSE-SQS is asked for at creation (see the unit test of tapTopic); fauxqs does not keep that attribute.
  it("creates the temporary queue tagged, restricted to the topic, and FIFO for a FIFO topic", async () => {
    const topicArn = await createTopic(clients, "tail-fifo.fifo", {
      FifoTopic: "true",
      ContentBasedDeduplication: "true",
    });
    const tail = new CliProcess(stack, ["tail", topicArn, "--timeout", "20s"]);
    onTestFinished(() => {
      tail.child.kill("SIGKILL");
    });
    await tail.waitFor("listening on sns:tail-fifo.fifo");
    const [url] = await temporaryQueues();
    expect(url).toMatch(/\/lambda-dest-tail-tail-fifo-[0-9a-f]{8}\.fifo$/);
    const { GetQueueAttributesCommand, ListQueueTagsCommand } = await import("@aws-sdk/client-sqs");
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
    );
    expect(Attributes?.FifoQueue).toBe("true");
    const policy = JSON.parse(Attributes!.Policy!);
    expect(policy.Statement[0].Condition).toEqual({ ArnEquals: { "aws:SourceArn": topicArn } });
    const { Tags } = await clients.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    expect(Date.parse(Tags!["lambda-dest:tail"]!)).toBeGreaterThan(Date.now() - 60_000);
    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageGroupId: "g",
        Message: invocationRecord({ requestId: uuid(9), success: true }),
      }),
    );
    await tail.waitFor("✓ SUCCESS", "stdout");
    tail.child.kill("SIGINT");
    const result = await tail.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /sns:tail-fifo\.fifo {2}✓ SUCCESS {2}invocation-record {2}order-processor:\$LATEST {2}Success/,
    );
    expect(result.stderr).toContain("1 envelope in");
    expect(await temporaryQueues()).toEqual([]);
    expect(await subscriptionsOf(topicArn)).toEqual([]);
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`${signal} during a tail leaves no queue and no subscription`, async () => {
      const topicArn = await createTopic(clients, `tail-signal-${signal}`);
      const tail = new CliProcess(stack, ["tail", `sns:tail-signal-${signal}`]);
      await tail.waitFor("listening");
      expect(await subscriptionsOf(topicArn)).toHaveLength(1);
      tail.child.kill(signal);
      const result = await tail.done;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain("0 envelopes in");
      expect(await temporaryQueues()).toEqual([]);
      expect(await subscriptionsOf(topicArn)).toEqual([]);
    });
  }

  it("peeks by default: every message shown once, and every message left in the queue and visible", async () => {
    const queue = await createQueue(clients, "tail-peek");
    const bodies = Array.from({ length: 25 }, (_, index) =>
      invocationRecord({ requestId: uuid(index), success: index % 2 === 0 }),
    );
    await fill(queue.url, bodies);
    const result = await runCli(stack, ["tail", "tail-peek", "--json", "--max", "25"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("listening on sqs:tail-peek: peeking");
    const lines = parseLines(result.stdout);
    expect(lines).toHaveLength(25);
    expect(new Set(lines.map((line) => line.messageId)).size).toBe(25);
    expect(new Set(lines.map((line) => line.summary.requestId)).size).toBe(25);
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 25, inFlight: 0 });
  });

  // A peek holds back what it receives a second time (so that it reaches what is behind a backlog), and
  // releases it when it stops: the queue is as it found it.
  it("a peek that goes round a backlog again shows each message once, and leaves none hidden when it stops", async () => {
    const queue = await createQueue(clients, "tail-peek-again");
    await fill(
      queue.url,
      Array.from({ length: 25 }, (_, index) => invocationRecord({ requestId: uuid(index), success: true })),
    );
    const result = await runCli(stack, ["tail", "tail-peek-again", "--json", "--timeout", "2s"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = parseLines(result.stdout);
    expect(new Set(lines.map((line) => line.messageId)).size).toBe(25);
    expect(lines).toHaveLength(25);
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 25, inFlight: 0 });
  });

  it("--consume deletes only what was written (--max stops before the rest)", async () => {
    const queue = await createQueue(clients, "tail-consume");
    await fill(
      queue.url,
      Array.from({ length: 5 }, (_, index) => invocationRecord({ requestId: uuid(index), success: true })),
    );
    const out = join(scratch, "consumed.ndjson");
    const result = await runCli(stack, [
      "tail",
      "sqs:tail-consume",
      "--consume",
      "--json",
      "--max",
      "3",
      "--out",
      out,
    ]);
    expect(result.code).toBe(0);
    const written = parseLines(result.stdout);
    expect(written).toHaveLength(3);
    expect(parseLines(readFileSync(out, "utf8"))).toEqual(written);
    const counts = await queueCounts(clients, queue.url);
    expect(counts.visible + counts.inFlight).toBe(2);
    // What is left is exactly what was not written.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { Messages } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    const writtenIds = new Set(written.map((line) => line.messageId));
    for (const message of Messages ?? []) expect(writtenIds.has(message.MessageId)).toBe(false);
  });

  it("--consume --concurrency 6 drains with six receive loops, each message written once; a peek refuses it", async () => {
    const queue = await createQueue(clients, "tail-concurrent");
    await fill(
      queue.url,
      Array.from({ length: 60 }, (_, index) =>
        invocationRecord({ requestId: uuid(100 + index), success: true }),
      ),
    );
    const result = await runCli(stack, [
      "tail",
      "sqs:tail-concurrent",
      "--consume",
      "--concurrency",
      "6",
      "--json",
      "--max",
      "60",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const ids = parseLines(result.stdout).map((line) => line.summary.requestId);
    expect(new Set(ids).size).toBe(60);
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 0, inFlight: 0 });

    const peek = await runCli(stack, ["tail", "sqs:tail-concurrent", "--concurrency", "6"]);
    expect(peek.code).toBe(2);
    expect(peek.stderr).toBe(
      "lambda-dest: --concurrency applies with --consume: a peek runs one receive loop, so that each message is shown once\n",
    );
  });

  it("--consume stops, and deletes nothing more, when the reader of stdout goes away (| head)", async () => {
    const queue = await createQueue(clients, "tail-reader-gone");
    await fill(queue.url, [invocationRecord({ requestId: uuid(100), success: true })]);
    const tail = new CliProcess(stack, ["tail", "sqs:tail-reader-gone", "--consume", "--json"]);
    await tail.waitFor('"messageId"', "stdout");
    // The reader leaves, as `head -1` does after its first line.
    tail.child.stdout!.destroy();
    await fill(queue.url, [invocationRecord({ requestId: uuid(101), success: true })]);
    const result = await tail.done;
    expect(result.code).toBe(0);
    // The second record was never read by anyone: it must still be in the queue. The first one may be too:
    // the reader left right after it was written, so it is not known to have been taken (at least once).
    const counts = await queueCounts(clients, queue.url);
    expect(counts.visible + counts.inFlight).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { Messages } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect((Messages ?? []).map((message) => message.Body).join("")).toContain(uuid(101));
  });

  it("stopping a peek does not abandon a long poll: a message arriving meanwhile stays visible", async () => {
    const queue = await createQueue(clients, "tail-stop-poll");
    const tail = new CliProcess(stack, ["tail", "sqs:tail-stop-poll"]);
    await tail.waitFor("listening on sqs:tail-stop-poll");
    await new Promise((resolve) => setTimeout(resolve, 200));
    tail.child.kill("SIGINT");
    await fill(queue.url, [invocationRecord({ requestId: uuid(200), success: true })]);
    const result = await tail.done;
    expect(result.code).toBe(0);
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 1, inFlight: 0 });
  });

  // A consume gives back what it skips, and used to receive those messages again and again: a failure that
  // arrived behind 100 skipped successes was not reached within a minute. Held on their second receipt, the
  // successes stop coming back, and the failure is the next thing received; they are given back at the end.
  it("--consume --only failure reaches a failure that arrives behind 100 skipped successes", async () => {
    const queue = await createQueue(clients, "tail-consume-behind");
    await fill(
      queue.url,
      Array.from({ length: 100 }, (_, index) => invocationRecord({ requestId: uuid(index), success: true })),
    );
    const tail = new CliProcess(stack, [
      "tail",
      "tail-consume-behind",
      "--consume",
      "--only",
      "failure",
      "--max",
      "1",
      "--json",
      "--timeout",
      "20s",
    ]);
    // The tail has gone round the backlog once it holds the successes received a second time.
    for (let polls = 0; (await queueCounts(clients, queue.url)).inFlight < 100; polls++) {
      expect(polls, "the tail never held the backlog it had gone round").toBeLessThan(100);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await fill(queue.url, [invocationRecord({ requestId: uuid(500), success: false })]);
    const result = await tail.done;
    expect(result.code, result.stderr).toBe(0);
    expect(parseLines(result.stdout).map((line) => line.summary.requestId)).toEqual([uuid(500)]);
    expect(await queueCounts(clients, queue.url)).toEqual({ visible: 100, inFlight: 0 });
  });

  it("--only, --function and --until filter and stop; the summary table counts per function and condition", async () => {
    const queue = await createQueue(clients, "tail-filters");
    await fill(queue.url, [
      invocationRecord({ requestId: uuid(1), success: true, functionName: "alpha" }),
      invocationRecord({ requestId: uuid(2), success: false, functionName: "alpha" }),
      invocationRecord({ requestId: uuid(3), success: true, functionName: "beta" }),
      invocationRecord({ requestId: uuid(4), success: false, functionName: "beta" }),
    ]);
    const failures = await runCli(stack, [
      "tail",
      "tail-filters",
      "--only",
      "failure",
      "--max",
      "2",
      "--json",
    ]);
    expect(
      parseLines(failures.stdout)
        .map((line) => line.summary.requestId)
        .sort(),
    ).toEqual([uuid(2), uuid(4)]);

    const beta = await runCli(stack, ["tail", "tail-filters", "--function", "beta", "--max", "2", "--json"]);
    expect(parseLines(beta.stdout).map((line) => line.summary.functionName)).toEqual(["beta", "beta"]);

    const until = await runCli(stack, ["tail", "tail-filters", "--function", "alpha", "--until", "failure"]);
    expect(until.code).toBe(0);
    // One record a time-stamped line (its summary goes on, indented, past 100 columns when piped).
    const shown = until.stdout.split("\n").filter((line) => /^\d\d:\d\d:\d\d /.test(line));
    expect(shown.at(-1)).toContain("✗ FAILURE");
    expect(until.stderr).toMatch(/function\s+condition\s+count/);
    expect(until.stderr).toMatch(/alpha:\$LATEST\s+RetriesExhausted\s+1/);
  });

  it("-v shows each envelope in full, --quiet leaves only the data", async () => {
    const queue = await createQueue(clients, "tail-verbose");
    await fill(queue.url, [invocationRecord({ requestId: uuid(42), success: false })]);
    const verbose = await runCli(stack, ["tail", "tail-verbose", "--max", "1", "-v"]);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toMatch(/✗ FAILURE {2}invocation-record/);
    // A line wider than 100 columns goes on under its label: joined back here.
    expect(verbose.stdout.replace(/\n {11}/g, " ")).toMatch(
      /from {5}sqs:tail-verbose, message [0-9a-f-]{36} \(sqs-message › invocation-record\)/,
    );
    expect(verbose.stdout).toContain("OrderError: failing on purpose");
    const quiet = await runCli(stack, ["tail", "tail-verbose", "--max", "1", "--quiet"]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    // One record: its time-stamped summary line, and the lines it goes on over (indented).
    const lines = quiet.stdout.trim().split("\n");
    expect(lines.filter((line) => !line.startsWith(" "))).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d sqs:tail-verbose {2}✗ FAILURE/);
  });

  it("--timeout with --until exits 3 after cleaning up", async () => {
    const topicArn = await createTopic(clients, "tail-timeout");
    const result = await runCli(stack, ["tail", "sns:tail-timeout", "--until", "failure", "--timeout", "1s"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("lambda-dest: timed out after 1.0s: no failure envelope arrived");
    expect(await subscriptionsOf(topicArn)).toEqual([]);
    expect(await temporaryQueues()).toEqual([]);
  });

  it("asks to disambiguate a name that is both a queue and a topic, and names a target that is neither", async () => {
    await createQueue(clients, "tail-both");
    await createTopic(clients, "tail-both");
    const both = await runCli(stack, ["tail", "tail-both"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      'lambda-dest: "tail-both" is both a queue and a topic: write sqs:tail-both or sns:tail-both\n',
    );
    const neither = await runCli(stack, ["tail", "tail-nothing"]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toBe(
      "lambda-dest: no queue or topic named tail-nothing in us-east-1; check the name, --region and --profile\n",
    );
  });

  it("warns that peeking counts towards a redrive policy", async () => {
    const dlq = await createQueue(clients, "tail-dlq");
    await createQueue(clients, "tail-redrive", {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
    });
    const result = await runCli(stack, ["tail", "sqs:tail-redrive", "--timeout", "300ms"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "warning: sqs:tail-redrive moves a message to tail-dlq after 3 receives, and every peek counts as a receive",
    );
  });
});

describe("cleanup", () => {
  it("finds tagged leftovers and their subscriptions; --dry-run and --older-than keep them; untagged queues are never touched", async () => {
    const topicArn = await createTopic(clients, "cleanup-topic");
    const { QueueUrl } = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: "lambda-dest-tail-cleanup-topic-0badf00d",
        tags: { "lambda-dest:tail": new Date(Date.now() - 2 * 3_600_000).toISOString() },
      }),
    );
    const leftover = await createQueue(clients, "lambda-dest-tail-cleanup-topic-0badf00d");
    await clients.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: leftover.arn }),
    );
    await createQueue(clients, "lambda-dest-tail-not-ours");

    const dry = await runCli(stack, ["cleanup", "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.resources.map((item: any) => [item.type, item.action])).toEqual([
      ["subscription", "would delete"],
      ["queue", "would delete"],
    ]);
    expect(await subscriptionsOf(topicArn)).toHaveLength(1);

    const recent = await runCli(stack, ["cleanup", "--older-than", "3h"]);
    expect(recent.code).toBe(0);
    expect(recent.stdout).toBe("");
    expect(recent.stderr).toContain(
      "kept queue lambda-dest-tail-cleanup-topic-0badf00d: created 2.0h ago, within --older-than 3.0h",
    );

    const done = await runCli(stack, ["cleanup", "--older-than", "1h"]);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`deleted queue ${QueueUrl}`);
    expect(done.stdout).toContain("deleted subscription");
    expect(await subscriptionsOf(topicArn)).toEqual([]);
    const { QueueUrls } = await clients.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: "lambda-dest-tail-" }),
    );
    expect(QueueUrls).toEqual([expect.stringMatching(/lambda-dest-tail-not-ours$/)]);
  });
});

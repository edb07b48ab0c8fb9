/**
 * Signals and closed pipes: what a tail leaves behind when it is stopped hard, and how quickly a command notices
 * that the reader of its output went away. Everything runs the built binary (`npm run build` first).
 */
import { spawn } from "node:child_process";
import { ListSubscriptionsByTopicCommand, PublishCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import { DeleteQueueCommand, ListQueuesCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type LocalStack, startLocalStack } from "../../src/local/stack.js";
import {
  CliProcess,
  clientsFor,
  createQueue,
  createTopic,
  invocationRecord,
  queueCounts,
  repoRoot,
  type StackClients,
  testEnv,
} from "../integration/aws/support.js";

const binPath = `${repoRoot}/bin/lambda-dest.cjs`;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

let stack: LocalStack;
let clients: StackClients;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
});
afterAll(async () => {
  await stack?.stop();
});

/** The temporary queues of the tails of one topic (each test uses its own topic). */
async function temporaryQueues(topicName: string): Promise<string[]> {
  const { QueueUrls } = await clients.sqs.send(
    new ListQueuesCommand({ QueueNamePrefix: `lambda-dest-tail-${topicName}-` }),
  );
  return QueueUrls ?? [];
}

async function subscriptionsOf(topicArn: string): Promise<string[]> {
  const { Subscriptions } = await clients.sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
  );
  return (Subscriptions ?? []).map((subscription) => subscription.SubscriptionArn!);
}

/**
 * Runs a shell pipeline (a real pipe(2) between the processes, as a terminal user gets) and resolves with its
 * stderr and exit code, or with `timedOut` when it has not finished within `limitMs`.
 */
function pipeline(
  command: string,
  limitMs: number,
): {
  done: Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }>;
  stderr: () => string;
} {
  const child = spawn("sh", ["-c", command], {
    cwd: repoRoot,
    env: { ...process.env, ...testEnv, LAMBDA_DEST: `${process.execPath} ${binPath}` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }>(
    (resolve) => {
      const timer = setTimeout(() => {
        // The whole process group: the shell and everything in its pipeline.
        process.kill(-child.pid!, "SIGKILL");
        resolve({ code: null, stdout, stderr, timedOut: true });
      }, limitMs);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, timedOut: false });
      });
    },
  );
  return { done, stderr: () => stderr };
}

async function waitUntil(predicate: () => boolean, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const at = () => `--endpoint-url ${stack.endpoint} --region ${stack.region}`;

describe("#8.16 signals", () => {
  it("#8.16 two SIGINTs 0 ms apart: whatever is left behind is named on stderr with the command that removes it", async () => {
    const topicArn = await createTopic(clients, "hostile-double-sigint");
    const tail = new CliProcess(stack, ["tail", "sns:hostile-double-sigint"]);
    onTestFinished(() => {
      tail.child.kill("SIGKILL");
    });
    await tail.waitFor("listening");
    const [queueUrl] = await temporaryQueues("hostile-double-sigint");
    expect(queueUrl).toBeDefined();
    tail.child.kill("SIGINT");
    tail.child.kill("SIGINT");
    const result = await tail.done;
    // The kernel may merge two signals sent so close together into one, and then the tail ends normally.
    if (!result.stderr.includes("envelopes in")) {
      expect(result.stderr).toContain(`aws sqs delete-queue --queue-url ${queueUrl}`);
    }
    const remainingQueues = await temporaryQueues("hostile-double-sigint");
    const remainingSubscriptions = await subscriptionsOf(topicArn);
    for (const url of remainingQueues) {
      expect(result.stderr).toContain(`aws sqs delete-queue --queue-url ${url}`);
    }
    for (const arn of remainingSubscriptions) {
      expect(result.stderr).toContain(`aws sns unsubscribe --subscription-arn ${arn}`);
    }
    for (const arn of remainingSubscriptions)
      await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    for (const url of remainingQueues) await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });

  it("#8.16 a second SIGINT while the removal is under way names the queue, the subscription and their commands", async () => {
    const topicArn = await createTopic(clients, "hostile-second-sigint");
    const tail = new CliProcess(stack, ["tail", "sns:hostile-second-sigint"]);
    onTestFinished(() => {
      tail.child.kill("SIGKILL");
    });
    await tail.waitFor("listening");
    const [queueUrl] = await temporaryQueues("hostile-second-sigint");
    const [subscriptionArn] = await subscriptionsOf(topicArn);
    // The local stack runs in this process: holding it busy makes the endpoint slow, so the removal that the
    // first signal starts is still waiting for its answers when the second signal comes.
    const busy = (milliseconds: number) => {
      const until = Date.now() + milliseconds;
      while (Date.now() < until);
    };
    tail.child.kill("SIGINT");
    busy(400);
    tail.child.kill("SIGINT");
    busy(400);
    const result = await tail.done;
    expect(result.signal).toBe("SIGINT");
    expect(result.stderr).toContain(`aws sqs delete-queue --queue-url ${queueUrl}`);
    expect(result.stderr).toContain(`aws sns unsubscribe --subscription-arn ${subscriptionArn}`);
    // The commands work against the endpoint in use, not the user's default AWS account.
    expect(result.stderr).toContain(`--endpoint-url ${stack.endpoint}`);
    expect(result.stderr).toContain(
      `lambda-dest cleanup --endpoint-url ${stack.endpoint} --region ${stack.region}`,
    );
    for (const arn of await subscriptionsOf(topicArn)) {
      await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    }
    for (const url of await temporaryQueues("hostile-second-sigint")) {
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    }
  });

  it("#8.16 a single SIGINT removes the queue and the subscription and names no leftovers", async () => {
    const topicArn = await createTopic(clients, "hostile-single-sigint");
    const tail = new CliProcess(stack, ["tail", "sns:hostile-single-sigint"]);
    onTestFinished(() => {
      tail.child.kill("SIGKILL");
    });
    await tail.waitFor("listening");
    tail.child.kill("SIGINT");
    const result = await tail.done;
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/delete-queue|unsubscribe|left behind/);
    expect(await temporaryQueues("hostile-single-sigint")).toEqual([]);
    expect(await subscriptionsOf(topicArn)).toEqual([]);
  });
});

describe("#8.17 a reader that goes away", () => {
  it("#8.17 tail | head -1: the tail stops when head exits, with nothing more to write, and removes its queue", async () => {
    const topicArn = await createTopic(clients, "hostile-head");
    const run = pipeline(`$LAMBDA_DEST tail sns:hostile-head ${at()} | head -1`, 20_000);
    await waitUntil(() => run.stderr().includes("listening"));
    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: invocationRecord({ requestId: uuid(1), success: true }),
      }),
    );
    const result = await run.done;
    expect(result.timedOut).toBe(false);
    expect(result.stdout).toContain("SUCCESS");
    expect(await temporaryQueues("hostile-head")).toEqual([]);
    expect(await subscriptionsOf(topicArn)).toEqual([]);
  });

  it("#8.17 tail with its stdout a socket whose reader closes stops while idle and removes its queue", async () => {
    const topicArn = await createTopic(clients, "hostile-socket-reader");
    const tail = new CliProcess(stack, ["tail", "sns:hostile-socket-reader"]);
    onTestFinished(() => {
      tail.child.kill("SIGKILL");
    });
    await tail.waitFor("listening");
    tail.child.stdout!.destroy();
    const result = await Promise.race([
      tail.done,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000)),
    ]);
    expect(result).toBeDefined();
    expect(await temporaryQueues("hostile-socket-reader")).toEqual([]);
    expect(await subscriptionsOf(topicArn)).toEqual([]);
  });

  it("#8.17 validate of an endless input | head -1 stops reading once head exits", async () => {
    const record = invocationRecord({ requestId: uuid(2), success: true });
    // `yes` never ends: only a validate that notices the closed pipe lets the pipeline finish.
    const run = pipeline(`yes '${record}' | $LAMBDA_DEST validate | head -1`, 15_000);
    const result = await run.done;
    expect(result.timedOut).toBe(false);
    expect(result.stdout.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("#8.17 validate --quiet of an endless valid input stops once its reader is gone, though it writes nothing", async () => {
    const record = invocationRecord({ requestId: uuid(3), success: true });
    // `true` reads nothing and exits: validate never gets an EPIPE from a write of its own.
    const run = pipeline(`yes '${record}' | $LAMBDA_DEST validate --quiet | true`, 15_000);
    const result = await run.done;
    expect(result.timedOut).toBe(false);
  });

  it("#8.17 tail --consume | head -1 deletes nothing that the reader did not take", async () => {
    const queue = await createQueue(clients, "hostile-consume-head");
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: Array.from({ length: 10 }, (_, index) => ({
          Id: String(index),
          MessageBody: invocationRecord({ requestId: uuid(100 + index), success: true }),
        })),
      }),
    );
    const run = pipeline(
      `$LAMBDA_DEST tail sqs:hostile-consume-head --consume --json ${at()} | head -1`,
      20_000,
    );
    const result = await run.done;
    expect(result.timedOut).toBe(false);
    expect(result.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    const counts = await queueCounts(clients, queue.url);
    // One line was read; at most that one message may be gone.
    expect(counts.visible + counts.inFlight).toBeGreaterThanOrEqual(9);
  });
});

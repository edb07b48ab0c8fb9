/**
 * Hostile networks: an endpoint that accepts connections and never answers, one that refuses them, and a
 * `cleanup` run beside a live tail. Everything runs the built binary (`npm run build` first).
 */
import { createServer, type Server, type Socket } from "node:net";
import { PublishCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ListQueuesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type LocalStack, startLocalStack } from "../../src/local/stack.js";
import {
  CliProcess,
  clientsFor,
  createQueue,
  createTopic,
  invocationRecord,
  runCli,
  type StackClients,
} from "../integration/aws/support.js";

/** A TCP server on 127.0.0.1 that accepts every connection, reads what it is sent, and never answers. */
async function silentEndpoint(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("data", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port that nothing listens on (bound, then released). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = Date.now();
  const result = await run();
  return { result, seconds: (Date.now() - started) / 1000 };
}

const AT = (endpoint: string) => ["--endpoint-url", endpoint, "--region", "us-east-1"];

describe("#8.14 an endpoint that accepts connections and never answers", () => {
  let silent: Awaited<ReturnType<typeof silentEndpoint>>;
  beforeAll(async () => {
    silent = await silentEndpoint();
  });
  afterAll(async () => {
    await silent?.close();
  });

  // botocore's defaults are connect_timeout=60 and read_timeout=60 seconds ("The time in seconds till a timeout
  // exception is thrown when attempting to make a connection. The default is 60 seconds."); SDK v3's
  // NodeHttpHandler only warns when `requestTimeout` passes unless `throwOnRequestTimeout` is set
  // ("a request has exceeded the configured ... requestTimeout. Init client requestHandler with
  // throwOnRequestTimeout=true to turn this into an error."). A CLI must give up on its own.
  it("#8.14 send gives up within its request time-out and says which endpoint did not answer", async () => {
    const { result, seconds } = await timed(() =>
      runCli(undefined, ["send", "orders", "{}", "--request-timeout", "1s", ...AT(silent.url)]),
    );
    expect(result.code).toBe(1);
    expect(silent.connections()).toBeGreaterThan(0);
    expect(result.stderr).toContain(silent.url);
    expect(result.stderr).toMatch(/no answer/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    // Two attempts of one second each, plus start-up: far below the minutes of the AWS CLI's defaults.
    expect(seconds).toBeLessThan(8);
  });

  it("#8.14 invoke --wait --timeout bounds the whole command, setup included (exit 3, nothing invoked)", async () => {
    const { result, seconds } = await timed(() =>
      runCli(undefined, ["invoke", "order-processor", "{}", "--wait", "--timeout", "3s", ...AT(silent.url)]),
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(silent.url);
    expect(result.stderr).toMatch(/nothing was invoked/);
    expect(seconds).toBeLessThan(6);
  });

  it("#8.14 tail --timeout against it says it never connected and exits 3, not 0 with 0 envelopes; a refused port is exit 1", async () => {
    const { result, seconds } = await timed(() =>
      runCli(undefined, ["tail", "sqs:orders", "--timeout", "3s", ...AT(silent.url)]),
    );
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain("0 envelopes");
    expect(result.stderr).toMatch(/no answer from/);
    expect(result.stderr).toContain(silent.url);
    expect(result.stderr).toMatch(/--endpoint-url/);
    expect(seconds).toBeLessThan(6);

    // By contrast, an endpoint that refuses connections is unreachable: exit 1 at once, not a time-out.
    const refused = await closedPort();
    const unreachable = await timed(() =>
      runCli(undefined, ["tail", "sqs:orders", "--timeout", "20s", ...AT(refused)]),
    );
    expect(unreachable.result.code).toBe(1);
    expect(unreachable.result.stderr).toMatch(/cannot reach/);
    expect(unreachable.result.stderr).toContain(refused);
    expect(unreachable.seconds).toBeLessThan(10);
  });
});

describe("against the local stack", () => {
  let stack: LocalStack;
  let clients: StackClients;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    clients = clientsFor(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  // "WaitTimeSeconds: The duration (in seconds) for which the call waits for a message to arrive in the queue
  // before returning ... maximum 20" (SQS ReceiveMessage API reference): a long poll legitimately stays silent
  // for its whole wait, so the request time-out of those calls must be the wait plus the usual allowance.
  it("#8.14 a request time-out shorter than the long poll does not break tail --consume", async () => {
    const queue = await createQueue(clients, "hostile-long-poll");
    const tail = new CliProcess(stack, [
      "tail",
      "sqs:hostile-long-poll",
      "--consume",
      "--json",
      "--max",
      "1",
      "--request-timeout",
      "1s",
      "--timeout",
      "20s",
    ]);
    onTestFinished(() => {
      tail.child.kill("SIGKILL");
    });
    await tail.waitFor("listening");
    // Longer than two request time-outs: a long poll cut at 1 s would have failed the tail by now.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: invocationRecord({ requestId: "00000000-0000-4000-8000-000000000141", success: true }),
      }),
    );
    const result = await tail.done;
    expect(result.stderr).not.toMatch(/no answer|cannot reach/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("00000000-0000-4000-8000-000000000141");
  });

  async function temporaryQueues(): Promise<string[]> {
    const { QueueUrls } = await clients.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: "lambda-dest-tail-" }),
    );
    return QueueUrls ?? [];
  }

  it("#8.15 cleanup keeps the queue and subscription of a running tail, says so, and the tail still receives", async () => {
    const topicArn = await createTopic(clients, "hostile-live-tail");
    const tail = new CliProcess(stack, [
      "tail",
      "sns:hostile-live-tail",
      "--json",
      "--max",
      "1",
      "--timeout",
      "20s",
    ]);
    onTestFinished(() => {
      tail.child.kill("SIGKILL");
    });
    await tail.waitFor("listening");
    const [queueUrl] = await temporaryQueues();
    expect(queueUrl).toBeDefined();
    const queueName = queueUrl!.split("/").pop()!;

    const cleanup = await runCli(stack, ["cleanup"]);
    expect(cleanup.code).toBe(0);
    expect(cleanup.stdout).not.toContain("deleted");
    expect(cleanup.stderr).toMatch(/kept/);
    expect(cleanup.stderr).toContain(queueName);
    expect(cleanup.stderr).toMatch(/--force/);
    expect(await temporaryQueues()).toEqual([queueUrl]);

    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: invocationRecord({ requestId: "00000000-0000-4000-8000-000000000015", success: true }),
      }),
    );
    const result = await tail.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("00000000-0000-4000-8000-000000000015");
    expect(await temporaryQueues()).toEqual([]);
  });

  /** A temporary queue as an earlier tail leaves it, with the tags it would carry. */
  async function leftQueue(name: string, tags: Record<string, string>): Promise<string> {
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name, tags }));
    return QueueUrl!;
  }
  const ago = (milliseconds: number) => new Date(Date.now() - milliseconds).toISOString();

  it("#8.15 cleanup deletes a queue whose tail stopped refreshing it, keeps refreshed ones; --older-than and --force as documented", async () => {
    const hour = 3_600_000;
    const stale = await leftQueue("lambda-dest-tail-hostile-stale-00000001", {
      "lambda-dest:tail": ago(2 * hour),
      "lambda-dest:heartbeat": ago(2 * hour),
    });
    const oldButAlive = await leftQueue("lambda-dest-tail-hostile-alive-00000002", {
      "lambda-dest:tail": ago(2 * hour),
      "lambda-dest:heartbeat": ago(10_000),
    });
    const recentStale = await leftQueue("lambda-dest-tail-hostile-recent-00000003", {
      "lambda-dest:tail": ago(20 * 60_000),
      "lambda-dest:heartbeat": ago(20 * 60_000),
    });

    // --older-than counts from the creation: the one created 20 minutes ago is kept.
    const older = await runCli(stack, ["cleanup", "--older-than", "1h", "--json"]);
    expect(older.code).toBe(0);
    const report = JSON.parse(older.stdout);
    const deleted = report.resources
      .filter((item: any) => item.action === "deleted")
      .map((item: any) => item.id);
    expect(deleted).toEqual([stale]);
    const kept = report.kept.map((item: any) => [item.id, item.reason]);
    expect(kept).toEqual(
      expect.arrayContaining([
        [oldButAlive, "in-use"],
        [recentStale, "younger"],
      ]),
    );
    expect(await temporaryQueues()).toEqual(expect.arrayContaining([oldButAlive, recentStale]));
    expect(await temporaryQueues()).not.toContain(stale);

    // The default: whatever its age, a queue a tail refreshed in the last minutes is kept.
    const byDefault = await runCli(stack, ["cleanup"]);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toContain(`deleted queue ${recentStale}`);
    expect(byDefault.stdout).not.toContain(oldButAlive);
    expect(byDefault.stderr).toContain("lambda-dest-tail-hostile-alive-00000002");

    // --force deletes it anyway.
    const forced = await runCli(stack, ["cleanup", "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`deleted queue ${oldButAlive}`);
    expect(await temporaryQueues()).toEqual([]);
  });
});

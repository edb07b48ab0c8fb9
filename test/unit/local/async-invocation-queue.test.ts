/**
 * The asynchronous event queue of one function. The function is the queue's own seam (AsyncFunctionHandle);
 * records go through the real DestinationDelivery to a Lambda destination, whose asynchronous invoker (the
 * delivery's seam) hands them to the test. Timings are scaled down (timeScale), as the stack scales them.
 *
 * AWS (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): "If the function
 * returns an error, by default Lambda attempts to run it two more times, with a one-minute wait between the
 * first two attempts, and two minutes between the second and third attempts."
 */
import { describe, expect, it } from "vitest";
import { type AsyncFunctionHandle, AsyncInvocationQueue } from "../../../src/local/async-invocation-queue.js";
import { DestinationDelivery } from "../../../src/local/destination-delivery.js";
import type { EventInvokeConfig } from "../../../src/local/event-invoke-config.js";
import { InProcessAws } from "../../../src/local/in-process-aws.js";
import { type LocalLogger, silentLogger } from "../../../src/local/local-logger.js";
import { EMPTY_LINEAGE } from "../../../src/local/recursion-lineage.js";
import type { InvocationOutcome } from "../../../src/local/sandbox.js";

const ON_SUCCESS = "arn:aws:lambda:us-east-1:000000000000:function:on-success";
const ON_FAILURE = "arn:aws:lambda:us-east-1:000000000000:function:on-failure";
/** Retry delays of 60 s and 120 s become 6 ms and 12 ms. */
const TIME_SCALE = 1 / 10_000;

interface Delivered {
  destination: string;
  record: {
    requestContext: { requestId: string; condition: string; approximateInvokeCount: number };
    requestPayload: unknown;
    responsePayload?: unknown;
  };
}

interface Harness {
  queue: AsyncInvocationQueue;
  delivered: Delivered[];
  invocations: string[];
  logs: string[];
  /** Resolves once `count` records have been delivered. */
  records(count: number): Promise<Delivered[]>;
  clock: { now: number };
}

function harness(options: {
  config?: Partial<EventInvokeConfig>;
  outcome?: (
    payload: string,
    attempt: number,
  ) => Promise<Partial<InvocationOutcome>> | Partial<InvocationOutcome>;
  reservedConcurrency?: number;
  concurrency?: number;
  recursionStopped?: boolean;
}): Harness {
  const delivered: Delivered[] = [];
  const invocations: string[] = [];
  const logs: string[] = [];
  const waiting: Array<() => void> = [];
  const clock = { now: Date.parse("2025-01-01T00:00:00Z") };
  const attempts = new Map<string, number>();
  // Lambda destinations only: the queue services of the stack are never reached.
  const aws = new InProcessAws(
    {
      inject: () => Promise.reject(new Error("no SQS, SNS or S3 in this test")),
    },
    "us-east-1",
    () => "127.0.0.1:1",
  );
  const logger: LocalLogger = {
    info: (message) => logs.push(message),
    warn: (message) => logs.push(message),
    error: (message) => logs.push(message),
  };
  const delivery = new DestinationDelivery(
    aws,
    (destination, payload) => {
      delivered.push({ destination, record: JSON.parse(payload) });
      for (const wake of waiting.splice(0)) wake();
      return "request";
    },
    silentLogger,
  );
  const config: EventInvokeConfig = {
    onSuccess: ON_SUCCESS,
    onFailure: ON_FAILURE,
    lastModified: 0,
    ...options.config,
  };
  const fn: AsyncFunctionHandle = {
    name: "queued",
    qualifiedArn: "arn:aws:lambda:us-east-1:000000000000:function:queued:$LATEST",
    eventInvokeConfig: () => config,
    deadLetterTarget: () => undefined,
    sendDeadLetter: async () => {},
    reservedConcurrency: () => options.reservedConcurrency,
    lineageKey: "us-east-1:queued",
    recursionStopped: () => options.recursionStopped ?? false,
    async invoke(requestId, payload) {
      const attempt = (attempts.get(requestId) ?? 0) + 1;
      attempts.set(requestId, attempt);
      invocations.push(`${JSON.parse(payload).id}#${attempt}`);
      const outcome = (await options.outcome?.(payload, attempt)) ?? {};
      return {
        outcome: { requestId, payload: '{"ok":true}', logs: "", coldStart: false, durationMs: 1, ...outcome },
        executedVersion: "$LATEST",
      };
    },
  };
  const queue = new AsyncInvocationQueue(fn, {
    delivery,
    logger,
    timeScale: TIME_SCALE,
    concurrency: options.concurrency ?? 1,
    now: () => new Date(clock.now),
  });
  return {
    queue,
    delivered,
    invocations,
    logs,
    clock,
    async records(count) {
      while (delivered.length < count) await new Promise<void>((resolve) => waiting.push(resolve));
      return delivered;
    },
  };
}

const failing = {
  functionError: "Unhandled" as const,
  payload: '{"errorType":"Error","errorMessage":"boom"}',
};

describe("AsyncInvocationQueue", () => {
  it("#17 a success: one attempt, a Success record to OnSuccess with the request payload", async () => {
    const h = harness({});
    h.queue.enqueue("req-1", '{"id":"a"}', EMPTY_LINEAGE);
    const [record] = await h.records(1);
    expect(record).toMatchObject({
      destination: ON_SUCCESS,
      record: {
        requestContext: { requestId: "req-1", condition: "Success", approximateInvokeCount: 1 },
        requestPayload: { id: "a" },
        responsePayload: { ok: true },
      },
    });
    expect(h.invocations).toEqual(["a#1"]);
  });

  it("#17 a function error is retried MaximumRetryAttempts times, then RetriesExhausted to OnFailure", async () => {
    const h = harness({ outcome: () => failing });
    h.queue.enqueue("req-2", '{"id":"b"}', EMPTY_LINEAGE);
    const [record] = await h.records(1);
    expect(record).toMatchObject({
      destination: ON_FAILURE,
      record: {
        requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 },
        responsePayload: { errorMessage: "boom" },
      },
    });
    expect(h.invocations).toEqual(["b#1", "b#2", "b#3"]);
    expect(h.logs.filter((line) => /attempt \d of req-2 failed; retrying in/.test(line))).toHaveLength(2);
  });

  it("#17 MaximumRetryAttempts 0: one attempt; a retry that succeeds ends as Success with its count", async () => {
    const once = harness({ config: { maximumRetryAttempts: 0 }, outcome: () => failing });
    once.queue.enqueue("req-3", '{"id":"c"}', EMPTY_LINEAGE);
    expect((await once.records(1))[0]!.record.requestContext).toMatchObject({
      condition: "RetriesExhausted",
      approximateInvokeCount: 1,
    });
    const second = harness({ outcome: (_payload, attempt) => (attempt === 1 ? failing : {}) });
    second.queue.enqueue("req-4", '{"id":"d"}', EMPTY_LINEAGE);
    const [record] = await second.records(1);
    expect(record).toMatchObject({
      destination: ON_SUCCESS,
      record: { requestContext: { condition: "Success", approximateInvokeCount: 2 } },
    });
  });

  it("#17 an event older than MaximumEventAgeInSeconds when its retry comes: EventAgeExceeded, not run again", async () => {
    const h = harness({
      config: { maximumEventAgeInSeconds: 60 },
      outcome: () => {
        // The first attempt takes longer than the (scaled) maximum age.
        h.clock.now += 60_000;
        return failing;
      },
    });
    h.queue.enqueue("req-5", '{"id":"e"}', EMPTY_LINEAGE);
    const [record] = await h.records(1);
    expect(record).toMatchObject({
      destination: ON_FAILURE,
      record: { requestContext: { condition: "EventAgeExceeded", approximateInvokeCount: 1 } },
    });
    expect(h.invocations).toEqual(["e#1"]);
  });

  it("#17 reserved concurrency 0: ZeroReservedConcurrency without running the function", async () => {
    const h = harness({ reservedConcurrency: 0 });
    h.queue.enqueue("req-6", '{"id":"f"}', EMPTY_LINEAGE);
    const [record] = await h.records(1);
    expect(record).toMatchObject({
      destination: ON_FAILURE,
      record: { requestContext: { condition: "ZeroReservedConcurrency", approximateInvokeCount: 0 } },
    });
    expect(record!.record).not.toHaveProperty("responsePayload");
    expect(h.invocations).toEqual([]);
  });

  it("#17 events run in arrival order, never more at once than the concurrency", async () => {
    let running = 0;
    let most = 0;
    const h = harness({
      concurrency: 2,
      outcome: async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return {};
      },
    });
    const ids = ["1", "2", "3", "4", "5", "6"];
    for (const id of ids) h.queue.enqueue(`req-${id}`, JSON.stringify({ id }), EMPTY_LINEAGE);
    await h.records(ids.length);
    expect(h.invocations).toEqual(ids.map((id) => `${id}#1`));
    expect(most).toBe(2);
  });

  it("#17 a recursive loop stopped: the event is dropped, neither run nor recorded", async () => {
    const h = harness({ recursionStopped: true });
    h.queue.enqueue("req-7", '{"id":"g"}', EMPTY_LINEAGE);
    h.queue.enqueue("req-8", '{"id":"h"}', EMPTY_LINEAGE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.invocations).toEqual([]);
    expect(h.delivered).toEqual([]);
    expect(h.logs.filter((line) => line.includes("dropped (recursive loop)"))).toHaveLength(2);
  });

  it("#17 stop() during an invocation: its outcome goes nowhere, queued and later events are dropped", async () => {
    let stop: () => void = () => {};
    const h = harness({
      outcome: () => {
        stop();
        return {};
      },
    });
    stop = () => h.queue.stop();
    h.queue.enqueue("req-9", '{"id":"i"}', EMPTY_LINEAGE);
    h.queue.enqueue("req-10", '{"id":"j"}', EMPTY_LINEAGE);
    h.queue.enqueue("req-11", '{"id":"k"}', EMPTY_LINEAGE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    h.queue.enqueue("req-12", '{"id":"l"}', EMPTY_LINEAGE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.invocations).toEqual(["i#1"]);
    expect(h.delivered).toEqual([]);
  });

  it("#17 stop() while a retry waits: the retry never runs", async () => {
    const h = harness({ outcome: () => failing });
    h.queue.enqueue("req-13", '{"id":"m"}', EMPTY_LINEAGE);
    while (!h.logs.some((line) => line.includes("attempt 1 of req-13 failed; retrying in"))) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    h.queue.stop();
    // Far longer than both scaled retry delays (6 ms and 12 ms).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.invocations).toEqual(["m#1"]);
    expect(h.delivered).toEqual([]);
  });
});

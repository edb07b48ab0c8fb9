/**
 * The pool of execution environments of one function, over real sandboxes (a Node.js runtime process each,
 * with its Runtime API on 127.0.0.1). The handler answers with its process id, so the test sees which
 * environment ran which invocation.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { functionEnvironment } from "../../../src/local/function-environment.js";
import { silentLogger } from "../../../src/local/local-logger.js";
import { Runtimes } from "../../../src/local/runtimes.js";
import { type InvocationOutcome, Sandbox } from "../../../src/local/sandbox.js";
import { SandboxPool } from "../../../src/local/sandbox-pool.js";

const HANDLER = `
let calls = 0;
export const handler = async (event) => {
  calls += 1;
  if (event.exit) process.exit(3);
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  return { pid: process.pid, calls };
};
`;

let scratch: string;
let runtimes: Runtimes;
const pools: SandboxPool[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "lambda-dest-pool-"));
  runtimes = await Runtimes.install(path.join(scratch, "runtime"));
  await writeFile(path.join(scratch, "index.mjs"), HANDLER);
});

afterEach(() => {
  for (const pool of pools.splice(0)) pool.stop();
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Starts real sandboxes of the test function; counts how many were started. */
function sandboxFactory() {
  const factory = {
    started: 0,
    start: async (): Promise<Sandbox> => {
      factory.started += 1;
      return Sandbox.start(
        {
          functionName: "pooled",
          command: runtimes.command("nodejs20.x"),
          environment: functionEnvironment(
            {
              name: "pooled",
              runtime: "nodejs20.x",
              family: "nodejs",
              handler: "index.handler",
              memorySize: 128,
              codeDirectory: scratch,
              variables: {},
            },
            {
              region: "us-east-1",
              endpoint: "http://127.0.0.1:1",
              runtimeDirectory: runtimes.runtimeDirectory,
              path: process.env.PATH,
            },
          ),
          codeDirectory: scratch,
          timeoutSeconds: 10,
          memorySize: 128,
          version: "$LATEST",
        },
        silentLogger,
      );
    },
  };
  return factory;
}

function poolOf(start: () => Promise<Sandbox>, maxSize: number): SandboxPool {
  const pool = new SandboxPool(start, maxSize);
  pools.push(pool);
  return pool;
}

function invoke(pool: SandboxPool, event: Record<string, unknown> = {}): Promise<InvocationOutcome> {
  return pool.invoke({
    requestId: randomUUID(),
    payload: JSON.stringify(event),
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:pooled",
    traceId: "Root=1-00000000-000000000000000000000000;Sampled=0",
  });
}

function pidOf(outcome: InvocationOutcome): number {
  expect(outcome.functionError, outcome.payload).toBeUndefined();
  return (JSON.parse(outcome.payload) as { pid: number }).pid;
}

describe("SandboxPool over real sandboxes", () => {
  it("#17 reuses a warm environment: one process, cold start once", async () => {
    const factory = sandboxFactory();
    const pool = poolOf(factory.start, 4);
    const first = await invoke(pool);
    const second = await invoke(pool);
    expect(pidOf(second)).toBe(pidOf(first));
    expect([first.coldStart, second.coldStart]).toEqual([true, false]);
    expect(JSON.parse(second.payload).calls).toBe(2);
    expect(factory.started).toBe(1);
  });

  it("#17 starts at most maxSize environments; the rest wait their turn and all complete", async () => {
    const factory = sandboxFactory();
    const pool = poolOf(factory.start, 2);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => invoke(pool, { sleepMs: 100 })));
    const pids = new Set(outcomes.map(pidOf));
    expect(pids.size).toBe(2);
    expect(factory.started).toBe(2);
  });

  it("#17 reset() retires idle environments, and a busy one once its invocation ends", async () => {
    const factory = sandboxFactory();
    const pool = poolOf(factory.start, 1);
    const before = pidOf(await invoke(pool));
    const busy = invoke(pool, { sleepMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    pool.reset();
    // The invocation under way finishes on the old code, as Lambda lets it.
    expect(pidOf(await busy)).toBe(before);
    const after = await invoke(pool);
    expect(pidOf(after)).not.toBe(before);
    expect(after.coldStart).toBe(true);
    expect(factory.started).toBe(2);
  });

  it("#17 an environment whose process died is not reused", async () => {
    const factory = sandboxFactory();
    const pool = poolOf(factory.start, 1);
    const crashed = await invoke(pool, { exit: true });
    expect(crashed.functionError).toBe("Unhandled");
    expect(JSON.parse(crashed.payload)).toMatchObject({ errorType: "Runtime.ExitError" });
    const next = await invoke(pool);
    expect(next.coldStart).toBe(true);
    expect(factory.started).toBe(2);
  });

  it("#17 a failed start frees its slot: the waiting invocation gets an environment", async () => {
    const factory = sandboxFactory();
    let failures = 1;
    const pool = poolOf(async () => {
      if (failures > 0) {
        failures -= 1;
        throw new Error("cannot start the runtime");
      }
      return factory.start();
    }, 1);
    const [first, second] = await Promise.allSettled([invoke(pool), invoke(pool)]);
    expect(first).toMatchObject({ status: "rejected", reason: { message: "cannot start the runtime" } });
    expect(second.status).toBe("fulfilled");
    expect(factory.started).toBe(1);
  });

  it("#17 setMaxSize() raised lets a waiting invocation start another environment", async () => {
    const factory = sandboxFactory();
    const pool = poolOf(factory.start, 1);
    const long = invoke(pool, { sleepMs: 800 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const waiting = invoke(pool);
    pool.setMaxSize(2);
    // Answered by a second environment while the first is still busy.
    const quick = await waiting;
    expect(pidOf(quick)).not.toBe(pidOf(await long));
    expect(factory.started).toBe(2);
  });

  it("#17 stop() ends the invocation under way as a crash, refuses the waiting and the new ones", async () => {
    const factory = sandboxFactory();
    const pool = poolOf(factory.start, 1);
    await invoke(pool);
    const busy = invoke(pool, { sleepMs: 2000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const waiting = invoke(pool).then(
      () => undefined,
      (error: unknown) => error,
    );
    pool.stop();
    const ended = await busy;
    expect(ended.functionError).toBe("Unhandled");
    expect(JSON.parse(ended.payload)).toMatchObject({ errorType: "Runtime.ExitError" });
    expect(await waiting).toMatchObject({ message: "the function was deleted or the stack stopped" });
    await expect(invoke(pool)).rejects.toThrow("the function was deleted or the stack stopped");
  });
});

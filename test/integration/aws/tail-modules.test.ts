// What a watch loads: the clients of the services it talks to, and no others. Each AWS SDK client is some
// hundreds of kilobytes of modules to read and compile before the first request (Node 20 caches no ES module's
// compiled code), so that a tail of a queue that loaded the Lambda client started later for nothing.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import type { LocalStack } from "../../../src/local/stack.js";
import { repoRoot } from "../../support/run-cli.js";
import { createQueue, invocationRecord, runCli, type StackClients, useStack } from "./support.js";

let stack: LocalStack;
let clients: StackClients;

useStack((started) => {
  ({ stack, clients } = started);
});

/** The vendored SDK clients (dist/vendor/client-NAME.js) a run of the binary loaded, by NAME. */
async function clientsLoaded(args: string[]): Promise<{ clients: string[]; stdout: string }> {
  const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-modules-"));
  const traced = join(scratch, "loaded.txt");
  const tracer = join(repoRoot, "bench", "lib", "trace-imports.mjs");
  const result = await runCli(stack, args, {
    env: {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${tracer}`,
      TRACE_IMPORTS_FILE: traced,
    },
  });
  expect(result.code, result.stderr).toBe(0);
  const loaded = readFileSync(traced, "utf8").split("\n");
  rmSync(scratch, { recursive: true, force: true });
  const names = loaded.flatMap((line) => /\/vendor\/client-([a-z0-9-]+)\.js$/.exec(line)?.[1] ?? []);
  return { clients: [...new Set(names)].sort(), stdout: result.stdout };
}

describe("modules a watch loads", () => {
  it("tail of a queue loads the SQS client only", async () => {
    const queue = await createQueue(clients, "modules-queue");
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: invocationRecord({ requestId: "00000000-0000-4000-8000-000000000001", success: true }),
      }),
    );
    const run = await clientsLoaded(["tail", "sqs:modules-queue", "--consume", "--max", "1", "--json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: "invocation-record", valid: true });
    expect(run.clients).toEqual(["sqs"]);
  });
});

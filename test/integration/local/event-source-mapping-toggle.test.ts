/**
 * Disabling and re-enabling an SQS event source mapping (issue 17: re-enabling while the poller was still in
 * its long poll started a second poller beside it, so the mapping received twice as often and ran two batches
 * at a time).
 *
 * AWS's UpdateEventSourceMapping reference: "If you disable the event source mapping, AWS Lambda stops
 * polling. If you enable again, it will resume polling from the time it had stopped polling, so you don't lose
 * processing of any records." The local stack runs one poller per mapping, so its batches never overlap; two
 * overlapping invocations of a BatchSize 1 mapping are the second poller made visible.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { CreateEventSourceMappingCommand, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { deployInline } from "../../hostile/local-helpers.js";
import { type Clients, clientsFor, createQueue, destroyClients } from "./helpers.js";

let stack: LocalStack;
let clients: Clients;
let scratch: string;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  scratch = await mkdtemp(path.join(os.tmpdir(), "lambda-dest-esm-toggle-"));
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Appends "start <body>" and, a little later, "end <body>" to LOG_FILE for every record it is given. */
const RECORDING_HANDLER = `
import { appendFileSync } from "node:fs";
export const handler = async (event) => {
  for (const record of event.Records) appendFileSync(process.env.LOG_FILE, "start " + record.body + "\\n");
  await new Promise((resolve) => setTimeout(resolve, 150));
  for (const record of event.Records) appendFileSync(process.env.LOG_FILE, "end " + record.body + "\\n");
  return {};
};
`;

async function logLines(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").filter((line) => line !== "");
}

/** The most invocations that were running at the same moment, read from the start/end lines. */
function mostAtOnce(lines: string[]): number {
  let running = 0;
  let most = 0;
  for (const line of lines) {
    running += line.startsWith("start ") ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

describe("SQS event source mapping: disabled and enabled again", () => {
  it("#17 bug 2: re-enabling during a long poll keeps one poller (batches never overlap, each message once)", {
    timeout: 20_000,
  }, async () => {
    const logFile = path.join(scratch, "invocations.log");
    await deployInline(
      clients,
      "toggled",
      { "index.mjs": RECORDING_HANDLER },
      { environment: { LOG_FILE: logFile } },
    );
    const queue = await createQueue(clients, "toggled-source");
    const created = await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: queue.arn,
        FunctionName: "toggled",
        BatchSize: 1,
      }),
    );
    // The queue is empty, so the poller is now waiting in a ReceiveMessage long poll (1 s); both updates
    // land inside it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await clients.lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: false }));
    await clients.lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: true }));

    const bodies = ["m1", "m2", "m3", "m4", "m5", "m6"];
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    const deadline = Date.now() + 15_000;
    let lines = await logLines(logFile);
    while (lines.filter((line) => line.startsWith("end ")).length < bodies.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lines = await logLines(logFile);
    }

    const started = lines.filter((line) => line.startsWith("start ")).map((line) => line.slice(6));
    expect(started.sort()).toEqual(bodies);
    expect(mostAtOnce(lines)).toBe(1);
  });
});

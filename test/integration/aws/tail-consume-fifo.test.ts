/**
 * `tail --consume --concurrency N` on a FIFO queue: several receive loops drain it, and each message group's
 * envelopes are still written in the group's order (a group's next messages are handed out only once the
 * previous ones were written and deleted), each once, and the queue is left empty.
 */
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { expect, it } from "vitest";
import type { LocalStack } from "../../../src/local/stack.js";
import {
  createQueue,
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

const GROUPS = 4;
const PER_GROUP = 35;
/** The request id carries the group and the position in it. */
const requestId = (group: number, position: number) =>
  `00000000-0000-4000-8${group}00-${String(position).padStart(12, "0")}`;

it("--consume --concurrency 8 keeps each message group's order, writes each message once, empties the queue", async () => {
  const queue = await createQueue(clients, "tail-consume-order.fifo", {
    FifoQueue: "true",
    ContentBasedDeduplication: "true",
  });
  // Sent group by group interleaved, ten at a time, so that every batch mixes groups.
  const entries = [];
  for (let position = 0; position < PER_GROUP; position += 1) {
    for (let group = 0; group < GROUPS; group += 1) {
      entries.push({
        Id: `${group}-${position}`,
        MessageGroupId: `group-${group}`,
        MessageBody: invocationRecord({ requestId: requestId(group, position), success: position % 3 !== 0 }),
      });
    }
  }
  for (let start = 0; start < entries.length; start += 10) {
    await clients.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries.slice(start, start + 10) }),
    );
  }
  const total = GROUPS * PER_GROUP;
  const result = await runCli(stack, [
    "tail",
    "sqs:tail-consume-order.fifo",
    "--consume",
    "--concurrency",
    "8",
    "--json",
    "--max",
    String(total),
    "--timeout",
    "60s",
  ]);
  expect(result.code, result.stderr).toBe(0);
  const ids: string[] = parseLines(result.stdout).map((line) => line.summary.requestId);
  expect(ids).toHaveLength(total);
  expect(new Set(ids).size).toBe(total);
  for (let group = 0; group < GROUPS; group += 1) {
    const inGroup = ids.filter((id) => id.startsWith(`00000000-0000-4000-8${group}00-`));
    expect(inGroup).toEqual(Array.from({ length: PER_GROUP }, (_, position) => requestId(group, position)));
  }
  expect(await queueCounts(clients, queue.url)).toEqual({ visible: 0, inFlight: 0 });
});

/**
 * A synchronous invoke with LogType Tail carries the function's log: "LogResult: The last 4 KB of the
 * execution log, which is base64-encoded" (Lambda API reference, Invoke, response headers). The function
 * writes its output before it posts its response, but the local stack reads the two from different
 * descriptors (a pipe and an HTTP request), so the response may be read first; every output line must still
 * be in the log of its own invocation, under load too.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { expect, it } from "vitest";
import { type Clients, deploySource, useLocalStack } from "./helpers.js";

let clients: Clients;

useLocalStack((started) => {
  clients = started.clients;
});

it("the log of every synchronous invoke holds the last line the function wrote before it returned", async () => {
  const handler = `export const handler = async (event) => {
    console.log("x".repeat(event.size) + " last line of " + event.n);
    return event.n;
  };`;
  await deploySource(clients, "log-tail", handler);
  const missing: number[] = [];
  for (let n = 0; n < 200; n += 1) {
    const answer = await clients.lambda.send(
      new InvokeCommand({
        FunctionName: "log-tail",
        LogType: "Tail",
        Payload: JSON.stringify({ n, size: n % 2 === 0 ? 3000 : 10 }),
      }),
    );
    const log = Buffer.from(answer.LogResult ?? "", "base64").toString("utf8");
    if (!log.includes(`last line of ${n}\n`)) missing.push(n);
  }
  expect(missing).toEqual([]);
});

it("the log holds the last line even when the function's output filled the pipe to the stack", async () => {
  // 300 KB in one write: more than a pipe holds, so the runtime's stream queues the rest, and its end mark
  // after it; the answer must still come with every line in the log.
  const handler = `export const handler = async (event) => {
    process.stdout.write(("y".repeat(1023) + "\\n").repeat(300));
    console.log("after the flood " + event.n);
    return event.n;
  };`;
  await deploySource(clients, "log-flood", handler);
  for (let n = 0; n < 5; n += 1) {
    const answer = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "log-flood", LogType: "Tail", Payload: JSON.stringify({ n }) }),
    );
    expect(JSON.parse(Buffer.from(answer.Payload!).toString())).toBe(n);
    const log = Buffer.from(answer.LogResult ?? "", "base64").toString("utf8");
    expect(log).toMatch(new RegExp(`after the flood ${n}\\nEND RequestId: `));
  }
});

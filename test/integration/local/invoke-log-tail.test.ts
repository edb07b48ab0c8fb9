/**
 * A synchronous invoke with LogType Tail carries the function's log: "LogResult: The last 4 KB of the
 * execution log, which is base64-encoded" (Lambda API reference, Invoke, response headers). The function
 * writes its output before it posts its response, but the local stack reads the two from different
 * descriptors (a pipe and an HTTP request), so the response may be read first; every output line must still
 * be in the log of its own invocation, under load too.
 */
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { expect, it } from "vitest";
import { type Clients, useLocalStack } from "./helpers.js";

let clients: Clients;

useLocalStack((started) => {
  clients = started.clients;
});

it("the log of every synchronous invoke holds the last line the function wrote before it returned", async () => {
  const handler = `export const handler = async (event) => {
    console.log("x".repeat(event.size) + " last line of " + event.n);
    return event.n;
  };`;
  await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: "log-tail",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/lambda-role",
      Code: { ZipFile: zipSync({ "index.mjs": strToU8(handler) }) },
    }),
  );
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

/**
 * Large events reach the function whole, through the Node runtime's Runtime API client: a synchronous Invoke
 * takes a request payload up to 6 MB ("Invocation payload (request and response): 6 MB each for synchronous",
 * Lambda developer guide, Lambda quotas), which arrives at the runtime over many socket reads; the runtime
 * collects them and joins them once the body is whole. Each event is answered with its length and a digest,
 * and events of several sizes go one after another on the same kept-alive connection.
 */
import { createHash } from "node:crypto";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { expect, it } from "vitest";
import { type Clients, deploySource, useLocalStack } from "./helpers.js";

let clients: Clients;

useLocalStack((started) => {
  clients = started.clients;
});

it("events of 10 B to 6 MB arrive whole, one after another, and so do the answers", async () => {
  const handler = `import { createHash } from "node:crypto";
export const handler = async (event) => ({
  length: event.pad.length,
  sha256: createHash("sha256").update(event.pad).digest("hex"),
});`;
  await deploySource(clients, "large-events", handler, { timeout: 30 });
  // Just under the 6,291,456-byte request limit with the JSON around it; the rest spread over the range.
  for (const length of [10, 70_000, 1_500_000, 6 * 1024 * 1024 - 64, 300]) {
    const pad = Array.from({ length }, (_, index) => String.fromCharCode(97 + ((index * 7) % 26))).join("");
    const result = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "large-events", Payload: Buffer.from(JSON.stringify({ pad })) }),
    );
    expect(result.FunctionError, Buffer.from(result.Payload ?? []).toString()).toBeUndefined();
    expect(JSON.parse(Buffer.from(result.Payload!).toString())).toEqual({
      length,
      sha256: createHash("sha256").update(pad).digest("hex"),
    });
  }
}, 60_000);

/**
 * Issue #8 item 6: a runtime that exits in the middle of an invocation is reported as current AWS runtimes
 * report it: errorType "Runtime.ExitError" with
 *   - "RequestId: <id> Error: Runtime exited with error: exit status <n>" (a console test of a Lambda function:
 *     {"errorType": "Runtime.ExitError", "errorMessage": "RequestId: dde1acb5-... Error: Runtime exited with
 *     error: exit status 106"}),
 *   - "RequestId: <id> Error: Runtime exited with error: signal: killed" (a Step Functions Cause quoting
 *     {"errorType":"Runtime.ExitError","errorMessage":"RequestId: d018ab48-... Error: Runtime exited with error:
 *     signal: killed"}),
 *   - "RequestId: <id> Error: Runtime exited without providing a reason" for an exit with status 0 (Lambda
 *     developer guide's log example: "RequestId: c3252230-... Error: Runtime exited without providing a
 *     reason\nRuntime.ExitError").
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../src/local/stack.js";
import { type Clients, clientsFor, destroyClients } from "../integration/local/helpers.js";
import { deployInline } from "./local-helpers.js";

let stack: LocalStack;
let clients: Clients;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  await deployInline(clients, "node-exits", {
    "index.mjs": [
      "export const handler = async (event) => {",
      "  if (event.signal) process.kill(process.pid, event.signal);",
      "  process.exit(event.code);",
      "};",
    ].join("\n"),
  });
  await deployInline(
    clients,
    "python-exits",
    { "app.py": "import sys\n\ndef handler(event, context):\n    sys.exit(event['code'])\n" },
    { runtime: "python3.12", handler: "app.handler" },
  );
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

async function invoke(functionName: string, event: unknown) {
  const response = await clients.lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  return {
    requestId: response.$metadata.requestId,
    functionError: response.FunctionError,
    payload: JSON.parse(Buffer.from(response.Payload!).toString()),
  };
}

describe("#8.6 process exits", () => {
  it("#8.6 reports process.exit(1) in a Node handler as Runtime.ExitError with the exit status", async () => {
    const { requestId, functionError, payload } = await invoke("node-exits", { code: 1 });
    expect(functionError).toBe("Unhandled");
    expect(payload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 1`,
    });
    // The next invocation gets a fresh environment.
    const again = await invoke("node-exits", { code: 7 });
    expect(again.payload.errorMessage).toBe(
      `RequestId: ${again.requestId} Error: Runtime exited with error: exit status 7`,
    );
  });

  it("#8.6 reports sys.exit(1) in a Python handler the same way", async () => {
    const { requestId, functionError, payload } = await invoke("python-exits", { code: 1 });
    expect(functionError).toBe("Unhandled");
    expect(payload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 1`,
    });
  });

  it("#8.6 reports a crash by signal and an exit with status 0 as AWS words them", async () => {
    const killed = await invoke("node-exits", { signal: "SIGKILL" });
    expect(killed.payload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${killed.requestId} Error: Runtime exited with error: signal: killed`,
    });
    const clean = await invoke("node-exits", { code: 0 });
    expect(clean.payload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${clean.requestId} Error: Runtime exited without providing a reason`,
    });
  });
});

/**
 * Issue #8, untrusted text inside the local stack: a function may name its error anything, escape sequences
 * and newlines included. The runtimes report it in the body of POST /runtime/invocation/{id}/error
 * ({errorMessage, errorType, stackTrace}, the Lambda Runtime API reference); the optional header
 * Lambda-Runtime-Function-Error-Type cannot carry such a string, and a bootstrap that put it there anyway
 * failed its own request and reported a crash instead of the function's error.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../src/local/stack.js";
import { type Clients, clientsFor, destroyClients } from "../integration/local/helpers.js";
import { deployInline } from "./local-helpers.js";

const NAME = "Order\u001b[2J\nError\u009b";

let stack: LocalStack;
let clients: Clients;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

async function invoke(name: string) {
  const answer = await clients.lambda.send(new InvokeCommand({ FunctionName: name, Payload: "{}" }));
  return {
    functionError: answer.FunctionError,
    payload: JSON.parse(Buffer.from(answer.Payload!).toString()),
  };
}

describe("#8 an error named with control characters is the function's error, not a crash", () => {
  it("#8 Node.js", async () => {
    await deployInline(clients, "error-name-node", {
      "index.mjs": `export const handler = async () => {
        const error = new Error("bad order");
        error.name = ${JSON.stringify(NAME)};
        throw error;
      };`,
    });
    const result = await invoke("error-name-node");
    expect(result.functionError).toBe("Unhandled");
    expect(result.payload.errorType).toBe(NAME);
    expect(result.payload.errorMessage).toBe("bad order");
  });

  it("#8 Python", async () => {
    await deployInline(
      clients,
      "error-name-python",
      {
        "app.py": `Bad = type(${JSON.stringify(NAME)}, (Exception,), {})

def handler(event, context):
    raise Bad("bad order")
`,
      },
      { runtime: "python3.12", handler: "app.handler" },
    );
    const result = await invoke("error-name-python");
    expect(result.functionError).toBe("Unhandled");
    expect(result.payload.errorType).toBe(NAME);
    expect(result.payload.errorMessage).toBe("bad order");
  });
});

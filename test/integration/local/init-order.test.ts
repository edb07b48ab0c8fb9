/**
 * `local --init`: a function whose destination is another function listed further down the file. AWS refuses a
 * destination function that does not exist (PutFunctionEventInvokeConfig: "The destination ARN ... is invalid"
 * for a missing function, recorded in LocalStack's AWS-validated test_lambda_destinations snapshot), so the
 * stack creates every function before it configures any.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { GetFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { clientsFor } from "./helpers.js";

let stack: LocalStack;
let folder: string;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  folder = await mkdtemp(path.join(os.tmpdir(), "lambda-dest-init-order-"));
  await writeFile(path.join(folder, "index.mjs"), "export const handler = async (event) => event;\n");
});
afterAll(async () => {
  await stack?.stop();
  await rm(folder, { recursive: true, force: true });
});

it("configures a destination that is a function listed later in the file", async () => {
  const later = `arn:aws:lambda:${stack.region}:000000000000:function:audit`;
  await stack.applyInit(
    {
      functions: [
        { name: "orders", path: "index.mjs", destinations: { onSuccess: later } },
        { name: "audit", path: "index.mjs" },
      ],
    },
    folder,
  );
  const { lambda } = clientsFor(stack);
  const config = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "orders" }));
  expect(config.DestinationConfig?.OnSuccess?.Destination).toBe(later);
  lambda.destroy();
});

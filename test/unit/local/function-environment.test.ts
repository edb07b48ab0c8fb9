/**
 * The environment a local function runs in: a security boundary (function code is whatever a zip held, and
 * the person running the stack has real AWS credentials in their own environment).
 *
 * AWS's list of reserved variables (Lambda developer guide, "Defined runtime environment variables"):
 * "_HANDLER – The handler location configured on the function. ... AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN – The access keys obtained from the function's execution role. AWS_LAMBDA_RUNTIME_API –
 * (Custom runtime) The host and port of the runtime API. LAMBDA_TASK_ROOT – The path to your Lambda function
 * code. LAMBDA_RUNTIME_DIR – The path to runtime libraries. TZ – The environment's time zone (UTC)." and, not
 * reserved: "LANG – The locale of the runtime (en_US.UTF-8)."
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkEnvironmentVariables,
  type FunctionEnvironmentSettings,
  functionEnvironment,
  RESERVED_VARIABLES,
  type StackEnvironmentSettings,
} from "../../../src/local/function-environment.js";
import { silentLogger } from "../../../src/local/local-logger.js";
import { Runtimes } from "../../../src/local/runtimes.js";
import { Sandbox } from "../../../src/local/sandbox.js";

const nodeFunction: FunctionEnvironmentSettings = {
  name: "reporter",
  runtime: "nodejs20.x",
  family: "nodejs",
  handler: "index.handler",
  memorySize: 256,
  codeDirectory: "/tmp/code",
  variables: { TABLE: "orders" },
};

const stack: StackEnvironmentSettings = {
  region: "eu-west-1",
  endpoint: "http://127.0.0.1:4566",
  runtimeDirectory: "/tmp/runtime",
  sharedNodeModules: "/opt/shared/node_modules",
  path: "/usr/bin:/bin",
};

/** What a developer's shell typically holds and a function must never see. */
const PARENT_SECRETS: Record<string, string> = {
  AWS_ACCESS_KEY_ID: "AKIAPARENTSHELLKEY01",
  AWS_SECRET_ACCESS_KEY: "parent-shell-secret-access-key",
  AWS_SESSION_TOKEN: "parent-shell-session-token",
  AWS_PROFILE: "production-admin",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.2/creds",
  GITHUB_TOKEN: "ghp_parentshelltoken",
  NPM_TOKEN: "npm_parentshelltoken",
};

describe("functionEnvironment", () => {
  it("#17 sets Lambda's standard variables from the function and the stack", () => {
    const environment = functionEnvironment(nodeFunction, stack, new Date("2025-03-04T05:06:07Z"));
    expect(environment).toMatchObject({
      PATH: "/usr/bin:/bin",
      LANG: "en_US.UTF-8",
      TZ: ":UTC",
      TABLE: "orders",
      _HANDLER: "index.handler",
      LAMBDA_TASK_ROOT: "/tmp/code",
      LAMBDA_RUNTIME_DIR: "/tmp/runtime",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x",
      AWS_LAMBDA_FUNCTION_NAME: "reporter",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/reporter",
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_REGION: "eu-west-1",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      NODE_PATH: "/opt/shared/node_modules",
    });
    expect(environment.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^2025\/03\/04\/\[\$LATEST\][0-9a-f]{32}$/);
    // The Runtime API address is each sandbox's own, with its secret path; never a shared value.
    expect(environment).not.toHaveProperty("AWS_LAMBDA_RUNTIME_API");
    expect(environment).not.toHaveProperty("PYTHONUNBUFFERED");
  });

  it("#17 Python functions get unbuffered output and no NODE_PATH", () => {
    const environment = functionEnvironment(
      { ...nodeFunction, runtime: "python3.12", family: "python", handler: "app.handler" },
      stack,
    );
    expect(environment.PYTHONUNBUFFERED).toBe("1");
    expect(environment.AWS_EXECUTION_ENV).toBe("AWS_Lambda_python3.12");
    expect(environment).not.toHaveProperty("NODE_PATH");
  });

  it("#17 credentials are the stack's dummies, whatever the variables given try to set", () => {
    const hostile: Record<string, string> = {};
    for (const name of RESERVED_VARIABLES) hostile[name] = `overridden-${name}`;
    const environment = functionEnvironment({ ...nodeFunction, variables: hostile }, stack);
    expect(environment).toMatchObject({
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_SESSION_TOKEN: "test",
      _HANDLER: "index.handler",
      AWS_LAMBDA_FUNCTION_NAME: "reporter",
      AWS_REGION: "eu-west-1",
    });
    // The reserved names the builder does not set itself (_X_AMZN_TRACE_ID, AWS_ACCESS_KEY, the Runtime API)
    // never reach it: every way in (CreateFunction, UpdateFunctionConfiguration, local folders) refuses them.
    for (const name of RESERVED_VARIABLES) {
      expect(() => checkEnvironmentVariables({ [name]: "x" }), name).toThrow(/reserved keys/);
    }
  });

  it("#17 AWS_ENDPOINT_URL and NODE_PATH are not reserved: the function's own setting wins", () => {
    const environment = functionEnvironment(
      { ...nodeFunction, variables: { AWS_ENDPOINT_URL: "http://127.0.0.1:9999", NODE_PATH: "/mine" } },
      stack,
    );
    expect(environment.AWS_ENDPOINT_URL).toBe("http://127.0.0.1:9999");
    expect(environment.NODE_PATH).toBe("/mine");
  });

  it("#17 checkEnvironmentVariables refuses reserved names and more than 4 KB, as Lambda does", () => {
    expect(() => checkEnvironmentVariables({ AWS_SECRET_ACCESS_KEY: "x", TABLE: "t" })).toThrow(
      /contains reserved keys that are currently not supported for modification\. Reserved keys used in this request: AWS_SECRET_ACCESS_KEY$/,
    );
    expect(() => checkEnvironmentVariables({ BIG: "x".repeat(4096) })).toThrow(/exceeded the 4KB limit/);
    // {"A":"…"} is 8 bytes of JSON around the value: exactly 4096 bytes is allowed.
    expect(() => checkEnvironmentVariables({ A: "x".repeat(4096 - 8) })).not.toThrow();
    expect(() => checkEnvironmentVariables({ A: "x".repeat(4096 - 7) })).toThrow(/4KB/);
  });
});

describe("a real sandbox started with functionEnvironment", () => {
  let scratch: string;
  let runtimes: Runtimes;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), "lambda-dest-env-"));
    runtimes = await Runtimes.install(path.join(scratch, "runtime"));
    await writeFile(
      path.join(scratch, "index.mjs"),
      "export const handler = async () => ({ env: { ...process.env } });\n",
    );
    // The stack's own process holds real-looking credentials, as a developer's shell would.
    for (const [name, value] of Object.entries(PARENT_SECRETS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("#17 the function sees no variable of the stack's process, and a secret Runtime API path", async () => {
    const sandbox = await Sandbox.start(
      {
        functionName: "reporter",
        command: runtimes.command("nodejs20.x"),
        environment: functionEnvironment(
          { ...nodeFunction, codeDirectory: scratch },
          { ...stack, runtimeDirectory: runtimes.runtimeDirectory, path: process.env.PATH },
        ),
        codeDirectory: scratch,
        timeoutSeconds: 10,
        memorySize: 256,
        version: "$LATEST",
      },
      silentLogger,
    );
    try {
      const outcome = await sandbox.invoke({
        requestId: "11111111-2222-3333-4444-555555555555",
        payload: "{}",
        invokedFunctionArn: "arn:aws:lambda:eu-west-1:000000000000:function:reporter",
        traceId: "Root=1-00000000-000000000000000000000000;Sampled=0",
      });
      expect(outcome.functionError).toBeUndefined();
      const seen = (JSON.parse(outcome.payload) as { env: Record<string, string> }).env;

      const values = Object.values(seen);
      for (const [name, secret] of Object.entries(PARENT_SECRETS)) {
        expect(values, `${name} of the stack's process`).not.toContain(secret);
      }
      expect(seen).not.toHaveProperty("AWS_PROFILE");
      expect(seen).not.toHaveProperty("AWS_CONTAINER_CREDENTIALS_FULL_URI");
      expect(seen).not.toHaveProperty("HOME");
      expect(seen).toMatchObject({
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_SESSION_TOKEN: "test",
      });

      // 127.0.0.1:PORT/SECRET, the secret being 16 random bytes in base64url.
      const runtimeApi = seen.AWS_LAMBDA_RUNTIME_API ?? "";
      const match = /^127\.0\.0\.1:(\d+)\/([A-Za-z0-9_-]{22})$/.exec(runtimeApi);
      expect(match, runtimeApi).not.toBeNull();
      const [, port, secret] = match!;
      // Without the secret (another local process that found the port), the Runtime API refuses.
      expect(await statusOf(Number(port), "/2018-06-01/runtime/invocation/next")).toBe(403);
      expect(await statusOf(Number(port), `/${"A".repeat(22)}/2018-06-01/runtime/invocation/next`)).toBe(403);
      expect(secret).not.toBe("A".repeat(22));
    } finally {
      sandbox.dispose();
    }
  });
});

function statusOf(port: number, requestPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path: requestPath, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
  });
}

/**
 * Issue #9, "Runtimes and logs": what a function's failures and logs look like through the real Lambda
 * client, against what AWS's runtimes write.
 *
 * Sources quoted below:
 * - Node.js traces as the managed runtime posts them (a destination record's responsePayload recorded on AWS):
 *   "trace": ["Error: something went wrong", "    at Runtime.handler (file:///var/task/index.mjs:4:9)",
 *   "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"]; a CommonJS handler
 *   exported under another name: "    at module.exports.main [as handler] (/var/task/index.js:18:51)".
 * - The Node.js runtime interface client (aws-lambda-nodejs-runtime-interface-client, src/Errors.js and
 *   src/LogPatch.js): the log entry of a failed invocation is `console.error('Invoke Error',
 *   Errors.toFormatted(err))`, i.e. "Invoke Error \t{"errorType":...,"errorMessage":...,"stack":[...]}", and
 *   a console entry is "<ISO time>\t<request id>\t<LEVEL>\t<message>\n", one entry with its line breaks kept
 *   when written to the telemetry log.
 * - The Python runtime interface client (aws-lambda-python-runtime-interface-client, awslambdaric/
 *   bootstrap.py): the root logger's format "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t
 *   %(message)s\n" with UTC times; an unhandled error is logged as "[ERROR] Type: message", then "Traceback
 *   (most recent call last):" and the frames, their indentation turned into no-break spaces (ERROR_LOG_IDENT
 *   = "\u00a0"), as one entry; stackTrace is traceback.format_list of (file, line, name, code) tuples.
 * - Node.js init errors as the managed runtime logs them (CloudWatch entries recorded on AWS): "<time>\tundefined
 *   \tERROR\tUncaught Exception \t{"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find
 *   module 'index'\nRequire stack:\n- /var/runtime/index.mjs","stack":["Runtime.ImportModuleError: Error:
 *   Cannot find module 'index'","Require stack:","- /var/runtime/index.mjs","    at _loadUserApp
 *   (file:///var/runtime/index.mjs:1087:17)","    at async UserFunction.js.module.exports.load
 *   (file:///var/runtime/index.mjs:1119:21)","    at async start (file:///var/runtime/index.mjs:1282:23)",
 *   "    at async file:///var/runtime/index.mjs:1288:1"]}" (the runtime's own function names are matched
 *   where they are plain names: _loadUserApp, start; its line numbers are its own).
 * - Lambda developer guide, "Lambda execution environment lifecycle" (failures during the invoke phase):
 *   "REPORT RequestId: ... Duration: 133.61 ms Billed Duration: 133 ms Memory Size: 128 MB Max Memory Used: 31
 *   MB Init Duration: 80.00 ms Status: error Error Type: Runtime.ExitError", and "... Status: timeout" after a
 *   time-out; in the new format the log has no line of its own for the crash.
 */
import { CreateFunctionCommand, InvokeCommand, type Runtime } from "@aws-sdk/client-lambda";
import { transformSync } from "esbuild";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { LocalStack } from "../../../src/local/stack.js";
import { type Clients, useLocalStack } from "./helpers.js";

let stack: LocalStack;
let clients: Clients;

useLocalStack((started) => {
  ({ stack, clients } = started);
});

async function deploy(
  name: string,
  files: Record<string, string>,
  options: {
    runtime?: Runtime;
    handler?: string;
    timeout?: number;
    environment?: Record<string, string>;
  } = {},
): Promise<void> {
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([file, text]) => [file, strToU8(text)])));
  await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: options.runtime ?? "nodejs20.x",
      Handler: options.handler ?? "index.handler",
      Role: "arn:aws:iam::000000000000:role/lambda-role",
      Code: { ZipFile: zip },
      Timeout: options.timeout,
      Environment: options.environment ? { Variables: options.environment } : undefined,
    }),
  );
}

async function invoke(name: string, event: unknown = {}) {
  const answer = await clients.lambda.send(
    new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: JSON.stringify(event) }),
  );
  const payload = Buffer.from(answer.Payload ?? new Uint8Array()).toString("utf8");
  return {
    requestId: answer.$metadata.requestId!,
    functionError: answer.FunctionError,
    payload: JSON.parse(payload === "" ? "null" : payload),
    log: Buffer.from(answer.LogResult ?? "", "base64").toString("utf8"),
  };
}

const REPORT_FIELDS =
  "Duration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB";

describe("Node.js stack traces", () => {
  it("name the function's files under /var/task and the runtime's frame as AWS's runtime does", async () => {
    await deploy("node-trace", {
      "index.mjs": [
        'import { fail } from "./lib/fail.mjs";',
        "export const handler = async (event) => {",
        "  if (event.nested) fail();",
        '  throw new Error("boom");',
        "};",
      ].join("\n"),
      "lib/fail.mjs": 'export function fail() {\n  throw new TypeError("nested boom");\n}\n',
    });
    const { requestId, functionError, payload, log } = await invoke("node-trace");
    expect(functionError).toBe("Unhandled");
    expect(payload.errorType).toBe("Error");
    expect(payload.errorMessage).toBe("boom");
    expect(payload.trace).toHaveLength(3);
    expect(payload.trace.slice(0, 2)).toEqual([
      "Error: boom",
      "    at Runtime.handler (file:///var/task/index.mjs:4:9)",
    ]);
    expect(payload.trace[2]).toMatch(
      /^ {4}at Runtime\.handleOnceNonStreaming \(file:\/\/\/var\/runtime\/index\.mjs:\d+:\d+\)$/,
    );
    // The log entry of the failure: "Invoke Error", a space, a tab, then the error with its stack as lines.
    const entry = log.split("\n").find((line) => line.includes("Invoke Error"));
    expect(entry).toBeDefined();
    const [time, id, level, message] = entry!.split("\t");
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect([id, level, message]).toEqual([requestId, "ERROR", "Invoke Error "]);
    const logged = JSON.parse(entry!.slice(entry!.indexOf("Invoke Error \t") + "Invoke Error \t".length));
    expect(logged).toEqual({ errorType: "Error", errorMessage: "boom", stack: payload.trace });
    expect(log).not.toContain(stack.endpoint);
    expect(log).not.toMatch(/\/tmp\//);

    const nested = await invoke("node-trace", { nested: true });
    expect(nested.payload.trace.slice(0, 3)).toEqual([
      "TypeError: nested boom",
      "    at fail (file:///var/task/lib/fail.mjs:2:9)",
      "    at Runtime.handler (file:///var/task/index.mjs:3:21)",
    ]);
  });

  it("shows a CommonJS handler's frame without file:// and with the name it was exported under", async () => {
    await deploy("node-cjs-trace", {
      "index.js":
        'exports.handler = function main(event, context, callback) {\n  throw new RangeError("out");\n};\n',
    });
    const { payload } = await invoke("node-cjs-trace");
    expect(payload.trace.slice(0, 2)).toEqual([
      "RangeError: out",
      "    at Runtime.main [as handler] (/var/task/index.js:2:9)",
    ]);
    expect(payload.trace[2]).toMatch(
      /^ {4}at Runtime\.handleOnceNonStreaming \(file:\/\/\/var\/runtime\/index\.mjs:/,
    );
  });

  it("rewrites the paths in the error's message and in stacks the function prints itself", async () => {
    await deploy("node-paths", {
      "index.mjs": [
        'import { readFileSync } from "node:fs";',
        'import { fileURLToPath } from "node:url";',
        "export const handler = async () => {",
        '  console.log(new Error("printed").stack);',
        '  readFileSync(fileURLToPath(new URL("./missing.json", import.meta.url)));',
        "};",
      ].join("\n"),
    });
    const { payload, log } = await invoke("node-paths");
    expect(payload.errorMessage).toBe("ENOENT: no such file or directory, open '/var/task/missing.json'");
    // A console entry of several lines is one entry: its line breaks stay.
    expect(log).toMatch(
      /\tINFO\tError: printed\n {4}at Runtime\.handler \(file:\/\/\/var\/task\/index\.mjs:4:15\)\n/,
    );
  });
});

describe("Node.js stack traces with source maps", () => {
  it("keep the mapped positions and still show public paths (NODE_OPTIONS=--enable-source-maps)", async () => {
    // A TypeScript handler compiled with an inline source map, as bundlers ship them; Node shows a mapped frame
    // with the original file's path.
    const compiled = transformSync(
      [
        "interface Event { n: number }",
        "export const handler = async (event: Event): Promise<number> => {",
        '  throw new Error("mapped " + event.n);',
        "};",
      ].join("\n"),
      { loader: "ts", format: "esm", sourcemap: "inline", sourcefile: "handler.ts" },
    ).code;
    await deploy(
      "node-sourcemaps",
      { "index.mjs": compiled },
      { environment: { NODE_OPTIONS: "--enable-source-maps" } },
    );
    const { payload, log } = await invoke("node-sourcemaps", { n: 1 });
    expect(payload.trace[0]).toBe("Error: mapped 1");
    expect(payload.trace[1]).toMatch(/^ {4}at Runtime\.handler \(\/var\/task\/handler\.ts:3:9\)$/);
    expect(payload.trace[payload.trace.length - 1]).toMatch(
      /^ {4}at Runtime\.handleOnceNonStreaming \(file:\/\/\/var\/runtime\/index\.mjs:\d+:\d+\)$/,
    );
    expect(log).not.toMatch(/\/tmp\//);
  });
});

describe("Node.js unhandled rejections", () => {
  it("end the invocation as Runtime.UnhandledPromiseRejection, logged with the reason and the promise", async () => {
    // Recorded on AWS (a CloudWatch entry): "Unhandled Promise Rejection \t{"errorType":"Runtime.
    // UnhandledPromiseRejection","errorMessage":"TypeError: Cannot read properties of undefined (reading
    // 'forEach')","reason":{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined
    // (reading 'forEach')","stack":["TypeError: ...","    at /var/task/index.js:223:23",...]},"promise":{},
    // "stack":["Runtime.UnhandledPromiseRejection: TypeError: Cannot read properties of undefined (reading
    // 'forEach')","    at process.<anonymous> (file:///var/runtime/index.mjs:1276:17)","    at process.emit
    // (node:ev..."; a rejection with a string: {"errorType":"Runtime.UnhandledPromiseRejection","errorMessage":
    // "from reject"}.
    await deploy("node-rejects", {
      "index.mjs": [
        "export const handler = async (event) => {",
        '  if (event.ok) return "fine";',
        '  Promise.reject(event.text ? "from reject" : new TypeError("lost"));',
        "  await new Promise((resolve) => setTimeout(resolve, 200));",
        "};",
      ].join("\n"),
    });
    const { requestId, functionError, payload, log } = await invoke("node-rejects");
    expect(functionError).toBe("Unhandled");
    expect(payload.errorType).toBe("Runtime.UnhandledPromiseRejection");
    expect(payload.errorMessage).toBe("TypeError: lost");
    expect(payload.trace[0]).toBe("Runtime.UnhandledPromiseRejection: TypeError: lost");
    expect(payload.trace[1]).toMatch(
      /^ {4}at process\.<anonymous> \(file:\/\/\/var\/runtime\/index\.mjs:\d+:\d+\)$/,
    );
    expect(payload.trace[2]).toMatch(/^ {4}at process\.emit \(node:events:\d+:\d+\)$/);
    const entry = log.split("\n").find((line) => line.includes("Unhandled Promise Rejection"));
    expect(entry?.split("\t").slice(1, 4)).toEqual([requestId, "ERROR", "Unhandled Promise Rejection "]);
    const logged = JSON.parse(entry!.slice(entry!.indexOf("\t{") + 1));
    expect(logged).toEqual({
      errorType: "Runtime.UnhandledPromiseRejection",
      errorMessage: "TypeError: lost",
      reason: {
        errorType: "TypeError",
        errorMessage: "lost",
        stack: [
          "TypeError: lost",
          "    at Runtime.handler (file:///var/task/index.mjs:3:47)",
          expect.any(String),
        ],
      },
      promise: {},
      stack: payload.trace,
    });
    // The runtime exits (status 128) right after it posts the error; the next invocation, sent at once, gets
    // a freshly started runtime, as on Lambda, rather than a Runtime.ExitError of the exit it did not cause.
    const text = await invoke("node-rejects", { text: true });
    expect(text.payload.errorMessage).toBe("from reject");
    expect((await invoke("node-rejects", { ok: true })).payload).toBe("fine");
  });
});

describe("Node.js init errors", () => {
  it("trace through the runtime's loader, as /var/runtime/index.mjs, and are logged as Uncaught Exception", async () => {
    await deploy(
      "node-missing",
      { "index.mjs": "export const handler = async () => 1;\n" },
      { handler: "missing.handler" },
    );
    const { functionError, payload, log } = await invoke("node-missing");
    expect(functionError).toBe("Unhandled");
    expect(payload.errorType).toBe("Runtime.ImportModuleError");
    expect(payload.errorMessage).toBe(
      "Error: Cannot find module 'missing'\nRequire stack:\n- /var/runtime/index.mjs",
    );
    expect(payload.trace.slice(0, 3)).toEqual([
      "Runtime.ImportModuleError: Error: Cannot find module 'missing'",
      "Require stack:",
      "- /var/runtime/index.mjs",
    ]);
    const frames = payload.trace.slice(3).map((line: string) => line.replace(/:\d+:\d+\)?$/, ""));
    expect(frames).toEqual([
      "    at _loadUserApp (file:///var/runtime/index.mjs",
      "    at async load (file:///var/runtime/index.mjs",
      "    at async start (file:///var/runtime/index.mjs",
      "    at async file:///var/runtime/index.mjs",
    ]);
    const entry = log.split("\n").find((line) => line.includes("Uncaught Exception"));
    expect(entry).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tundefined\tERROR\tUncaught Exception \t\{/,
    );
    expect(JSON.parse(entry!.slice(entry!.indexOf("\t{") + 1))).toEqual({
      errorType: "Runtime.ImportModuleError",
      errorMessage: payload.errorMessage,
      stack: payload.trace,
    });

    await deploy("node-syntax", { "index.mjs": "export const handler = async () => {\n  return 1 +;\n};\n" });
    const syntax = await invoke("node-syntax");
    expect(syntax.payload.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(syntax.payload.errorMessage).toBe("SyntaxError: Unexpected token ';'");
    expect(syntax.payload.trace[0]).toBe("Runtime.UserCodeSyntaxError: SyntaxError: Unexpected token ';'");
    expect(syntax.payload.trace[1]).toMatch(
      /^ {4}at _loadUserApp \(file:\/\/\/var\/runtime\/index\.mjs:\d+:\d+\)$/,
    );
    expect(syntax.log).not.toMatch(/\/tmp\//);
  });
});

describe("Node.js 24", () => {
  it("refuses a callback handler at init, as its runtime does, where Node.js 22 runs it", async () => {
    // aws-lambda-nodejs-runtime-interface-client (the runtime of nodejs24.x and later): a handler with three
    // or more parameters fails init with CallbackHandlerDeprecatedError (name "Runtime.CallbackHandlerDeprecated",
    // message CALLBACK_ERROR_NODEJS24_ABOVE), logged as "Init Error" (src/context/constants.ts,
    // src/utils/errors.ts, src/function/callback-deprecation.ts).
    const files = {
      "index.js": "exports.handler = (event, context, callback) => callback(null, 'called back');\n",
    };
    await deploy("node22-callback", files, { runtime: "nodejs22.x" });
    expect((await invoke("node22-callback")).payload).toBe("called back");
    await deploy("node24-callback", files, { runtime: "nodejs24.x" });
    const { functionError, payload, log } = await invoke("node24-callback");
    expect(functionError).toBe("Unhandled");
    expect(payload.errorType).toBe("Runtime.CallbackHandlerDeprecated");
    expect(payload.errorMessage).toBe(
      "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.",
    );
    expect(payload.trace[0]).toBe(`Runtime.CallbackHandlerDeprecated: ${payload.errorMessage}`);
    expect(log).toMatch(
      /\tundefined\tERROR\tInit Error \t\{"errorType":"Runtime\.CallbackHandlerDeprecated"/,
    );
  });
});

describe("Python tracebacks and logging", () => {
  it("shows /var/task paths, no caret lines, and logs the traceback as the managed runtime does", async () => {
    await deploy(
      "py-trace",
      {
        "app.py": [
          "import logging",
          "logger = logging.getLogger()",
          "logger.setLevel(logging.INFO)",
          "def handler(event, context):",
          '    logger.info("got %s", event["n"])',
          '    logging.getLogger("child").warning("careful")',
          '    raise ValueError("bad value")',
        ].join("\n"),
      },
      { runtime: "python3.12", handler: "app.handler" },
    );
    const { requestId, functionError, payload, log } = await invoke("py-trace", { n: 7 });
    expect(functionError).toBe("Unhandled");
    expect(payload).toEqual({
      errorMessage: "bad value",
      errorType: "ValueError",
      requestId,
      stackTrace: ['  File "/var/task/app.py", line 7, in handler\n    raise ValueError("bad value")\n'],
    });
    const time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    expect(log).toMatch(new RegExp(`^\\[INFO\\]\\t${time}\\t${requestId}\\tgot 7$`, "m"));
    expect(log).toMatch(new RegExp(`^\\[WARNING\\]\\t${time}\\t${requestId}\\tcareful$`, "m"));
    const nbsp = "\u00a0";
    expect(log).toContain(
      [
        "[ERROR] ValueError: bad value",
        "Traceback (most recent call last):",
        `${nbsp.repeat(2)}File "/var/task/app.py", line 7, in handler`,
        `${nbsp.repeat(4)}raise ValueError("bad value")`,
        "",
      ].join("\n"),
    );
    expect(log).not.toMatch(/\/tmp\//);
  });

  it("logs an init error after the runtime's LAMBDA_WARNING, as the managed runtime does", async () => {
    // awslambdaric/bootstrap.py: on an init error, logging.warning(lambda_unhandled_exception_warning_message)
    // ("LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. ...",
    // awslambdaric/lambda_literals.py), with no request id yet, then log_error(...).
    await deploy(
      "py-import",
      { "app.py": "import nope_mod\ndef handler(event, context):\n    return 1\n" },
      { runtime: "python3.12", handler: "app.handler" },
    );
    const { payload, log } = await invoke("py-import");
    expect(payload).toEqual({
      errorMessage: "Unable to import module 'app': No module named 'nope_mod'",
      errorType: "Runtime.ImportModuleError",
      requestId: "",
      stackTrace: [],
    });
    expect(log).toMatch(
      /\n\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\tLAMBDA_WARNING: Unhandled exception\. The most likely cause is an issue in the function code\. .* For more information, see https:\/\/docs\.aws\.amazon\.com\/lambda\/latest\/dg\/runtimes-update\.html\n\[ERROR\] Runtime\.ImportModuleError: Unable to import module 'app': No module named 'nope_mod'\nTraceback \(most recent call last\):\nEND RequestId: /,
    );
  });

  it("shows the standard library's frames under /var/lang and the message's paths under /var/task", async () => {
    await deploy(
      "py-paths",
      {
        "app.py": [
          "import json, os",
          "def handler(event, context):",
          "    if event.get('json'):",
          "        return json.loads('{')",
          "    open(os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'missing.txt'))",
        ].join("\n"),
      },
      { runtime: "python3.12", handler: "app.handler" },
    );
    const missing = await invoke("py-paths");
    expect(missing.payload.errorType).toBe("FileNotFoundError");
    expect(missing.payload.errorMessage).toBe("[Errno 2] No such file or directory: '/var/task/missing.txt'");
    const broken = await invoke("py-paths", { json: true });
    expect(broken.payload.errorType).toBe("JSONDecodeError");
    expect(broken.payload.stackTrace[0]).toBe(
      "  File \"/var/task/app.py\", line 4, in handler\n    return json.loads('{')\n",
    );
    for (const frame of broken.payload.stackTrace.slice(1)) {
      expect(frame).toMatch(/^ {2}File "\/var\/lang\/lib\/python3\.\d+\/json\/[a-z_]+\.py", line \d+, in /);
    }
  });
});

describe("START, END and REPORT", () => {
  it("REPORT carries Max Memory Used, and Init Duration on a cold start only", async () => {
    await deploy("node-report", { "index.mjs": "export const handler = async () => 1;\n" });
    const cold = await invoke("node-report");
    expect(cold.log).toMatch(
      new RegExp(
        `^START RequestId: ${cold.requestId} Version: \\$LATEST\\nEND RequestId: ${cold.requestId}\\nREPORT RequestId: ${cold.requestId}\\t${REPORT_FIELDS}\\tInit Duration: \\d+\\.\\d{2} ms\\t\\n$`,
      ),
    );
    const warm = await invoke("node-report");
    expect(warm.log).toMatch(new RegExp(`\\nREPORT RequestId: ${warm.requestId}\\t${REPORT_FIELDS}\\t\\n$`));
  });

  it("a crash ends with Status: error and Error Type: Runtime.ExitError, a time-out with Status: timeout", async () => {
    await deploy(
      "node-ends",
      {
        "index.mjs": [
          "export const handler = async (event) => {",
          '  console.log("before the end");',
          "  if (event.exit) process.exit(1);",
          "  await new Promise((resolve) => setTimeout(resolve, 5000));",
          "};",
        ].join("\n"),
      },
      { timeout: 1 },
    );
    const crashed = await invoke("node-ends", { exit: true });
    expect(crashed.payload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${crashed.requestId} Error: Runtime exited with error: exit status 1`,
    });
    expect(crashed.log).toMatch(/\tINFO\tbefore the end\nEND RequestId: /);
    expect(crashed.log).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError\t\n$/);
    expect(crashed.log).not.toContain("Runtime exited");

    const timedOut = await invoke("node-ends", {});
    expect(timedOut.payload.errorType).toBe("Sandbox.Timedout");
    // What the function wrote before the deadline is in the log: the killed runtime's pipes are read to the end.
    expect(timedOut.log).toMatch(/\tINFO\tbefore the end\nEND RequestId: /);
    expect(timedOut.log).toMatch(
      new RegExp(`\\nREPORT RequestId: ${timedOut.requestId}\\t${REPORT_FIELDS}\\t.*Status: timeout\\t\\n$`),
    );
  });
});

describe("process exits", () => {
  it("a Python handler that exits with status 0 or dies of a signal is a Runtime.ExitError worded as AWS words it", async () => {
    // Lambda developer guide, "Lambda execution environment lifecycle" (the log of a runtime crash):
    // "RequestId: c3252230-... Error: Runtime exited without providing a reason"; an Invoke response recorded
    // on AWS for a crash by SIGSEGV: {"errorType":"Runtime.ExitError","errorMessage":"RequestId: xxxxxxxx-...
    // Error: Runtime exited with error: signal: segmentation fault"}.
    await deploy(
      "py-exits",
      {
        "app.py": [
          "import ctypes, sys",
          "def handler(event, context):",
          "    if event.get('segfault'):",
          "        ctypes.string_at(0)",
          "    sys.exit(0)",
        ].join("\n"),
      },
      { runtime: "python3.12", handler: "app.handler" },
    );
    const clean = await invoke("py-exits");
    expect(clean.payload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${clean.requestId} Error: Runtime exited without providing a reason`,
    });
    expect(clean.log).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError\t\n$/);
    const crashed = await invoke("py-exits", { segfault: true });
    expect(crashed.payload).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${crashed.requestId} Error: Runtime exited with error: signal: segmentation fault`,
    });
  });
});

describe("the last line before the answer", () => {
  it("does not hold up the answer of a function that ended its own stdout", async () => {
    await deploy("node-ends-stdout", {
      "index.mjs":
        'export const handler = async () => {\n  console.log("still here");\n  process.stdout.end();\n  return 5;\n};\n',
    });
    const first = await invoke("node-ends-stdout");
    expect(first.payload).toBe(5);
    expect(first.log).toContain("\tINFO\tstill here\n");
  });

  it("is in the log of every invocation, Node.js and Python, stdout and stderr, ended or not", async () => {
    await deploy("node-last", {
      "index.mjs": [
        "export const handler = async (event) => {",
        '  console.log("x".repeat(event.n % 3 === 0 ? 5000 : 10), "console", event.n);',
        '  process.stderr.write("stderr " + event.n + "\\n");',
        '  process.stdout.write("unended " + event.n);',
        "  return event.n;",
        "};",
      ].join("\n"),
    });
    await deploy(
      "py-last",
      {
        "app.py": [
          "import sys",
          "def handler(event, context):",
          "    print('x' * (5000 if event['n'] % 3 == 0 else 10), 'print', event['n'])",
          "    sys.stderr.write('stderr %d\\n' % event['n'])",
          "    sys.stdout.write('unended %d' % event['n'])",
          "    return event['n']",
        ].join("\n"),
      },
      { runtime: "python3.12", handler: "app.handler" },
    );
    const lost: string[] = [];
    for (let n = 0; n < 150; n += 1) {
      const node = await invoke("node-last", { n });
      for (const expected of [`console ${n}\n`, `\nstderr ${n}\n`, `\nunended ${n}\n`]) {
        if (!node.log.includes(expected)) lost.push(`node ${n}: ${JSON.stringify(expected)}`);
      }
      expect(node.payload).toBe(n);
      const python = await invoke("py-last", { n });
      for (const expected of [`print ${n}\n`, `\nstderr ${n}\n`, `\nunended ${n}\n`]) {
        if (!python.log.includes(expected)) lost.push(`python ${n}: ${JSON.stringify(expected)}`);
      }
    }
    expect(lost).toEqual([]);
  }, 120_000);
});

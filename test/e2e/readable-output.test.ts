/**
 * Readable at a glance (issue 16), on the built binary: a JSON string shown decoded, text laid out at the
 * terminal's width (100 columns when piped; 60 and 130 in a real terminal, made with script(1) and
 * `stty cols`), and the function's own stack frames first with the runtime's folded.
 *
 * The error objects follow each runtime's shape (Node.js: {errorType, errorMessage, trace: string[]}, the
 * first trace line repeating "Type: message"; Python: {errorMessage, errorType, requestId, stackTrace:
 * string[]}, one "  File ..., line N, in name\n    code\n" string a frame, outermost first), as AWS's
 * Lambda developer guide shows them for Node.js and Python function errors. The runtime frames are the ones
 * those runtimes add: /var/runtime/index.mjs (Runtime.handleOnceNonStreaming), node:internal, and the Python
 * runtime interface client's awslambdaric/bootstrap.py (handle_event_request).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { binPath, runCli } from "../support/run-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-readable-"));
/** Writes the file in the scratch folder, where the commands run: its name is what "from" shows. */
const write = (name: string, value: unknown) => {
  writeFileSync(join(scratch, name), JSON.stringify(value));
  return name;
};
const run = (args: string[]) => runCli(args, { cwd: scratch });

const hasScript = spawnSync("script", ["--version"]).status === 0;

/** Runs the built binary with stdout on a terminal `columns` wide (script(1) gives it a pseudo-terminal). */
function runInTerminal(args: string[], columns: number): Promise<string> {
  const quoted = [process.execPath, binPath, ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      "script",
      ["-qec", `stty cols ${columns} rows 50 && exec ${quoted.join(" ")}`, "/dev/null"],
      {
        cwd: scratch,
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", () => resolve(output.replace(/\r\n/g, "\n")));
    child.stdin.end();
  });
}

/** A processing result, as the order processor publishes it, whose body is the order as a JSON string. */
const processingResult = {
  message_id: "2e1fd8b3-1234-4cde-8f00-aa11bb22cc33",
  body: JSON.stringify({ order_id: "1003", item: "mug", quantity: 1, note: "simulate an error" }),
  error: 'Order could not be processed: the payload contains "error"',
  status: "FAILURE",
};
const sqsBody = JSON.stringify(processingResult);
const sqsMessage = {
  MessageId: "7c1f2a9e-3b4d-4e5f-8a6b-9c0d1e2f3a4b",
  ReceiptHandle: "AQEBexample",
  MD5OfBody: createHash("md5").update(sqsBody).digest("hex"),
  Body: sqsBody,
};

function failureRecord(responsePayload: Record<string, unknown>) {
  return {
    version: "1.0",
    timestamp: "2025-11-14T18:19:12.004Z",
    requestContext: {
      requestId: "0b7c5b2e-8d0e-4c1f-9a57-3f1de9f0c2aa",
      functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:order-processor:$LATEST",
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: { orderId: "1003" },
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload,
  };
}

const longMessage =
  "order 1003 was rejected by the warehouse service because the item mug is out of stock in every region that ships to the customer's address";
const longError = failureRecord({
  errorType: "ValidationError",
  errorMessage: longMessage,
  trace: [
    `ValidationError: ${longMessage}`,
    "    at reserveStock (file:///var/task/warehouse.mjs:41:11)",
    "    at async Runtime.handler (file:///var/task/index.mjs:17:5)",
    "    at async Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:25)",
  ],
});

const nodeTrace = failureRecord({
  errorType: "TypeError",
  errorMessage: "Cannot read properties of undefined (reading 'sku')",
  trace: [
    "TypeError: Cannot read properties of undefined (reading 'sku')",
    "    at parseItem (file:///var/task/orders.mjs:12:24)",
    "    at Array.map (<anonymous>)",
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "    at async Runtime.handler (file:///var/task/index.mjs:8:18)",
    "    at async Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:25)",
  ],
});

const pythonTrace = failureRecord({
  errorMessage: "order 1003 has no items",
  errorType: "ValueError",
  requestId: "0b7c5b2e-8d0e-4c1f-9a57-3f1de9f0c2aa",
  stackTrace: [
    '  File "/var/lang/lib/python3.12/site-packages/awslambdaric/bootstrap.py", line 188, in handle_event_request\n    response = request_handler(event, lambda_context)\n',
    '  File "/var/task/app.py", line 9, in handler\n    return process(event)\n',
    '  File "/var/task/orders.py", line 27, in process\n    raise ValueError(f"order {order[\'id\']} has no items")\n',
  ],
});

const SUMMARY_100 = [
  "✗ FAILURE  invocation-record  order-processor:$LATEST  RetriesExhausted  attempts 3",
  "           request 0b7c5b2e-8d0e-4c1f-9a57-3f1de9f0c2aa  2025-11-14T18:19:12.004Z",
];
const TAIL_100 = [
  "  why      every attempt failed: Lambda retried up to the function's MaximumRetryAttempts, then gave",
  "           up",
];

describe("a string field holding JSON (built binary)", () => {
  it("show: the body decoded and indented, marked (JSON string)", async () => {
    const path = write("json-string.json", sqsMessage);
    const result = await run(["show", path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "✗ FAILURE  processing-result  message 2e1fd8b3-1234-4cde-8f00-aa11bb22cc33",
        `  from     ${path} (sqs-message › processing-result)`,
        '  error    Order could not be processed: the payload contains "error"',
        "  payload",
        "    {",
        '      "message_id": "2e1fd8b3-1234-4cde-8f00-aa11bb22cc33",',
        '      "body" (JSON string): {',
        '        "order_id": "1003",',
        '        "item": "mug",',
        '        "quantity": 1,',
        '        "note": "simulate an error"',
        "      },",
        '      "error": "Order could not be processed: the payload contains \\"error\\"",',
        '      "status": "FAILURE"',
        "    }",
        "",
      ].join("\n"),
    );
  });

  it("--json and --raw keep the string as it was", async () => {
    const path = write("json-string-kept.json", sqsMessage);
    const json = await run(["show", "--json", path]);
    expect(JSON.parse(json.stdout).payload.body).toBe(processingResult.body);
    expect(json.stdout).not.toContain("(JSON string)");
    const raw = await run(["show", "--raw", path]);
    expect(raw.stdout).toBe(`${JSON.stringify(sqsMessage)}\n`);
  });

  it("a string that only looks like JSON is shown as the string", async () => {
    const path = write("not-json.json", { ...processingResult, body: '{"order_id": "1003", oops}' });
    const result = await run(["show", path]);
    expect(result.stdout).toContain('      "body": "{\\"order_id\\": \\"1003\\", oops}",');
    expect(result.stdout).not.toContain("(JSON string)");
  });
});

describe("a long error message at the terminal's width (built binary)", () => {
  it("piped: 100 columns, continuation lines under the label", async () => {
    const path = write("long-error.json", longError);
    const result = await run(["show", path]);
    expect(result.stdout).toBe(
      [
        ...SUMMARY_100,
        `  from     ${path}`,
        "  error    ValidationError: order 1003 was rejected by the warehouse service because the item mug is",
        "           out of stock in every region that ships to the customer's address",
        "               at reserveStock (file:///var/task/warehouse.mjs:41:11)",
        "               at async Runtime.handler (file:///var/task/index.mjs:17:5)",
        "           … 1 runtime frame (-v shows them)",
        ...TAIL_100,
        '  request  { "orderId": "1003" }',
        '  context  { "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" }',
        "",
      ].join("\n"),
    );
    for (const line of result.stdout.split("\n")) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it.skipIf(!hasScript)("a terminal 60 columns wide", async () => {
    const path = write("long-error-60.json", longError);
    expect(await runInTerminal(["show", path], 60)).toBe(
      [
        "✗ FAILURE  invocation-record  order-processor:$LATEST",
        "           RetriesExhausted  attempts 3",
        "           request 0b7c5b2e-8d0e-4c1f-9a57-3f1de9f0c2aa",
        "           2025-11-14T18:19:12.004Z",
        `  from     ${path}`,
        "  error    ValidationError: order 1003 was rejected by the",
        "           warehouse service because the item mug is out of",
        "           stock in every region that ships to the",
        "           customer's address",
        "               at reserveStock",
        "                   (file:///var/task/warehouse.mjs:41:11)",
        "               at async Runtime.handler",
        "                   (file:///var/task/index.mjs:17:5)",
        "           … 1 runtime frame (-v shows them)",
        "  why      every attempt failed: Lambda retried up to the",
        "           function's MaximumRetryAttempts, then gave up",
        '  request  { "orderId": "1003" }',
        "  context",
        "    {",
        '      "statusCode": 200,',
        '      "executedVersion": "$LATEST",',
        '      "functionError": "Unhandled"',
        "    }",
        "",
      ].join("\n"),
    );
  });

  it.skipIf(!hasScript)("a terminal 130 columns wide", async () => {
    const path = write("long-error-130.json", longError);
    expect(await runInTerminal(["show", path], 130)).toBe(
      [
        "✗ FAILURE  invocation-record  order-processor:$LATEST  RetriesExhausted  attempts 3  request 0b7c5b2e-8d0e-4c1f-9a57-3f1de9f0c2aa",
        "           2025-11-14T18:19:12.004Z",
        `  from     ${path}`,
        "  error    ValidationError: order 1003 was rejected by the warehouse service because the item mug is out of stock in every region",
        "           that ships to the customer's address",
        "               at reserveStock (file:///var/task/warehouse.mjs:41:11)",
        "               at async Runtime.handler (file:///var/task/index.mjs:17:5)",
        "           … 1 runtime frame (-v shows them)",
        "  why      every attempt failed: Lambda retried up to the function's MaximumRetryAttempts, then gave up",
        '  request  { "orderId": "1003" }',
        '  context  { "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" }',
        "",
      ].join("\n"),
    );
  });
});

describe("stack traces: the function's own frames first (built binary)", () => {
  it("Node.js: node:internal and /var/runtime folded into one line; -v shows every frame in place", async () => {
    const path = write("node-trace.json", nodeTrace);
    const result = await run(["show", path]);
    expect(result.stdout.split("\n").slice(3, 8)).toEqual([
      "  error    TypeError: Cannot read properties of undefined (reading 'sku')",
      "               at parseItem (file:///var/task/orders.mjs:12:24)",
      "               at Array.map (<anonymous>)",
      "               at async Runtime.handler (file:///var/task/index.mjs:8:18)",
      "           … 2 runtime frames (-v shows them)",
    ]);
    const verbose = await run(["show", "-v", path]);
    expect(verbose.stdout.split("\n").slice(3, 9)).toEqual([
      "  error    TypeError: Cannot read properties of undefined (reading 'sku')",
      "               at parseItem (file:///var/task/orders.mjs:12:24)",
      "               at Array.map (<anonymous>)",
      "               at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
      "               at async Runtime.handler (file:///var/task/index.mjs:8:18)",
      "               at async Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:25)",
    ]);
  });

  it("Python: the runtime's outermost frame goes after the function's, folded; -v shows it first", async () => {
    const path = write("python-trace.json", pythonTrace);
    const result = await run(["show", path]);
    expect(result.stdout.split("\n").slice(3, 9)).toEqual([
      "  error    ValueError: order 1003 has no items",
      '             File "/var/task/app.py", line 9, in handler',
      "               return process(event)",
      '             File "/var/task/orders.py", line 27, in process',
      "               raise ValueError(f\"order {order['id']} has no items\")",
      "           … 1 runtime frame (-v shows them)",
    ]);
    const verbose = await run(["show", "-v", path]);
    expect(verbose.stdout.split("\n").slice(3, 8)).toEqual([
      "  error    ValueError: order 1003 has no items",
      '             File "/var/lang/lib/python3.12/site-packages/awslambdaric/bootstrap.py", line 188, in',
      "                 handle_event_request",
      "               response = request_handler(event, lambda_context)",
      '             File "/var/task/app.py", line 9, in handler',
    ]);
  });
});

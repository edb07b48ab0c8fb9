/**
 * Issue 8, item 8: text from outside (payloads, file names, AWS error messages, function logs) never reaches a
 * terminal raw. Each test feeds the real binary text holding OSC, CSI, BEL, a C1 CSI (U+009B), DEL and bidi
 * overrides, and asserts that nothing a terminal acts on is left in what it printed, other than our colors.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateFunctionCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../src/local/stack.js";
import { type Clients, clientsFor, createQueue, destroyClients } from "../integration/local/helpers.js";
import { controlsIn, fixture, HOSTILE, hostileFailureRecord, runRaw } from "./output-helpers.js";

const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-escaping-"));
const write = (name: string, text: string) => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};
const COLORS = { NO_COLOR: undefined, FORCE_COLOR: "1" };

/** What `printable` shows for HOSTILE's first sequences, so that the test sees them kept, escaped. */
const SHOWN = "\\x1b]0;owned\\x07\\x1b[2J\\x1b[31m\\u009b5m";

/**
 * Text output wraps at 100 columns when piped, breaking at a space: every indented line joined to the one
 * before it by that space, so that a message reads whole again (what is next to it is joined too).
 */
function unwrapped(text: string): string {
  return text.replace(/\n +/g, " ");
}

describe("#8 terminal control sequences from envelopes and files are shown escaped", () => {
  it("#8 show: the error line, stack trace, condition and payload of a hostile record", async () => {
    const path = write("hostile-record.json", JSON.stringify(hostileFailureRecord(), null, 2));
    const plain = await runRaw(["show", path]);
    expect(plain.code).toBe(0);
    expect(controlsIn(plain.stdout)).toEqual([]);
    expect(controlsIn(plain.stderr)).toEqual([]);
    expect(plain.stdout).toContain(`error    Order${SHOWN}`);
    expect(unwrapped(plain.stdout)).toContain(`at handler (${SHOWN}`);
    // The payload block: JSON.stringify escapes C0 itself; C1 and bidi are escaped the same way.
    expect(plain.stdout).toContain('"key\\u001b]0;owned\\u0007');
    expect(plain.stdout).toContain("\\u009b5m\\u0085\\u007f\\u202eevil\\u2066");
    // With colors, our SGR codes are the only sequences left.
    const colored = await runRaw(["show", path], { env: COLORS });
    expect(colored.stdout).toContain("\u001b[31m");
    expect(controlsIn(colored.stdout, { colors: true })).toEqual([]);
  });

  it("#8 validate: a file name and finding messages that quote hostile values", async () => {
    const directory = join(scratch, "names");
    mkdirSync(directory, { recursive: true });
    const name = `record${HOSTILE.replace(/\//g, "")}.json`;
    const record = hostileFailureRecord();
    record.requestContext.approximateInvokeCount = `three${HOSTILE}`;
    writeFileSync(join(directory, name), JSON.stringify(record));
    for (const env of [{}, COLORS]) {
      const result = await runRaw(["validate", name, "--strict"], { cwd: directory, env });
      expect(result.code).toBe(1);
      expect(controlsIn(result.stdout, { colors: "FORCE_COLOR" in env })).toEqual([]);
      expect(result.stdout).toContain(`record${SHOWN}`);
      expect(result.stdout).toContain("unknown condition");
    }
  });

  it("#8 show --json and validate --json: C1, DEL and bidi become \\u escapes; the strings are unchanged", async () => {
    const record = hostileFailureRecord();
    const path = write("hostile-json.json", JSON.stringify(record));
    const shown = await runRaw(["show", "--json", path]);
    expect(controlsIn(shown.stdout)).toEqual([]);
    const line = JSON.parse(shown.stdout);
    expect(line.payload).toEqual(record);
    expect(line.summary.errorMessage).toBe(record.responsePayload.errorMessage);
    const validated = await runRaw(["validate", "--json", path]);
    expect(controlsIn(validated.stdout)).toEqual([]);
    const [result] = JSON.parse(validated.stdout).results;
    expect(result.warnings[0].message).toContain(record.requestContext.condition);
  });

  it("#8 show --raw: the item as written, with what a terminal acts on as \\u escapes (the same JSON)", async () => {
    const record = hostileFailureRecord();
    // Raw C1, DEL and bidi are valid inside JSON strings as they are: write them unescaped.
    const text = JSON.stringify(record, null, 2).replace(
      /\\u00(9b|85|7f)|\\u(202e|2066|2069|200f)/g,
      (escaped) => JSON.parse(`"${escaped}"`),
    );
    expect(text).toContain("\u009b");
    const raw = await runRaw(["show", "--raw", write("raw.json", text)]);
    expect(controlsIn(raw.stdout)).toEqual([]);
    expect(JSON.parse(raw.stdout)).toEqual(record);
  });

  it("#8 stderr: unreadable file names and the error line of a bad option are escaped", async () => {
    const missing = await runRaw(["validate", `missing${HOSTILE}.json`]);
    expect(missing.code).toBe(2);
    expect(controlsIn(missing.stderr)).toEqual([]);
    expect(missing.stderr).toContain(`cannot read missing${SHOWN}`);
    const schema = await runRaw(["validate", "--schema", `schema${HOSTILE}.json`, join(scratch, "raw.json")]);
    expect(schema.code).toBe(2);
    expect(controlsIn(schema.stderr)).toEqual([]);
    expect(schema.stderr).toContain(`schema${SHOWN}`);
  });

  it("#8 an endpoint's error message is escaped in the error line", async () => {
    // SQS's JSON protocol answers errors with HTTP 400 and a body such as
    // {"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."}
    // (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html);
    // GetQueueUrl may fail with InvalidSecurity, "When the request to a queue is not HTTPS and SigV4" (the
    // GetQueueUrl errors of the SQS API reference). Here the endpoint is hostile and puts control sequences
    // into the message, which lambda-dest quotes for an error it has no words of its own for.
    const server = http.createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(400, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": "66916324-67ca-54bb-a410-3f567a7a0571",
        });
        response.end(
          JSON.stringify({ __type: "com.amazonaws.sqs#InvalidSecurity", message: `refused ${HOSTILE}` }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await runRaw([
        "tail",
        "sqs:orders",
        "--endpoint-url",
        `http://127.0.0.1:${port}`,
        "--region",
        "us-east-1",
        "--timeout",
        "10s",
      ]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("owned");
      expect(controlsIn(result.stderr)).toEqual([]);
      expect(controlsIn(result.stdout)).toEqual([]);
    } finally {
      server.close();
    }
  });
});

/** A server on 127.0.0.1 that answers every request with `answer`; closed when `run` ends. */
async function withEndpoint<T>(
  answer: (body: string, response: http.ServerResponse) => void,
  run: (endpoint: string) => Promise<T>,
): Promise<T> {
  const server = http.createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => answer(body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

describe("#8 ids an endpoint sends back are printed escaped", () => {
  it("#8 send: a MessageId with control sequences, in text and in --json", async () => {
    // send sends through SendMessageBatch, whose JSON answer is {"Successful": [{"Id", "MessageId",
    // "MD5OfMessageBody"}], "Failed": []} (SQS API reference, SendMessageBatch response elements); the SDK
    // checks each MD5, so the hostile endpoint computes it.
    await withEndpoint(
      (body, response) => {
        const sent = JSON.parse(body) as { Entries?: { Id: string; MessageBody: string }[] };
        response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        const successful = (sent.Entries ?? []).map((entry) => ({
          Id: entry.Id,
          MessageId: `id${HOSTILE}`,
          MD5OfMessageBody: createHash("md5").update(entry.MessageBody).digest("hex"),
        }));
        response.end(JSON.stringify(sent.Entries ? { Successful: successful, Failed: [] } : {}));
      },
      async (endpoint) => {
        const queueUrl = `${endpoint}/000000000000/orders`;
        const common = ["--endpoint-url", endpoint, "--region", "us-east-1"];
        const text = await runRaw(["send", queueUrl, "{}", ...common]);
        expect(text.code).toBe(0);
        expect(controlsIn(text.stdout)).toEqual([]);
        expect(text.stdout).toContain(`id${SHOWN}`);
        const json = await runRaw(["send", queueUrl, "{}", "--json", ...common]);
        expect(json.code).toBe(0);
        expect(controlsIn(json.stdout)).toEqual([]);
        expect(JSON.stringify(JSON.parse(json.stdout))).toContain("id\\u001b]0;owned");
      },
    );
  });

  it("#8 invoke: a RequestId header with a C1 control, in text and in --json", async () => {
    // An Event invoke answers 202 with the request id in x-amzn-RequestId (Lambda API reference, Invoke).
    // Node writes a header's U+0080-U+00FF as single bytes, and the SDK reads them back as those characters.
    await withEndpoint(
      (_body, response) => {
        response.writeHead(202, { "x-amzn-requestid": "req\u009b2J\u0085" });
        response.end();
      },
      async (endpoint) => {
        const common = ["--endpoint-url", endpoint, "--region", "us-east-1"];
        const text = await runRaw(["invoke", "greeter", "{}", ...common]);
        expect(text.code).toBe(0);
        expect(controlsIn(text.stdout)).toEqual([]);
        expect(text.stdout).toBe("req\\u009b2J\\u0085\n");
        const json = await runRaw(["invoke", "greeter", "{}", "--json", ...common]);
        expect(json.code).toBe(0);
        expect(controlsIn(json.stdout)).toEqual([]);
        expect(JSON.parse(json.stdout).requestId).toBe("req\u009b2J\u0085");
      },
    );
  });
});

describe("#8 tail and invoke against the local stack", () => {
  let stack: LocalStack;
  let clients: Clients;
  const endpoint = () => ["--endpoint-url", stack.endpoint, "--region", stack.region];

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    clients = clientsFor(stack);
  });
  afterAll(async () => {
    destroyClients(clients);
    await stack?.stop();
  });

  it("#8 tail -v and tail --json: a hostile record is shown escaped and written as the same strings", async () => {
    const queue = await createQueue(clients, "escaping-tail");
    const record = hostileFailureRecord();
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(record) }),
    );
    const verbose = await runRaw(["tail", "sqs:escaping-tail", "-v", "--max", "1", ...endpoint()]);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toContain(`Order${SHOWN}`);
    expect(controlsIn(verbose.stdout)).toEqual([]);
    // The summary table on stderr names the condition, which came from the record.
    expect(verbose.stderr).toContain(`Retries${SHOWN}`);
    expect(controlsIn(verbose.stderr)).toEqual([]);
    const json = await runRaw(["tail", "sqs:escaping-tail", "--json", "--max", "1", ...endpoint()]);
    expect(controlsIn(json.stdout)).toEqual([]);
    expect(JSON.parse(json.stdout).payload).toEqual(record);
  });

  it("#8 invoke --sync and --wait: a function's result, log, error and record are escaped", async () => {
    const handler = `export const handler = async (event) => {
      console.log("log " + event.text);
      if (event.fail) { const error = new Error("failed " + event.text); error.name = "OrderError"; throw error; }
      return { echo: event.text };
    };`;
    const failures = await createQueue(clients, "escaping-failures");
    await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "escaping",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/lambda-role",
        Code: { ZipFile: zipSync({ "index.mjs": strToU8(handler) }) },
      }),
    );
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "escaping",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: failures.arn } },
      }),
    );
    const payload = JSON.stringify({ text: HOSTILE });
    const success = await runRaw(["invoke", "escaping", payload, "--sync", ...endpoint()]);
    expect(success.code, success.stderr).toBe(0);
    expect(success.stderr).toContain("log \\x1b]0;owned");
    expect(controlsIn(success.stdout)).toEqual([]);
    expect(controlsIn(success.stderr)).toEqual([]);
    const failing = JSON.stringify({ text: HOSTILE, fail: true });
    const failed = await runRaw(["invoke", "escaping", failing, "--sync", ...endpoint()]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("function error");
    expect(controlsIn(failed.stdout)).toEqual([]);
    expect(controlsIn(failed.stderr)).toEqual([]);
    const waited = await runRaw(["invoke", "escaping", failing, "--wait", "--timeout", "20s", ...endpoint()]);
    expect(waited.code, waited.stderr).toBe(1);
    expect(unwrapped(waited.stdout)).toContain(`OrderError: failed ${SHOWN}`);
    expect(controlsIn(waited.stdout)).toEqual([]);
    expect(controlsIn(waited.stderr)).toEqual([]);
    const asJson = await runRaw(["invoke", "escaping", failing, "--wait", "--json", ...endpoint()]);
    expect(controlsIn(asJson.stdout)).toEqual([]);
    expect(JSON.parse(asJson.stdout).summary.errorMessage).toBe(`failed ${HOSTILE}`);
  });

  it("#8 the fixtures still render as before (escaping changes nothing that is plain)", async () => {
    const result = await runRaw(["show", join("test/fixtures/envelopes", "failure-node.json")]);
    expect(result.stdout).toContain(
      `error    Error: ${fixture("failure-node.json").responsePayload.errorMessage}`,
    );
  });
});

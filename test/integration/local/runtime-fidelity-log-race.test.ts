/**
 * Issue #9, "never a lost last line": the sandbox closes an invocation's log only once the runtime's end marks
 * have been read from stdout and stderr, however late the pipes deliver what came before them. The real
 * bootstraps write their output, then the marks, then post the answer, and on this machine the pipes are
 * usually read before the answer; the race that once lost a final print depends on load. So this test uses a
 * runtime that makes the worst order certain: it posts the answer first, and only 150 ms later writes its
 * last lines and the marks, through the same Runtime API and pipes the real bootstraps use. A log closed at
 * the answer (or one event-loop turn after it) misses those lines; a log closed at the marks has them.
 *
 * Lambda's log of a synchronous invoke ("LogResult: The last 4 KB of the execution log", Lambda API
 * reference, Invoke) holds everything the function wrote during the invocation.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { silentLogger } from "../../../src/local/local-logger.js";
import { Sandbox } from "../../../src/local/sandbox.js";

/** A runtime that answers, and then writes its last lines and the end marks (see sandbox.ts). */
const LATE_WRITER = `
const http = require("node:http");
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const [address, secret] = [api.slice(0, api.indexOf("/")), api.slice(api.indexOf("/") + 1)];
const [host, port] = address.split(":");
const call = (method, path, body) => new Promise((resolve, reject) => {
  const request = http.request({ host, port: Number(port), method, path: "/" + secret + "/2018-06-01/runtime" + path }, (response) => {
    let text = "";
    response.on("data", (chunk) => (text += chunk));
    response.on("end", () => resolve({ headers: response.headers, text }));
  });
  request.on("error", reject);
  request.end(body);
});
(async () => {
  for (;;) {
    const next = await call("GET", "/invocation/next");
    const id = next.headers["lambda-runtime-aws-request-id"];
    process.stdout.write("first line of " + id + "\\n");
    await call("POST", "/invocation/" + id + "/response", JSON.stringify({ answered: id }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.stdout.write("late stdout line of " + id + "\\n");
    process.stderr.write("late stderr line of " + id + "\\n");
    process.stdout.write("unended line of " + id);
    const mark = "\\u0000" + secret + " " + id + "\\n";
    process.stdout.write(mark);
    process.stderr.write(mark);
  }
})();
`;

let scratch: string;
let sandbox: Sandbox;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "lambda-dest-log-race-"));
  sandbox = await Sandbox.start(
    {
      functionName: "late-writer",
      command: { command: process.execPath, args: ["-e", LATE_WRITER] },
      environment: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      codeDirectory: scratch,
      timeoutSeconds: 5,
      memorySize: 128,
      version: "$LATEST",
    },
    silentLogger,
  );
});

afterAll(async () => {
  sandbox?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

it("holds the lines a runtime wrote before its end marks, even when they come after its answer", async () => {
  for (let n = 0; n < 3; n += 1) {
    const requestId = randomUUID();
    const outcome = await sandbox.invoke({
      requestId,
      payload: "{}",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:late-writer",
      traceId: "Root=1-00000000-000000000000000000000000",
    });
    expect(JSON.parse(outcome.payload)).toEqual({ answered: requestId });
    // Between START and END, in any order across the two pipes: every line, the unended one ended.
    const body = outcome.logs.split("\n").slice(1, -3);
    expect(body.sort()).toEqual(
      [
        `first line of ${requestId}`,
        `late stdout line of ${requestId}`,
        `late stderr line of ${requestId}`,
        `unended line of ${requestId}`,
      ].sort(),
    );
    expect(outcome.logs).not.toContain("\u0000");
  }
});

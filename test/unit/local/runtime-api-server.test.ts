/**
 * The Runtime API's own HTTP/1.1 server, over real loopback sockets with the bytes a runtime (or a hostile
 * local process) sends. What it serves is AWS's Runtime API (Lambda developer guide, "Using the Lambda runtime
 * API for custom runtimes", docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): "Next invocation — Path
 * /runtime/invocation/next — Method GET", answered with the event and the headers Lambda-Runtime-Aws-Request-Id,
 * Lambda-Runtime-Deadline-Ms, Lambda-Runtime-Invoked-Function-Arn, Lambda-Runtime-Trace-Id; "Invocation
 * response — Path /runtime/invocation/AwsRequestId/response — Method POST" answered 202 Accepted, 400 Bad
 * Request, 403 Forbidden, 413 Payload Too Large or 500. The sandbox's routing is tested through the stack in
 * test/integration/local; here, what any connection may send and what it gets back.
 */
import * as net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RuntimeApiRequest, RuntimeApiServer } from "../../../src/local/runtime-api-server.js";

const SECRET = "s3cr3t-s3cr3t-s3cr3t-xx";
const MAX_BODY = 1024;

let server: RuntimeApiServer;
let port: number;
/** Requests the server handed over, in order. */
let seen: RuntimeApiRequest[];

beforeEach(async () => {
  seen = [];
  server = new RuntimeApiServer({
    authorize: (target) => (target.startsWith(`/${SECRET}/`) ? target.slice(SECRET.length + 1) : undefined),
    forbidden: {
      headers: { "content-type": "application/json" },
      body: '{"errorMessage":"Forbidden","errorType":"Runtime.Forbidden"}',
    },
    maxBodyBytes: MAX_BODY,
    handle: (request, reply) => {
      seen.push(request);
      if (request.path === "/fault") throw new Error("a fault while serving");
      if (request.path === "/2018-06-01/runtime/invocation/next") {
        // An event is ready a little later, as when a runtime waits for its next one.
        setTimeout(
          () =>
            reply.send(
              200,
              {
                "content-type": "application/json",
                "lambda-runtime-aws-request-id": "req-1",
                "lambda-runtime-trace-id": "Root=1-0-0\r\nInjected: yes",
              },
              '{"event":1}',
            ),
          20,
        );
        return;
      }
      reply.send(202, { "content-type": "application/json" }, '{"status":"OK"}');
    },
  });
  port = await server.listen();
});

afterEach(() => server.close());

/** Sends raw bytes on a new connection; resolves with everything read until the server closes it or the wait ends. */
function exchange(bytes: string | Buffer, waitMs = 300): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let closedByServer = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString("latin1"), closedByServer });
    }, waitMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => {
      closedByServer = true;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString("latin1"), closedByServer });
    });
    socket.on("error", reject);
    socket.write(bytes);
  });
}

/** The status of every answer, in order (an answer may follow the previous one's body on the same line). */
const statuses = (text: string) =>
  [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
const post = (path: string, body: string) =>
  `POST /${SECRET}${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const get = (path: string) => `GET /${SECRET}${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

describe("the Runtime API server", () => {
  it("answers pipelined requests in order: the answer first, then the next event when it comes", async () => {
    const { text, closedByServer } = await exchange(
      post("/2018-06-01/runtime/invocation/req-0/response", '{"ok":true}') +
        get("/2018-06-01/runtime/invocation/next"),
    );
    expect(statuses(text)).toEqual([202, 200]);
    expect(closedByServer).toBe(false);
    expect(text).toContain("lambda-runtime-aws-request-id: req-1\r\n");
    expect(text.endsWith('{"event":1}')).toBe(true);
    expect(seen.map((request) => [request.method, request.path, request.body.toString()])).toEqual([
      ["POST", "/2018-06-01/runtime/invocation/req-0/response", '{"ok":true}'],
      ["GET", "/2018-06-01/runtime/invocation/next", ""],
    ]);
  });

  it("never lets a header value end the header block early", async () => {
    const { text } = await exchange(get("/2018-06-01/runtime/invocation/next"));
    expect(text).not.toMatch(/^Injected:/m);
    expect(text).not.toContain("lambda-runtime-trace-id");
  });

  it("reads a request whose bytes come one at a time", async () => {
    const bytes = Buffer.from(post("/2018-06-01/runtime/invocation/req-0/response", '{"slow":true}'));
    const socket = net.connect({ host: "127.0.0.1", port });
    const answer = new Promise<string>((resolve) =>
      socket.once("data", (chunk) => resolve(chunk.toString())),
    );
    for (const byte of bytes) {
      socket.write(Buffer.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(statuses(await answer)).toEqual([202]);
    socket.destroy();
    expect(seen[0]!.body.toString()).toBe('{"slow":true}');
  });

  it("refuses a target without the secret with 403, before reading its body, and closes that connection", async () => {
    const { text, closedByServer } = await exchange(
      "POST /2018-06-01/runtime/invocation/req-0/response HTTP/1.1\r\nContent-Length: 5\r\n\r\nforge",
    );
    expect(statuses(text)).toEqual([403]);
    expect(text).toContain('"errorType":"Runtime.Forbidden"');
    expect(closedByServer).toBe(true);
    expect(seen).toEqual([]);
  });

  it("counts a body past the limit without keeping it", async () => {
    const { text } = await exchange(
      post("/2018-06-01/runtime/invocation/req-0/response", "x".repeat(MAX_BODY + 1)),
    );
    expect(statuses(text)).toEqual([202]);
    expect(seen[0]!.size).toBe(MAX_BODY + 1);
    expect(seen[0]!.body.length).toBe(0);
  });

  it("answers a request whose serving fails with 500 and closes that connection, and goes on serving", async () => {
    const { text, closedByServer } = await exchange(get("/fault"));
    expect(statuses(text)).toEqual([500]);
    expect(closedByServer).toBe(true);
    const after = await exchange(post("/2018-06-01/runtime/invocation/req-0/error", "{}"));
    expect(statuses(after.text)).toEqual([202]);
  });

  it.each([
    ["a malformed request line", "GARBAGE\r\n\r\n", 400],
    ["a header line without a name", `GET /${SECRET}/x HTTP/1.1\r\n: nameless\r\n\r\n`, 400],
    [
      "a Content-Length that is not a number",
      `POST /${SECRET}/x HTTP/1.1\r\nContent-Length: -1\r\n\r\n`,
      400,
    ],
    [
      "two Content-Lengths that disagree",
      `POST /${SECRET}/x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`,
      400,
    ],
    ["a chunked body", `POST /${SECRET}/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 501],
    ["a head over 16 KB", `GET /${SECRET}/x HTTP/1.1\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`, 431],
    ["a head that never ends", `GET /${SECRET}/x HTTP/1.1\r\nX-Big: ${"a".repeat(17 * 1024)}`, 431],
  ])("answers %s with an error and closes that connection only", async (_what, bytes, status) => {
    const { text, closedByServer } = await exchange(bytes);
    expect(statuses(text)).toEqual([status]);
    expect(closedByServer).toBe(true);
    expect(seen).toEqual([]);
    // The server still serves everyone else.
    const after = await exchange(post("/2018-06-01/runtime/invocation/req-0/error", "{}"));
    expect(statuses(after.text)).toEqual([202]);
  });
});

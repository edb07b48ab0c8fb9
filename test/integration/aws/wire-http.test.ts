/**
 * The wire path's HTTP/1.1 client (src/aws/wire-http.ts) against real servers on loopback: Node's own HTTP
 * server, and a socket server that answers with exactly the bytes a test gives it (split as the test says), as
 * a misbehaving endpoint would. Whatever it does not read is no answer (undefined), which sqs-wire.ts hands to
 * the SDK; what it reads, it reads exactly.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { isAbortError } from "../../../src/aws/errors.js";
import { AnswerReader, WireHttp, type WireTarget } from "../../../src/aws/wire-http.js";

const options = { timeoutMs: 2_000, maxBodyBytes: 1024 * 1024 };
const baseHeaders = {
  "content-type": "application/x-amz-json-1.0",
  "x-amz-target": "AmazonSQS.ReceiveMessage",
};
/** The headers of a request to the port (sqs-wire.ts signs the Host header with the others). */
const headersFor = (port: number): Record<string, string> => ({ ...baseHeaders, host: `127.0.0.1:${port}` });

function target(port: number): WireTarget {
  return { secure: false, hostname: "127.0.0.1", port: String(port), host: `127.0.0.1:${port}`, path: "/" };
}

const closers: (() => Promise<void>)[] = [];
const clients: WireHttp[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const close of closers.splice(0)) await close();
});

/** A request with no body to the port, as sqs-wire.ts sends one (Host header included). */
function ask(
  wire: WireHttp,
  port: number,
  extra: Partial<typeof options> & { abortSignal?: AbortSignal } = {},
) {
  return wire.post(target(port), headersFor(port), "", { ...options, ...extra });
}

function client(): WireHttp {
  const made = new WireHttp();
  clients.push(made);
  return made;
}

/** A socket server answering request n (over all connections) with `answers(n, socket)`. */
async function rawServer(answer: (index: number, socket: Socket) => void) {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      // One request per head + body (the client sends a Content-Length).
      for (;;) {
        const end = received.indexOf("\r\n\r\n");
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(received.slice(0, end))?.[1] ?? 0);
        if (received.length < end + 4 + length) return;
        received = received.slice(end + 4 + length);
        answer(requests++, socket);
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const connections = { count: 0 };
  server.on("connection", () => {
    connections.count += 1;
  });
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as { port: number }).port, connections };
}

const ok = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

const chunked = (parts: string[], trailers = "", extension = "") =>
  `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${parts
    .map((part) => `${Buffer.byteLength(part).toString(16)}${extension}\r\n${part}\r\n`)
    .join("")}0\r\n${trailers}\r\n`;

/** Node's HTTP (or HTTPS) server listening, closed after the test, and a count of the connections it took. */
async function listening<S extends Server>(server: S) {
  let connections = 0;
  server.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, port: (server.address() as { port: number }).port, connections: () => connections };
}

const nodeServer = (handler: RequestListener) => listening(createHttpServer(handler));

describe("the wire's HTTP client, against Node's HTTP server", () => {
  it("sends the request as given and keeps one connection for requests one after another", async () => {
    const seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];
    const { port, connections } = await nodeServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => {
        body += chunk;
      });
      request.on("end", () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        // Written in pieces: Node frames it with chunks.
        response.write('{"Messages":[');
        response.end(`{"Body":"ünïcødé ✓ ${seen.length}"}]}`);
      });
    });
    const wire = client();
    const body = '{"QueueUrl":"q","note":"é"}';
    for (let index = 1; index <= 3; index++) {
      const answer = await wire.post({ ...target(port), path: "/queue/" }, headersFor(port), body, options);
      expect(answer).toEqual({ status: 200, text: `{"Messages":[{"Body":"ünïcødé ✓ ${index}"}]}` });
    }
    expect(connections()).toBe(1);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "/queue/",
      headers: {
        "x-amz-target": "AmazonSQS.ReceiveMessage",
        "content-length": String(Buffer.byteLength(body)),
        connection: "keep-alive",
      },
      body,
    });
  });

  it("opens a new connection once the server has closed an idle one", async () => {
    const { server, port, connections } = await nodeServer((_, response) => {
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      response.end("{}");
    });
    server.keepAliveTimeout = 50;
    const wire = client();
    expect(await ask(wire, port)).toEqual({ status: 200, text: "{}" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await ask(wire, port)).toEqual({ status: 200, text: "{}" });
    expect(connections()).toBe(2);
  });
});

describe("the wire's HTTP client, against a server that writes its own bytes", () => {
  it("reads an answer that arrives a byte at a time", async () => {
    const text = '{"Messages":[{"Body":"ünïcødé ✓"}]}';
    const { port } = await rawServer((_, socket) => {
      const bytes = Buffer.from(chunked([text.slice(0, 10), text.slice(10)], "x-trailer: 1\r\n"));
      let at = 0;
      const next = () => {
        if (at < bytes.length) socket.write(bytes.subarray(at, ++at), () => setImmediate(next));
      };
      next();
    });
    expect(await ask(client(), port)).toEqual({ status: 200, text });
  });

  it("reads the answer after an interim 100 Continue", async () => {
    const { port } = await rawServer((_, socket) =>
      socket.write(`HTTP/1.1 100 Continue\r\n\r\n${ok('{"a":1}')}`),
    );
    expect(await ask(client(), port)).toEqual({ status: 200, text: '{"a":1}' });
  });

  it("returns any other status at once and does not reuse its connection", async () => {
    const { port, connections } = await rawServer((index, socket) =>
      socket.write(
        index === 0
          ? 'HTTP/1.1 400 Bad Request\r\ncontent-length: 200000\r\n\r\n{"__type":"x"'
          : ok('{"a":2}'),
      ),
    );
    const wire = client();
    expect(await ask(wire, port)).toEqual({ status: 400, text: "" });
    expect(await ask(wire, port)).toEqual({ status: 200, text: '{"a":2}' });
    expect(connections.count).toBe(2);
  });

  it("closes a connection the server says it closes, and a HTTP/1.0 one", async () => {
    const { port, connections } = await rawServer((index, socket) =>
      socket.write(
        index === 0 ? ok("{}", "Connection: close\r\n") : `HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\n{}`,
      ),
    );
    const wire = client();
    for (let index = 0; index < 3; index++) {
      expect(await ask(wire, port)).toEqual({ status: 200, text: "{}" });
    }
    expect(connections.count).toBe(3);
  });

  it("lets an idle connection go by the server's Keep-Alive timeout", async () => {
    const { port, connections } = await rawServer((_, socket) =>
      socket.write(ok("{}", "Keep-Alive: timeout=1\r\n")),
    );
    const wire = client();
    await ask(wire, port);
    // timeout=1: idle for up to 0 s (a second is kept in hand), so the next request takes a new connection.
    await ask(wire, port);
    expect(connections.count).toBe(2);
  });

  it.each([
    ["a status line that is not HTTP/1.x", "SSH-2.0-OpenSSH_9.6\r\n\r\n"],
    ["a header line without a colon", "HTTP/1.1 200 OK\r\ncontent-length 2\r\n\r\n{}"],
    [
      "two Content-Lengths that differ",
      "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}",
    ],
    ["a Content-Length that is no number", "HTTP/1.1 200 OK\r\ncontent-length: 2x\r\n\r\n{}"],
    [
      "both Transfer-Encoding and Content-Length",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 7\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    ],
    ["a Transfer-Encoding other than chunked", "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n"],
    ["a content encoding", "HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 2\r\n\r\n{}"],
    ["no framing (a body that ends with the connection)", "HTTP/1.1 200 OK\r\n\r\n{}"],
    [
      "a chunk size that is no number",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    ],
    [
      "a chunk longer than its size",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n",
    ],
    ["bytes after the answer", `${ok("{}")}HTTP/1.1 200 OK\r\n`],
    ["101 Switching Protocols", "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n"],
    [
      "a head past 64 KiB",
      `HTTP/1.1 200 OK\r\nx-padding: ${"a".repeat(70 * 1024)}\r\ncontent-length: 2\r\n\r\n{}`,
    ],
    ["a head that goes on past 64 KiB", `HTTP/1.1 200 OK\r\nx-padding: ${"a".repeat(70 * 1024)}`],
    ["a body over the limit", `HTTP/1.1 200 OK\r\ncontent-length: ${2 * 1024 * 1024}\r\n\r\n{}`],
    [
      "chunks over the limit",
      `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${(2 * 1024 * 1024).toString(16)}\r\n`,
    ],
  ])("gives no answer at once for %s, and the next request has a sound connection", async (_, bytes) => {
    const { port, connections } = await rawServer((index, socket) =>
      socket.write(index === 0 ? bytes : ok("{}")),
    );
    const wire = client();
    // At once: not at the end of the request's time-out.
    const started = Date.now();
    expect(await ask(wire, port, { timeoutMs: 5_000 })).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await ask(wire, port)).toEqual({ status: 200, text: "{}" });
    expect(connections.count).toBe(2);
  });

  it("gives no answer for an answer cut short", async () => {
    const { port } = await rawServer((_, socket) =>
      socket.end("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{}"),
    );
    expect(await ask(client(), port)).toBeUndefined();
  });

  it("lets go of a connection that sends bytes while idle", async () => {
    const { port, connections } = await rawServer((index, socket) => {
      socket.write(ok("{}"));
      if (index === 0) setTimeout(() => socket.write("HTTP/1.1 200 OK\r\n"), 20);
    });
    const wire = client();
    await ask(wire, port);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await ask(wire, port)).toEqual({ status: 200, text: "{}" });
    expect(connections.count).toBe(2);
  });

  it("gives no answer when none comes in time, and rejects at once when aborted", async () => {
    const { port } = await rawServer(() => {
      // Accepted, never answered.
    });
    const wire = client();
    const started = Date.now();
    expect(await ask(wire, port, { timeoutMs: 200 })).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const controller = new AbortController();
    const pending = ask(wire, port, { abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await pending.catch((thrown: unknown) => thrown);
    expect(isAbortError(error)).toBe(true);
  });

  it("gives no answer when nothing listens", async () => {
    const { port } = await rawServer(() => {});
    await closers.pop()!();
    expect(await ask(client(), port)).toBeUndefined();
  });

  it.each([
    ["a line break", "a\r\nb"],
    ["a control character", "a\u0000b"],
    ["text beyond ASCII", "tökén"],
  ])("sends nothing with a header value holding %s (the SDK's to send or refuse)", async (_, value) => {
    const { port, connections } = await rawServer((_, socket) => socket.write(ok("{}")));
    const answer = await client().post(
      target(port),
      { ...headersFor(port), "x-amz-security-token": value },
      "",
      options,
    );
    expect(answer).toBeUndefined();
    expect(connections.count).toBe(0);
  });
});

describe("the wire's HTTP client, over TLS", () => {
  // A certificate for localhost and 127.0.0.1, valid until 2126, made with `openssl req -x509 -newkey ec
  // -pkeyopt ec_paramgen_curve:prime256v1 -days 36500 -nodes -subj /CN=localhost -addext
  // subjectAltName=DNS:localhost,IP:127.0.0.1`.
  const fixtures = join(import.meta.dirname, "../../fixtures/tls");
  const certificate = join(fixtures, "localhost.crt");

  /** Answers every request with no messages; the second one (index 1) with its connection closed after it. */
  async function httpsServer() {
    const servernames: (string | false | null)[] = [];
    const resumed: boolean[] = [];
    const server = createHttpsServer(
      { cert: readFileSync(certificate), key: readFileSync(join(fixtures, "localhost.key")) },
      (request, response) => {
        const index = servernames.length;
        servernames.push((request.socket as TLSSocket).servername);
        request.resume();
        request.on("end", () => {
          response.writeHead(200, {
            "content-type": "application/x-amz-json-1.0",
            ...(index === 1 ? { connection: "close" } : {}),
          });
          response.end('{"Messages":[]}');
        });
      },
    );
    server.on("secureConnection", (socket: TLSSocket) => {
      resumed.push(socket.isSessionReused());
    });
    const { port } = await listening(server);
    return { port, servernames, resumed };
  }

  it("gives no answer from a server whose certificate is not trusted (the SDK then names the problem)", async () => {
    const { port } = await httpsServer();
    const secure = { ...target(port), secure: true };
    expect(await client().post(secure, headersFor(port), "", options)).toBeUndefined();
  });

  it("reads answers from a trusted server, keeps its connection, resumes its session, names it by SNI", async () => {
    const { port, servernames, resumed } = await httpsServer();
    // The certificate is trusted only by a process started with it: the built client runs in one.
    const script = `
      const { WireHttp } = await import(${JSON.stringify(join(import.meta.dirname, "../../../dist/aws/wire-http.js"))});
      const wire = new WireHttp();
      const answers = [];
      for (const hostname of ["localhost", "localhost", "localhost", "127.0.0.1"]) {
        const target = { secure: true, hostname, port: "${port}", host: hostname + ":${port}", path: "/" };
        answers.push(await wire.post(target, { host: target.host }, "{}", { timeoutMs: 5000, maxBodyBytes: 1024 }));
      }
      wire.destroy();
      console.log(JSON.stringify(answers));`;
    const child = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      const spawned = spawn(process.execPath, ["--input-type=module", "-e", script], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: certificate },
      });
      let stdout = "";
      let stderr = "";
      spawned.stdout.on("data", (chunk) => (stdout += chunk));
      spawned.stderr.on("data", (chunk) => (stderr += chunk));
      spawned.on("close", () => resolve({ stdout, stderr }));
    });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual(Array(4).fill({ status: 200, text: '{"Messages":[]}' }));
    // An IP address is not sent as a server name (RFC 6066, section 3).
    expect(servernames).toEqual(["localhost", "localhost", "localhost", false]);
    // Requests 1 and 2 on one connection; the third on a new one, resuming the first's session; the fourth,
    // to another host, on a connection of its own.
    expect(resumed).toEqual([false, true, false]);
  });
});

describe("the answer reader", () => {
  // Every way a sound answer can be split in two reads gives the same answer.
  it.each([
    ["Content-Length", ok('{"Body":"ünïcødé"}')],
    [
      "chunks, with extensions and trailers",
      chunked(['{"Body":', '"ünïcødé"}'], "x-trailer: 1\r\n", ";ext=1"),
    ],
  ])("reads %s whatever the split", (_, answer) => {
    const bytes = Buffer.from(answer);
    for (let split = 0; split <= bytes.length; split++) {
      const reader = new AnswerReader(1024);
      const first = split === 0 ? "more" : reader.push(bytes.subarray(0, split));
      const second = split === bytes.length ? first : reader.push(bytes.subarray(split));
      expect(second, `split at ${split}`).toBe("done");
      expect(reader.text()).toBe('{"Body":"ünïcødé"}');
      expect(reader.reusable).toBe(true);
    }
  });

  it("reads a body that comes in many pieces, whatever their framing", () => {
    const body = JSON.stringify({ Messages: [{ Body: "ünïcødé ✓ ".repeat(10_000) }] });
    const pieces = (bytes: Buffer, size: (index: number) => number) => {
      const out: Buffer[] = [];
      for (let at = 0, index = 0; at < bytes.length; index++) {
        const next = Math.min(bytes.length, at + size(index));
        out.push(bytes.subarray(at, next));
        at = next;
      }
      return out;
    };
    // Chunks of one byte each ("1" CR LF, the byte, CR LF): built as bytes, as UTF-8 text cannot be cut so.
    const chunkedBytes = Buffer.concat(
      [...Buffer.from(body)].map((byte) => Buffer.from([0x31, 13, 10, byte, 13, 10])),
    );
    const answers = [
      Buffer.from(ok(body)),
      Buffer.concat([
        Buffer.from("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"),
        chunkedBytes,
        Buffer.from("0\r\n\r\n"),
      ]),
    ];
    for (const answer of answers) {
      for (const size of [(index: number) => 1 + ((index * 7919) % 1500), () => 65_536]) {
        const reader = new AnswerReader(1024 * 1024);
        const states = pieces(answer, size).map((piece) => reader.push(piece));
        expect(states.at(-1)).toBe("done");
        expect(states.slice(0, -1).every((state) => state === "more")).toBe(true);
        expect(reader.text()).toBe(body);
      }
    }
  });
});

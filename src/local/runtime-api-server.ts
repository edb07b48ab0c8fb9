import * as net from "node:net";

/** One request to the Runtime API, read whole (its body past `maxBodyBytes` counted, not kept). */
export interface RuntimeApiRequest {
  method: string;
  /** The Runtime API path the request target names, as `authorize` gave it. */
  path: string;
  body: Buffer;
  /** The body's length as sent; larger than `body` when it was past the limit. */
  size: number;
}

/** The answer to one request; a request may be answered later (a runtime waiting for its next event). */
export interface RuntimeApiReply {
  send(status: number, headers: Readonly<Record<string, string>>, body: string | Buffer): void;
  /** Ends the connection without an answer (the sandbox is going away). */
  destroy(): void;
}

export interface RuntimeApiServerOptions {
  /**
   * The path a request target names when it may be served; undefined refuses it with 403, before its body is
   * read.
   */
  authorize(target: string): string | undefined;
  /** The answer to a refused request. */
  forbidden: { headers: Readonly<Record<string, string>>; body: string };
  /** Bodies are kept up to this size; past it they are counted and dropped. */
  maxBodyBytes: number;
  handle(request: RuntimeApiRequest, reply: RuntimeApiReply): void;
}

/** Request line and headers together: far more than a runtime sends, far less than could hurt. */
const MAX_HEAD_BYTES = 16 * 1024;
/** A connection with no request under way is closed after this long (as an idle kept-alive one would be). */
const IDLE_TIMEOUT_MS = 60_000;
const REASONS: Record<number, string> = {
  200: "OK",
  202: "Accepted",
  400: "Bad Request",
  403: "Forbidden",
  413: "Payload Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
};
const HEAD_END = Buffer.from("\r\n\r\n");
const REQUEST_LINE = /^([A-Z]{1,16}) (\/[\x21-\x7e]*) HTTP\/1\.[01]$/;
/** Header values are sent only when they are printable ASCII: nothing in one can end the head early. */
const UNSAFE_VALUE = /[^\t\x20-\x7e]/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The Runtime API's HTTP/1.1 server: a small parser over a plain TCP socket, for the one client each sandbox
 * has (its runtime, on loopback). Requests on a connection are served in order, pipelined ones included, and
 * what the answers of one read make is written at once. Everything that arrives is bounded and checked: a head
 * over 16 KB, a malformed request line or header, a body length that is not a plain number or a chunked body
 * gets an error answer and the end of that connection only; the request target is checked (the sandbox's
 * secret) before a body is read.
 */
export class RuntimeApiServer {
  private readonly server: net.Server;
  private readonly connections = new Set<RuntimeApiConnection>();

  constructor(options: RuntimeApiServerOptions) {
    this.server = net.createServer({ noDelay: true }, (socket) => {
      const connection = new RuntimeApiConnection(socket, options, () => this.connections.delete(connection));
      this.connections.add(connection);
    });
    this.server.on("error", () => {});
  }

  /** Listens on 127.0.0.1 on a free port, and says which. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): void {
    this.server.close();
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
  }
}

interface Head {
  method: string;
  path: string;
  length: number;
}

class RuntimeApiConnection {
  /** Bytes read and not yet consumed. */
  private pending: Buffer = Buffer.alloc(0);
  private head?: Head;
  private readonly bodyChunks: Buffer[] = [];
  private bodyRead = 0;
  /** A request was handed over and its answer is not written yet: later requests wait for it. */
  private awaitingReply = false;
  private processing = false;
  private closed = false;
  private corked = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: RuntimeApiServerOptions,
    private readonly onClose: () => void,
  ) {
    socket.setTimeout(IDLE_TIMEOUT_MS, () => {
      if (!this.awaitingReply) this.destroy();
    });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => this.destroy());
    socket.on("close", () => {
      this.closed = true;
      this.onClose();
    });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    // Answers given while this read is handled, and those the promises it settles give at once (the next event
    // for a runtime that just answered), leave in one write.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.process();
  }

  /** Reads requests off `pending` while none is waiting for its answer. */
  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      while (!this.closed && !this.awaitingReply) {
        if (this.head === undefined && !this.readHead()) break;
        if (!this.readBody()) break;
        this.dispatch();
      }
      // A client that keeps sending while its request waits is not read further until it is answered.
      if (this.awaitingReply && this.pending.length > MAX_HEAD_BYTES) this.socket.pause();
    } finally {
      this.processing = false;
    }
  }

  /** Parses a complete head off `pending`; false when more bytes are needed or the connection failed. */
  private readHead(): boolean {
    const end = this.pending.indexOf(HEAD_END);
    if (end < 0) {
      if (this.pending.length > MAX_HEAD_BYTES) this.fail(431);
      return false;
    }
    if (end > MAX_HEAD_BYTES) {
      this.fail(431);
      return false;
    }
    const lines = this.pending.toString("latin1", 0, end).split("\r\n");
    this.pending = this.pending.subarray(end + HEAD_END.length);
    const requestLine = REQUEST_LINE.exec(lines[0]!);
    if (!requestLine) {
      this.fail(400);
      return false;
    }
    let length: number | undefined;
    for (let index = 1; index < lines.length; index += 1) {
      const line = lines[index]!;
      const colon = line.indexOf(":");
      if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) {
        this.fail(400);
        return false;
      }
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) {
          this.fail(400);
          return false;
        }
        length = Number(value);
      } else if (name === "transfer-encoding") {
        // No runtime here sends a chunked body: refused rather than half understood.
        this.fail(501);
        return false;
      }
    }
    const [, method, target] = requestLine;
    const path = this.options.authorize(target!);
    if (path === undefined) {
      // Not this sandbox's runtime: refused without reading the body, and the connection ends.
      this.write(403, this.options.forbidden.headers, this.options.forbidden.body, true);
      this.destroyAfterWrite();
      return false;
    }
    this.head = { method: method!, path, length: length ?? 0 };
    this.bodyRead = 0;
    return true;
  }

  /** Takes the current request's body off `pending`; false while some of it is still to come. */
  private readBody(): boolean {
    const head = this.head!;
    const wanted = head.length - this.bodyRead;
    if (wanted > 0 && this.pending.length > 0) {
      const taken = Math.min(wanted, this.pending.length);
      // Past the limit the rest is counted, not kept: a runaway response cannot grow the stack's memory.
      if (head.length <= this.options.maxBodyBytes) this.bodyChunks.push(this.pending.subarray(0, taken));
      this.bodyRead += taken;
      this.pending = this.pending.subarray(taken);
    }
    return this.bodyRead === head.length;
  }

  private dispatch(): void {
    const head = this.head!;
    this.head = undefined;
    const body =
      this.bodyChunks.length === 1 ? this.bodyChunks[0]! : Buffer.concat(this.bodyChunks.splice(0));
    this.bodyChunks.length = 0;
    this.awaitingReply = true;
    let answered = false;
    const reply: RuntimeApiReply = {
      send: (status, headers, content) => {
        if (answered || this.closed) return;
        answered = true;
        this.write(status, headers, content, false);
        this.awaitingReply = false;
        if (this.socket.isPaused()) this.socket.resume();
        this.process();
      },
      destroy: () => this.destroy(),
    };
    try {
      this.options.handle({ method: head.method, path: head.path, body, size: head.length }, reply);
    } catch {
      // A fault in serving one request ends that connection, never the stack.
      if (!answered) this.fail(500);
    }
  }

  /** A request that cannot be read: an error answer, then the end of this connection only. */
  private fail(status: number): void {
    const body = JSON.stringify({ errorMessage: REASONS[status], errorType: "InvalidRequest" });
    this.write(status, { "content-type": "application/json" }, body, true);
    this.destroyAfterWrite();
  }

  private destroyAfterWrite(): void {
    this.closed = true;
    this.pending = Buffer.alloc(0);
    this.socket.end();
  }

  private write(
    status: number,
    headers: Readonly<Record<string, string>>,
    body: string | Buffer,
    close: boolean,
  ): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    const length = typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.length;
    let head = `HTTP/1.1 ${status} ${REASONS[status] ?? "Unknown"}\r\n`;
    for (const name in headers) {
      const value = headers[name]!;
      // A value that could end the header early is left out rather than sent.
      if (!UNSAFE_VALUE.test(value)) head += `${name}: ${value}\r\n`;
    }
    head += `content-length: ${length}\r\n`;
    if (close) head += "connection: close\r\n";
    head += "\r\n";
    // One write of one piece: the head is ASCII, so head and a text body go out as one UTF-8 string.
    this.socket.write(
      typeof body === "string" ? head + body : Buffer.concat([Buffer.from(head, "latin1"), body]),
    );
  }
}

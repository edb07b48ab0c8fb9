/**
 * The HTTP/1.1 client of the wire path (sqs-wire.ts): one POST at a time per connection, connections kept alive
 * and reused. Node's http module spends about 150 µs of CPU per request in its agent, its outgoing and incoming
 * message streams and its events, on top of the socket's own work; a drain makes 2,000 requests. This client
 * writes each request in one write and reads the answer off the socket's data itself.
 *
 * It reads only the ordinary answer: `HTTP/1.1 200` (or 1.0) framed by Content-Length or by chunks. Any other
 * status is returned at once, its body unread and its connection closed. Anything else (an answer framed by
 * the end of the connection, a content encoding, a head or chunk line past its limit, bytes where none are
 * due, a connection that ends early) is no answer at all, and sqs-wire.ts hands the request to the SDK, which
 * reads anything.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { abortError } from "./errors.js";

/** Where requests go. */
export interface WireTarget {
  secure: boolean;
  hostname: string;
  port: string;
  /** The Host header: host, and the port when it is not the scheme's default. */
  host: string;
  path: string;
}

export interface WireAnswer {
  status: number;
  /** The body as UTF-8 text; empty for any status but 200 (its body is not read). */
  text: string;
}

export interface WireRequestOptions {
  abortSignal?: AbortSignal;
  /** How long the answer may take, from the request's start. */
  timeoutMs: number;
  /** Largest body read; a larger one is no answer. */
  maxBodyBytes: number;
}

/** Longest status line and header block read (AWS's are well under 2 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Longest chunk-size line (with its extensions) or trailer line. */
const MAX_LINE_BYTES = 4 * 1024;
/**
 * Header values sent as they are: printable ASCII and tab. Anything else (a line break, a control character,
 * text Node's http module would send as Latin-1) goes to the SDK.
 */
const VALID_VALUE = /^[\t\u0020-\u007e]*$/;
const VALID_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reads one answer off a connection's bytes. Exported for its framing tests. */
export class AnswerReader {
  readonly #maxBodyBytes: number;
  #state: "head" | "length" | "chunk-size" | "chunk-data" | "chunk-end" | "trailers" | "done" = "head";
  /** Bytes received and not yet taken (a head or a line that is not complete yet). */
  #pending: Buffer | undefined;
  status = 0;
  /** Whether the connection may carry another request once this answer is read. */
  reusable = false;
  /** Seconds the server keeps an idle connection open (its Keep-Alive header), when it says. */
  keepAliveSeconds: number | undefined;
  /**
   * The body so far: the one piece it came in, or a buffer the pieces are copied into, grown by doubling and
   * never past the declared length, so that an answer sent in many small pieces costs its bytes, not an object
   * per piece.
   */
  #bodyBytes: Buffer | undefined;
  /** The Content-Length, when the answer declared one. */
  #declared: number | undefined;
  #received = 0;
  /** Body bytes still due: of the whole body (Content-Length) or of the current chunk. */
  #due = 0;

  constructor(maxBodyBytes: number) {
    this.#maxBodyBytes = maxBodyBytes;
  }

  /**
   * Takes the next bytes. Returns "more" while the answer is incomplete, "done" when it is complete and
   * nothing follows it, "bad" for anything this reader does not take (bytes after the answer included).
   */
  push(chunk: Buffer): "more" | "done" | "bad" {
    let bytes = chunk;
    if (this.#pending) {
      bytes = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let at = 0;
    while (at < bytes.length) {
      switch (this.#state) {
        case "head": {
          const head = this.#upTo(bytes, at, "\r\n\r\n", MAX_HEAD_BYTES);
          if (typeof head === "string") return head;
          at = head.next;
          const taken = this.#head(head.text);
          if (taken !== "more") return taken;
          break;
        }
        case "length":
        case "chunk-data": {
          const take = Math.min(this.#due, bytes.length - at);
          if (!this.#body(bytes.subarray(at, at + take))) return "bad";
          at += take;
          this.#due -= take;
          if (this.#due === 0) {
            if (this.#state === "length") this.#state = "done";
            else this.#state = "chunk-end";
          }
          break;
        }
        case "chunk-size":
        case "chunk-end":
        case "trailers": {
          const taken = this.#upTo(bytes, at, "\r\n", MAX_LINE_BYTES);
          if (typeof taken === "string") return taken;
          at = taken.next;
          const line = taken.text;
          if (this.#state === "chunk-end") {
            if (line !== "") return "bad";
            this.#state = "chunk-size";
          } else if (this.#state === "trailers") {
            if (line === "") this.#state = "done";
          } else {
            const size = /^([0-9A-Fa-f]{1,8})[ \t]*(;.*)?$/.exec(line);
            if (!size) return "bad";
            this.#due = Number.parseInt(size[1]!, 16);
            if (this.#due === 0) this.#state = "trailers";
            else if (this.#received + this.#due > this.#maxBodyBytes) return "bad";
            else this.#state = "chunk-data";
          }
          break;
        }
        case "done":
          return "bad"; // bytes after the answer: the connection is not in a known state.
      }
    }
    return this.#state === "done" ? "done" : "more";
  }

  /**
   * The text from `at` to the next `end` (Latin-1) and where it continues; "more" when `end` has not come yet
   * (the bytes are kept for the next push), "bad" when the text runs past `limit`.
   */
  #upTo(
    bytes: Buffer,
    at: number,
    end: string,
    limit: number,
  ): { text: string; next: number } | "more" | "bad" {
    const found = bytes.indexOf(end, at, "latin1");
    if (found === -1) {
      if (bytes.length - at > limit) return "bad";
      this.#pending = bytes.subarray(at);
      return "more";
    }
    if (found - at > limit) return "bad";
    return { text: bytes.toString("latin1", at, found), next: found + end.length };
  }

  /** The body, as UTF-8 text. */
  text(): string {
    return this.#bodyBytes === undefined ? "" : this.#bodyBytes.toString("utf8", 0, this.#received);
  }

  #body(part: Buffer): boolean {
    if (part.length === 0) return true;
    const end = this.#received + part.length;
    if (end > this.#maxBodyBytes) return false;
    if (this.#bodyBytes === undefined) {
      this.#bodyBytes = part;
    } else {
      // The first piece is held as it came, exactly its length: the second always moves the body to a buffer.
      if (end > this.#bodyBytes.length) {
        const limit = this.#declared ?? this.#maxBodyBytes;
        const grown = Buffer.allocUnsafe(
          Math.min(limit, Math.max(end, 2 * this.#bodyBytes.length, 64 * 1024)),
        );
        this.#bodyBytes.copy(grown, 0, 0, this.#received);
        this.#bodyBytes = grown;
      }
      part.copy(this.#bodyBytes, this.#received);
    }
    this.#received = end;
    return true;
  }

  #head(head: string): "more" | "done" | "bad" {
    const lines = head.split("\r\n");
    const statusLine = /^HTTP\/1\.([01]) ([0-9]{3})(?: .*)?$/.exec(lines[0]!);
    if (!statusLine) return "bad";
    const status = Number(statusLine[2]);
    // An interim answer (100 Continue, 103 Early Hints) comes before the real one; 101 would switch protocols.
    if (status >= 100 && status < 200) {
      if (status === 101) return "bad";
      return "more";
    }
    this.status = status;
    let length: number | undefined;
    let chunked = false;
    let close = statusLine[1] === "0";
    for (let index = 1; index < lines.length; index++) {
      const line = lines[index]!;
      const colon = line.indexOf(":");
      if (colon <= 0) return "bad";
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") {
        if (!/^[0-9]{1,15}$/.test(value)) return "bad";
        const declared = Number(value);
        if (length !== undefined && length !== declared) return "bad";
        length = declared;
      } else if (name === "transfer-encoding") {
        if (value.toLowerCase() !== "chunked" || chunked) return "bad";
        chunked = true;
      } else if (name === "content-encoding") {
        if (value.toLowerCase() !== "identity") return "bad";
      } else if (name === "connection") {
        const options = value.toLowerCase().split(/\s*,\s*/);
        if (options.includes("close")) close = true;
        else if (options.includes("keep-alive") && statusLine[1] === "0") close = false;
      } else if (name === "keep-alive") {
        const timeout = /(?:^|,)\s*timeout\s*=\s*([0-9]{1,6})\s*(?:,|$)/i.exec(value);
        if (timeout) this.keepAliveSeconds = Number(timeout[1]);
      }
    }
    // Transfer-Encoding with Content-Length is how requests are smuggled: not read here.
    if (chunked && length !== undefined) return "bad";
    // Any answer but 200 ends here, its body unread: the connection is not reused.
    if (status !== 200) {
      this.#state = "done";
      return "done";
    }
    // A body that ends with the connection (neither framing) is rare and cannot be told from a cut one.
    if (chunked) this.#state = "chunk-size";
    else if (length === undefined || length > this.#maxBodyBytes) return "bad";
    else {
      this.#due = length;
      this.#declared = length;
      this.#state = length === 0 ? "done" : "length";
    }
    this.reusable = !close;
    // The loop in push() goes on: bytes after a complete answer are caught there.
    return "more";
  }
}

/** One connection and the request it carries now, if any. */
interface Connection {
  socket: net.Socket;
  key: string;
  /** Called with the connection's events while a request is on it. */
  current?: {
    data(chunk: Buffer): void;
    /** The connection ended (by the server, a reset, or this client). */
    ended(): void;
  };
  /** When an idle connection is to be let go (the server's keep-alive timeout, less a second). */
  idleUntil: number;
}

export class WireHttp {
  readonly #idle = new Map<string, Connection[]>();
  readonly #open = new Set<Connection>();
  /** The last TLS session of each target, offered again by its next connection (as https.Agent does). */
  readonly #sessions = new Map<string, Buffer>();
  #destroyed = false;

  /**
   * Sends one POST (the headers as given, then its Content-Length) and reads its answer. Resolves undefined
   * for no answer (no connection, a reset, a time-out, an answer this client does not read); rejects with an
   * AbortError when the signal aborts.
   */
  async post(
    target: WireTarget,
    headers: Record<string, string>,
    body: string,
    options: WireRequestOptions,
  ): Promise<WireAnswer | undefined> {
    let head = `POST ${target.path} HTTP/1.1\r\n`;
    for (const name in headers) {
      const value = headers[name]!;
      // A header Node would refuse to send (a session token with a line break): the SDK's to report.
      if (!VALID_NAME.test(name) || !VALID_VALUE.test(value)) return undefined;
      head += `${name}: ${value}\r\n`;
    }
    head += `content-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n`;
    const { abortSignal } = options;
    if (abortSignal?.aborted) throw abortError(abortSignal);
    let connection: Connection;
    try {
      connection = this.#connection(target);
    } catch {
      return undefined;
    }
    const reader = new AnswerReader(options.maxBodyBytes);
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, answer?: WireAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abortSignal?.removeEventListener("abort", onAbort);
        connection.current = undefined;
        if (error || !answer || !reader.reusable || this.#destroyed) this.#close(connection);
        else this.#release(connection, reader.keepAliveSeconds);
        if (error) reject(error);
        else resolve(answer);
      };
      const giveUp = () => finish(undefined, undefined);
      const onAbort = () => finish(abortError(abortSignal!));
      const timer = setTimeout(giveUp, options.timeoutMs);
      abortSignal?.addEventListener("abort", onAbort, { once: true });
      connection.current = {
        data(chunk) {
          const state = reader.push(chunk);
          if (state === "bad") giveUp();
          else if (state === "done")
            finish(undefined, { status: reader.status, text: reader.status === 200 ? reader.text() : "" });
        },
        ended: giveUp,
      };
      connection.socket.write(head + body);
    });
  }

  /** An idle connection to the target, or a new one. */
  #connection(target: WireTarget): Connection {
    const key = `${target.secure ? "s" : ""}${target.hostname}\u0000${target.port}`;
    const idle = this.#idle.get(key);
    const now = Date.now();
    while (idle && idle.length > 0) {
      const connection = idle.pop()!;
      if (connection.idleUntil > now && !connection.socket.destroyed) {
        connection.socket.ref();
        return connection;
      }
      this.#close(connection);
    }
    const port = Number(target.port) || (target.secure ? 443 : 80);
    let socket: net.Socket;
    if (target.secure) {
      const secure = tls.connect({
        host: target.hostname,
        port,
        servername: net.isIP(target.hostname) ? undefined : target.hostname,
        ALPNProtocols: ["http/1.1"],
        session: this.#sessions.get(key),
      });
      secure.on("session", (session: Buffer) => {
        if (this.#sessions.size >= 64 && !this.#sessions.has(key)) this.#sessions.clear();
        this.#sessions.set(key, session);
      });
      socket = secure;
    } else {
      socket = net.connect({ host: target.hostname, port });
    }
    socket.setNoDelay(true);
    const connection: Connection = { socket, key, idleUntil: 0 };
    this.#open.add(connection);
    socket.on("data", (chunk: Buffer) => {
      if (connection.current) connection.current.data(chunk);
      else this.#close(connection); // bytes nobody asked for: the connection is not in a known state
    });
    const ended = () => {
      if (connection.current) connection.current.ended();
      else this.#close(connection);
    };
    socket.on("end", ended);
    socket.on("close", ended);
    socket.on("error", () => {
      // A reset or a refused connection: the close that follows ends the request (no answer).
    });
    return connection;
  }

  #release(connection: Connection, keepAliveSeconds: number | undefined): void {
    connection.idleUntil =
      keepAliveSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + (keepAliveSeconds - 1) * 1000;
    // An idle connection does not keep the process alive.
    connection.socket.unref();
    let idle = this.#idle.get(connection.key);
    if (!idle) {
      idle = [];
      this.#idle.set(connection.key, idle);
    }
    idle.push(connection);
  }

  #close(connection: Connection): void {
    this.#open.delete(connection);
    const idle = this.#idle.get(connection.key);
    const at = idle?.indexOf(connection) ?? -1;
    if (at !== -1) idle!.splice(at, 1);
    if (!connection.socket.destroyed) connection.socket.destroy();
  }

  destroy(): void {
    this.#destroyed = true;
    for (const connection of [...this.#open]) {
      connection.current?.ended();
      this.#close(connection);
    }
    this.#idle.clear();
    this.#sessions.clear();
  }
}

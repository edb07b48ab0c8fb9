import { fstatSync, statSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import type { Writer } from "./io.js";

/**
 * Whether a descriptor is a terminal. Only a character device can be one, and fstat says so without
 * node:tty, which loads the networking and stream modules: a measurable share of a one-file `validate`
 * into a pipe or a file.
 */
export function isTerminal(fd: number): boolean {
  let device: number;
  try {
    const info = fstatSync(fd);
    if (!info.isCharacterDevice()) return false;
    device = info.rdev;
  } catch {
    return false; // no such descriptor
  }
  // `> /dev/null` is the other character device output goes to: told apart by its device number.
  if (device === deviceOf("/dev/null")) return false;
  const { isatty } = createRequire(import.meta.url)("node:tty") as typeof import("node:tty");
  return isatty(fd);
}

function deviceOf(path: string): number | undefined {
  try {
    return statSync(path).rdev;
  } catch {
    return undefined;
  }
}

export interface StdoutWriter extends Writer {
  /**
   * Starts noticing a reader that goes away while nothing is being written (`tail x | head -1` once head has
   * its line). Only long-running commands call it: it costs a helper process when stdout is a pipe.
   */
  watchReader(): void;
}

/**
 * Standard output, written with plain blocking write(2) calls for as long as the descriptor allows it:
 * creating Node's process.stdout stream for a pipe loads the networking modules, a measurable share of a
 * one-file `validate`. A descriptor that turns out to be non-blocking (EAGAIN) hands the rest to the
 * stream. A reader that went away (EPIPE) is reported once through `onReaderGone`, and later writes are
 * dropped.
 */
export function createStdoutWriter(onReaderGone: () => void): StdoutWriter {
  let closed = false;
  let stream: NodeJS.WritableStream | undefined;
  let lastWrite: Promise<boolean> = Promise.resolve(true);
  let watching = false;
  let kind: "pipe" | "socket" | "other" | undefined;

  const descriptorKind = () => {
    if (kind === undefined) {
      try {
        const info = fstatSync(1);
        kind = info.isFIFO() ? "pipe" : info.isSocket() ? "socket" : "other";
      } catch {
        kind = "other";
      }
    }
    return kind;
  };

  const readerGone = () => {
    if (closed) return;
    closed = true;
    onReaderGone();
  };
  const useStream = (target: NodeJS.WritableStream) => {
    stream = target;
    target.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") throw error;
      readerGone();
    });
  };
  const writeToStream = (chunk: string | Uint8Array) => {
    if (!stream) useStream(process.stdout);
    const target = stream!;
    lastWrite = new Promise((resolve) => {
      target.write(chunk, (error) => resolve(!error));
    });
  };

  /**
   * A socket (a parent process that spawned us with pipes, as Node does) is read: its end of file says the
   * reader closed. Only one handle may hold the descriptor, so the same socket takes the writes and stands
   * in for process.stdout (which Node creates lazily, e.g. in any stream's pipe()).
   */
  const watchSocket = () => {
    if (stream) return;
    const { Socket } = createRequire(import.meta.url)("node:net") as typeof import("node:net");
    let socket: import("node:net").Socket;
    try {
      socket = new Socket({ fd: 1, readable: true, writable: true, allowHalfOpen: true });
    } catch {
      return; // process.stdout holds it already: the next write notices a closed reader.
    }
    Object.defineProperty(process, "stdout", { configurable: true, enumerable: true, get: () => socket });
    useStream(socket);
    socket.on("data", () => {});
    socket.on("end", readerGone);
    socket.on("close", readerGone);
    socket.unref();
  };

  /**
   * A pipe says that its reader is gone only to poll(2) (POLLERR on the write end), which Node does not
   * offer, or to a write, which would add bytes to the output. GNU tail polls its output exactly so, and
   * `tail -f --pid` ends with us: a helper that shares our stdout dies of SIGPIPE when the reader does. Where
   * there is no such tail, a zero-byte write, which fails with EPIPE on the BSDs and macOS (Linux lets it
   * through), is the fallback; otherwise the next real write notices.
   */
  const watchPipe = () => {
    try {
      // -s: it looks every 0.1 s (a wake-up costing microseconds), so a reader's exit is seen at once.
      // Loaded here: child_process (and net, dgram behind it) would cost every start a few milliseconds.
      const { spawn } = createRequire(import.meta.url)(
        "node:child_process",
      ) as typeof import("node:child_process");
      const helper = spawn("tail", ["-f", "-s", "0.1", `--pid=${process.pid}`, "/dev/null"], {
        stdio: ["ignore", 1, "ignore"],
      });
      helper.on("error", () => {});
      helper.on("exit", (_code, signal) => {
        if (signal === "SIGPIPE") readerGone();
      });
      helper.unref();
      process.once("exit", () => {
        if (helper.exitCode === null && helper.signalCode === null) helper.kill();
      });
    } catch {
      // No helper: the probe and the next write still notice.
    }
    const probe = setInterval(() => {
      if (closed || stream) return clearInterval(probe);
      try {
        writeSync(1, Buffer.alloc(0));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EPIPE") readerGone();
      }
    }, 1_000);
    probe.unref();
  };

  /** Blocking writes while the descriptor takes them; the rest goes to the stream. */
  const writeBlocking = (bytes: Uint8Array) => {
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(1, bytes, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EPIPE") {
          readerGone();
          return;
        }
        if (code !== "EAGAIN") throw error;
        writeToStream(bytes.subarray(offset));
        return;
      }
    }
  };

  return {
    write(text) {
      if (closed) return;
      if (stream) {
        writeToStream(text);
        return;
      }
      writeBlocking(Buffer.from(text, "utf8"));
    },
    writeBytes(bytes) {
      if (closed) return;
      if (stream) {
        writeToStream(bytes);
        return;
      }
      writeBlocking(bytes);
    },
    flushed: () => (closed ? Promise.resolve(false) : lastWrite),
    get closed() {
      return closed;
    },
    get isPipe() {
      const found = descriptorKind();
      return found === "pipe" || found === "socket";
    },
    watchReader() {
      if (watching || closed) return;
      watching = true;
      const found = descriptorKind();
      if (found === "socket") watchSocket();
      else if (found === "pipe") watchPipe();
    },
    get isTTY() {
      return isTerminal(1);
    },
  };
}

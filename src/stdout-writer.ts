import { writeSync } from "node:fs";
import { isatty } from "node:tty";
import type { Writer } from "./io.js";

/**
 * Standard output, written with plain blocking write(2) calls for as long as the descriptor allows it:
 * creating Node's process.stdout stream for a pipe loads the networking modules, a measurable share of a
 * one-file `validate`. A descriptor that turns out to be non-blocking (EAGAIN) hands the rest to the
 * stream. A reader that went away (EPIPE) is reported once through `onReaderGone`, and later writes are
 * dropped.
 */
export function createStdoutWriter(onReaderGone: () => void): Writer {
  let closed = false;
  let stream: NodeJS.WriteStream | undefined;
  let lastWrite: Promise<boolean> = Promise.resolve(true);

  const readerGone = () => {
    if (closed) return;
    closed = true;
    onReaderGone();
  };
  const writeToStream = (chunk: string | Uint8Array) => {
    if (!stream) {
      stream = process.stdout;
      stream.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        readerGone();
      });
    }
    const target = stream;
    lastWrite = new Promise((resolve) => {
      target.write(chunk, (error) => resolve(!error));
    });
  };

  return {
    write(text) {
      if (closed) return;
      if (stream) {
        writeToStream(text);
        return;
      }
      const bytes = Buffer.from(text, "utf8");
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
    },
    flushed: () => (closed ? Promise.resolve(false) : lastWrite),
    get isTTY() {
      return isatty(1);
    },
  };
}

/**
 * The stdout writer in a real child process (it writes to descriptor 1 itself), with real pipes and sockets
 * as the reader: a reader that goes away (EPIPE), a non-blocking descriptor that fills up (EAGAIN, handed to
 * the stream), flushed() and closed. The child runs the built module (npm run build), as the CLI does.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/run-cli.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;
let scratch: string;
let childScript: string;

/**
 * Waits for "go" on stdin (so that the test can arrange the reader first), writes what argv says, then
 * reports on stderr, as one JSON line, what the writer said.
 */
const CHILD = `
import { createStdoutWriter } from ${JSON.stringify(pathToFileURL(join(repoRoot, "dist/stdout-writer.js")).href)};
const [mode, count, size] = process.argv.slice(2);
let gone = 0;
const writer = createStdoutWriter(() => { gone += 1; });
process.stdin.once("data", async () => {
  const before = writer.closed;
  const line = "x".repeat(Number(size) - 1) + "\\n";
  for (let i = 0; i < Number(count); i++) {
    const text = mode === "plain" ? line : String(i).padStart(8, "0") + line.slice(8);
    // "mixed": every other line as bytes (UTF-8 already), as validate writes a worker thread's results.
    if (mode === "mixed" && i % 2 === 1) writer.writeBytes(Buffer.from(text));
    else writer.write(text);
  }
  const flushed = await writer.flushed();
  process.stderr.write(JSON.stringify({ before, gone, closed: writer.closed, flushed, isPipe: writer.isPipe }) + "\\n");
  process.stdin.destroy();
});
`;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "lambda-dest-stdout-"));
  childScript = join(scratch, "child.mjs");
  writeFileSync(childScript, CHILD);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

interface Report {
  before: boolean;
  gone: number;
  closed: boolean;
  flushed: boolean;
  isPipe: boolean;
}

function reportOf(stderr: string): Report {
  const last = stderr.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as Report;
  } catch {
    throw new Error(`the child did not report; its stderr:\n${stderr}`);
  }
}

describe("createStdoutWriter", () => {
  it("#17 a reader that went away: EPIPE reported once, later writes dropped, closed, flushed() false", async () => {
    const child = spawn(process.execPath, [childScript, "plain", "50", "1000"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    // The reader closes before anything is written.
    child.stdout.destroy();
    child.stdin.write("go\n");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(reportOf(stderr)).toEqual({ before: false, gone: 1, closed: true, flushed: false, isPipe: true });
  });

  it("#17 a reader that reads everything: every byte in order, flushed() true, not closed", async () => {
    const child = spawn(process.execPath, [childScript, "numbered", "2000", "500"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdin.write("go\n");
    await new Promise((resolve) => child.on("close", resolve));
    expect(reportOf(stderr)).toEqual({ before: false, gone: 0, closed: false, flushed: true, isPipe: true });
    const lines = stdout.split("\n").slice(0, -1);
    expect(lines).toHaveLength(2000);
    expect(lines.every((line, index) => line.startsWith(String(index).padStart(8, "0")))).toBe(true);
  });

  it("text and bytes in turn: every byte in order, flushed() true", async () => {
    const child = spawn(process.execPath, [childScript, "mixed", "2000", "500"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const received: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => received.push(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdin.write("go\n");
    await new Promise((resolve) => child.on("close", resolve));
    expect(reportOf(stderr)).toEqual({ before: false, gone: 0, closed: false, flushed: true, isPipe: true });
    const lines = Buffer.concat(received).toString("utf8").split("\n").slice(0, -1);
    expect(lines).toHaveLength(2000);
    expect(lines.every((line, index) => line.startsWith(String(index).padStart(8, "0")))).toBe(true);
  });

  it.skipIf(!hasPython)(
    "#17 a non-blocking pipe that fills up (EAGAIN): the rest goes through the stream, in order, and flushed() waits for it",
    async () => {
      // A stdout left non-blocking by whoever shared it before us (here a python3 that sets O_NONBLOCK on
      // descriptor 1 and then becomes the child, as exec keeps descriptors and their flags): once the pipe's
      // 64 KB buffer is full while nobody reads, write(2) fails with EAGAIN.
      const child = spawn(
        "python3",
        [
          "-c",
          "import fcntl, os, sys; fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK); os.execv(sys.argv[1], sys.argv[1:])",
          process.execPath,
          childScript,
          "numbered",
          "4000",
          "1000",
        ],
        { stdio: ["pipe", "pipe", "pipe"] },
      );
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk) => {
        stderr += chunk;
      });
      const received: Buffer[] = [];
      child.stdout.pause();
      child.stdin.write("go\n");
      // Nothing is read until the child has filled the pipe and been refused at least once.
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.stdout.on("data", (chunk: Buffer) => received.push(chunk));
      child.stdout.resume();
      await new Promise((resolve) => child.on("close", resolve));
      expect(reportOf(stderr)).toEqual({
        before: false,
        gone: 0,
        closed: false,
        flushed: true,
        isPipe: true,
      });
      const lines = Buffer.concat(received).toString("utf8").split("\n").slice(0, -1);
      expect(lines).toHaveLength(4000);
      expect(lines.every((line, index) => line.startsWith(String(index).padStart(8, "0")))).toBe(true);
    },
  );
});

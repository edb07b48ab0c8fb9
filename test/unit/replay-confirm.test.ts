/**
 * replay asks on a terminal before it invokes anything: "n" (or nothing) replays nothing; "y" goes on. The
 * endpoint here refuses connections (127.0.0.1:9), so a "y" shows up as a failed invocation, and a "n" as
 * no AWS call at all.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Io } from "../../src/io.js";
import { main } from "../../src/main.js";

const RECORD =
  '{"version":"1.0","timestamp":"2025-11-14T18:16:05.568Z","requestContext":{"requestId":"req-1","functionArn":"arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST","condition":"RetriesExhausted","approximateInvokeCount":1},"requestPayload":{"orderId":1},"responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},"responsePayload":{"errorType":"Error","errorMessage":"x"}}';

function terminalIo(answer: string) {
  let stdout = "";
  let stderr = "";
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const io: Io = {
    stdout: {
      write: (text) => {
        stdout += text;
      },
      isTTY: true,
    },
    stderr: {
      write: (text) => {
        stderr += text;
        // The answer is typed once the question is on the screen.
        if (text.includes("[y/N]")) stdin.write(answer);
      },
      isTTY: true,
    },
    stdin,
    env: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", NO_COLOR: "1" },
    cwd: mkdtempSync(join(tmpdir(), "replay-confirm-")),
    now: () => new Date(),
    watchInterrupts: () => new AbortController().signal,
  };
  writeFileSync(join(io.cwd, "records.json"), RECORD);
  return { io, out: () => stdout, err: () => stderr };
}

const ARGS = ["replay", "records.json", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"];

describe("replay's confirmation on a terminal", () => {
  it("'n' replays nothing and exits 0", async () => {
    const run = terminalIo("n\n");
    expect(await main(ARGS, run.io)).toBe(0);
    expect(run.err()).toContain("Replay plan: 1 of 1 value from records.json");
    expect(run.err()).toContain("Replay 1 event? [y/N]");
    expect(run.err()).toContain("nothing was replayed");
    expect(run.out()).toBe("");
  });

  it("'y' goes on to invoke (here: an endpoint that refuses, so the item fails and the exit is 1)", async () => {
    const run = terminalIo("y\n");
    expect(await main(ARGS, run.io)).toBe(1);
    expect(run.out()).toContain("✗ orders:$LATEST ← records.json:");
    expect(run.err()).toContain("replay: 0 accepted, 1 failed, 0 skipped");
  }, 30_000);
});

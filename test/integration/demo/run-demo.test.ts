import { describe, expect, it } from "vitest";
import { runDemo } from "../../../src/commands/demo.js";
import { TimeoutError, ValidationFailedError } from "../../../src/errors.js";
import { capturedContext } from "./support.js";

describe("runDemo (in process)", () => {
  it("returns 0 once the five expected envelopes arrived, and writes them as NDJSON with --json", async () => {
    const { context, stdout, stderr } = capturedContext({ json: true });
    await expect(runDemo({ python: false }, context)).resolves.toBe(0);
    const records = stdout()
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(records.map((record) => record.expected).sort()).toEqual([
      "invocation record RetriesExhausted for order 2002 at sqs:order-invocation-failure",
      "invocation record Success for order 2001 at sns:order-invocation-success",
      "processing result FAILURE for order 1003 at sns:order-failure",
      "processing result SUCCESS for order 1001 at sns:order-success",
      "processing result SUCCESS for order 1002 at sns:order-success",
    ]);
    expect(stderr()).toContain("All 5 expected envelopes arrived and validated");
  });

  it("a deadline that passes first: TimeoutError (exit 3) naming what is missing, stack stopped", async () => {
    const { context } = capturedContext({ quiet: true });
    const run = runDemo({ python: false, timeoutMs: 1 }, context);
    await expect(run).rejects.toBeInstanceOf(TimeoutError);
    await expect(run).rejects.toThrow(
      /^demo timed out after 1ms; missing: .* for order \d{4} at (sns|sqs):order-/,
    );
  });

  it("Ctrl-C while waiting: exit 1 saying it was interrupted", async () => {
    const captured = capturedContext({ quiet: true });
    captured.interrupt("SIGINT");
    const run = runDemo({ python: false }, captured.context);
    await expect(run).rejects.toBeInstanceOf(ValidationFailedError);
    await expect(run).rejects.toThrow(/^demo interrupted \(SIGINT\) before it was over/);
  });
});

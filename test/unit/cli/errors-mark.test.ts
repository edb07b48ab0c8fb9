/**
 * main() tells our errors from others by a mark, not by instanceof: the start-up bundle (dist/main.cjs) holds
 * its own copy of errors.ts, and the lazily loaded commands throw from another copy.
 */
import { describe, expect, it } from "vitest";
import { isLambdaDestError, UsageError } from "../../../src/errors.js";
import { main } from "../../../src/main.js";

type ErrorsModule = typeof import("../../../src/errors.js");

/** errors.ts loaded once more, as a separate copy (a query makes it another module). */
async function anotherCopy(name: string): Promise<ErrorsModule> {
  const specifier = `../../../src/errors.js?${name}-copy`;
  return (await import(specifier)) as ErrorsModule;
}

describe("isLambdaDestError", () => {
  it("knows an error made by another copy of the module, which instanceof does not", async () => {
    const copy = await anotherCopy("second");
    const theirs = new copy.UsageError("from the other copy");
    expect(theirs instanceof UsageError).toBe(false);
    expect(isLambdaDestError(theirs)).toBe(true);
    expect(isLambdaDestError(new UsageError("ours"))).toBe(true);
  });

  it("does not take other errors, or look-alikes, for ours", () => {
    expect(isLambdaDestError(new Error("plain"))).toBe(false);
    expect(isLambdaDestError({ name: "UsageError", exitCode: 2, message: "x" })).toBe(false);
    expect(isLambdaDestError(null)).toBe(false);
    expect(isLambdaDestError("UsageError")).toBe(false);
  });

  it("main() prints another copy's error as one line and returns its exit code", async () => {
    const copy = await anotherCopy("third");
    let stderr = "";
    const io = {
      stdout: { write: () => {}, isTTY: false },
      stderr: {
        write: (text: string) => {
          stderr += text;
        },
        isTTY: false,
      },
      stdin: process.stdin,
      env: {},
      cwd: process.cwd(),
      now: () => new Date(0),
      watchInterrupts: () => {
        throw new copy.UsageError("a usage error thrown by a lazily loaded command");
      },
    };
    // `tail` asks for interrupts once its options are checked: the error comes from there.
    const code = await main(["tail", "some-queue", "--endpoint-url", "http://127.0.0.1:9"], io as never);
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: "lambda-dest: a usage error thrown by a lazily loaded command\n",
    });
  });
});

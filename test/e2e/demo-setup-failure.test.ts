import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TIMEOUT_MS } from "../../src/commands/demo.js";
import { repoRoot, runCli } from "../support/run-cli.js";

let install = "";

beforeAll(() => {
  install = mkdtempSync(join(tmpdir(), "lambda-dest-demo-install-"));
  // Copied rather than linked: Node resolves a module's own URL through symlinks, and the demo finds its
  // examples next to dist/, so a linked dist/ would find the checkout's complete examples folder.
  for (const part of ["bin", "dist", "schemas", "package.json"]) {
    cpSync(join(repoRoot, part), join(install, part), { recursive: true });
  }
  symlinkSync(join(repoRoot, "node_modules"), join(install, "node_modules"), "dir");
  mkdirSync(join(install, "examples", "order-processor"), { recursive: true });
});

afterAll(() => {
  if (install) rmSync(install, { recursive: true, force: true });
});

function runInstalled(args: string[]) {
  return runCli(args, { bin: join(install, "bin", "lambda-dest.cjs"), cwd: install });
}

describe("lambda-dest demo: a set-up step that fails", () => {
  it("#17 bug 1: exits 1 with one line naming the step, without waiting out the demo's deadline", {
    timeout: DEMO_TIMEOUT_MS + 15_000,
  }, async () => {
    const started = Date.now();
    const result = await runInstalled(["demo", "--no-color"]);
    const elapsed = Date.now() - started;

    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const errorLines = result.stderr.split("\n").filter((line) => line.startsWith("lambda-dest: "));
    expect(errorLines).toEqual([
      expect.stringMatching(
        /^lambda-dest: demo: could not deploy the function on the local stack \(Error: ENOENT: .*order-processor[/\\]node'\)$/,
      ),
    ]);
    // Not a speed check: the work itself takes about a second, and the defect shows as the whole deadline
    // (30 s) spent idle after the error, so half of it separates the two without depending on machine speed.
    expect(elapsed).toBeLessThan(DEMO_TIMEOUT_MS / 2);
  });
});

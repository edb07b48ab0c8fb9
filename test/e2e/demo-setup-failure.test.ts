/**
 * `demo` whose set-up fails part-way (issue 17: a set-up error left the run's deadline timer armed, so the
 * process printed its error and then sat for the rest of the 30 s before exiting).
 *
 * The failure is a real one: an installed copy of the package whose examples/order-processor/node folder is
 * missing (a partial or hand-trimmed install), so that zipping the handler for CreateFunction fails after the
 * local stack is up and the deadline is running.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TIMEOUT_MS } from "../../src/commands/demo.js";
import { repoRoot } from "../support/run-cli.js";

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

function runInstalled(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(install, "bin", "lambda-dest.js"), ...args], {
      cwd: install,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) }),
    );
  });
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

import { spawn } from "node:child_process";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";

export const repoRoot = join(import.meta.dirname, "../..");
export const binPath = join(repoRoot, "bin/lambda-dest.cjs");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built binary as a user would, with ANSI codes stripped from what it printed. */
export function runCli(
  args: string[],
  options: {
    input?: string | Buffer;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    raw?: boolean;
    /** Another installed copy's bin/lambda-dest.cjs. */
    bin?: string;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...options.env },
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
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout: options.raw ? stdout : stripVTControlCharacters(stdout),
        stderr: options.raw ? stderr : stripVTControlCharacters(stderr),
      }),
    );
    child.stdin.end(options.input ?? "");
  });
}

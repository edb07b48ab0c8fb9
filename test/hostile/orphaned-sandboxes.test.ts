/**
 * A function's sandbox does not outlive the stack that started it. `lambda-dest local` killed with SIGKILL
 * (no clean-up runs) left each warm Node sandbox spinning at a full core with its memory growing: its Runtime
 * API connection closed, the error it logged failed with EPIPE, and logging that failure failed again. Now a
 * runtime ends when its connection goes, when its output cannot be written, or when its parent is no longer
 * the stack (a handler still running notices nothing else). Runs the built binary (`npm run build`); Linux
 * (/proc).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, type Runtime } from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { binPath } from "../support/run-cli.js";

const hasProc = existsSync("/proc/self/stat");
const hasPython = spawnSync("python3", ["--version"]).status === 0;

/** The pids of the processes whose parent is `parent` and whose command line names a runtime bootstrap. */
function sandboxesOf(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (/runtime\/bootstrap\.(mjs|py)/.test(command)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Whether a process is still there and not a zombie (an ended child its parent has not reaped). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

const started: ChildProcess[] = [];
const folder = mkdtempSync(join(tmpdir(), "lambda-dest-orphans-"));
afterAll(() => {
  for (const child of started) child.kill("SIGKILL");
  rmSync(folder, { recursive: true, force: true });
});

/** `lambda-dest local --port 0 --json`, and its endpoint once it listens. */
async function startLocal(): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, [binPath, "local", "--port", "0", "--json"], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      const line = text.split("\n").find((candidate) => candidate.startsWith("{"));
      if (line) resolve(JSON.parse(line).endpoint);
    });
    child.on("exit", (code) => reject(new Error(`local exited ${code} before listening`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, endpoint };
}

const functions = [
  {
    name: "node-idle",
    runtime: "nodejs20.x",
    file: "index.mjs",
    code: "export const handler = async () => 'ok';",
  },
  {
    name: "node-busy",
    runtime: "nodejs20.x",
    file: "index.mjs",
    code: "import { writeFileSync } from 'node:fs'; export const handler = async (event) => { writeFileSync(event.marker, ''); await new Promise((r) => setTimeout(r, 120_000)); return 'late'; };",
  },
  ...(hasPython
    ? [
        {
          name: "python-idle",
          runtime: "python3.12",
          file: "index.py",
          code: "def handler(event, context):\n    return 'ok'\n",
        },
        {
          name: "python-busy",
          runtime: "python3.12",
          file: "index.py",
          code: "import time\n\ndef handler(event, context):\n    open(event['marker'], 'w').close()\n    time.sleep(120)\n    return 'late'\n",
        },
      ]
    : []),
];

describe.skipIf(!hasProc)("a sandbox and its stack", () => {
  it("ends within seconds of the stack being killed, idle or in the middle of an invocation", async () => {
    const { child, endpoint } = await startLocal();
    const lambda = new LambdaClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    let sandboxes: number[] = [];
    try {
      for (const fn of functions) {
        await lambda.send(
          new CreateFunctionCommand({
            FunctionName: fn.name,
            Runtime: fn.runtime as Runtime,
            Handler: "index.handler",
            Timeout: 300,
            Role: "arn:aws:iam::000000000000:role/test",
            Code: { ZipFile: zipSync({ [fn.file]: strToU8(fn.code) }) },
          }),
        );
        const busy = fn.name.endsWith("busy");
        await lambda.send(
          new InvokeCommand({
            FunctionName: fn.name,
            InvocationType: busy ? "Event" : undefined,
            Payload: JSON.stringify({ marker: join(folder, fn.name) }),
          }),
        );
      }
      // Every sandbox up: the idle ones answered, the busy ones are in their handlers (each has left a mark).
      const busy = functions.filter((fn) => fn.name.endsWith("busy"));
      const inHandlers = () => busy.every((fn) => existsSync(join(folder, fn.name)));
      for (let tries = 0; tries < 100 && !inHandlers(); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(inHandlers()).toBe(true);
      sandboxes = sandboxesOf(child.pid!);
      expect(sandboxes).toHaveLength(functions.length);

      child.kill("SIGKILL");
      const killedAt = Date.now();
      while (sandboxes.some(running) && Date.now() - killedAt < 5_000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(sandboxes.filter(running)).toEqual([]);
    } finally {
      lambda.destroy();
      for (const pid of sandboxes.filter(running)) process.kill(pid, "SIGKILL");
    }
  }, 30_000);
});

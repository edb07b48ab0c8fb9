/**
 * Issue #8 item 7: `local --init` refuses names AWS refuses, and `local --port` takes only a port number; both
 * are usage errors (exit 2) with one line that names what is wrong. Runs the built binary (`npm run build`).
 *
 * AWS's naming rules:
 *   - SQS (CreateQueue, QueueName): "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80
 *     in length"; "A FIFO queue name must end with the .fifo suffix" (SQS Developer Guide, quotas).
 *   - SNS (CreateTopic, Name): "Topic names must be made up of only uppercase and lowercase ASCII letters,
 *     numbers, underscores, and hyphens, and must be between 1 and 256 characters long"; a FIFO topic's name
 *     ends in .fifo (SNS API reference).
 *   - Lambda (CreateFunction, FunctionName): 1 to 64 characters, pattern [a-zA-Z0-9-_]+.
 *   - S3 (general purpose buckets): 3 to 63 characters; lowercase letters, numbers, dots and hyphens; begin and
 *     end with a letter or number; no two adjacent periods; not formatted as an IP address; no prefix xn--,
 *     sthree-, amzn-s3-demo-; no suffix -s3alias, --ol-s3, .mrap, --x-s3, --table-s3 (S3 User Guide, bucket
 *     naming rules).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), "lambda-dest-init-"));
  await writeFile(path.join(folder, "index.mjs"), "export const handler = async () => 'ok';\n");
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function runInit(document: unknown) {
  const file = path.join(folder, `init-${Math.random().toString(16).slice(2)}.json`);
  await writeFile(file, JSON.stringify(document));
  return runCli(["local", "--port", "0", "--init", file], { raw: true });
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

describe("#8.7 local --init and --port", () => {
  it("#8.7 refuses a queue name AWS refuses, naming the entry, exit 2", async () => {
    const result = await runInit({ queues: [{ name: "good" }, { name: "bad name!" }] });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("queues[1]");
    expect(result.stderr).toContain('"bad name!"');
    expect(result.stderr).not.toContain("unexpected error");
  });

  it("#8.7 refuses every other kind of name AWS refuses, one line each, exit 2", async () => {
    const cases: Array<[unknown, string]> = [
      [{ queues: [{ name: "x".repeat(81) }] }, "queues[0]"],
      [{ queues: [{ name: "" }] }, "queues[0]"],
      [{ queues: [{ name: "orders", attributes: { FifoQueue: "true" } }] }, "queues[0]"],
      [{ queues: [{ name: "orders.fifo" }] }, "queues[0]"],
      [
        {
          queues: [
            { name: "orders.fifo", attributes: { FifoQueue: "true" } },
            { name: ".fifo", attributes: { FifoQueue: "true" } },
          ],
        },
        "queues[1]",
      ],
      [{ queues: [{ name: 42 }] }, "queues[0]"],
      [{ queues: "orders" }, "queues"],
      [{ topics: [{ name: "has.dot" }] }, "topics[0]"],
      [{ topics: [{ name: "t".repeat(257) }] }, "topics[0]"],
      [{ buckets: ["Upper_Case"] }, "buckets[0]"],
      [{ buckets: ["ok-bucket", "ab"] }, "buckets[1]"],
      [{ buckets: ["192.168.5.4"] }, "buckets[0]"],
      [{ buckets: ["two..dots"] }, "buckets[0]"],
      [{ buckets: ["xn--prefix"] }, "buckets[0]"],
      [{ buckets: ["name-s3alias"] }, "buckets[0]"],
      [{ functions: [{ name: "bad fn", path: folder }] }, "functions[0]"],
      [{ functions: [{ name: "f".repeat(65), path: folder }] }, "functions[0]"],
      [{ functions: [{ name: "no-path" }] }, "functions[0]"],
      [{ subscriptions: [{ topic: "bad topic!", queue: "q" }] }, "subscriptions[0]"],
      [{ functions: [{ name: "f", path: folder, sqsTriggers: ["bad queue!"] }] }, "functions[0]"],
    ];
    for (const [document, where] of cases) {
      const result = await runInit(document);
      const label = JSON.stringify(document).slice(0, 120);
      expect(result.code, label).toBe(2);
      expect(lines(result.stderr), label).toHaveLength(1);
      expect(result.stderr, label).toContain(where);
      expect(result.stderr, label).not.toContain("unexpected error");
    }
  });

  it("#8.7 quotes a hostile name without passing its control characters through", async () => {
    const result = await runInit({ queues: [{ name: "\u001b]0;owned\u0007\u009b2J" }] });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(result.stderr).toContain("queues[0]");
  });

  it("#8.7 --port takes a port number from 0 to 65535; anything else is a usage error", async () => {
    for (const port of ["99999", "65536", "abc", "-1", "1.5", "0x50", ""]) {
      const result = await runCli(["local", "--port", port]);
      expect(result.code, port).toBe(2);
      expect(result.stderr, port).toContain("--port");
      expect(result.stderr, port).not.toContain("unexpected error");
      expect(result.stdout, port).toBe("");
    }
  });

  it("#8.7 --allow-origin takes an origin (scheme, host, port) and nothing else", async () => {
    for (const origin of ["localhost:3000", "http://localhost:3000/app", "file:///tmp/x", "*"]) {
      const result = await runCli(["local", "--port", "0", "--allow-origin", origin]);
      expect(result.code, origin).toBe(2);
      expect(result.stderr, origin).toContain("--allow-origin");
    }
  });
});

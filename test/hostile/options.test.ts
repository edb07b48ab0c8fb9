/**
 * Every option of every command is checked before anything runs: a bad value is a usage error (exit 2) with
 * one line that names the option, the value and what is accepted. Runs the built binary (`npm run build`).
 */
import { createServer } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

/** A loopback port that nothing listens on: a command that got as far as the network fails with exit 1. */
let nowhere: string;
beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  nowhere = `http://127.0.0.1:${port}`;
});

const env = {
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_CONFIG_FILE: "/nonexistent/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
};

const long = "x".repeat(129);

// [args, the option named, the value quoted in the message]
const cases: [string[], string, string][] = [
  // Node's timers hold at most 2^31-1 ms (about 24.8 days): "When delay is larger than 2147483647 or less than
  // 1 ... the delay will be set to 1" (Node.js timers documentation), which is the instant exit 3 seen.
  [["tail", "orders", "--timeout", "99999999999h"], "--timeout", "99999999999h"],
  [["invoke", "fn", "--wait", "--timeout", "25d"], "--timeout", "25d"],
  [["invoke", "fn", "--wait", "--timeout", "0"], "--timeout", "0"],
  [["tail", "orders", "--timeout", "0ms"], "--timeout", "0ms"],
  [["cleanup", "--older-than", "99999999999d"], "--older-than", "99999999999d"],
  [["send", "orders", "{}", "--request-timeout", "0"], "--request-timeout", "0"],
  [["send", "orders", "{}", "--request-timeout", "99999999999h"], "--request-timeout", "99999999999h"],
  [["send", "orders", "{}", "--endpoint-url", "notaurl"], "--endpoint-url", "notaurl"],
  [["send", "orders", "{}", "--endpoint-url", "ftp://127.0.0.1:21"], "--endpoint-url", "ftp://127.0.0.1:21"],
  [["send", "orders", "{}", "--endpoint-url", "http://"], "--endpoint-url", "http://"],
  [
    ["send", "orders", "{}", "--endpoint-url", "http://user:secret@127.0.0.1:4566"],
    "--endpoint-url",
    "http://user:",
  ],
  [["tail", "orders", "--region", "us east 1"], "--region", "us east 1"],
  [["tail", "orders", "--region", ""], "--region", ""],
  [["tail", "orders", "--region", "../../etc"], "--region", "../../etc"],
  [["tail", "orders", "--profile", ""], "--profile", ""],
  [["tail", "orders", "--max", "0"], "--max", "0"],
  [["tail", "orders", "--max", "99999999999999999999"], "--max", "99999999999999999999"],
  [["tail", "orders", "--function", "not a function!"], "--function", "not a function!"],
  [["tail", "orders", "--out", ""], "--out", ""],
  [["send", "orders.fifo", "{}", "--group-id", ""], "--group-id", ""],
  [["send", "orders.fifo", "{}", "--group-id", long], "--group-id", long],
  [["send", "orders.fifo", "{}", "--group-id", "g", "--dedup-id", "a\tb"], "--dedup-id", "a\\tb"],
  [["send", "orders", "--file", ""], "--file", ""],
  [["publish", "alerts", "hi", "--subject", "a\nb"], "--subject", "a\\nb"],
  [["publish", "alerts.fifo", "hi", "--group-id", long], "--group-id", long],
  [["invoke", "fn", "--qualifier", "bad qualifier!"], "--qualifier", "bad qualifier!"],
  [["invoke", "fn", "--qualifier", ""], "--qualifier", ""],
  [["local", "--port", "99999"], "--port", "99999"],
];

describe("#8.18 option values are checked up front", () => {
  it.each(cases)("#8.18 %j is a usage error naming %s", async (args, option, value) => {
    const result = await runCli(
      [
        ...args,
        ...(args.includes("--endpoint-url") || args[0] === "local" ? [] : ["--endpoint-url", nowhere]),
      ],
      { env },
    );
    expect(result.code).toBe(2);
    const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
    // One line, and at most commander's "(add --help for usage)" after it.
    expect(lines.filter((line) => !line.startsWith("(add --help"))).toHaveLength(1);
    expect(lines[0]).toContain(option);
    expect(lines[0]).toContain(value);
    expect(result.stderr).not.toMatch(/Warning|unexpected error| {4}at /);
  });

  it("#8.18 an endpoint from AWS_ENDPOINT_URL is checked as --endpoint-url is, and named", async () => {
    const result = await runCli(["send", "orders", "{}"], { env: { ...env, AWS_ENDPOINT_URL: "notaurl" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("AWS_ENDPOINT_URL");
    expect(result.stderr).toContain("notaurl");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("#8.18 the largest accepted values still run: --timeout 24d, --request-timeout 24d, --max 1000000 reach the network", async () => {
    const result = await runCli(
      [
        "tail",
        "sqs:orders",
        "--timeout",
        "24d",
        "--request-timeout",
        "24d",
        "--max",
        "1000000",
        "--endpoint-url",
        nowhere,
      ],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach/);
  });
});

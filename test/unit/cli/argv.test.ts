import { PassThrough } from "node:stream";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { COMMAND_NAMES, commandNamed } from "../../../src/cli.js";
import type { Io } from "../../../src/io.js";
import { main } from "../../../src/main.js";

// The command modules are replaced so that this table pins argv -> options only, nothing else.
const calls: Array<{ command: string; options: unknown; json: boolean; aws: unknown }> = [];
const record = (command: string) => async (options: unknown, context: any) => {
  calls.push({ command, options, json: context.output.json, aws: context.aws });
  return 0;
};
vi.mock("../../../src/commands/validate.js", () => ({ runValidate: record("validate") }));
vi.mock("../../../src/commands/show.js", () => ({ runShow: record("show") }));
vi.mock("../../../src/commands/schemas.js", () => ({ runSchemas: record("schemas") }));
vi.mock("../../../src/commands/send.js", () => ({ runSend: record("send") }));
vi.mock("../../../src/commands/publish.js", () => ({ runPublish: record("publish") }));
vi.mock("../../../src/commands/invoke.js", () => ({ runInvoke: record("invoke") }));
vi.mock("../../../src/commands/tail.js", () => ({ runTail: record("tail") }));
vi.mock("../../../src/commands/local.js", () => ({ runLocal: record("local") }));
vi.mock("../../../src/commands/demo.js", () => ({ runDemo: record("demo") }));
vi.mock("../../../src/commands/cleanup.js", () => ({ runCleanup: record("cleanup") }));
vi.mock("../../../src/commands/generate.js", () => ({ runGenerate: record("generate") }));
vi.mock("../../../src/commands/replay.js", () => ({ runReplay: record("replay") }));
vi.mock("../../../src/commands/doctor.js", () => ({ runDoctor: record("doctor") }));
// completion's options hold the program's description, made by the real describeProgram.
vi.mock("../../../src/commands/completion.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../src/commands/completion.js")>()),
  runCompletion: record("completion"),
}));

function fakeIo() {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: {
      write: (text) => {
        stdout += text;
      },
      isTTY: false,
    },
    stderr: {
      write: (text) => {
        stderr += text;
      },
      isTTY: false,
    },
    stdin: Object.assign(new PassThrough(), { isTTY: true }),
    env: {},
    cwd: "/tmp",
    now: () => new Date(0),
    watchInterrupts: () => new AbortController().signal,
  };
  return { io, out: () => stdout, err: () => stderr };
}

beforeEach(() => {
  calls.length = 0;
});

describe("argv -> options, every command", () => {
  it.each([
    [
      ["validate", "a.json", "b*.json", "--schema", "invocation-record", "--strict"],
      "validate",
      { files: ["a.json", "b*.json"], schema: "invocation-record", strict: true },
    ],
    [["validate"], "validate", { files: [], schema: undefined, strict: false }],
    [
      ["validate", "big.ndjson", "--threads", "1"],
      "validate",
      { files: ["big.ndjson"], schema: undefined, strict: false, threads: 1 },
    ],
    [["show", "x.json", "--raw"], "show", { files: ["x.json"], raw: true, schema: undefined }],
    [["schemas", "sqs-message"], "schemas", { kind: "sqs-message" }],
    [
      [
        "send",
        "orders",
        "{}",
        "--attribute",
        "a=1",
        "--attribute",
        "n=Number:2",
        "--group-id",
        "g",
        "--dedup-id",
        "d",
        "--delay",
        "5",
      ],
      "send",
      {
        queue: "orders",
        body: "{}",
        file: undefined,
        lines: false,
        attributes: ["a=1", "n=Number:2"],
        groupId: "g",
        dedupId: "d",
        delaySeconds: 5,
      },
    ],
    [
      ["send", "orders", "--file", "in.ndjson", "--lines"],
      "send",
      {
        queue: "orders",
        body: undefined,
        file: "in.ndjson",
        lines: true,
        attributes: [],
        groupId: undefined,
        dedupId: undefined,
        delaySeconds: undefined,
      },
    ],
    [
      ["publish", "topic", "hi", "--subject", "s"],
      "publish",
      {
        topic: "topic",
        message: "hi",
        file: undefined,
        lines: false,
        attributes: [],
        groupId: undefined,
        dedupId: undefined,
        subject: "s",
      },
    ],
    [
      ["invoke", "fn", "{}", "--qualifier", "live", "--wait", "--timeout", "90s"],
      "invoke",
      {
        functionName: "fn",
        payload: "{}",
        file: undefined,
        qualifier: "live",
        sync: false,
        wait: true,
        timeoutMs: 90_000,
      },
    ],
    [
      ["invoke", "fn", "--sync"],
      "invoke",
      {
        functionName: "fn",
        payload: undefined,
        file: undefined,
        qualifier: undefined,
        sync: true,
        wait: false,
        timeoutMs: undefined,
      },
    ],
    [
      [
        "tail",
        "function:fn",
        "--max",
        "3",
        "--timeout",
        "2m",
        "--until",
        "failure",
        "--only",
        "failure",
        "--function",
        "fn",
        "--consume",
        "--out",
        "o.ndjson",
      ],
      "tail",
      {
        target: "function:fn",
        max: 3,
        timeoutMs: 120_000,
        until: "failure",
        only: "failure",
        functionName: "fn",
        consume: true,
        out: "o.ndjson",
      },
    ],
    [
      [
        "local",
        "--port",
        "4577",
        "--function",
        "a=./a.mjs",
        "--real-timing",
        "--allow-origin",
        "http://localhost:3000/",
        "--allow-origin",
        "https://app.localhost",
      ],
      "local",
      {
        port: 4577,
        init: undefined,
        functions: ["a=./a.mjs"],
        realTiming: true,
        allowOrigins: ["http://localhost:3000", "https://app.localhost"],
      },
    ],
    [["local"], "local", { port: 4566, init: undefined, functions: [], realTiming: false, allowOrigins: [] }],
    [["demo", "--python"], "demo", { python: true }],
    [
      ["cleanup", "--older-than", "1h", "--dry-run"],
      "cleanup",
      { olderThanMs: 3_600_000, dryRun: true, force: false },
    ],
    [["cleanup", "--force"], "cleanup", { olderThanMs: undefined, dryRun: false, force: true }],
    [
      [
        "generate",
        "invocation-record",
        "--condition",
        "RetriesExhausted",
        "--function",
        "orders",
        "--qualifier",
        "live",
        "--runtime",
        "python",
        "--error",
        "ValueError: bad order",
        "--attempts",
        "2",
        "--request",
        "@event.json",
        "--wrap",
        "sns",
        "--wrap",
        "sqs",
        "--count",
        "3",
        "--seed",
        "42",
        "--pretty",
      ],
      "generate",
      {
        kind: "invocation-record",
        condition: "RetriesExhausted",
        function: "orders",
        qualifier: "live",
        runtime: "python",
        error: "ValueError: bad order",
        attempts: "2",
        request: "@event.json",
        response: undefined,
        source: undefined,
        status: undefined,
        wrap: ["sns", "sqs"],
        count: "3",
        seed: "42",
        pretty: true,
      },
    ],
    [
      ["generate", "esm-failure-record", "--source", "kafka", "--response", "{}", "--status", "FAILURE"],
      "generate",
      {
        kind: "esm-failure-record",
        condition: undefined,
        function: undefined,
        qualifier: undefined,
        runtime: undefined,
        error: undefined,
        attempts: undefined,
        request: undefined,
        response: "{}",
        source: "kafka",
        status: "FAILURE",
        wrap: [],
        count: undefined,
        seed: undefined,
        pretty: false,
      },
    ],
    [
      [
        "replay",
        "sqs:failures",
        "--function",
        "orders",
        "--qualifier",
        "live",
        "--dry-run",
        "--yes",
        "--delete",
        "--include-success",
        "--max",
        "50",
        "--rate",
        "5/s",
        "--concurrency",
        "8",
        "--out",
        "log.ndjson",
        "--skip-replayed",
        "old.ndjson",
      ],
      "replay",
      {
        sources: ["sqs:failures"],
        functionName: "orders",
        qualifier: "live",
        sync: false,
        dryRun: true,
        yes: true,
        delete: true,
        includeSuccess: true,
        max: 50,
        rate: 5,
        concurrency: 8,
        out: "log.ndjson",
        skipReplayed: "old.ndjson",
        wait: false,
        timeoutMs: undefined,
      },
    ],
    [
      ["replay", "a.json", "b*.json", "--sync", "--rate", "0.5"],
      "replay",
      {
        sources: ["a.json", "b*.json"],
        functionName: undefined,
        qualifier: undefined,
        sync: true,
        dryRun: false,
        yes: false,
        delete: false,
        includeSuccess: false,
        max: undefined,
        rate: 0.5,
        concurrency: undefined,
        out: undefined,
        skipReplayed: undefined,
        wait: false,
        timeoutMs: undefined,
      },
    ],
    [
      ["replay", "-y", "--wait", "--timeout", "90s"],
      "replay",
      {
        sources: [],
        functionName: undefined,
        qualifier: undefined,
        sync: false,
        dryRun: false,
        yes: true,
        delete: false,
        includeSuccess: false,
        max: undefined,
        rate: undefined,
        concurrency: undefined,
        out: undefined,
        skipReplayed: undefined,
        wait: true,
        timeoutMs: 90_000,
      },
    ],
    [
      ["doctor", "orders", "arn:aws:lambda:eu-west-1:123456789012:function:billing", "--qualifier", "live"],
      "doctor",
      {
        functions: ["orders", "arn:aws:lambda:eu-west-1:123456789012:function:billing"],
        all: false,
        qualifier: "live",
      },
    ],
    [["doctor", "--all"], "doctor", { functions: [], all: true, qualifier: undefined }],
    [
      ["completion", "zsh"],
      "completion",
      {
        shell: "zsh",
        // Every command, not only completion's own registration.
        program: expect.objectContaining({
          name: "lambda-dest",
          commands: COMMAND_NAMES.map((name) => expect.objectContaining({ name })),
        }),
      },
    ],
  ])("%j", async (argv, command, options) => {
    const { io } = fakeIo();
    expect(await main(argv as string[], io)).toBe(0);
    expect(calls).toEqual([expect.objectContaining({ command, options })]);
  });

  it("global options reach the context wherever they stand", async () => {
    const { io } = fakeIo();
    await main(
      [
        "--json",
        "send",
        "q",
        "b",
        "--local",
        "--region",
        "eu-west-1",
        "--profile",
        "p",
        "--endpoint-url",
        "http://127.0.0.1:1",
      ],
      io,
    );
    expect(calls[0]).toMatchObject({
      json: true,
      aws: { local: true, region: "eu-west-1", profile: "p", endpointUrl: "http://127.0.0.1:1" },
    });
  });
});

describe("which command argv runs (only that one is registered)", () => {
  it.each([
    [["validate", "x.json"], "validate"],
    [["--json", "--profile", "dev", "send", "validate"], "send"],
    [["--region", "tail", "tail", "q"], "tail"],
    [["help", "tail"], undefined],
    [["--help"], undefined],
    [["nonsense"], undefined],
    [["--", "validate"], undefined],
  ])("%j -> %s", (argv, name) => {
    expect(commandNamed(argv as string[])).toBe(name);
  });
});

describe("usage errors exit 2 with one message on stderr", () => {
  it.each([
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["validate", "--nope"], /unknown option '--nope'/],
    [["validate", "x.ndjson", "--threads", "0"], /option '--threads <n>' argument '0' is invalid/],
    [["validate", "x.ndjson", "--threads", "all"], /option '--threads <n>' argument 'all' is invalid/],
    [["send"], /missing required argument 'queue'/],
    [["tail", "t", "--until", "later"], /Allowed choices are success, failure, any/],
    [
      ["tail", "t", "--max", "many"],
      /option '--max <n>' argument 'many' is invalid\. use a whole number from 1 to/,
    ],
    [["invoke", "f", "--timeout", "soon"], /not a duration/],
    [["invoke", "f", "--sync", "--wait"], /--sync and --wait cannot be combined/],
    [["replay", "q", "--sync", "--wait"], /--sync and --wait cannot be combined/],
    [["replay", "q", "--rate", "0/s"], /give invocations per second/],
    [["replay", "q", "--concurrency", "0"], /option '--concurrency <n>' argument '0' is invalid/],
    [["doctor", "f", "--qualifier", "a b"], /--qualifier/],
    [["completion", "tcsh"], /Allowed choices are bash, zsh, fish/],
  ])("%j", async (argv, message) => {
    const { io, out, err } = fakeIo();
    expect(await main(argv as string[], io)).toBe(2);
    expect(err()).toMatch(message);
    expect(out()).toBe("");
    expect(calls).toEqual([]);
  });

  it("no command: the help on stderr, exit 2; `help` itself exits 0", async () => {
    const none = fakeIo();
    expect(await main([], none.io)).toBe(2);
    expect(none.err()).toMatch(/^Usage: lambda-dest/);
    expect(none.out()).toBe("");
    const help = fakeIo();
    expect(await main(["help", "tail"], help.io)).toBe(0);
    expect(help.out()).toMatch(/^Usage: lambda-dest tail/);
  });

  it("--help and --version exit 0 on stdout", async () => {
    const help = fakeIo();
    expect(await main(["--help"], help.io)).toBe(0);
    expect(help.out()).toMatchSnapshot();
    const version = fakeIo();
    expect(await main(["--version"], version.io)).toBe(0);
    expect(version.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

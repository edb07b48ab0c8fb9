import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { generateTexts } from "../../src/generate/index.js";
import { repoRoot, runCli } from "../support/run-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-generate-"));
const write = (name: string, text: string) => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};

/** `lambda-dest generate ARGS | lambda-dest validate --json --strict VALIDATE_ARGS`, both the built binary. */
async function generateAndValidate(args: string[], validateArgs: string[] = []) {
  const generated = await runCli(["generate", ...args]);
  expect(generated.stderr).toBe("");
  expect(generated.code).toBe(0);
  const validated = await runCli(["validate", "--json", "--strict", ...validateArgs], {
    input: generated.stdout,
  });
  return { generated, validated, document: JSON.parse(validated.stdout) };
}

describe("lambda-dest generate (built binary)", () => {
  it("prints one record, the library's own for the same seed, and exits 0", async () => {
    const result = await runCli(["generate", "invocation-record", "--seed", "5", "--runtime", "java"]);
    const [expected] = [...generateTexts("invocation-record", { seed: 5, runtime: "java" })];
    expect(result).toEqual({ code: 0, stdout: `${expected!.text}\n`, stderr: "" });
  });

  it("--count prints NDJSON that `validate --strict` accepts item by item", async () => {
    const { generated, validated, document } = await generateAndValidate([
      "invocation-record",
      "--count",
      "20",
      "--seed",
      "1",
      "--wrap",
      "sns",
      "--wrap",
      "sqs",
    ]);
    expect(generated.stdout.trimEnd().split("\n")).toHaveLength(20);
    expect(validated.code).toBe(0);
    expect(document.summary).toEqual({ valid: 20, invalid: 0, unreadable: 0 });
    for (const result of document.results) {
      expect(result).toMatchObject({
        valid: true,
        layers: ["sqs-message", "sns-notification", "invocation-record"],
        errors: [],
        warnings: [],
      });
    }
  });

  it.each([
    [["esm-failure-record", "--source", "dynamodb", "--wrap", "lambda-sqs-event"], "esm-failure-record"],
    [["esm-failure-record", "--source", "kafka", "--wrap", "s3", "--quiet"], "esm-failure-record"],
    [["dlq-message", "--wrap", "cli-receive"], "sqs-message"],
    [["processing-result", "--wrap", "sns", "--wrap", "lambda-sqs-event"], "processing-result"],
    [
      [
        "invocation-record",
        "--wrap",
        "eventbridge",
        "--wrap",
        "sns",
        "--wrap",
        "sqs",
        "--wrap",
        "cli-receive",
      ],
      "invocation-record",
    ],
    [
      ["invocation-record", "--condition", "ZeroReservedConcurrency", "--wrap", "lambda-sns-event"],
      "invocation-record",
    ],
  ])("generate %j | validate passes", async (args, kind) => {
    const { validated, document } = await generateAndValidate([...args, "--count", "3", "--seed", "2"]);
    expect(validated.code).toBe(0);
    expect(document.summary.invalid).toBe(0);
    expect(document.results.map((result: { kind: string }) => result.kind)).toEqual([kind, kind, kind]);
  });

  it("--pretty: one item indented; several as one JSON array, which validate reads element by element", async () => {
    const single = await runCli(["generate", "processing-result", "--seed", "4", "--pretty"]);
    expect(single.stdout).toMatch(/^\{\n {2}"message_id": "/);
    const { generated, validated, document } = await generateAndValidate([
      "invocation-record",
      "--seed",
      "4",
      "--count",
      "3",
      "--pretty",
    ]);
    expect(JSON.parse(generated.stdout)).toHaveLength(3);
    expect(validated.code).toBe(0);
    expect(
      document.results.map((result: { index: number; valid: boolean }) => [result.index, result.valid]),
    ).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
  });

  it("--request @file keeps the file's bytes in the record; @- reads stdin", async () => {
    const request = '{\n  "orderId" : 7,\n  "total": 10.50\n}';
    const path = write("event.json", `${request}\n`);
    const fromFile = await runCli(["generate", "invocation-record", "--request", `@${path}`, "--seed", "3"]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain(`"requestPayload":${request},`);
    const fromStdin = await runCli(["generate", "dlq-message", "--request", "@-", "--seed", "3"], {
      input: request,
    });
    expect(JSON.parse(fromStdin.stdout).Body).toBe(request);
    // Several items are NDJSON: an item that would span lines is put on one.
    const lines = await runCli([
      "generate",
      "invocation-record",
      "--request",
      `@${path}`,
      "--count",
      "2",
      "--seed",
      "3",
    ]);
    expect(lines.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(lines.stdout).toContain('"requestPayload":{"orderId":7,"total":10.50},');
  });

  it("--wrap s3 prints the object and, on stderr, its key", async () => {
    const result = await runCli([
      "generate",
      "invocation-record",
      "--function",
      "orders",
      "--wrap",
      "s3",
      "--seed",
      "8",
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^S3 object key: aws\/lambda\/async\/orders\/\d{4}\/\d\d\/\d\d\/\S+\n$/);
    const quiet = await runCli(["generate", "invocation-record", "--wrap", "s3", "--seed", "8", "--quiet"]);
    expect(quiet.stderr).toBe("");
  });

  it.each([
    [["generate", "invocation-recrd"], /kind "invocation-recrd" is not one of: invocation-record, /],
    [["generate", "invocation-record", "--condition", "Failure"], /--condition "Failure" is not one of/],
    [["generate", "invocation-record", "--count", "many"], /--count takes a whole number, got "many"/],
    [["generate", "invocation-record", "--count", "0"], /--count takes a whole number from 1 to 1000000/],
    [
      ["generate", "invocation-record", "--wrap", "sqs", "--wrap", "sns"],
      /an SQS message is not published to SNS/,
    ],
    [
      ["generate", "invocation-record", "--request", "@/nonexistent/event.json"],
      /cannot read "\/nonexistent\/event.json": no such file/,
    ],
    [["generate", "invocation-record", "--request", "{\u001b[31m"], /--request is not valid JSON/],
    [
      ["generate", "invocation-record", "--pretty", "--request", `${"[".repeat(2_000)}${"]".repeat(2_000)}`],
      /--request is nested deeper than 1000 levels/,
    ],
    [["--json", "generate", "invocation-record", "--pretty"], /--pretty and --json cannot be combined/],
    [["generate", "esm-failure-record", "--runtime", "go"], /--runtime does not apply to esm-failure-record/],
    [["generate"], /missing required argument 'kind'/],
  ])("%j: exit 2, one line on stderr, nothing on stdout", async (args, message) => {
    const result = await runCli(args, { raw: true });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\u001b|\n {4}at /);
    if (args.length > 1) expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("stops, exit 0, when the reader goes away", async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, "bin/lambda-dest.cjs"), "generate", "invocation-record", "--count", "1000000"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });
});

describe("the built library entry", () => {
  it("loads no AWS SDK, no local stack: import, generate, validate and the guards", async () => {
    // A resolve hook that refuses the SDK, Smithy, fauxqs and Fastify: any import of them fails the child.
    const hook = `data:text/javascript,${encodeURIComponent(
      "export async function resolve(specifier, context, next) { const result = await next(specifier, context); if (/@aws-sdk|@smithy|fauxqs|fastify|dist\\/vendor/.test(result.url)) throw new Error('loaded ' + result.url); return result; }",
    )}`;
    const script = (entry: string) => `
      import { register, createRequire } from "node:module";
      register(${JSON.stringify(hook)});
      const library = await import(${JSON.stringify(pathToFileURL(join(repoRoot, entry)).href)});
      const out = {};
      if (library.generate) {
        const [item] = library.generate("invocation-record", { seed: 1, wrap: ["sns", "sqs"], condition: "RetriesExhausted" });
        const result = library.validate(item.value);
        const [record] = library.generate("invocation-record", { seed: 1, condition: "RetriesExhausted" });
        out.valid = result.valid;
        out.failure = library.isFailureRecord(record.value);
        out.kinds = library.kinds.length;
      }
      out.cached = Object.keys(createRequire(import.meta.url).cache).filter((key) => /@aws-sdk|@smithy|fauxqs|fastify|dist\\/vendor/.test(key));
      console.log(JSON.stringify(out));`;
    const run = (entry: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ["--input-type=module", "-e", script(entry)], {
          cwd: repoRoot,
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
        });
        child.stderr.on("data", (chunk) => {
          stderr += chunk;
        });
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
    const library = await run("dist/index.js");
    expect(library.stderr).toBe("");
    expect(JSON.parse(library.stdout)).toEqual({ valid: true, failure: true, kinds: 10, cached: [] });
    // The hook does catch the SDK: a module that uses it fails to load under the same hook.
    const sdkUser = await run("dist/aws/sqs.js");
    expect(sdkUser.code).not.toBe(0);
    expect(sdkUser.stderr).toMatch(/loaded file:.*(@aws-sdk|dist\/vendor)/);
  });
});

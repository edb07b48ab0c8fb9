import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const fixtures = "test/fixtures/envelopes";
const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-e2e-"));
const write = (name: string, text: string) => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};

describe("lambda-dest validate (built binary)", () => {
  it("a valid record: exit 0, one ✓ line on stdout, nothing on stderr", async () => {
    const result = await runCli(["validate", `${fixtures}/success-record.json`]);
    expect(result).toEqual({
      code: 0,
      stdout: `✓ ${fixtures}/success-record.json  invocation-record\n`,
      stderr: "",
    });
  });

  it("--json prints the versioned document the README describes", async () => {
    const result = await runCli(["validate", "--json", `${fixtures}/cli-receive-sns-failure.json`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const document = JSON.parse(result.stdout);
    expect(document).toEqual({
      version: 1,
      results: [
        expect.objectContaining({
          source: `${fixtures}/cli-receive-sns-failure.json`,
          index: 0,
          valid: true,
          kind: "invocation-record",
          layers: ["sqs-message", "sns-notification", "invocation-record"],
          errors: [],
          warnings: [],
        }),
      ],
      summary: { valid: 1, invalid: 0, unreadable: 0 },
    });
  });

  it("an invalid record: exit 1 with the pointer and line:column", async () => {
    const path = write(
      "bad.json",
      '{\n  "version": "1.0",\n  "timestamp": "2025-11-14T18:16:05.568Z",\n  "requestContext": {\n    "requestId": "e4b46cbf-b738-4f4a-9c2b-8e6f3b0a7c41",\n    "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST",\n    "condition": "Success",\n    "approximateInvokeCount": "one"\n  },\n  "requestPayload": {},\n  "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},\n  "responsePayload": null\n}\n',
    );
    const result = await runCli(["validate", "--json", path]);
    expect(result.code).toBe(1);
    const [item] = JSON.parse(result.stdout).results;
    expect(item.valid).toBe(false);
    expect(item.errors).toEqual([
      {
        path: "/requestContext/approximateInvokeCount",
        message: "must be integer, got string",
        line: 8,
        column: 31,
        layer: "invocation-record",
      },
    ]);
    const human = await runCli(["validate", path]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(
      "/requestContext/approximateInvokeCount (line 8, column 31): must be integer",
    );
  });

  it("unparsable JSON is an invalid item with line:column (exit 1), not a crash", async () => {
    const path = write("broken.json", '{\n  "version": "1.0",\n  "timestamp": }\n');
    const result = await runCli(["validate", "--json", path]);
    expect(result.code).toBe(1);
    const [item] = JSON.parse(result.stdout).results;
    expect(item).toMatchObject({ valid: false, kind: null });
    expect(item.errors[0]).toMatchObject({ line: 3, column: 16 });
    expect(item.errors[0].message).toMatch(/^not valid JSON: /);
  });

  it("a missing file is exit 2 with one line on stderr, and the other files are still checked", async () => {
    const result = await runCli(["validate", "nope.json", `${fixtures}/success-record.json`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("✓");
    expect(result.stderr).toBe("lambda-dest: cannot read nope.json: no such file\n");
  });

  it("reads NDJSON, JSON arrays and stdin; numbers NDJSON items by line", async () => {
    const success = JSON.stringify(
      JSON.parse((await import("node:fs")).readFileSync(`${fixtures}/success-record.json`, "utf8")),
    );
    const ndjson = write("many.ndjson", `${success}\n\n{"not":"known"}\n${success}\n`);
    const result = await runCli(["validate", "--json", ndjson]);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.results.map((item: any) => [item.index, item.line, item.valid])).toEqual([
      [0, 1, true],
      [1, 3, false],
      [2, 4, true],
    ]);
    const array = write("array.json", `[${success}, ${success}]`);
    const fromArray = await runCli(["validate", "--json", array]);
    expect(JSON.parse(fromArray.stdout).summary).toEqual({ valid: 2, invalid: 0, unreadable: 0 });
    const fromStdin = await runCli(["validate", "--json"], { input: success });
    expect(JSON.parse(fromStdin.stdout).results[0]).toMatchObject({ source: "-", valid: true });
    const dash = await runCli(["validate", "-"], { input: success });
    expect(dash.stdout).toBe("✓ stdin  invocation-record\n");
  });

  it("expands globs", async () => {
    const result = await runCli(["validate", "--json", `${fixtures}/failure-*.json`]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).results.map((item: any) => item.source)).toEqual([
      `${fixtures}/failure-node.json`,
      `${fixtures}/failure-python.json`,
    ]);
    const none = await runCli(["validate", "nothing-*.json"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no files match");
  });

  it("--strict turns warnings into failures", async () => {
    const lenient = await runCli(["validate", `${fixtures}/masked-account-record.json`]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain("warning");
    const strict = await runCli(["validate", "--strict", `${fixtures}/masked-account-record.json`]);
    expect(strict.code).toBe(1);
  });

  it("--schema with a kind, a user's draft-07 and 2020-12 schema, and a bad value", async () => {
    const forced = await runCli([
      "validate",
      "--json",
      "--schema",
      "processing-result",
      `${fixtures}/success-record.json`,
    ]);
    expect(forced.code).toBe(1);
    expect(JSON.parse(forced.stdout).results[0].kind).toBe("processing-result");

    const draft7 = write(
      "mine7.json",
      JSON.stringify({
        $schema: "http://json-schema.org/draft-07/schema#",
        title: "orders",
        type: "object",
        required: ["orderId"],
        properties: { orderId: { type: "integer" } },
      }),
    );
    const ok = await runCli(["validate", "--schema", draft7, "--json", "-"], { input: '{"orderId": 1}' });
    expect(JSON.parse(ok.stdout).results[0]).toMatchObject({ kind: "orders", valid: true });
    const wrapped = await runCli([
      "validate",
      "--schema",
      draft7,
      "--json",
      `${fixtures}/sqs-message-success.json`,
    ]);
    expect(wrapped.code).toBe(1);
    expect(JSON.parse(wrapped.stdout).results[0].layers).toEqual(["sqs-message", "orders"]);

    const modern = write(
      "mine2020.json",
      JSON.stringify({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        required: ["a"],
      }),
    );
    const bad = await runCli(["validate", "--schema", modern, "-"], { input: '{"b": 1}' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('missing required property "a"');

    const unknown = await runCli(["validate", "--schema", "no-such-kind", `${fixtures}/success-record.json`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^lambda-dest: --schema "no-such-kind" is neither a bundled kind/);
    expect(unknown.stderr.split("\n")).toHaveLength(2);
  });

  it("no stack trace without --verbose", async () => {
    const result = await runCli(["validate", "--schema", "missing.json", "x.json"]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const verbose = await runCli(["validate", "--verbose", "--schema", "missing.json", "x.json"]);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    // The frames name the TypeScript sources (through the bundle's source map), not the minified bundle.
    expect(verbose.stderr).toMatch(
      /\n\s+at resolveSchemaOption \(src\/envelopes\/user-schema\.ts:\d+:\d+\)\n/,
    );
    expect(verbose.stderr).toMatch(/\n\s+at async runValidate \(src\/commands\/validate\.ts:\d+:\d+\)\n/);
    expect(verbose.stderr).not.toContain("main.cjs");
  });
});

describe("lambda-dest show (built binary)", () => {
  it("renders a summary line and the error laid out for a failure", async () => {
    const result = await runCli(["show", `${fixtures}/cli-receive-sns-failure.json`]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    // Piped output is laid out at 100 columns: the summary goes on under the kind.
    expect(lines[0]).toBe(
      "✗ FAILURE  invocation-record  order-processor:$LATEST  RetriesExhausted  attempts 3",
    );
    expect(lines[1]).toBe(
      "           request 0b7c5b2e-8d0e-4c1f-9a57-3f1de9f0c2aa  2025-11-14T18:19:12.004Z",
    );
    expect(lines.slice(2, 4)).toEqual([
      "  from     test/fixtures/envelopes/cli-receive-sns-failure.json (sqs-message › sns-notification ›",
      "           invocation-record)",
    ]);
    expect(lines[4]).toBe("  error    Error: order error-7 cannot be processed");
    expect(lines[5]).toContain("at Runtime.handler (file:///var/task/index.mjs:12:11)");
  });

  it("a failure's response is not repeated when the error line says it all, and is shown when it says more", async () => {
    const plain = await runCli(["show", `${fixtures}/failure-node.json`]);
    expect(plain.stdout).not.toContain("response");
    const record = JSON.parse(
      (await import("node:fs")).readFileSync(`${fixtures}/failure-node.json`, "utf8"),
    );
    record.responsePayload.cause = { errorType: "IOException", errorMessage: "disk full" };
    const rich = await runCli(["show", "-"], { input: JSON.stringify(record) });
    expect(rich.stdout).toContain("  response");
    expect(rich.stdout).toContain("caused by: IOException: disk full");
  });

  it("--raw prints the JSON untouched, --json prints NDJSON with the summary", async () => {
    const raw = await runCli(["show", "--raw", `${fixtures}/crash-record.json`]);
    const original = (await import("node:fs")).readFileSync(`${fixtures}/crash-record.json`, "utf8");
    expect(JSON.parse(raw.stdout)).toEqual(JSON.parse(original));
    const json = await runCli(["show", "--json", `${fixtures}/lambda-sqs-event.json`]);
    const lines = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.version, line.record, line.summary.outcome])).toEqual([
      [1, 0, "success"],
      [1, 1, "failure"],
    ]);
  });

  it("colors only when asked: FORCE_COLOR adds ANSI codes, NO_COLOR and --no-color remove them", async () => {
    const forced = await runCli(["show", `${fixtures}/success-record.json`], {
      env: { NO_COLOR: undefined, FORCE_COLOR: "1" },
      raw: true,
    });
    expect(forced.stdout).toContain("\u001b[");
    const off = await runCli(["show", "--no-color", `${fixtures}/success-record.json`], {
      env: { NO_COLOR: undefined, FORCE_COLOR: "1" },
      raw: true,
    });
    expect(off.stdout).not.toContain("\u001b[");
  });
});

describe("lambda-dest schemas (built binary)", () => {
  it("lists every kind, and prints one schema", async () => {
    const list = await runCli(["schemas"]);
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split("\n")).toHaveLength(10);
    const one = await runCli(["schemas", "invocation-record"]);
    expect(JSON.parse(one.stdout).title).toBe("Invocation record");
    const bad = await runCli(["schemas", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no bundled kind "nope"/);
  });
});

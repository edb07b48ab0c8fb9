import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;

/** The five envelopes of the scenario, as their one-line summaries start. */
const EXPECTED_SUMMARY_LINES = [
  /^✓ SUCCESS {2}processing-result {2}/,
  /^✓ SUCCESS {2}processing-result {2}/,
  /^✗ FAILURE {2}processing-result {2}/,
  /^✓ SUCCESS {2}invocation-record {2}order-processor:\$LATEST {2}Success {2}attempts 1$/,
  /^✗ FAILURE {2}invocation-record {2}order-processor:\$LATEST {2}RetriesExhausted {2}attempts 2$/,
];

const TABLE_ROWS = [
  /processing-result +success +- +sns:order-success +2 +2 +2$/m,
  /processing-result +failure +- +sns:order-failure +1 +1 +1$/m,
  /invocation-record +success +Success +sns:order-invocation-success +1 +1 +1$/m,
  /invocation-record +failure +RetriesExhausted +sqs:order-invocation-failure +1 +1 +1$/m,
];

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`))?.length ?? 0;
}

function expectHumanRun(result: { code: number | null; stdout: string; stderr: string }, runtime: RegExp) {
  expect(result.stderr).not.toMatch(/lambda-dest: /);
  expect(result.code).toBe(0);
  const summaries = result.stdout.split("\n").filter((line) => /^[✓✗•] /.test(line));
  expect(summaries).toHaveLength(EXPECTED_SUMMARY_LINES.length);
  for (const pattern of EXPECTED_SUMMARY_LINES) {
    const index = summaries.findIndex((line) => pattern.test(line));
    expect(index, `a summary line matching ${pattern}`).toBeGreaterThanOrEqual(0);
    summaries.splice(index, 1);
  }
  // At 100 columns (piped) the two records' summaries go on, under the kind, with the request id and time.
  expect(count(result.stdout, /^ {11}request [0-9a-f-]{36} {2}\d{4}-\d\d-\d\dT[\d:.]+Z$/m)).toBe(2);
  expect(result.stdout).not.toContain("INVALID");
  // A "from" line longer than 100 columns goes on under itself, broken at a space: joined back here.
  const unwrapped = result.stdout.replace(/\n {11}/g, " ");
  expect(count(unwrapped, /\(sqs-message › sns-notification › processing-result\)/)).toBe(3);
  expect(count(unwrapped, /\(sqs-message › sns-notification › invocation-record\)/)).toBe(1);
  expect(count(unwrapped, /\(sqs-message › invocation-record\)/)).toBe(1);
  for (const row of TABLE_ROWS) expect(result.stdout).toMatch(row);
  // Said once, plainly.
  expect(count(result.stderr, /SQS-triggered invocation is synchronous/)).toBe(1);
  expect(result.stderr).toMatch(/does not use Lambda Destinations/);
  expect(result.stderr).toMatch(runtime);
  expect(result.stderr).toMatch(/All 5 expected envelopes arrived and validated in \d/);
}

describe("lambda-dest demo (built binary)", () => {
  it("shows the five envelopes of the scenario, validated, with the summary table; exit 0", {
    timeout: 60_000,
  }, async () => {
    const result = await runCli(["demo", "--no-color"]);
    expectHumanRun(
      result,
      /function +order-processor \(nodejs2\d\.x, examples\/order-processor\/node\/index\.mjs\)/,
    );
    expect(result.stdout).toMatch(/error +Error: Order could not be processed: the payload contains "error"/);
  });

  it("--json: stdout holds one versioned NDJSON line per envelope", { timeout: 60_000 }, async () => {
    const result = await runCli(["demo", "--json"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    const records = lines.map((line) => JSON.parse(line));
    expect(records).toHaveLength(5);
    for (const record of records) {
      expect(record).toMatchObject({ version: 1, valid: true, errors: [], problems: [] });
      expect(record.source).toMatch(/^(sns|sqs):order-/);
    }
    const seen = records
      .map((record) =>
        [
          record.source,
          record.kind,
          record.summary.outcome,
          record.summary.condition ?? "-",
          record.layers.join(">"),
        ].join(" "),
      )
      .sort();
    expect(seen).toEqual(
      [
        "sns:order-failure processing-result failure - sqs-message>sns-notification>processing-result",
        "sns:order-invocation-success invocation-record success Success sqs-message>sns-notification>invocation-record",
        "sns:order-success processing-result success - sqs-message>sns-notification>processing-result",
        "sns:order-success processing-result success - sqs-message>sns-notification>processing-result",
        "sqs:order-invocation-failure invocation-record failure RetriesExhausted sqs-message>invocation-record",
      ].sort(),
    );
    const failure = records.find((record) => record.summary.condition === "RetriesExhausted");
    expect(failure.payload.requestContext.approximateInvokeCount).toBe(2);
    expect(failure.payload.responsePayload).toMatchObject({ errorType: "Error", trace: expect.any(Array) });
    expect(failure.payload.requestPayload).toMatchObject({ order_id: "2002" });
    // The table goes to stderr with --json, so that stdout stays NDJSON.
    for (const row of TABLE_ROWS) expect(result.stderr).toMatch(row);
  });

  it.skipIf(!hasPython)(
    "--python runs the Python handler through the same scenario",
    { timeout: 60_000 },
    async () => {
      const result = await runCli(["demo", "--python", "--no-color"]);
      expectHumanRun(
        result,
        /function +order-processor \(python3\.\d+, examples\/order-processor\/python\/app\.py\)/,
      );
      expect(result.stdout).toMatch(
        /error +ValueError: Order could not be processed: the payload contains "error"/,
      );
    },
  );

  it("--python without python3 on the PATH: one clear line, exit 2, nothing on stdout", async () => {
    const result = await runCli(["demo", "--python"], { env: { PATH: "/nonexistent" } });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: expect.stringMatching(/^lambda-dest: demo --python needs python3 on the PATH.*\n$/),
    });
  });
});

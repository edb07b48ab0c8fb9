/**
 * The validators kinds.ts compiles from schemas/ when there is no build must find exactly what the
 * precompiled ones in dist/validators/ find, or tests run from src/ would check something else than what
 * ships. The comparison needs a build; without one, only the compiled side runs (the other tests here do).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileValidator, findingsWith, precompiledValidator } from "../../../src/envelopes/kinds.js";
import { KINDS } from "../../../src/envelopes/types.js";

const root = join(import.meta.dirname, "../../..");
const fixtureDir = join(root, "test/fixtures/envelopes");
const built = existsSync(join(root, "dist/validators/formats.cjs"));

function fixtureValues(): { name: string; value: unknown }[] {
  const values: { name: string; value: unknown }[] = [];
  for (const file of readdirSync(fixtureDir).sort()) {
    const text = readFileSync(join(fixtureDir, file), "utf8");
    if (file.endsWith(".ndjson")) {
      text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .forEach((line, index) => {
          values.push({ name: `${file}:${index + 1}`, value: JSON.parse(line) });
        });
    } else if (file.endsWith(".json")) {
      values.push({ name: file, value: JSON.parse(text) });
    }
  }
  return values;
}

/** Each fixture's timestamps bent to the date-time format's edges, so the two formats are compared too. */
function withTimestamp(value: unknown, timestamp: string): unknown {
  return JSON.parse(JSON.stringify(value), (key, field) =>
    typeof field === "string" && /^(timestamp|time|Timestamp)$/.test(key) ? timestamp : field,
  );
}

const TIMESTAMPS = [
  "2024-02-29T12:00:00Z",
  "2023-02-29T12:00:00Z",
  "2016-12-31T23:59:60Z",
  "2016-12-31T22:59:60Z",
  "2016-12-31T22:59:60+01:00",
  "2025-11-14 18:16:05Z",
  "2025-13-01T00:00:00Z",
];

describe("runtime-compiled validators", () => {
  it.skipIf(!built)("find the same as the precompiled ones, for every fixture against every kind", () => {
    const values = fixtureValues();
    expect(values.length).toBeGreaterThan(20);
    const cases = values.flatMap(({ name, value }) => [
      { name, value },
      ...TIMESTAMPS.map((timestamp) => ({
        name: `${name} @ ${timestamp}`,
        value: withTimestamp(value, timestamp),
      })),
    ]);
    let withFindings = 0;
    for (const kind of KINDS) {
      const precompiled = precompiledValidator(kind);
      expect(precompiled, kind).toBeDefined();
      const compiled = compileValidator(kind);
      for (const { name, value } of cases) {
        const expected = findingsWith(precompiled!, kind, value);
        expect(findingsWith(compiled, kind, value), `${name} as ${kind}`).toEqual(expected);
        if (expected.length > 0) withFindings += 1;
      }
    }
    // Both sides saying nothing would prove nothing: most fixtures are not most kinds.
    expect(withFindings).toBeGreaterThan(cases.length);
  });

  it("reject a date-time that is not a calendar date, and accept a leap day", () => {
    const compiled = compileValidator("invocation-record");
    const record = JSON.parse(readFileSync(join(fixtureDir, "success-record.json"), "utf8"));
    expect(findingsWith(compiled, "invocation-record", record)).toEqual([]);
    expect(
      findingsWith(compiled, "invocation-record", { ...record, timestamp: "2024-02-29T12:00:00Z" }),
    ).toEqual([]);
    const findings = findingsWith(compiled, "invocation-record", {
      ...record,
      timestamp: "2023-02-29T12:00:00Z",
    });
    expect(findings.map((finding) => finding.path)).toEqual(["/timestamp"]);
  });
});

/**
 * `validate --json` writes the common result (valid, nothing to say) from a hand-built template instead of
 * JSON.stringify; the two must never differ, whatever a file name or a kind holds.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeItem, type ItemResult } from "../../../src/envelopes/item-result.js";
import { plainColors } from "../../../src/render/colors.js";
import {
  renderValidateResult,
  validateResultJson,
  validateResultLine,
} from "../../../src/render/validate.js";
import { forEachItem } from "../../../src/sources/read-items.js";
import { repoRoot } from "../../support/run-cli.js";

const fixtures = join(repoRoot, "test/fixtures/envelopes");

function general(result: ItemResult): string {
  return JSON.stringify(validateResultJson(result));
}

/** Strings a file name or a layer may hold: quotes, backslashes, controls, lone surrogates, U+2028. */
const awkwardString = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.string({
    unit: fc.constantFrom('"', "\\", "\n", "\u0000", "\u001f", "\u2028", "\ud800", "\udfff", "/"),
  }),
  fc.constantFrom("-", "__proto__", "constructor", 'a"b.json', "C:\\data\\x.json", "💥.ndjson"),
);

const validResult: fc.Arbitrary<ItemResult> = fc
  .record({
    source: awkwardString,
    index: fc.nat(),
    form: fc.constantFrom("document" as const, "element" as const, "line" as const),
    line: fc.integer({ min: 1, max: 2 ** 31 }),
    kind: fc.oneof(awkwardString, fc.constantFrom("invocation-record", "sqs-message")),
    layers: fc.array(awkwardString, { maxLength: 4 }),
    outcome: fc.constantFrom("success" as const, "failure" as const, "unknown" as const),
    notes: fc.oneof(fc.constant<string[]>([]), fc.array(awkwardString, { maxLength: 2 })),
  })
  .map(({ outcome, notes, ...place }) => validItem({ ...place, outcome, notes }));

/** A valid item's result, with nothing to report. */
function validItem(fields: {
  source: string;
  index: number;
  form: ItemResult["form"];
  line: number;
  kind: string | null;
  layers: string[];
  outcome: ItemResult["summary"]["outcome"];
  notes: string[];
}): ItemResult {
  const { outcome, notes, ...place } = fields;
  return {
    ...place,
    valid: true,
    errors: [],
    warnings: [],
    payload: {},
    summary: { outcome, kind: place.kind, notes },
  };
}

describe("validate --json: the fast path", () => {
  it("#17 writes the same text as JSON.stringify for every fixture's results", async () => {
    const results: ItemResult[] = [];
    const files = readdirSync(fixtures).sort();
    await forEachItem(
      files,
      { cwd: fixtures, stdin: process.stdin },
      (item) => results.push(...analyzeItem(item, {})),
      (problem) => {
        throw new Error(`fixture unreadable: ${problem.source}: ${problem.message}`);
      },
    );
    // The fixtures cover both sides of the template: plain valid results, and ones with notes, records,
    // warnings or errors that go the general way.
    expect(
      results.filter((result) => result.valid && result.summary.notes.length === 0).length,
    ).toBeGreaterThan(3);
    expect(results.some((result) => !result.valid || result.summary.notes.length > 0)).toBe(true);
    for (const result of results) {
      const line = validateResultLine(result);
      expect(line, `${result.source} #${result.index}`).toBe(general(result));
      expect(() => JSON.parse(line)).not.toThrow();
    }
  });

  it("#17 writes the same text as JSON.stringify for generated valid results with awkward strings", () => {
    fc.assert(
      fc.property(validResult, (result) => {
        expect(validateResultLine(result)).toBe(general(result));
        // Twice: the second comes from the quoted-source and the kind-and-layers caches.
        expect(validateResultLine(result)).toBe(general(result));
      }),
      { numRuns: 2000 },
    );
  });

  it("the kind-and-layers cache tells apart layers that differ only in length or order, and keeps its own copy", () => {
    const result = (kind: string | null, layers: string[]) =>
      validItem({
        source: "a.ndjson",
        index: 0,
        form: "line",
        line: 1,
        kind,
        layers,
        outcome: "success",
        notes: [],
      });
    const layers = ["sqs-message", "sns-notification", "invocation-record"];
    const cases = [
      result("invocation-record", layers),
      result("invocation-record", ["sns-notification", "sqs-message", "invocation-record"]),
      result("invocation-record", ["sqs-message", "invocation-record"]),
      result("invocation-record", ["invocation-record"]),
      result("invocation-record", []),
      result(null, []),
      result(null, ["sqs-message"]),
    ];
    for (let round = 0; round < 2; round++) {
      for (const each of cases) expect(validateResultLine(each)).toBe(general(each));
    }
    // The caller's array changing afterwards does not change what the cache answers for the old layers.
    layers[1] = "eventbridge-event";
    expect(validateResultLine(cases[0]!)).toBe(general(cases[0]!));
    // Past the most forms kept for one kind, the rest are still written right.
    for (let count = 0; count < 40; count++) {
      const many = result(
        "k",
        Array.from({ length: count }, (_, index) => `layer-${index}`),
      );
      expect(validateResultLine(many)).toBe(general(many));
      expect(validateResultLine(many)).toBe(general(many));
    }
  });
});

describe("validate's text: laid out at the width", () => {
  it("a finding longer than the line goes on under its text; the ✓ line under the file name", () => {
    const result: ItemResult = {
      source: "captures/masked-account-record.json",
      index: 0,
      form: "document",
      line: 1,
      kind: "invocation-record",
      layers: ["sqs-message", "sns-notification", "invocation-record"],
      valid: true,
      errors: [],
      warnings: [
        {
          path: "/requestContext/functionArn",
          line: 1,
          column: 140,
          message: "the ARN's account is not a 12-digit id (masked?)",
        },
      ],
      payload: {},
      summary: { outcome: "success", kind: "invocation-record", notes: [] },
    };
    expect(renderValidateResult(result, plainColors(), 60).split("\n")).toEqual([
      "✓ captures/masked-account-record.json  invocation-record",
      "  sqs-message › sns-notification › invocation-record",
      "    warning  /requestContext/functionArn (line 1, column",
      "             140): the ARN's account is not a 12-digit id",
      "             (masked?)",
      "",
    ]);
  });
});

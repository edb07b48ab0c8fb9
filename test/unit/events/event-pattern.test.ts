/**
 * The event-pattern matcher against the cases of pattern-cases.ts (AWS's documented examples and recorded
 * answers, each row naming its source), and against hostile input.
 */
import { describe, expect, it } from "vitest";
import { compileEventPattern, eventPatternProblem } from "../../../src/local/events/event-pattern.js";
import { invalid, rows } from "./pattern-cases.js";

describe("event patterns: matching (AWS's documented examples)", () => {
  it.each(rows)("%s", (_source, pattern, event, expected) => {
    expect(compileEventPattern(JSON.stringify(pattern)).matches(event)).toBe(expected);
  });
});

describe("event patterns: invalid patterns get AWS's reasons", () => {
  it.each(invalid)("%s", (pattern, reason) => {
    expect(eventPatternProblem(pattern)).toBe(`Event pattern is not valid. Reason: ${reason}`);
  });

  it("accepts every pattern of the matching table", () => {
    for (const [, pattern] of rows) expect(eventPatternProblem(JSON.stringify(pattern))).toBeUndefined();
  });

  it("refuses what is not JSON, with AWS's prefix", () => {
    expect(eventPatternProblem("this is not json")).toMatch(/^Event pattern is not valid\. Reason: /);
  });
});

describe("event patterns: hostile input", () => {
  const wildcard = (pattern: string, value: string) =>
    compileEventPattern(JSON.stringify({ k: [{ wildcard: pattern }] })).matches({ k: value });

  it("wildcards match by segments, overlapping or not", () => {
    expect(wildcard("a*a", "a")).toBe(false);
    expect(wildcard("a*a", "aa")).toBe(true);
    expect(wildcard("*ab*ab", "abab")).toBe(true);
    expect(wildcard("*ab*ab", "aba")).toBe(false);
    expect(wildcard("x*", "x")).toBe(true);
    expect(wildcard("*", "")).toBe(true);
    expect(wildcard("a\\\\b", "a\\b")).toBe(true);
  });

  it("many stars against a long value cost linear scans, not backtracking", () => {
    const pattern = `${"*a".repeat(40)}*b`;
    const started = Date.now();
    expect(wildcard(pattern, "a".repeat(200_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("a pattern nested deeper than 1,100 levels is refused, not a stack overflow", () => {
    const deep = `${'{"a":'.repeat(5000)}["x"]${"}".repeat(5000)}`;
    expect(eventPatternProblem(deep)).toMatch(
      /^Event pattern is not valid\. Reason: Filter is nested more than 1100/,
    );
  });

  it("a deeply nested event is matched without recursion trouble", () => {
    let detail: unknown = "x";
    for (let level = 0; level < 1000; level++) detail = [detail];
    expect(compileEventPattern('{"detail":{"k":["x"]}}').matches({ detail: { k: detail } })).toBe(true);
  });
});

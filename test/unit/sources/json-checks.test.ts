/**
 * The cheap duplicate-key check counts key ends (an unescaped quote, white space, a colon) and compares
 * them with the members JSON.parse kept: it may send a text to the full scan for nothing, but must never
 * let a key given twice through.
 */
import { describe, expect, it } from "vitest";
import {
  findDuplicateKeys,
  MAX_DEPTH,
  mayHaveDuplicateKeys,
  measureValue,
} from "../../../src/sources/json-checks.js";

const check = (text: string) => mayHaveDuplicateKeys(text, measureValue(JSON.parse(text)).members);

describe("mayHaveDuplicateKeys", () => {
  it.each([
    ["compact", '{"a":1,"a":2}'],
    ["white space between key and colon", '{"a" :1,"a"\t:2}'],
    ["newlines and CR between key and colon", '{"a"\r\n:1,\n"a"\n  :2}'],
    ["only the second spaced", '{"a":1,"a"   :2}'],
    [
      "nested, among spaced keys (as SNS writes its notification)",
      '{\n  "Type" : "N",\n  "M" : {"x" : 1, "x" : 2}\n}',
    ],
    ["a key ending in an escaped backslash", '{"a\\\\":1,"a\\\\" : 2}'],
    ["a key holding an escaped quote", '{"a\\"":1,"a\\"":2}'],
    ["in an array of objects", '[{"k":1},{"k":1,"k":2}]'],
    ["a value that is a lone colon beside the duplicate", '{"a":":","a":2}'],
  ])("catches a key given twice: %s", (_, text) => {
    expect(findDuplicateKeys(text).length).toBeGreaterThan(0);
    expect(check(text)).toBe(true);
  });

  it.each([
    ["compact", '{"a":1,"b":{"c":[1,2,{"d":null}]}}'],
    ["spaced keys, as SNS writes its notification", '{\n  "Type" : "Notification",\n  "Message" : "x"\n}'],
    ["colons inside strings", '{"arn":"arn:aws:lambda:us-east-1:1:function:f","t":"18:16:05"}'],
    ["escaped quotes before colons inside strings", '{"a":"say \\":\\" and \\"x\\" : y"}'],
    [
      "an escaped JSON text with spaced keys inside a string",
      JSON.stringify({ Body: '{\n  "Type" : "Notification",\n  "Type2" : 1\n}' }),
    ],
    ["a backslash run before a closing quote", '{"a\\\\":1,"b\\\\\\\\" : 2}'],
    ["no objects at all", '[1,"a:b","x:"]'],
  ])("lets through a text without duplicates: %s", (_, text) => {
    expect(findDuplicateKeys(text)).toEqual([]);
    expect(check(text)).toBe(false);
  });

  it("only over-counts (a value that starts with a colon), which sends the text to the full scan", () => {
    const text = '{"a":": b","c":" :"}';
    expect(check(text)).toBe(true);
    expect(findDuplicateKeys(text)).toEqual([]);
  });

  it("an escaped quote before a colon inside a string is not a key, whatever the backslashes before it", () => {
    // `\\\"` is an escaped backslash then an escaped quote: still inside the string.
    const text = '{"a":"x\\\\\\":y","a":1}';
    expect(JSON.parse(text)).toEqual({ a: 1 });
    expect(check(text)).toBe(true);
    expect(check('{"a":"x\\\\\\":y"}')).toBe(false);
  });
});

describe("measureValue", () => {
  const nested = (levels: number, open: string, close: string, leaf = "1") =>
    JSON.parse(`${open.repeat(levels)}${leaf}${close.repeat(levels)}`);

  it("counts every object's members, in arrays too", () => {
    expect(measureValue({ a: 1, b: { c: [{ d: 1, e: null }, 2, [{ f: {} }]] } })).toEqual({
      members: 6,
      tooDeep: false,
    });
    expect(measureValue("text")).toEqual({ members: 0, tooDeep: false });
    expect(measureValue([])).toEqual({ members: 0, tooDeep: false });
  });

  it("the deepest nesting allowed passes, one level more is too deep, in objects and arrays", () => {
    expect(measureValue(nested(MAX_DEPTH, '{"a":', "}"))).toEqual({ members: MAX_DEPTH, tooDeep: false });
    expect(measureValue(nested(MAX_DEPTH + 1, '{"a":', "}")).tooDeep).toBe(true);
    expect(measureValue(nested(MAX_DEPTH, "[", "]", "")).tooDeep).toBe(false);
    expect(measureValue(nested(MAX_DEPTH + 1, "[", "]", "")).tooDeep).toBe(true);
  });

  it("a value 100,000 levels deep is too deep, without running out of stack; the next call starts from zero", () => {
    expect(measureValue(nested(100_000, "[", "]", "")).tooDeep).toBe(true);
    expect(measureValue(nested(100_000, '{"a":', "}")).tooDeep).toBe(true);
    expect(measureValue({ a: 1 })).toEqual({ members: 1, tooDeep: false });
  });
});

/** A string holding JSON is shown decoded in text output, marked, escaped; one that only looks like JSON is not. */
import { describe, expect, it } from "vitest";
import { plainColors } from "../../../src/render/colors.js";
import { decodeJsonString, prettyJson, stringifyWithNumbers } from "../../../src/render/json.js";
import { displayWidth } from "../../../src/render/wrap.js";
import { lossyNumbers, mayHaveLossyNumbers } from "../../../src/sources/json-checks.js";

const plain = plainColors();

function nested(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

describe("decodeJsonString", () => {
  it("decodes a JSON object or array, with surrounding whitespace", () => {
    expect(decodeJsonString('{"order_id":"1003"}')?.value).toEqual({ order_id: "1003" });
    expect(decodeJsonString(" [1, 2]\n")?.value).toEqual([1, 2]);
  });

  it("leaves a string that only looks like JSON, a scalar, or absurd nesting", () => {
    expect(decodeJsonString("{not json}")).toBeUndefined();
    expect(decodeJsonString('{"a":1')).toBeUndefined();
    expect(decodeJsonString("[1] trailing")).toBeUndefined();
    expect(decodeJsonString('"quoted"')).toBeUndefined();
    expect(decodeJsonString("42")).toBeUndefined();
    expect(decodeJsonString("good order")).toBeUndefined();
    expect(decodeJsonString(nested(64))).toBeDefined();
    expect(decodeJsonString(nested(65))).toBeUndefined();
    expect(decodeJsonString(nested(100_000))).toBeUndefined();
  });

  it("keeps the numbers a double would change, as written", () => {
    const decoded = decodeJsonString('{"big":12345678901234567890,"huge":1e400}');
    expect(decoded?.numbers?.get("/big")).toBe("12345678901234567890");
    expect(prettyJson({ body: '{"huge":1e400}' }, plain)).toBe('{ "body" (JSON string): { "huge": 1e400 } }');
  });
});

describe("prettyJson with JSON strings", () => {
  const order =
    '{"order_id":"1003","item":"mug","quantity":1,"note":"please wrap it, it is a present for my aunt"}';

  it("shows a body decoded and indented, marked after its key", () => {
    expect(prettyJson({ message_id: "m-1", body: order, status: "FAILURE" }, plain)).toBe(
      [
        "{",
        '  "message_id": "m-1",',
        '  "body" (JSON string): {',
        '    "order_id": "1003",',
        '    "item": "mug",',
        '    "quantity": 1,',
        '    "note": "please wrap it, it is a present for my aunt"',
        "  },",
        '  "status": "FAILURE"',
        "}",
      ].join("\n"),
    );
  });

  it("keeps the string with decodeStrings: false", () => {
    const shown = prettyJson({ body: '{"a":1}' }, plain, "", undefined, "", { decodeStrings: false });
    expect(shown).toBe('{ "body": "{\\"a\\":1}" }');
  });

  it("decodes an SNS Message inside an SQS body, in arrays too", () => {
    const message = JSON.stringify({ Type: "Notification", Message: JSON.stringify({ orderId: 7 }) });
    expect(prettyJson([JSON.stringify({ Body: message })], plain, "", undefined, "", { width: 200 })).toBe(
      [
        "[",
        "  (JSON string) {",
        '    "Body" (JSON string): { "Type": "Notification", "Message" (JSON string): { "orderId": 7 } }',
        "  }",
        "]",
      ].join("\n"),
    );
  });

  it("escapes what a terminal would act on inside a decoded string, keys included", () => {
    const hostile = JSON.stringify({ "k\u001b[2J": "v\u009b5m\u202e", list: ["\u0007"] });
    const shown = prettyJson({ body: hostile }, plain);
    expect(shown).toContain('"k\\u001b[2J": "v\\u009b5m\\u202e"');
    expect(shown).toContain('"\\u0007"');
    expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it("lays a value out over lines when it does not fit after its key, and wraps a long string under it", () => {
    const shown = prettyJson({ error: "word ".repeat(30).trim(), body: order }, plain, "", undefined, "", {
      width: 60,
    });
    for (const line of shown.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    expect(shown).toContain('  "body" (JSON string): {\n    "order_id": "1003",');
    expect(shown.split("\n").slice(1, 5)).toEqual([
      '  "error": "word word word word word word word word word',
      "           word word word word word word word word word",
      "           word word word word word word word word word",
      '           word word word",',
    ]);
  });
});

describe("prettyJson on deep values", () => {
  it("puts what lies deeper than 20 levels on wrapped lines, so the output grows with the input, not its square", () => {
    // Found by the fuzz test: an array nested 950 deep (2 KB) printed 1.8 MB of indentation in 3.4 s.
    const depth = 950;
    const value = JSON.parse(`{"nested":${"[".repeat(depth)}1${"]".repeat(depth)},"after":"kept"}`);
    const text = prettyJson(value, plain, "", undefined, "", { width: 100 });
    expect(text.length).toBeLessThan(10 * JSON.stringify(value).length);
    for (const line of text.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(100);
    // Nothing is left out: without the layout's whitespace it is the value's JSON.
    expect(JSON.parse(text.replace(/\s+/g, ""))).toEqual(value);
    // The first 20 levels are laid out one to a line, as any other value.
    expect(
      text
        .split("\n")
        .slice(1, 22)
        .map((line) => line.trimStart().slice(0, 1)),
    ).toEqual(['"', ...Array(20).fill("[")]);
  });
});

describe("stringifyWithNumbers", () => {
  const cases: Array<[string, string]> = [
    ["exponents out of a double's range", '{"a":1e400,"b":-1E+999}'],
    ["minus zero, also written with a fraction", '{"a":-0,"b":[-0.0,-0.000]}'],
    ["integers past 2^53", '{"id":12345678901234567890,"n":-9007199254740993}'],
    ["more digits than a double holds", '{"pi":3.14159265358979323846264338327950288}'],
    ["a number on its own", "1e400"],
    [
      "deep in arrays and objects, beside untouched branches",
      '{"x":{"y":[0,{"z":[1e400]}]},"keep":{"s":"1e400","n":2e3}}',
    ],
    ["keys that need escaping in a pointer", '{"a/b":{"~c":1e999}}'],
  ];
  it.each(cases)("%s: written as the text wrote them", (_name, text) => {
    const value = JSON.parse(text);
    const numbers = lossyNumbers(text);
    expect(numbers.size).toBeGreaterThan(0);
    const written = stringifyWithNumbers(value, numbers)!;
    // The same literals at the same places, and read back, the same value.
    expect(lossyNumbers(written)).toEqual(numbers);
    expect(JSON.parse(written)).toEqual(value);
    expect(written).not.toContain("null");
    expect(written).not.toMatch(/\s/);
  });

  it("is JSON.stringify where nothing would change, and keeps its undefined and omissions", () => {
    const value = { a: 1, b: undefined, c: [undefined, () => 1], d: "é\u2028" };
    expect(stringifyWithNumbers(value, undefined)).toBe(JSON.stringify(value));
    expect(stringifyWithNumbers(undefined, new Map([["", "1e400"]]))).toBeUndefined();
  });

  it("never writes a literal that is not the number at its place", () => {
    // A wrong map (the text and the value disagree) falls back to the value itself.
    expect(stringifyWithNumbers({ a: 5 }, new Map([["/a", "1e400"]]))).toBe('{"a":5}');
  });
});

describe("mayHaveLossyNumbers", () => {
  it.each([
    '{"a":1e400}',
    '{"a": -0}',
    "[-0.00]",
    '{"id":12345678901234567890}',
    '{"f":0.1000000000000000055511151231257827}',
    "1e400",
    '{"a":[1,\n  2E-500]}',
  ])("says maybe for %s, which has one", (text) => {
    expect(mayHaveLossyNumbers(text)).toBe(true);
    expect(lossyNumbers(text).size).toBe(1);
  });

  it.each([
    '{"a":1,"b":-0.5,"c":[1.5,2,-3],"d":123456789012345}',
    '{"requestId":"4e5f-9e37","arn":"arn:aws:lambda:us-east-1:000000000000:function:f"}',
    '{"t":"2025-11-14T18:16:05.568Z","neg":-10}',
  ])("says surely not for %s, and lossyNumbers agrees", (text) => {
    expect(mayHaveLossyNumbers(text)).toBe(false);
    expect(lossyNumbers(text).size).toBe(0);
  });

  it("is never wrong when it says no: generated records with odd numbers put in", () => {
    const literals = ["1e400", "-0", "-0.0", "12345678901234567890", "1.00000000000000000001", "5E-400"];
    for (const literal of literals) {
      for (const shape of [`{"a":${literal}}`, `[1, ${literal}]`, `{"a" : [ {"b":\t${literal}} ]}`]) {
        expect(lossyNumbers(shape).size).toBe(1);
        expect(mayHaveLossyNumbers(shape)).toBe(true);
      }
    }
  });
});

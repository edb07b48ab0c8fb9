/** A string holding JSON is shown decoded in text output, marked, escaped; one that only looks like JSON is not. */
import { describe, expect, it } from "vitest";
import { plainColors } from "../../../src/render/colors.js";
import { decodeJsonString, prettyJson } from "../../../src/render/json.js";
import { displayWidth } from "../../../src/render/wrap.js";

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

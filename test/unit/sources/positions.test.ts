/**
 * valueSpanAt: the exact text of the value a JSON pointer (RFC 6901) names, as replay sends it. Each row is
 * a text, a pointer, and the slice expected (undefined: the pointer names nothing).
 */
import { describe, expect, it } from "vitest";
import { locateOffset, valueSpanAt } from "../../../src/sources/positions.js";

const sliceAt = (text: string, pointer: string): string | undefined => {
  const span = valueSpanAt(text, pointer);
  return span === undefined ? undefined : text.slice(span.start, span.end);
};

describe("valueSpanAt", () => {
  const rows: Array<[what: string, text: string, pointer: string, expected: string | undefined]> = [
    ["the whole text, without its surrounding whitespace", ' \n {"a":1}\t ', "", '{"a":1}'],
    ["a number as written, not as a double reads it", '{"n":1e400}', "/n", "1e400"],
    ["minus zero", '{"n":-0,"m":1}', "/n", "-0"],
    ["a number at the end of an array", "[1,2.50]", "/1", "2.50"],
    ["a number before whitespace", '{"n":12345678901234567890 }', "/n", "12345678901234567890"],
    ["true, false and null", '{"t":true,"f":false,"z":null}', "/f", "false"],
    ["an object, key order and spacing kept", '{"p":{ "z" : 1 ,"a":[ ] }}', "/p", '{ "z" : 1 ,"a":[ ] }'],
    ["an empty object", '{"p":{}}', "/p", "{}"],
    ["a string with an escaped quote", '{"s":"x\\"y"}', "/s", '"x\\"y"'],
    ["a string ending in an escaped backslash", '{"s":"x\\\\","t":1}', "/s", '"x\\\\"'],
    ["a string holding brackets and braces", '{"s":"]}[{","t":1}', "/s", '"]}[{"'],
    ["an object whose strings hold brackets", '{"o":{"a":"}","b":"]"},"n":2}', "/o", '{"a":"}","b":"]"}'],
    ["an array whose strings hold quotes", '{"a":["\\"]\\"",1],"b":0}', "/a", '["\\"]\\"",1]'],
    [
      "unicode escapes in a string",
      '{"s":"\\u0022\\u005d\\ud83d\\ude00"}',
      "/s",
      '"\\u0022\\u005d\\ud83d\\ude00"',
    ],
    ["a key written with a unicode escape", '{"caf\\u00e9":[1]}', "/café", "[1]"],
    ["a key that holds an escaped quote", '{"a\\"b":2}', '/a"b', "2"],
    ["nested arrays", "[[0,[1,[2,3]]],[4]]", "/0/1/1", "[2,3]"],
    ["an element of nested arrays", "[[0,[1,[2,3]]],[4]]", "/0/1/1/0", "2"],
    ["a value deep in objects and arrays", '{"a":[{"b":{"c":[10,20]}}]}', "/a/0/b/c/1", "20"],
    ["whitespace everywhere", ' { "a" :\n\t[ 1 ,\r\n { "b" : "c" } ] } ', "/a/1", '{ "b" : "c" }'],
    ["~1 in a pointer is a slash in the key", '{"a/b":1,"a":{"b":2}}', "/a~1b", "1"],
    ["~0 in a pointer is a tilde in the key", '{"m~n":3,"m~0n":4}', "/m~0n", "3"],
    ["~01 is a tilde then 1, not a slash", '{"~1":5,"/":6}', "/~01", "5"],
    ["an empty key", '{"":7}', "/", "7"],
    ["a key given twice: the one JSON.parse keeps", '{"k":1,"k":[2]}', "/k", "[2]"],
    ["a key that is missing", '{"a":1}', "/b", undefined],
    ["a key inside a string is not a key", '{"s":"\\"b\\":1"}', "/b", undefined],
    ["past the end of an array", "[1,2]", "/2", undefined],
    ["an index with a leading zero", "[1,2]", "/01", undefined],
    ["an index that is not a number", "[1,2]", "/-", undefined],
    ["an empty segment on an array", "[1,2]", "/", undefined],
    ["into a number", '{"a":1}', "/a/0", undefined],
    ["into a string", '{"a":"xyz"}', "/a/0", undefined],
    ["a pointer without its leading slash", '{"a":1}', "a", undefined],
    ["a value the text cuts short", '{"a":[1,2', "/a", undefined],
    ["a string the text cuts short", '{"a":"xy', "/a", undefined],
    ["nothing at all", "   ", "", undefined],
  ];

  it.each(rows)("%s", (_what, text, pointer, expected) => {
    expect(sliceAt(text, pointer)).toBe(expected);
    if (expected !== undefined) {
      // The slice is the value: parsing it gives what parsing the text and following the pointer gives.
      const span = valueSpanAt(text, pointer)!;
      expect(span.start).toBe(locateOffset(text, pointer));
    }
  });

  it("on the value a parse keeps: the slice parses to the same value the pointer reaches", () => {
    const text = '{"r":{"requestPayload" : {"z":1.0,"a":[true,null,"\\u2028"]},"x":0}}';
    const slice = sliceAt(text, "/r/requestPayload")!;
    expect(slice).toBe('{"z":1.0,"a":[true,null,"\\u2028"]}');
    expect(JSON.parse(slice)).toEqual(JSON.parse(text).r.requestPayload);
  });
});

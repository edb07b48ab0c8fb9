/** Wrapping at the terminal's width: where lines break, how they go on, and what is never split. */
import { stripVTControlCharacters } from "node:util";
import { Chalk } from "chalk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { displayWidth, outputWidth, wrap } from "../../../src/render/wrap.js";

const colors = new Chalk({ level: 1 });

describe("outputWidth", () => {
  it("is the terminal's columns, 100 without a terminal, and never narrower than 40", () => {
    expect(outputWidth(130)).toBe(130);
    expect(outputWidth(60)).toBe(60);
    expect(outputWidth(undefined)).toBe(100);
    expect(outputWidth(0)).toBe(100);
    expect(outputWidth(Number.NaN)).toBe(100);
    expect(outputWidth(12)).toBe(40);
  });
});

describe("displayWidth", () => {
  it("counts columns: colors take none, CJK and emoji two, combining marks none", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth(colors.red("abc"))).toBe(3);
    expect(displayWidth("注文")).toBe(4);
    expect(displayWidth("📦")).toBe(2);
    expect(displayWidth("👩‍💻")).toBe(2);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("✗ FAILURE › …")).toBe(13);
  });
});

describe("wrap", () => {
  it("leaves a line that fits as it is", () => {
    expect(wrap("  error    ", "short", 40, "           ")).toBe("  error    short");
  });

  it("breaks at spaces, continuation lines indented under the text, none wider than the width", () => {
    const text = "the order could not be processed because the warehouse rejected it twice";
    const lines = wrap("  error    ", text, 40, " ".repeat(11)).split("\n");
    expect(lines).toEqual([
      "  error    the order could not be",
      "           processed because the",
      "           warehouse rejected it twice",
    ]);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
  });

  it("cuts a word longer than the line between characters, never inside an escape printable.ts wrote", () => {
    const word = `a${"\\x1b".repeat(20)}`;
    const lines = wrap("", word, 40, "  ").split("\n");
    expect(lines.join("").replace(/ {2}/g, "")).toBe(word);
    for (const line of lines) {
      expect(displayWidth(line)).toBeLessThanOrEqual(40);
      // Each line holds whole escapes: after the leading "a", a multiple of four characters.
      expect(line.trim().replace(/^a/, "").length % 4).toBe(0);
    }
    const unicode = "\\u202e".repeat(20);
    for (const line of wrap("", unicode, 40, "").split("\n")) expect(line.length % 6).toBe(0);
  });

  it("never splits a surrogate pair, an emoji sequence or a letter from its combining mark", () => {
    const text = "👩‍💻".repeat(30) + "e\u0301".repeat(50) + "注".repeat(30);
    const lines = wrap("", text, 40, "").split("\n");
    expect(lines.join("")).toBe(text);
    for (const line of lines) {
      expect(displayWidth(line)).toBeLessThanOrEqual(40);
      // No line starts with a low surrogate, a joiner or a mark, nor ends with a high surrogate or a joiner.
      const first = line.charCodeAt(0);
      const last = line.charCodeAt(line.length - 1);
      expect(first >= 0xdc00 && first <= 0xdfff).toBe(false);
      expect([0x200d, 0x0301]).not.toContain(first);
      expect((last >= 0xd800 && last <= 0xdbff) || last === 0x200d).toBe(false);
    }
  });

  it("carries colors over a break: the line ends them as chalk does, the next opens them again", () => {
    const text = colors.red("one two three four five six seven eight nine ten");
    const lines = wrap(colors.dim("label "), text, 30, "      ").split("\n");
    expect(lines.map((line) => stripVTControlCharacters(line))).toEqual([
      "label one two three four five",
      "      six seven eight nine ten",
    ]);
    expect(lines[0]).toBe(`${colors.dim("label ")}\u001b[31mone two three four five\u001b[39m`);
    expect(lines[1]).toBe("      \u001b[31msix seven eight nine ten\u001b[39m");
    // No sequence is ever cut: every ESC starts a whole SGR sequence.
    for (const line of lines) expect(line.replace(/\u001b\[[0-9;]*m/g, "")).not.toContain("\u001b");
  });

  it("keeps the prefix whole, and what follows a newline on lines of its own", () => {
    // A prefix that leaves the text too little room stands alone; the text starts on the next line.
    expect(wrap("a-long-unbreakable-prefix ", "x y", 20, "  ")).toBe("a-long-unbreakable-prefix\n  x y");
    expect(wrap("a-long-unbreakable-prefix ", "x y", 60, "  ")).toBe("a-long-unbreakable-prefix x y");
    expect(wrap("> ", "one\ntwo", 40, "  ")).toBe("> one\n  two");
  });
});

describe("wrap: properties", () => {
  /** Words of letters, CJK, emoji, accented letters and the escapes printable.ts writes. */
  const unit = fc.constantFrom(
    "a",
    "b",
    "Z",
    "注",
    "📦",
    "👩‍💻",
    "e\u0301",
    "\\x1b",
    "\\u202e",
    "\\n",
    "-",
    "/",
  );
  const word = fc.array(unit, { minLength: 1, maxLength: 30 }).map((units) => units.join(""));
  const text = fc.array(word, { minLength: 1, maxLength: 40 }).map((words) => words.join(" "));

  it("no line is wider than the width, nothing is lost but the spaces broken at, no escape is cut", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 20, max: 140 }), fc.boolean(), (input, width, colored) => {
        const painted = colored ? colors.red(input) : input;
        const out = wrap("  label  ", painted, width, "         ");
        const lines = out.split("\n");
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        const plain = stripVTControlCharacters(out);
        expect(plain.replace(/^ {2}label/, "").replace(/\s+/g, "")).toBe(input.replace(/\s+/g, ""));
        for (const line of lines) {
          expect(stripVTControlCharacters(line)).not.toMatch(/\\(?:x[0-9a-f]?|u[0-9a-f]{0,3})?$/);
        }
        if (colored) {
          // Every line of text is painted as a whole: it opens red (after its indentation) and closes it.
          const textLines = lines.filter((line) => stripVTControlCharacters(line).trim() !== "label");
          for (const line of textLines) expect(line.endsWith("\u001b[39m")).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

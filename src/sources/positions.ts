/**
 * Finds where a JSON pointer's value starts in JSON text, without building a tree: a small scanner that
 * walks the text and skips what the pointer does not enter. Used only when an item has findings, so the
 * fast path (JSON.parse) pays nothing for positions.
 */
import { MAX_DEPTH, tooDeepMessage } from "./json-checks.js";

export interface Position {
  line: number;
  column: number;
}

export function locatePointer(text: string, pointer: string): Position | undefined {
  const offset = locateOffset(text, pointer);
  return offset === undefined ? undefined : positionAt(text, offset);
}

/** Where a JSON pointer's value starts in the text; for a key given twice, the value JSON.parse kept (the last). */
export function locateOffset(text: string, pointer: string): number | undefined {
  const scanner = new Scanner(text);
  return scanner.walk(pointer) ? scanner.offset : undefined;
}

/** Where a value starts and ends in JSON text: `text.slice(start, end)` is the value as written. */
export interface ValueSpan {
  start: number;
  end: number;
}

/**
 * The span of the value a JSON pointer names, or undefined when there is none: the bytes as written, so a
 * caller can pass a value on without re-serialising it (which would turn 1e400 into null, -0 into 0, and
 * lose key order and spacing). For a key given twice, the value JSON.parse kept (the last). The text is
 * expected to be valid JSON (it was parsed); a value the text cuts short has no span.
 */
export function valueSpanAt(text: string, pointer: string): ValueSpan | undefined {
  const scanner = new Scanner(text);
  if (!scanner.walk(pointer)) return undefined;
  const start = scanner.offset;
  if (start >= text.length || !scanner.skipValue() || scanner.offset === start) return undefined;
  return { start, end: scanner.offset };
}

/**
 * Where each element of a top-level JSON array starts and ends: `show --raw` prints an element as written.
 * The text must be a valid JSON array.
 */
export function elementSpans(text: string): Array<[number, number]> {
  const scanner = new Scanner(text);
  scanner.skipWhitespace();
  return scanner.elements();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

class Scanner {
  private index = 0;
  constructor(private readonly text: string) {}

  get offset(): number {
    return this.index;
  }

  skipWhitespace(): void {
    while (this.index < this.text.length && /\s/.test(this.text[this.index]!)) this.index++;
  }

  /** Moves to the start of the value a JSON pointer names; false when there is none. */
  walk(pointer: string): boolean {
    this.skipWhitespace();
    if (pointer === "") return true;
    if (!pointer.startsWith("/")) return false;
    for (const segment of pointer.slice(1).split("/")) {
      if (!this.enter(unescapeSegment(segment))) return false;
    }
    return true;
  }

  /** Moves to the start of the child value named by `segment`; false when there is none. */
  enter(segment: string): boolean {
    const open = this.text[this.index];
    if (open === "{") {
      this.index++;
      // The whole object is read: when a key is given twice, JSON.parse keeps the last.
      let found: number | undefined;
      for (;;) {
        this.skipWhitespace();
        if (this.text[this.index] === "}") break;
        const key = this.readString();
        if (key === undefined) break;
        this.skipWhitespace();
        if (this.text[this.index] !== ":") break;
        this.index++;
        this.skipWhitespace();
        if (key === segment) found = this.index;
        if (!this.skipValue()) break;
        this.skipWhitespace();
        if (this.text[this.index] === ",") this.index++;
        else break;
      }
      if (found === undefined) return false;
      this.index = found;
      return true;
    }
    if (open === "[") {
      // An array index as RFC 6901 writes it: digits, no leading zero ("", "01" and "1e0" name nothing).
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return false;
      const wanted = Number(segment);
      this.index++;
      for (let position = 0; ; position++) {
        this.skipWhitespace();
        if (this.text[this.index] === "]") return false;
        if (position === wanted) return true;
        if (!this.skipValue()) return false;
        this.skipWhitespace();
        if (this.text[this.index] === ",") this.index++;
        else return false;
      }
    }
    return false;
  }

  /** The spans of the elements of the array that starts here. */
  elements(): Array<[number, number]> {
    const spans: Array<[number, number]> = [];
    if (this.text[this.index] !== "[") return spans;
    this.index++;
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.index] === "]") return spans;
      const start = this.index;
      if (!this.skipValue()) return spans;
      spans.push([start, this.index]);
      this.skipWhitespace();
      if (this.text[this.index] === ",") this.index++;
      else return spans;
    }
  }

  /** A key, decoded (to compare with a pointer's segment). */
  private readString(): string | undefined {
    const start = this.index;
    if (!this.skipString()) return undefined;
    try {
      return JSON.parse(this.text.slice(start, this.index)) as string;
    } catch {
      return undefined;
    }
  }

  /** Moves past the string that starts here, without decoding it. */
  private skipString(): boolean {
    if (this.text.charCodeAt(this.index) !== QUOTE) return false;
    let at = this.index + 1;
    while (at < this.text.length) {
      const char = this.text.charCodeAt(at);
      if (char === BACKSLASH) at += 2;
      else if (char === QUOTE) {
        this.index = at + 1;
        return true;
      } else at++;
    }
    return false;
  }

  /** Moves past the value that starts here; false when the text ends inside it. */
  skipValue(): boolean {
    const char = this.text[this.index];
    if (char === '"') return this.skipString();
    if (char === "{" || char === "[") {
      let depth = 0;
      while (this.index < this.text.length) {
        const current = this.text[this.index];
        if (current === '"') {
          if (!this.skipString()) return false;
          continue;
        }
        if (current === "{" || current === "[") depth++;
        else if (current === "}" || current === "]") {
          depth--;
          if (depth === 0) {
            this.index++;
            return true;
          }
        }
        this.index++;
      }
      return false;
    }
    while (this.index < this.text.length && !/[\s,\]}]/.test(this.text[this.index]!)) this.index++;
    return true;
  }
}

export interface SyntaxProblem extends Position {
  message: string;
}

/**
 * Explains why text is not JSON and where: JSON.parse does not always give a position (V8 omits it for
 * "Unexpected token"), so a small checker finds the first offending character itself.
 */
export function findSyntaxError(text: string): SyntaxProblem {
  const checker = new SyntaxChecker(text);
  const problem = checker.check();
  const { line, column } = positionAt(text, problem.offset);
  return { line, column, message: problem.message };
}

/** Line and column (1-based) of an offset in the text. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class SyntaxChecker {
  private index = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  check(): { offset: number; message: string } {
    try {
      this.space();
      this.value();
      this.space();
      if (this.index < this.text.length) this.fail("unexpected text after the JSON value");
      return { offset: this.text.length, message: "invalid JSON" };
    } catch (problem) {
      if (problem instanceof Error) return { offset: this.index, message: "invalid JSON" };
      return problem as { offset: number; message: string };
    }
  }

  /** The checker recurses per level: text nested deeper than the program reads is reported as such. */
  private nest(): void {
    this.depth++;
    if (this.depth > MAX_DEPTH) this.fail(tooDeepMessage());
  }

  private fail(message: string): never {
    throw { offset: this.index, message };
  }

  private describeHere(): string {
    if (this.index >= this.text.length) return "end of input";
    return JSON.stringify(this.text[this.index]);
  }

  private space(): void {
    while (this.index < this.text.length && " \t\n\r".includes(this.text[this.index]!)) this.index++;
  }

  private value(): void {
    const char = this.text[this.index];
    if (char === "{") {
      this.object();
      return;
    }
    if (char === "[") {
      this.array();
      return;
    }
    if (char === '"') {
      this.string();
      return;
    }
    if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) {
      this.number();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (this.text.startsWith(word, this.index)) {
        this.index += word.length;
        return;
      }
    }
    this.fail(`unexpected ${this.describeHere()}: expected a JSON value`);
  }

  private object(): void {
    this.nest();
    this.index++;
    this.space();
    if (this.text[this.index] === "}") {
      this.index++;
      this.depth--;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.index] !== '"')
        this.fail(`unexpected ${this.describeHere()}: expected a property name in double quotes`);
      this.string();
      this.space();
      if (this.text[this.index] !== ":")
        this.fail(`unexpected ${this.describeHere()}: expected ':' after the property name`);
      this.index++;
      this.space();
      this.value();
      this.space();
      const next = this.text[this.index];
      if (next === ",") {
        this.index++;
        this.space();
        if (this.text[this.index] === "}") this.fail("trailing comma before '}'");
        continue;
      }
      if (next === "}") {
        this.index++;
        this.depth--;
        return;
      }
      this.fail(`unexpected ${this.describeHere()}: expected ',' or '}' after a property value`);
    }
  }

  private array(): void {
    this.nest();
    this.index++;
    this.space();
    if (this.text[this.index] === "]") {
      this.index++;
      this.depth--;
      return;
    }
    for (;;) {
      this.space();
      this.value();
      this.space();
      const next = this.text[this.index];
      if (next === ",") {
        this.index++;
        this.space();
        if (this.text[this.index] === "]") this.fail("trailing comma before ']'");
        continue;
      }
      if (next === "]") {
        this.index++;
        this.depth--;
        return;
      }
      this.fail(`unexpected ${this.describeHere()}: expected ',' or ']' after an array element`);
    }
  }

  private string(): void {
    this.index++;
    while (this.index < this.text.length) {
      const char = this.text[this.index]!;
      if (char === '"') {
        this.index++;
        return;
      }
      if (char === "\\") {
        const escaped = this.text[this.index + 1];
        if (escaped === undefined || !'"\\/bfnrtu'.includes(escaped)) {
          this.fail("invalid escape in a string");
        }
        if (escaped === "u" && !/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.index + 2, this.index + 6))) {
          this.fail("invalid \\u escape in a string");
        }
        this.index += escaped === "u" ? 6 : 2;
        continue;
      }
      if (char.charCodeAt(0) < 0x20) this.fail("unescaped control character in a string");
      this.index++;
    }
    this.fail("unterminated string");
  }

  private number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(
      this.text.slice(this.index, this.index + 400),
    );
    if (!match) this.fail(`invalid number`);
    this.index += match[0].length;
  }
}

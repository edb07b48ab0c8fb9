/**
 * Checks that JSON.parse does not make: nesting too deep for the rest of the program (JSON.parse itself
 * copes, but schema validation, rendering and JSON.stringify recurse and run out of stack), keys given
 * twice in one object (JSON.parse keeps the last silently; other consumers keep the first or refuse), and
 * numbers that a double cannot hold as written (1e400, -0, 12345678901234567890). Every scan of the text is
 * iterative, so that hostile nesting cannot exhaust the stack here either. The cheap checks run on every
 * item; the scans of the text only when a cheap check says there is something to find.
 */

/**
 * Deepest nesting an item may have. Ajv, the renderers and JSON.stringify recurse once or more per level and
 * run out of Node's default stack somewhere past 2,000 levels; real envelopes nest a few dozen deep.
 */
export const MAX_DEPTH = 1000;

/** What an item nested too deeply is told. */
export function tooDeepMessage(): string {
  return `nested deeper than ${MAX_DEPTH} levels, the most lambda-dest reads: not unwrapped, validated or shown`;
}

/**
 * Counts the members of every object of a parsed value, and says whether it nests deeper than `limit`.
 * It recurses, at most `limit` + 1 calls deep (1,001 by default: the renderers and JSON.stringify are
 * trusted with that much), and allocates nothing: the stacks of pending values it used to keep were 60 MB
 * of the 1,040 MB that `validate --json` of the bench's realistic mix allocated (sampled).
 */
export function measureValue(value: unknown, limit = MAX_DEPTH): { members: number; tooDeep: boolean } {
  if (typeof value !== "object" || value === null) return { members: 0, tooDeep: false };
  measured = 0;
  const tooDeep = countMembers(value, 1, limit);
  return { members: measured, tooDeep };
}

/** Members counted so far by countMembers (a module variable, so that each call allocates nothing). */
let measured = 0;

/** Adds the members of `value`'s objects to `measured`; true as soon as nesting goes deeper than `limit`. */
function countMembers(value: object, depth: number, limit: number): boolean {
  if (depth > limit) return true;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const child: unknown = value[index];
      if (typeof child === "object" && child !== null && countMembers(child, depth + 1, limit)) return true;
    }
    return false;
  }
  for (const key in value) {
    measured++;
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === "object" && child !== null && countMembers(child, depth + 1, limit)) return true;
  }
  return false;
}

/**
 * False when the text surely has no key twice in one object, given the number of members its parsed value
 * has. Every key of the text is an unescaped quote, maybe white space, then a colon; apart from keys, that
 * occurs only where a string value starts with (white space and) a colon, which is counted and can only make
 * us scan when we need not. So when the count equals the members JSON.parse kept, no key was dropped.
 *
 * The search is for the colon, then back over white space to the quote. A search for `":` stops at every
 * quote, and on the bench's realistic mix there are 3.3 quotes a key against 1.2 colons; and keys written
 * `"key" : value` (SNS's own notification text, which SQS bodies carry: 6.6% of that mix's lines) are counted
 * here, where a regex for them used to send each such line, and its SNS layer, to the full scan. On a
 * 20,000-line slice of the mix the old check took 61 ms and this one 26 ms, with no full scans left.
 */
export function mayHaveDuplicateKeys(text: string, members: number): boolean {
  let keyEnds = 0;
  for (let colon = text.indexOf(":"); colon !== -1; colon = text.indexOf(":", colon + 1)) {
    let at = colon - 1;
    let char = text.charCodeAt(at);
    while (char === SPACE || char === LINE_FEED || char === CARRIAGE_RETURN || char === TAB) {
      char = text.charCodeAt(--at);
    }
    if (char !== QUOTE) continue;
    if (text.charCodeAt(at - 1) === BACKSLASH && isEscaped(text, at)) continue;
    keyEnds++;
  }
  return keyEnds !== members;
}

export interface DuplicateKey {
  key: string;
  /** JSON pointer of the member given twice, relative to where the scan started. */
  pointer: string;
  /** Where the later occurrence's key starts in the text. */
  offset: number;
}

/** Every key that appears again in the same object (the later occurrences). The text must be valid JSON. */
export function findDuplicateKeys(text: string, start = 0): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  scanJsonText(text, start, {
    key(path, keys, key, offset) {
      if (!keys.has(key)) {
        keys.add(key);
        return;
      }
      found.push({ key, pointer: pointerOf([...path.slice(0, -1), key]), offset });
    },
  });
  return found;
}

/**
 * A number token that a double may change: 16 or more digits (and points), an exponent, or minus zero. It
 * starts the text or follows `:`, `,` or `[` (and white space); the same characters inside a string only
 * cost a scan that finds nothing.
 */
const MAYBE_LOSSY_NUMBER = /(?:^|[:,[])\s*(?:-?[\d.]{16}|-?[\d.]+[eE]|-0(?:\.0*)?(?![\d.eE]))/;

/** False when the text surely writes no number that lossyNumbers would report: a native scan, no JS walk. */
export function mayHaveLossyNumbers(text: string): boolean {
  return MAYBE_LOSSY_NUMBER.test(text);
}

/**
 * Numbers that would not print as written once parsed (out of a double's range, -0, more digits than a double
 * holds), by JSON pointer relative to the value at `start`: the text view shows these as written.
 */
export function lossyNumbers(text: string, start = 0): Map<string, string> {
  const found = new Map<string, string>();
  scanJsonText(text, start, {
    number(path, literal) {
      if (!roundTrips(literal)) found.set(pointerOf(path), literal);
    },
  });
  return found;
}

/** Where nesting first goes deeper than `limit` (the offset of that bracket), or -1. */
export function depthExcessOffset(text: string, limit = MAX_DEPTH): number {
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === QUOTE) index = stringEnd(text, index) - 1;
    else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth++;
      if (depth > limit) return index;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) depth--;
  }
  return -1;
}

/** True when the literal's value is exactly what String(Number(literal)) says. */
export function roundTrips(literal: string): boolean {
  const value = Number(literal);
  if (!Number.isFinite(value)) return false;
  const shown = String(value);
  if (shown === literal) return true;
  return decimal(literal) === decimal(shown);
}

/** A number's exact decimal value in one canonical form: sign, significant digits, exponent. */
function decimal(literal: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!match) return literal;
  const [, sign, whole, fraction = "", exponentText = "0"] = match;
  const digits = `${whole}${fraction}`.replace(/^0+/, "");
  if (digits === "") return `${sign}0`;
  const significant = digits.replace(/0+$/, "");
  const exponent =
    BigInt(exponentText) - BigInt(fraction.length) + BigInt(digits.length - significant.length);
  return `${sign}${significant}e${exponent}`;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** True when the quote at `index` is preceded by an odd run of backslashes. */
function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  for (let at = index - 1; at >= 0 && text.charCodeAt(at) === BACKSLASH; at--) backslashes++;
  return backslashes % 2 === 1;
}

/** The index just past the string that starts with the quote at `index`. */
function stringEnd(text: string, index: number): number {
  let at = text.indexOf('"', index + 1);
  while (at !== -1 && text.charCodeAt(at - 1) === BACKSLASH && isEscaped(text, at)) {
    at = text.indexOf('"', at + 1);
  }
  return at === -1 ? text.length : at + 1;
}

function pointerOf(path: string[]): string {
  let pointer = "";
  for (const segment of path) pointer += `/${segment.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  return pointer;
}

interface ScanVisitor {
  /** A key of an object; `path` ends with the previous key of that object (or ""). */
  key?(path: string[], keysSoFar: Set<string>, key: string, offset: number): void;
  /** A number literal and the path to it. */
  number?(path: string[], literal: string): void;
}

interface Frame {
  object: boolean;
  keys: Set<string> | undefined;
  index: number;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Walks valid JSON text from the value at `start` to its end, without recursion, keeping the path of keys
 * and indexes to where it is.
 */
function scanJsonText(text: string, start: number, visitor: ScanVisitor): void {
  const frames: Frame[] = [];
  const path: string[] = [];
  let expectingKey = false;
  let index = start;
  while (index < text.length && /\s/.test(text[index]!)) index++;
  const first = text.charCodeAt(index);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A string, literal or number on its own: only a number has anything to report.
    NUMBER.lastIndex = index;
    const match = NUMBER.exec(text);
    if (match) visitor.number?.(path, match[0]);
    return;
  }
  while (index < text.length) {
    const char = text.charCodeAt(index);
    if (char === QUOTE) {
      const end = stringEnd(text, index);
      const frame = frames[frames.length - 1];
      if (frame?.object && expectingKey) {
        const raw = text.slice(index + 1, end - 1);
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        visitor.key?.(path, frame.keys!, key, index);
        path[path.length - 1] = key;
        expectingKey = false;
      }
      index = end;
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      const object = char === OPEN_BRACE;
      frames.push({ object, keys: object && visitor.key ? new Set() : undefined, index: 0 });
      path.push(object ? "" : "0");
      expectingKey = object;
      index++;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      frames.pop();
      path.pop();
      index++;
      if (frames.length === 0) return;
    } else if (char === COMMA) {
      const frame = frames[frames.length - 1]!;
      if (frame.object) expectingKey = true;
      else path[path.length - 1] = String(++frame.index);
      index++;
    } else if (char === 0x2d || (char >= 0x30 && char <= 0x39)) {
      NUMBER.lastIndex = index;
      const match = NUMBER.exec(text);
      const literal = match ? match[0] : text[index]!;
      visitor.number?.(path, literal);
      index += literal.length;
    } else {
      index++;
    }
  }
}

import type { ChalkInstance } from "chalk";
import { printableJson } from "../printable.js";
import { depthExcessOffset, lossyNumbers } from "../sources/json-checks.js";
import { displayWidth, PIPED_WIDTH, wrap } from "./wrap.js";

/**
 * Numbers as written in the source, by JSON pointer relative to the value being rendered: only those a
 * double cannot hold as written (1e400, -0, 12345678901234567890), which would otherwise print changed.
 */
export type NumberLiterals = ReadonlyMap<string, string>;

/** Widest value put on one line. */
const COMPACT_WIDTH = 90;
/**
 * From this indentation on, a value is put on one line (wrapped) whatever its length: indenting every level
 * of a value nested a thousand deep would print half a million columns of spaces for a few kilobytes.
 */
const MAX_INDENT = 40;

/** What marks a string shown decoded. */
export const JSON_STRING_MARK = "(JSON string)";
/** A string nesting deeper than this is shown as the string: no real payload does, a hostile one might. */
const MAX_DECODED_DEPTH = 64;
/** Longer strings are shown as they are (SQS's largest message is 1 MiB; a string is 2 bytes a character). */
const MAX_DECODED_LENGTH = 1024 * 1024;
/** JSON strings inside JSON strings inside ...: decoded this many levels deep, then shown as strings. */
const MAX_DECODED_LEVELS = 4;

export interface JsonLayout {
  /** Columns the value may take, counted from its block's indentation. Default: 100. */
  width?: number;
  /** A string holding a JSON object or array is shown decoded and marked (default true). */
  decodeStrings?: boolean;
  /** Columns already taken on the value's first line (a label before it): a one-line form must fit after them. */
  used?: number;
}

interface Settings {
  colors: ChalkInstance;
  numbers: NumberLiterals | undefined;
  width: number;
  /** How many more levels of JSON strings may be decoded. */
  decodes: number;
}

/** The value of a string that holds a JSON object or array, with the numbers it writes that a double changes. */
export interface DecodedString {
  value: unknown;
  numbers: NumberLiterals | undefined;
}

/**
 * The value a string holds when it is a JSON object or array; undefined when it only looks like one (it does
 * not parse), is empty of structure, nests absurdly or is too long to be worth decoding.
 */
export function decodeJsonString(text: string): DecodedString | undefined {
  if (text.length < 2 || text.length > MAX_DECODED_LENGTH || !looksLikeJson(text)) return undefined;
  if (depthExcessOffset(text, MAX_DECODED_DEPTH) !== -1) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const numbers = lossyNumbers(text, 0);
  return { value, numbers: numbers.size > 0 ? numbers : undefined };
}

function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  const first = trimmed[0];
  const last = trimmed[trimmed.length - 1];
  return (first === "{" && last === "}") || (first === "[" && last === "]");
}

/**
 * Pretty JSON with colored keys and values; plain when colors are off. Strings are JSON-escaped, and the
 * controls JSON.stringify leaves raw (DEL, C1, bidi) are escaped too, so a payload cannot drive the terminal.
 * A string that holds a JSON object or array is shown decoded, marked `(JSON string)` after its key. Lines
 * longer than the width are wrapped, their continuation indented under the value.
 */
export function prettyJson(
  value: unknown,
  colors: ChalkInstance,
  indent = "",
  numbers?: NumberLiterals,
  pointer = "",
  layout: JsonLayout = {},
): string {
  const settings: Settings = {
    colors,
    numbers,
    width: layout.width ?? PIPED_WIDTH,
    decodes: layout.decodeStrings === false ? 0 : MAX_DECODED_LEVELS,
  };
  return pretty(value, settings, indent, pointer, layout.used ?? indent.length);
}

/** `used`: the columns before the value on its first line, for the choice of the one-line form. */
function pretty(value: unknown, settings: Settings, indent: string, pointer: string, used: number): string {
  const { colors, numbers } = settings;
  if (value === undefined) return colors.dim("(absent)");
  if (value === null) return colors.dim("null");
  if (typeof value === "string") {
    const decoded = settings.decodes > 0 ? decodeJsonString(value) : undefined;
    if (!decoded) return colors.green(quote(value));
    const mark = `${colors.dim(JSON_STRING_MARK)} `;
    return `${mark}${prettyDecoded(decoded, settings, indent, used + JSON_STRING_MARK.length + 1)}`;
  }
  if (typeof value === "number") return colors.yellow(numberText(value, numbers, pointer));
  if (typeof value === "bigint" || typeof value === "boolean") return colors.yellow(String(value));
  // On one line when it fits after what precedes it, and is short enough to read at a glance.
  const compactWidth = Math.min(COMPACT_WIDTH, settings.width - used);
  if (indent.length >= MAX_INDENT || compactLength(value, compactWidth) <= compactWidth) {
    return colorCompact(value, settings, pointer);
  }
  const inner = `${indent}  `;
  const child = (key: string | number) => (numbers ? `${pointer}/${escapePointer(String(key))}` : "");
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item, index) => entry(inner, "", item, settings, child(index)));
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  const lines = entries.map(([key, item]) =>
    entry(inner, `${colors.cyan(quote(key))}: `, item, settings, child(key)),
  );
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

/** One member or item: a decoded string gets its mark after the key; a one-line value is wrapped. */
function entry(inner: string, key: string, item: unknown, settings: Settings, pointer: string): string {
  if (typeof item === "string" && settings.decodes > 0) {
    const decoded = decodeJsonString(item);
    if (decoded) {
      const mark = settings.colors.dim(JSON_STRING_MARK);
      const head = key ? `${key.slice(0, -2)} ${mark}: ` : `${mark} `;
      const prefix = `${inner}${head}`;
      return fitted(inner, prefix, prettyDecoded(decoded, settings, inner, displayWidth(prefix)), settings);
    }
  }
  const prefix = `${inner}${key}`;
  return fitted(inner, prefix, pretty(item, settings, inner, pointer, displayWidth(prefix)), settings);
}

/** A value after its key: a one-line value (a long string) is wrapped, a laid-out one left as it is. */
function fitted(inner: string, prefix: string, text: string, settings: Settings): string {
  if (text.includes("\n")) return `${prefix}${text}`;
  // One column is kept for the comma that may follow.
  const width = settings.width - 1;
  return wrap(prefix, text, width, hangingIndent(inner, displayWidth(prefix), width));
}

/** Continuation lines start under the value when that leaves room, else two columns in from the key. */
function hangingIndent(inner: string, valueColumn: number, width: number): string {
  return valueColumn <= width / 2 ? " ".repeat(valueColumn) : `${inner}  `;
}

function prettyDecoded(decoded: DecodedString, settings: Settings, indent: string, used: number): string {
  const inside: Settings = { ...settings, numbers: decoded.numbers, decodes: settings.decodes - 1 };
  return pretty(decoded.value, inside, indent, "", used);
}

/** Indents every line of a block. */
export function indentBlock(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : prefix + line))
    .join("\n");
}

function quote(text: string): string {
  return printableJson(JSON.stringify(text));
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * JSON.stringify's text of a parsed value, except that the numbers in `numbers` (by pointer) are written as
 * the source wrote them: 1e400, -0 and 12345678901234567890 survive a round trip through `--json`. Only the
 * branches that lead to such a number are walked; the rest is JSON.stringify's own. Undefined where
 * JSON.stringify gives undefined.
 */
export function stringifyWithNumbers(
  value: unknown,
  numbers: NumberLiterals | undefined,
): string | undefined {
  if (!numbers || numbers.size === 0) return JSON.stringify(value);
  // Every pointer on the way to a literal: elsewhere JSON.stringify writes the branch.
  const onTheWay = new Set<string>();
  for (const pointer of numbers.keys()) {
    for (let end = pointer.lastIndexOf("/"); end > 0; end = pointer.lastIndexOf("/", end - 1)) {
      onTheWay.add(pointer.slice(0, end));
    }
    onTheWay.add("");
  }
  const write = (current: unknown, pointer: string): string | undefined => {
    if (typeof current === "number") {
      // As numberText: the literal only if it is the number at hand.
      const literal = numbers.get(pointer);
      return literal !== undefined && Object.is(Number(literal), current) ? literal : JSON.stringify(current);
    }
    if (!onTheWay.has(pointer) || current === null || typeof current !== "object")
      return JSON.stringify(current);
    if (Array.isArray(current)) {
      return `[${current.map((item, index) => write(item, `${pointer}/${index}`) ?? "null").join(",")}]`;
    }
    const members: string[] = [];
    for (const key of Object.keys(current)) {
      const text = write((current as Record<string, unknown>)[key], `${pointer}/${escapePointer(key)}`);
      if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${members.join(",")}}`;
  };
  return write(value, "");
}

/** A number as the source wrote it when the parsed double would print otherwise. */
function numberText(value: number, numbers: NumberLiterals | undefined, pointer: string): string {
  const literal = numbers?.get(pointer);
  // The literal is used only if it is the number at hand: a wrong lookup must never show a wrong number.
  if (literal !== undefined && Object.is(Number(literal), value)) return literal;
  return String(value);
}

/**
 * The length of the one-line form (JSON with a space after each colon and comma, and inside braces),
 * counted without recursion and given up on past `limit`: deciding whether a value fits on one line must
 * not serialise it whole at every level (or overflow the stack). A string that may be shown decoded counts
 * its mark too.
 */
function compactLength(value: unknown, limit: number): number {
  let length = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || current === undefined) length += 4;
    else if (typeof current === "string")
      length +=
        current.length > limit
          ? limit + 1
          : quote(current).length + (looksLikeJson(current) ? JSON_STRING_MARK.length + 1 : 0);
    else if (typeof current === "number") length += Number.isFinite(current) ? String(current).length : 4;
    else if (typeof current === "boolean") length += current ? 4 : 5;
    else if (typeof current === "bigint") length += String(current).length;
    else if (Array.isArray(current)) {
      // "[a, b]": the brackets, and ", " between items.
      length += 2 + 2 * Math.max(0, current.length - 1);
      for (let index = 0; index < current.length && length <= limit; index++) pending.push(current[index]);
    } else if (typeof current === "object") {
      const keys = Object.keys(current);
      // "{ "k": v, ... }" or "{}": the braces and their spaces, ", " between members.
      length += keys.length === 0 ? 2 : 4 + 2 * (keys.length - 1);
      for (let index = 0; index < keys.length && length <= limit; index++) {
        const key = keys[index]!;
        length += quote(key).length + 2;
        pending.push((current as Record<string, unknown>)[key]);
      }
    }
    if (length > limit) return length;
  }
  return length;
}

/** A short object or array on one line, colored like the long form; decoded strings marked likewise. */
function colorCompact(value: unknown, settings: Settings, pointer: string): string {
  const { colors, numbers } = settings;
  const mark = colors.dim(JSON_STRING_MARK);
  if (value === null || typeof value !== "object") {
    const decoded = decodedMember(value, settings);
    if (decoded) return `${mark} ${decoded}`;
    return pretty(value, { ...settings, decodes: 0 }, "", pointer, 0);
  }
  const child = (key: string | number) => (numbers ? `${pointer}/${escapePointer(String(key))}` : "");
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => colorCompact(item, settings, child(index))).join(", ")}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  const members = entries.map(([key, item]) => {
    const decoded = decodedMember(item, settings);
    // The mark goes after the key, as in the long form.
    if (decoded) return `${colors.cyan(quote(key))} ${mark}: ${decoded}`;
    return `${colors.cyan(quote(key))}: ${colorCompact(item, settings, child(key))}`;
  });
  return `{ ${members.join(", ")} }`;
}

/** A string's decoded value on one line, or undefined when it is shown as a string. */
function decodedMember(value: unknown, settings: Settings): string | undefined {
  if (typeof value !== "string" || settings.decodes <= 0) return undefined;
  const decoded = decodeJsonString(value);
  if (!decoded) return undefined;
  const inside: Settings = { ...settings, numbers: decoded.numbers, decodes: settings.decodes - 1 };
  return colorCompact(decoded.value, inside, "");
}

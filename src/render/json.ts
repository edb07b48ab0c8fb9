import type { ChalkInstance } from "chalk";
import { printableJson } from "../printable.js";

/**
 * Numbers as written in the source, by JSON pointer relative to the value being rendered: only those a
 * double cannot hold as written (1e400, -0, 12345678901234567890), which would otherwise print changed.
 */
export type NumberLiterals = ReadonlyMap<string, string>;

/** Widest value put on one line. */
const COMPACT_WIDTH = 90;

/**
 * Pretty JSON with colored keys and values; plain when colors are off. Strings are JSON-escaped, and the
 * controls JSON.stringify leaves raw (DEL, C1, bidi) are escaped too, so a payload cannot drive the terminal.
 */
export function prettyJson(
  value: unknown,
  colors: ChalkInstance,
  indent = "",
  numbers?: NumberLiterals,
  pointer = "",
): string {
  if (value === undefined) return colors.dim("(absent)");
  if (value === null) return colors.dim("null");
  if (typeof value === "string") return colors.green(quote(value));
  if (typeof value === "number") return colors.yellow(numberText(value, numbers, pointer));
  if (typeof value === "bigint" || typeof value === "boolean") return colors.yellow(String(value));
  if (indent.length < 40 && compactLength(value, COMPACT_WIDTH) <= COMPACT_WIDTH) {
    return colorCompact(value, colors, numbers, pointer);
  }
  const inner = `${indent}  `;
  const child = (key: string | number) => (numbers ? `${pointer}/${escapePointer(String(key))}` : "");
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map(
      (item, index) => `${inner}${prettyJson(item, colors, inner, numbers, child(index))}`,
    );
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  const lines = entries.map(
    ([key, item]) =>
      `${inner}${colors.cyan(quote(key))}: ${prettyJson(item, colors, inner, numbers, child(key))}`,
  );
  return `{\n${lines.join(",\n")}\n${indent}}`;
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

/** A number as the source wrote it when the parsed double would print otherwise. */
function numberText(value: number, numbers: NumberLiterals | undefined, pointer: string): string {
  const literal = numbers?.get(pointer);
  // The literal is used only if it is the number at hand: a wrong lookup must never show a wrong number.
  if (literal !== undefined && Object.is(Number(literal), value)) return literal;
  return String(value);
}

/**
 * The length of JSON.stringify(value), counted without recursion and given up on past `limit`: deciding
 * whether a value fits on one line must not serialise it whole at every level (or overflow the stack).
 */
function compactLength(value: unknown, limit: number): number {
  let length = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || current === undefined) length += 4;
    else if (typeof current === "string")
      length += current.length > limit ? limit + 1 : quote(current).length;
    else if (typeof current === "number") length += Number.isFinite(current) ? String(current).length : 4;
    else if (typeof current === "boolean") length += current ? 4 : 5;
    else if (typeof current === "bigint") length += String(current).length;
    else if (Array.isArray(current)) {
      length += 2 + Math.max(0, current.length - 1);
      for (let index = 0; index < current.length && length <= limit; index++) pending.push(current[index]);
    } else if (typeof current === "object") {
      const keys = Object.keys(current);
      length += 2 + Math.max(0, keys.length - 1);
      for (let index = 0; index < keys.length && length <= limit; index++) {
        const key = keys[index]!;
        length += quote(key).length + 1;
        pending.push((current as Record<string, unknown>)[key]);
      }
    }
    if (length > limit) return length;
  }
  return length;
}

/** A short object or array on one line, colored like the long form. */
function colorCompact(
  value: unknown,
  colors: ChalkInstance,
  numbers: NumberLiterals | undefined,
  pointer: string,
): string {
  if (value === null || typeof value !== "object") return prettyJson(value, colors, "", numbers, pointer);
  const child = (key: string | number) => (numbers ? `${pointer}/${escapePointer(String(key))}` : "");
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => colorCompact(item, colors, numbers, child(index))).join(", ")}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{ ${entries.map(([key, item]) => `${colors.cyan(quote(key))}: ${colorCompact(item, colors, numbers, child(key))}`).join(", ")} }`;
}

import type { ChalkInstance } from "chalk";

/** Pretty JSON with colored keys and values; plain when colors are off. */
export function prettyJson(value: unknown, colors: ChalkInstance, indent = ""): string {
  if (value === undefined) return colors.dim("(absent)");
  if (value === null) return colors.dim("null");
  if (typeof value === "string") return colors.green(JSON.stringify(value));
  if (typeof value === "number" || typeof value === "bigint") return colors.yellow(String(value));
  if (typeof value === "boolean") return colors.yellow(String(value));
  const compact = JSON.stringify(value);
  if (compact.length <= 90 && indent.length < 40) return colorCompact(value, colors);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item) => `${inner}${prettyJson(item, colors, inner)}`);
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  const lines = entries.map(
    ([key, item]) => `${inner}${colors.cyan(JSON.stringify(key))}: ${prettyJson(item, colors, inner)}`,
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

/** A short object or array on one line, colored like the long form. */
function colorCompact(value: unknown, colors: ChalkInstance): string {
  if (value === null || typeof value !== "object") return prettyJson(value, colors);
  if (Array.isArray(value)) return `[${value.map((item) => colorCompact(item, colors)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{ ${entries.map(([key, item]) => `${colors.cyan(JSON.stringify(key))}: ${colorCompact(item, colors)}`).join(", ")} }`;
}

/**
 * JSON text rewritten without going through JavaScript values: numbers keep their spelling (1.0, 1e3,
 * integers beyond 2^53) and strings their escapes, as when AWS services pass a payload along. Only
 * whitespace and, on request, key order change. Input must already be valid JSON (checked by the caller).
 */
export type JsonNode =
  | { type: "object"; entries: Array<{ rawKey: string; key: string; value: JsonNode }> }
  | { type: "array"; items: JsonNode[] }
  | { type: "literal"; text: string };

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

export function parseJsonText(text: string): JsonNode {
  let index = 0;
  const skip = () => {
    while (index < text.length && WHITESPACE.has(text[index]!)) index++;
  };
  const stringEnd = (start: number): number => {
    let cursor = start + 1;
    while (text[cursor] !== '"') cursor += text[cursor] === "\\" ? 2 : 1;
    return cursor + 1;
  };
  const value = (): JsonNode => {
    skip();
    const char = text[index];
    if (char === "{") {
      index++;
      const entries: Array<{ rawKey: string; key: string; value: JsonNode }> = [];
      skip();
      if (text[index] === "}") {
        index++;
        return { type: "object", entries };
      }
      for (;;) {
        skip();
        const end = stringEnd(index);
        const rawKey = text.slice(index, end);
        index = end;
        skip();
        index++; // ":"
        entries.push({ rawKey, key: JSON.parse(rawKey) as string, value: value() });
        skip();
        if (text[index++] === "}") return { type: "object", entries };
      }
    }
    if (char === "[") {
      index++;
      const items: JsonNode[] = [];
      skip();
      if (text[index] === "]") {
        index++;
        return { type: "array", items };
      }
      for (;;) {
        items.push(value());
        skip();
        if (text[index++] === "]") return { type: "array", items };
      }
    }
    const start = index;
    if (char === '"') index = stringEnd(index);
    else while (index < text.length && !/[\s,\]}]/.test(text[index]!)) index++;
    return { type: "literal", text: text.slice(start, index) };
  };
  const root = value();
  skip();
  if (index !== text.length) throw new Error("trailing text after the JSON value");
  return root;
}

export function compactNode(node: JsonNode): string {
  switch (node.type) {
    case "literal":
      return node.text;
    case "array":
      return `[${node.items.map(compactNode).join(",")}]`;
    case "object":
      return `{${node.entries.map((entry) => `${entry.rawKey}:${compactNode(entry.value)}`).join(",")}}`;
  }
}

/** JSON.stringify's layout (`indent` spaces, `separator` between key and value), literals untouched. */
export function prettyNode(node: JsonNode, indent: number, separator = ": ", depth = 0): string {
  if (node.type === "literal") return node.text;
  const inner = " ".repeat(indent * (depth + 1));
  const outer = " ".repeat(indent * depth);
  if (node.type === "array") {
    if (node.items.length === 0) return "[]";
    const items = node.items.map((item) => inner + prettyNode(item, indent, separator, depth + 1));
    return `[\n${items.join(",\n")}\n${outer}]`;
  }
  if (node.entries.length === 0) return "{}";
  const entries = node.entries.map(
    (entry) => `${inner}${entry.rawKey}${separator}${prettyNode(entry.value, indent, separator, depth + 1)}`,
  );
  return `{\n${entries.join(",\n")}\n${outer}}`;
}

/** The same tree with every object's keys in code-unit order, as EventBridge writes an event's detail. */
export function sortKeys(node: JsonNode): JsonNode {
  if (node.type === "literal") return node;
  if (node.type === "array") return { type: "array", items: node.items.map(sortKeys) };
  const entries = [...node.entries]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => ({ ...entry, value: sortKeys(entry.value) }));
  return { type: "object", entries };
}

/** Valid JSON text without its insignificant whitespace. */
export function compactJsonText(text: string): string {
  return compactNode(parseJsonText(text));
}

/** True when the text has a line break outside its strings (JSON strings cannot hold raw ones). */
export function spansLines(text: string): boolean {
  return text.includes("\n") || text.includes("\r");
}

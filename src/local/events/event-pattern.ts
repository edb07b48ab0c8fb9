/**
 * EventBridge's event-pattern grammar: a pattern is compiled once (refused with AWS's
 * InvalidEventPatternException messages when it is not valid) and then tested against events.
 *
 * Semantics, as AWS documents them ("Amazon EventBridge event patterns" and "Content filtering in Amazon
 * EventBridge event patterns", and the AWS-recorded TestEventPattern answers of its rule engine):
 *   - every field of the pattern must match (AND); a field's array lists alternatives (OR);
 *   - a leaf in the event that is an array matches when any of its values matches;
 *   - objects nest; inside an array of objects one element must match the whole nested pattern;
 *   - `null` and `""` are values like others; a missing field matches nothing but `{"exists": false}`;
 *   - operators: prefix, suffix (each also with equals-ignore-case), equals-ignore-case, wildcard,
 *     anything-but (a value, a list, or prefix/suffix/wildcard/equals-ignore-case, single or list),
 *     numeric ranges, exists, cidr, and `$or` between objects at any level.
 */

export class InvalidEventPatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = "InvalidEventPatternError";
  }
}

type Leaf = string | number | boolean | null;

type Matcher =
  | { kind: "exact"; value: Leaf }
  | { kind: "prefix"; value: string; ignoreCase: boolean }
  | { kind: "suffix"; value: string; ignoreCase: boolean }
  | { kind: "equals-ignore-case"; value: string }
  | { kind: "wildcard"; test: (text: string) => boolean }
  | { kind: "anything-but"; test: (leaf: Leaf) => boolean }
  | { kind: "numeric"; test: (value: number) => boolean }
  | { kind: "exists"; value: boolean }
  | { kind: "cidr"; test: (leaf: string) => boolean };

interface ObjectPattern {
  fields: Array<{ key: string; sub: ObjectPattern | Matcher[] }>;
  /** Each `$or` member: one of its branches must match. */
  ors: ObjectPattern[][];
}

export interface EventPattern {
  matches(event: unknown): boolean;
}

/** Parses and validates a pattern; throws InvalidEventPatternError with AWS's reason. */
export function compileEventPattern(text: string): EventPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // AWS quotes its JSON parser's own message here; ours differs in wording.
    throw new InvalidEventPatternError(error instanceof Error ? error.message : "malformed JSON");
  }
  if (!isPlainObject(parsed)) throw new InvalidEventPatternError("Filter is not an object");
  // Not AWS's (whose patterns are capped by size): keeps the compiler's recursion within the stack.
  if (jsonDepth(parsed) > MAX_DEPTH)
    throw new InvalidEventPatternError(`Filter is nested more than ${MAX_DEPTH} levels deep`);
  const compiled = compileObject(parsed, false);
  return { matches: (event) => matchObject(compiled, event) };
}

/** The reason a pattern is refused, or undefined when it is valid. */
export function eventPatternProblem(text: string): string | undefined {
  try {
    compileEventPattern(text);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error.message;
    throw error;
  }
}

/** PutEvents "will only process nested JSON up to 1100 levels deep" (the PutEvents API reference). */
export const MAX_DEPTH = 1100;

/** How deep a JSON value nests (a scalar is 0), without recursion. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== "object" || current === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current))
      stack.push([child, depth + 1]);
  }
  return deepest;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function compileObject(pattern: Record<string, unknown>, insideOr: boolean): ObjectPattern {
  const result: ObjectPattern = { fields: [], ors: [] };
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new InvalidEventPatternError("Empty objects are not allowed");
  for (const key of keys) {
    const value = pattern[key];
    if (key === "$or") {
      if (!Array.isArray(value)) throw new InvalidEventPatternError("It must be an Array followed with $or.");
      const branches: ObjectPattern[] = [];
      for (const branch of value) {
        if (!isPlainObject(branch))
          throw new InvalidEventPatternError("Only JSON object is allowed in array of $or relationship.");
        branches.push(compileObject(branch, true));
      }
      if (branches.length < 2)
        throw new InvalidEventPatternError("There must have at least 2 Objects in $or relationship.");
      result.ors.push(branches);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key))
      throw new InvalidEventPatternError(
        `${key} is Ruler reserved fieldName which cannot be used inside $or.`,
      );
    if (isPlainObject(value)) result.fields.push({ key, sub: compileObject(value, insideOr) });
    else if (Array.isArray(value)) result.fields.push({ key, sub: compileValues(value) });
    else throw new InvalidEventPatternError(`"${key}" must be an object or an array`);
  }
  return result;
}

const RESERVED_IN_OR = new Set([
  "anything-but",
  "numeric",
  "prefix",
  "suffix",
  "equals-ignore-case",
  "exists",
  "cidr",
  "wildcard",
]);

function compileValues(values: unknown[]): Matcher[] {
  const matchers: Matcher[] = [];
  for (const value of values) {
    if (isPlainObject(value)) matchers.push(compileOperator(value));
    else if (
      value === null ||
      typeof value === "string" ||
      typeof value === "number" ||
      typeof value === "boolean"
    )
      matchers.push({ kind: "exact", value });
    else throw new InvalidEventPatternError("Match value must be String, number, true, false, or null");
  }
  if (matchers.length === 0) throw new InvalidEventPatternError("Empty arrays are not allowed");
  return matchers;
}

function onlyKey(expression: Record<string, unknown>): [string, unknown] {
  const keys = Object.keys(expression);
  if (keys.length === 0) throw new InvalidEventPatternError("Match expression name not found");
  const name = keys[0]!;
  // The rule engine reads the operator first and then refuses whatever follows it.
  const value = expression[name];
  return [name, value];
}

function requireSingleKey(expression: Record<string, unknown>, numeric = false): void {
  if (Object.keys(expression).length > 1)
    throw new InvalidEventPatternError(
      numeric ? "Too many elements in numeric expression" : "Only one key allowed in match expression",
    );
}

function compileOperator(expression: Record<string, unknown>): Matcher {
  const [name, value] = onlyKey(expression);
  switch (name) {
    case "prefix":
    case "suffix": {
      let ignoreCase = false;
      let text = value;
      if (isPlainObject(value) && Object.keys(value)[0] === "equals-ignore-case") {
        ignoreCase = true;
        text = value["equals-ignore-case"];
        if (typeof text !== "string")
          throw new InvalidEventPatternError("equals-ignore-case match pattern must be a string");
        requireSingleKey(value);
      } else if (typeof text !== "string") {
        throw new InvalidEventPatternError(`${name} match pattern must be a string`);
      }
      requireSingleKey(expression);
      return { kind: name, value: ignoreCase ? fold(text as string) : (text as string), ignoreCase };
    }
    case "equals-ignore-case":
      if (typeof value !== "string")
        throw new InvalidEventPatternError("equals-ignore-case match pattern must be a string");
      requireSingleKey(expression);
      return { kind: "equals-ignore-case", value: fold(value) };
    case "wildcard":
      if (typeof value !== "string")
        throw new InvalidEventPatternError("wildcard match pattern must be a string");
      requireSingleKey(expression);
      return { kind: "wildcard", test: compileWildcard(value) };
    case "exists":
      if (typeof value !== "boolean")
        throw new InvalidEventPatternError("exists match pattern must be either true or false.");
      requireSingleKey(expression);
      return { kind: "exists", value };
    case "numeric":
      if (!Array.isArray(value)) throw new InvalidEventPatternError("Value of numeric must be an array.");
      requireSingleKey(expression, true);
      return { kind: "numeric", test: compileNumeric(value) };
    case "cidr":
      if (typeof value !== "string")
        throw new InvalidEventPatternError("prefix match pattern must be a string");
      requireSingleKey(expression);
      return { kind: "cidr", test: compileCidr(value) };
    case "anything-but":
      requireSingleKey(expression, true);
      return { kind: "anything-but", test: compileAnythingBut(value) };
    default:
      throw new InvalidEventPatternError(`Unrecognized match type ${name}`);
  }
}

/** Case folding for equals-ignore-case: both sides lower-cased after upper-casing (covers ß/ẞ-like pairs). */
function fold(text: string): string {
  return text.toUpperCase().toLowerCase();
}

function compileAnythingBut(value: unknown): (leaf: Leaf) => boolean {
  if (isPlainObject(value)) {
    const [operator, operand] = onlyKey(value);
    if (operator === "equals-ignore-case") {
      const list = Array.isArray(operand) ? operand : [operand];
      if (list.length === 0 || list.some((item) => typeof item !== "string"))
        throw new InvalidEventPatternError(
          "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        );
      requireSingleKey(value, true);
      const folded = new Set(list.map((item) => fold(item as string)));
      return (leaf) => typeof leaf !== "string" || !folded.has(fold(leaf));
    }
    if (operator === "prefix" || operator === "suffix" || operator === "wildcard") {
      if (isPlainObject(operand))
        throw new InvalidEventPatternError(
          "Value of anything-but must be an array or single string/number value.",
        );
      const list = Array.isArray(operand) ? operand : [operand];
      const label = operator === "wildcard" ? "wildcard" : "prefix/suffix";
      if (list.length === 0 || list.some((item) => typeof item !== "string"))
        throw new InvalidEventPatternError(`${label} match pattern must be a string`);
      if (operator !== "wildcard" && list.some((item) => item === ""))
        throw new InvalidEventPatternError("Null prefix/suffix not allowed");
      requireSingleKey(value);
      const texts = list as string[];
      if (operator === "wildcard") {
        const tests = texts.map(compileWildcard);
        return (leaf) => typeof leaf !== "string" || !tests.some((test) => test(leaf));
      }
      if (operator === "prefix")
        return (leaf) => typeof leaf !== "string" || !texts.some((t) => leaf.startsWith(t));
      return (leaf) => typeof leaf !== "string" || !texts.some((t) => leaf.endsWith(t));
    }
    throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${operator}`);
  }
  if (Array.isArray(value)) {
    let strings = 0;
    let numbers = 0;
    for (const item of value) {
      if (typeof item === "string") strings++;
      else if (typeof item === "number") numbers++;
      else
        throw new InvalidEventPatternError("Inside anything but list, start|null|boolean is not supported.");
    }
    if (strings > 0 === numbers > 0)
      throw new InvalidEventPatternError(
        "Inside anything but list, either all values are number or string, mixed type is not supported",
      );
    const excluded = new Set<Leaf>(value as Leaf[]);
    return (leaf) => !excluded.has(leaf);
  }
  if (typeof value === "string" || typeof value === "number") return (leaf) => leaf !== value;
  throw new InvalidEventPatternError("Value of anything-but must be an array or single string/number value.");
}

function compileNumeric(terms: unknown[]): (value: number) => boolean {
  const first = terms[0];
  if (typeof first !== "string")
    throw new InvalidEventPatternError(`Invalid member in numeric match: ${String(first)}`);
  const numberAt = (index: number, operator: string): number => {
    const value = terms[index];
    if (typeof value !== "number")
      throw new InvalidEventPatternError(
        `Value of ${operator === "=" ? "equals" : operator} must be numeric`,
      );
    return value;
  };
  const tests: Array<(value: number) => boolean> = [];
  const comparison = (operator: string, bound: number): ((value: number) => boolean) => {
    switch (operator) {
      case "=":
        return (value) => value === bound;
      case ">":
        return (value) => value > bound;
      case ">=":
        return (value) => value >= bound;
      case "<":
        return (value) => value < bound;
      default:
        return (value) => value <= bound;
    }
  };
  if (!["=", ">", ">=", "<", "<="].includes(first))
    throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${first}`);
  const bound = numberAt(1, first);
  tests.push(comparison(first, bound));
  if (terms.length > 2) {
    if (first === "=" || first === "<" || first === "<=")
      throw new InvalidEventPatternError("Too many elements in numeric expression");
    const second = terms[2];
    if (typeof second !== "string")
      throw new InvalidEventPatternError(`Bad value in numeric range: ${String(second)}`);
    if (second !== "<" && second !== "<=")
      throw new InvalidEventPatternError(`Bad numeric range operator: ${second}`);
    tests.push(comparison(second, numberAt(3, second)));
    if (terms.length > 4) throw new InvalidEventPatternError("Too many terms in numeric range expression");
  }
  return (value) => tests.every((test) => test(value));
}

/**
 * A wildcard value as a test: `*` matches any run of characters, `\*` a star and `\\` a backslash. Two stars
 * in a row are refused as AWS refuses them (the position is the second star's). Matching is by literal
 * segments (the first anchored at the start, the last at the end, the others found left to right), so a
 * value with many stars costs linear scans, never a regular expression's backtracking.
 */
function compileWildcard(pattern: string): (text: string) => boolean {
  const segments: string[] = [""];
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === "\\") {
      const next = pattern[index + 1];
      if (next === "*" || next === "\\") {
        segments[segments.length - 1] += next;
        index++;
        continue;
      }
      throw new InvalidEventPatternError(`Invalid escape character at pos ${index + 1}`);
    }
    if (char === "*") {
      if (pattern[index + 1] === "*")
        throw new InvalidEventPatternError(`Consecutive wildcard characters at pos ${index + 1}`);
      segments.push("");
      continue;
    }
    segments[segments.length - 1] += char;
  }
  if (segments.length === 1) return (text) => text === segments[0];
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1);
  return (text) => {
    if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last))
      return false;
    let position = first.length;
    const end = text.length - last.length;
    for (const segment of middle) {
      const found = text.indexOf(segment, position);
      if (found < 0 || found + segment.length > end) return false;
      position = found + segment.length;
    }
    return true;
  };
}

function compileCidr(text: string): (leaf: string) => boolean {
  const parts = text.split("/");
  if (parts.length !== 2) throw new InvalidEventPatternError("Malformed CIDR, one '/' required");
  const [address, maskText] = parts as [string, string];
  if (!/^\d+$/.test(maskText))
    throw new InvalidEventPatternError("Malformed CIDR, mask bits must be an integer");
  const bytes = ipBytes(address);
  if (!bytes) throw new InvalidEventPatternError(`Nonstandard IP address: ${address}`);
  const mask = Number(maskText);
  if (mask > bytes.length * 8)
    throw new InvalidEventPatternError(`Malformed CIDR, mask bits must be between 0 and ${bytes.length * 8}`);
  return (leaf) => {
    const candidate = ipBytes(leaf);
    if (!candidate || candidate.length !== bytes.length) return false;
    for (let bit = 0; bit < mask; bit++) {
      const byte = bit >> 3;
      const shift = 7 - (bit & 7);
      if (((candidate[byte]! >> shift) & 1) !== ((bytes[byte]! >> shift) & 1)) return false;
    }
    return true;
  };
}

/** The bytes of an IPv4 (4) or IPv6 (16) address in its standard text forms, or undefined. */
export function ipBytes(text: string): number[] | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const bytes = text.split(".").map(Number);
    return bytes.every((byte) => byte <= 255) ? bytes : undefined;
  }
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(":")) return undefined;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    // An IPv4 tail (::ffff:10.0.0.1) is the last two groups.
    const v4 = ipBytes(tail);
    if (v4?.length !== 4) return undefined;
    const hex = (high: number, low: number) => ((high << 8) | low).toString(16);
    return ipBytes(`${text.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`);
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (groups.some((group) => !/^[0-9A-Fa-f]{1,4}$/.test(group))) return undefined;
  const bytes: number[] = [];
  for (const group of groups) {
    const value = Number.parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes;
}

// ---- matching ----

function matchObject(pattern: ObjectPattern, value: unknown): boolean {
  const object = isPlainObject(value) ? value : undefined;
  for (const { key, sub } of pattern.fields) {
    const found = object ? lookup(object, key) : [];
    if (Array.isArray(sub)) {
      if (!matchLeaves(sub, found)) return false;
    } else if (!matchNested(sub, found, object, key)) return false;
  }
  return pattern.ors.every((branches) => branches.some((branch) => matchObject(branch, object)));
}

/**
 * The values at `key` in `object`. AWS's rule engine joins nested field names with dots, so a pattern field
 * "state.status" also reaches {"state": {"status": ...}} (through arrays of objects too).
 */
function lookup(object: Record<string, unknown>, key: string): unknown[] {
  const found: unknown[] = [];
  for (const [name, child] of Object.entries(object)) {
    if (name === key) found.push(child);
    else if (key.startsWith(`${name}.`)) {
      const rest = key.slice(name.length + 1);
      for (const inner of objectsIn(child)) found.push(...lookup(inner, rest));
    }
  }
  return found;
}

function objectsIn(value: unknown): Record<string, unknown>[] {
  if (isPlainObject(value)) return [value];
  return Array.isArray(value) ? flatten(value).filter(isPlainObject) : [];
}

/**
 * A nested pattern: one object at the field (or one element of an array of objects) must match all of it.
 * Event fields whose names continue the key with a dot ({"state.status": ...} for a pattern's
 * {"state": {"status": ...}}) form one more candidate.
 */
function matchNested(
  pattern: ObjectPattern,
  found: unknown[],
  object: Record<string, unknown> | undefined,
  key: string,
): boolean {
  const candidates = found.flatMap(objectsIn);
  if (object) {
    const dotted: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(object))
      if (name.startsWith(`${key}.`)) dotted[name.slice(key.length + 1)] = child;
    if (Object.keys(dotted).length > 0) candidates.push(dotted);
  }
  if (candidates.length === 0) return matchObject(pattern, undefined);
  return candidates.some((candidate) => matchObject(pattern, candidate));
}

function flatten(values: unknown[]): unknown[] {
  return values.flatMap((value) => (Array.isArray(value) ? flatten(value) : [value]));
}

function matchLeaves(matchers: Matcher[], found: unknown[]): boolean {
  const leaves: Leaf[] = [];
  for (const field of found) {
    if (isPlainObject(field)) continue;
    if (Array.isArray(field)) {
      for (const value of flatten(field)) if (!isPlainObject(value)) leaves.push(value as Leaf);
    } else leaves.push(field as Leaf);
  }
  if (leaves.length === 0) return matchers.some((matcher) => matcher.kind === "exists" && !matcher.value);
  return matchers.some((matcher) => leaves.some((leaf) => matchLeaf(matcher, leaf)));
}

function matchLeaf(matcher: Matcher, leaf: Leaf): boolean {
  switch (matcher.kind) {
    case "exact":
      return leaf === matcher.value;
    case "prefix":
      return typeof leaf === "string" && (matcher.ignoreCase ? fold(leaf) : leaf).startsWith(matcher.value);
    case "suffix":
      return typeof leaf === "string" && (matcher.ignoreCase ? fold(leaf) : leaf).endsWith(matcher.value);
    case "equals-ignore-case":
      return typeof leaf === "string" && fold(leaf) === matcher.value;
    case "wildcard":
      return typeof leaf === "string" && matcher.test(leaf);
    case "anything-but":
      return matcher.test(leaf);
    case "numeric":
      return typeof leaf === "number" && matcher.test(leaf);
    case "exists":
      return matcher.value;
    case "cidr":
      return typeof leaf === "string" && matcher.test(leaf);
  }
}

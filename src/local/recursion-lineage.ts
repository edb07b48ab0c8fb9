import { createHash, randomBytes } from "node:crypto";

/**
 * How many times each function has run in one chain of requests, keyed by a short hash of the function's ARN.
 * Lambda carries the same count in the `Lineage` field of the X-Ray trace header (X-Amzn-Trace-Id, and an SQS
 * message's AWSTraceHeader), which the AWS SDKs inside a function copy from _X_AMZN_TRACE_ID onto every
 * request they send.
 */
export type Lineage = ReadonlyMap<string, number>;

export const EMPTY_LINEAGE: Lineage = new Map();

/** AWS stops the next invocation once a function has run this many times in one chain. */
export const RECURSION_LIMIT = 16;

/** Bounds on what is read from a header someone else wrote. */
const MAX_HEADER_LENGTH = 2048;
const MAX_ENTRIES = 32;

export function lineageKey(functionArn: string): string {
  return createHash("sha256").update(functionArn).digest("hex").slice(0, 8);
}

export function timesInvoked(lineage: Lineage, key: string): number {
  return lineage.get(key) ?? 0;
}

/** The lineage an invocation of `key` runs with: its own count one higher. */
export function withInvocation(lineage: Lineage, key: string): Lineage {
  const next = new Map(lineage);
  next.set(key, timesInvoked(lineage, key) + 1);
  return next;
}

/** The lineage of a batch (an SQS event): for each function, the longest chain any of its messages was in. */
export function mergeLineages(lineages: Iterable<Lineage>): Lineage {
  const merged = new Map<string, number>();
  for (const lineage of lineages) {
    for (const [key, count] of lineage) merged.set(key, Math.max(count, merged.get(key) ?? 0));
  }
  return merged;
}

/**
 * Reads `Lineage=` from a trace header, in either form seen from AWS (`hash:count|hash:count` and
 * `version:hash:count`). Anything malformed counts as no lineage, so a garbled header starts a new chain
 * rather than failing the request.
 */
export function lineageFromTraceHeader(header: string | undefined): Lineage {
  if (header === undefined || header.length > MAX_HEADER_LENGTH) return EMPTY_LINEAGE;
  const field = header
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith("Lineage="));
  if (field === undefined) return EMPTY_LINEAGE;
  const lineage = new Map<string, number>();
  for (const entry of field.slice("Lineage=".length).split("|").slice(0, MAX_ENTRIES)) {
    const parts = entry.split(":");
    const [key, count] = parts.length === 3 ? [parts[1], parts[2]] : [parts[0], parts[1]];
    if (key === undefined || count === undefined || !/^[0-9a-f]{8}$/.test(key) || !/^\d{1,6}$/.test(count))
      continue;
    lineage.set(key, Math.max(Number(count), lineage.get(key) ?? 0));
  }
  return lineage;
}

/** Random bytes for trace ids, drawn a few kilobytes at a time (one draw per header cost more than the rest of it). */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  const hex = randomPool.toString("hex", randomOffset, randomOffset + bytes);
  randomOffset += bytes;
  return hex;
}

/** A fresh X-Ray trace header (new Root and Parent) that carries `lineage`. */
export function traceHeader(lineage: Lineage): string {
  const seconds = Math.floor(Date.now() / 1000).toString(16);
  const root = `Root=1-${seconds}-${randomHex(12)};Parent=${randomHex(8)};Sampled=0`;
  if (lineage.size === 0) return root;
  const entries = [...lineage].map(([key, count]) => `${key}:${count}`).join("|");
  return `${root};Lineage=${entries}`;
}

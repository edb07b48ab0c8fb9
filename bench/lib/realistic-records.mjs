// A realistic NDJSON mix for the validate benchmark (issue 15), made with lambda-dest's own `generate`
// (dist/generate, so `npm run build` first): every kind, wrapped in the layers records travel in (SQS, SNS,
// EventBridge, the Lambda SQS/SNS events, the CLI's receive-message output, compacted to one line), failures
// with Node, Python, Java and Go stack traces, and original events from 100 B to 100 KB (most small, a long
// tail of large ones). Deterministic: the same seed and count give the same bytes.
import { closeSync, openSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The share of each kind in the mix. */
export const KIND_MIX = [
  ["invocation-record", 0.55],
  ["esm-failure-record", 0.15],
  ["dlq-message", 0.15],
  ["processing-result", 0.15],
];

/** Wrapper stacks (innermost first), with their share; [] is the payload alone. */
export const WRAP_MIX = [
  [[], 0.45],
  [["sqs"], 0.12],
  [["sns"], 0.07],
  [["eventbridge"], 0.1],
  [["lambda-sqs-event"], 0.05],
  [["sns", "sqs"], 0.08],
  [["sns", "lambda-sns-event"], 0.04],
  [["sqs", "cli-receive"], 0.04],
  [["eventbridge", "sqs"], 0.04],
];

const RUNTIMES = ["nodejs", "python", "java", "go"];
const MIN_REQUEST = 100;
const MAX_REQUEST = 100 * 1024;
/** Shape of the size distribution: sizes are MIN·(MAX/MIN)^(u^SKEW), so most events are small. */
const SKEW = 40;

function randomSource(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  "order",
  "sku",
  "lamp",
  "desk",
  "shipped",
  "EUR",
  "retry",
  "warehouse",
  "näme",
  "ünïcode",
  "é",
];

/** An original event of about `size` bytes: nested objects, arrays, numbers and strings (some non-ASCII). */
function requestEvent(random, size) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const event = {
    orderId: `ord-${Math.floor(random() * 1e10).toString(36)}`,
    customer: {
      id: `cus-${Math.floor(random() * 1e6)}`,
      email: `user${Math.floor(random() * 1e5)}@example.com`,
    },
    items: [],
  };
  let text = JSON.stringify(event);
  while (text.length < size) {
    event.items.push({
      sku: pick(WORDS),
      quantity: 1 + Math.floor(random() * 5),
      price: Math.round(random() * 99_999) / 100,
      note: pick(WORDS).repeat(1 + Math.floor(random() * 6)),
      tags: [pick(WORDS), pick(WORDS)],
      shipped: random() < 0.5,
    });
    text = JSON.stringify(event);
  }
  return text;
}

function pickShare(random, mix) {
  let roll = random();
  for (const [value, share] of mix) {
    roll -= share;
    if (roll < 0) return value;
  }
  return mix[0][0];
}

/**
 * Writes `count` lines of the realistic mix to `path`; returns the byte count. The lines are drawn from a
 * pool of `poolSize` distinct generated items (generating a 100 KB event through three layers is slow);
 * groups of a few items share their options (one generateTexts call each), as records of one function
 * arrive together.
 */
export async function writeRealisticRecords(path, count, seed = 15, poolSize = 5000) {
  const pool = await realisticPool(Math.min(poolSize, count), seed);
  const random = randomSource(seed + 1);
  const fd = openSync(path, "w");
  let bytes = 0;
  let pending = "";
  const flush = () => {
    if (pending === "") return;
    bytes += writeSync(fd, pending);
    pending = "";
  };
  try {
    for (let written = 0; written < count; written++) {
      pending += pool[written < pool.length ? written : Math.floor(random() * pool.length)];
      if (pending.length > 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** `size` distinct lines of the mix, each ending in a line feed. */
export async function realisticPool(size, seed = 15) {
  const { generateTexts } = await import(join(root, "dist", "generate", "index.js"));
  const random = randomSource(seed);
  const lines = [];
  while (lines.length < size) {
    const kind = pickShare(random, KIND_MIX);
    const wrap = pickShare(random, WRAP_MIX);
    const group = Math.min(size - lines.length, 1 + Math.floor(random() * 4));
    const options = { count: group, seed: Math.floor(random() * 2 ** 31), wrap };
    // Only invocation records take a runtime; the other kinds pick their own from the seed.
    if (kind === "invocation-record") options.runtime = RUNTIMES[Math.floor(random() * RUNTIMES.length)];
    if (kind !== "esm-failure-record") {
      const size = Math.round(MIN_REQUEST * (MAX_REQUEST / MIN_REQUEST) ** (random() ** SKEW));
      options.requestJson = requestEvent(random, size);
    }
    let items;
    try {
      items = [...generateTexts(kind, options)];
    } catch (error) {
      // Not every kind travels in every layer (EventBridge takes invocation records only): the payload
      // goes in an SQS message instead, as a queue destination would deliver it.
      if (error?.name !== "UsageError" && error?.exitCode !== 2) throw error;
      items = [...generateTexts(kind, { ...options, wrap: ["sqs"] })];
    }
    for (const item of items) {
      // The CLI's output is indented: one value per line needs it compact.
      const line = item.text.includes("\n") ? JSON.stringify(JSON.parse(item.text)) : item.text;
      lines.push(`${line}\n`);
    }
  }
  return lines;
}

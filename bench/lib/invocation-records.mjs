// Deterministic, realistic invocation records (what Lambda sends to an async invocation's destination),
// written as NDJSON for the throughput benchmark.
import { closeSync, openSync, writeSync } from "node:fs";

/** The share of each condition, in the order the generator picks them. */
export const MIX = [
  ["Success", 0.6],
  ["RetriesExhausted", 0.25],
  ["EventAgeExceeded", 0.1],
  ["ZeroReservedConcurrency", 0.05],
];

/** Small seeded PRNG (mulberry32), so that every run validates the same bytes. */
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

const REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const FUNCTIONS = ["order-processor", "payment-handler", "email-sender", "inventory-sync", "py-orders"];
const QUALIFIERS = ["$LATEST", "$LATEST", "live", "7", "12"];
const SKUS = ["book", "pen", "lamp", "mug", "chair", "desk", "cable", "phone-case"];

export function createRecordFactory(seed = 42) {
  const random = randomSource(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const hex = (length) => {
    let text = "";
    while (text.length < length)
      text += Math.floor(random() * 0x100000000)
        .toString(16)
        .padStart(8, "0");
    return text.slice(0, length);
  };
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
  const start = Date.parse("2025-11-14T00:00:00.000Z");
  let clock = start;

  const condition = () => {
    let roll = random();
    for (const [name, share] of MIX) {
      roll -= share;
      if (roll < 0) return name;
    }
    return MIX[0][0];
  };

  const orderEvent = () => {
    const items = [];
    const count = 1 + Math.floor(random() * 4);
    for (let index = 0; index < count; index++) {
      items.push({
        sku: pick(SKUS),
        quantity: 1 + Math.floor(random() * 3),
        price: Math.round(random() * 9900) / 100,
      });
    }
    return {
      orderId: `ord-${hex(10)}`,
      customer: { id: `cus-${hex(6)}`, email: `user${Math.floor(random() * 100000)}@example.com` },
      items,
      currency: "EUR",
    };
  };

  const functionFailure = (requestId, name) =>
    name === "py-orders"
      ? {
          errorMessage: "bad order",
          errorType: "ValueError",
          requestId,
          stackTrace: ['  File "/var/task/app.py", line 9, in handler\n    raise ValueError("bad order")\n'],
        }
      : {
          errorType: "Error",
          errorMessage: `order ${hex(6)} cannot be processed`,
          trace: [
            "Error: order cannot be processed",
            "    at Runtime.handler (file:///var/task/index.mjs:12:11)",
            "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)",
          ],
        };

  return function nextRecord() {
    clock += Math.floor(random() * 200);
    const name = pick(FUNCTIONS);
    const qualifier = pick(QUALIFIERS);
    const executedVersion = /^[0-9]+$/.test(qualifier) ? qualifier : qualifier === "live" ? "7" : "$LATEST";
    const requestId = uuid();
    const which = condition();
    const record = {
      version: "1.0",
      timestamp: new Date(clock).toISOString(),
      requestContext: {
        requestId,
        functionArn: `arn:aws:lambda:${pick(REGIONS)}:123456789012:function:${name}:${qualifier}`,
        condition: which,
        approximateInvokeCount: which === "ZeroReservedConcurrency" ? 0 : which === "Success" ? 1 : 3,
      },
      requestPayload: orderEvent(),
    };
    if (which === "Success") {
      record.responseContext = { statusCode: 200, executedVersion };
      record.responsePayload =
        random() < 0.2 ? null : { status: "processed", orderId: record.requestPayload.orderId };
    } else if (which !== "ZeroReservedConcurrency") {
      record.responseContext = { statusCode: 200, executedVersion, functionError: "Unhandled" };
      record.responsePayload = functionFailure(requestId, name);
    }
    return record;
  };
}

/** Writes `count` records, one JSON object a line, and returns the file's size in bytes. */
export function writeInvocationRecords(path, count, seed = 42) {
  const next = createRecordFactory(seed);
  const fd = openSync(path, "w");
  let bytes = 0;
  try {
    const chunk = [];
    for (let index = 0; index < count; index++) {
      chunk.push(JSON.stringify(next()));
      if (chunk.length === 2000 || index === count - 1) {
        const text = `${chunk.join("\n")}\n`;
        bytes += writeSync(fd, text);
        chunk.length = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/**
 * A worker thread of `validate` on a large NDJSON file (see sources/parallel-ndjson.ts): validates each
 * segment it is sent and sends back the rendered results, and the segment's memory to be read into again;
 * the main thread writes the results in input order.
 */
import { parentPort, workerData } from "node:worker_threads";
import { resolveSchemaOption } from "../envelopes/user-schema.js";
import { plainColors } from "../render/colors.js";
import { type Segment, type SpentSegment, WORKER_READY } from "../sources/parallel-ndjson.js";
import { type ValidateSegmentResult, type ValidateWorkerData, validateSegment } from "./validate-segment.js";

const data = workerData as ValidateWorkerData;
const forced = await resolveSchemaOption(data.schema, data.cwd);
// The main thread's colors: none (its stand-in for chalk, as there), or chalk at the same level. Loading
// chalk for no colors made a worker ready in 114-151 ms instead of 88-93 (four starts each).
const colors =
  data.colorLevel === 0 ? plainColors() : new (await import("chalk")).Chalk({ level: data.colorLevel });

parentPort?.on("message", (segment: Segment) => {
  const result: ValidateSegmentResult & SpentSegment = validateSegment(segment, data, forced, colors);
  result.spent = segment.bytes;
  parentPort?.postMessage(result, [result.bytes.buffer as ArrayBuffer, segment.bytes.buffer as ArrayBuffer]);
});
parentPort?.postMessage(WORKER_READY);

/**
 * A worker thread of `validate` on a large NDJSON file (see sources/parallel-ndjson.ts): validates each
 * segment it is sent and sends back the rendered results; the main thread writes them in input order.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Chalk } from "chalk";
import { resolveSchemaOption } from "../envelopes/user-schema.js";
import { type Segment, WORKER_READY } from "../sources/parallel-ndjson.js";
import { type ValidateWorkerData, validateSegment } from "./validate-segment.js";

const data = workerData as ValidateWorkerData;
const forced = await resolveSchemaOption(data.schema, data.cwd);
const colors = new Chalk({ level: data.colorLevel });

parentPort?.on("message", (segment: Segment) => {
  const result = validateSegment(segment, data, forced, colors);
  parentPort?.postMessage(result, [result.bytes.buffer as ArrayBuffer]);
});
parentPort?.postMessage(WORKER_READY);

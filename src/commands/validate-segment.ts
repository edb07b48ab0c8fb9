/**
 * Validates one segment of a large NDJSON file (see sources/parallel-ndjson.ts) and renders its results
 * exactly as `validate` does line by line. Runs in the worker threads and in the main thread alike.
 */
import type { ChalkInstance } from "chalk";
import type { ForcedSchema } from "../envelopes/analyze.js";
import { analyzeItem } from "../envelopes/item-result.js";
import { renderValidateResult, validateResultLine } from "../render/validate.js";
import type { Segment } from "../sources/parallel-ndjson.js";
import { type LineCursor, ndjsonLineItems, type SourceEvent } from "../sources/read-items.js";

/** What a worker is told once (and the main thread knows): how to validate and render. */
export interface ValidateWorkerData {
  source: string;
  cwd: string;
  schema?: string;
  strict: boolean;
  json: boolean;
  quiet: boolean;
  colorLevel: 0 | 1 | 2 | 3;
  width?: number;
}

/** One segment's results: the text to write (in JSON, each result preceded by a comma) and the counts. */
export interface ValidateSegmentResult {
  seq: number;
  text: string;
  valid: number;
  invalid: number;
}

export function validateSegment(
  segment: Segment,
  data: ValidateWorkerData,
  forced: ForcedSchema | undefined,
  colors: ChalkInstance,
): ValidateSegmentResult {
  const cursor: LineCursor = {
    lineNumber: segment.lineNumber,
    index: segment.index,
    consumed: segment.consumed,
  };
  const bytes = Buffer.from(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.byteLength);
  let text = "";
  let valid = 0;
  let invalid = 0;
  const onEvent = (event: SourceEvent) => {
    if (event.type !== "item") return;
    for (const result of analyzeItem(event.item, { forced, strict: data.strict })) {
      if (result.valid) valid++;
      else invalid++;
      if (data.json) text += `,${validateResultLine(result)}`;
      else if (!(data.quiet && result.valid)) text += renderValidateResult(result, colors, data.width);
    }
  };
  ndjsonLineItems(data.source, bytes, cursor, segment.last, onEvent);
  return { seq: segment.seq, text, valid, invalid };
}

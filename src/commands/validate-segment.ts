/**
 * Validates one segment of a large NDJSON file (see sources/parallel-ndjson.ts) and renders its results
 * exactly as `validate` does line by line. Runs in the worker threads and in the main thread alike.
 */
import type { ChalkInstance } from "chalk";
import type { ForcedSchema } from "../envelopes/analyze.js";
import { analyzeItem } from "../envelopes/item-result.js";
import { printableJson } from "../printable.js";
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

/**
 * One segment's results: the text to write as UTF-8 (in JSON, each result preceded by a comma, and escaped
 * as printableJson escapes it) and the counts. Bytes, not a string: a worker's are transferred, not copied,
 * and neither they nor the main thread's own wait for their turn on its V8 heap. As strings they were
 * copied by its scavenges and promoted while the main thread validated a segment of its own (--json on the
 * realistic mix: the main thread's garbage collector at 358 ms of samples against 184 with -q).
 */
export interface ValidateSegmentResult {
  seq: number;
  bytes: Uint8Array;
  valid: number;
  invalid: number;
}

/**
 * A segment's rendered results, as UTF-8, made one string only at the end. Built up as a string (`+=`),
 * they lived through the segment on the V8 heap and were promoted into the old generation, which a worker
 * collects only every several MB: on the 1 GB file (--json, 2 workers, with keepYoungGenerationsSmall in
 * sources/parallel-ndjson.ts) peak RSS was 133-149 MiB, median 141, in twenty-three runs with this buffer
 * against 143-148 MiB, median 146, in eight without. The two together cost 3% more instructions under
 * callgrind (20,000 lines of the realistic mix, every segment on the workers), not seen in the wall or CPU
 * time of whole runs. Kept from segment to segment; one with much more output than usual (long error
 * reports) does not keep its size.
 */
const OUT_BYTES = 256 * 1024;
let out = Buffer.allocUnsafe(OUT_BYTES);

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
  let length = 0;
  let valid = 0;
  let invalid = 0;
  const add = (text: string) => {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8, so the text always fits whole.
    if (length + text.length * 3 > out.length) {
      const larger = Buffer.allocUnsafe(Math.max(out.length * 2, length + text.length * 3));
      out.copy(larger, 0, 0, length);
      out = larger;
    }
    length += out.write(text, length);
  };
  const onEvent = (event: SourceEvent) => {
    if (event.type !== "item") return;
    for (const result of analyzeItem(event.item, { forced, strict: data.strict })) {
      if (result.valid) valid++;
      else invalid++;
      // printableJson escapes single characters: a result at a time is the same as 64 KB at a time.
      if (data.json) add(`,${printableJson(validateResultLine(result))}`);
      else if (!(data.quiet && result.valid)) add(renderValidateResult(result, colors, data.width));
    }
  };
  ndjsonLineItems(data.source, bytes, cursor, segment.last, onEvent);
  // Copied into memory of its own, which a worker can transfer.
  const rendered = Buffer.allocUnsafeSlow(length);
  out.copy(rendered, 0, 0, length);
  if (out.length > 4 * OUT_BYTES) out = Buffer.allocUnsafe(OUT_BYTES);
  return { seq: segment.seq, bytes: rendered, valid, invalid };
}

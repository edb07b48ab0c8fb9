import { locatePointer } from "../sources/positions.js";
import type { SourceItem } from "../sources/read-items.js";
import { type AnalyzeOptions, analyzeValue } from "./analyze.js";
import type { AnalyzedEnvelope, Finding } from "./types.js";

/** The outcome of checking one payload of one input item: what `validate --json` prints per result. */
export interface ItemResult extends AnalyzedEnvelope {
  source: string;
  index: number;
  /** When an item holds several payloads (a batch of records), which one this is. */
  record?: number;
  /** The whole source, an element of a JSON array, or a line of NDJSON. */
  form: SourceItem["form"];
  /** Line in the source where the item starts. */
  line: number;
}

/**
 * Analyzes one item read from a source, and gives each finding its line and column in the source text. It
 * never throws: an item that cannot be processed is one invalid result saying why.
 */
export function analyzeItem(item: SourceItem, options: AnalyzeOptions): ItemResult[] {
  if (item.syntaxError) {
    const { line, column, message } = item.syntaxError;
    return [unprocessableResult(item, { path: "", message: `not valid JSON: ${message}`, line, column })];
  }
  if (item.unprocessable) return [unprocessableResult(item, item.unprocessable)];
  try {
    return analyzeParsedItem(item, options);
  } catch (error) {
    // The last resort: whatever went wrong stays with this item, and the other items are still processed.
    const reason =
      error instanceof RangeError
        ? "too deeply nested to process"
        : `could not be processed (${String(error)})`;
    return [unprocessableResult(item, { path: "", message: reason, line: item.lineOffset + 1 })];
  }
}

/** The one result of an item that cannot be analysed: invalid, with the reason as its error. */
export function unprocessableResult(item: SourceItem, error: Finding): ItemResult {
  const warnings = item.warnings ?? [];
  return {
    source: item.source,
    index: item.index,
    form: item.form,
    line: item.lineOffset + 1,
    kind: null,
    layers: [],
    valid: false,
    errors: [error],
    warnings,
    payload: undefined,
    summary: { outcome: "unknown", kind: null, notes: [] },
  };
}

function analyzeParsedItem(item: SourceItem, options: AnalyzeOptions): ItemResult[] {
  const base = { source: item.source, index: item.index, form: item.form, line: item.lineOffset + 1 };
  const envelopes = analyzeValue(item.value, options);
  return envelopes.map((envelope, record) => {
    // An explicit literal: spreading two objects per item was the hottest line on large NDJSON files.
    const result: ItemResult = {
      source: base.source,
      index: base.index,
      form: base.form,
      line: base.line,
      kind: envelope.kind,
      layers: envelope.layers,
      valid: envelope.valid,
      errors: envelope.errors,
      warnings: envelope.warnings,
      payload: envelope.payload,
      summary: envelope.summary,
    };
    if (envelopes.length > 1) result.record = record;
    if (envelope.payloadAt) {
      const { path, text, pointer } = envelope.payloadAt;
      // A payload of the item itself is written in the item's text, after the item's pointer prefix.
      result.payloadAt =
        text === undefined
          ? { path, text: item.text, pointer: item.pointerPrefix + pointer }
          : envelope.payloadAt;
    }
    // A warning about a place that already has an error adds nothing.
    if (envelope.errors.length > 0 && envelope.warnings.length > 0) {
      const errorPaths = new Set(
        envelope.errors.map((finding) => `${finding.path}|${finding.innerPath ?? ""}`),
      );
      result.warnings = envelope.warnings.filter(
        (finding) => !errorPaths.has(`${finding.path}|${finding.innerPath ?? ""}`),
      );
    }
    if (item.warnings) {
      // What reading found (invalid UTF-8, keys given twice) belongs to the records it is in.
      const own = item.warnings.filter((warning) =>
        belongsToRecord(warning.path, envelope.payloadAt?.path, envelopes.length),
      );
      if (own.length > 0) {
        result.warnings = [...own, ...result.warnings];
        if (options.strict) result.valid = false;
      }
    }
    if (item.text !== undefined && (result.errors.length > 0 || result.warnings.length > 0)) {
      result.errors = sortByPosition(result.errors.map((finding) => withPosition(finding, item)));
      result.warnings = sortByPosition(result.warnings.map((finding) => withPosition(finding, item)));
    }
    return result;
  });
}

/**
 * Whether a finding at `path` belongs to the record whose payload is at `payloadPointer`: with one record,
 * always; with several (a batch), when the finding is under that record (its record index matches).
 */
function belongsToRecord(path: string, payloadPointer: string | undefined, records: number): boolean {
  if (records === 1 || path === "" || payloadPointer === undefined) return true;
  const findingSegments = path.split("/");
  const payloadSegments = payloadPointer.split("/");
  // The record is told apart by the first array index on the way to the payload (/Messages/3, /Records/3).
  for (let index = 1; index < payloadSegments.length; index++) {
    if (/^\d+$/.test(payloadSegments[index]!)) {
      return findingSegments.slice(0, index + 1).join("/") === payloadSegments.slice(0, index + 1).join("/");
    }
  }
  return true;
}

function withPosition(finding: Finding, item: SourceItem): Finding {
  if (finding.line !== undefined) return finding;
  const text = item.text!;
  let pointer = item.pointerPrefix + finding.path;
  let position = locatePointer(text, pointer);
  // A missing property has no position of its own: point at the object that should hold it.
  while (!position && pointer !== "") {
    pointer = pointer.slice(0, pointer.lastIndexOf("/"));
    position = locatePointer(text, pointer);
  }
  if (!position) return finding;
  return { ...finding, line: position.line + item.lineOffset, column: position.column };
}

function sortByPosition(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

import type { SourceItem } from "../sources/read-items.js";
import { type AnalyzeOptions, analyzeValue } from "./analyze.js";
import { locatePointer } from "./positions.js";
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

/** Analyzes one item read from a source, and gives each finding its line and column in the source text. */
export function analyzeItem(item: SourceItem, options: AnalyzeOptions): ItemResult[] {
  const base = { source: item.source, index: item.index, form: item.form, line: item.lineOffset + 1 };
  if (item.syntaxError) {
    const { line, column, message } = item.syntaxError;
    return [
      {
        ...base,
        kind: null,
        layers: [],
        valid: false,
        errors: [{ path: "", message: `not valid JSON: ${message}`, line, column }],
        warnings: [],
        payload: undefined,
        summary: { outcome: "unknown", kind: null, notes: [] },
      },
    ];
  }
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
    // A warning about a place that already has an error adds nothing.
    const errorPaths = new Set(
      envelope.errors.map((finding) => `${finding.path}|${finding.innerPath ?? ""}`),
    );
    result.warnings = envelope.warnings.filter(
      (finding) => !errorPaths.has(`${finding.path}|${finding.innerPath ?? ""}`),
    );
    if (item.text !== undefined && (result.errors.length > 0 || result.warnings.length > 0)) {
      result.errors = sortByPosition(result.errors.map((finding) => withPosition(finding, item)));
      result.warnings = sortByPosition(result.warnings.map((finding) => withPosition(finding, item)));
    }
    return result;
  });
}

function withPosition(finding: Finding, item: SourceItem): Finding {
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

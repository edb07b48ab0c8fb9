import type { ChalkInstance } from "chalk";
import type { ItemResult } from "../envelopes/item-result.js";
import { printable } from "../printable.js";
import { describeFinding } from "./envelope.js";
import { PIPED_WIDTH, wrap } from "./wrap.js";

/**
 * Where an item is, for people: "file.json", "file.ndjson:12", "file.json[3]", with the record number. The
 * file name is as given: pass the label through `printable` to print it.
 */
export function itemLabel(result: ItemResult): string {
  let label = result.source === "-" ? "stdin" : result.source;
  if (result.form === "line") label += `:${result.line}`;
  else if (result.form === "element") label += `[${result.index}]`;
  if (result.record !== undefined) label += ` record ${result.record}`;
  return label;
}

/**
 * The human rendering of one validation result: a ✓/✗ line, then errors, warnings and notes, each wrapped at
 * the width with its continuation lines under its text.
 */
export function renderValidateResult(
  result: ItemResult,
  colors: ChalkInstance,
  width: number = PIPED_WIDTH,
): string {
  const mark = result.valid ? colors.green("✓") : colors.red("✗");
  const kind = printable(result.kind ?? "unknown kind");
  const layers = result.layers.length > 1 ? colors.dim(`  ${result.layers.map(printable).join(" › ")}`) : "";
  const lines = [
    wrap(`${mark} `, `${printable(itemLabel(result))}  ${colors.bold(kind)}${layers}`, width, "  "),
  ];
  const indent = " ".repeat(13);
  for (const finding of result.errors)
    lines.push(wrap(`    ${colors.red("error")}    `, describeFinding(finding), width, indent));
  for (const finding of result.warnings)
    lines.push(wrap(`    ${colors.yellow("warning")}  `, describeFinding(finding), width, indent));
  for (const note of result.summary.notes)
    lines.push(wrap(`    ${colors.cyan("note")}     `, printable(note), width, indent));
  return `${lines.join("\n")}\n`;
}

/** The JSON form of one result in `validate --json` (the fields the README documents, plus notes and outcome). */
export function validateResultJson(result: ItemResult): Record<string, unknown> {
  const json: Record<string, unknown> = {
    source: result.source,
    index: result.index,
    valid: result.valid,
    kind: result.kind,
    layers: result.layers,
    errors: result.errors,
    warnings: result.warnings,
    notes: result.summary.notes,
    outcome: result.summary.outcome,
  };
  if (result.form === "line") json.line = result.line;
  if (result.record !== undefined) json.record = result.record;
  return json;
}

const quotedSources = new Map<string, string>();

/** Most (kind, layers) pairs remembered per kind: a hostile input could nest wrappers in endless orders. */
const MAX_LAYER_FORMS = 32;
const kindAndLayers = new Map<string | null, Array<{ layers: string[]; json: string }>>();

/**
 * `"kind":…,"layers":[…]` for a result, written once per pair seen: a run meets a dozen pairs, and
 * JSON.stringify of both for each of 100,000 results took 50 ms of a 2.6 s run on the bench's realistic mix
 * (about 15 ms with this lookup, which compares the layers without building a key).
 */
function kindAndLayersJson(kind: string | null, layers: string[]): string {
  let forms = kindAndLayers.get(kind);
  if (forms === undefined) {
    forms = [];
    kindAndLayers.set(kind, forms);
  }
  search: for (const form of forms) {
    if (form.layers.length !== layers.length) continue;
    for (let index = 0; index < layers.length; index++) {
      if (form.layers[index] !== layers[index]) continue search;
    }
    return form.json;
  }
  const json = `"kind":${JSON.stringify(kind)},"layers":${JSON.stringify(layers)}`;
  if (forms.length < MAX_LAYER_FORMS) forms.push({ layers: [...layers], json });
  return json;
}

/**
 * One result of `validate --json` as text, the same as JSON.stringify(validateResultJson(result)). The
 * common case (valid, no errors or warnings, maybe notes) is written from a template: building and
 * serialising an object per record dominated large NDJSON runs. Notes are part of the template because a
 * third of the bench's realistic mix has one (dead-letter messages, discarded stream batches).
 */
export function validateResultLine(result: ItemResult): string {
  if (
    !result.valid ||
    result.errors.length > 0 ||
    result.warnings.length > 0 ||
    result.record !== undefined
  ) {
    return JSON.stringify(validateResultJson(result));
  }
  const notes = result.summary.notes.length === 0 ? "[]" : JSON.stringify(result.summary.notes);
  let source = quotedSources.get(result.source);
  if (source === undefined) {
    source = JSON.stringify(result.source);
    quotedSources.set(result.source, source);
  }
  const line = result.form === "line" ? `,"line":${result.line}` : "";
  return `{"source":${source},"index":${result.index},"valid":true,${kindAndLayersJson(result.kind, result.layers)},"errors":[],"warnings":[],"notes":${notes},"outcome":"${result.summary.outcome}"${line}}`;
}

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

/**
 * One result of `validate --json` as text. The common case (valid, nothing to say) is written from a
 * template: building and serialising an object per record dominated large NDJSON runs.
 */
export function validateResultLine(result: ItemResult): string {
  if (
    !result.valid ||
    result.errors.length > 0 ||
    result.warnings.length > 0 ||
    result.summary.notes.length > 0 ||
    result.record !== undefined
  ) {
    return JSON.stringify(validateResultJson(result));
  }
  let source = quotedSources.get(result.source);
  if (source === undefined) {
    source = JSON.stringify(result.source);
    quotedSources.set(result.source, source);
  }
  const line = result.form === "line" ? `,"line":${result.line}` : "";
  return `{"source":${source},"index":${result.index},"valid":true,"kind":${JSON.stringify(result.kind)},"layers":${JSON.stringify(result.layers)},"errors":[],"warnings":[],"notes":[],"outcome":"${result.summary.outcome}"${line}}`;
}

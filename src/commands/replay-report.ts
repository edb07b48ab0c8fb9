/** What `replay` prints at the end of a dry run or a replay: the --json document, or the plan and summary. */
import { type CommandContext, note, warn } from "../io.js";
import { printableJson } from "../printable.js";
import {
  type ReplayItem,
  type ReplayResult,
  resultRecord,
  summaryLine,
  waitTable,
} from "../render/replay.js";

/** --dry-run: the plan on stdout (or its --json document); nothing was invoked. */
export function writeDryRun(
  label: string,
  items: ReplayItem[],
  lines: string[],
  context: CommandContext,
): void {
  if (context.output.json) {
    const planned = items.map((item) =>
      resultRecord({ item, outcome: item.skip ? "skipped" : "planned", reason: item.skip }),
    );
    context.io.stdout.write(
      `${printableJson(JSON.stringify({ version: 1, source: label, dryRun: true, items: planned }))}\n`,
    );
  } else {
    context.io.stdout.write(`${lines.join("\n")}\n(dry run: nothing was invoked)\n`);
  }
}

/**
 * After the replays: the --json document, a warning when interrupted, the summary, and with --wait the
 * table of new records. Returns the exit code: 1 for a failure or an interruption, 3 when --wait timed out.
 */
export function reportResults(
  label: string,
  results: ReplayResult[],
  wait: boolean,
  context: CommandContext,
): number {
  const interrupted =
    results.some((result) => result.outcome === "not-run") ||
    results.some((result) => result.wait === "interrupted");
  if (context.output.json) {
    context.io.stdout.write(
      `${printableJson(
        JSON.stringify({
          version: 1,
          source: label,
          dryRun: false,
          interrupted,
          items: results.map(resultRecord),
        }),
      )}\n`,
    );
  }
  if (interrupted) {
    const first = results.find((result) => result.outcome === "not-run");
    warn(
      context,
      `interrupted: stopped before ${first?.item.origin.label ?? "?"}; what was not replayed was not deleted`,
    );
  }
  note(context, summaryLine(results, interrupted));
  if (wait) {
    if (!context.output.json) context.io.stdout.write(`${waitTable(results, context.colors).join("\n")}\n`);
    if (results.some((result) => result.outcome === "failed" || result.wait === "failed")) return 1;
    if (interrupted) return 1;
    return results.some((result) => result.wait === "timed-out") ? 3 : 0;
  }
  return results.some((result) => result.outcome === "failed" || result.outcome === "not-run") ? 1 : 0;
}

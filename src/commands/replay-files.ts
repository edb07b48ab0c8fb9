/** The values `replay` reads from files (globs, NDJSON, JSON arrays, stdin), each planned. */
import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";
import { type PlanOptions, planValue, type ReplayItem } from "./replay-plan.js";

export async function readFileItems(
  files: string[],
  max: number,
  context: CommandContext,
  planOptions: PlanOptions,
): Promise<ReplayItem[]> {
  const { expandSources, forEachItem, rawItemText } = await import("../sources/read-items.js");
  const expanded = await expandSources(files, {
    cwd: context.io.cwd,
    stdinIsTTY: context.io.stdin.isTTY === true,
  });
  for (const problem of expanded.unreadable) {
    throw new UsageError(`${problem.source}: ${problem.message}`);
  }
  const items: ReplayItem[] = [];
  let values = 0;
  await forEachItem(
    expanded.sources,
    { cwd: context.io.cwd, stdin: context.io.stdin },
    (item) => {
      if (values >= max) return;
      values++;
      const where =
        item.form === "line"
          ? ` line ${item.lineOffset + 1}`
          : item.form === "element"
            ? ` [${item.index}]`
            : "";
      const origin = { label: `${item.source}${where}` };
      if (item.syntaxError || item.value === undefined) {
        items.push({ origin, kind: "other", skip: "not JSON" });
        return;
      }
      if (item.unprocessable) {
        items.push({ origin, kind: "other", skip: item.unprocessable.message });
        return;
      }
      items.push(...planValue(item.value, rawItemText(item), origin, planOptions));
    },
    (problem) => {
      throw new UsageError(`${problem.source}: ${problem.message}`);
    },
  );
  return items;
}

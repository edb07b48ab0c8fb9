/**
 * The replay log (--out): one NDJSON line per value replayed, written as each invocation ends, and read back
 * by --skip-replayed so that a rerun does not replay again what a log shows as accepted.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import type { ReplayItem, ReplayResult } from "../render/replay.js";

/** One line of the replay log (--out): enough to know, on a rerun, what was done. */
export function logRecord(result: ReplayResult, time: Date): Record<string, unknown> {
  return {
    version: 1,
    time: time.toISOString(),
    origin: result.item.origin.label,
    messageId: result.item.origin.messageId ?? null,
    originalRequestId: result.item.originalRequestId ?? null,
    function: result.item.functionName ?? null,
    qualifier: result.item.qualifier ?? null,
    newRequestId: result.newRequestId ?? null,
    outcome: result.outcome,
    reason: result.reason ?? null,
  };
}

/** Marks as skipped the items whose original request a replay log shows as accepted. */
export function skipReplayed(items: ReplayItem[], file: string, cwd: string): void {
  const done = readReplayLog(file, cwd);
  for (const item of items) {
    if (item.skip === undefined && item.originalRequestId && done.has(item.originalRequestId)) {
      item.skip = `already replayed (${file} shows it accepted)`;
      item.alreadyReplayed = true;
    }
  }
}

/** The original request ids that a replay log shows as accepted. A missing log is a usage error. */
function readReplayLog(file: string, cwd: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`--skip-replayed ${file}: ${(error as Error).message}`);
  }
  const done = new Set<string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const entry = JSON.parse(line) as { outcome?: unknown; originalRequestId?: unknown };
      if (entry.outcome === "accepted" && typeof entry.originalRequestId === "string") {
        done.add(entry.originalRequestId);
      }
    } catch {
      // A line cut short by an interruption: what it was about is replayed again, as it was not logged.
    }
  }
  return done;
}

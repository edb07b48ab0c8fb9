/**
 * The replay log (--out) and --skip-replayed: a line written for each replay, read back so that a rerun
 * replays only what was not accepted, including after an interruption cut the last line short.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { logRecord, skipReplayed } from "../../src/commands/replay-log.js";
import { UsageError } from "../../src/errors.js";
import type { ReplayItem, ReplayResult } from "../../src/render/replay.js";

const item = (originalRequestId: string | undefined, skip?: string): ReplayItem => ({
  origin: { label: `failures.ndjson line ${originalRequestId}` },
  kind: "failure-record",
  originalRequestId,
  functionName: "orders",
  payload: "{}",
  skip,
});

describe("the replay log", () => {
  it("a line says what was replayed, where from, to which function, and how it went", () => {
    const result: ReplayResult = {
      item: { ...item("req-1"), origin: { label: "sqs:f message m-1", messageId: "m-1" }, qualifier: "live" },
      outcome: "accepted",
      newRequestId: "new-1",
    };
    expect(logRecord(result, new Date("2026-01-02T03:04:05.000Z"))).toEqual({
      version: 1,
      time: "2026-01-02T03:04:05.000Z",
      origin: "sqs:f message m-1",
      messageId: "m-1",
      originalRequestId: "req-1",
      function: "orders",
      qualifier: "live",
      newRequestId: "new-1",
      outcome: "accepted",
      reason: null,
    });
  });

  it("--skip-replayed skips what the log shows accepted, not what failed, and reads past a cut-short line", () => {
    const directory = mkdtempSync(join(tmpdir(), "lambda-dest-replay-log-"));
    const line = (id: string, outcome: string) =>
      JSON.stringify(logRecord({ item: item(id), outcome: outcome as ReplayResult["outcome"] }, new Date(0)));
    writeFileSync(
      join(directory, "log.ndjson"),
      `${line("done", "accepted")}\n\n${line("failed", "failed")}\n${line("also-done", "accepted")}\n{"version":1,"originalRequestId":"cut`,
    );
    const items = [
      item("done"),
      item("failed"),
      item("also-done"),
      item("cut"),
      item(undefined),
      item("done", "a Success record"),
    ];
    skipReplayed(items, "log.ndjson", directory);
    expect(items.map((each) => [each.skip, each.alreadyReplayed])).toEqual([
      ["already replayed (log.ndjson shows it accepted)", true],
      [undefined, undefined],
      ["already replayed (log.ndjson shows it accepted)", true],
      [undefined, undefined],
      [undefined, undefined],
      ["a Success record", undefined],
    ]);
  });

  it("a log that cannot be read is a usage error naming it", () => {
    const empty = mkdtempSync(join(tmpdir(), "lambda-dest-replay-log-"));
    const read = () => skipReplayed([item("x")], "missing.ndjson", empty);
    expect(read).toThrow(UsageError);
    expect(read).toThrow(/^--skip-replayed missing\.ndjson: ENOENT/);
  });
});

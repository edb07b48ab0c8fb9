/**
 * What the stack sent to each function as its Lambda destination (read by `tail function:NAME` through
 * /_lambda-dest/functions/NAME/destination-invocations): numbered across functions, read after the last
 * number seen, the oldest forgotten past 1,000 per function.
 */
import { describe, expect, it } from "vitest";
import { DestinationLog } from "../../../src/local/destination-log.js";

describe("DestinationLog", () => {
  it("numbers entries across functions and returns one function's after a sequence number, oldest first", () => {
    const log = new DestinationLog();
    const at = new Date("2026-01-02T03:04:05.000Z");
    log.add("a", "r1", '{"n":1}', at);
    log.add("b", "r2", '{"n":2}', at);
    log.add("a", "r3", '{"n":3}', at);
    expect(log.after("a", 0)).toEqual([
      { sequence: 1, requestId: "r1", receivedAt: "2026-01-02T03:04:05.000Z", payload: '{"n":1}' },
      { sequence: 3, requestId: "r3", receivedAt: "2026-01-02T03:04:05.000Z", payload: '{"n":3}' },
    ]);
    expect(log.after("a", 1).map((entry) => entry.requestId)).toEqual(["r3"]);
    expect(log.after("b", 0).map((entry) => entry.sequence)).toEqual([2]);
    expect(log.after("c", 0)).toEqual([]);
  });

  it("keeps the newest 1,000 entries of a function", () => {
    const log = new DestinationLog();
    for (let index = 1; index <= 1_005; index += 1) log.add("a", `r${index}`, "{}");
    const kept = log.after("a", 0);
    expect(kept).toHaveLength(1_000);
    expect(kept[0].requestId).toBe("r6");
    expect(kept.at(-1)?.sequence).toBe(1_005);
  });
});

/** `replay --wait`: each replay followed to its new destination record. */
import type { AwsClients } from "../aws/clients.js";
import type { HeldQueue } from "../aws/replay-sources.js";
import { parseFunctionReference } from "../aws/targets.js";
import type { Handled, Received } from "../aws/watched.js";
import type { AnalyzedEnvelope } from "../envelopes/types.js";
import { type CommandContext, note, warn } from "../io.js";
import { type ReplayItem, type ReplayResult, targetLabel } from "../render/replay.js";
import { invokeAll, type SendOptions } from "./replay-send.js";

export interface WaitOptions extends SendOptions {
  /** The whole wait, from the first invocation; default 5 minutes. */
  timeoutMs?: number;
}

const DEFAULT_WAIT_MS = 5 * 60_000;

/**
 * --wait: watches the destinations of every function replayed to (as `invoke --wait` does), invokes, and
 * matches each new record to its replay by request id. --delete then deletes the messages whose replay
 * ended in a Success record, and only those.
 */
export async function replayAndWait(
  items: ReplayItem[],
  options: WaitOptions,
  context: CommandContext,
  clients: AwsClients,
  held: HeldQueue | undefined,
  stop: AbortSignal,
): Promise<ReplayResult[]> {
  const [{ analyzeSafely }, { BoundedSet }, { peekWaitSeconds, runWatch }] = await Promise.all([
    import("../envelopes/analyze.js"),
    import("../aws/queue-poller.js"),
    import("./watch-runner.js"),
  ]);
  const pending = new Map<string, ReplayResult>();
  // Records that arrive before Invoke has returned their request id, kept (bounded) to be matched then.
  const early = new Map<string, AnalyzedEnvelope>();
  const seen = new BoundedSet(100_000);
  let invoking = true;
  let finishWatch: (why: "done") => void = () => {};
  const settle = (result: ReplayResult, envelope: AnalyzedEnvelope) => {
    const summary = envelope.summary;
    result.wait = summary.outcome === "success" ? "succeeded" : "failed";
    if (result.wait === "failed") {
      result.waitError = [summary.condition, summary.errorType, summary.errorMessage]
        .filter(Boolean)
        .join(": ");
    }
    pending.delete(result.newRequestId ?? "");
    if (!invoking && pending.size === 0) finishWatch("done");
  };
  const handle = (received: Received[]): Handled => {
    const dispositions: Handled["dispositions"] = [];
    let fresh = 0;
    for (const item of received) {
      let matched = false;
      if (!seen.has(item.id)) {
        fresh += 1;
        seen.add(item.id);
        for (const envelope of analyzeSafely(item.value)) {
          const id = envelope.summary.requestId;
          if (!id) continue;
          const result = pending.get(id);
          if (result) {
            settle(result, envelope);
            matched = true;
          } else if (early.size < 10_000) early.set(id, envelope);
        }
      }
      // The watch only peeks: a destination's records stay where they are.
      dispositions.push(matched ? "written" : "skipped");
    }
    return { dispositions, fresh };
  };
  let results: ReplayResult[] = [];
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const { reason } = await runWatch<"done">(
    context,
    clients,
    { timeoutMs, consume: false },
    async ({ session, stop: watchStop, finish }) => {
      finishWatch = finish;
      const targets = new Map<string, { functionName: string; qualifier?: string }>();
      for (const item of items) {
        if (item.skip !== undefined || !item.functionName) continue;
        targets.set(`${item.functionName}\u0000${item.qualifier ?? ""}`, {
          functionName: item.functionName,
          qualifier: item.qualifier,
        });
      }
      for (const target of targets.values()) {
        const label = targetLabel(target.functionName, target.qualifier);
        const destinations = await session.addFunction(
          parseFunctionReference(target.functionName),
          target.qualifier,
        );
        for (const unwatchable of destinations.unwatchable) warn(context, unwatchable.reason);
        if (destinations.watched.length === 0) {
          warn(context, `${label} has no destination that can be watched: its replays end in a timeout`);
        }
      }
      const polling = session.run(
        handle,
        () => finish("error"),
        1,
        undefined,
        peekWaitSeconds(session.watched),
      );
      polling.catch(() => undefined);
      const combined = AbortSignal.any([stop, watchStop]);
      results = await invokeAll(items, options, context, clients, held, combined, (result) => {
        if (result.outcome !== "accepted" || !result.newRequestId) return;
        pending.set(result.newRequestId, result);
        const arrived = early.get(result.newRequestId);
        if (arrived) settle(result, arrived);
      });
      invoking = false;
      if (pending.size === 0) finish("done");
      else note(context, `waiting for ${pending.size} new record${pending.size === 1 ? "" : "s"}`);
      await polling;
    },
  );
  for (const result of pending.values()) {
    result.wait = reason === "timeout" ? "timed-out" : "interrupted";
  }
  if (options.delete && held) {
    for (const result of results) {
      if (result.wait !== "succeeded" || !result.item.origin.messageId || result.item.origin.shared) continue;
      const problem = await held.delete(result.item.origin.messageId).catch((error: Error) => error.message);
      if (problem === undefined) result.deleted = true;
      else result.reason = `succeeded, but the message could not be deleted: ${problem}`;
    }
  }
  return results;
}

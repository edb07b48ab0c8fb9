/**
 * `replay <source>`: sends failed events back to their function, byte for byte. The source is read first
 * (a queue's messages are held, never deleted unless --delete), a plan is shown and confirmed, then each
 * payload is invoked at the pace asked for, and the report says what happened to each value.
 *
 * This module runs those steps in order; each lives in its own: the sources in replay-source.ts,
 * replay-queue.ts, replay-bucket.ts and replay-files.ts; what each value becomes in replay-plan.ts; the
 * question in replay-confirm.ts; the invocations in replay-send.ts (and replay-wait.ts with --wait); the
 * replay log in replay-log.ts; what is printed at the end in replay-report.ts.
 */
import type { AwsClients } from "../aws/clients.js";
import { withClients } from "../aws/clients.js";
import type { HeldQueue } from "../aws/replay-sources.js";
import { UsageError } from "../errors.js";
import { type CommandContext, note, warn } from "../io.js";
import { planLines } from "../render/replay.js";
import { readBucketItems } from "./replay-bucket.js";
import { confirmReplay, requireTerminalToAsk } from "./replay-confirm.js";
import { readFileItems } from "./replay-files.js";
import { skipReplayed } from "./replay-log.js";
import type { PlanOptions, ReplayItem } from "./replay-plan.js";
import { readQueueItems } from "./replay-queue.js";
import { reportResults, writeDryRun } from "./replay-report.js";
import { checkConcurrency, invokeAll } from "./replay-send.js";
import { classifySource, type ReplaySource } from "./replay-source.js";
import { replayAndWait, type WaitOptions } from "./replay-wait.js";

export interface ReplayOptions extends WaitOptions {
  sources: string[];
  functionName?: string;
  qualifier?: string;
  dryRun: boolean;
  yes: boolean;
  includeSuccess: boolean;
  /** Read (and so replay) at most this many values. */
  max?: number;
  /** A replay log: what it shows as accepted is not replayed again. */
  skipReplayed?: string;
}

const DEFAULT_MAX = 1000;

export async function runReplay(options: ReplayOptions, context: CommandContext): Promise<number> {
  const source = classifySource(options.sources, context.io.cwd);
  if (options.delete && source.type !== "queue") {
    throw new UsageError("--delete works with a queue source only: files and S3 objects are never deleted");
  }
  const readsStdin = source.type === "files" && (source.files.length === 0 || source.files.includes("-"));
  if (!options.dryRun && !options.yes) requireTerminalToAsk(readsStdin, context);
  return withClients(context, (clients) => replay(options, source, context, clients));
}

async function replay(
  options: ReplayOptions,
  source: ReplaySource,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const stop = context.io.watchInterrupts();
  const planOptions: PlanOptions = {
    functionName: options.functionName,
    qualifier: options.qualifier,
    includeSuccess: options.includeSuccess,
  };
  const max = options.max ?? DEFAULT_MAX;
  let held: HeldQueue | undefined;
  try {
    let items: ReplayItem[];
    if (source.type === "queue") {
      const { HeldQueue } = await import("../aws/replay-sources.js");
      held = await HeldQueue.open(clients, source.reference, stop);
      items = await readQueueItems(held, source.label, max, planOptions, stop);
    } else if (source.type === "bucket") {
      items = await readBucketItems(clients, source.reference, max, planOptions, stop);
    } else {
      items = await readFileItems(source.files, max, context, planOptions);
    }

    if (options.skipReplayed) skipReplayed(items, options.skipReplayed, context.io.cwd);
    const deadLetters = items.filter((item) => item.kind === "dead-letter").length;
    if (deadLetters > 0 && !options.functionName) {
      throw new UsageError(
        `${deadLetters} dead-letter message${deadLetters === 1 ? "" : "s"}: a dead-letter message does not name its function, give --function (nothing was replayed)`,
      );
    }

    const lines = planLines(
      source.label,
      items,
      { sync: options.sync, deleting: options.delete, queue: source.type === "queue" },
      options.dryRun ? context.colors : context.errorColors,
    );
    if (options.dryRun) {
      writeDryRun(source.label, items, lines, context);
      return 0;
    }
    if (!context.output.quiet) context.io.stderr.write(`${lines.join("\n")}\n`);
    const toReplay = items.filter((item) => item.skip === undefined).length;
    if (toReplay > 0 && !options.yes && !(await confirmReplay(context, toReplay))) {
      note(context, "nothing was replayed");
      return 0;
    }

    await checkConcurrency(items, clients, stop);
    const results = options.wait
      ? await replayAndWait(items, options, context, clients, held, stop)
      : await invokeAll(items, options, context, clients, held, stop);
    return reportResults(source.label, results, options.wait, context);
  } finally {
    if (held) {
      const problems = await held.releaseAll().catch((error: Error) => [error.message]);
      for (const problem of problems) {
        warn(context, `could not give a held message back (it reappears by itself later): ${problem}`);
      }
    }
  }
}

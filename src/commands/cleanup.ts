import { type AwsClients, withClients } from "../aws/clients.js";
import { formatDuration } from "../duration.js";
import { AwsOperationError } from "../errors.js";
import { type CommandContext, note, warn } from "../io.js";
import { printable } from "../printable.js";

export interface CleanupOptions {
  olderThanMs?: number;
  dryRun: boolean;
  /** Delete queues that a running tail refreshed recently too. */
  force?: boolean;
}

export interface CleanupItem {
  type: "queue" | "subscription" | "rule";
  id: string;
  createdAt?: string;
  topic?: string;
  action: "deleted" | "would delete" | "failed";
  error?: string;
}

/** A temporary queue left alone, and why: a tail refreshed it recently, or it is younger than --older-than. */
export interface KeptQueue {
  type: "queue";
  id: string;
  createdAt: string;
  lastSeen: string;
  reason: "in-use" | "younger";
}

export async function runCleanup(options: CleanupOptions, context: CommandContext): Promise<number> {
  return withClients(context, (clients) => cleanup(options, context, clients));
}

/**
 * Finds the temporary queues that `tail` creates (by name prefix, confirmed by their tag) and the subscriptions
 * that feed them, and removes them: subscriptions first, then queues. Queues without the tag are never touched;
 * nor, unless --force, are queues whose tail refreshed their heartbeat (or created them) in the last minutes:
 * a tail may be running in another terminal.
 */
export async function cleanup(
  options: CleanupOptions,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const [
    { SqsOperations, queueNameFromUrl, isQueueMissing },
    { SnsOperations },
    { TAIL_QUEUE_PREFIX, TAIL_TAG, TAIL_BUS_TAG, HEARTBEAT_TAG, HEARTBEAT_STALE_MINUTES },
    { parseArn },
    { busRuleName },
  ] = await Promise.all([
    import("../aws/sqs.js"),
    import("../aws/sns.js"),
    import("../aws/temporary-resources.js"),
    import("../arn.js"),
    import("../aws/bus-tap.js"),
  ]);
  const sqs = await SqsOperations.create(clients);
  const sns = await SnsOperations.create(clients);
  const now = context.io.now().getTime();
  const staleAfterMs = HEARTBEAT_STALE_MINUTES * 60_000;

  interface Candidate {
    url: string;
    name: string;
    createdAt: string;
    /** The event bus whose rule (named as the queue) feeds it, for a bus tap. */
    bus?: string;
  }
  const candidates: Candidate[] = [];
  const kept: KeptQueue[] = [];
  const existing = await sqs.listQueues(TAIL_QUEUE_PREFIX);
  for (const url of existing) {
    const queue = { url, name: queueNameFromUrl(url) };
    let tags: Record<string, string>;
    try {
      tags = await sqs.tags(queue);
    } catch (error) {
      if (isQueueMissing(error)) continue; // removed meanwhile (its tail ended)
      warn(context, `skipped ${printable(queue.name)}: ${(error as Error).message}`);
      continue;
    }
    const createdAt = tags[TAIL_TAG];
    if (createdAt === undefined) continue; // not ours, whatever its name
    const created = Date.parse(createdAt);
    // The last sign of life: the heartbeat a running tail refreshes, or the creation (tails before the
    // heartbeat, or one that could not tag). An unreadable time counts as long ago.
    const heartbeat = Date.parse(tags[HEARTBEAT_TAG] ?? "");
    const lastSeen = Math.max(
      Number.isFinite(created) ? created : 0,
      Number.isFinite(heartbeat) ? heartbeat : 0,
    );
    const lastSeenText = lastSeen > 0 ? new Date(lastSeen).toISOString() : createdAt;
    if (
      options.olderThanMs !== undefined &&
      Number.isFinite(created) &&
      now - created < options.olderThanMs
    ) {
      kept.push({ type: "queue", id: url, createdAt, lastSeen: lastSeenText, reason: "younger" });
      continue;
    }
    if (!options.force && now - lastSeen < staleAfterMs) {
      kept.push({ type: "queue", id: url, createdAt, lastSeen: lastSeenText, reason: "in-use" });
      continue;
    }
    candidates.push({ ...queue, createdAt, bus: tags[TAIL_BUS_TAG] });
  }

  // Subscriptions that deliver to those queues, and orphans whose temporary queue is gone.
  let subscriptions: Awaited<ReturnType<typeof sns.listSubscriptions>> = [];
  try {
    subscriptions = await sns.listSubscriptions();
  } catch (error) {
    warn(
      context,
      `cannot list SNS subscriptions, so only queues are cleaned up: ${(error as Error).message}`,
    );
  }
  const candidateNames = new Set(candidates.map((candidate) => candidate.name));
  const keptNames = new Set(kept.map((item) => queueNameFromUrl(item.id)));
  const listedNames = new Set(existing.map(queueNameFromUrl));
  const doomed: typeof subscriptions = [];
  for (const subscription of subscriptions) {
    if (subscription.protocol !== "sqs") continue;
    const endpoint = parseArn(subscription.endpoint);
    const queueName = endpoint?.resource ?? "";
    if (!queueName.startsWith(TAIL_QUEUE_PREFIX) || keptNames.has(queueName)) continue;
    if (candidateNames.has(queueName)) {
      doomed.push(subscription);
      continue;
    }
    if (listedNames.has(queueName)) continue; // its queue is not ours to judge (untagged, unreadable)
    // Not listed: gone, or too new for ListQueues to show it yet (it can lag behind CreateQueue). Only a
    // queue that is confirmed missing in this region makes its subscription an orphan.
    if (endpoint?.region && endpoint.region !== sqs.region) continue;
    try {
      const found = await sqs.exists(queueName);
      if (found === undefined) doomed.push(subscription);
    } catch (error) {
      if (!isQueueMissing(error))
        warn(context, `skipped the subscription ${printable(subscription.arn)}: ${(error as Error).message}`);
    }
  }

  const items: CleanupItem[] = [];
  for (const subscription of doomed) {
    const topic = subscription.topicArn.split(":").pop();
    if (options.dryRun) {
      items.push({ type: "subscription", id: subscription.arn, topic, action: "would delete" });
      continue;
    }
    try {
      await sns.unsubscribe(subscription.arn);
      items.push({ type: "subscription", id: subscription.arn, topic, action: "deleted" });
    } catch (error) {
      items.push({
        type: "subscription",
        id: subscription.arn,
        topic,
        action: "failed",
        error: (error as Error).message,
      });
    }
  }
  // The rule of a bus tap goes before its queue, so that nothing is sent to a deleted queue.
  // The EventBridge client loads only when there is a bus tap to clean up.
  const events = candidates.some((candidate) => candidate.bus) ? await import("../aws/events.js") : undefined;
  for (const candidate of candidates) {
    if (!candidate.bus || !events) continue;
    const rule = busRuleName(candidate.name);
    const id = `${rule} on ${candidate.bus}`;
    if (options.dryRun) {
      items.push({ type: "rule", id, action: "would delete" });
      continue;
    }
    try {
      const regional = await clients.forResourceRegion(parseArn(candidate.bus)?.region, "events");
      await (await events.EventsOperations.create(regional)).deleteRule(candidate.bus, rule);
      items.push({ type: "rule", id, action: "deleted" });
    } catch (error) {
      if (error instanceof AwsOperationError && error.reason === "not-found") continue;
      items.push({ type: "rule", id, action: "failed", error: (error as Error).message });
    }
  }
  for (const candidate of candidates) {
    if (options.dryRun) {
      items.push({
        type: "queue",
        id: candidate.url,
        createdAt: candidate.createdAt,
        action: "would delete",
      });
      continue;
    }
    try {
      await sqs.deleteQueue(candidate);
      items.push({ type: "queue", id: candidate.url, createdAt: candidate.createdAt, action: "deleted" });
    } catch (error) {
      items.push({
        type: "queue",
        id: candidate.url,
        createdAt: candidate.createdAt,
        action: "failed",
        error: (error as Error).message,
      });
    }
  }

  const failed = items.filter((item) => item.action === "failed").length;
  const keptRecent = kept.filter((item) => item.reason === "younger").length;
  const keptInUse = kept.filter((item) => item.reason === "in-use").length;
  if (context.output.json) {
    const done = items.filter((item) => item.action !== "failed").length;
    context.io.stdout.write(
      `${JSON.stringify({
        version: 1,
        dryRun: options.dryRun,
        resources: items,
        kept,
        summary: {
          [options.dryRun ? "wouldDelete" : "deleted"]: done,
          failed,
          keptRecent,
          keptInUse,
        },
      })}\n`,
    );
    return failed > 0 ? 1 : 0;
  }
  for (const item of items) {
    const age = item.createdAt
      ? ` (created ${item.createdAt}, ${formatDuration(now - Date.parse(item.createdAt))} ago)`
      : "";
    const topic = item.topic ? ` (topic ${item.topic})` : "";
    const line = `${item.action} ${item.type} ${item.id}${item.type === "queue" ? age : topic}`;
    if (item.action === "failed") {
      context.io.stderr.write(
        `${context.errorColors.red("failed:")} ${printable(`${item.type} ${item.id}: ${item.error}`)}\n`,
      );
    } else {
      context.io.stdout.write(`${printable(line)}\n`);
    }
  }
  if (items.length === 0 && kept.length === 0)
    note(context, "nothing to clean up: no temporary queues or subscriptions left by tail");
  // Said even with --quiet: the user asked for a clean-up and these were not cleaned.
  for (const item of kept) {
    const name = queueNameFromUrl(item.id);
    const why =
      item.reason === "in-use"
        ? `a tail refreshed it ${formatDuration(now - Date.parse(item.lastSeen))} ago, so one may be using it (--force deletes it anyway; that tail then stops)`
        : `created ${formatDuration(now - Date.parse(item.createdAt))} ago, within --older-than ${formatDuration(options.olderThanMs ?? 0)}`;
    context.io.stderr.write(`kept queue ${printable(name)}: ${why}\n`);
  }
  return failed > 0 ? 1 : 0;
}

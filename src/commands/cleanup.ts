import { type AwsClients, withClients } from "../aws/clients.js";
import { formatDuration } from "../duration.js";
import { type CommandContext, note, warn } from "../io.js";

export interface CleanupOptions {
  olderThanMs?: number;
  dryRun: boolean;
}

export interface CleanupItem {
  type: "queue" | "subscription";
  id: string;
  createdAt?: string;
  topic?: string;
  action: "deleted" | "would delete" | "failed";
  error?: string;
}

export async function runCleanup(options: CleanupOptions, context: CommandContext): Promise<number> {
  return withClients(context, (clients) => cleanup(options, context, clients));
}

/**
 * Finds the temporary queues that `tail` creates (by name prefix, confirmed by their tag) and the subscriptions
 * that feed them, and removes them: subscriptions first, then queues. Queues without the tag are never touched.
 */
export async function cleanup(
  options: CleanupOptions,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const [{ SqsOperations, queueNameFromUrl }, { SnsOperations }, { TAIL_QUEUE_PREFIX, TAIL_TAG }] =
    await Promise.all([import("../aws/sqs.js"), import("../aws/sns.js"), import("../aws/watch.js")]);
  const sqs = await SqsOperations.create(clients);
  const sns = await SnsOperations.create(clients);
  const now = context.io.now().getTime();

  interface Candidate {
    url: string;
    name: string;
    createdAt: string;
  }
  const candidates: Candidate[] = [];
  let recent = 0;
  const existing = await sqs.listQueues(TAIL_QUEUE_PREFIX);
  for (const url of existing) {
    const queue = { url, name: queueNameFromUrl(url) };
    let tags: Record<string, string>;
    try {
      tags = await sqs.tags(queue);
    } catch (error) {
      warn(context, `skipped ${queue.name}: ${(error as Error).message}`);
      continue;
    }
    const createdAt = tags[TAIL_TAG];
    if (createdAt === undefined) continue; // not ours, whatever its name
    const created = Date.parse(createdAt);
    if (
      options.olderThanMs !== undefined &&
      Number.isFinite(created) &&
      now - created < options.olderThanMs
    ) {
      recent += 1;
      continue;
    }
    candidates.push({ ...queue, createdAt });
  }

  // Subscriptions that deliver to those queues, and orphans whose temporary queue is already gone.
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
  const existingNames = new Set(existing.map(queueNameFromUrl));
  const doomed = subscriptions.filter((subscription) => {
    if (subscription.protocol !== "sqs") return false;
    const queueName = subscription.endpoint.split(":").pop() ?? "";
    if (!queueName.startsWith(TAIL_QUEUE_PREFIX)) return false;
    // Feeds a queue being removed, or an orphan whose queue is gone; a recent queue's one may be in use.
    return candidateNames.has(queueName) || !existingNames.has(queueName);
  });

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
  if (context.output.json) {
    const done = items.filter((item) => item.action !== "failed").length;
    context.io.stdout.write(
      `${JSON.stringify({ version: 1, dryRun: options.dryRun, resources: items, summary: { [options.dryRun ? "wouldDelete" : "deleted"]: done, failed, keptRecent: recent } })}\n`,
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
        `${context.errorColors.red("failed:")} ${item.type} ${item.id}: ${item.error}\n`,
      );
    } else {
      context.io.stdout.write(`${line}\n`);
    }
  }
  if (items.length === 0)
    note(context, "nothing to clean up: no temporary queues or subscriptions left by tail");
  if (recent > 0) {
    note(
      context,
      `kept ${recent} temporary queue${recent === 1 ? "" : "s"} younger than ${formatDuration(options.olderThanMs ?? 0)} (a tail may be using ${recent === 1 ? "it" : "them"})`,
    );
  }
  return failed > 0 ? 1 : 0;
}

/**
 * `doctor`'s checks of how the function is invoked: which qualifiers callers reach (destinations are set
 * per function, version or alias), and the event source mappings, which invoke synchronously so that the
 * function's destinations never fire for their events.
 */
import { parseArn } from "../arn.js";
import type { AliasFacts, FunctionFacts, InvokeConfigFacts } from "../aws/doctor-lambda.js";
import type { DoctorCheck } from "../render/doctor.js";
import { awsCliOptionsFor, type DoctorContext, plural, readOrUnknown, shellWord } from "./doctor-context.js";
import { destinationFacts } from "./doctor-destinations.js";

/** Whether every alias a caller may invoke has its own event invoke config. */
export function qualifiersCheck(
  run: DoctorContext,
  fn: FunctionFacts,
  aliases: AliasFacts[] | DoctorCheck,
  configs: InvokeConfigFacts[] | DoctorCheck,
): DoctorCheck {
  if (!Array.isArray(aliases)) return { ...aliases, id: "qualifiers" };
  if (aliases.length === 0) {
    return {
      id: "qualifiers",
      status: "ok",
      message: `no aliases: callers invoke ${fn.name} unqualified (or a version number), whose config is shown here`,
    };
  }
  const configured = new Set(Array.isArray(configs) ? configs.map((c) => c.qualifier) : []);
  const without = aliases.filter((alias) => !configured.has(alias.name));
  if (without.length === 0) {
    return {
      id: "qualifiers",
      status: "ok",
      message: `every alias (${aliases.map((a) => a.name).join(", ")}) has its own event invoke config`,
    };
  }
  const names = without.map((a) => a.name).join(", ");
  return {
    id: "qualifiers",
    status: "warn",
    message: `${plural(without.length, "alias", "aliases")} without an event invoke config (${names}): a caller invoking ${fn.name}:${without[0]!.name} gets no destination records, as destinations are set per function, version or alias`,
    fix: `aws lambda put-function-event-invoke-config --function-name ${shellWord(fn.name)} --qualifier ${shellWord(without[0]!.name)} --destination-config '{"OnFailure":{"Destination":"ARN"}}'${run.cli}`,
  };
}

/** What each event source mapping does with the events that fail. */
export async function eventSourceChecks(run: DoctorContext, fn: FunctionFacts): Promise<DoctorCheck[]> {
  const mappings = await readOrUnknown(() => run.lambda.eventSourceMappings(fn.name), "event-sources");
  if (!Array.isArray(mappings)) return [mappings];
  if (mappings.length === 0) {
    return [{ id: "event-sources", status: "ok", message: "no event source mappings invoke this function" }];
  }
  const checks: DoctorCheck[] = [];
  for (const mapping of mappings) {
    const source = parseArn(mapping.eventSourceArn);
    const id = `event-source.${mapping.uuid}`;
    if (source?.service === "sqs") {
      checks.push(await sqsTriggerCheck(run, fn, mapping.eventSourceArn!, id));
    } else if (
      source?.service === "kinesis" ||
      source?.service === "dynamodb" ||
      source?.service === "kafka"
    ) {
      const what = `${source.service} source ${source.resource}`;
      checks.push(
        mapping.onFailure
          ? {
              id,
              status: "ok",
              message: `${what}: discarded batches go to the mapping's on-failure destination ${destinationFacts(mapping.onFailure).label} (the function's own destinations are not used for it)`,
            }
          : {
              id,
              status: "warn",
              message: `${what} invokes synchronously, so the function's destinations never fire for its records, and the mapping has no on-failure destination: discarded batches are lost`,
              fix: `aws lambda update-event-source-mapping --uuid ${shellWord(mapping.uuid)} --destination-config '{"OnFailure":{"Destination":"QUEUE_OR_TOPIC_ARN"}}'${run.cli}`,
            },
      );
    } else {
      checks.push({
        id,
        status: "warn",
        message: `event source ${mapping.eventSourceArn ?? mapping.uuid} invokes the function synchronously: destinations never fire for its events`,
      });
    }
  }
  return checks;
}

async function sqsTriggerCheck(
  run: DoctorContext,
  fn: FunctionFacts,
  queueArn: string,
  id: string,
): Promise<DoctorCheck> {
  const queueName = parseArn(queueArn)?.resource ?? queueArn;
  const base = `queue ${queueName} triggers ${fn.name}: Lambda invokes synchronously for its messages, so destinations never fire for them; failed messages go back to the queue and then to its redrive policy's dead-letter queue`;
  const redrive = await readOrUnknown(async () => {
    const { SqsOperations } = await import("../aws/sqs.js");
    const arn = parseArn(queueArn);
    const sqs = await SqsOperations.create(await run.clients.forResourceRegion(arn?.region, "sqs"));
    const queue = await sqs.resolve({
      type: "queue",
      name: queueName,
      arn: queueArn,
      accountId: arn?.accountId,
    });
    const attributes = await sqs.attributes(queue, ["RedrivePolicy"]);
    return { url: queue.url, policy: attributes.RedrivePolicy };
  });
  if (!("url" in redrive))
    return { id, status: "warn", message: `${base} (its redrive policy: ${redrive.message})` };
  let target: string | undefined;
  try {
    target = redrive.policy
      ? (JSON.parse(redrive.policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn
      : undefined;
  } catch {
    target = undefined;
  }
  if (target) return { id, status: "warn", message: `${base} (${destinationFacts(target).label} here)` };
  return {
    id,
    status: "warn",
    message: `${base}, and this queue has none: failed messages are retried until they expire`,
    fix: `aws sqs set-queue-attributes --queue-url ${shellWord(redrive.url)} --attributes '{"RedrivePolicy":"{\\"deadLetterTargetArn\\":\\"DLQ_ARN\\",\\"maxReceiveCount\\":\\"5\\"}"}'${awsCliOptionsFor(run.clients)}`,
  };
}

/**
 * `doctor`'s checks of the destinations themselves: which are configured for a function or qualifier, and
 * for each one (and the dead-letter queue) whether it exists, can take the records, and may be written to.
 */
import { parseArn } from "../arn.js";
import type { FunctionFacts, InvokeConfigFacts } from "../aws/doctor-lambda.js";
import { AwsOperationError } from "../errors.js";
import type { DoctorCheck } from "../render/doctor.js";
import { awsCliOptionsFor, type DoctorContext, isFatal, plural, shellWord } from "./doctor-context.js";
import { permissionCheck } from "./doctor-permissions.js";

export type Side = "on-success" | "on-failure" | "dead-letter";

const SIDE_WORDS: Record<Side, string> = {
  "on-success": "on success",
  "on-failure": "on failure",
  "dead-letter": "dead-letter queue",
};

export interface DestinationFacts {
  kind: "queue" | "topic" | "function" | "bus" | "bucket" | "unknown";
  label: string;
  /** The IAM actions the execution role needs on it, and the resource they are simulated on. */
  actions: string[];
  resource: string;
}

/** What a destination ARN names, as doctor words it, and what the execution role needs to deliver there. */
export function destinationFacts(arn: string): DestinationFacts {
  const parsed = parseArn(arn);
  const last = parsed?.resource.split(/[:/]/).pop() ?? arn;
  switch (parsed?.service) {
    case "sqs":
      return {
        kind: "queue",
        label: `queue ${parsed.resource}`,
        actions: ["sqs:SendMessage"],
        resource: arn,
      };
    case "sns":
      return { kind: "topic", label: `topic ${parsed.resource}`, actions: ["sns:Publish"], resource: arn };
    case "lambda":
      return {
        kind: "function",
        label: `function ${parsed.resource.replace(/^function:/, "")}`,
        actions: ["lambda:InvokeFunction"],
        resource: arn,
      };
    case "events":
      return { kind: "bus", label: `event bus ${last}`, actions: ["events:PutEvents"], resource: arn };
    case "s3":
      return {
        kind: "bucket",
        label: `bucket ${parsed.resource}`,
        actions: ["s3:PutObject"],
        resource: `${arn}/*`,
      };
    default:
      return { kind: "unknown", label: arn, actions: [], resource: arn };
  }
}

/** The KMS key ARN of a customer managed key (undefined for none, or an AWS managed alias/aws/... key). */
function customerKeyArn(keyId: string | undefined, destination: string): string | undefined {
  if (!keyId || keyId.startsWith("alias/aws/") || /:alias\/aws\//.test(keyId)) return undefined;
  if (keyId.startsWith("arn:")) return keyId;
  const parsed = parseArn(destination);
  const base = `arn:${parsed?.partition ?? "aws"}:kms:${parsed?.region ?? ""}:${parsed?.accountId ?? ""}`;
  return keyId.startsWith("alias/") ? `${base}:${keyId}` : `${base}:key/${keyId}`;
}

/**
 * Whether the function (or qualifier) has destinations: ✗ when it has none, ⚠ when only another qualifier
 * has them and this one was not asked about by name (a caller must then invoke that qualifier).
 */
export function destinationsConfiguredChecks(
  run: DoctorContext,
  fn: FunctionFacts,
  qualifier: string | undefined,
  config: InvokeConfigFacts | undefined,
  all: InvokeConfigFacts[],
  explicit: boolean,
): DoctorCheck[] {
  const target = qualifier ? `${fn.name}:${qualifier}` : fn.name;
  const qualifierOption = qualifier ? ` --qualifier ${shellWord(qualifier)}` : "";
  const fix = `aws lambda put-function-event-invoke-config --function-name ${shellWord(fn.name)}${qualifierOption} --destination-config '{"OnSuccess":{"Destination":"ARN"},"OnFailure":{"Destination":"ARN"}}'${run.cli}`;
  if (!config || (!config.onSuccess && !config.onFailure)) {
    const elsewhere = all.filter((c) => c.qualifier !== qualifier && (c.onSuccess || c.onFailure));
    const others = elsewhere.map((c) => c.qualifier ?? "the unqualified function").join(", ");
    return [
      {
        id: "destinations",
        // Asked about this qualifier by name, it is the one the caller invokes: nothing arrives.
        status: elsewhere.length > 0 && !explicit ? "warn" : "fail",
        message:
          `${target} has no destinations${config ? "" : " (no event invoke config)"}: records of its asynchronous invocations go nowhere` +
          (elsewhere.length > 0
            ? `; destinations are set on ${others} only, and a caller must invoke that qualifier`
            : ""),
        fix,
      },
    ];
  }
  const parts: string[] = [];
  if (config.onSuccess) parts.push(`on success → ${destinationFacts(config.onSuccess).label}`);
  if (config.onFailure) parts.push(`on failure → ${destinationFacts(config.onFailure).label}`);
  return [{ id: "destinations", status: "ok", message: `${target}: ${parts.join("; ")}` }];
}

/** What the dead-letter queue receives (it is then checked like a destination). */
export function deadLetterCheck(target: string): DoctorCheck {
  return {
    id: "dead-letter-queue",
    status: "ok",
    message: `dead-letter queue: ${destinationFacts(target).label} receives the events that fail every attempt, as the event alone, without Lambda's response`,
  };
}

/** The destination on one side (or the dead-letter queue): it exists, can take records, may be written to. */
export async function destinationChecks(
  run: DoctorContext,
  fn: FunctionFacts,
  qualifier: string | undefined,
  side: Side,
  arn: string,
): Promise<DoctorCheck[]> {
  const facts = destinationFacts(arn);
  const id = `${side}.destination`;
  const words = SIDE_WORDS[side];
  const qualifierOption = qualifier ? ` --qualifier ${shellWord(qualifier)}` : "";
  const sideKey = side === "on-success" ? "OnSuccess" : "OnFailure";
  const replace =
    side === "dead-letter"
      ? `aws lambda update-function-configuration --function-name ${shellWord(fn.name)} --dead-letter-config TargetArn=ARN_OF_A_STANDARD_QUEUE_OR_TOPIC${run.cli}`
      : `aws lambda update-function-event-invoke-config --function-name ${shellWord(fn.name)}${qualifierOption} --destination-config '{"${sideKey}":{"Destination":"ARN_OF_A_STANDARD_QUEUE_OR_TOPIC"}}'${run.cli}`;
  if (side === "dead-letter" && facts.kind !== "queue" && facts.kind !== "topic") {
    return [
      { id, status: "fail", message: `${words}: ${arn} is not an SQS queue or SNS topic`, fix: replace },
    ];
  }
  if (facts.kind === "unknown") {
    return [
      {
        id,
        status: "fail",
        message: `${words}: ${arn} is not a queue, topic, function, event bus or bucket`,
        fix: replace,
      },
    ];
  }
  if (facts.kind === "bucket" && side === "on-success") {
    return [
      {
        id,
        status: "fail",
        message: `on success: an S3 bucket may only be an on-failure destination`,
        fix: replace,
      },
    ];
  }
  const checks: DoctorCheck[] = [];
  let kmsKey: string | undefined;
  try {
    const found = await inspect(run, facts, arn);
    kmsKey = customerKeyArn(found.kmsKeyId, arn);
    if (found.fifo) {
      checks.push({
        id,
        status: "fail",
        message: `${words}: ${facts.label} is FIFO; Lambda cannot deliver ${side === "dead-letter" ? "events" : "records"} to a FIFO queue or topic, so every ${side === "dead-letter" ? "event" : "record"} is dropped`,
        fix: replace,
      });
    } else {
      checks.push({
        id,
        status: "ok",
        message: `${words}: ${facts.label} exists${facts.kind === "queue" || facts.kind === "topic" ? ` and is a standard ${facts.kind}` : ""}`,
      });
    }
    if (found.subscriptions !== undefined) {
      checks.push(
        found.subscriptions > 0
          ? {
              id: `${side}.subscribers`,
              status: "ok",
              message: `${words}: ${facts.label} has ${plural(found.subscriptions, "subscription")}`,
            }
          : {
              id: `${side}.subscribers`,
              status: "warn",
              message: `${words}: ${facts.label} has no subscriptions: records published to it reach no one`,
              fix: `aws sns subscribe --topic-arn ${shellWord(arn)} --protocol sqs --notification-endpoint QUEUE_ARN${awsCliOptionsFor(run.clients)}`,
            },
      );
    }
    if (side !== "dead-letter") {
      const size = sizeLimit(facts, words);
      if (size) checks.push({ ...size, id: `${side}.size` });
    }
  } catch (error) {
    if (isFatal(error) || !(error instanceof AwsOperationError)) throw error;
    if (error.reason === "not-found") {
      checks.push({
        id,
        status: "fail",
        message: `${words}: ${facts.label} does not exist, so every ${side === "dead-letter" ? "event" : "record"} is dropped`,
        fix: `create it (${createCommand(facts, arn)}), or point the config at one that exists: ${replace}`,
      });
      return checks;
    }
    checks.push({
      id,
      status: "unknown",
      message: `${words}: could not check ${facts.label}: ${error.message}`,
    });
  }
  checks.push(
    await permissionCheck(run, fn, words, facts.label, [facts.resource], facts.actions, `${side}.permission`),
  );
  if (kmsKey) {
    checks.push(
      await permissionCheck(
        run,
        fn,
        words,
        `the KMS key of ${facts.label}`,
        [kmsKey],
        ["kms:GenerateDataKey", "kms:Decrypt"],
        `${side}.kms`,
      ),
    );
  }
  return checks;
}

/** What the destination's own service says of it: FIFO or not, its KMS key, a topic's subscriptions. */
async function inspect(
  run: DoctorContext,
  facts: DestinationFacts,
  arn: string,
): Promise<{ fifo: boolean; kmsKeyId?: string; subscriptions?: number }> {
  const parsed = parseArn(arn);
  const region = parsed?.region || undefined;
  switch (facts.kind) {
    case "queue": {
      const { SqsOperations } = await import("../aws/sqs.js");
      const sqs = await SqsOperations.create(await run.clients.forResourceRegion(region, "sqs"));
      const name = parsed?.resource ?? arn;
      const queue = await sqs.resolve({ type: "queue", name, arn, accountId: parsed?.accountId });
      const attributes = await sqs.attributes(queue, ["FifoQueue", "KmsMasterKeyId"]);
      return {
        fifo: attributes.FifoQueue === "true" || name.endsWith(".fifo"),
        kmsKeyId: attributes.KmsMasterKeyId,
      };
    }
    case "topic": {
      const { SnsOperations } = await import("../aws/sns.js");
      const sns = await SnsOperations.create(await run.clients.forResourceRegion(region, "sns"));
      const topic = { arn, name: parsed?.resource ?? arn };
      const attributes = await sns.attributes(topic);
      const subscriptions = await sns.subscriptionsOf(topic);
      return {
        fifo: attributes.FifoTopic === "true" || topic.name.endsWith(".fifo"),
        kmsKeyId: attributes.KmsMasterKeyId,
        subscriptions: subscriptions.length,
      };
    }
    case "function": {
      await run.lambda.functionConfiguration(arn);
      return { fifo: false };
    }
    case "bus": {
      const { EventsOperations } = await import("../aws/events.js");
      const events = await EventsOperations.create(await run.clients.forResourceRegion(region, "events"));
      await events.describeBus(arn);
      return { fifo: false };
    }
    default: {
      const { headBucket } = await import("../aws/doctor-s3.js");
      await headBucket(run.clients, parsed?.resource ?? arn);
      return { fifo: false };
    }
  }
}

/** What a destination's size limit does to large records: SNS topics and event buses take 256 KB. */
function sizeLimit(facts: DestinationFacts, words: string): Omit<DoctorCheck, "id"> | undefined {
  const fix = "for large events and responses use an SQS queue or, on failure, an S3 bucket";
  if (facts.kind === "topic") {
    return {
      status: "warn",
      message: `${words}: ${facts.label} takes messages up to 256 KB; when the event and the response together are larger, Lambda drops them from the record`,
      fix,
    };
  }
  if (facts.kind === "bus") {
    return {
      status: "warn",
      message: `${words}: ${facts.label} takes entries under 256 KB; a record with a larger event and response may not be delivered`,
      fix,
    };
  }
  return undefined;
}

function createCommand(facts: DestinationFacts, arn: string): string {
  const name = parseArn(arn)?.resource ?? arn;
  switch (facts.kind) {
    case "queue":
      return `aws sqs create-queue --queue-name ${shellWord(name)}`;
    case "topic":
      return `aws sns create-topic --name ${shellWord(name)}`;
    case "bus":
      return `aws events create-event-bus --name ${shellWord(name.replace(/^event-bus\//, ""))}`;
    case "bucket":
      return `aws s3api create-bucket --bucket ${shellWord(name)}`;
    default:
      return `deploy function ${name}`;
  }
}

/**
 * `doctor [FUNCTION...]`: why destination records would not arrive. Reads only; every fact it states about
 * AWS is quoted from AWS's documentation in test/integration/aws/doctor.test.ts.
 */
import { parseArn } from "../arn.js";
import { type AwsClients, awsCliOptions, withClients } from "../aws/clients.js";
import type { DoctorIamReads } from "../aws/doctor-iam.js";
import type { DoctorLambdaReads, FunctionFacts, InvokeConfigFacts } from "../aws/doctor-lambda.js";
import { AwsOperationError, UsageError } from "../errors.js";
import { type CommandContext, note } from "../io.js";
import { printableJson } from "../printable.js";
import type { DoctorCheck, DoctorDocument, DoctorFunctionReport } from "../render/doctor.js";

export interface DoctorOptions {
  functions: string[];
  all: boolean;
  qualifier?: string;
}

export async function runDoctor(options: DoctorOptions, context: CommandContext): Promise<number> {
  if (options.all && options.functions.length > 0) {
    throw new UsageError("give function names or --all, not both");
  }
  if (!options.all && options.functions.length === 0) {
    throw new UsageError("name at least one function, or pass --all for every function in the region");
  }
  return withClients(context, (clients) => doctor(options, context, clients));
}

/** The command with its clients injected (tests pass clients with a simulated transport). */
export async function doctor(
  options: DoctorOptions,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const { DoctorLambdaReads } = await import("../aws/doctor-lambda.js");
  const { DoctorIamReads } = await import("../aws/doctor-iam.js");
  const lambda = await DoctorLambdaReads.create(clients);
  const iam = new DoctorIamReads(clients);
  const names = options.all ? await lambda.functionNames() : options.functions;
  if (names.length === 0)
    note(context, `no functions${lambda.region ? ` in ${lambda.region}` : ""}: nothing to check`);
  const document: DoctorDocument = { version: 1, functions: [] };
  // An endpoint of one's own (--local, --endpoint-url, AWS_ENDPOINT_URL): IAM and CloudWatch are AWS's only.
  const local = clients.settings("lambda").endpoint !== undefined;
  const doctorRun = new DoctorRun(lambda, iam, clients, local, () => context.io.now());
  for (const name of names) document.functions.push(...(await doctorRun.function(name, options.qualifier)));
  if (context.output.json) {
    context.io.stdout.write(`${printableJson(JSON.stringify(document))}\n`);
  } else {
    const { renderDoctor } = await import("../render/doctor.js");
    context.io.stdout.write(renderDoctor(document, context.colors));
  }
  const failed = document.functions.some((report) => report.checks.some((check) => check.status === "fail"));
  return failed ? 1 : 0;
}

/** Errors that say the endpoint or the credentials do not work at all: the whole run stops with them. */
function isFatal(error: unknown): boolean {
  return (
    error instanceof AwsOperationError &&
    ["unreachable", "no-answer", "no-credentials", "expired-credentials", "rejected-credentials"].includes(
      error.reason,
    )
  );
}

/** A word for an argument in a printed command: kept bare when the shell reads it as it is. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_.,:/=@+%-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function ageInWords(seconds: number): string {
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

type Side = "on-success" | "on-failure" | "dead-letter";

const SIDE_WORDS: Record<Side, string> = {
  "on-success": "on success",
  "on-failure": "on failure",
  "dead-letter": "dead-letter queue",
};

interface DestinationFacts {
  kind: "queue" | "topic" | "function" | "bus" | "bucket" | "unknown";
  label: string;
  /** The IAM actions the execution role needs on it, and the resource they are simulated on. */
  actions: string[];
  resource: string;
}

function destinationFacts(arn: string): DestinationFacts {
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

class DoctorRun {
  constructor(
    readonly lambda: DoctorLambdaReads,
    readonly iam: DoctorIamReads,
    readonly clients: AwsClients,
    readonly local: boolean,
    readonly now: () => Date,
  ) {}

  /** Once CloudWatch could not be read (denied, absent), it is not asked again in this run. */
  #metricsUnavailable?: string;

  /**
   * Deliveries AWS already failed: the DestinationDeliveryFailures and DeadLetterErrors metrics of the last
   * 24 hours. A caller that may not read them, or an endpoint without CloudWatch, gets "could not check".
   */
  async deliveryFailures(fn: FunctionFacts): Promise<DoctorCheck> {
    const id = "delivery-failures";
    if (this.#metricsUnavailable === undefined) {
      try {
        const { deliveryMetrics } = await import("../aws/doctor-cloudwatch.js");
        const metrics = await deliveryMetrics(this.clients, fn.name, this.now());
        const failures = metrics.destinationDeliveryFailures + metrics.deadLetterErrors;
        if (failures === 0) {
          return {
            id,
            status: "ok",
            message:
              "no failed deliveries to destinations or the dead-letter queue in the last 24 hours (CloudWatch)",
          };
        }
        return {
          id,
          status: "fail",
          message: `AWS failed to deliver records in the last 24 hours: ${plural(metrics.destinationDeliveryFailures, "DestinationDeliveryFailure")}, ${plural(metrics.deadLetterErrors, "DeadLetterError")} (CloudWatch, AWS/Lambda): those records are lost`,
          fix: "the destination and permission checks above say why; after fixing, lambda-dest invoke --wait shows whether a record now arrives",
        };
      } catch (error) {
        if (isFatal(error) || !(error instanceof AwsOperationError)) throw error;
        this.#metricsUnavailable =
          error.reason === "access-denied"
            ? "your credentials may not call cloudwatch:GetMetricData"
            : this.local
              ? "not checked locally: the endpoint in use has no CloudWatch"
              : error.message;
      }
    }
    return {
      id,
      status: "unknown",
      message: `could not check the delivery failures AWS saw (${this.#metricsUnavailable})`,
    };
  }

  get cli(): string {
    return this.lambda.cliOptions();
  }

  async function(name: string, only: string | undefined): Promise<DoctorFunctionReport[]> {
    let fn: FunctionFacts;
    try {
      fn = await this.lambda.functionConfiguration(name);
    } catch (error) {
      if (isFatal(error) || !(error instanceof AwsOperationError)) throw error;
      const missing = error.reason === "not-found";
      // Denied or throttled: the function may be fine. Anything else (an invalid name) is a failure.
      const unknown = error.reason === "access-denied" || error.reason === "throttled";
      return [
        {
          name,
          qualifier: only ?? null,
          checks: [
            {
              id: "function",
              status: unknown ? "unknown" : "fail",
              message: missing
                ? `function ${name} does not exist${this.lambda.region ? ` in ${this.lambda.region}` : ""}`
                : unknown
                  ? `could not check: ${error.message}`
                  : error.message,
              fix: missing
                ? `check the name, --region and --profile (aws lambda list-functions${this.cli})`
                : undefined,
            },
          ],
        },
      ];
    }
    if (only !== undefined && only !== "$LATEST") {
      const missing = await this.lambda.functionConfiguration(fn.name, only).then(
        () => false,
        (error: unknown) => {
          if (isFatal(error) || !(error instanceof AwsOperationError)) throw error;
          return error.reason === "not-found";
        },
      );
      if (missing) {
        return [
          {
            name: fn.name,
            qualifier: only,
            checks: [
              {
                id: "qualifier",
                status: "fail",
                message: `${fn.name} has no version or alias ${only}: a caller invoking ${fn.name}:${only} gets an error, not a record`,
                fix: `aws lambda list-aliases --function-name ${shellWord(fn.name)}${this.cli}`,
              },
            ],
          },
        ];
      }
    }
    const configs = await this.read(() => this.lambda.eventInvokeConfigs(fn.name), "destinations");
    const aliases = await this.read(() => this.lambda.aliases(fn.name), "qualifiers");
    const qualifiers: (string | undefined)[] =
      only !== undefined
        ? [only === "$LATEST" ? undefined : only]
        : [
            undefined,
            ...(Array.isArray(configs) ? configs.map((c) => c.qualifier).filter((q) => q !== undefined) : []),
          ];
    const reports: DoctorFunctionReport[] = [];
    for (const qualifier of qualifiers) {
      const checks: DoctorCheck[] = [];
      const config = Array.isArray(configs) ? configs.find((c) => c.qualifier === qualifier) : undefined;
      if (!Array.isArray(configs)) checks.push(configs);
      else checks.push(...this.destinationsConfigured(fn, qualifier, config, configs, only !== undefined));
      if (qualifier === undefined) checks.push(this.callers(fn, aliases, configs));
      if (config) {
        for (const [side, arn] of [
          ["on-success", config.onSuccess],
          ["on-failure", config.onFailure],
        ] as [Side, string | undefined][]) {
          if (arn) checks.push(...(await this.destination(fn, qualifier, side, arn)));
        }
        checks.push(this.retries(config));
      }
      if (qualifier === undefined || only !== undefined) {
        checks.push(await this.concurrency(fn));
        checks.push(await this.deliveryFailures(fn));
        checks.push(...(await this.eventSources(fn)));
        if (fn.deadLetterTarget) {
          checks.push(this.deadLetter(fn.deadLetterTarget));
          checks.push(...(await this.destination(fn, undefined, "dead-letter", fn.deadLetterTarget)));
        }
      }
      reports.push({ name: fn.name, qualifier: qualifier ?? null, checks });
    }
    return reports;
  }

  /** A read whose failure is this check's "could not check", not the run's end. */
  async read<T>(body: () => Promise<T>, id = "read"): Promise<T | DoctorCheck> {
    try {
      return await body();
    } catch (error) {
      if (isFatal(error) || !(error instanceof AwsOperationError)) throw error;
      return { id, status: "unknown", message: `could not check: ${error.message}` };
    }
  }

  destinationsConfigured(
    fn: FunctionFacts,
    qualifier: string | undefined,
    config: InvokeConfigFacts | undefined,
    all: InvokeConfigFacts[],
    explicit: boolean,
  ): DoctorCheck[] {
    const target = qualifier ? `${fn.name}:${qualifier}` : fn.name;
    const qualifierOption = qualifier ? ` --qualifier ${shellWord(qualifier)}` : "";
    const fix = `aws lambda put-function-event-invoke-config --function-name ${shellWord(fn.name)}${qualifierOption} --destination-config '{"OnSuccess":{"Destination":"ARN"},"OnFailure":{"Destination":"ARN"}}'${this.cli}`;
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

  callers(
    fn: FunctionFacts,
    aliases: Awaited<ReturnType<DoctorLambdaReads["aliases"]>> | DoctorCheck,
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
      fix: `aws lambda put-function-event-invoke-config --function-name ${shellWord(fn.name)} --qualifier ${shellWord(without[0]!.name)} --destination-config '{"OnFailure":{"Destination":"ARN"}}'${this.cli}`,
    };
  }

  retries(config: InvokeConfigFacts): DoctorCheck {
    const retries = config.maximumRetryAttempts ?? 2;
    const age = config.maximumEventAgeInSeconds ?? 21_600;
    const retryWords =
      retries === 0
        ? "a function error is not retried: the first failure goes to the on-failure destination"
        : `a function error is retried ${retries === 1 ? "once" : "twice"} (about 1${retries === 2 ? " and 2 minutes" : " minute"} later) before the on-failure destination gets the record`;
    return {
      id: "retries",
      status: "ok",
      message: `${retryWords}; an event still unprocessed after ${ageInWords(age)} (throttled, or Lambda busy) is discarded, with an EventAgeExceeded record on failure`,
    };
  }

  async concurrency(fn: FunctionFacts): Promise<DoctorCheck> {
    const reserved = await this.read(() => this.lambda.reservedConcurrency(fn.name), "concurrency");
    if (typeof reserved === "object") return reserved;
    if (reserved === 0) {
      return {
        id: "concurrency",
        status: "fail",
        message: `reserved concurrency is 0: ${fn.name} never runs; asynchronous events go straight to the on-failure destination or dead-letter queue, without retries`,
        fix: `aws lambda delete-function-concurrency --function-name ${shellWord(fn.name)}${this.cli}`,
      };
    }
    return {
      id: "concurrency",
      status: "ok",
      message:
        reserved === undefined
          ? "no reserved concurrency: the function may run"
          : `reserved concurrency is ${reserved}`,
    };
  }

  async eventSources(fn: FunctionFacts): Promise<DoctorCheck[]> {
    const mappings = await this.read(() => this.lambda.eventSourceMappings(fn.name), "event-sources");
    if (!Array.isArray(mappings)) return [mappings];
    if (mappings.length === 0) {
      return [
        { id: "event-sources", status: "ok", message: "no event source mappings invoke this function" },
      ];
    }
    const checks: DoctorCheck[] = [];
    for (const mapping of mappings) {
      const source = parseArn(mapping.eventSourceArn);
      const id = `event-source.${mapping.uuid}`;
      if (source?.service === "sqs") {
        checks.push(await this.sqsTrigger(fn, mapping.eventSourceArn!, id));
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
                fix: `aws lambda update-event-source-mapping --uuid ${shellWord(mapping.uuid)} --destination-config '{"OnFailure":{"Destination":"QUEUE_OR_TOPIC_ARN"}}'${this.cli}`,
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

  async sqsTrigger(fn: FunctionFacts, queueArn: string, id: string): Promise<DoctorCheck> {
    const queueName = parseArn(queueArn)?.resource ?? queueArn;
    const base = `queue ${queueName} triggers ${fn.name}: Lambda invokes synchronously for its messages, so destinations never fire for them; failed messages go back to the queue and then to its redrive policy's dead-letter queue`;
    const redrive = await this.read(async () => {
      const { SqsOperations } = await import("../aws/sqs.js");
      const arn = parseArn(queueArn);
      const sqs = await SqsOperations.create(await this.clients.forResourceRegion(arn?.region, "sqs"));
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
      fix: `aws sqs set-queue-attributes --queue-url ${shellWord(redrive.url)} --attributes '{"RedrivePolicy":"{\\"deadLetterTargetArn\\":\\"DLQ_ARN\\",\\"maxReceiveCount\\":\\"5\\"}"}'${awsCliOptionsFor(this.clients)}`,
    };
  }

  deadLetter(target: string): DoctorCheck {
    return {
      id: "dead-letter-queue",
      status: "ok",
      message: `dead-letter queue: ${destinationFacts(target).label} receives the events that fail every attempt, as the event alone, without Lambda's response`,
    };
  }

  async destination(
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
        ? `aws lambda update-function-configuration --function-name ${shellWord(fn.name)} --dead-letter-config TargetArn=ARN_OF_A_STANDARD_QUEUE_OR_TOPIC${this.cli}`
        : `aws lambda update-function-event-invoke-config --function-name ${shellWord(fn.name)}${qualifierOption} --destination-config '{"${sideKey}":{"Destination":"ARN_OF_A_STANDARD_QUEUE_OR_TOPIC"}}'${this.cli}`;
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
      const found = await this.inspect(facts, arn);
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
                fix: `aws sns subscribe --topic-arn ${shellWord(arn)} --protocol sqs --notification-endpoint QUEUE_ARN${awsCliOptionsFor(this.clients)}`,
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
      await this.permission(fn, words, facts, [facts.resource], facts.actions, `${side}.permission`),
    );
    if (kmsKey) {
      checks.push(
        await this.permission(
          fn,
          words,
          { ...facts, label: `the KMS key of ${facts.label}` },
          [kmsKey],
          ["kms:GenerateDataKey", "kms:Decrypt"],
          `${side}.kms`,
        ),
      );
    }
    return checks;
  }

  async inspect(
    facts: DestinationFacts,
    arn: string,
  ): Promise<{ fifo: boolean; kmsKeyId?: string; subscriptions?: number }> {
    const parsed = parseArn(arn);
    const region = parsed?.region || undefined;
    switch (facts.kind) {
      case "queue": {
        const { SqsOperations } = await import("../aws/sqs.js");
        const sqs = await SqsOperations.create(await this.clients.forResourceRegion(region, "sqs"));
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
        const sns = await SnsOperations.create(await this.clients.forResourceRegion(region, "sns"));
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
        await this.lambda.functionConfiguration(arn);
        return { fifo: false };
      }
      case "bus": {
        const { EventsOperations } = await import("../aws/events.js");
        const events = await EventsOperations.create(await this.clients.forResourceRegion(region, "events"));
        await events.describeBus(arn);
        return { fifo: false };
      }
      default: {
        const { headBucket } = await import("../aws/doctor-s3.js");
        await headBucket(this.clients, parsed?.resource ?? arn);
        return { fifo: false };
      }
    }
  }

  async permission(
    fn: FunctionFacts,
    words: string,
    facts: DestinationFacts,
    resources: string[],
    actions: string[],
    id: string,
  ): Promise<DoctorCheck> {
    const listed = actions.join(", ");
    if (!fn.role)
      return {
        id,
        status: "unknown",
        message: `${words}: could not check ${listed}: the function names no execution role`,
      };
    const outcome = await this.iam.simulate(fn.role, actions, resources[0]!);
    if (outcome.kind === "could-not-check") {
      const why = outcome.accessDenied
        ? "your credentials may not call iam:SimulatePrincipalPolicy"
        : this.local
          ? "not checked locally: the endpoint in use has no IAM policy simulator"
          : outcome.reason;
      return {
        id,
        status: "unknown",
        message: `${words}: could not check whether the execution role allows ${listed} on ${facts.label} (${why})`,
      };
    }
    return permissionVerdict({
      id,
      words,
      label: facts.label,
      role: fn.role,
      actions,
      resources,
      decisions: outcome.decisions,
    });
  }
}

function awsCliOptionsFor(clients: AwsClients): string {
  return awsCliOptions(clients.settings("sqs"));
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

/**
 * What IAM's decisions ("allowed", "explicitDeny" or "implicitDeny" for each action) mean for delivery: ✓ when
 * every action is allowed, else ✗ with the fix: a policy granting what no statement allows, or, for an explicit
 * deny (which no Allow overrides), the deny to remove.
 */
export function permissionVerdict(input: {
  id: string;
  words: string;
  label: string;
  role: string;
  actions: string[];
  resources: string[];
  decisions: ReadonlyMap<string, string>;
}): DoctorCheck {
  const { id, words, label, role, actions, resources, decisions } = input;
  const denied = actions.filter((action) => decisions.get(action) !== "allowed");
  if (denied.length === 0) {
    return {
      id,
      status: "ok",
      message: `${words}: the execution role's policies allow ${actions.join(", ")} on ${label}`,
    };
  }
  const roleName = role.split("/").pop() || role;
  const decision = denied.map((action) => `${action}: ${decisions.get(action) ?? "no answer"}`).join(", ");
  const message = `${words}: the execution role ${roleName} may not call ${denied.join(", ")} on ${label} (${decision}), so Lambda cannot deliver there`;
  const explicit = denied.filter((action) => decisions.get(action) === "explicitDeny");
  if (explicit.length > 0) {
    return {
      id,
      status: "fail",
      message,
      fix: `remove the statement that denies ${explicit.join(", ")} on ${resources.join(", ")} from role ${roleName}'s policies (or its permissions boundary): an explicit deny overrides any allow`,
    };
  }
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: denied, Resource: resources }],
  });
  return {
    id,
    status: "fail",
    message,
    fix: `aws iam put-role-policy --role-name ${shellWord(roleName)} --policy-name lambda-destinations --policy-document ${shellWord(policy)}`,
  };
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

import { randomUUID } from "node:crypto";
import { parseValidArn } from "../arns.js";
import type { InProcessAws } from "../in-process-aws.js";
import type { LocalLogger } from "../local-logger.js";
import {
  compileEventPattern,
  type EventPattern,
  InvalidEventPatternError,
  jsonDepth,
  MAX_DEPTH,
} from "./event-pattern.js";
import { constraint, EventsServiceError, notFound, validation } from "./events-error.js";
import { parseJsonPath, type TargetInput, targetPayload } from "./target-input.js";

/** PutEvents: at most 10 entries, 256 KB in all (the EventBridge API reference and "PutEvents size"). */
export const MAX_PUT_EVENTS_ENTRIES = 10;
export const MAX_PUT_EVENTS_SIZE = 256 * 1024;
/** Targets per rule (EventBridge quotas). */
const MAX_TARGETS_PER_RULE = 5;
const DEFAULT_BUS = "default";
const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
const BUS_NAME_PATTERN = /^[/.\-_A-Za-z0-9]+$/;
const RULE_STATES = new Set(["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"]);

type Json = Record<string, unknown>;
type Tag = { Key: string; Value: string };

interface Target extends TargetInput {
  Id: string;
  Arn: string;
  RoleArn?: string;
  SqsParameters?: { MessageGroupId?: string };
  DeadLetterConfig?: unknown;
  RetryPolicy?: unknown;
}

interface Rule {
  name: string;
  arn: string;
  bus: string;
  eventPattern?: string;
  pattern?: EventPattern;
  state: string;
  description?: string;
  roleArn?: string;
  targets: Map<string, Target>;
}

interface Bus {
  name: string;
  arn: string;
  description?: string;
  created: Date;
  modified: Date;
  rules: Map<string, Rule>;
}

export interface EventsServiceOptions {
  region: string;
  accountId: string;
  aws: InProcessAws;
  /** Queues an asynchronous invocation of a local function (a Lambda target). */
  invokeAsync(functionArn: string, payload: string): void;
  logger: LocalLogger;
  now?: () => Date;
}

/**
 * The local EventBridge: event buses, rules with AWS's event patterns, and SQS, SNS and Lambda targets that
 * receive matching events in EventBridge's event shape. No scheduled rules, archives, replays, pipes or API
 * destinations. Operations take the JSON 1.1 request document and return the response document; they throw
 * EventsServiceError for what AWS refuses.
 */
export class EventsService {
  private readonly buses = new Map<string, Bus>();
  private readonly tags = new Map<string, Map<string, string>>();
  /** The last delivery queued for each rule's target. */
  private readonly deliveries = new Map<string, Promise<void>>();
  private readonly now: () => Date;

  constructor(private readonly options: EventsServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.buses.set(DEFAULT_BUS, this.newBus(DEFAULT_BUS));
  }

  async handle(operation: string, input: Json): Promise<Json> {
    switch (operation) {
      case "CreateEventBus":
        return this.createEventBus(input);
      case "DeleteEventBus":
        return this.deleteEventBus(input);
      case "DescribeEventBus":
        return this.describeEventBus(input);
      case "ListEventBuses":
        return this.listEventBuses(input);
      case "PutRule":
        return this.putRule(input);
      case "DescribeRule":
        return this.describeRule(input);
      case "ListRules":
        return this.listRules(input);
      case "DeleteRule":
        return this.deleteRule(input);
      case "EnableRule":
        return this.setState(input, "ENABLED");
      case "DisableRule":
        return this.setState(input, "DISABLED");
      case "PutTargets":
        return this.putTargets(input);
      case "RemoveTargets":
        return this.removeTargets(input);
      case "ListTargetsByRule":
        return this.listTargetsByRule(input);
      case "ListRuleNamesByTarget":
        return this.listRuleNamesByTarget(input);
      case "PutEvents":
        return this.putEvents(input);
      case "TestEventPattern":
        return this.testEventPattern(input);
      case "TagResource":
        return this.tagResource(input);
      case "UntagResource":
        return this.untagResource(input);
      case "ListTagsForResource":
        return this.listTagsForResource(input);
      default:
        throw new EventsServiceError(
          "UnknownOperationException",
          `The local stack does not emulate EventBridge's ${operation} (no scheduled rules, archives, replays, pipes, connections or API destinations).`,
        );
    }
  }

  // ---- buses ----

  private newBus(name: string, description?: string): Bus {
    const at = this.now();
    return {
      name,
      arn: `arn:aws:events:${this.options.region}:${this.options.accountId}:event-bus/${name}`,
      description,
      created: at,
      modified: at,
      rules: new Map(),
    };
  }

  private createEventBus(input: Json): Json {
    const name = requiredString(input, "Name", "name");
    if (name.length > 256 || !BUS_NAME_PATTERN.test(name))
      throw constraint(name, "name", "Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+");
    if (this.buses.has(name))
      throw new EventsServiceError("ResourceAlreadyExistsException", `Event bus ${name} already exists.`);
    if (input.EventSourceName !== undefined)
      throw validation("Partner event sources are not emulated by the local stack.");
    const description = optionalString(input, "Description");
    checkTags(input.Tags);
    const bus = this.newBus(name, description);
    this.buses.set(name, bus);
    this.applyTags(bus.arn, input.Tags);
    return { EventBusArn: bus.arn, ...(description === undefined ? {} : { Description: description }) };
  }

  private deleteEventBus(input: Json): Json {
    const name = requiredString(input, "Name", "name");
    if (name === DEFAULT_BUS) throw validation("Cannot delete event bus default.");
    const bus = this.buses.get(name);
    if (bus) {
      for (const rule of bus.rules.values()) this.tags.delete(rule.arn);
      this.tags.delete(bus.arn);
      this.buses.delete(name);
    }
    return {};
  }

  private describeEventBus(input: Json): Json {
    const bus = this.bus(optionalString(input, "Name"));
    return busDocument(bus);
  }

  private listEventBuses(input: Json): Json {
    const prefix = optionalString(input, "NamePrefix") ?? "";
    const buses = [...this.buses.values()]
      .filter((bus) => bus.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { page, next } = paginate(buses, input, (bus) => bus.name);
    return { EventBuses: page.map(busDocument), ...(next ? { NextToken: next } : {}) };
  }

  /** A bus by name or ARN (EventBusName accepts both); absent means default. */
  private bus(nameOrArn: string | undefined): Bus {
    const name = busName(nameOrArn);
    const bus = this.buses.get(name);
    if (!bus) throw notFound(`Event bus ${name} does not exist.`);
    return bus;
  }

  // ---- rules ----

  private ruleArn(bus: string, name: string): string {
    const path = bus === DEFAULT_BUS ? name : `${bus}/${name}`;
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${path}`;
  }

  private rule(input: Json, member = "Name"): { bus: Bus; rule: Rule } {
    const name = requiredString(input, member, member.toLowerCase());
    const bus = this.bus(optionalString(input, "EventBusName"));
    const rule = bus.rules.get(name);
    if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus.name}.`);
    return { bus, rule };
  }

  private putRule(input: Json): Json {
    const name = requiredString(input, "Name", "name");
    if (name.length > 64 || !NAME_PATTERN.test(name))
      throw constraint(name, "name", "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
    const bus = this.bus(optionalString(input, "EventBusName"));
    const eventPattern = optionalString(input, "EventPattern");
    const schedule = optionalString(input, "ScheduleExpression");
    if (eventPattern === undefined && schedule === undefined)
      throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
    if (schedule !== undefined)
      throw validation("Scheduled rules (ScheduleExpression) are not emulated by the local stack.");
    const state = optionalString(input, "State") ?? "ENABLED";
    if (!RULE_STATES.has(state))
      throw constraint(
        state,
        "state",
        "Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
      );
    const pattern = compilePattern(eventPattern!);
    checkTags(input.Tags);
    const existing = bus.rules.get(name);
    const rule: Rule = {
      name,
      arn: this.ruleArn(bus.name, name),
      bus: bus.name,
      eventPattern,
      pattern,
      state,
      description: optionalString(input, "Description"),
      roleArn: optionalString(input, "RoleArn"),
      targets: existing?.targets ?? new Map(),
    };
    bus.rules.set(name, rule);
    this.applyTags(rule.arn, input.Tags);
    return { RuleArn: rule.arn };
  }

  private describeRule(input: Json): Json {
    const { rule } = this.rule(input);
    return {
      ...ruleDocument(rule),
      CreatedBy: this.options.accountId,
    };
  }

  private listRules(input: Json): Json {
    const bus = this.bus(optionalString(input, "EventBusName"));
    const prefix = optionalString(input, "NamePrefix") ?? "";
    const rules = [...bus.rules.values()]
      .filter((rule) => rule.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { page, next } = paginate(rules, input, (rule) => rule.name);
    return { Rules: page.map(ruleDocument), ...(next ? { NextToken: next } : {}) };
  }

  private deleteRule(input: Json): Json {
    const name = requiredString(input, "Name", "name");
    const bus = this.bus(optionalString(input, "EventBusName"));
    const rule = bus.rules.get(name);
    if (!rule) return {};
    if (rule.targets.size > 0) throw validation("Rule can't be deleted since it has targets.");
    bus.rules.delete(name);
    this.tags.delete(rule.arn);
    return {};
  }

  private setState(input: Json, state: string): Json {
    const { rule } = this.rule(input);
    rule.state = state;
    return {};
  }

  // ---- targets ----

  private putTargets(input: Json): Json {
    const { rule } = this.rule(input, "Rule");
    const targets = input.Targets;
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > 10)
      throw constraint(
        "[Target]",
        "targets",
        `Member must have length ${Array.isArray(targets) && targets.length > 10 ? "less than or equal to 10" : "greater than or equal to 1"}`,
      );
    const failed: Json[] = [];
    for (const raw of targets as unknown[]) {
      const target = checkTarget(raw);
      if (!rule.targets.has(target.Id) && rule.targets.size >= MAX_TARGETS_PER_RULE) {
        failed.push({
          TargetId: target.Id,
          ErrorCode: "LimitExceededException",
          ErrorMessage: `The requested resource exceeds the maximum number allowed.`,
        });
        continue;
      }
      rule.targets.set(target.Id, target);
    }
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  private removeTargets(input: Json): Json {
    const { rule } = this.rule(input, "Rule");
    const ids = input.Ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100)
      throw constraint("[Ids]", "ids", "Member must have length between 1 and 100");
    for (const id of ids) if (typeof id === "string") rule.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private listTargetsByRule(input: Json): Json {
    const { rule } = this.rule(input, "Rule");
    const targets = [...rule.targets.values()];
    const { page, next } = paginate(targets, input, (target) => target.Id, false);
    return { Targets: page.map(targetDocument), ...(next ? { NextToken: next } : {}) };
  }

  private listRuleNamesByTarget(input: Json): Json {
    const arn = requiredString(input, "TargetArn", "targetArn");
    const bus = this.bus(optionalString(input, "EventBusName"));
    const names = [...bus.rules.values()]
      .filter((rule) => [...rule.targets.values()].some((target) => target.Arn === arn))
      .map((rule) => rule.name)
      .sort();
    const { page, next } = paginate(names, input, (name) => name);
    return { RuleNames: page, ...(next ? { NextToken: next } : {}) };
  }

  // ---- events ----

  private putEvents(input: Json): Json {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_PUT_EVENTS_ENTRIES) {
      throw constraint(
        "[PutEventsRequestEntry]",
        "entries",
        Array.isArray(entries) && entries.length > MAX_PUT_EVENTS_ENTRIES
          ? `Member must have length less than or equal to ${MAX_PUT_EVENTS_ENTRIES}`
          : "Member must have length greater than or equal to 1",
      );
    }
    if (entries.reduce((sum: number, entry) => sum + entrySize(entry), 0) > MAX_PUT_EVENTS_SIZE)
      throw validation("Total size of the entries in the request is over the limit.");
    const results: Json[] = [];
    let failed = 0;
    for (const entry of entries as unknown[]) {
      const result = this.putEvent(isObject(entry) ? entry : {});
      if ("ErrorCode" in result) failed++;
      results.push(result);
    }
    return { FailedEntryCount: failed, Entries: results };
  }

  private putEvent(entry: Json): Json {
    const source = entry.Source;
    const detailType = entry.DetailType;
    const detail = entry.Detail;
    if (typeof source !== "string" || source === "")
      return invalidArgument("Parameter Source is not valid. Reason: Source is a required argument.");
    if (typeof detailType !== "string" || detailType === "")
      return invalidArgument("Parameter DetailType is not valid. Reason: DetailType is a required argument.");
    if (typeof detail !== "string" || detail === "")
      return invalidArgument("Parameter Detail is not valid. Reason: Detail is a required argument.");
    let parsedDetail: unknown;
    try {
      parsedDetail = JSON.parse(detail);
    } catch {
      parsedDetail = undefined;
    }
    // PutEvents "will only process nested JSON up to 1100 levels deep" (the API reference).
    if (!isObject(parsedDetail) || jsonDepth(parsedDetail) > MAX_DEPTH - 1)
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    if (source.startsWith("aws."))
      return { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." };
    const resources = Array.isArray(entry.Resources)
      ? entry.Resources.filter((resource): resource is string => typeof resource === "string")
      : [];
    const id = randomUUID();
    const event = {
      version: "0",
      id,
      "detail-type": detailType,
      source,
      account: this.options.accountId,
      time: eventTime(entry.Time, this.now()),
      region: this.options.region,
      resources,
      detail: parsedDetail,
    };
    const name = busName(typeof entry.EventBusName === "string" ? entry.EventBusName : undefined);
    const bus = this.buses.get(name);
    if (!bus) {
      this.options.logger.warn(`EventBridge: event ${id} was put on event bus ${name}, which does not exist`);
    } else {
      this.route(bus, event);
    }
    return { EventId: id };
  }

  /** Every enabled rule of the bus whose pattern matches sends the event to each of its targets. */
  /** `forwarded`: the event came from another bus's rule, and goes no further to a bus (one hop, as on AWS). */
  private route(bus: Bus, event: Json, forwarded = false): void {
    const ingestionTime = this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
    for (const rule of bus.rules.values()) {
      if (rule.state === "DISABLED" || !rule.pattern?.matches(event)) continue;
      for (const target of rule.targets.values()) {
        const payload = targetPayload(target, event, {
          ruleArn: rule.arn,
          ruleName: rule.name,
          ingestionTime,
        });
        // One target's deliveries go one after another, in the order the events came (a FIFO queue keeps it).
        const key = `${rule.arn} ${target.Id}`;
        const previous = this.deliveries.get(key) ?? Promise.resolve();
        const next = previous
          .then(() => this.deliver(rule, target, payload, String(event.id), forwarded))
          .catch((error: unknown) => {
            this.options.logger.error(
              `EventBridge: event ${String(event.id)} not delivered by rule ${rule.name} to ${target.Arn}: ${error instanceof Error ? error.message : String(error)}`,
            );
          })
          .finally(() => {
            if (this.deliveries.get(key) === next) this.deliveries.delete(key);
          });
        this.deliveries.set(key, next);
      }
    }
  }

  private async deliver(
    rule: Rule,
    target: Target,
    payload: string,
    eventId: string,
    forwarded: boolean,
  ): Promise<void> {
    const arn = parseValidArn(target.Arn);
    switch (arn?.service) {
      case "sqs": {
        const queueUrl = await this.options.aws.queueUrl(target.Arn);
        const fifo = target.Arn.endsWith(".fifo");
        await this.options.aws.sqs(
          "SendMessage",
          {
            QueueUrl: queueUrl,
            MessageBody: payload,
            ...(fifo
              ? { MessageGroupId: target.SqsParameters?.MessageGroupId, MessageDeduplicationId: eventId }
              : {}),
          },
          arn.region,
        );
        break;
      }
      case "sns":
        await this.options.aws.sns("Publish", { TopicArn: target.Arn, Message: payload }, arn.region);
        break;
      case "lambda":
        this.options.invokeAsync(target.Arn, payload);
        break;
      case "events": {
        // A bus as target: the event goes on as it is, to that bus's rules.
        const name = arn.resource.replace(/^event-bus\//, "");
        const bus = this.buses.get(name);
        if (!bus) throw new Error(`event bus ${name} does not exist`);
        if (forwarded) throw new Error("an event that came from another bus is not sent on to a further bus");
        if (bus.name === rule.bus) throw new Error("a bus is not a target of its own rules");
        let forwardedEvent: unknown;
        try {
          forwardedEvent = JSON.parse(payload);
        } catch {
          forwardedEvent = undefined;
        }
        if (typeof forwardedEvent !== "object" || forwardedEvent === null || Array.isArray(forwardedEvent))
          throw new Error("what the target input made of the event is not an event");
        this.route(bus, forwardedEvent as Json, true);
        break;
      }
      default:
        throw new Error("targets of this service are not emulated by the local stack");
    }
    this.options.logger.info(`EventBridge: event ${eventId} delivered by rule ${rule.name} to ${target.Arn}`);
  }

  private testEventPattern(input: Json): Json {
    const patternText = requiredString(input, "EventPattern", "eventPattern");
    const eventText = requiredString(input, "Event", "event");
    const pattern = compilePattern(patternText);
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw validation("Parameter Event is not valid.");
    }
    if (!isObject(event) || jsonDepth(event) > MAX_DEPTH) throw validation("Parameter Event is not valid.");
    for (const field of ["id", "account", "source", "time", "region", "detail-type"]) {
      if (!(field in event)) throw validation("Parameter Event is not valid.");
    }
    return { Result: pattern.matches(event) };
  }

  // ---- tags ----

  private taggable(arn: string): void {
    for (const bus of this.buses.values()) {
      if (bus.arn === arn) return;
      for (const rule of bus.rules.values()) if (rule.arn === arn) return;
    }
    const rule = /:rule\/(?:([^/]+)\/)?([^/]+)$/.exec(arn);
    if (rule) throw notFound(`Rule ${rule[2]} does not exist on EventBus ${rule[1] ?? DEFAULT_BUS}.`);
    const bus = /:event-bus\/(.+)$/.exec(arn);
    if (bus) throw notFound(`Event bus ${bus[1]} does not exist.`);
    throw notFound(`Resource ${arn} not found.`);
  }

  /** Checks every tag first, so that a bad list changes nothing. */
  private applyTags(arn: string, tags: unknown): void {
    for (const [key, value] of checkTags(tags)) {
      const map = this.tags.get(arn) ?? new Map<string, string>();
      map.set(key, value);
      this.tags.set(arn, map);
    }
  }

  private tagResource(input: Json): Json {
    const arn = requiredString(input, "ResourceARN", "resourceARN");
    this.taggable(arn);
    this.applyTags(arn, input.Tags ?? []);
    return {};
  }

  private untagResource(input: Json): Json {
    const arn = requiredString(input, "ResourceARN", "resourceARN");
    this.taggable(arn);
    const keys = Array.isArray(input.TagKeys) ? input.TagKeys : [];
    const map = this.tags.get(arn);
    for (const key of keys) if (typeof key === "string") map?.delete(key);
    return {};
  }

  private listTagsForResource(input: Json): Json {
    const arn = requiredString(input, "ResourceARN", "resourceARN");
    this.taggable(arn);
    const tags: Tag[] = [...(this.tags.get(arn) ?? new Map<string, string>())].map(([Key, Value]) => ({
      Key,
      Value,
    }));
    return { Tags: tags };
  }
}

/** Tags as [{Key, Value}] (1-128 and 0-256 characters in the API model); undefined is none. */
function checkTags(tags: unknown): Array<[string, string]> {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw validation("Tags must be a list of {Key, Value}.");
  return tags.map((tag) => {
    if (!isObject(tag) || typeof tag.Key !== "string" || typeof tag.Value !== "string")
      throw validation("Every tag needs a Key and a Value.");
    if (tag.Key.length < 1 || tag.Key.length > 128)
      throw constraint(tag.Key, "tags.member.key", "Member must have length between 1 and 128");
    if (tag.Value.length > 256)
      throw constraint(tag.Value, "tags.member.value", "Member must have length less than or equal to 256");
    return [tag.Key, tag.Value];
  });
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requiredString(input: Json, member: string, wireName: string): string {
  const value = input[member];
  if (typeof value !== "string" || value === "") throw constraint(value, wireName, "Member must not be null");
  return value;
}

function optionalString(input: Json, member: string): string | undefined {
  const value = input[member];
  return typeof value === "string" ? value : undefined;
}

/** EventBusName is a name or a bus ARN; absent means the default bus. */
function busName(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === "") return DEFAULT_BUS;
  if (nameOrArn.startsWith("arn:")) {
    const arn = parseValidArn(nameOrArn);
    if (arn?.service === "events" && arn.resource.startsWith("event-bus/"))
      return arn.resource.slice("event-bus/".length);
    throw validation(`Parameter ${nameOrArn} is not valid. Reason: Provided Arn is not in correct format.`);
  }
  return nameOrArn;
}

function compilePattern(text: string): EventPattern {
  try {
    return compileEventPattern(text);
  } catch (error) {
    if (error instanceof InvalidEventPatternError)
      throw new EventsServiceError("InvalidEventPatternException", error.message);
    throw error;
  }
}

function busDocument(bus: Bus): Json {
  return {
    Name: bus.name,
    Arn: bus.arn,
    ...(bus.description === undefined ? {} : { Description: bus.description }),
    CreationTime: bus.created.getTime() / 1000,
    LastModifiedTime: bus.modified.getTime() / 1000,
  };
}

function ruleDocument(rule: Rule): Json {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPattern === undefined ? {} : { EventPattern: rule.eventPattern }),
    State: rule.state,
    ...(rule.description === undefined ? {} : { Description: rule.description }),
    ...(rule.roleArn === undefined ? {} : { RoleArn: rule.roleArn }),
    EventBusName: rule.bus,
  };
}

/** The members of a Target in the API model: what PutTargets keeps and ListTargetsByRule returns. */
const TARGET_MEMBERS = [
  "Id",
  "Arn",
  "RoleArn",
  "Input",
  "InputPath",
  "InputTransformer",
  "KinesisParameters",
  "RunCommandParameters",
  "EcsParameters",
  "BatchParameters",
  "SqsParameters",
  "HttpParameters",
  "RedshiftDataParameters",
  "SageMakerPipelineParameters",
  "DeadLetterConfig",
  "RetryPolicy",
  "AppSyncParameters",
];

function targetDocument(target: Target): Json {
  const document: Json = {};
  const source = target as unknown as Json;
  for (const key of TARGET_MEMBERS) if (source[key] !== undefined) document[key] = source[key];
  return document;
}

function checkTarget(raw: unknown): Target {
  if (!isObject(raw)) throw validation("A target must be an object.");
  const id = raw.Id;
  if (typeof id !== "string" || id.length === 0 || id.length > 64 || !NAME_PATTERN.test(id))
    throw constraint(
      id,
      "targets.member.id",
      "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
  const arn = raw.Arn;
  if (typeof arn !== "string" || !parseValidArn(arn))
    throw validation(`Parameter ${String(arn)} is not valid. Reason: Provided Arn is not in correct format.`);
  const inputs = ["Input", "InputPath", "InputTransformer"].filter((member) => raw[member] !== undefined);
  if (inputs.length > 1)
    throw validation(`Only one of Input, InputPath, or InputTransformer must be provided for target ${id}.`);
  if (raw.Input !== undefined) {
    let valid = typeof raw.Input === "string";
    try {
      if (valid) JSON.parse(raw.Input as string);
    } catch {
      valid = false;
    }
    if (!valid) throw validation(`Input for target ${id} is not valid JSON text.`);
  }
  if (raw.InputPath !== undefined && (typeof raw.InputPath !== "string" || !parseJsonPath(raw.InputPath)))
    throw validation(`InputPath for target ${id} is invalid.`);
  if (raw.InputTransformer !== undefined) {
    const transformer = raw.InputTransformer;
    if (!isObject(transformer) || typeof transformer.InputTemplate !== "string")
      throw constraint(undefined, "targets.member.inputTransformer.inputTemplate", "Member must not be null");
    const paths = transformer.InputPathsMap ?? {};
    if (!isObject(paths)) throw validation(`InputPathsMap for target ${id} is invalid.`);
    if (Object.keys(paths).length > 100) throw validation("InputPathsMap can have at most 100 entries.");
    for (const [name, path] of Object.entries(paths)) {
      if (typeof path !== "string" || !parseJsonPath(path))
        throw validation(`Input path ${String(path)} of ${name} for target ${id} is invalid.`);
      if (name.startsWith("aws."))
        throw validation(`InputTransformer variable ${name} uses the reserved prefix aws.`);
    }
  }
  const parsed = parseValidArn(arn)!;
  const group = isObject(raw.SqsParameters) ? raw.SqsParameters.MessageGroupId : undefined;
  if (parsed.service === "sqs" && arn.endsWith(".fifo") && typeof group !== "string")
    throw validation(`Parameter(s) SqsParameters must be specified for target: ${id}.`);
  return targetDocument(raw as unknown as Target) as unknown as Target;
}

function invalidArgument(message: string): Json {
  return { ErrorCode: "InvalidArgument", ErrorMessage: message };
}

/**
 * An entry's size as AWS counts it ("Calculating Amazon EventBridge PutEvents event entry size"): 14 bytes for
 * Time, and the UTF-8 bytes of Source, DetailType, Detail and each Resource.
 */
export function entrySize(entry: unknown): number {
  if (!isObject(entry)) return 0;
  const bytes = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0);
  let size = entry.Time === undefined ? 0 : 14;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const resource of entry.Resources) size += bytes(resource);
  return size;
}

/** Time as the SDKs send it (epoch seconds) or an ISO string, in the event's second precision. */
function eventTime(time: unknown, now: Date): string {
  let at = now;
  if (typeof time === "number" && Number.isFinite(time)) at = new Date(time * 1000);
  else if (typeof time === "string" && !Number.isNaN(Date.parse(time))) at = new Date(time);
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Limit (1-100) and NextToken (the opaque position this service handed out). */
function paginate<T>(
  items: T[],
  input: Json,
  key: (item: T) => string,
  sorted = true,
): { page: T[]; next?: string } {
  const limit = input.Limit;
  if (
    limit !== undefined &&
    (typeof limit !== "number" || limit < 1 || limit > 100 || !Number.isInteger(limit))
  )
    throw constraint(limit, "limit", "Member must have value between 1 and 100");
  let start = 0;
  if (typeof input.NextToken === "string") {
    const after = Buffer.from(input.NextToken, "base64url").toString("utf8");
    const index = sorted
      ? items.findIndex((item) => key(item) > after)
      : items.findIndex((item) => key(item) === after) + 1;
    if (index < 0 && sorted) return { page: [] };
    if (!sorted && index === 0) throw validation("The NextToken is not valid.");
    start = index;
  }
  const size = typeof limit === "number" ? limit : 100;
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return {
    page,
    ...(more ? { next: Buffer.from(key(page[page.length - 1]!), "utf8").toString("base64url") } : {}),
  };
}

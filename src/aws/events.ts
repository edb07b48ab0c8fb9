/** EventBridge operations `tail events:BUS` needs: its own rule and target on a bus, and their removal. */
import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  type EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { AwsOperationError } from "../errors.js";
import { type AwsClients, awsCliOptions } from "./clients.js";
import { type AwsCall, awsCall } from "./errors.js";

export interface ResolvedBus {
  name: string;
  arn: string;
}

export class EventsOperations {
  readonly client: EventBridgeClient;
  readonly #clients: AwsClients;
  readonly #region?: string;

  private constructor(client: EventBridgeClient, clients: AwsClients, region?: string) {
    this.client = client;
    this.#clients = clients;
    this.#region = region;
  }

  static async create(clients: AwsClients): Promise<EventsOperations> {
    return new EventsOperations(await clients.events(), clients, clients.settings("events").region);
  }

  cliOptions(): string {
    return awsCliOptions(this.#clients.settings("events"));
  }

  call(action: string, resource?: string): AwsCall {
    return {
      action: `events:${action}`,
      resource,
      endpoint: this.#clients.endpointLabel("events"),
      region: this.#region,
      answerWithinMs: this.#clients.requestTimeoutMs,
    };
  }

  /** The bus's ARN from its name or ARN (DescribeEventBus; a missing bus is not-found). */
  async describeBus(nameOrArn: string, signal?: AbortSignal): Promise<ResolvedBus> {
    const output = await awsCall(
      this.call("DescribeEventBus", `event bus ${nameOrArn}`),
      (options) => this.client.send(new DescribeEventBusCommand({ Name: nameOrArn }), options),
      signal,
    );
    if (!output.Arn || !output.Name) {
      throw new AwsOperationError(`DescribeEventBus answered without the ARN of ${nameOrArn}`);
    }
    return { name: output.Name, arn: output.Arn };
  }

  /** Creates (or replaces) a rule of ours on the bus; returns its ARN. */
  async putRule(
    bus: ResolvedBus,
    name: string,
    pattern: string,
    tags: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<string> {
    const output = await awsCall(
      this.call("PutRule", `rule ${name} on ${bus.name}`),
      (options) =>
        this.client.send(
          new PutRuleCommand({
            Name: name,
            EventBusName: bus.arn,
            EventPattern: pattern,
            State: "ENABLED",
            Description:
              "lambda-dest tail: removed when the tail ends (lambda-dest cleanup removes leftovers)",
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
          options,
        ),
      signal,
    );
    if (!output.RuleArn) throw new AwsOperationError(`PutRule answered without the ARN of rule ${name}`);
    return output.RuleArn;
  }

  /** Sends what the rule matches to a queue; a per-target failure is an error. */
  async targetQueue(bus: ResolvedBus, rule: string, queueArn: string, signal?: AbortSignal): Promise<void> {
    const output = await awsCall(
      this.call("PutTargets", `rule ${rule} on ${bus.name}`),
      (options) =>
        this.client.send(
          new PutTargetsCommand({
            Rule: rule,
            EventBusName: bus.arn,
            Targets: [{ Id: TARGET_ID, Arn: queueArn }],
          }),
          options,
        ),
      signal,
    );
    const [failed] = output.FailedEntries ?? [];
    if (failed) {
      throw new AwsOperationError(
        `PutTargets refused the temporary queue as a target of ${rule}: ${failed.ErrorCode ?? ""} ${failed.ErrorMessage ?? ""}`.trim(),
      );
    }
  }

  /** Removes the rule's targets, then the rule. */
  async deleteRule(bus: string, rule: string, signal?: AbortSignal): Promise<void> {
    const targets = await awsCall(
      this.call("ListTargetsByRule", `rule ${rule} on ${bus}`),
      (options) => this.client.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: bus }), options),
      signal,
    );
    const ids = (targets.Targets ?? []).flatMap((target) => (target.Id ? [target.Id] : []));
    if (ids.length > 0) {
      await awsCall(
        this.call("RemoveTargets", `rule ${rule} on ${bus}`),
        (options) =>
          this.client.send(new RemoveTargetsCommand({ Rule: rule, EventBusName: bus, Ids: ids }), options),
        signal,
      );
    }
    await awsCall(
      this.call("DeleteRule", `rule ${rule} on ${bus}`),
      (options) => this.client.send(new DeleteRuleCommand({ Name: rule, EventBusName: bus }), options),
      signal,
    );
  }

  /** The names of the rules on a bus that start with `prefix`. */
  async ruleNames(bus: string, prefix: string, signal?: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const output = await awsCall(
        this.call("ListRules", `event bus ${bus}`),
        (options) =>
          this.client.send(
            new ListRulesCommand({ EventBusName: bus, NamePrefix: prefix, NextToken: token }),
            options,
          ),
        signal,
      );
      for (const rule of output.Rules ?? []) if (rule.Name) names.push(rule.Name);
      token = output.NextToken;
    } while (token);
    return names;
  }
}

/** The one target a temporary rule has. */
export const TARGET_ID = "lambda-dest-tail";

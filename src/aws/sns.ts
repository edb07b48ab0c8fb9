/** SNS operations the commands need, each call's errors translated next to it. */
import {
  ConfirmSubscriptionCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  type SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { AwsOperationError } from "../errors.js";
import { type AwsClients, awsCliOptions } from "./clients.js";
import { type AwsCall, awsCall } from "./errors.js";
import type { TopicReference } from "./targets.js";

export interface ResolvedTopic {
  arn: string;
  name: string;
}

export interface SubscriptionSummary {
  arn: string;
  topicArn: string;
  endpoint: string;
  protocol: string;
}

export class SnsOperations {
  readonly client: SNSClient;
  readonly #clients: AwsClients;
  readonly #region?: string;

  private constructor(client: SNSClient, clients: AwsClients, region?: string) {
    this.client = client;
    this.#clients = clients;
    this.#region = region;
  }

  static async create(clients: AwsClients): Promise<SnsOperations> {
    return new SnsOperations(await clients.sns(), clients, clients.settings("sns").region);
  }

  /** The AWS CLI options that reach the same endpoint, region and profile, for commands we print. */
  cliOptions(): string {
    return awsCliOptions(this.#clients.settings("sns"));
  }

  call(action: string, resource?: string): AwsCall {
    return {
      action: `sns:${action}`,
      resource,
      endpoint: this.#clients.endpointLabel("sns"),
      region: this.#region,
      answerWithinMs: this.#clients.requestTimeoutMs,
    };
  }

  /** A topic's ARN from its ARN or its name; names are looked up in ListTopics (paginated). */
  async resolve(reference: TopicReference, signal?: AbortSignal): Promise<ResolvedTopic> {
    if (reference.arn) return { arn: reference.arn, name: reference.name };
    const found = await this.find(reference.name, signal);
    if (!found) {
      const where = this.#region ? ` in ${this.#region}` : "";
      throw new AwsOperationError(
        `topic ${reference.name} does not exist${where} (sns:ListTopics); check the name, --region and --profile`,
        { reason: "not-found" },
      );
    }
    return found;
  }

  /** The topic of that name, or undefined. */
  async find(name: string, signal?: AbortSignal): Promise<ResolvedTopic | undefined> {
    let token: string | undefined;
    do {
      const call = {
        ...this.call("ListTopics", `topic ${name}`),
        hint: "give the topic ARN instead of its name",
      };
      const output = await awsCall(
        call,
        (options) => this.client.send(new ListTopicsCommand({ NextToken: token }), options),
        signal,
      );
      for (const topic of output.Topics ?? []) {
        if (topic.TopicArn?.endsWith(`:${name}`)) return { arn: topic.TopicArn, name };
      }
      token = output.NextToken;
    } while (token);
    return undefined;
  }

  async attributes(topic: ResolvedTopic, signal?: AbortSignal): Promise<Record<string, string>> {
    const output = await awsCall(
      this.call("GetTopicAttributes", `topic ${topic.name}`),
      (options) => this.client.send(new GetTopicAttributesCommand({ TopicArn: topic.arn }), options),
      signal,
    );
    return output.Attributes ?? {};
  }

  async publishBatch(topic: ResolvedTopic, entries: PublishBatchRequestEntry[], signal?: AbortSignal) {
    return awsCall(
      this.call("Publish", `topic ${topic.name}`),
      (options) =>
        this.client.send(
          new PublishBatchCommand({ TopicArn: topic.arn, PublishBatchRequestEntries: entries }),
          options,
        ),
      signal,
    );
  }

  async subscribeQueue(topic: ResolvedTopic, queueArn: string, signal?: AbortSignal): Promise<string> {
    const output = await awsCall(
      this.call("Subscribe", `topic ${topic.name}`),
      (options) =>
        this.client.send(
          new SubscribeCommand({
            TopicArn: topic.arn,
            Protocol: "sqs",
            Endpoint: queueArn,
            ReturnSubscriptionArn: true,
          }),
          options,
        ),
      signal,
    );
    return output.SubscriptionArn!;
  }

  async subscriptionAttributes(
    subscriptionArn: string,
    signal?: AbortSignal,
  ): Promise<Record<string, string>> {
    const output = await awsCall(
      this.call("GetSubscriptionAttributes", `subscription ${subscriptionArn}`),
      (options) =>
        this.client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }), options),
      signal,
    );
    return output.Attributes ?? {};
  }

  async confirmSubscription(topic: ResolvedTopic, token: string, signal?: AbortSignal): Promise<void> {
    await awsCall(
      this.call("ConfirmSubscription", `topic ${topic.name}`),
      (options) =>
        this.client.send(new ConfirmSubscriptionCommand({ TopicArn: topic.arn, Token: token }), options),
      signal,
    );
  }

  async unsubscribe(subscriptionArn: string, signal?: AbortSignal): Promise<void> {
    await awsCall(
      this.call("Unsubscribe", `subscription ${subscriptionArn}`),
      (options) => this.client.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }), options),
      signal,
    );
  }

  /** Every subscription in the account and region (paginated). */
  async listSubscriptions(signal?: AbortSignal): Promise<SubscriptionSummary[]> {
    return this.#listSubscriptions(undefined, signal);
  }

  /** The subscriptions of one topic (paginated). */
  async subscriptionsOf(topic: ResolvedTopic, signal?: AbortSignal): Promise<SubscriptionSummary[]> {
    return this.#listSubscriptions(topic, signal);
  }

  async #listSubscriptions(
    topic: ResolvedTopic | undefined,
    signal?: AbortSignal,
  ): Promise<SubscriptionSummary[]> {
    const result: SubscriptionSummary[] = [];
    let token: string | undefined;
    do {
      const output = await awsCall(
        this.call(
          topic ? "ListSubscriptionsByTopic" : "ListSubscriptions",
          topic ? `topic ${topic.name}` : "subscriptions",
        ),
        (options) =>
          topic
            ? this.client.send(
                new ListSubscriptionsByTopicCommand({ TopicArn: topic.arn, NextToken: token }),
                options,
              )
            : this.client.send(new ListSubscriptionsCommand({ NextToken: token }), options),
        signal,
      );
      for (const subscription of output.Subscriptions ?? []) {
        result.push({
          arn: subscription.SubscriptionArn ?? "",
          topicArn: subscription.TopicArn ?? "",
          endpoint: subscription.Endpoint ?? "",
          protocol: subscription.Protocol ?? "",
        });
      }
      token = output.NextToken;
    } while (token);
    return result;
  }
}

/** SNS operations the commands need, each call's errors translated next to it. */
import {
  ConfirmSubscriptionCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  PublishCommand,
  type PublishCommandInput,
  type SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { AwsOperationError } from "../errors.js";
import type { AwsClients } from "./clients.js";
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

  call(action: string, resource?: string): AwsCall {
    return {
      action: `sns:${action}`,
      resource,
      endpoint: this.#clients.endpointLabel("sns"),
      region: this.#region,
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
      const output = await awsCall(call, () =>
        this.client.send(new ListTopicsCommand({ NextToken: token }), { abortSignal: signal }),
      );
      for (const topic of output.Topics ?? []) {
        if (topic.TopicArn?.endsWith(`:${name}`)) return { arn: topic.TopicArn, name };
      }
      token = output.NextToken;
    } while (token);
    return undefined;
  }

  async attributes(topic: ResolvedTopic, signal?: AbortSignal): Promise<Record<string, string>> {
    const output = await awsCall(this.call("GetTopicAttributes", `topic ${topic.name}`), () =>
      this.client.send(new GetTopicAttributesCommand({ TopicArn: topic.arn }), { abortSignal: signal }),
    );
    return output.Attributes ?? {};
  }

  async publish(topic: ResolvedTopic, input: Omit<PublishCommandInput, "TopicArn">) {
    return awsCall(this.call("Publish", `topic ${topic.name}`), () =>
      this.client.send(new PublishCommand({ ...input, TopicArn: topic.arn })),
    );
  }

  async publishBatch(topic: ResolvedTopic, entries: PublishBatchRequestEntry[]) {
    return awsCall(this.call("Publish", `topic ${topic.name}`), () =>
      this.client.send(new PublishBatchCommand({ TopicArn: topic.arn, PublishBatchRequestEntries: entries })),
    );
  }

  async subscribeQueue(topic: ResolvedTopic, queueArn: string): Promise<string> {
    const output = await awsCall(this.call("Subscribe", `topic ${topic.name}`), () =>
      this.client.send(
        new SubscribeCommand({
          TopicArn: topic.arn,
          Protocol: "sqs",
          Endpoint: queueArn,
          ReturnSubscriptionArn: true,
        }),
      ),
    );
    return output.SubscriptionArn!;
  }

  async subscriptionAttributes(
    subscriptionArn: string,
    signal?: AbortSignal,
  ): Promise<Record<string, string>> {
    const output = await awsCall(
      this.call("GetSubscriptionAttributes", `subscription ${subscriptionArn}`),
      () =>
        this.client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }), {
          abortSignal: signal,
        }),
    );
    return output.Attributes ?? {};
  }

  async confirmSubscription(topic: ResolvedTopic, token: string, signal?: AbortSignal): Promise<void> {
    await awsCall(this.call("ConfirmSubscription", `topic ${topic.name}`), () =>
      this.client.send(new ConfirmSubscriptionCommand({ TopicArn: topic.arn, Token: token }), {
        abortSignal: signal,
      }),
    );
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    await awsCall(this.call("Unsubscribe", `subscription ${subscriptionArn}`), () =>
      this.client.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })),
    );
  }

  /** Every subscription in the account and region (paginated). */
  async listSubscriptions(): Promise<SubscriptionSummary[]> {
    const result: SubscriptionSummary[] = [];
    let token: string | undefined;
    do {
      const output = await awsCall(this.call("ListSubscriptions", "subscriptions"), () =>
        this.client.send(new ListSubscriptionsCommand({ NextToken: token })),
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

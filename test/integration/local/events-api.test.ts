/**
 * The local EventBridge through the real SDK v3 client (@aws-sdk/client-eventbridge) against a started stack.
 * Sources for AWS's behaviour, quoted where each test relies on it:
 *   [API] the Amazon EventBridge API reference (PutRule, PutTargets, PutEvents, ListRules, TestEventPattern, ...)
 *   [UG]  the EventBridge user guide: "Amazon EventBridge events" (the event's top-level fields), "Transforming
 *         target input", "Calculating PutEvents event entry size"
 *   [REC] responses AWS gave, as recorded in LocalStack's AWS-validated tests/aws/services/events snapshots
 *         (e.g. test_events_patterns.snapshot.json: "Parameter Event is not valid.", InvalidEventPatternException).
 */
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import {
  type Clients,
  clientsFor,
  createQueue,
  deployFixture,
  destroyClients,
  receiveBodies,
} from "./helpers.js";

let stack: LocalStack;
let clients: Clients;
let events: EventBridgeClient;
const ACCOUNT = "000000000000";

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  events = new EventBridgeClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  events?.destroy();
  if (clients) destroyClients(clients);
  await stack?.stop();
});

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { name: string };
  }
  throw new Error("expected a rejection");
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("event buses", () => {
  it("has the default bus, and creates, describes, lists and deletes others", async () => {
    const defaultBus = await events.send(new DescribeEventBusCommand({}));
    expect(defaultBus.Name).toBe("default");
    expect(defaultBus.Arn).toBe(`arn:aws:events:${stack.region}:${ACCOUNT}:event-bus/default`);

    const created = await events.send(
      new CreateEventBusCommand({ Name: "orders", Description: "the orders" }),
    );
    expect(created.EventBusArn).toBe(`arn:aws:events:${stack.region}:${ACCOUNT}:event-bus/orders`);
    const described = await events.send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
    expect(described).toMatchObject({ Name: "orders", Description: "the orders" });
    expect(described.CreationTime).toBeInstanceOf(Date);

    // [API] CreateEventBus: ResourceAlreadyExistsException for an existing name.
    const again = await rejection(events.send(new CreateEventBusCommand({ Name: "orders" })));
    expect(again).toBeInstanceOf(ResourceAlreadyExistsException);

    const listed = await events.send(new ListEventBusesCommand({ NamePrefix: "ord" }));
    expect(listed.EventBuses?.map((bus) => bus.Name)).toEqual(["orders"]);

    await events.send(new DeleteEventBusCommand({ Name: "orders" }));
    const gone = await rejection(events.send(new DescribeEventBusCommand({ Name: "orders" })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe("Event bus orders does not exist.");
    expect(gone.$metadata?.httpStatusCode).toBe(400);

    const keepDefault = await rejection(events.send(new DeleteEventBusCommand({ Name: "default" })));
    expect(keepDefault).toMatchObject({ name: "ValidationException" });
  });
});

describe("rules", () => {
  it("puts, describes, lists with prefix and paging, enables, disables and deletes", async () => {
    const pattern = JSON.stringify({ source: ["shop"] });
    const put = await events.send(
      new PutRuleCommand({ Name: "r-one", EventPattern: pattern, Description: "first", State: "DISABLED" }),
    );
    // [API] PutRule: RuleArn; rules on the default bus are rule/NAME.
    expect(put.RuleArn).toBe(`arn:aws:events:${stack.region}:${ACCOUNT}:rule/r-one`);
    for (const name of ["r-two", "r-three", "other"])
      await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern }));

    const described = await events.send(new DescribeRuleCommand({ Name: "r-one" }));
    expect(described).toMatchObject({
      Name: "r-one",
      Arn: put.RuleArn,
      EventPattern: pattern,
      State: "DISABLED",
      Description: "first",
      EventBusName: "default",
      CreatedBy: ACCOUNT,
    });
    await events.send(new EnableRuleCommand({ Name: "r-one" }));
    expect((await events.send(new DescribeRuleCommand({ Name: "r-one" }))).State).toBe("ENABLED");
    await events.send(new DisableRuleCommand({ Name: "r-one" }));
    expect((await events.send(new DescribeRuleCommand({ Name: "r-one" }))).State).toBe("DISABLED");

    const first = await events.send(new ListRulesCommand({ NamePrefix: "r-", Limit: 2 }));
    expect(first.Rules?.map((rule) => rule.Name)).toEqual(["r-one", "r-three"]);
    expect(first.NextToken).toBeTypeOf("string");
    const second = await events.send(
      new ListRulesCommand({ NamePrefix: "r-", Limit: 2, NextToken: first.NextToken }),
    );
    expect(second.Rules?.map((rule) => rule.Name)).toEqual(["r-two"]);
    expect(second.NextToken).toBeUndefined();

    for (const name of ["r-one", "r-two", "r-three", "other"])
      await events.send(new DeleteRuleCommand({ Name: name }));
    const missing = await rejection(events.send(new DescribeRuleCommand({ Name: "r-one" })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    // [REC] "Rule NAME does not exist on EventBus BUS."
    expect(missing.message).toBe("Rule r-one does not exist on EventBus default.");
  });

  it("refuses an invalid pattern with InvalidEventPatternException and AWS's reason", async () => {
    const error = await rejection(
      events.send(new PutRuleCommand({ Name: "bad", EventPattern: JSON.stringify({ source: "shop" }) })),
    );
    expect(error).toBeInstanceOf(InvalidEventPatternException);
    expect(error.message).toBe('Event pattern is not valid. Reason: "source" must be an object or an array');
  });

  it("refuses a rule on a bus that does not exist, and scheduled rules (not emulated)", async () => {
    const noBus = await rejection(
      events.send(new PutRuleCommand({ Name: "x", EventBusName: "nope", EventPattern: '{"source":["a"]}' })),
    );
    expect(noBus).toBeInstanceOf(ResourceNotFoundException);
    const scheduled = await rejection(
      events.send(new PutRuleCommand({ Name: "x", ScheduleExpression: "rate(5 minutes)" })),
    );
    expect(scheduled).toMatchObject({ name: "ValidationException" });
  });

  it("keeps tags on rules and buses", async () => {
    const { RuleArn } = await events.send(
      new PutRuleCommand({
        Name: "tagged",
        EventPattern: '{"source":["a"]}',
        Tags: [{ Key: "k", Value: "v" }],
      }),
    );
    await events.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: "k2", Value: "v2" }] }));
    await events.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ["k"] }));
    expect((await events.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([
      { Key: "k2", Value: "v2" },
    ]);
    const { EventBusArn } = await events.send(
      new CreateEventBusCommand({ Name: "tagged-bus", Tags: [{ Key: "team", Value: "a" }] }),
    );
    expect((await events.send(new ListTagsForResourceCommand({ ResourceARN: EventBusArn }))).Tags).toEqual([
      { Key: "team", Value: "a" },
    ]);
    const unknown = await rejection(
      events.send(
        new ListTagsForResourceCommand({
          ResourceARN: `arn:aws:events:${stack.region}:${ACCOUNT}:rule/none`,
        }),
      ),
    );
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    await events.send(new DeleteRuleCommand({ Name: "tagged" }));
    await events.send(new DeleteEventBusCommand({ Name: "tagged-bus" }));
  });
});

describe("targets and PutEvents", () => {
  it("delivers matching events to an SQS target in EventBridge's event shape, on a custom bus", async () => {
    const queue = await createQueue(clients, "eb-target");
    await events.send(new CreateEventBusCommand({ Name: "shop" }));
    const { RuleArn } = await events.send(
      new PutRuleCommand({
        Name: "orders",
        EventBusName: "shop",
        EventPattern: JSON.stringify({
          source: ["shop.orders"],
          detail: { total: [{ numeric: [">", 100] }] },
        }),
      }),
    );
    // [API] rules on a custom bus are rule/BUS/NAME.
    expect(RuleArn).toBe(`arn:aws:events:${stack.region}:${ACCOUNT}:rule/shop/orders`);
    const targets = await events.send(
      new PutTargetsCommand({ Rule: "orders", EventBusName: "shop", Targets: [{ Id: "q", Arn: queue.arn }] }),
    );
    expect(targets).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: "orders", EventBusName: "shop" }));
    expect(listed.Targets).toEqual([{ Id: "q", Arn: queue.arn }]);

    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: "shop",
            Source: "shop.orders",
            DetailType: "Order Placed",
            Detail: JSON.stringify({ total: 150, items: ["a"] }),
            Resources: ["arn:aws:s3:::bucket"],
            Time: new Date("2024-05-06T07:08:09.123Z"),
          },
          { EventBusName: "shop", Source: "shop.orders", DetailType: "Order Placed", Detail: '{"total": 5}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    expect(put.Entries?.map((entry) => entry.EventId)).toEqual([
      expect.stringMatching(uuid),
      expect.stringMatching(uuid),
    ]);

    const bodies = await receiveBodies(clients, queue.url, 1, 5000);
    expect(bodies).toHaveLength(1);
    const event = JSON.parse(bodies[0]!);
    // [UG] "Amazon EventBridge events": version, id, detail-type, source, account, time, region, resources, detail.
    expect(Object.keys(event)).toEqual([
      "version",
      "id",
      "detail-type",
      "source",
      "account",
      "time",
      "region",
      "resources",
      "detail",
    ]);
    expect(event).toEqual({
      version: "0",
      id: put.Entries![0]!.EventId,
      "detail-type": "Order Placed",
      source: "shop.orders",
      account: ACCOUNT,
      time: "2024-05-06T07:08:09Z",
      region: stack.region,
      resources: ["arn:aws:s3:::bucket"],
      detail: { total: 150, items: ["a"] },
    });
    // The second entry (total 5) matched no rule: nothing more arrives.
    expect(await receiveBodies(clients, queue.url, 1, 1500)).toEqual([]);

    const busy = await rejection(
      events.send(new DeleteRuleCommand({ Name: "orders", EventBusName: "shop" })),
    );
    expect(busy).toMatchObject({ name: "ValidationException" });
    await events.send(new RemoveTargetsCommand({ Rule: "orders", EventBusName: "shop", Ids: ["q"] }));
    await events.send(new DeleteRuleCommand({ Name: "orders", EventBusName: "shop" }));
  });

  it("a disabled rule routes nothing", async () => {
    const queue = await createQueue(clients, "eb-disabled");
    await events.send(
      new PutRuleCommand({ Name: "off", EventPattern: '{"source":["off"]}', State: "DISABLED" }),
    );
    await events.send(new PutTargetsCommand({ Rule: "off", Targets: [{ Id: "q", Arn: queue.arn }] }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: "off", DetailType: "t", Detail: "{}" }] }));
    expect(await receiveBodies(clients, queue.url, 1, 1500)).toEqual([]);
    await events.send(new EnableRuleCommand({ Name: "off" }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: "off", DetailType: "t", Detail: "{}" }] }));
    expect(await receiveBodies(clients, queue.url, 1, 5000)).toHaveLength(1);
  });

  it("FIFO queue targets need a MessageGroupId and get one", async () => {
    const queue = await createQueue(clients, "eb-target.fifo", { FifoQueue: "true" });
    await events.send(new PutRuleCommand({ Name: "fifo", EventPattern: '{"source":["fifo"]}' }));
    const refused = await rejection(
      events.send(new PutTargetsCommand({ Rule: "fifo", Targets: [{ Id: "q", Arn: queue.arn }] })),
    );
    expect(refused).toMatchObject({ name: "ValidationException" });
    expect(refused.message).toBe("Parameter(s) SqsParameters must be specified for target: q.");
    await events.send(
      new PutTargetsCommand({
        Rule: "fifo",
        Targets: [{ Id: "q", Arn: queue.arn, SqsParameters: { MessageGroupId: "g1" } }],
      }),
    );
    // One PutEvents of ten entries, then another: the queue gets them in that order, in the one group.
    const entry = (n: number) => ({ Source: "fifo", DetailType: "t", Detail: JSON.stringify({ n }) });
    await events.send(
      new PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, index) => entry(index + 1)) }),
    );
    await events.send(new PutEventsCommand({ Entries: [entry(11)] }));
    const bodies = await receiveBodies(clients, queue.url, 11, 5000);
    expect(bodies.map((body) => JSON.parse(body).detail.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("Input, InputPath and InputTransformer shape what a target receives", async () => {
    const constant = await createQueue(clients, "eb-input");
    const path = await createQueue(clients, "eb-input-path");
    const transformed = await createQueue(clients, "eb-input-transformer");
    await events.send(new PutRuleCommand({ Name: "inputs", EventPattern: '{"source":["inputs"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: "inputs",
        Targets: [
          { Id: "constant", Arn: constant.arn, Input: '{"fixed":true}' },
          { Id: "path", Arn: path.arn, InputPath: "$.detail.order" },
          {
            Id: "transformer",
            Arn: transformed.arn,
            // [UG] "Transforming target input": variables from InputPathsMap fill <name> in InputTemplate.
            InputTransformer: {
              InputPathsMap: { id: "$.detail.order.id", source: "$.source" },
              InputTemplate:
                '{"order": <id>, "text": "order <id> from <source>", "rule": "<aws.events.rule-name>"}',
            },
          },
        ],
      }),
    );
    await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "inputs", DetailType: "t", Detail: JSON.stringify({ order: { id: "o-1", n: 2 } }) },
        ],
      }),
    );
    expect(await receiveBodies(clients, constant.url, 1, 5000)).toEqual(['{"fixed":true}']);
    expect((await receiveBodies(clients, path.url, 1, 5000)).map((body) => JSON.parse(body))).toEqual([
      { id: "o-1", n: 2 },
    ]);
    expect((await receiveBodies(clients, transformed.url, 1, 5000)).map((body) => JSON.parse(body))).toEqual([
      { order: "o-1", text: "order o-1 from inputs", rule: "inputs" },
    ]);
  });

  it("delivers to an SNS topic target", async () => {
    const queue = await createQueue(clients, "eb-sns-sub");
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: "eb-topic" }));
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: "sqs",
        Endpoint: queue.arn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    await events.send(new PutRuleCommand({ Name: "to-sns", EventPattern: '{"source":["sns"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "to-sns", Targets: [{ Id: "t", Arn: TopicArn }] }));
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: "sns", DetailType: "t", Detail: '{"x":1}' }] }),
    );
    const bodies = await receiveBodies(clients, queue.url, 1, 5000);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ source: "sns", detail: { x: 1 } });
  });

  it("invokes a Lambda target asynchronously with the event as its payload", async () => {
    const forwarded = await createQueue(clients, "eb-lambda-forwarded");
    const functionArn = await deployFixture(clients, "eb-forwarder", "node-forwarder", {
      environment: { FORWARD_QUEUE: "eb-lambda-forwarded" },
    });
    await events.send(new PutRuleCommand({ Name: "to-lambda", EventPattern: '{"source":["fn"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "to-lambda", Targets: [{ Id: "f", Arn: functionArn }] }));
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: "fn", DetailType: "t", Detail: '{"hello":"lambda"}' }] }),
    );
    const [body] = await receiveBodies(clients, forwarded.url, 1, 15_000);
    expect(body, "the function forwarded the event").toBeDefined();
    expect(JSON.parse(body!)).toMatchObject({
      version: "0",
      id: put.Entries![0]!.EventId,
      source: "fn",
      detail: { hello: "lambda" },
    });
  });

  it("a bus as target passes the event on once: rules on the receiving bus route it, and it goes no further", async () => {
    // EventBridge user guide (event buses as targets): "EventBridge can't route events received from a sender
    // event bus to a third event bus."
    const queue = await createQueue(clients, "eb-second-bus");
    const first = await events.send(new CreateEventBusCommand({ Name: "first" }));
    const second = await events.send(new CreateEventBusCommand({ Name: "second" }));
    const pattern = '{"source":["hop"]}';
    await events.send(new PutRuleCommand({ Name: "on", EventBusName: "first", EventPattern: pattern }));
    await events.send(
      new PutTargetsCommand({
        Rule: "on",
        EventBusName: "first",
        Targets: [{ Id: "b", Arn: second.EventBusArn }],
      }),
    );
    await events.send(new PutRuleCommand({ Name: "back", EventBusName: "second", EventPattern: pattern }));
    await events.send(
      new PutTargetsCommand({
        Rule: "back",
        EventBusName: "second",
        Targets: [
          { Id: "q", Arn: queue.arn },
          { Id: "b", Arn: first.EventBusArn },
        ],
      }),
    );
    const put = await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: "first", Source: "hop", DetailType: "t", Detail: "{}" }],
      }),
    );
    const bodies = await receiveBodies(clients, queue.url, 2, 2000);
    expect(bodies.map((body) => JSON.parse(body).id)).toEqual([put.Entries![0]!.EventId]);
  });

  it("reports per-entry failures as AWS does, and refuses more than 10 entries or 256 KB", async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          { DetailType: "t", Detail: "{}" },
          { Source: "s", Detail: "{}" },
          { Source: "s", DetailType: "t" },
          { Source: "s", DetailType: "t", Detail: "not json" },
          { Source: "s", DetailType: "t", Detail: "{}" },
        ],
      }),
    );
    // [API] PutEvents / [REC]: failed entries carry ErrorCode and ErrorMessage in request order.
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries).toEqual([
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument.",
      },
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
      },
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument.",
      },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { EventId: expect.stringMatching(uuid) },
    ]);

    // AWS accepts an entry for a bus that does not exist, with an EventId, and drops it (aws/aws-cli#9186;
    // LocalStack's AWS-validated test_put_events_nonexistent_event_bus).
    const nowhere = await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: "no-such-bus", Source: "s", DetailType: "t", Detail: "{}" }],
      }),
    );
    expect(nowhere).toMatchObject({
      FailedEntryCount: 0,
      Entries: [{ EventId: expect.stringMatching(uuid) }],
    });

    const eleven = Array.from({ length: 11 }, () => ({ Source: "s", DetailType: "t", Detail: "{}" }));
    const tooMany = await rejection(events.send(new PutEventsCommand({ Entries: eleven })));
    expect(tooMany).toMatchObject({ name: "ValidationException" });
    expect(tooMany.message).toContain("Member must have length less than or equal to 10");

    // [UG] "Calculating PutEvents event entry size": Source + DetailType + Detail (+ Resources, + 14 for Time).
    // Exactly 256 KB: 1 + 1 + the 8 bytes of {"p":""} + the string.
    const fits = JSON.stringify({ p: "x".repeat(256 * 1024 - 2 - 8) });
    expect(
      (await events.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "t", Detail: fits }] })))
        .FailedEntryCount,
    ).toBe(0);
    const over = JSON.stringify({ p: "x".repeat(256 * 1024 - 2 - 8 + 1) });
    const tooBig = await rejection(
      events.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "t", Detail: over }] })),
    );
    expect(tooBig).toMatchObject({ name: "ValidationException" });
    expect(tooBig.message).toBe("Total size of the entries in the request is over the limit.");
  });
});

describe("hostile requests", () => {
  it("a Detail nested deeper than PutEvents processes is that entry's failure; the others go on", async () => {
    // The PutEvents API reference: "PutEvents will only process nested JSON up to 1100 levels deep."
    const deep = `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`;
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "s", DetailType: "t", Detail: deep },
          { Source: "s", DetailType: "t", Detail: "{}" },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]).toEqual({
      ErrorCode: "MalformedDetail",
      ErrorMessage: "Detail is malformed.",
    });
    expect(result.Entries?.[1]?.EventId).toMatch(uuid);
  });

  it("a web page cannot reach EventBridge (its targets run code): another origin is refused", async () => {
    const response = await fetch(stack.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSEvents.PutTargets",
        origin: "http://evil.example",
      },
      body: JSON.stringify({
        Rule: "x",
        Targets: [{ Id: "a", Arn: "arn:aws:lambda:us-east-1:000000000000:function:f" }],
      }),
    });
    expect(response.status).toBe(403);
  });

  it("keeps only the Target members of the API model", async () => {
    await events.send(new PutRuleCommand({ Name: "members", EventPattern: '{"source":["m"]}' }));
    const response = await fetch(stack.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.PutTargets" },
      body: JSON.stringify({
        Rule: "members",
        Targets: [{ Id: "a", Arn: "arn:aws:sqs:us-east-1:000000000000:q", Extra: "\u001b[31m" }],
      }),
    });
    expect(response.status).toBe(200);
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: "members" }));
    expect(listed.Targets).toEqual([{ Id: "a", Arn: "arn:aws:sqs:us-east-1:000000000000:q" }]);
  });

  it("a body that is not JSON, or an operation that is not emulated, gets an error the SDK reads", async () => {
    const response = await fetch(stack.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.PutEvents" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: "SerializationException" });
    const archive = await fetch(stack.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.CreateArchive" },
      body: "{}",
    });
    expect(archive.status).toBe(400);
    expect(await archive.json()).toMatchObject({ __type: "UnknownOperationException" });
  });
});

describe("TestEventPattern", () => {
  const event = JSON.stringify({
    id: "1",
    source: "order",
    "detail-type": "Test",
    account: ACCOUNT,
    region: "us-east-1",
    time: "2024-01-01T00:00:00Z",
    detail: { n: 5 },
  });

  it("answers from the same matcher as the rules", async () => {
    expect(
      (await events.send(new TestEventPatternCommand({ Event: event, EventPattern: '{"source":["order"]}' })))
        .Result,
    ).toBe(true);
    expect(
      (
        await events.send(
          new TestEventPatternCommand({ Event: event, EventPattern: '{"source":["shipment"]}' }),
        )
      ).Result,
    ).toBe(false);
    expect(
      (
        await events.send(
          new TestEventPatternCommand({
            Event: event,
            EventPattern: '{"detail":{"n":[{"numeric":[">=",5]}]}}',
          }),
        )
      ).Result,
    ).toBe(true);
  });

  it("refuses an invalid pattern and an event that is not one", async () => {
    const pattern = await rejection(
      events.send(new TestEventPatternCommand({ Event: event, EventPattern: '{"resources": []}' })),
    );
    expect(pattern).toBeInstanceOf(InvalidEventPatternException);
    expect(pattern.message).toBe("Event pattern is not valid. Reason: Empty arrays are not allowed");
    // [REC] test_plain_string_payload: ValidationException "Parameter Event is not valid."
    const plain = await rejection(
      events.send(new TestEventPatternCommand({ Event: '"plain"', EventPattern: '{"source":["a"]}' })),
    );
    expect(plain).toMatchObject({ name: "ValidationException" });
    expect(plain.message).toBe("Parameter Event is not valid.");
  });
});

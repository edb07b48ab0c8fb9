/**
 * What a target receives: Input, InputPath and InputTransformer, from the EventBridge user guide's
 * "Transforming target input" ("Amazon EventBridge input transformation") examples: variables from
 * InputPathsMap fill `<name>` placeholders; inside a JSON string a value is inserted as text, elsewhere as JSON;
 * the predefined variables aws.events.rule-arn, aws.events.rule-name, aws.events.event.ingestion-time and
 * aws.events.event.json are always available.
 */
import { describe, expect, it } from "vitest";
import { parseJsonPath, selectPath, targetPayload } from "../../../src/local/events/target-input.js";

const event = {
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "123456789012",
  time: "2015-11-11T21:29:54Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  detail: { "instance-id": "i-0123456789", state: "RUNNING", tags: { a: 1 } },
};
const rule = {
  ruleArn: "arn:aws:events:us-east-1:123456789012:rule/example",
  ruleName: "example",
  ingestionTime: "2015-11-11T21:29:55Z",
};

describe("target input", () => {
  it("without Input, InputPath or InputTransformer the target gets the whole event", () => {
    expect(JSON.parse(targetPayload({}, event, rule))).toEqual(event);
  });

  it("Input is sent as it is", () => {
    expect(targetPayload({ Input: '{"constant": [1, 2]}' }, event, rule)).toBe('{"constant": [1, 2]}');
  });

  it("InputPath selects part of the event", () => {
    expect(JSON.parse(targetPayload({ InputPath: "$.detail" }, event, rule))).toEqual(event.detail);
    expect(targetPayload({ InputPath: "$.resources[0]" }, event, rule)).toBe(
      JSON.stringify(event.resources[0]),
    );
    expect(targetPayload({ InputPath: "$.detail.missing" }, event, rule)).toBe("null");
  });

  it("a template in quotes inserts values as text (the guide's string example)", () => {
    const payload = targetPayload(
      {
        InputTransformer: {
          InputPathsMap: { instance: "$.detail.instance-id", state: "$.detail.state" },
          InputTemplate: '"<instance> is in state <state>"',
        },
      },
      event,
      rule,
    );
    expect(JSON.parse(payload)).toBe("i-0123456789 is in state RUNNING");
  });

  it("a JSON template inserts values as JSON outside strings (the guide's JSON example)", () => {
    const payload = targetPayload(
      {
        InputTransformer: {
          InputPathsMap: { instance: "$.detail.instance-id", state: "$.detail.state", tags: "$.detail.tags" },
          InputTemplate:
            '{"instance": <instance>, "state": [9, <state>, true], "tags": <tags>, "text": "<tags>"}',
        },
      },
      event,
      rule,
    );
    expect(JSON.parse(payload)).toEqual({
      instance: "i-0123456789",
      state: [9, "RUNNING", true],
      tags: { a: 1 },
      text: '{"a":1}',
    });
  });

  it("predefined variables, and text that needs escaping inside a string", () => {
    const payload = targetPayload(
      {
        InputTransformer: {
          InputPathsMap: { quote: "$.detail.quote" },
          InputTemplate:
            '{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "at": "<aws.events.event.ingestion-time>", "event": <aws.events.event.json>, "q": "<quote>"}',
        },
      },
      { ...event, detail: { quote: 'say "hi"\n' } },
      rule,
    );
    const parsed = JSON.parse(payload);
    expect(parsed).toMatchObject({
      rule: "example",
      arn: rule.ruleArn,
      at: rule.ingestionTime,
      q: 'say "hi"\n',
    });
    expect(parsed.event.detail).toEqual({ quote: 'say "hi"\n' });
    // A name that is no variable stays as it was written.
    expect(
      targetPayload({ InputTransformer: { InputPathsMap: {}, InputTemplate: '"a <b> c"' } }, event, rule),
    ).toBe('"a <b> c"');
  });

  it("parses the JSON paths input paths use", () => {
    expect(parseJsonPath("$")).toEqual([]);
    expect(parseJsonPath("$.detail.instance-id")).toEqual(["detail", "instance-id"]);
    expect(parseJsonPath("$.resources[2]")).toEqual(["resources", 2]);
    expect(parseJsonPath("$['detail-type']")).toEqual(["detail-type"]);
    expect(parseJsonPath("detail")).toBeUndefined();
    expect(parseJsonPath("$.a[x]")).toBeUndefined();
    expect(selectPath(event, "$.detail.tags.a")).toBe(1);
    expect(selectPath(event, "$.resources[5]")).toBeUndefined();
  });
});

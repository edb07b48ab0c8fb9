/**
 * TestEventPattern answers from the same matcher as the rules: every case of the matcher's table
 * (test/unit/events/pattern-cases.ts, AWS's documented examples and recorded answers) asked through the SDK v3
 * EventBridge client gives the same result, and every invalid pattern the same InvalidEventPatternException.
 */
import {
  EventBridgeClient,
  InvalidEventPatternException,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { base, invalid, rows } from "../../unit/events/pattern-cases.js";

let stack: LocalStack;
let events: EventBridgeClient;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  events = new EventBridgeClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  events?.destroy();
  await stack?.stop();
});

describe("TestEventPattern", () => {
  it("answers every case of the matcher's table as the table says", async () => {
    const answers: Array<[string, boolean | undefined]> = [];
    for (const [source, pattern, event] of rows) {
      const { Result } = await events.send(
        new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }),
      );
      answers.push([source, Result]);
    }
    expect(answers).toEqual(rows.map(([source, , , matches]) => [source, matches]));
  });

  it("refuses every invalid pattern of the table with AWS's reason", async () => {
    for (const [pattern, reason] of invalid) {
      const error = await events
        .send(new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(base) }))
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(error, pattern).toBeInstanceOf(InvalidEventPatternException);
      expect((error as Error).message, pattern).toBe(`Event pattern is not valid. Reason: ${reason}`);
    }
  });
});

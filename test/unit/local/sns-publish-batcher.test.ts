/**
 * Records for one SNS destination that are ready together go out in one PublishBatch, each still succeeding
 * or failing on its own, with its own trace header. Runs against a real fauxqs app, called in process as the
 * stack calls it.
 *
 * AWS (SNS API reference, PublishBatch, docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html): "Publishes
 * up to ten messages to the specified topic. This is a batch version of Publish. [...] The result of
 * publishing each message is reported individually in the response. Because the batch request can result in
 * a combination of successful and unsuccessful actions, you should check for batch errors even when the call
 * returns an HTTP status code of 200. The maximum allowed individual message size and the maximum total
 * payload size (the sum of the individual lengths of all of the batched messages) are both 256 KB."
 */
import { describe, expect, it } from "vitest";
import type { InProcessAws } from "../../../src/local/in-process-aws.js";
import { SnsPublishBatcher } from "../../../src/local/sns-publish-batcher.js";
import type { SqsTraceHeaders } from "../../../src/local/sqs-trace-headers.js";
import { receiveAll, useInProcessFauxqs } from "./in-process-fauxqs.js";

const topicArn = (name: string) => `arn:aws:sns:us-east-1:000000000000:${name}`;

let aws: InProcessAws;
let traceHeaders: SqsTraceHeaders;
/** The actions the batcher sent, in order. */
let actions: string[];

useInProcessFauxqs(
  (options) =>
    options.headers?.["x-amz-target"] === undefined
      ? (new URLSearchParams(String(options.payload ?? "")).get("Action") ?? undefined)
      : undefined,
  (fauxqs) => {
    ({ aws, traceHeaders, actions } = fauxqs);
  },
);

/** A topic with a queue subscribed to it (SNS envelopes, not raw); returns the queue's URL. */
async function topicWithQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await aws.sqs<{ QueueUrl: string }>("CreateQueue", { QueueName: `${name}-q` });
  const topicAttributes = Object.entries(attributes).flatMap(([key, value], index) => [
    [`Attributes.entry.${index + 1}.key`, key],
    [`Attributes.entry.${index + 1}.value`, value],
  ]);
  await aws.sns("CreateTopic", { Name: name, ...Object.fromEntries(topicAttributes) });
  await aws.sns("Subscribe", {
    TopicArn: topicArn(name),
    Protocol: "sqs",
    Endpoint: `arn:aws:sqs:us-east-1:000000000000:${name}-q`,
  });
  actions.length = 0;
  return QueueUrl;
}

const trace = (index: number) => `Root=1-00000000-${String(index).padStart(24, "0")}`;

describe("SnsPublishBatcher", () => {
  it("publishes 25 records that are ready together in 3 batches; each arrives once, with its own trace header", async () => {
    const url = await topicWithQueue("records");
    const batcher = new SnsPublishBatcher(aws, traceHeaders);
    const records = Array.from({ length: 25 }, (_, index) => `{"n":${index}}`);
    await Promise.all(
      records.map((record, index) => batcher.publish(topicArn("records"), "us-east-1", record, trace(index))),
    );
    expect(actions).toEqual(["PublishBatch", "PublishBatch", "PublishBatch"]);
    const received = await receiveAll(aws, url);
    const messages = received.map((message) => JSON.parse(message.Body).Message as string);
    expect(messages.sort()).toEqual([...records].sort());
    for (const message of received) {
      const index = Number(JSON.parse(JSON.parse(message.Body).Message).n);
      expect(traceHeaders.of(message)).toBe(trace(index));
    }
  });

  it("publishes a lone record with Publish, and a large one on its own", async () => {
    const url = await topicWithQueue("lone");
    const batcher = new SnsPublishBatcher(aws, traceHeaders);
    await batcher.publish(topicArn("lone"), "us-east-1", '{"alone":true}', trace(1));
    const large = JSON.stringify({ data: "x".repeat(100 * 1024) });
    await Promise.all([
      batcher.publish(topicArn("lone"), "us-east-1", large, undefined),
      batcher.publish(topicArn("lone"), "us-east-1", '{"a":1}', undefined),
      batcher.publish(topicArn("lone"), "us-east-1", '{"b":2}', undefined),
    ]);
    expect(actions).toEqual(["Publish", "Publish", "PublishBatch"]);
    const received = await receiveAll(aws, url);
    expect(received.map((message) => JSON.parse(message.Body).Message).sort()).toEqual(
      ['{"a":1}', '{"alone":true}', '{"b":2}', large].sort(),
    );
    const alone = received.find((message) => JSON.parse(message.Body).Message === '{"alone":true}')!;
    expect(traceHeaders.of(alone)).toBe(trace(1));
  });

  it("fails each record to a missing topic with Publish's own error", async () => {
    const batcher = new SnsPublishBatcher(aws, traceHeaders);
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map((n) => batcher.publish(topicArn("missing"), "us-east-1", `{"n":${n}}`, undefined)),
    );
    expect(actions).toEqual(["PublishBatch"]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason.message).toBe("Topic does not exist");
    }
  });

  it("keeps each topic's records apart: a missing topic fails its own record, not its neighbours'", async () => {
    const url = await topicWithQueue("mixed");
    const batcher = new SnsPublishBatcher(aws, traceHeaders);
    const outcomes = await Promise.allSettled([
      batcher.publish(topicArn("mixed"), "us-east-1", '{"n":1}', undefined),
      batcher.publish(topicArn("nope"), "us-east-1", '{"n":2}', undefined),
      batcher.publish(topicArn("mixed"), "us-east-1", '{"n":3}', undefined),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await receiveAll(aws, url)).map((message) => JSON.parse(message.Body).Message).sort()).toEqual([
      '{"n":1}',
      '{"n":3}',
    ]);
  });

  it("publishes to a FIFO topic with Publish only, each record failing as Publish fails it", async () => {
    await topicWithQueue("records.fifo", { FifoTopic: "true" });
    const batcher = new SnsPublishBatcher(aws, traceHeaders);
    const outcomes = await Promise.allSettled(
      [1, 2].map((n) => batcher.publish(topicArn("records.fifo"), "us-east-1", `{"n":${n}}`, undefined)),
    );
    expect(actions).toEqual(["Publish", "Publish"]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason.message).toBe(
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics.",
      );
    }
  });
});

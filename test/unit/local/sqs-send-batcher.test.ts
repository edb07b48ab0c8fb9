/**
 * Records for one SQS destination that are ready together go out in one SendMessageBatch, each still
 * succeeding or failing on its own, with its own trace header. Runs against a real fauxqs app, called in
 * process as the stack calls it.
 *
 * AWS (SQS API reference, SendMessageBatch, docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
 * API_SendMessageBatch.html): "You can use SendMessageBatch to send up to 10 messages to the specified queue
 * [...]. This is a batch version of SendMessage. [...] The result of sending each message is reported
 * individually in the response. Because the batch request can result in a combination of successful and
 * unsuccessful actions, you should check for batch errors even when the call returns an HTTP status code of
 * 200."
 */
import { afterEach, describe, expect, it } from "vitest";
import type { InProcessAws } from "../../../src/local/in-process-aws.js";
import { SqsSendBatcher } from "../../../src/local/sqs-send-batcher.js";
import type { SqsTraceHeaders } from "../../../src/local/sqs-trace-headers.js";
import { receiveAll, useInProcessFauxqs } from "./in-process-fauxqs.js";

const arnOf = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

let aws: InProcessAws;
let traceHeaders: SqsTraceHeaders;
/** The actions the batcher sent, in order. */
let actions: string[];
/** Those of them that went as requests. */
let requested: string[];

async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await aws.sqs<{ QueueUrl: string }>("CreateQueue", {
    QueueName: name,
    ...(attributes ? { Attributes: attributes } : {}),
  });
  actions.length = 0;
  return QueueUrl;
}

// The stack sends straight into fauxqs's handlers when it holds fauxqs's stores, and as requests otherwise:
// the batcher's records arrive the same either way.
describe.each([
  ["as requests", false],
  ["straight into fauxqs's handlers", true],
])("SqsSendBatcher, sending %s", (_how, direct) => {
  useInProcessFauxqs(
    (options) => options.headers?.["x-amz-target"]?.replace("AmazonSQS.", ""),
    (fauxqs) => {
      ({ aws, traceHeaders, actions, requested } = fauxqs);
    },
    { direct },
  );

  afterEach(() => {
    // A direct send is never also a request; only a message past what one may carry goes as a request.
    if (direct) expect(requested.filter((action) => action.startsWith("Send"))).toEqual(expectedRequests);
    expectedRequests = [];
  });
  let expectedRequests: string[] = [];

  it("sends 25 records that are ready together in 3 batches; each arrives once, with its own trace header", async () => {
    const url = await createQueue("records");
    const batcher = new SqsSendBatcher(aws);
    const bodies = Array.from({ length: 25 }, (_, index) => `{"n":${index}}`);
    await Promise.all(
      bodies.map((body, index) =>
        batcher.send(
          arnOf("records"),
          "us-east-1",
          body,
          `Root=1-00000000-${String(index).padStart(24, "0")}`,
        ),
      ),
    );
    expect(actions).toEqual(["GetQueueUrl", "SendMessageBatch", "SendMessageBatch", "SendMessageBatch"]);
    const received = await receiveAll(aws, url);
    expect(received.map((message) => message.Body).sort()).toEqual([...bodies].sort());
    for (const message of received) {
      const index = Number(JSON.parse(message.Body).n);
      expect(traceHeaders.of(message)).toBe(`Root=1-00000000-${String(index).padStart(24, "0")}`);
    }
  });

  it("sends a lone record with SendMessage, and a large one on its own; the queue URL is looked up once", async () => {
    const url = await createQueue("lone");
    const batcher = new SqsSendBatcher(aws);
    await batcher.send(arnOf("lone"), "us-east-1", '{"alone":true}', undefined);
    const large = JSON.stringify({ data: "x".repeat(100 * 1024) });
    await Promise.all([
      batcher.send(arnOf("lone"), "us-east-1", large, undefined),
      batcher.send(arnOf("lone"), "us-east-1", '{"a":1}', undefined),
      batcher.send(arnOf("lone"), "us-east-1", '{"b":2}', undefined),
    ]);
    expect(actions).toEqual(["GetQueueUrl", "SendMessage", "SendMessage", "SendMessageBatch"]);
    expect((await receiveAll(aws, url)).map((message) => message.Body).sort()).toEqual(
      ['{"a":1}', '{"alone":true}', '{"b":2}', large].sort(),
    );
  });

  it("fails each record of a batch to a FIFO queue with SendMessage's own error", async () => {
    await createQueue("records.fifo", { FifoQueue: "true" });
    const batcher = new SqsSendBatcher(aws);
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map((n) => batcher.send(arnOf("records.fifo"), "us-east-1", `{"n":${n}}`, undefined)),
    );
    expect(actions).toContain("SendMessageBatch");
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason.message).toBe(
        "The request must contain the parameter MessageGroupId.",
      );
    }
  });

  it("fails records to a missing queue, and delivers once the queue exists", async () => {
    const batcher = new SqsSendBatcher(aws);
    const missing = await Promise.allSettled(
      [1, 2].map((n) => batcher.send(arnOf("later"), "us-east-1", `{"n":${n}}`, undefined)),
    );
    expect(missing.map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
    expect((missing[0] as PromiseRejectedResult).reason.message).toBe("The specified queue does not exist.");
    const url = await createQueue("later");
    await batcher.send(arnOf("later"), "us-east-1", '{"n":3}', undefined);
    expect((await receiveAll(aws, url)).map((message) => message.Body)).toEqual(['{"n":3}']);
    // The queue goes away: the next record fails as SendMessage would, and the URL is looked up again after.
    await aws.sqs("DeleteQueue", { QueueUrl: url });
    await expect(batcher.send(arnOf("later"), "us-east-1", '{"n":4}', undefined)).rejects.toThrow(
      "The specified queue does not exist.",
    );
    const again = await createQueue("later");
    await batcher.send(arnOf("later"), "us-east-1", '{"n":5}', undefined);
    expect(actions).toEqual(["GetQueueUrl", "SendMessage"]);
    expect((await receiveAll(aws, again)).map((message) => message.Body)).toEqual(['{"n":5}']);
  });

  it("refuses a record over the queue's maximum message size with SendMessage's error, sent as a request when it is past what a direct send carries", async () => {
    const url = await createQueue("small", { MaximumMessageSize: "1024" });
    const batcher = new SqsSendBatcher(aws);
    const tooLarge = JSON.stringify({ data: "y".repeat(2000) });
    const huge = JSON.stringify({ data: "z".repeat(1024 * 1024 + 1) });
    const outcomes = await Promise.allSettled([
      batcher.send(arnOf("small"), "us-east-1", tooLarge, undefined),
      batcher.send(arnOf("small"), "us-east-1", huge, undefined),
    ]);
    expect(actions).toEqual(["GetQueueUrl", "SendMessage", "SendMessage"]);
    if (direct) expectedRequests = ["SendMessage"];
    expect(outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason?.message)).toEqual([
      "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
      "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    ]);
    expect(await receiveAll(aws, url)).toEqual([]);
  });
});

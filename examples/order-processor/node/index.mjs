// The order processor of the seed article, for the Node.js runtime (nodejs20.x or later).
//
// Two ways in:
// - from an SQS queue (event source mapping): each record is processed; a record whose body contains
//   "error" fails. The function publishes a processing result for every record itself, to the success or
//   the failure topic, because an SQS-triggered invocation is synchronous and Lambda Destinations never
//   see it.
// - asynchronously (Invoke with InvocationType Event, or any service that invokes asynchronously) with any
//   other event: the event is processed the same way and the handler returns the result or throws, so that
//   Lambda sends an invocation record to the function's on-success or on-failure destination.
//
// @aws-sdk/client-sns comes with the managed Node.js runtimes on AWS; the lambda-dest local stack provides
// the one installed with lambda-dest. Nothing needs to be bundled.
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";

const sns = new SNSClient({});

/** Throws when the payload asks for a failure: the whole point of the example. */
function processOrder(body) {
  if (body.includes("error")) {
    throw new Error(`Order could not be processed: the payload contains "error": ${body}`);
  }
  return body;
}

async function publishResult(result) {
  const topicArn = result.status === "SUCCESS" ? process.env.SUCCESS_TOPIC_ARN : process.env.FAILURE_TOPIC_ARN;
  if (!topicArn) throw new Error("SUCCESS_TOPIC_ARN and FAILURE_TOPIC_ARN must be set");
  await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(result) }));
}

function isSqsEvent(event) {
  return Array.isArray(event?.Records) && event.Records.every((record) => record?.eventSource === "aws:sqs");
}

export const handler = async (event, context) => {
  if (isSqsEvent(event)) {
    let failed = 0;
    for (const record of event.Records) {
      let result;
      try {
        processOrder(record.body);
        result = { message_id: record.messageId, body: record.body, status: "SUCCESS" };
      } catch (error) {
        failed += 1;
        result = { message_id: record.messageId, body: record.body, error: error.message, status: "FAILURE" };
      }
      await publishResult(result);
    }
    // Every record was handled (its outcome published), so none goes back to the queue.
    return { processed: event.Records.length, succeeded: event.Records.length - failed, failed };
  }

  // An asynchronous invocation: the return value or the error becomes the destination's invocation record.
  const body = typeof event === "string" ? event : JSON.stringify(event);
  processOrder(body);
  return { message_id: context.awsRequestId, body, status: "SUCCESS" };
};

import { parseValidArn } from "./arns.js";
import type { InProcessAws } from "./in-process-aws.js";
import type { LocalLogger } from "./local-logger.js";
import { EMPTY_LINEAGE, type Lineage, traceHeader } from "./recursion-lineage.js";

/**
 * Sends an event that failed every attempt to a function's dead-letter queue or topic as AWS does: the event as
 * the body, with the RequestID (String), ErrorCode (Number) and ErrorMessage (String) message attributes (AWS's
 * recorded DLQ message, LocalStack's AWS-validated test_lambda_destinations snapshot). Failures are logged.
 */
export async function deliverDeadLetter(
  aws: InProcessAws,
  logger: LocalLogger,
  letter: {
    target: string;
    functionName: string;
    requestId: string;
    event: string;
    errorCode: string;
    errorMessage: string;
  },
  lineage: Lineage = EMPTY_LINEAGE,
): Promise<void> {
  const attributes: [string, string, string][] = [
    ["RequestID", "String", letter.requestId],
    ["ErrorCode", "Number", letter.errorCode],
    ["ErrorMessage", "String", letter.errorMessage],
  ];
  const where = `dead letter of ${letter.functionName} (RequestId ${letter.requestId}) to ${letter.target}`;
  try {
    const arn = parseValidArn(letter.target);
    if (arn?.service === "sqs") {
      const MessageAttributes = Object.fromEntries(
        attributes.map(([name, type, value]) => [name, { DataType: type, StringValue: value }]),
      );
      const QueueUrl = await aws.queueUrl(letter.target);
      await aws.sqs(
        "SendMessage",
        { QueueUrl, MessageBody: letter.event, MessageAttributes },
        arn.region,
        traceHeader(lineage),
      );
    } else if (arn?.service === "sns") {
      const parameters: Record<string, string> = { TopicArn: letter.target, Message: letter.event };
      attributes.forEach(([name, type, value], index) => {
        const entry = `MessageAttributes.entry.${index + 1}`;
        parameters[`${entry}.Name`] = name;
        parameters[`${entry}.Value.DataType`] = type;
        parameters[`${entry}.Value.StringValue`] = value;
      });
      await aws.sns("Publish", parameters, arn.region, traceHeader(lineage));
    } else {
      throw new Error("a dead-letter target must be an SQS queue or SNS topic");
    }
    logger.info(`delivered ${where}`);
  } catch (error) {
    logger.error(`delivery failed: ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

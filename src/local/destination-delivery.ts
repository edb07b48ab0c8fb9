import { randomUUID } from "node:crypto";
import { parseValidArn } from "./arns.js";
import type { InProcessAws } from "./in-process-aws.js";
import type { LocalLogger } from "./local-logger.js";
import { EMPTY_LINEAGE, type Lineage, traceHeader } from "./recursion-lineage.js";

export interface DeliveryTarget {
  /** The destination ARN from the event invoke config. */
  destination: string;
  /** The function whose record this is (names the S3 key). */
  functionName: string;
  requestId: string;
  condition: string;
}

/** Sends a record to another function as an asynchronous invocation; returns its RequestId. */
export type AsyncInvoker = (functionArn: string, payload: string, lineage: Lineage) => string;

/**
 * Delivers invocation records the way Lambda does: SQS message body, SNS Message, asynchronous invocation of
 * the destination function, S3 object. A delivery that fails is logged and dropped, like AWS's
 * DestinationDeliveryFailures: it never stops the stack.
 */
export class DestinationDelivery {
  constructor(
    private readonly aws: InProcessAws,
    private readonly invokeAsync: AsyncInvoker,
    private readonly logger: LocalLogger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `lineage` is the chain the record belongs to: it travels on as the SQS and SNS trace header. */
  async deliver(target: DeliveryTarget, record: string, lineage: Lineage = EMPTY_LINEAGE): Promise<void> {
    const where = `${target.condition} record of ${target.functionName} (RequestId ${target.requestId}) to ${target.destination}`;
    try {
      const arn = parseValidArn(target.destination);
      switch (arn?.service) {
        case "sqs": {
          const queueUrl = await this.aws.queueUrl(target.destination);
          await this.aws.sqs(
            "SendMessage",
            { QueueUrl: queueUrl, MessageBody: record },
            arn.region,
            traceHeader(lineage),
          );
          break;
        }
        case "sns":
          await this.aws.sns(
            "Publish",
            { TopicArn: target.destination, Message: record },
            arn.region,
            traceHeader(lineage),
          );
          break;
        case "lambda":
          this.invokeAsync(target.destination, record, lineage);
          break;
        case "s3": {
          const bucket = arn.resource.split("/")[0];
          await this.aws.s3Put(bucket, s3RecordKey(target.functionName, this.now()), record);
          break;
        }
        case "events":
          this.logger.warn(
            `EventBridge destinations are not emulated by the local stack: not delivered: ${where}`,
          );
          return;
        default:
          throw new Error("unsupported destination");
      }
      this.logger.info(`delivered ${where}`);
    } catch (error) {
      this.logger.error(
        `delivery failed: ${where}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

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

/** aws/lambda/async/<function-name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>, in UTC, as Lambda names them. */
export function s3RecordKey(functionName: string, at: Date, uuid: string = randomUUID()): string {
  const iso = at.toISOString();
  const [date, time] = [iso.slice(0, 10), iso.slice(11, 19)];
  return `aws/lambda/async/${functionName}/${date.replaceAll("-", "/")}/${date}T${time.replaceAll(":", ".")}-${uuid}`;
}

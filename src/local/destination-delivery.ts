import { randomUUID } from "node:crypto";
import { parseValidArn } from "./arns.js";
import type { InProcessAws } from "./in-process-aws.js";
import { type LocalLogger, silentLogger } from "./local-logger.js";
import { EMPTY_LINEAGE, type Lineage, traceHeader } from "./recursion-lineage.js";
import { SnsPublishBatcher } from "./sns-publish-batcher.js";
import { SqsSendBatcher } from "./sqs-send-batcher.js";
import type { SqsTraceHeaders } from "./sqs-trace-headers.js";

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
 * the destination function, S3 object, EventBridge event. A delivery that fails is logged and dropped, like AWS's
 * DestinationDeliveryFailures: it never stops the stack.
 */
export class DestinationDelivery {
  /** Records for one queue that are ready together go in one SendMessageBatch. */
  private readonly sqsBatcher: SqsSendBatcher;
  /** Records for one topic that are ready together go in one PublishBatch. */
  private readonly snsBatcher: SnsPublishBatcher;

  constructor(
    private readonly aws: InProcessAws,
    private readonly invokeAsync: AsyncInvoker,
    private readonly logger: LocalLogger,
    private readonly now: () => Date = () => new Date(),
    traceHeaders?: SqsTraceHeaders,
  ) {
    this.sqsBatcher = new SqsSendBatcher(aws);
    this.snsBatcher = new SnsPublishBatcher(aws, traceHeaders);
  }

  /** `lineage` is the chain the record belongs to: it travels on as the SQS and SNS trace header. */
  async deliver(target: DeliveryTarget, record: string, lineage: Lineage = EMPTY_LINEAGE): Promise<void> {
    const where = () =>
      `${target.condition} record of ${target.functionName} (RequestId ${target.requestId}) to ${target.destination}`;
    try {
      const arn = parseValidArn(target.destination);
      switch (arn?.service) {
        case "sqs":
          await this.sqsBatcher.send(target.destination, arn.region, record, traceHeader(lineage));
          break;
        case "sns":
          await this.snsBatcher.publish(target.destination, arn.region, record, traceHeader(lineage));
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
          await this.putOnBus(target, arn.resource, record);
          break;
        default:
          throw new Error("unsupported destination");
      }
      if (this.logger !== silentLogger) this.logger.info(`delivered ${where()}`);
    } catch (error) {
      this.logger.error(
        `delivery failed: ${where()}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * An EventBridge destination: one event on the bus, as Lambda puts it there: source "lambda" (what real
   * events carry; the current AWS docs say "aws.lambda"), detail-type "Lambda Function Invocation Result -
   * Success" or "- Failure", resources [the bus ARN, the qualified function ARN], the record as detail.
   */
  private async putOnBus(target: DeliveryTarget, resource: string, record: string): Promise<void> {
    if (!resource.startsWith("event-bus/")) throw new Error("not an event bus ARN");
    const parsed = JSON.parse(record) as { requestContext?: { functionArn?: unknown } };
    const functionArn = parsed.requestContext?.functionArn;
    const result = await this.aws.events<{
      FailedEntryCount?: number;
      Entries?: Array<Record<string, unknown>>;
    }>("PutEvents", {
      Entries: [
        {
          EventBusName: target.destination,
          Source: "lambda",
          DetailType: destinationDetailType(target.condition),
          Detail: JSON.stringify(sortKeys(parsed)),
          Resources: [target.destination, ...(typeof functionArn === "string" ? [functionArn] : [])],
        },
      ],
    });
    const entry = result.Entries?.[0];
    if (result.FailedEntryCount || entry?.ErrorCode !== undefined)
      throw new Error(`${String(entry?.ErrorCode)}: ${String(entry?.ErrorMessage)}`);
  }
}

/** The detail-type of a destination event: "Lambda Function Invocation Result - Success" or "- Failure". */
export function destinationDetailType(condition: string): string {
  return `Lambda Function Invocation Result - ${condition === "Success" ? "Success" : "Failure"}`;
}

/** A copy of a JSON value with the keys of every object in alphabetical order, as real destination events have. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** aws/lambda/async/<function-name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>, in UTC, as Lambda names them. */
export function s3RecordKey(functionName: string, at: Date, uuid: string = randomUUID()): string {
  const iso = at.toISOString();
  const [date, time] = [iso.slice(0, 10), iso.slice(11, 19)];
  return `aws/lambda/async/${functionName}/${date.replaceAll("-", "/")}/${date}T${time.replaceAll(":", ".")}-${uuid}`;
}

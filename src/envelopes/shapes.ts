/**
 * TypeScript types for every kind lambda-dest knows, as AWS sends them (see schemas/).
 * Types only: nothing here runs. The guards that check a value against them are in guards.ts.
 */

/** Conditions of an asynchronous invocation's record. AWS may add more: treat the set as open. */
export type InvocationCondition =
  | "Success"
  | "RetriesExhausted"
  | "EventAgeExceeded"
  | "ZeroReservedConcurrency";
export type InvocationFailureCondition = Exclude<InvocationCondition, "Success">;

/** Conditions of an event source mapping's discarded-batch record. */
export type EsmFailureCondition =
  | "RetryAttemptsExhausted"
  | "RecordAgeExceeded"
  | "MaximumPayloadSizeExceeded";

export interface RequestContext<Condition extends string = InvocationCondition> {
  /** The invocation's id: the RequestId the asynchronous Invoke returned; the same on every retry. */
  requestId: string;
  /** Qualified for invocation records (…:function:NAME:$LATEST, :ALIAS or :VERSION). */
  functionArn: string;
  condition: Condition;
  /** 1 to 3 normally; 0 when the function never ran (ZeroReservedConcurrency). */
  approximateInvokeCount: number;
}

export interface ResponseContext {
  statusCode: number;
  /** "$LATEST" or a version number, never an alias. */
  executedVersion: string;
  /** Present only when the function failed. */
  functionError?: "Unhandled" | "Handled";
}

/** What the Node.js runtime reports for a thrown error. */
export interface NodeRuntimeError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** What the Python runtime reports for a raised exception (3.12 and later add requestId). */
export interface PythonRuntimeError {
  errorMessage: string;
  errorType: string;
  requestId?: string;
  stackTrace: string[];
}

/** What the Java runtime reports for a thrown exception, with its causes. */
export interface JavaRuntimeError {
  errorMessage: string;
  errorType: string;
  stackTrace: string[];
  cause?: JavaRuntimeError;
}

export interface GoStackFrame {
  path: string;
  line: number;
  label: string;
}

/** What the Go runtime reports for a returned error; a panic adds its stack. */
export interface GoRuntimeError {
  errorMessage: string;
  errorType: string;
  stackTrace?: GoStackFrame[];
}

/** A timeout ("Sandbox.Timedout") or a crashed process (no errorType at all). */
export interface SandboxError {
  errorType?: string;
  errorMessage: string;
}

/** The safe rule for any runtime: an object with an errorMessage string. */
export type FunctionErrorPayload =
  | NodeRuntimeError
  | PythonRuntimeError
  | JavaRuntimeError
  | GoRuntimeError
  | SandboxError;

interface RecordBase<Condition extends InvocationCondition, Request> {
  version: "1.0";
  /** ISO-8601 UTC with milliseconds, e.g. 2019-11-14T18:16:05.568Z. */
  timestamp: string;
  requestContext: RequestContext<Condition>;
  /** The original event. */
  requestPayload: Request;
}

/** A record sent to the on-success destination: the handler's return value is the responsePayload. */
export interface SuccessRecord<Request = unknown, Response = unknown> extends RecordBase<"Success", Request> {
  responseContext: ResponseContext & { functionError?: never };
  responsePayload: Response;
}

/** A record of an invocation that ran and kept failing (or ran out of time): the runtime's error. */
export interface FunctionFailureRecord<Request = unknown>
  extends RecordBase<"RetriesExhausted" | "EventAgeExceeded", Request> {
  responseContext: ResponseContext;
  responsePayload: FunctionErrorPayload;
}

/** The function's reserved concurrency is 0: it never ran, so there is no response at all. */
export interface ZeroReservedConcurrencyRecord<Request = unknown>
  extends RecordBase<"ZeroReservedConcurrency", Request> {
  responseContext?: never;
  responsePayload?: never;
}

export type FailureRecord<Request = unknown> =
  | FunctionFailureRecord<Request>
  | ZeroReservedConcurrencyRecord<Request>;

/** What Lambda sends to an asynchronous invocation's destination (kind `invocation-record`). */
export type InvocationRecord<Request = unknown, Response = unknown> =
  | SuccessRecord<Request, Response>
  | FailureRecord<Request>;

export interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

export interface KafkaRecordsInfo {
  firstRecordOffset: string;
  lastRecordOffset: string;
  firstRecordTimestamp: string;
  lastRecordTimestamp: string;
}

export interface KafkaBatchInfo {
  batchSize: number;
  eventSourceArn?: string;
  bootstrapServers: string;
  payloadSize: number;
  /** Per "<topic>-<partition>". */
  recordsInfo?: Record<string, KafkaRecordsInfo>;
  /** The Kafka-topic destination's form. */
  recordInfo?: { offset: string; timestamp: string };
}

interface EsmRecordBase {
  requestContext: RequestContext<EsmFailureCondition>;
  /** Absent for RecordAgeExceeded; null for Kafka's MaximumPayloadSizeExceeded. */
  responseContext?: ResponseContext | null;
  version: "1.0";
  timestamp: string;
  /** S3 destinations only: the whole original event as a JSON string. */
  payload?: string | Record<string, unknown> | unknown[];
}

export interface KinesisFailureRecord extends EsmRecordBase {
  KinesisBatchInfo: StreamBatchInfo;
}

export interface DynamoDbStreamFailureRecord extends EsmRecordBase {
  DDBStreamBatchInfo: StreamBatchInfo;
}

export interface KafkaFailureRecord extends EsmRecordBase {
  KafkaBatchInfo: KafkaBatchInfo;
}

/** What a Kinesis, DynamoDB Streams or Kafka mapping sends for a discarded batch (kind `esm-failure-record`). */
export type EsmFailureRecord = KinesisFailureRecord | DynamoDbStreamFailureRecord | KafkaFailureRecord;

/** The order-processor example's own result for each SQS record (kind `processing-result`). */
export type ProcessingResult =
  | { message_id: string; body: unknown; status: "SUCCESS" }
  | { message_id: string; body: unknown; error: string; status: "FAILURE" };

export interface SqsMessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** One message as ReceiveMessage returns it (kind `sqs-message`): the record is the Body, as text. */
export interface SqsMessage {
  MessageId: string;
  ReceiptHandle?: string;
  MD5OfBody?: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, SqsMessageAttributeValue>;
}

/** A dead-letter queue's message: the body is the original event; the attributes say why it failed. */
export interface DeadLetterMessage extends SqsMessage {
  MessageAttributes: {
    RequestID: SqsMessageAttributeValue;
    ErrorCode: SqsMessageAttributeValue;
    ErrorMessage: SqsMessageAttributeValue;
  };
}

/** An object read from a bucket (kind `s3-object`): an S3 on-failure destination's record is the Body. */
export interface S3Object {
  Bucket: string;
  Key: string;
  LastModified?: string;
  ETag?: string;
  Size?: number;
  /** null when the object could not be read; Problem says why. */
  Body: string | null;
  Problem?: string;
}

/** What `aws sqs receive-message` prints. */
export interface ReceiveMessageOutput {
  Messages: SqsMessage[];
}

/** The SNS notification delivered to a queue without raw message delivery (kind `sns-notification`). */
export interface SnsNotification {
  Type: "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  MessageId: string;
  TopicArn: string;
  Subject?: string | null;
  /** The published text: a destination record is JSON inside this string. */
  Message: string;
  Timestamp: string;
  SignatureVersion?: "1" | "2";
  Signature?: string;
  SigningCertURL?: string;
  UnsubscribeURL?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/** The EventBridge event around an invocation record (kind `eventbridge-event`). */
export interface EventBridgeEvent<Detail = InvocationRecord> {
  version: "0";
  id: string;
  "detail-type":
    | "Lambda Function Invocation Result - Success"
    | "Lambda Function Invocation Result - Failure";
  /** "lambda" in real events; "aws.lambda" in the documentation. */
  source: "lambda" | "aws.lambda";
  account: string;
  /** Second precision. */
  time: string;
  region: string;
  /** The event bus ARN and the qualified function ARN. */
  resources: string[];
  detail: Detail;
}

export interface LambdaSqsMessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
  stringListValues?: string[];
  binaryListValues?: string[];
}

export interface LambdaSqsRecord {
  messageId: string;
  receiptHandle: string;
  /** The message body as text: JSON.parse it to get the record. */
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, LambdaSqsMessageAttribute>;
  md5OfBody: string;
  md5OfMessageAttributes?: string | null;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

/** The event a function triggered by an SQS queue receives (kind `lambda-sqs-event`). */
export interface LambdaSqsEvent {
  Records: LambdaSqsRecord[];
}

export interface LambdaSnsRecord {
  EventSource: "aws:sns";
  EventVersion: string;
  EventSubscriptionArn: string;
  Sns: {
    Type: string;
    MessageId: string;
    TopicArn: string;
    Subject: string | null;
    /** The published text: JSON.parse it to get the record. */
    Message: string;
    Timestamp: string;
    SignatureVersion: string;
    Signature: string;
    SigningCertUrl: string;
    UnsubscribeUrl: string;
    MessageAttributes: Record<string, { Type: string; Value: string }>;
  };
}

/** The event a function subscribed to an SNS topic receives (kind `lambda-sns-event`). */
export interface LambdaSnsEvent {
  Records: LambdaSnsRecord[];
}

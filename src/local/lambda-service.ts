import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import * as path from "node:path";
import type { FunctionReference } from "../arn.js";
import {
  checkQualifier,
  functionArn,
  LATEST,
  LOCAL_ACCOUNT_ID,
  parseFunctionReference,
  parseValidArn,
} from "./arns.js";
import { AsyncInvocationQueue } from "./async-invocation-queue.js";
import { DestinationDelivery } from "./destination-delivery.js";
import {
  type EventInvokeConfig,
  eventInvokeConfigResponse,
  mergeEventInvokeConfig,
  parseEventInvokeConfigInput,
  replaceEventInvokeConfig,
} from "./event-invoke-config.js";
import { extractFunctionCode } from "./function-code.js";
import { checkEnvironmentVariables, functionEnvironment } from "./function-environment.js";
import type { InProcessAws } from "./in-process-aws.js";
import {
  invalidParameter,
  LambdaServiceError,
  requestTooLarge,
  resourceNotFound,
  validationError,
} from "./lambda-service-error.js";
import type { LocalLogger } from "./local-logger.js";
import {
  EMPTY_LINEAGE,
  type Lineage,
  lineageFromTraceHeader,
  lineageKey,
  RECURSION_LIMIT,
  timesInvoked,
  traceHeader,
  withInvocation,
} from "./recursion-lineage.js";
import { type RuntimeFamily, type Runtimes, runtimeFamily } from "./runtimes.js";
import { type InvocationOutcome, Sandbox } from "./sandbox.js";
import { SandboxPool } from "./sandbox-pool.js";
import { SqsEventSourceMapping } from "./sqs-event-source-mapping.js";
import type { SqsTraceHeaders } from "./sqs-trace-headers.js";

export interface LambdaServiceOptions {
  region: string;
  /** The stack's endpoint, given to functions as AWS_ENDPOINT_URL. */
  endpoint: string;
  /** Where function code is unpacked; removed on stop. */
  workDirectory: string;
  runtimes: Runtimes;
  aws: InProcessAws;
  logger: LocalLogger;
  timeScale: number;
  /** Execution environments per function at most (and async events of a function running at once). */
  maxConcurrencyPerFunction: number;
  /** node_modules that functions may import the AWS SDK from, as the managed Node.js runtime offers it. */
  sharedNodeModules?: string;
  /** The trace headers (recursion lineage) of SQS and SNS messages that functions and destinations sent. */
  traceHeaders: SqsTraceHeaders;
}

/** A function's code and settings as the caller gives them, from a zip or from a local folder. */
export interface FunctionDefinition {
  name: string;
  runtime: string;
  handler: string;
  codeDirectory: string;
  codeSha256: string;
  codeSize: number;
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
  description?: string;
  role?: string;
}

interface LocalFunction {
  name: string;
  runtime: string;
  family: RuntimeFamily;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  codeDirectory: string;
  codeSha256: string;
  codeSize: number;
  lastModified: Date;
  revisionId: string;
  reservedConcurrency?: number;
  eventInvokeConfig?: EventInvokeConfig;
  /** PutFunctionRecursionConfig: "Terminate" (AWS's default) stops recursive loops, "Allow" lets them run. */
  recursiveLoop: "Terminate" | "Allow";
  /** The function's key in a recursion lineage. */
  lineageKey: string;
  pool: SandboxPool;
  queue: AsyncInvocationQueue;
}

export interface InvokeResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Invoke's request limits: 6 MB synchronous, 1 MB asynchronous (the Lambda API reference, Invoke). */
export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
const LOG_TAIL_BYTES = 4096;

/**
 * The local Lambda service: functions, their execution environments and async queues, event invoke configs,
 * reserved concurrency and SQS event source mappings. Methods take what the HTTP layer parsed and return the
 * API's response documents; they throw LambdaServiceError for anything AWS would refuse.
 */
export class LambdaService {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly mappings = new Map<string, SqsEventSourceMapping>();
  private readonly delivery: DestinationDelivery;
  private codeCounter = 0;

  constructor(private readonly options: LambdaServiceOptions) {
    this.delivery = new DestinationDelivery(
      options.aws,
      (arn, payload, lineage) => this.invokeAsyncByArn(arn, payload, lineage),
      options.logger,
    );
  }

  get region(): string {
    return this.options.region;
  }

  // ---- functions ----------------------------------------------------------------------------------------

  async createFunction(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const name = requiredString(body.FunctionName, "functionName");
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      throw validationError(
        name,
        "functionName",
        "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+",
      );
    }
    if (this.functions.has(name)) {
      throw new LambdaServiceError("ResourceConflictException", `Function already exist: ${name}`, 409);
    }
    if (body.PackageType === "Image") {
      throw invalidParameter("The local stack runs Zip packages only, not container images.");
    }
    if (typeof body.Runtime !== "string" || typeof body.Handler !== "string") {
      throw invalidParameter(
        "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
      );
    }
    runtimeFamily(body.Runtime);
    const settings = functionSettings(body);
    const code = body.Code as Record<string, unknown> | undefined;
    if (!code || typeof code.ZipFile !== "string") {
      throw invalidParameter(
        "The local stack takes function code as Code.ZipFile (base64); S3 and image code are not supported.",
      );
    }
    const directory = await this.newCodeDirectory(name);
    try {
      const extracted = await extractFunctionCode(Buffer.from(code.ZipFile, "base64"), directory);
      const fn = this.register({
        name,
        runtime: body.Runtime,
        handler: body.Handler,
        codeDirectory: extracted.directory,
        codeSha256: extracted.sha256,
        codeSize: extracted.size,
        role: typeof body.Role === "string" ? body.Role : undefined,
        ...settings,
      });
      return this.configuration(fn);
    } catch (error) {
      // A refused function leaves nothing on disk (a concurrent CreateFunction of the same name included).
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
  }

  /** Registers a function whose code is already on disk (a folder given to `local --function`, or --init). */
  register(definition: FunctionDefinition): LocalFunction {
    if (this.functions.has(definition.name)) {
      throw new LambdaServiceError(
        "ResourceConflictException",
        `Function already exist: ${definition.name}`,
        409,
      );
    }
    const family = runtimeFamily(definition.runtime);
    checkEnvironmentVariables(definition.environment ?? {});
    const key = lineageKey(functionArn(this.region, definition.name));
    // The pool and the queue call back into the function (its configuration as it is at each call), so they
    // are built with it; nothing calls them before it is registered below.
    const fn: LocalFunction = {
      name: definition.name,
      runtime: definition.runtime,
      family,
      handler: definition.handler,
      role: definition.role ?? `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/lambda-role`,
      description: definition.description ?? "",
      timeout: definition.timeout ?? 3,
      memorySize: definition.memorySize ?? 128,
      environment: definition.environment ?? {},
      codeDirectory: definition.codeDirectory,
      codeSha256: definition.codeSha256,
      codeSize: definition.codeSize,
      lastModified: new Date(),
      revisionId: randomUUID(),
      recursiveLoop: "Terminate",
      lineageKey: key,
      pool: new SandboxPool(() => this.startSandbox(fn), this.options.maxConcurrencyPerFunction),
      queue: new AsyncInvocationQueue(
        {
          name: definition.name,
          qualifiedArn: functionArn(this.region, definition.name, LATEST),
          executedVersion: LATEST,
          eventInvokeConfig: () => fn.eventInvokeConfig,
          reservedConcurrency: () => fn.reservedConcurrency,
          lineageKey: key,
          recursionStopped: (lineage) => this.stopsRecursion(fn, lineage, "asynchronous event"),
          invoke: (requestId, payload, lineage) => this.run(fn, requestId, payload, lineage),
        },
        {
          delivery: this.delivery,
          logger: this.options.logger,
          timeScale: this.options.timeScale,
          concurrency: this.options.maxConcurrencyPerFunction,
        },
      ),
    };
    this.functions.set(fn.name, fn);
    this.options.logger.info(`function ${fn.name} (${fn.runtime}, ${fn.handler}) ready`);
    return fn;
  }

  getFunction(reference: string, qualifier?: string): Record<string, unknown> {
    const fn = this.find(reference, qualifier);
    return {
      Configuration: this.configuration(fn),
      Code: {
        RepositoryType: "S3",
        Location: `${this.options.endpoint}/2015-03-31/functions/${fn.name}/code`,
      },
      ...(fn.reservedConcurrency === undefined
        ? {}
        : { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } }),
    };
  }

  getFunctionConfiguration(reference: string, qualifier?: string): Record<string, unknown> {
    return this.configuration(this.find(reference, qualifier));
  }

  listFunctions(): Record<string, unknown> {
    return { Functions: [...this.functions.values()].map((fn) => this.configuration(fn)) };
  }

  async updateFunctionCode(
    reference: string,
    body: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const fn = this.find(reference);
    if (typeof body.ZipFile !== "string") {
      throw invalidParameter(
        "The local stack takes function code as ZipFile (base64); S3 and image code are not supported.",
      );
    }
    const directory = await this.newCodeDirectory(fn.name);
    const extracted = await extractFunctionCode(Buffer.from(body.ZipFile, "base64"), directory).catch(
      async (error: unknown) => {
        await rm(directory, { recursive: true, force: true });
        throw error;
      },
    );
    fn.codeDirectory = extracted.directory;
    fn.codeSha256 = extracted.sha256;
    fn.codeSize = extracted.size;
    this.touch(fn);
    return this.configuration(fn);
  }

  updateFunctionConfiguration(reference: string, body: Record<string, unknown>): Record<string, unknown> {
    const fn = this.find(reference);
    const settings = functionSettings(body);
    if (typeof body.Runtime === "string") {
      fn.family = runtimeFamily(body.Runtime);
      fn.runtime = body.Runtime;
    }
    if (typeof body.Handler === "string") fn.handler = body.Handler;
    if (typeof body.Role === "string") fn.role = body.Role;
    if (settings.timeout !== undefined) fn.timeout = settings.timeout;
    if (settings.memorySize !== undefined) fn.memorySize = settings.memorySize;
    if (settings.environment !== undefined) fn.environment = settings.environment;
    if (settings.description !== undefined) fn.description = settings.description;
    this.touch(fn);
    return this.configuration(fn);
  }

  deleteFunction(reference: string, qualifier?: string): void {
    const fn = this.find(reference, qualifier);
    fn.queue.stop();
    fn.pool.stop();
    this.functions.delete(fn.name);
    this.options.logger.info(`function ${fn.name} deleted`);
  }

  // ---- invocation ---------------------------------------------------------------------------------------

  async invoke(
    reference: string,
    qualifier: string | undefined,
    invocationType: string,
    logType: string | undefined,
    body: Buffer | undefined,
    /** X-Amzn-Trace-Id of the request: an SDK inside a function sends its invocation's, lineage included. */
    traceHeaderValue?: string,
  ): Promise<InvokeResult> {
    if (!["RequestResponse", "Event", "DryRun"].includes(invocationType)) {
      throw validationError(
        invocationType,
        "invocationType",
        "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
      );
    }
    if (logType !== undefined && logType !== "None" && logType !== "Tail") {
      throw validationError(logType, "logType", "Member must satisfy enum value set: [None, Tail]");
    }
    const fn = this.find(reference, qualifier);
    const size = body?.length ?? 0;
    if (size > SYNC_PAYLOAD_LIMIT) throw requestTooLarge(SYNC_PAYLOAD_LIMIT, "InvokeFunction");
    if (invocationType === "Event" && size > ASYNC_PAYLOAD_LIMIT) {
      throw new LambdaServiceError(
        "RequestEntityTooLargeException",
        `${size} byte payload is too large for the Event invocation type (limit ${ASYNC_PAYLOAD_LIMIT} bytes)`,
        413,
      );
    }
    const payload = body === undefined || body.length === 0 ? "{}" : body.toString("utf8");
    const lineage = lineageFromTraceHeader(traceHeaderValue);
    try {
      JSON.parse(payload);
    } catch (error) {
      throw new LambdaServiceError(
        "InvalidRequestContentException",
        `Could not parse request body into json: ${error instanceof Error ? error.message : String(error)}`,
        400,
      );
    }
    const requestId = randomUUID();
    if (invocationType === "DryRun")
      return { statusCode: 204, headers: { "x-amzn-RequestId": requestId }, body: "" };
    if (invocationType === "Event") {
      fn.queue.enqueue(requestId, payload, lineage);
      return { statusCode: 202, headers: { "x-amzn-RequestId": requestId }, body: "" };
    }
    if (this.stopsRecursion(fn, lineage, "synchronous invocation")) {
      throw new LambdaServiceError(
        "RecursiveInvocationException",
        "Lambda has detected your function being invoked in a recursive loop with other AWS resources and stopped your function's invocation.",
        400,
        {},
        "Message",
      );
    }
    if (fn.reservedConcurrency === 0) {
      throw new LambdaServiceError("TooManyRequestsException", "Rate Exceeded.", 429, {
        retryAfterSeconds: "",
        Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      });
    }
    const outcome = await this.run(fn, requestId, payload, lineage);
    const headers: Record<string, string> = {
      "x-amzn-RequestId": requestId,
      "X-Amz-Executed-Version": LATEST,
      "content-type": "application/json",
    };
    if (outcome.functionError) headers["X-Amz-Function-Error"] = outcome.functionError;
    if (logType === "Tail") headers["X-Amz-Log-Result"] = logTail(outcome.logs);
    return { statusCode: 200, headers, body: outcome.payload };
  }

  /** A synchronous invocation from inside the stack (the SQS poller). */
  invokeSync(
    functionName: string,
    payload: string,
    lineage: Lineage = EMPTY_LINEAGE,
  ): Promise<InvocationOutcome> {
    const fn = this.find(functionName);
    return this.run(fn, randomUUID(), payload, lineage);
  }

  /** An asynchronous invocation from inside the stack (a Lambda destination). */
  invokeAsyncByArn(arn: string, payload: string, lineage: Lineage = EMPTY_LINEAGE): string {
    const reference = parseFunctionReference(arn);
    const fn = this.find(arn, reference.qualifier);
    const requestId = randomUUID();
    fn.queue.enqueue(requestId, payload, lineage);
    return requestId;
  }

  /**
   * Whether Lambda's recursive loop detection stops the next invocation of a function with this lineage: it
   * already ran RECURSION_LIMIT times in the chain, and its RecursiveLoop setting is Terminate. Says so on the
   * stack's log, as AWS notifies the account.
   */
  recursionStopped(functionName: string, lineage: Lineage, what: string): boolean {
    return this.stopsRecursion(this.find(functionName), lineage, what);
  }

  private stopsRecursion(fn: LocalFunction, lineage: Lineage, what: string): boolean {
    const times = timesInvoked(lineage, fn.lineageKey);
    if (times < RECURSION_LIMIT || fn.recursiveLoop === "Allow") return false;
    this.options.logger.warn(
      `${fn.name}: recursive loop detected: invoked ${times} times in one chain of requests; the next ${what} is stopped (PutFunctionRecursionConfig with RecursiveLoop Allow lets such loops run)`,
    );
    return true;
  }

  // ---- recursion config ---------------------------------------------------------------------------------

  putFunctionRecursionConfig(reference: string, body: Record<string, unknown>): Record<string, unknown> {
    const fn = this.find(reference);
    const value = body.RecursiveLoop;
    if (value !== "Allow" && value !== "Terminate") {
      throw validationError(value, "recursiveLoop", "Member must satisfy enum value set: [Terminate, Allow]");
    }
    fn.recursiveLoop = value;
    return { RecursiveLoop: value };
  }

  getFunctionRecursionConfig(reference: string): Record<string, unknown> {
    return { RecursiveLoop: this.find(reference).recursiveLoop };
  }

  // ---- event invoke config ------------------------------------------------------------------------------

  putEventInvokeConfig(reference: string, qualifier: string | undefined, body: Record<string, unknown>) {
    const fn = this.find(reference, qualifier);
    fn.eventInvokeConfig = replaceEventInvokeConfig(parseEventInvokeConfigInput(body), new Date());
    this.logEventBridge(fn);
    return eventInvokeConfigResponse(fn.eventInvokeConfig, this.qualifiedArn(fn));
  }

  updateEventInvokeConfig(reference: string, qualifier: string | undefined, body: Record<string, unknown>) {
    const fn = this.find(reference, qualifier);
    fn.eventInvokeConfig = mergeEventInvokeConfig(
      fn.eventInvokeConfig,
      parseEventInvokeConfigInput(body),
      new Date(),
    );
    this.logEventBridge(fn);
    return eventInvokeConfigResponse(fn.eventInvokeConfig, this.qualifiedArn(fn));
  }

  getEventInvokeConfig(reference: string, qualifier?: string): Record<string, unknown> {
    const fn = this.find(reference, qualifier);
    if (!fn.eventInvokeConfig) {
      throw resourceNotFound(`The function ${this.qualifiedArn(fn)} doesn't have an EventInvokeConfig`);
    }
    return eventInvokeConfigResponse(fn.eventInvokeConfig, this.qualifiedArn(fn));
  }

  deleteEventInvokeConfig(reference: string, qualifier?: string): void {
    const fn = this.find(reference, qualifier);
    if (!fn.eventInvokeConfig) {
      throw resourceNotFound(`The function ${this.qualifiedArn(fn)} doesn't have an EventInvokeConfig`);
    }
    fn.eventInvokeConfig = undefined;
  }

  listEventInvokeConfigs(reference: string): Record<string, unknown> {
    const fn = this.find(reference);
    return {
      FunctionEventInvokeConfigs: fn.eventInvokeConfig
        ? [eventInvokeConfigResponse(fn.eventInvokeConfig, this.qualifiedArn(fn))]
        : [],
    };
  }

  // ---- concurrency --------------------------------------------------------------------------------------

  putFunctionConcurrency(reference: string, body: Record<string, unknown>): Record<string, unknown> {
    const fn = this.find(reference);
    const value = body.ReservedConcurrentExecutions;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw validationError(value, "reservedConcurrentExecutions", "Member must not be null");
    }
    if (value < 0) {
      throw validationError(
        value,
        "reservedConcurrentExecutions",
        "Member must have value greater than or equal to 0",
      );
    }
    fn.reservedConcurrency = value;
    fn.pool.setMaxSize(value === 0 ? 1 : Math.min(value, this.options.maxConcurrencyPerFunction));
    return { ReservedConcurrentExecutions: value };
  }

  getFunctionConcurrency(reference: string): Record<string, unknown> {
    const fn = this.find(reference);
    return fn.reservedConcurrency === undefined
      ? {}
      : { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }

  deleteFunctionConcurrency(reference: string): void {
    const fn = this.find(reference);
    fn.reservedConcurrency = undefined;
    fn.pool.setMaxSize(this.options.maxConcurrencyPerFunction);
  }

  // ---- event source mappings ----------------------------------------------------------------------------

  async createEventSourceMapping(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const sourceArn = requiredString(body.EventSourceArn, "eventSourceArn");
    const arn = parseValidArn(sourceArn);
    if (arn?.service !== "sqs") {
      throw invalidParameter(`Unsupported event source ${sourceArn}: the local stack polls SQS queues only.`);
    }
    if (body.DestinationConfig !== undefined) {
      throw invalidParameter("Unsupported DestinationConfig parameter for given event source mapping type.");
    }
    const fn = this.find(requiredString(body.FunctionName, "functionName"));
    try {
      await this.options.aws.queueUrl(sourceArn);
    } catch {
      throw invalidParameter(
        `Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue (${sourceArn})`,
      );
    }
    for (const existing of this.mappings.values()) {
      if (existing.settings.eventSourceArn === sourceArn && existing.settings.functionName === fn.name) {
        throw new LambdaServiceError(
          "ResourceConflictException",
          `An event source mapping with SQS arn (" ${sourceArn} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${existing.settings.uuid}`,
          409,
        );
      }
    }
    const settings = {
      uuid: randomUUID(),
      eventSourceArn: sourceArn,
      functionName: fn.name,
      functionArn: functionArn(this.region, fn.name),
      batchSize: 10,
      maximumBatchingWindowInSeconds: 0,
      reportBatchItemFailures: false,
      enabled: body.Enabled !== false,
      lastModified: Date.now() / 1000,
    };
    applyMappingSettings(settings, body, sourceArn.endsWith(".fifo"));
    const mapping = new SqsEventSourceMapping(
      settings,
      this.options.aws,
      {
        invoke: (name, payload, lineage) => this.invokeSync(name, payload, lineage),
        recursionStopped: (name, lineage) => this.recursionStopped(name, lineage, "SQS message"),
        traceHeaderOf: (message) => this.options.traceHeaders.of(message),
      },
      this.options.logger,
    );
    this.mappings.set(settings.uuid, mapping);
    mapping.apply();
    return { ...mappingResponse(mapping), State: "Creating" };
  }

  getEventSourceMapping(uuid: string): Record<string, unknown> {
    return mappingResponse(this.findMapping(uuid));
  }

  listEventSourceMappings(eventSourceArn?: string, functionName?: string): Record<string, unknown> {
    const name = functionName === undefined ? undefined : parseFunctionReference(functionName).name;
    return {
      EventSourceMappings: [...this.mappings.values()]
        .filter(
          (mapping) => eventSourceArn === undefined || mapping.settings.eventSourceArn === eventSourceArn,
        )
        .filter((mapping) => name === undefined || mapping.settings.functionName === name)
        .map(mappingResponse),
    };
  }

  updateEventSourceMapping(uuid: string, body: Record<string, unknown>): Record<string, unknown> {
    const mapping = this.findMapping(uuid);
    const next = { ...mapping.settings };
    if (typeof body.FunctionName === "string") {
      const fn = this.find(body.FunctionName);
      next.functionName = fn.name;
      next.functionArn = functionArn(this.region, fn.name);
    }
    if (typeof body.Enabled === "boolean") next.enabled = body.Enabled;
    applyMappingSettings(next, body, next.eventSourceArn.endsWith(".fifo"));
    next.lastModified = Date.now() / 1000;
    mapping.settings = next;
    mapping.apply();
    return { ...mappingResponse(mapping), State: "Updating" };
  }

  deleteEventSourceMapping(uuid: string): Record<string, unknown> {
    const mapping = this.findMapping(uuid);
    mapping.stop();
    this.mappings.delete(uuid);
    return { ...mappingResponse(mapping), State: "Deleting" };
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------

  async stop(): Promise<void> {
    for (const mapping of this.mappings.values()) mapping.stop();
    for (const fn of this.functions.values()) {
      fn.queue.stop();
      fn.pool.stop();
    }
    this.mappings.clear();
    this.functions.clear();
    await rm(this.options.workDirectory, { recursive: true, force: true });
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private find(reference: string, qualifier?: string): LocalFunction {
    const parsed: FunctionReference = parseFunctionReference(reference);
    const fn = this.functions.get(parsed.name);
    if (!fn) {
      throw resourceNotFound(
        `Function not found: ${functionArn(this.region, parsed.name, qualifier ?? parsed.qualifier)}`,
      );
    }
    checkQualifier(this.region, parsed, qualifier);
    return fn;
  }

  private findMapping(uuid: string): SqsEventSourceMapping {
    const mapping = this.mappings.get(uuid);
    if (!mapping)
      throw resourceNotFound(`The resource you requested does not exist. (Service: Lambda, UUID: ${uuid})`);
    return mapping;
  }

  private run(
    fn: LocalFunction,
    requestId: string,
    payload: string,
    lineage: Lineage,
  ): Promise<InvocationOutcome> {
    return fn.pool.invoke({
      requestId,
      payload,
      invokedFunctionArn: functionArn(this.region, fn.name),
      traceId: traceHeader(withInvocation(lineage, fn.lineageKey)),
    });
  }

  private async startSandbox(fn: LocalFunction): Promise<Sandbox> {
    return Sandbox.start(
      {
        functionName: fn.name,
        command: this.options.runtimes.command(fn.runtime),
        environment: functionEnvironment(
          {
            name: fn.name,
            runtime: fn.runtime,
            family: fn.family,
            handler: fn.handler,
            memorySize: fn.memorySize,
            codeDirectory: fn.codeDirectory,
            variables: fn.environment,
          },
          {
            region: this.region,
            endpoint: this.options.endpoint,
            runtimeDirectory: this.options.runtimes.runtimeDirectory,
            sharedNodeModules: this.options.sharedNodeModules,
            path: process.env.PATH,
          },
        ),
        codeDirectory: fn.codeDirectory,
        timeoutSeconds: fn.timeout,
        memorySize: fn.memorySize,
        version: LATEST,
      },
      this.options.logger,
    );
  }

  private configuration(fn: LocalFunction): Record<string, unknown> {
    return {
      FunctionName: fn.name,
      FunctionArn: functionArn(this.region, fn.name),
      Runtime: fn.runtime,
      Role: fn.role,
      Handler: fn.handler,
      CodeSize: fn.codeSize,
      Description: fn.description,
      Timeout: fn.timeout,
      MemorySize: fn.memorySize,
      LastModified: fn.lastModified.toISOString().replace("Z", "+0000"),
      CodeSha256: fn.codeSha256,
      Version: LATEST,
      Environment: { Variables: fn.environment },
      TracingConfig: { Mode: "PassThrough" },
      RevisionId: fn.revisionId,
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: "Zip",
      Architectures: ["x86_64"],
      EphemeralStorage: { Size: 512 },
    };
  }

  private qualifiedArn(fn: LocalFunction): string {
    return functionArn(this.region, fn.name, LATEST);
  }

  private touch(fn: LocalFunction): void {
    fn.lastModified = new Date();
    fn.revisionId = randomUUID();
    // Warm environments run the old code or settings: retire them, as Lambda does after an update.
    fn.pool.reset();
  }

  private async newCodeDirectory(name: string): Promise<string> {
    this.codeCounter += 1;
    const directory = path.join(this.options.workDirectory, "functions", `${name}-${this.codeCounter}`);
    await mkdir(directory, { recursive: true });
    return directory;
  }

  private logEventBridge(fn: LocalFunction): void {
    for (const destination of [fn.eventInvokeConfig?.onSuccess, fn.eventInvokeConfig?.onFailure]) {
      if (destination && parseValidArn(destination)?.service === "events") {
        this.options.logger.warn(
          `${fn.name}: EventBridge destination ${destination} accepted, but EventBridge is not emulated: its records will be logged and dropped`,
        );
      }
    }
  }
}

function requiredString(value: unknown, member: string): string {
  if (typeof value !== "string" || value === "")
    throw validationError(value, member, "Member must not be null");
  return value;
}

function functionSettings(body: Record<string, unknown>): {
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
  description?: string;
} {
  const settings: ReturnType<typeof functionSettings> = {};
  if (body.Timeout !== undefined) {
    const timeout = body.Timeout;
    if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > 900) {
      throw validationError(timeout, "timeout", "Member must have value between 1 and 900");
    }
    settings.timeout = timeout;
  }
  if (body.MemorySize !== undefined) {
    const memory = body.MemorySize;
    if (typeof memory !== "number" || !Number.isInteger(memory) || memory < 128 || memory > 10_240) {
      throw validationError(memory, "memorySize", "Member must have value between 128 and 10240");
    }
    settings.memorySize = memory;
  }
  const environment = (body.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
  if (environment !== undefined) {
    checkEnvironmentVariables(environment);
    settings.environment = { ...environment };
  }
  if (typeof body.Description === "string") settings.description = body.Description;
  return settings;
}

function applyMappingSettings(
  settings: { batchSize: number; maximumBatchingWindowInSeconds: number; reportBatchItemFailures: boolean },
  body: Record<string, unknown>,
  fifo: boolean,
): void {
  if (body.BatchSize !== undefined) {
    const size = body.BatchSize;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > 10_000) {
      throw validationError(size, "batchSize", "Member must have value between 1 and 10000");
    }
    settings.batchSize = size;
  }
  if (body.MaximumBatchingWindowInSeconds !== undefined) {
    const window = body.MaximumBatchingWindowInSeconds;
    if (typeof window !== "number" || !Number.isInteger(window) || window < 0 || window > 300) {
      throw validationError(
        window,
        "maximumBatchingWindowInSeconds",
        "Member must have value between 0 and 300",
      );
    }
    settings.maximumBatchingWindowInSeconds = window;
  }
  if (fifo && settings.batchSize > 10) {
    throw invalidParameter("Batch size for FIFO queues must be between 1 and 10.");
  }
  if (settings.batchSize > 10 && settings.maximumBatchingWindowInSeconds < 1) {
    throw invalidParameter(
      "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
    );
  }
  if (body.FunctionResponseTypes !== undefined) {
    const types = body.FunctionResponseTypes;
    if (!Array.isArray(types) || types.some((type) => type !== "ReportBatchItemFailures")) {
      throw validationError(
        types,
        "functionResponseTypes",
        "Member must satisfy enum value set: [ReportBatchItemFailures]",
      );
    }
    settings.reportBatchItemFailures = types.length > 0;
  }
}

function mappingResponse(mapping: SqsEventSourceMapping): Record<string, unknown> {
  const settings = mapping.settings;
  return {
    UUID: settings.uuid,
    BatchSize: settings.batchSize,
    MaximumBatchingWindowInSeconds: settings.maximumBatchingWindowInSeconds,
    EventSourceArn: settings.eventSourceArn,
    FunctionArn: settings.functionArn,
    LastModified: settings.lastModified,
    State: mapping.state,
    StateTransitionReason: "USER_INITIATED",
    FunctionResponseTypes: settings.reportBatchItemFailures ? ["ReportBatchItemFailures"] : [],
  };
}

/** X-Amz-Log-Result: base64 of the last 4 KB of the invocation's log. */
function logTail(logs: string): string {
  const bytes = Buffer.from(logs, "utf8");
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString("base64");
}

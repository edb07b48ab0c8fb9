import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import * as path from "node:path";
import {
  type Alias,
  aliasResponse,
  checkAliasName,
  newAlias,
  nullMember,
  parseRoutingConfig,
  pickAliasVersion,
} from "./aliases.js";
import {
  checkQualifierSyntax,
  functionArn,
  isVersionNumber,
  LATEST,
  LOCAL_ACCOUNT_ID,
  parseFunctionReference,
  parseValidArn,
} from "./arns.js";
import { AsyncInvocationQueue } from "./async-invocation-queue.js";
import { deliverDeadLetter } from "./dead-letter.js";
import { DestinationDelivery } from "./destination-delivery.js";
import { type DestinationInvocation, DestinationLog } from "./destination-log.js";
import {
  checkDestinationServices,
  type EventInvokeConfig,
  type EventInvokeConfigInput,
  eventInvokeConfigResponse,
  isEmptyEventInvokeConfigInput,
  mergeEventInvokeConfig,
  parseEventInvokeConfigInput,
  replaceEventInvokeConfig,
} from "./event-invoke-config.js";
import { applyMappingSettings, mappingResponse } from "./event-source-mapping-api.js";
import { extractFunctionCode } from "./function-code.js";
import {
  applyFunctionSettings,
  type ConfigurationPhase,
  parseFunctionSettings,
  renderConfiguration,
  type VersionConfig,
} from "./function-configuration.js";
import { checkEnvironmentVariables, functionEnvironment } from "./function-environment.js";
import type { InProcessAws } from "./in-process-aws.js";
import {
  invalidParameter,
  LambdaServiceError,
  requestTooLarge,
  resourceConflict,
  resourceNotFound,
  revisionMismatch,
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
import { type Runtimes, runtimeFamily } from "./runtimes.js";
import { type InvocationOutcome, Sandbox } from "./sandbox.js";
import { SandboxPool } from "./sandbox-pool.js";
import { MISSING_QUEUE_MESSAGE, SqsEventSourceMapping } from "./sqs-event-source-mapping.js";
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

/** $LATEST or a published version: its configuration and its own execution environments. */
interface FunctionVersion {
  version: string;
  config: VersionConfig;
  pool: SandboxPool;
}

interface LocalFunction {
  name: string;
  latest: FunctionVersion;
  /** Published versions by number. */
  versions: Map<string, FunctionVersion>;
  nextVersion: number;
  /** $LATEST's internalRevision when the last version was published (nothing new: no new version). */
  publishedRevision?: number;
  aliases: Map<string, Alias>;
  /** Event invoke configs by qualifier ($LATEST, a version number or an alias name). */
  eventInvokeConfigs: Map<string, EventInvokeConfig>;
  /** Async event queues by the qualifier they were invoked with. */
  queues: Map<string, AsyncInvocationQueue>;
  reservedConcurrency?: number;
  /** PutFunctionRecursionConfig: "Terminate" (AWS's default) stops recursive loops, "Allow" lets them run. */
  recursiveLoop: "Terminate" | "Allow";
  /** The function's key in a recursion lineage. */
  lineageKey: string;
}

/** A function found by a request: the function and the qualifier the request named (undefined: none). */
interface Found {
  fn: LocalFunction;
  qualifier?: string;
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

/** AWS's wording when a FunctionName is a qualified ARN where only a function will do (PutFunctionConcurrency). */
const UNQUALIFIED_ONLY =
  "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.";

/**
 * The local Lambda service: functions with their versions and aliases, their execution environments and async
 * queues, event invoke configs, reserved concurrency and SQS event source mappings. Methods take what the HTTP
 * layer parsed and return the API's response documents; they throw LambdaServiceError for anything AWS would
 * refuse, with AWS's error type and message (from its recorded responses, LocalStack's AWS-validated snapshots).
 */
export class LambdaService {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly mappings = new Map<string, SqsEventSourceMapping>();
  private readonly delivery: DestinationDelivery;
  private codeCounter = 0;

  /** Records sent to each function as its Lambda destination. */
  private readonly destinationLog = new DestinationLog();

  constructor(private readonly options: LambdaServiceOptions) {
    this.delivery = new DestinationDelivery(
      options.aws,
      (arn, payload, lineage) => {
        const requestId = this.invokeAsyncByArn(arn, payload, lineage);
        this.destinationLog.add(parseFunctionReference(arn).name, requestId, payload);
        return requestId;
      },
      options.logger,
      undefined,
      options.traceHeaders,
    );
  }

  /**
   * What the stack sent to a function as its Lambda destination, after a sequence number: AWS offers no way to
   * read another function's input, but the local stack knows it (`tail function:NAME` reads it here).
   */
  destinationInvocations(name: string, after: number): DestinationInvocation[] {
    const fn = this.functions.get(name);
    if (!fn) throw resourceNotFound(`Function not found: ${functionArn(this.region, name)}`);
    return this.destinationLog.after(fn.name, after);
  }

  get region(): string {
    return this.options.region;
  }

  // ---- functions ----------------------------------------------------------------------------------------

  async createFunction(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const name = createFunctionName(body.FunctionName);
    const settings = parseFunctionSettings(body);
    if (body.Role === undefined || body.Role === null) throw nullMember("role");
    if (this.functions.has(name)) {
      throw resourceConflict(`Function already exist: ${name}`);
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
        role: settings.role,
        timeout: settings.timeout,
        memorySize: settings.memorySize,
        environment: settings.environment,
        description: settings.description,
      });
      applyFunctionSettings(fn.latest.config, settings);
      const published = body.Publish === true ? this.publish(fn, undefined) : undefined;
      const answer = this.render(fn, published ?? fn.latest, "created", false);
      this.settle(fn);
      return answer;
    } catch (error) {
      // A refused function leaves nothing on disk (a concurrent CreateFunction of the same name included).
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
  }

  /** Registers a function whose code is already on disk (a folder given to `local --function`, or --init). */
  register(definition: FunctionDefinition): LocalFunction {
    if (this.functions.has(definition.name)) {
      throw resourceConflict(`Function already exist: ${definition.name}`);
    }
    const family = runtimeFamily(definition.runtime);
    if (definition.environment !== undefined) checkEnvironmentVariables(definition.environment);
    const config: VersionConfig = {
      runtime: definition.runtime,
      family,
      handler: definition.handler,
      role: definition.role ?? `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/lambda-role`,
      description: definition.description ?? "",
      timeout: definition.timeout ?? 3,
      memorySize: definition.memorySize ?? 128,
      environment: definition.environment === undefined ? undefined : { ...definition.environment },
      codeDirectory: definition.codeDirectory,
      codeSha256: definition.codeSha256,
      codeSize: definition.codeSize,
      lastModified: new Date(),
      revisionId: randomUUID(),
      architecture: "x86_64",
      ephemeralStorageSize: 512,
      tracingMode: "PassThrough",
      internalRevision: 0,
    };
    const fn: LocalFunction = {
      name: definition.name,
      latest: undefined as unknown as FunctionVersion,
      versions: new Map(),
      nextVersion: 1,
      aliases: new Map(),
      eventInvokeConfigs: new Map(),
      queues: new Map(),
      recursiveLoop: "Terminate",
      lineageKey: lineageKey(functionArn(this.region, definition.name)),
    };
    fn.latest = this.newVersion(fn, LATEST, config);
    this.functions.set(fn.name, fn);
    this.options.logger.info(`function ${fn.name} (${config.runtime}, ${config.handler}) ready`);
    return fn;
  }

  getFunction(reference: string, qualifier?: string): Record<string, unknown> {
    const found = this.lookup(reference, qualifier, { withDot: true });
    const { fn } = found;
    const version = this.versionOf(found);
    return {
      Configuration: this.render(fn, version, "settled", found.qualifier !== undefined, found.qualifier),
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
    const found = this.lookup(reference, qualifier);
    return this.render(
      found.fn,
      this.versionOf(found),
      "settled",
      found.qualifier !== undefined,
      found.qualifier,
    );
  }

  /** ListFunctions; FunctionVersion=ALL lists every version with its qualified ARN. */
  listFunctions(functionVersion?: string): Record<string, unknown> {
    if (functionVersion !== undefined && functionVersion !== "ALL") {
      throw validationError(functionVersion, "functionVersion", "Member must satisfy enum value set: [ALL]");
    }
    const all = functionVersion === "ALL";
    return {
      Functions: [...this.functions.values()].flatMap((fn) =>
        all
          ? this.allVersions(fn).map((version) => this.render(fn, version, "listed", true))
          : [this.render(fn, fn.latest, "listed", false)],
      ),
    };
  }

  async updateFunctionCode(
    reference: string,
    body: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const { fn } = this.lookup(reference, undefined, { unqualifiedName: true });
    checkRevision(body.RevisionId, fn.latest.config.revisionId);
    const settings = parseFunctionSettings({ Architectures: body.Architectures });
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
    const config = fn.latest.config;
    config.codeDirectory = extracted.directory;
    config.codeSha256 = extracted.sha256;
    config.codeSize = extracted.size;
    applyFunctionSettings(config, settings);
    this.touch(fn);
    const answer =
      body.Publish === true
        ? // The new version answers as a version being created (test_publish_with_update snapshot).
          this.render(fn, this.publish(fn, undefined), "created", true)
        : this.render(fn, fn.latest, "updated", false);
    this.settle(fn);
    return answer;
  }

  updateFunctionConfiguration(reference: string, body: Record<string, unknown>): Record<string, unknown> {
    const { fn } = this.lookup(reference, undefined, { unqualifiedName: true });
    checkRevision(body.RevisionId, fn.latest.config.revisionId);
    const settings = parseFunctionSettings(body);
    const config = fn.latest.config;
    if (typeof body.Runtime === "string") {
      config.family = runtimeFamily(body.Runtime);
      config.runtime = body.Runtime;
    }
    if (typeof body.Handler === "string") config.handler = body.Handler;
    applyFunctionSettings(config, settings);
    this.touch(fn);
    const answer = this.render(fn, fn.latest, "updated", false);
    this.settle(fn);
    return answer;
  }

  deleteFunction(reference: string, qualifier?: string): void {
    // $LATEST is refused before the function is looked up (test_ops_with_arn_qualifier_mismatch snapshot).
    if (this.parseReference(reference, qualifier).wanted === LATEST) {
      throw invalidParameter("$LATEST version cannot be deleted without deleting the function.");
    }
    const found = this.lookup(reference, qualifier, { unqualifiedNotFound: true });
    const { fn } = found;
    if (found.qualifier !== undefined) {
      // One published version goes (its environments, its event invoke config and queue with it).
      const version = fn.versions.get(found.qualifier);
      if (!version) return;
      // "You can't delete a version that an alias references" (Lambda API reference, DeleteFunction), in the
      // words of AWS's recorded answer: 409, "Unable to delete version because the following aliases reference
      // it: [live]". An alias's FunctionVersion is what counts, as for ListAliases's FunctionVersion filter.
      const referencing = [...fn.aliases.values()].filter(
        (alias) => alias.functionVersion === found.qualifier,
      );
      if (referencing.length > 0) {
        throw resourceConflict(
          `Unable to delete version because the following aliases reference it: [${referencing.map((alias) => alias.name).join(", ")}]`,
        );
      }
      version.pool.stop();
      fn.versions.delete(found.qualifier);
      fn.eventInvokeConfigs.delete(found.qualifier);
      fn.queues.get(found.qualifier)?.stop();
      fn.queues.delete(found.qualifier);
      return;
    }
    for (const queue of fn.queues.values()) queue.stop();
    for (const version of this.allVersions(fn)) version.pool.stop();
    this.functions.delete(fn.name);
    this.options.logger.info(`function ${fn.name} deleted`);
  }

  // ---- versions and aliases -----------------------------------------------------------------------------

  /**
   * PublishVersion: $LATEST's configuration and code frozen as the next version number, unless nothing changed
   * since the last one (then that one is returned, as on AWS). RevisionId and CodeSha256, when given, must be
   * $LATEST's.
   */
  publishVersion(reference: string, body: Record<string, unknown>): Record<string, unknown> {
    const { fn } = this.lookup(reference, undefined, { unqualifiedName: true });
    checkRevision(body.RevisionId, fn.latest.config.revisionId);
    if (typeof body.CodeSha256 === "string" && body.CodeSha256 !== fn.latest.config.codeSha256) {
      throw invalidParameter(
        `CodeSHA256 (${body.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.config.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    const description = typeof body.Description === "string" ? body.Description : undefined;
    return this.render(fn, this.publish(fn, description), "settled", true);
  }

  listVersionsByFunction(reference: string): Record<string, unknown> {
    const { fn } = this.lookup(reference, undefined, { unqualifiedName: true });
    return {
      Versions: this.allVersions(fn).map((version) => this.render(fn, version, "listed", true)),
    };
  }

  createAlias(reference: string, body: Record<string, unknown>): Record<string, unknown> {
    const name = checkAliasName(body.Name);
    const target = body.FunctionVersion;
    if (typeof target !== "string" || target === "") throw nullMember("functionVersion");
    const parsed = parseFunctionReference(reference);
    this.checkRegion(reference);
    const fn = this.functions.get(parsed.name);
    if (!fn) throw resourceNotFound(`Function not found: ${functionArn(this.region, parsed.name, target)}`);
    this.publishedVersion(fn, target);
    const existing = fn.aliases.get(name);
    if (existing) throw resourceConflict(`Alias already exists: ${this.aliasArn(fn, existing.name)}`);
    const weights = parseRoutingConfig(body.RoutingConfig, target, (version) =>
      this.publishedVersion(fn, version),
    );
    const description = typeof body.Description === "string" ? body.Description : "";
    const alias = newAlias(name, target, description, weights);
    fn.aliases.set(name, alias);
    return aliasResponse(alias, this.aliasArn(fn, name));
  }

  getAlias(reference: string, name: string): Record<string, unknown> {
    const { fn } = this.lookup(reference, undefined, { unqualifiedName: true });
    const alias = this.findAlias(fn, name);
    return aliasResponse(alias, this.aliasArn(fn, alias.name));
  }

  updateAlias(reference: string, name: string, body: Record<string, unknown>): Record<string, unknown> {
    const { fn } = this.lookup(reference, undefined, { unqualifiedName: true });
    const alias = this.findAlias(fn, name);
    checkRevision(body.RevisionId, alias.revisionId);
    const target = typeof body.FunctionVersion === "string" ? body.FunctionVersion : alias.functionVersion;
    this.publishedVersion(fn, target);
    const weights =
      body.RoutingConfig === undefined
        ? alias.weights
        : parseRoutingConfig(body.RoutingConfig, target, (version) => this.publishedVersion(fn, version));
    const updated: Alias = {
      ...alias,
      functionVersion: target,
      description: typeof body.Description === "string" ? body.Description : alias.description,
      weights,
      revisionId: randomUUID(),
    };
    fn.aliases.set(name, updated);
    return aliasResponse(updated, this.aliasArn(fn, name));
  }

  deleteAlias(reference: string, name: string): void {
    const { fn } = this.lookup(reference, undefined, { unqualifiedName: true });
    this.findAlias(fn, name);
    fn.aliases.delete(name);
    fn.eventInvokeConfigs.delete(name);
    fn.queues.get(name)?.stop();
    fn.queues.delete(name);
  }

  listAliases(reference: string, functionVersion?: string): Record<string, unknown> {
    const { fn } = this.lookup(reference, undefined, { unqualifiedName: true });
    return {
      Aliases: [...fn.aliases.values()]
        .filter((alias) => functionVersion === undefined || alias.functionVersion === functionVersion)
        .map((alias) => aliasResponse(alias, this.aliasArn(fn, alias.name))),
    };
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
    // Invoke names the version it looked for: "Function not found: …:function:NAME:$LATEST" (AWS's answer).
    const found = this.lookup(reference, qualifier, { withDot: true, invoke: true });
    const { fn } = found;
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
      this.queueOf(fn, found.qualifier ?? LATEST).enqueue(requestId, payload, lineage);
      return { statusCode: 202, headers: { "x-amzn-RequestId": requestId }, body: "" };
    }
    if (this.stopsRecursion(fn, lineage, "synchronous invocation")) {
      throw new LambdaServiceError(
        "RecursiveInvocationException",
        "Lambda has detected your function being invoked in a recursive loop with other AWS resources and stopped your function's invocation.",
        400,
      );
    }
    if (fn.reservedConcurrency === 0) {
      throw new LambdaServiceError("TooManyRequestsException", "Rate Exceeded.", 429, {
        retryAfterSeconds: "",
        Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      });
    }
    const version = this.versionToRun(found);
    const outcome = await this.run(fn, version, requestId, payload, lineage, this.invokedArn(found));
    const headers: Record<string, string> = {
      "x-amzn-RequestId": requestId,
      "X-Amz-Executed-Version": version.version,
      "content-type": "application/json",
    };
    if (outcome.functionError) headers["X-Amz-Function-Error"] = outcome.functionError;
    if (logType === "Tail") headers["X-Amz-Log-Result"] = logTail(outcome.logs);
    return { statusCode: 200, headers, body: outcome.payload };
  }

  /** A synchronous invocation from inside the stack (the SQS poller); the name may carry a qualifier. */
  invokeSync(
    functionName: string,
    payload: string,
    lineage: Lineage = EMPTY_LINEAGE,
  ): Promise<InvocationOutcome> {
    const found = this.lookup(functionName, undefined, { invoke: true });
    return this.run(
      found.fn,
      this.versionToRun(found),
      randomUUID(),
      payload,
      lineage,
      this.invokedArn(found),
    );
  }

  /** An asynchronous invocation from inside the stack (a Lambda destination). */
  invokeAsyncByArn(arn: string, payload: string, lineage: Lineage = EMPTY_LINEAGE): string {
    const found = this.lookup(arn, undefined, { invoke: true });
    this.versionOf(found);
    const requestId = randomUUID();
    this.queueOf(found.fn, found.qualifier ?? LATEST).enqueue(requestId, payload, lineage);
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
  // Messages and their order as AWS answers (LocalStack's AWS-validated test_lambda_api snapshots): no
  // settings at all is refused before anything is looked up; a function, version or alias that does not exist
  // is "The function doesn't exist." for Put and Update, and "The function ARN doesn't have an
  // EventInvokeConfig" for Get and Delete, as is a configuration that does not exist.

  putEventInvokeConfig(reference: string, qualifier: string | undefined, body: Record<string, unknown>) {
    const input = parseEventInvokeConfigInput(body);
    if (isEmptyEventInvokeConfigInput(input)) {
      throw invalidParameter("You must specify at least one of error handling or destination setting.");
    }
    const { fn, key } = this.eventInvokeTarget(reference, qualifier);
    this.checkDestinations(fn, input);
    const config = replaceEventInvokeConfig(input, new Date());
    fn.eventInvokeConfigs.set(key, config);
    this.warnFifoDestinations(fn, config);
    return eventInvokeConfigResponse(config, functionArn(this.region, fn.name, key));
  }

  updateEventInvokeConfig(reference: string, qualifier: string | undefined, body: Record<string, unknown>) {
    const input = parseEventInvokeConfigInput(body);
    if (isEmptyEventInvokeConfigInput(input)) {
      throw invalidParameter("You must specify at least one of error handling or destination setting.");
    }
    const { fn, key } = this.eventInvokeTarget(reference, qualifier);
    const existing = fn.eventInvokeConfigs.get(key);
    if (!existing) {
      throw resourceNotFound(
        `The function ${functionArn(this.region, fn.name, key)} doesn't have an EventInvokeConfig`,
      );
    }
    this.checkDestinations(fn, input);
    const config = mergeEventInvokeConfig(existing, input, new Date());
    fn.eventInvokeConfigs.set(key, config);
    this.warnFifoDestinations(fn, config);
    return eventInvokeConfigResponse(config, functionArn(this.region, fn.name, key));
  }

  getEventInvokeConfig(reference: string, qualifier?: string): Record<string, unknown> {
    const { name, key, config } = this.existingEventInvokeConfig(reference, qualifier);
    return eventInvokeConfigResponse(config, functionArn(this.region, name, key));
  }

  deleteEventInvokeConfig(reference: string, qualifier?: string): void {
    const { name, key } = this.existingEventInvokeConfig(reference, qualifier);
    this.functions.get(name)?.eventInvokeConfigs.delete(key);
  }

  listEventInvokeConfigs(reference: string): Record<string, unknown> {
    const parsed = parseFunctionReference(reference);
    this.checkRegion(reference);
    const fn = this.functions.get(parsed.name);
    if (!fn) throw resourceNotFound("The function doesn't exist.");
    return {
      FunctionEventInvokeConfigs: [...fn.eventInvokeConfigs.entries()].map(([key, config]) =>
        eventInvokeConfigResponse(config, functionArn(this.region, fn.name, key)),
      ),
    };
  }

  /** Put/Update's target: an existing function, version or alias, else "The function doesn't exist.". */
  private eventInvokeTarget(
    reference: string,
    qualifier: string | undefined,
  ): { fn: LocalFunction; key: string } {
    const { name, wanted } = this.parseReference(reference, qualifier);
    const fn = this.functions.get(name);
    const key = wanted ?? LATEST;
    if (!fn || !(key === LATEST || fn.versions.has(key) || fn.aliases.has(key))) {
      throw resourceNotFound("The function doesn't exist.");
    }
    return { fn, key };
  }

  private existingEventInvokeConfig(reference: string, qualifier: string | undefined) {
    const { name, wanted } = this.parseReference(reference, qualifier);
    const key = wanted ?? LATEST;
    const config = this.functions.get(name)?.eventInvokeConfigs.get(key);
    if (!config) {
      throw resourceNotFound(
        `The function ${functionArn(this.region, name, key)} doesn't have an EventInvokeConfig`,
      );
    }
    return { name, key, config };
  }

  /**
   * The destinations AWS refuses once the function is known: services it does not deliver to, a Lambda
   * destination that does not exist ("The destination ARN … is invalid.") or that is the function itself.
   */
  private checkDestinations(fn: LocalFunction, input: EventInvokeConfigInput): void {
    checkDestinationServices(input);
    for (const destination of [input.onSuccess, input.onFailure]) {
      const arn = destination ? parseValidArn(destination) : undefined;
      if (!destination || arn?.service !== "lambda") continue;
      const name = arn.resource.slice("function:".length).split(":")[0]!;
      if (!this.functions.has(name)) throw invalidParameter(`The destination ARN ${destination} is invalid.`);
      if (name === fn.name) {
        throw invalidParameter("You can't specify the function as a destination for itself.");
      }
    }
  }

  // ---- concurrency --------------------------------------------------------------------------------------

  putFunctionConcurrency(reference: string, body: Record<string, unknown>): Record<string, unknown> {
    const value = body.ReservedConcurrentExecutions;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw nullMember("reservedConcurrentExecutions");
    }
    if (value < 0) {
      throw validationError(
        value,
        "reservedConcurrentExecutions",
        "Member must have value greater than or equal to 0",
      );
    }
    const parsed = parseFunctionReference(reference);
    this.checkRegion(reference);
    if (parsed.qualifier !== undefined) throw invalidParameter(UNQUALIFIED_ONLY);
    const fn = this.functions.get(parsed.name);
    if (!fn) throw resourceNotFound(`Function not found: ${functionArn(this.region, parsed.name, LATEST)}`);
    fn.reservedConcurrency = value;
    for (const version of this.allVersions(fn)) version.pool.setMaxSize(this.poolSize(value));
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
    for (const version of this.allVersions(fn)) version.pool.setMaxSize(this.poolSize(undefined));
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
    const target = this.mappingTarget(requiredString(body.FunctionName, "functionName"));
    const fn = target.fn;
    try {
      await this.options.aws.queueUrl(sourceArn);
    } catch {
      throw invalidParameter(MISSING_QUEUE_MESSAGE);
    }
    for (const existing of this.mappings.values()) {
      if (
        existing.settings.eventSourceArn === sourceArn &&
        existing.settings.functionArn === target.functionArn
      ) {
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
      functionName: target.functionName,
      functionArn: target.functionArn,
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
        .filter((mapping) => name === undefined || mapping.settings.functionName.split(":")[0] === name)
        .map(mappingResponse),
    };
  }

  updateEventSourceMapping(uuid: string, body: Record<string, unknown>): Record<string, unknown> {
    const mapping = this.findMapping(uuid);
    const next = { ...mapping.settings };
    if (typeof body.FunctionName === "string") {
      const target = this.mappingTarget(body.FunctionName);
      next.functionName = target.functionName;
      next.functionArn = target.functionArn;
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
      for (const queue of fn.queues.values()) queue.stop();
      for (const version of this.allVersions(fn)) version.pool.stop();
    }
    this.mappings.clear();
    this.functions.clear();
    await rm(this.options.workDirectory, { recursive: true, force: true });
  }

  // ---- internals ----------------------------------------------------------------------------------------

  /**
   * An event source mapping's function: a function, version or alias (which must exist); the poller invokes
   * `functionName` (NAME or NAME:QUALIFIER) and the mapping shows the ARN as given, qualified or not.
   */
  private mappingTarget(reference: string): { fn: LocalFunction; functionName: string; functionArn: string } {
    const found = this.lookup(reference, undefined);
    if (found.qualifier !== undefined) this.versionOf(found);
    return {
      fn: found.fn,
      functionName: found.qualifier === undefined ? found.fn.name : `${found.fn.name}:${found.qualifier}`,
      functionArn: functionArn(this.region, found.fn.name, found.qualifier),
    };
  }

  /** The function a reference names, whatever its qualifier (concurrency, recursion config, mappings). */
  private find(reference: string): LocalFunction {
    return this.lookup(reference, undefined, { unqualifiedName: true }).fn;
  }

  /** A FunctionName and Qualifier checked as the request-validation layer checks them. */
  private parseReference(
    reference: string,
    qualifier: string | undefined,
    withDot = false,
  ): { name: string; wanted?: string } {
    const parsed = parseFunctionReference(reference, withDot);
    this.checkRegion(reference);
    const given = qualifier === "" ? undefined : qualifier;
    checkQualifierSyntax(given);
    if (parsed.qualifier !== undefined && given !== undefined && parsed.qualifier !== given) {
      throw invalidParameter(
        "The derived qualifier from the function name does not match the specified qualifier.",
      );
    }
    return { name: parsed.name, wanted: given ?? parsed.qualifier };
  }

  /** An ARN of another region: AWS's answer (test_get_function_wrong_region snapshots). */
  private checkRegion(reference: string): void {
    const region = reference.startsWith("arn:") ? parseValidArn(reference)?.region : undefined;
    if (region !== undefined && region !== "" && region !== this.region) {
      throw resourceNotFound(
        `Functions from '${region}' are not reachable in this region ('${this.region}')`,
      );
    }
  }

  /**
   * The function a request names, or AWS's "Function not found: ARN" (qualified when a qualifier was named;
   * Invoke's always is, with $LATEST by default). `unqualifiedName` ignores a qualifier in the name.
   */
  private lookup(
    reference: string,
    qualifier: string | undefined,
    how: {
      withDot?: boolean;
      invoke?: boolean;
      unqualifiedName?: boolean;
      unqualifiedNotFound?: boolean;
    } = {},
  ): Found {
    const { name, wanted } = this.parseReference(reference, qualifier, how.withDot);
    const fn = this.functions.get(name);
    if (!fn) {
      const shown =
        how.unqualifiedName || how.unqualifiedNotFound ? undefined : how.invoke ? (wanted ?? LATEST) : wanted;
      throw resourceNotFound(`Function not found: ${functionArn(this.region, name, shown)}`);
    }
    return { fn, qualifier: how.unqualifiedName ? undefined : wanted };
  }

  /** The version a found qualifier stands for (an alias: its main version), or "Function not found: ARN". */
  private versionOf(found: Found): FunctionVersion {
    const { fn, qualifier } = found;
    if (qualifier === undefined || qualifier === LATEST) return fn.latest;
    const alias = fn.aliases.get(qualifier);
    const version = fn.versions.get(alias ? alias.functionVersion : qualifier);
    if (alias && alias.functionVersion === LATEST) return fn.latest;
    if (!version)
      throw resourceNotFound(`Function not found: ${functionArn(this.region, fn.name, qualifier)}`);
    return version;
  }

  /** The version an invocation runs: an alias shares its calls out by its routing weights. */
  private versionToRun(found: Found): FunctionVersion {
    const resolved = this.versionOf(found);
    const alias = found.qualifier === undefined ? undefined : found.fn.aliases.get(found.qualifier);
    if (!alias?.weights) return resolved;
    const picked = pickAliasVersion(alias);
    return picked === LATEST ? found.fn.latest : (found.fn.versions.get(picked) ?? resolved);
  }

  /** A version named by CreateAlias/UpdateAlias ($LATEST or a published number), else not found. */
  private publishedVersion(fn: LocalFunction, version: string): FunctionVersion {
    if (version === LATEST) return fn.latest;
    const found = isVersionNumber(version) ? fn.versions.get(version) : undefined;
    if (!found) throw resourceNotFound(`Function not found: ${functionArn(this.region, fn.name, version)}`);
    return found;
  }

  private findAlias(fn: LocalFunction, name: string): Alias {
    const alias = fn.aliases.get(name);
    if (!alias) throw resourceNotFound(`Cannot find alias arn: ${this.aliasArn(fn, name)}`);
    return alias;
  }

  private aliasArn(fn: LocalFunction, name: string): string {
    return functionArn(this.region, fn.name, name);
  }

  /** The ARN the caller invoked with, as the function's context sees it (qualified only when it was). */
  private invokedArn(found: Found): string {
    return functionArn(this.region, found.fn.name, found.qualifier);
  }

  private allVersions(fn: LocalFunction): FunctionVersion[] {
    return [fn.latest, ...fn.versions.values()];
  }

  private newVersion(fn: LocalFunction, version: string, config: VersionConfig): FunctionVersion {
    const created: FunctionVersion = {
      version,
      config,
      pool: new SandboxPool(() => this.startSandbox(fn, created), this.poolSize(fn.reservedConcurrency)),
    };
    return created;
  }

  /** Execution environments a version may run at once under the function's reserved concurrency. */
  private poolSize(reserved: number | undefined): number {
    if (reserved === undefined) return this.options.maxConcurrencyPerFunction;
    return reserved === 0 ? 1 : Math.min(reserved, this.options.maxConcurrencyPerFunction);
  }

  /** Freezes $LATEST as the next version, unless it has not changed since the last one. */
  private publish(fn: LocalFunction, description: string | undefined): FunctionVersion {
    const latest = fn.latest.config;
    if (fn.publishedRevision === latest.internalRevision) {
      const last = fn.versions.get(String(fn.nextVersion - 1));
      if (last) return last;
    }
    const number = String(fn.nextVersion);
    fn.nextVersion += 1;
    fn.publishedRevision = latest.internalRevision;
    const config: VersionConfig = {
      ...latest,
      environment: latest.environment === undefined ? undefined : { ...latest.environment },
      description: description ?? latest.description,
      revisionId: randomUUID(),
    };
    const version = this.newVersion(fn, number, config);
    fn.versions.set(number, version);
    return version;
  }

  /** The async queue of one qualifier as invoked: its event invoke config, records and dead letters. */
  private queueOf(fn: LocalFunction, key: string): AsyncInvocationQueue {
    const existing = fn.queues.get(key);
    if (existing) return existing;
    const found: Found = { fn, qualifier: key === LATEST ? undefined : key };
    const queue = new AsyncInvocationQueue(
      {
        name: fn.name,
        qualifiedArn: functionArn(this.region, fn.name, key),
        eventInvokeConfig: () => fn.eventInvokeConfigs.get(key),
        deadLetterTarget: () => {
          try {
            return this.versionOf(found).config.deadLetterArn;
          } catch {
            return undefined;
          }
        },
        sendDeadLetter: (letter, lineage) =>
          deliverDeadLetter(
            this.options.aws,
            this.options.logger,
            { ...letter, functionName: fn.name },
            lineage,
          ),
        reservedConcurrency: () => fn.reservedConcurrency,
        lineageKey: fn.lineageKey,
        recursionStopped: (lineage) => this.stopsRecursion(fn, lineage, "asynchronous event"),
        invoke: async (requestId, payload, lineage) => {
          const version = this.versionToRun(found);
          const outcome = await this.run(fn, version, requestId, payload, lineage, this.invokedArn(found));
          return { outcome, executedVersion: version.version };
        },
      },
      {
        delivery: this.delivery,
        logger: this.options.logger,
        timeScale: this.options.timeScale,
        concurrency: this.options.maxConcurrencyPerFunction,
      },
    );
    fn.queues.set(key, queue);
    return queue;
  }

  private findMapping(uuid: string): SqsEventSourceMapping {
    const mapping = this.mappings.get(uuid);
    if (!mapping)
      throw resourceNotFound(`The resource you requested does not exist. (Service: Lambda, UUID: ${uuid})`);
    return mapping;
  }

  private run(
    fn: LocalFunction,
    version: FunctionVersion,
    requestId: string,
    payload: string,
    lineage: Lineage,
    invokedFunctionArn: string,
  ): Promise<InvocationOutcome> {
    return version.pool.invoke({
      requestId,
      payload,
      invokedFunctionArn,
      traceId: traceHeader(withInvocation(lineage, fn.lineageKey)),
    });
  }

  private async startSandbox(fn: LocalFunction, version: FunctionVersion): Promise<Sandbox> {
    const config = version.config;
    return Sandbox.start(
      {
        functionName: fn.name,
        command: this.options.runtimes.command(config.runtime),
        environment: functionEnvironment(
          {
            name: fn.name,
            runtime: config.runtime,
            family: config.family,
            handler: config.handler,
            memorySize: config.memorySize,
            codeDirectory: config.codeDirectory,
            variables: config.environment ?? {},
          },
          {
            region: this.region,
            endpoint: this.options.endpoint,
            runtimeDirectory: this.options.runtimes.runtimeDirectory,
            sharedNodeModules: this.options.sharedNodeModules,
            path: process.env.PATH,
          },
        ),
        codeDirectory: config.codeDirectory,
        timeoutSeconds: config.timeout,
        memorySize: config.memorySize,
        version: version.version,
      },
      this.options.logger,
    );
  }

  /**
   * A version's configuration as the API returns it. `qualified`: the ARN carries the qualifier asked for (an
   * alias's own name for an alias), as GetFunction with a Qualifier and the version operations answer.
   */
  private render(
    fn: LocalFunction,
    version: FunctionVersion,
    phase: ConfigurationPhase,
    qualified: boolean,
    asked?: string,
  ): Record<string, unknown> {
    const arn = qualified
      ? functionArn(this.region, fn.name, asked ?? version.version)
      : functionArn(this.region, fn.name);
    return renderConfiguration(fn.name, arn, version.version, version.config, this.region, phase);
  }

  /** $LATEST changed: new RevisionId and LastModified; warm environments run the old code, so they retire. */
  private touch(fn: LocalFunction): void {
    const config = fn.latest.config;
    config.lastModified = new Date();
    config.revisionId = randomUUID();
    config.internalRevision += 1;
    fn.latest.pool.reset();
  }

  /**
   * Create and update answer while the change is still in progress (Pending, InProgress); when it completes,
   * $LATEST's RevisionId changes once more, as AWS's recorded responses show (create "<uuid:1>", the next
   * GetFunction "<uuid:2>"; update "<uuid:3>", the next GetFunction "<uuid:4>"). Here it completes at once.
   */
  private settle(fn: LocalFunction): void {
    fn.latest.config.revisionId = randomUUID();
  }

  private async newCodeDirectory(name: string): Promise<string> {
    this.codeCounter += 1;
    const directory = path.join(this.options.workDirectory, "functions", `${name}-${this.codeCounter}`);
    await mkdir(directory, { recursive: true });
    return directory;
  }

  /** A FIFO destination is accepted, as AWS accepts it; the log says what becomes of its records. */
  private warnFifoDestinations(fn: LocalFunction, config: EventInvokeConfig): void {
    for (const destination of [config.onSuccess, config.onFailure]) {
      const arn = destination ? parseValidArn(destination) : undefined;
      if ((arn?.service === "sqs" || arn?.service === "sns") && arn.resource.endsWith(".fifo")) {
        this.options.logger.warn(
          `${fn.name}: destination ${destination} is FIFO: AWS accepts it and then fails every delivery to it, and so does the local stack`,
        );
      }
    }
  }
}

/** CreateFunction's FunctionName: a name (64 characters at most) or an unqualified ARN, as AWS refuses others. */
function createFunctionName(value: unknown): string {
  if (typeof value !== "string" || value === "") throw nullMember("functionName");
  const reference = (() => {
    try {
      return parseFunctionReference(value);
    } catch {
      return undefined;
    }
  })();
  if (!reference || reference.qualifier !== undefined) {
    throw validationError(
      value,
      "functionName",
      "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
    );
  }
  if (reference.name.length > 64) {
    throw invalidParameter(
      `1 validation error detected: Value '${reference.name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  }
  return reference.name;
}

/** A RevisionId given with an update must be the current one (PreconditionFailedException otherwise). */
function checkRevision(given: unknown, current: string): void {
  if (typeof given === "string" && given !== "" && given !== current) throw revisionMismatch();
}

function requiredString(value: unknown, member: string): string {
  if (typeof value !== "string" || value === "") throw nullMember(member);
  return value;
}

/** X-Amz-Log-Result: base64 of the last 4 KB of the invocation's log. */
function logTail(logs: string): string {
  const bytes = Buffer.from(logs, "utf8");
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString("base64");
}

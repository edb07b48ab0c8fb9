/** Lambda operations the commands need, each call's errors translated next to it. */
import {
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { parseArn } from "../arn.js";
import { AwsOperationError } from "../errors.js";
import type { AwsClients } from "./clients.js";
import { type AwsCall, awsCall } from "./errors.js";
import type { FunctionTarget } from "./targets.js";

/** The longest a function may run (its Timeout setting is at most 900 seconds). */
const LAMBDA_MAX_TIMEOUT_MS = 900_000;

export interface DestinationConfig {
  functionArn?: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
}

export interface InvokeOutcome {
  requestId: string;
  statusCode: number;
  functionError?: string;
  executedVersion?: string;
  payload?: Uint8Array;
  logResult?: string;
}

export class LambdaOperations {
  readonly client: LambdaClient;
  readonly #clients: AwsClients;
  readonly #region?: string;

  private constructor(client: LambdaClient, clients: AwsClients, region?: string) {
    this.client = client;
    this.#clients = clients;
    this.#region = region;
  }

  static async create(clients: AwsClients): Promise<LambdaOperations> {
    return new LambdaOperations(await clients.lambda(), clients, clients.settings("lambda").region);
  }

  call(action: string, resource?: string, waitMs = 0): AwsCall {
    return {
      action: `lambda:${action}`,
      resource,
      endpoint: this.#clients.endpointLabel("lambda"),
      region: this.#region,
      answerWithinMs: this.#clients.requestTimeoutMs + waitMs,
    };
  }

  /**
   * The event invoke config of exactly this qualifier (destinations are per function, version or alias), or
   * undefined when none is set. A missing function is an error.
   */
  async eventInvokeConfig(
    target: FunctionTarget,
    qualifier: string | undefined,
    signal?: AbortSignal,
  ): Promise<DestinationConfig | undefined> {
    const label = `function ${describeFunction(target, qualifier)}`;
    try {
      const output = await awsCall(
        this.call("GetFunctionEventInvokeConfig", label),
        (options) =>
          this.client.send(
            new GetFunctionEventInvokeConfigCommand({
              FunctionName: target.functionName,
              Qualifier: target.qualifier ? undefined : qualifier,
            }),
            options,
          ),
        signal,
      );
      return {
        functionArn: output.FunctionArn,
        maximumRetryAttempts: output.MaximumRetryAttempts,
        maximumEventAgeInSeconds: output.MaximumEventAgeInSeconds,
        onSuccess: output.DestinationConfig?.OnSuccess?.Destination || undefined,
        onFailure: output.DestinationConfig?.OnFailure?.Destination || undefined,
      };
    } catch (error) {
      // "The function X doesn't have an EventInvokeConfig" is not-found too; a missing function is not.
      const noConfig =
        error instanceof AwsOperationError &&
        error.reason === "not-found" &&
        /EventInvokeConfig/i.test(error.serviceMessage ?? "");
      if (noConfig) return undefined;
      throw error;
    }
  }

  /**
   * The function's dead-letter queue or topic (DeadLetterConfig.TargetArn of this version or $LATEST), or
   * undefined when none is set.
   */
  async deadLetterTarget(
    target: FunctionTarget,
    qualifier: string | undefined,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const label = `function ${describeFunction(target, qualifier)}`;
    const output = await awsCall(
      this.call("GetFunctionConfiguration", label),
      (options) =>
        this.client.send(
          new GetFunctionConfigurationCommand({
            FunctionName: target.functionName,
            Qualifier: target.qualifier ? undefined : qualifier,
          }),
          options,
        ),
      signal,
    );
    return output.DeadLetterConfig?.TargetArn || undefined;
  }

  async invoke(
    target: FunctionTarget,
    qualifier: string | undefined,
    payload: Uint8Array,
    type: "Event" | "RequestResponse",
    signal?: AbortSignal,
  ): Promise<InvokeOutcome> {
    const label = `function ${describeFunction(target, qualifier)}`;
    // A synchronous invoke answers when the function returns: up to its timeout, at most 900 s. It is tried
    // once: a second try of one that is still running would run the function twice.
    const call =
      type === "RequestResponse"
        ? { ...this.call("InvokeFunction", label, LAMBDA_MAX_TIMEOUT_MS), attemptsWithoutAnswer: 1 }
        : this.call("InvokeFunction", label);
    const output: InvokeCommandOutput = await awsCall(
      call,
      (options) =>
        this.client.send(
          new InvokeCommand({
            FunctionName: target.functionName,
            Qualifier: target.qualifier ? undefined : qualifier,
            InvocationType: type,
            LogType: type === "RequestResponse" ? "Tail" : undefined,
            Payload: payload,
          }),
          options,
        ),
      signal,
    );
    return {
      requestId: output.$metadata.requestId ?? "",
      statusCode: output.StatusCode ?? 0,
      functionError: output.FunctionError,
      executedVersion: output.ExecutedVersion,
      payload: output.Payload,
      logResult: output.LogResult,
    };
  }
}

export function describeFunction(target: FunctionTarget, qualifier: string | undefined): string {
  const effective = target.qualifier ?? qualifier;
  return effective ? `${target.name}:${effective}` : target.name;
}

/** What kind of destination an ARN names, for messages and for deciding whether it can be tailed. */
export function destinationType(arn: string): "sqs" | "sns" | "lambda" | "eventbridge" | "s3" | "unknown" {
  const parsed = parseArn(arn);
  switch (parsed?.service) {
    case "sqs":
      return "sqs";
    case "sns":
      return "sns";
    case "lambda":
      return "lambda";
    case "events":
      return "eventbridge";
    case "s3":
      return "s3";
    default:
      return "unknown";
  }
}

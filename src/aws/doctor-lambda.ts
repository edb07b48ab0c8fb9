/** The Lambda reads `doctor` makes (all read-only), each call's errors translated next to it. */
import {
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListAliasesCommand,
  ListEventSourceMappingsCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { parseFunctionArn } from "../arn.js";
import { type AwsClients, awsCliOptions } from "./clients.js";
import { type AwsCall, awsCall } from "./errors.js";

export interface FunctionFacts {
  name: string;
  arn: string;
  role?: string;
  deadLetterTarget?: string;
}

/** One event invoke config: of the unqualified function (qualifier undefined), a version or an alias. */
export interface InvokeConfigFacts {
  qualifier?: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
}

export interface AliasFacts {
  name: string;
  functionVersion: string;
}

export interface MappingFacts {
  uuid: string;
  eventSourceArn?: string;
  state?: string;
  onFailure?: string;
}

/** Safety net for a server that keeps answering with a next page. */
const MAX_PAGES = 1_000;

export class DoctorLambdaReads {
  readonly #client: LambdaClient;
  readonly #clients: AwsClients;

  private constructor(client: LambdaClient, clients: AwsClients) {
    this.#client = client;
    this.#clients = clients;
  }

  static async create(clients: AwsClients): Promise<DoctorLambdaReads> {
    return new DoctorLambdaReads(await clients.lambda(), clients);
  }

  /** The AWS CLI options that reach the same endpoint, region and profile, for the fixes doctor prints. */
  cliOptions(): string {
    return awsCliOptions(this.#clients.settings("lambda"));
  }

  get region(): string | undefined {
    return this.#clients.settings("lambda").region;
  }

  #call(action: string, resource?: string): AwsCall {
    return {
      action: `lambda:${action}`,
      resource,
      endpoint: this.#clients.endpointLabel("lambda"),
      region: this.#clients.settings("lambda").region,
      answerWithinMs: this.#clients.requestTimeoutMs,
    };
  }

  async functionConfiguration(name: string, qualifier?: string): Promise<FunctionFacts> {
    const output = await awsCall(this.#call("GetFunctionConfiguration", `function ${name}`), (options) =>
      this.#client.send(
        new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: qualifier }),
        options,
      ),
    );
    return {
      name: output.FunctionName ?? name,
      arn: output.FunctionArn ?? "",
      role: output.Role || undefined,
      deadLetterTarget: output.DeadLetterConfig?.TargetArn || undefined,
    };
  }

  /** Every event invoke config of the function, its versions and aliases. */
  async eventInvokeConfigs(name: string): Promise<InvokeConfigFacts[]> {
    const result: InvokeConfigFacts[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const output = await awsCall(
        this.#call("ListFunctionEventInvokeConfigs", `function ${name}`),
        (options) =>
          this.#client.send(
            new ListFunctionEventInvokeConfigsCommand({ FunctionName: name, Marker: marker }),
            options,
          ),
      );
      for (const config of output.FunctionEventInvokeConfigs ?? []) {
        const qualifier = parseFunctionArn(config.FunctionArn)?.qualifier;
        result.push({
          qualifier: qualifier === "$LATEST" ? undefined : qualifier,
          maximumRetryAttempts: config.MaximumRetryAttempts,
          maximumEventAgeInSeconds: config.MaximumEventAgeInSeconds,
          onSuccess: config.DestinationConfig?.OnSuccess?.Destination || undefined,
          onFailure: config.DestinationConfig?.OnFailure?.Destination || undefined,
        });
      }
      marker = output.NextMarker;
      if (!marker) break;
    }
    return result;
  }

  async aliases(name: string): Promise<AliasFacts[]> {
    const result: AliasFacts[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const output = await awsCall(this.#call("ListAliases", `function ${name}`), (options) =>
        this.#client.send(new ListAliasesCommand({ FunctionName: name, Marker: marker }), options),
      );
      for (const alias of output.Aliases ?? []) {
        if (alias.Name) result.push({ name: alias.Name, functionVersion: alias.FunctionVersion ?? "" });
      }
      marker = output.NextMarker;
      if (!marker) break;
    }
    return result;
  }

  /** The function's reserved concurrency, or undefined when none is reserved. */
  async reservedConcurrency(name: string): Promise<number | undefined> {
    const output = await awsCall(this.#call("GetFunctionConcurrency", `function ${name}`), (options) =>
      this.#client.send(new GetFunctionConcurrencyCommand({ FunctionName: name }), options),
    );
    return output.ReservedConcurrentExecutions ?? undefined;
  }

  async eventSourceMappings(name: string): Promise<MappingFacts[]> {
    const result: MappingFacts[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const output = await awsCall(this.#call("ListEventSourceMappings", `function ${name}`), (options) =>
        this.#client.send(
          new ListEventSourceMappingsCommand({ FunctionName: name, Marker: marker }),
          options,
        ),
      );
      for (const mapping of output.EventSourceMappings ?? []) {
        result.push({
          uuid: mapping.UUID ?? "",
          eventSourceArn: mapping.EventSourceArn,
          state: mapping.State,
          onFailure: mapping.DestinationConfig?.OnFailure?.Destination || undefined,
        });
      }
      marker = output.NextMarker;
      if (!marker) break;
    }
    return result;
  }

  /** The names of every function in the region (`doctor --all`). */
  async functionNames(): Promise<string[]> {
    const result: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const output = await awsCall(this.#call("ListFunctions", "functions"), (options) =>
        this.#client.send(new ListFunctionsCommand({ Marker: marker }), options),
      );
      for (const fn of output.Functions ?? []) if (fn.FunctionName) result.push(fn.FunctionName);
      marker = output.NextMarker;
      if (!marker) break;
    }
    return result;
  }
}

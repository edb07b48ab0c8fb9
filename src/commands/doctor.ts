/**
 * `doctor [FUNCTION...]`: why destination records would not arrive. Reads only; every fact it states about
 * AWS is quoted from AWS's documentation in test/integration/aws/doctor.test.ts. This module walks each
 * function and qualifier; the checks live by subject in doctor-destinations.ts, doctor-permissions.ts,
 * doctor-invocation-paths.ts, doctor-concurrency.ts and doctor-delivery-failures.ts.
 */
import { type AwsClients, withClients } from "../aws/clients.js";
import type { FunctionFacts } from "../aws/doctor-lambda.js";
import { AwsOperationError, UsageError } from "../errors.js";
import { type CommandContext, note } from "../io.js";
import { printableJson } from "../printable.js";
import type { DoctorCheck, DoctorDocument, DoctorFunctionReport } from "../render/doctor.js";
import { concurrencyCheck, retriesCheck } from "./doctor-concurrency.js";
import { type DoctorContext, isFatal, readOrUnknown, shellWord } from "./doctor-context.js";
import { DeliveryFailuresCheck } from "./doctor-delivery-failures.js";
import {
  deadLetterCheck,
  destinationChecks,
  destinationsConfiguredChecks,
  type Side,
} from "./doctor-destinations.js";
import { eventSourceChecks, qualifiersCheck } from "./doctor-invocation-paths.js";

export { permissionVerdict } from "./doctor-permissions.js";

export interface DoctorOptions {
  functions: string[];
  all: boolean;
  qualifier?: string;
}

export async function runDoctor(options: DoctorOptions, context: CommandContext): Promise<number> {
  if (options.all && options.functions.length > 0) {
    throw new UsageError("give function names or --all, not both");
  }
  if (!options.all && options.functions.length === 0) {
    throw new UsageError("name at least one function, or pass --all for every function in the region");
  }
  return withClients(context, (clients) => doctor(options, context, clients));
}

/** The command with its clients injected (tests pass clients with a simulated transport). */
export async function doctor(
  options: DoctorOptions,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const { DoctorLambdaReads } = await import("../aws/doctor-lambda.js");
  const { DoctorIamReads } = await import("../aws/doctor-iam.js");
  const lambda = await DoctorLambdaReads.create(clients);
  const iam = new DoctorIamReads(clients);
  const names = options.all ? await lambda.functionNames() : options.functions;
  if (names.length === 0)
    note(context, `no functions${lambda.region ? ` in ${lambda.region}` : ""}: nothing to check`);
  const document: DoctorDocument = { version: 1, functions: [] };
  // An endpoint of one's own (--local, --endpoint-url, AWS_ENDPOINT_URL): IAM and CloudWatch are AWS's only.
  const local = clients.settings("lambda").endpoint !== undefined;
  const run: DoctorContext = {
    lambda,
    iam,
    clients,
    local,
    now: () => context.io.now(),
    cli: lambda.cliOptions(),
  };
  const deliveryFailures = new DeliveryFailuresCheck(run);
  for (const name of names) {
    document.functions.push(...(await checkFunction(run, deliveryFailures, name, options.qualifier)));
  }
  if (context.output.json) {
    context.io.stdout.write(`${printableJson(JSON.stringify(document))}\n`);
  } else {
    const { renderDoctor } = await import("../render/doctor.js");
    context.io.stdout.write(renderDoctor(document, context.colors));
  }
  const failed = document.functions.some((report) => report.checks.some((check) => check.status === "fail"));
  return failed ? 1 : 0;
}

/** The checks of one function: of its unqualified config and each qualifier that has one (or only `only`). */
async function checkFunction(
  run: DoctorContext,
  deliveryFailures: DeliveryFailuresCheck,
  name: string,
  only: string | undefined,
): Promise<DoctorFunctionReport[]> {
  let fn: FunctionFacts;
  try {
    fn = await run.lambda.functionConfiguration(name);
  } catch (error) {
    if (isFatal(error) || !(error instanceof AwsOperationError)) throw error;
    const missing = error.reason === "not-found";
    // Denied or throttled: the function may be fine. Anything else (an invalid name) is a failure.
    const unknown = error.reason === "access-denied" || error.reason === "throttled";
    return [
      {
        name,
        qualifier: only ?? null,
        checks: [
          {
            id: "function",
            status: unknown ? "unknown" : "fail",
            message: missing
              ? `function ${name} does not exist${run.lambda.region ? ` in ${run.lambda.region}` : ""}`
              : unknown
                ? `could not check: ${error.message}`
                : error.message,
            fix: missing
              ? `check the name, --region and --profile (aws lambda list-functions${run.cli})`
              : undefined,
          },
        ],
      },
    ];
  }
  if (only !== undefined && only !== "$LATEST") {
    const missing = await run.lambda.functionConfiguration(fn.name, only).then(
      () => false,
      (error: unknown) => {
        if (isFatal(error) || !(error instanceof AwsOperationError)) throw error;
        return error.reason === "not-found";
      },
    );
    if (missing) {
      return [
        {
          name: fn.name,
          qualifier: only,
          checks: [
            {
              id: "qualifier",
              status: "fail",
              message: `${fn.name} has no version or alias ${only}: a caller invoking ${fn.name}:${only} gets an error, not a record`,
              fix: `aws lambda list-aliases --function-name ${shellWord(fn.name)}${run.cli}`,
            },
          ],
        },
      ];
    }
  }
  const configs = await readOrUnknown(() => run.lambda.eventInvokeConfigs(fn.name), "destinations");
  const aliases = await readOrUnknown(() => run.lambda.aliases(fn.name), "qualifiers");
  const qualifiers: (string | undefined)[] =
    only !== undefined
      ? [only === "$LATEST" ? undefined : only]
      : [
          undefined,
          ...(Array.isArray(configs) ? configs.map((c) => c.qualifier).filter((q) => q !== undefined) : []),
        ];
  const reports: DoctorFunctionReport[] = [];
  for (const qualifier of qualifiers) {
    const checks: DoctorCheck[] = [];
    const config = Array.isArray(configs) ? configs.find((c) => c.qualifier === qualifier) : undefined;
    if (!Array.isArray(configs)) checks.push(configs);
    else
      checks.push(...destinationsConfiguredChecks(run, fn, qualifier, config, configs, only !== undefined));
    if (qualifier === undefined) checks.push(qualifiersCheck(run, fn, aliases, configs));
    if (config) {
      for (const [side, arn] of [
        ["on-success", config.onSuccess],
        ["on-failure", config.onFailure],
      ] as [Side, string | undefined][]) {
        if (arn) checks.push(...(await destinationChecks(run, fn, qualifier, side, arn)));
      }
      checks.push(retriesCheck(config));
    }
    if (qualifier === undefined || only !== undefined) {
      checks.push(await concurrencyCheck(run, fn));
      checks.push(await deliveryFailures.check(fn));
      checks.push(...(await eventSourceChecks(run, fn)));
      if (fn.deadLetterTarget) {
        checks.push(deadLetterCheck(fn.deadLetterTarget));
        checks.push(...(await destinationChecks(run, fn, undefined, "dead-letter", fn.deadLetterTarget)));
      }
    }
    reports.push({ name: fn.name, qualifier: qualifier ?? null, checks });
  }
  return reports;
}

/**
 * `doctor`'s checks of how often the function runs an event: its reserved concurrency (0: never) and its
 * retries and maximum event age.
 */
import type { FunctionFacts, InvokeConfigFacts } from "../aws/doctor-lambda.js";
import type { DoctorCheck } from "../render/doctor.js";
import { type DoctorContext, plural, readOrUnknown, shellWord } from "./doctor-context.js";

export async function concurrencyCheck(run: DoctorContext, fn: FunctionFacts): Promise<DoctorCheck> {
  const reserved = await readOrUnknown(() => run.lambda.reservedConcurrency(fn.name), "concurrency");
  if (typeof reserved === "object") return reserved;
  if (reserved === 0) {
    return {
      id: "concurrency",
      status: "fail",
      message: `reserved concurrency is 0: ${fn.name} never runs; asynchronous events go straight to the on-failure destination or dead-letter queue, without retries`,
      fix: `aws lambda delete-function-concurrency --function-name ${shellWord(fn.name)}${run.cli}`,
    };
  }
  return {
    id: "concurrency",
    status: "ok",
    message:
      reserved === undefined
        ? "no reserved concurrency: the function may run"
        : `reserved concurrency is ${reserved}`,
  };
}

export function retriesCheck(config: InvokeConfigFacts): DoctorCheck {
  const retries = config.maximumRetryAttempts ?? 2;
  const age = config.maximumEventAgeInSeconds ?? 21_600;
  const retryWords =
    retries === 0
      ? "a function error is not retried: the first failure goes to the on-failure destination"
      : `a function error is retried ${retries === 1 ? "once" : "twice"} (about 1${retries === 2 ? " and 2 minutes" : " minute"} later) before the on-failure destination gets the record`;
  return {
    id: "retries",
    status: "ok",
    message: `${retryWords}; an event still unprocessed after ${ageInWords(age)} (throttled, or Lambda busy) is discarded, with an EventAgeExceeded record on failure`,
  };
}

function ageInWords(seconds: number): string {
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

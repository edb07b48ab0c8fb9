/**
 * What every `doctor` check shares: the reads it makes, the clients, and how a failed read becomes the
 * check's "could not check" instead of the run's end.
 */
import { type AwsClients, awsCliOptions } from "../aws/clients.js";
import type { DoctorIamReads } from "../aws/doctor-iam.js";
import type { DoctorLambdaReads } from "../aws/doctor-lambda.js";
import { AwsOperationError } from "../errors.js";
import type { DoctorCheck } from "../render/doctor.js";

export interface DoctorContext {
  readonly lambda: DoctorLambdaReads;
  readonly iam: DoctorIamReads;
  readonly clients: AwsClients;
  /** An endpoint of one's own (--local, --endpoint-url, AWS_ENDPOINT_URL): IAM and CloudWatch are AWS's only. */
  readonly local: boolean;
  readonly now: () => Date;
  /** The AWS CLI options that reach the same endpoint, region and profile, for the Lambda fixes printed. */
  readonly cli: string;
}

/** Errors that say the endpoint or the credentials do not work at all: the whole run stops with them. */
export function isFatal(error: unknown): boolean {
  return (
    error instanceof AwsOperationError &&
    ["unreachable", "no-answer", "no-credentials", "expired-credentials", "rejected-credentials"].includes(
      error.reason,
    )
  );
}

/** A word for an argument in a printed command: kept bare when the shell reads it as it is. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_.,:/=@+%-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The AWS CLI options for a fix that calls SQS or SNS. */
export function awsCliOptionsFor(clients: AwsClients): string {
  return awsCliOptions(clients.settings("sqs"));
}

/** A read whose failure is this check's "could not check", not the run's end. */
export async function readOrUnknown<T>(body: () => Promise<T>, id = "read"): Promise<T | DoctorCheck> {
  try {
    return await body();
  } catch (error) {
    if (isFatal(error) || !(error instanceof AwsOperationError)) throw error;
    return { id, status: "unknown", message: `could not check: ${error.message}` };
  }
}

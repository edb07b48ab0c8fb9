/** The parts of a Lambda function ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]). */
export interface FunctionArnParts {
  region: string;
  account: string;
  functionName: string;
  qualifier?: string;
}

export function parseFunctionArn(arn: unknown): FunctionArnParts | undefined {
  if (typeof arn !== "string") return undefined;
  const match = /^arn:[^:]+:lambda:([^:]*):([^:]*):function:([^:]+)(?::([^:]+))?$/.exec(arn);
  if (!match) return undefined;
  return { region: match[1]!, account: match[2]!, functionName: match[3]!, qualifier: match[4] };
}

/** True when an ARN's account is not a 12-digit id: masked (XXXXXXXXXXXX, <account>) or made up. */
export function hasMaskedAccount(arn: unknown): boolean {
  if (typeof arn !== "string") return false;
  const match = /^[^:]*:[^:]*:[^:]*:[^:]*:([^:]*)/.exec(arn);
  return match !== null && match[1] !== "" && !/^\d{12}$/.test(match[1]!);
}

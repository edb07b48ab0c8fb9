/**
 * The one ARN parser: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, where the resource may hold colons
 * (function:NAME:QUALIFIER). The commands, the envelope summaries and the local stack all read ARNs through
 * it; the local stack adds AWS's stricter checks on top (parseValidArn in src/local/arns.ts).
 */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(text: unknown): Arn | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(text);
  if (!match) return undefined;
  return {
    partition: match[1]!,
    service: match[2]!,
    region: match[3]!,
    accountId: match[4]!,
    resource: match[5]!,
  };
}

/** The parts of a Lambda function ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]). */
export interface FunctionArnParts {
  region: string;
  account: string;
  functionName: string;
  qualifier?: string;
}

export function parseFunctionArn(text: unknown): FunctionArnParts | undefined {
  const arn = parseArn(text);
  if (arn?.service !== "lambda") return undefined;
  const match = /^function:([^:]+)(?::([^:]+))?$/.exec(arn.resource);
  if (!match) return undefined;
  return { region: arn.region, account: arn.accountId, functionName: match[1]!, qualifier: match[2] };
}

/** A function named as Lambda's FunctionName parameter names it: the name, and the qualifier if given. */
export interface FunctionReference {
  name: string;
  qualifier?: string;
}

/**
 * Splits the FunctionName forms that the Lambda API accepts: `name`, `name:qualifier`,
 * `ACCOUNT:function:name[:qualifier]` and the full ARN; undefined for anything else. `readArn` is the ARN
 * parser to use (the local stack's is stricter).
 */
export function splitFunctionName(
  text: string,
  readArn: (text: string) => Arn | undefined = parseArn,
): FunctionReference | undefined {
  let rest = text;
  if (rest.startsWith("arn:")) {
    const arn = readArn(rest);
    if (arn?.service !== "lambda" || !arn.resource.startsWith("function:")) return undefined;
    rest = arn.resource.slice("function:".length);
  } else if (/^\d{12}:function:/.test(rest)) {
    rest = rest.slice("000000000000:function:".length);
  }
  const [name, qualifier, extra] = rest.split(":");
  if (extra !== undefined || name === undefined || !/^[a-zA-Z0-9_-]{1,140}$/.test(name)) return undefined;
  return { name, qualifier: qualifier === undefined || qualifier === "" ? undefined : qualifier };
}

/** True when an ARN's account is not a 12-digit id: masked (XXXXXXXXXXXX, <account>) or made up. */
export function hasMaskedAccount(text: unknown): boolean {
  if (typeof text !== "string") return false;
  const match = /^[^:]*:[^:]*:[^:]*:[^:]*:([^:]*)/.exec(text);
  return match !== null && match[1] !== "" && !/^\d{12}$/.test(match[1]!);
}

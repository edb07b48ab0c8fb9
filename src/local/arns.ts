import { type Arn, type FunctionReference, parseArn, splitFunctionName } from "../arn.js";
import { validationError } from "./lambda-service-error.js";

/** The account every resource of the local stack lives in (fauxqs uses the same one for queues and topics). */
export const LOCAL_ACCOUNT_ID = "000000000000";

export const LATEST = "$LATEST";

/**
 * The FunctionName pattern AWS quotes when it refuses a name, as in its recorded responses (LocalStack's
 * AWS-validated test_lambda_api snapshots); GetFunction and Invoke quote it with `.` allowed in the name.
 */
const FUNCTION_NAME_PATTERN =
  "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";
const FUNCTION_NAME_PATTERN_WITH_DOT = FUNCTION_NAME_PATTERN.replace(
  "[a-zA-Z0-9-_]+)(",
  "[a-zA-Z0-9-_\\.]+)(",
);

/** The Qualifier pattern AWS quotes ("(|[a-zA-Z0-9$_-]+)", at most 128 characters). */
const QUALIFIER_PATTERN = "(|[a-zA-Z0-9$_-]+)";

/**
 * An ARN as AWS accepts it in a request: the one parser's parts, with a lowercase partition, service and
 * region, and an account that is 12 digits or empty.
 */
export function parseValidArn(text: string): Arn | undefined {
  const arn = parseArn(text);
  if (!arn) return undefined;
  const valid =
    /^[a-z0-9-]+$/.test(arn.partition) &&
    /^[a-z0-9-]+$/.test(arn.service) &&
    /^[a-z0-9-]*$/.test(arn.region) &&
    /^(\d{12})?$/.test(arn.accountId);
  return valid ? arn : undefined;
}

export function functionArn(region: string, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/**
 * Lambda's FunctionName forms (splitFunctionName), refused as AWS refuses them: a ValidationException quoting
 * AWS's pattern. `withDot` is the variant GetFunction and Invoke quote.
 */
export function parseFunctionReference(input: string, withDot = false): FunctionReference {
  const reference = splitFunctionName(input, parseValidArn);
  if (!reference || (reference.qualifier !== undefined && !isQualifierExpression(reference.qualifier))) {
    throw validationError(
      input,
      "functionName",
      `Member must satisfy regular expression pattern: ${withDot ? FUNCTION_NAME_PATTERN_WITH_DOT : FUNCTION_NAME_PATTERN}`,
    );
  }
  return reference;
}

export function isQualifierExpression(qualifier: string): boolean {
  return /^[a-zA-Z0-9$_-]+$/.test(qualifier);
}

/** A version number ("1", "2", ...). */
export function isVersionNumber(qualifier: string): boolean {
  return /^[0-9]+$/.test(qualifier);
}

/** Alias names: AWS's `(?!^[0-9]+$)([a-zA-Z0-9-_]+)`. */
export function isAliasName(qualifier: string): boolean {
  return /^[a-zA-Z0-9_-]+$/.test(qualifier) && !isVersionNumber(qualifier);
}

/** The Qualifier parameter as the request-validation layer checks it, before any lookup. */
export function checkQualifierSyntax(qualifier: string | undefined): void {
  if (qualifier === undefined) return;
  if (qualifier.length > 128) {
    throw validationError(qualifier, "qualifier", "Member must have length less than or equal to 128");
  }
  if (!isQualifierExpression(qualifier)) {
    throw validationError(
      qualifier,
      "qualifier",
      `Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`,
    );
  }
}

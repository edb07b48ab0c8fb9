import { type Arn, type FunctionReference, parseArn, splitFunctionName } from "../arn.js";
import { invalidParameter, resourceNotFound, validationError } from "./lambda-service-error.js";

/** The account every resource of the local stack lives in (fauxqs uses the same one for queues and topics). */
export const LOCAL_ACCOUNT_ID = "000000000000";

export const LATEST = "$LATEST";

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

/** Lambda's FunctionName forms (splitFunctionName), refused as AWS refuses them. */
export function parseFunctionReference(input: string): FunctionReference {
  const reference = splitFunctionName(input, parseValidArn);
  if (!reference)
    throw validationError(input, "functionName", "Member must satisfy regular expression pattern");
  return reference;
}

/**
 * Only $LATEST exists locally (no PublishVersion, no aliases): any other qualifier names a version or alias
 * that cannot exist, which AWS answers with ResourceNotFoundException.
 */
export function checkQualifier(region: string, reference: FunctionReference, qualifier?: string): void {
  const wanted = qualifier ?? reference.qualifier;
  if (reference.qualifier !== undefined && qualifier !== undefined && reference.qualifier !== qualifier) {
    throw invalidParameter(
      "The derived qualifier from the function name does not match the specified qualifier.",
    );
  }
  if (wanted !== undefined && wanted !== LATEST) {
    throw resourceNotFound(`Function not found: ${functionArn(region, reference.name, wanted)}`);
  }
}

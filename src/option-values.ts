/**
 * What an option value may be, checked before a command runs. Each check returns the value to use or throws a
 * UsageError whose message says what is accepted; the caller adds which option and which value.
 */
import { UsageError } from "./errors.js";

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires at once with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A whole number written in plain digits, within [min, max]. */
export function wholeNumber(text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`use a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * An endpoint URL as the AWS SDKs take it: http or https, a host, no user name or password (they would be
 * printed in messages), no query or fragment. Returns what is wrong, or undefined.
 */
export function endpointUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `the scheme is ${url.protocol} (not http or https)`;
  if (url.hostname === "") return "it has no host";
  if (url.username !== "" || url.password !== "") return "it holds a user name or password";
  if (url.search !== "" || url.hash !== "") return "it has a query or fragment";
  return undefined;
}

export function endpointUrl(text: string): string {
  const problem = endpointUrlProblem(text);
  if (problem) throw new UsageError(`${problem}; use an http(s) URL such as http://127.0.0.1:4566`);
  return text;
}

/** A URL for a message: a password in it is masked. */
export function redactedUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, "$1***@");
}

/**
 * Region names as AWS writes them: us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, eusc-de-east-1.
 * A value that cannot be one would otherwise be sent as part of a host name.
 */
const REGION = /^[a-z]{2,4}(-[a-z]+){1,3}-\d{1,2}$/;

export function region(text: string): string {
  if (!REGION.test(text)) throw new UsageError("use an AWS region name such as us-east-1 or eu-west-1");
  return text;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A profile name: not empty, no surrounding spaces, no control characters. */
export function profileName(text: string): string {
  if (text.trim() === "" || text.trim() !== text || CONTROL.test(text)) {
    throw new UsageError("use the name of a profile in your AWS config file");
  }
  return text;
}

/** A file path: not empty, no control characters. */
export function filePath(text: string): string {
  if (text === "" || CONTROL.test(text))
    throw new UsageError("give a file path ('-' for stdin where allowed)");
  return text;
}

/**
 * MessageGroupId and MessageDeduplicationId (SQS and SNS): "up to 128 alphanumeric characters (a-z, A-Z, 0-9)
 * and punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)".
 */
const MESSAGE_TAG = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

export function messageTag(text: string): string {
  if (!MESSAGE_TAG.test(text)) {
    throw new UsageError("use 1 to 128 letters, digits and punctuation (no spaces)");
  }
  return text;
}

/** A Lambda qualifier (version or alias): "Pattern: (|[a-zA-Z0-9$_-]+)", 1 to 128 characters. */
export function qualifier(text: string): string {
  if (!/^[A-Za-z0-9$_-]{1,128}$/.test(text)) {
    throw new UsageError("use a version number or an alias name (letters, digits, $, - and _)");
  }
  return text;
}

/**
 * An SNS Subject: "Subjects must be UTF-8 text with no line breaks or control characters, and less than 100
 * characters long" (SNS Publish API reference).
 */
export function snsSubject(text: string): string {
  if (text === "" || text.length >= 100 || CONTROL.test(text)) {
    throw new UsageError("use 1 to 99 characters on one line, without control characters");
  }
  return text;
}

/** The shortest duration as the user would write it: 0, 1ms, 1s. */
export function formatLimit(milliseconds: number): string {
  if (milliseconds === 0) return "0";
  return milliseconds % 1000 === 0 ? `${milliseconds / 1000}s` : `${milliseconds}ms`;
}

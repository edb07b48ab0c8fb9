import { quoted } from "../printable.js";

/**
 * Checks an init document (`local --init`) against the shapes it takes and the names AWS accepts, before the
 * stack creates anything: the first problem is one message that names the entry (`queues[1]`), the value and
 * the rule. Names come from a file someone wrote: they are quoted with JSON escapes, and C1 controls too.
 */
export function initDocumentProblem(document: unknown): string | undefined {
  if (!isObject(document)) return "the document must be a JSON object";
  const checks: Array<() => string | undefined> = [
    () =>
      eachEntry(document, "queues", (entry, where) => {
        if (!isObject(entry)) return `${where} must be an object with a "name"`;
        const fifo = isObject(entry.attributes) && String(entry.attributes.FifoQueue) === "true";
        return (
          queueNameProblem(entry.name, where, fifo) ??
          mapProblem(entry.attributes, `${where}.attributes`) ??
          mapProblem(entry.tags, `${where}.tags`)
        );
      }),
    () =>
      eachEntry(document, "topics", (entry, where) => {
        if (!isObject(entry)) return `${where} must be an object with a "name"`;
        const fifo = isObject(entry.attributes) && String(entry.attributes.FifoTopic) === "true";
        return (
          topicNameProblem(entry.name, where, fifo) ?? mapProblem(entry.attributes, `${where}.attributes`)
        );
      }),
    () =>
      eachEntry(document, "subscriptions", (entry, where) => {
        if (!isObject(entry)) return `${where} must be an object with "topic" and "queue"`;
        return (
          topicNameProblem(entry.topic, `${where}.topic`, String(entry.topic).endsWith(".fifo")) ??
          queueReferenceProblem(entry.queue, `${where}.queue`) ??
          mapProblem(entry.attributes, `${where}.attributes`)
        );
      }),
    () => eachEntry(document, "buckets", (entry, where) => bucketNameProblem(entry, where)),
    () =>
      eachEntry(document, "functions", (entry, where) => {
        if (!isObject(entry)) return `${where} must be an object with "name" and "path"`;
        return (
          functionNameProblem(entry.name, where) ??
          (typeof entry.path === "string" && entry.path !== ""
            ? undefined
            : `${where} (function ${quote(entry.name)}) needs "path": its handler file or folder`) ??
          optionalString(entry.handler, `${where}.handler`) ??
          optionalString(entry.runtime, `${where}.runtime`) ??
          triggersProblem(entry.sqsTriggers, where)
        );
      }),
  ];
  for (const check of checks) {
    const problem = check();
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * SQS: "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length", and a FIFO
 * queue's name ends with .fifo (the suffix counts in the 80).
 */
export function queueNameProblem(name: unknown, where: string, fifo: boolean): string | undefined {
  if (typeof name !== "string") return `${where} needs a "name" (a string), got ${quote(name)}`;
  const base = name.endsWith(".fifo") ? name.slice(0, -".fifo".length) : name;
  if (name.length > 80 || !/^[A-Za-z0-9_-]+$/.test(base)) {
    return `${where}: ${quote(name)} is not a valid SQS queue name: 1 to 80 letters, digits, hyphens and underscores (a FIFO queue's name ends in .fifo)`;
  }
  if (fifo !== name.endsWith(".fifo")) {
    return fifo
      ? `${where}: ${quote(name)} has FifoQueue "true", and a FIFO queue's name must end in .fifo`
      : `${where}: ${quote(name)} ends in .fifo, which SQS keeps for FIFO queues: add "attributes": {"FifoQueue": "true"}`;
  }
  return undefined;
}

/** SNS: ASCII letters, digits, underscores and hyphens, 1 to 256 characters; a FIFO topic's name ends in .fifo. */
export function topicNameProblem(name: unknown, where: string, fifo: boolean): string | undefined {
  if (typeof name !== "string") return `${where} needs a topic name (a string), got ${quote(name)}`;
  const base = fifo && name.endsWith(".fifo") ? name.slice(0, -".fifo".length) : name;
  if (name.length > 256 || !/^[A-Za-z0-9_-]+$/.test(base)) {
    return `${where}: ${quote(name)} is not a valid SNS topic name: 1 to 256 letters, digits, hyphens and underscores (a FIFO topic's name ends in .fifo)`;
  }
  return undefined;
}

/** Lambda: 1 to 64 letters, digits, hyphens and underscores. */
export function functionNameProblem(name: unknown, where: string): string | undefined {
  if (typeof name === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(name)) return undefined;
  return `${where}: ${quote(name)} is not a valid Lambda function name: 1 to 64 letters, digits, hyphens and underscores`;
}

/** S3's naming rules for general purpose buckets. */
export function bucketNameProblem(name: unknown, where: string): string | undefined {
  const rule =
    "3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, not like an IP address";
  if (typeof name !== "string") return `${where}: a bucket is a name (a string), got ${quote(name)}`;
  const bad =
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) ||
    name.includes("..") ||
    /^\d{1,3}(\.\d{1,3}){3}$/.test(name) ||
    /^(xn--|sthree-|amzn-s3-demo-)/.test(name) ||
    /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
  return bad ? `${where}: ${quote(name)} is not a valid S3 bucket name: ${rule}` : undefined;
}

function queueReferenceProblem(value: unknown, where: string): string | undefined {
  if (typeof value === "string" && value.startsWith("arn:")) {
    const parts = value.split(":");
    return parts.length === 6 && parts[2] === "sqs"
      ? queueNameProblem(parts[5], where, parts[5]!.endsWith(".fifo"))
      : `${where}: ${quote(value)} is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)`;
  }
  return queueNameProblem(value, where, typeof value === "string" && value.endsWith(".fifo"));
}

function triggersProblem(triggers: unknown, where: string): string | undefined {
  if (triggers === undefined) return undefined;
  if (!Array.isArray(triggers)) return `${where}.sqsTriggers must be a list of queue names`;
  for (const [index, trigger] of triggers.entries()) {
    const queue = isObject(trigger) ? trigger.queue : trigger;
    const problem = queueReferenceProblem(queue, `${where}.sqsTriggers[${index}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function eachEntry(
  document: Record<string, unknown>,
  key: string,
  check: (entry: unknown, where: string) => string | undefined,
): string | undefined {
  const list = document[key];
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return `${key} must be a list`;
  for (const [index, entry] of list.entries()) {
    const problem = check(entry, `${key}[${index}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function mapProblem(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || Object.values(value).some((item) => typeof item !== "string")) {
    return `${where} must be an object of strings`;
  }
  return undefined;
}

function optionalString(value: unknown, where: string): string | undefined {
  return value === undefined || typeof value === "string" ? undefined : `${where} must be a string`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A value of the init document, quoted in a message (names may be long: up to 120 characters shown). */
const quote = (value: unknown) => quoted(value, 120);

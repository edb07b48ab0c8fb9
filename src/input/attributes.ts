/** Message attributes as typed on the command line: name=value, name=Number:42, name=Binary:@file. */
import { UsageError } from "../errors.js";

export interface MessageAttribute {
  name: string;
  /** "String", "Number" or "Binary", optionally with a custom suffix ("Number.float"). */
  dataType: string;
  stringValue?: string;
  binaryValue?: Uint8Array;
}

/** SQS and SNS accept at most 10 attributes per message delivered to SQS. */
export const MAX_ATTRIBUTES = 10;

const NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/;
const TYPED = /^(String|Number|Binary)((?:\.[A-Za-z0-9_.-]+)?):([\s\S]*)$/;

/**
 * Parses one --attribute. `readBinaryFile` reads the file of `Binary:@path` (injected so the parser stays pure).
 * A value without a known type prefix is a String, even if it contains a colon (name=a:b).
 */
export function parseAttribute(text: string, readBinaryFile: (path: string) => Uint8Array): MessageAttribute {
  const equals = text.indexOf("=");
  if (equals <= 0) {
    throw new UsageError(`--attribute "${text}": write name=value, name=Number:42 or name=Binary:@file`);
  }
  const name = text.slice(0, equals);
  const rest = text.slice(equals + 1);
  if (!NAME.test(name) || /^(aws\.|amazon\.)/i.test(name)) {
    throw new UsageError(
      `--attribute "${text}": "${name}" is not a valid attribute name (letters, digits, _ - and ., not starting with AWS. or Amazon.)`,
    );
  }
  const typed = TYPED.exec(rest);
  if (!typed) return { name, dataType: "String", stringValue: checkNotEmpty(rest, text) };
  const [, base, suffix, value] = typed as unknown as [string, string, string, string];
  const dataType = base + suffix;
  if (base === "String") return { name, dataType, stringValue: checkNotEmpty(value, text) };
  if (base === "Number") {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())) {
      throw new UsageError(`--attribute "${text}": "${value}" is not a number`);
    }
    return { name, dataType, stringValue: value.trim() };
  }
  if (value.startsWith("@")) {
    const path = value.slice(1);
    if (path === "") throw new UsageError(`--attribute "${text}": Binary:@ needs a file path`);
    let bytes: Uint8Array;
    try {
      bytes = readBinaryFile(path);
    } catch (error) {
      throw new UsageError(`--attribute "${text}": cannot read ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (bytes.length === 0) throw new UsageError(`--attribute "${text}": ${path} is empty`);
    return { name, dataType, binaryValue: bytes };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
    throw new UsageError(`--attribute "${text}": a Binary value is @file or base64 text`);
  }
  return { name, dataType, binaryValue: Buffer.from(value, "base64") };
}

function checkNotEmpty(value: string, text: string): string {
  if (value === "") throw new UsageError(`--attribute "${text}": the value is empty`);
  return value;
}

export function parseAttributes(
  texts: string[],
  readBinaryFile: (path: string) => Uint8Array,
): MessageAttribute[] {
  const attributes = texts.map((text) => parseAttribute(text, readBinaryFile));
  const seen = new Set<string>();
  for (const attribute of attributes) {
    if (seen.has(attribute.name)) throw new UsageError(`--attribute "${attribute.name}" is given twice`);
    seen.add(attribute.name);
  }
  if (attributes.length > MAX_ATTRIBUTES) {
    throw new UsageError(
      `${attributes.length} attributes given; a message carries at most ${MAX_ATTRIBUTES}`,
    );
  }
  return attributes;
}

/** Bytes the attributes add to a message's size, as SQS and SNS count them: name, type and value. */
export function attributesSize(attributes: MessageAttribute[]): number {
  let size = 0;
  for (const attribute of attributes) {
    size += Buffer.byteLength(attribute.name) + Buffer.byteLength(attribute.dataType);
    size += attribute.binaryValue
      ? attribute.binaryValue.length
      : Buffer.byteLength(attribute.stringValue ?? "");
  }
  return size;
}

/** The SDK's shape (SQS MessageAttributeValue and SNS MessageAttributeValue are the same). */
export function toSdkAttributes(
  attributes: MessageAttribute[],
): Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }> | undefined {
  if (attributes.length === 0) return undefined;
  const result: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }> = {};
  for (const attribute of attributes) {
    result[attribute.name] = attribute.binaryValue
      ? { DataType: attribute.dataType, BinaryValue: attribute.binaryValue }
      : { DataType: attribute.dataType, StringValue: attribute.stringValue };
  }
  return result;
}

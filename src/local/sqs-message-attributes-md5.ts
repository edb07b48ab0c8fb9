import { createHash } from "node:crypto";

/** A message attribute as SQS's ReceiveMessage returns it. */
export interface SqsMessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as the JSON protocol carries it. */
  BinaryValue?: string;
}

/**
 * MD5OfMessageAttributes as SQS computes it (Amazon SQS developer guide, "Calculating the MD5 message digest
 * for message attributes"): the attributes sorted by name; for each, the name, the data type and the value,
 * each as a 4-byte big-endian length followed by its UTF-8 bytes, with a transport-type byte (1 for String and
 * Number types, 2 for Binary) before the value; the MD5 of all of it, in lowercase hex. Undefined when the
 * message has no attributes (the Lambda SQS event then carries null).
 */
export function md5OfMessageAttributes(
  attributes: Record<string, SqsMessageAttribute> | undefined,
): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const attribute = attributes![name]!;
    field(Buffer.from(name, "utf8"));
    field(Buffer.from(attribute.DataType, "utf8"));
    if (attribute.DataType.startsWith("Binary")) {
      parts.push(Buffer.from([2]));
      field(Buffer.from(attribute.BinaryValue ?? "", "base64"));
    } else {
      parts.push(Buffer.from([1]));
      field(Buffer.from(attribute.StringValue ?? "", "utf8"));
    }
  }
  return createHash("md5").update(Buffer.concat(parts)).digest("hex");
}

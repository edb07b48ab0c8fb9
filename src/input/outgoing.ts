/** Turning the input of `send` and `publish` into messages with their sizes, refusing over-size ones. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { OutgoingMessage } from "../aws/batch-send.js";
import { formatBytes } from "../aws/batches.js";
import { UsageError } from "../errors.js";
import { attributesSize, type MessageAttribute, parseAttributes } from "./attributes.js";
import { type BodySource, readInputText, splitLines } from "./body.js";

export interface OutgoingInput {
  messages: OutgoingMessage[];
  attributes: MessageAttribute[];
}

export interface PrepareOptions {
  source: BodySource;
  lines: boolean;
  attributes: string[];
  /** The per-message limit in bytes and what to call it. */
  limit: number;
  service: string;
}

export async function prepareOutgoing(options: PrepareOptions): Promise<OutgoingInput> {
  const { source } = options;
  const attributes = parseAttributes(options.attributes, (path) => readFileSync(resolve(source.cwd, path)));
  const extra = attributesSize(attributes);
  const input = await readInputText(source);
  const messages: OutgoingMessage[] = [];
  if (options.lines) {
    for (const line of splitLines(input.text)) {
      messages.push({
        index: messages.length,
        line: line.line,
        body: line.text,
        size: Buffer.byteLength(line.text) + extra,
      });
    }
    if (messages.length === 0)
      throw new UsageError(`no lines to send: the input (${describe(input.origin)}) is empty`);
  } else {
    if (input.text === "")
      throw new UsageError(
        `the ${source.noun} is empty (${describe(input.origin)}); ${options.service} needs at least one character`,
      );
    messages.push({ index: 0, body: input.text, size: Buffer.byteLength(input.text) + extra });
  }
  const oversize = messages.filter((message) => message.size > options.limit);
  if (oversize.length > 0) {
    const listed = oversize
      .slice(0, 3)
      .map(
        (message) =>
          `${message.line !== undefined ? `line ${message.line}: ` : ""}${formatBytes(message.size)}`,
      )
      .join(", ");
    const more = oversize.length > 3 ? ` and ${oversize.length - 3} more` : "";
    const what =
      oversize.length === 1 && !options.lines ? "the message is" : `${oversize.length} messages are`;
    throw new UsageError(
      `${what} too large for ${options.service} (${listed}${more}; the limit is ${formatBytes(options.limit)}${extra > 0 ? ", attributes included" : ""}); nothing was sent`,
    );
  }
  return { messages, attributes };
}

function describe(origin: string): string {
  if (origin === "-") return "stdin";
  if (origin === "argument") return "argument";
  return origin;
}

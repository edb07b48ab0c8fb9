import type { FastifyInstance, FastifyRequest } from "fastify";

/** Messages remembered at most; the oldest are forgotten first (they were consumed long ago, or never will be). */
const CAPACITY = 50_000;
const MAX_HEADER_LENGTH = 2048;
const ENTRY_ID = /^PublishBatchRequestEntries\.member\.\d+\.Id$/;

/**
 * The X-Ray trace header each SQS message and SNS notification was sent with, kept beside fauxqs (which has no
 * AWSTraceHeader) by message id. SQS keeps it as the message's AWSTraceHeader system attribute and SNS passes
 * it on to subscribed queues; the event source mapping reads it back, so that recursive loop detection can
 * follow a chain of requests through a queue or a topic, as Lambda does.
 */
export class SqsTraceHeaders {
  private readonly byMessageId = new Map<string, string>();
  private readonly pending = new WeakMap<FastifyRequest, Map<string, string> | string>();
  /** Trace headers of the entries of PublishBatch requests the stack is about to make, by entry id. */
  private readonly expectedEntries = new Map<string, string>();

  /**
   * The trace header of one entry of a PublishBatch the stack itself is about to send (the request's own
   * X-Amzn-Trace-Id is one for every entry). The id must be one nobody else can know.
   */
  expectEntry(entryId: string, trace: string): void {
    this.expectedEntries.set(entryId, trace);
  }

  forgetEntries(entryIds: readonly string[]): void {
    for (const id of entryIds) this.expectedEntries.delete(id);
  }

  /** Watches SendMessage, SendMessageBatch, Publish and the stack's own PublishBatch requests. */
  install(app: FastifyInstance): void {
    // Plain functions rather than async ones: every request of the app passes these hooks.
    app.addHook("preHandler", (request, _reply, done) => {
      this.watch(request);
      done();
    });
    app.addHook("onSend", (request, _reply, payload, done) => {
      this.note(request, payload);
      done(null, payload);
    });
  }

  /**
   * Remembers the trace headers of the messages an SQS send made without a request (the stack's own call into
   * fauxqs): what the hooks below keep for the same call made as a request, `answer` being its document.
   */
  noteSqsSend(
    action: "SendMessage" | "SendMessageBatch",
    body: Record<string, unknown>,
    header: string | undefined,
    answer: Record<string, unknown>,
  ): void {
    const pending = sqsSendTraces(`AmazonSQS.${action}`, body, header);
    if (pending === undefined) return;
    if (typeof pending === "string") {
      if (typeof answer.MessageId === "string") this.remember(answer.MessageId, pending);
      return;
    }
    this.noteSuccessful(pending, answer.Successful);
  }

  /** Keeps the trace headers a send or publish request carries, until its answer names the messages. */
  private watch(request: FastifyRequest): void {
    const header = headerValue(request.headers["x-amzn-trace-id"]);
    const target = headerValue(request.headers["x-amz-target"]);
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object" || Buffer.isBuffer(body)) return;
    if (target === "AmazonSQS.SendMessage" || target === "AmazonSQS.SendMessageBatch") {
      const pending = sqsSendTraces(target, body, header);
      if (pending !== undefined) this.pending.set(request, pending);
    } else if (target === undefined && header !== undefined && body.Action === "Publish") {
      this.pending.set(request, header);
    } else if (target === undefined && body.Action === "PublishBatch" && this.expectedEntries.size > 0) {
      const byEntry = new Map<string, string>();
      for (const [key, value] of Object.entries(body)) {
        if (typeof value !== "string" || !ENTRY_ID.test(key)) continue;
        const trace = this.expectedEntries.get(value);
        if (trace !== undefined) byEntry.set(value, trace);
      }
      if (byEntry.size > 0) this.pending.set(request, byEntry);
    }
  }

  /** Remembers each message's trace header by the id the answer gave it. */
  private note(request: FastifyRequest, payload: unknown): void {
    const pending = this.pending.get(request);
    if (pending === undefined || typeof payload !== "string") return;
    this.pending.delete(request);
    if (typeof pending === "string") {
      const id = /<MessageId>([^<]+)<\/MessageId>/.exec(payload)?.[1] ?? parseJson(payload)?.MessageId;
      if (typeof id === "string") this.remember(id, pending);
      return;
    }
    if (payload.startsWith("<")) {
      // PublishBatch: <Successful><member><Id>…</Id><MessageId>…</MessageId></member>…</Successful>
      const section = /<Successful>([\s\S]*?)<\/Successful>/.exec(payload)?.[1] ?? "";
      for (const member of section.split("</member>")) {
        const id = /<Id>([^<]+)<\/Id>/.exec(member)?.[1];
        const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(member)?.[1];
        const trace = id === undefined ? undefined : pending.get(id);
        if (trace !== undefined && messageId !== undefined) this.remember(messageId, trace);
      }
      return;
    }
    this.noteSuccessful(pending, parseJson(payload)?.Successful);
  }

  /** A batch's Successful entries: each message's trace header by the entry id it was sent with. */
  private noteSuccessful(pending: Map<string, string>, successful: unknown): void {
    if (!Array.isArray(successful)) return;
    for (const entry of successful as Array<Record<string, unknown>>) {
      const trace = typeof entry?.Id === "string" ? pending.get(entry.Id) : undefined;
      if (trace !== undefined && typeof entry.MessageId === "string") this.remember(entry.MessageId, trace);
    }
  }

  /** A message's trace header: its own, or that of the SNS notification it carries. */
  of(message: { MessageId: string; Body: string }): string | undefined {
    const own = this.byMessageId.get(message.MessageId);
    if (own !== undefined || this.byMessageId.size === 0) return own;
    if (!message.Body.startsWith("{") || !message.Body.includes('"Notification"')) return undefined;
    const envelope = parseJson(message.Body);
    return envelope?.Type === "Notification" && typeof envelope.MessageId === "string"
      ? this.byMessageId.get(envelope.MessageId)
      : undefined;
  }

  private remember(messageId: string, trace: string): void {
    if (trace.length > MAX_HEADER_LENGTH) return;
    this.byMessageId.set(messageId, trace);
    if (this.byMessageId.size > CAPACITY) {
      const oldest = this.byMessageId.keys().next().value;
      if (oldest !== undefined) this.byMessageId.delete(oldest);
    }
  }
}

/**
 * The trace headers of an SQS send's messages: the message's own AWSTraceHeader system attribute, else the
 * request's X-Amzn-Trace-Id; one for SendMessage, by entry id for SendMessageBatch; undefined when none has one.
 */
function sqsSendTraces(
  target: string,
  body: Record<string, unknown>,
  header: string | undefined,
): Map<string, string> | string | undefined {
  if (target === "AmazonSQS.SendMessage") return systemTraceHeader(body) ?? header;
  if (!Array.isArray(body.Entries)) return undefined;
  const byEntry = new Map<string, string>();
  for (const entry of body.Entries as unknown[]) {
    if (entry === null || typeof entry !== "object") continue;
    const id = (entry as Record<string, unknown>).Id;
    const trace = systemTraceHeader(entry as Record<string, unknown>) ?? header;
    if (typeof id === "string" && trace !== undefined) byEntry.set(id, trace);
  }
  return byEntry.size > 0 ? byEntry : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function systemTraceHeader(body: Record<string, unknown>): string | undefined {
  const attributes = body.MessageSystemAttributes as Record<string, { StringValue?: unknown }> | undefined;
  const value = attributes?.AWSTraceHeader?.StringValue;
  return typeof value === "string" ? value : undefined;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

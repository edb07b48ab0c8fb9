/**
 * `tail --json` lines whose payload is the whole of a JSON string (an SQS message's Body): the payload is
 * written as the body wrote it, without being serialised again, wherever that text can stand in one NDJSON
 * line; otherwise it is serialised as before. Either way the line is one JSON document whose payload is the
 * body's value, and safe on a terminal.
 */
import { describe, expect, it } from "vitest";
import { analyzeValue } from "../../../src/envelopes/analyze.js";
import { tailLine } from "../../../src/render/tail.js";

const RECORD = {
  version: "1.0",
  timestamp: "2025-11-14T18:16:05.568Z",
  requestContext: {
    requestId: "00000000-0000-4000-8000-000000000001",
    functionArn: "arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST",
    condition: "Success",
    approximateInvokeCount: 1,
  },
  requestPayload: { orderId: 1 },
  responseContext: { statusCode: 200, executedVersion: "$LATEST" },
  responsePayload: { ok: true },
};

const facts = { receivedAt: new Date("2025-11-14T18:16:06.000Z"), source: "sqs:orders", messageId: "m-1" };

/** The line tail writes for an SQS message with this body (as a receive returns it). */
function lineFor(body: string): string {
  const envelopes = analyzeValue({ MessageId: "m-1", ReceiptHandle: "r-1", Body: body });
  expect(envelopes).toHaveLength(1);
  return tailLine(envelopes[0]!, facts);
}

describe("tailLine: a payload parsed from a message body", () => {
  it("is written as the body wrote it, spacing included, and parses to the body's value", () => {
    const body = `{ "version": "1.0", ${JSON.stringify(RECORD).slice(17)}`;
    const line = lineFor(body);
    expect(line).toContain(`"payload":${body},`);
    const parsed = JSON.parse(line) as { payload: unknown; kind: string; layers: string[] };
    expect(parsed.payload).toEqual(RECORD);
    expect(parsed).toMatchObject({ kind: "invocation-record", layers: ["sqs-message", "invocation-record"] });
  });

  it("is serialised again when the body has line breaks: the line stays one line", () => {
    const body = JSON.stringify(RECORD, null, 2).replace(/\n/g, "\r\n");
    const line = lineFor(body);
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toContain(`"payload":${JSON.stringify(RECORD)},`);
    expect((JSON.parse(line) as { payload: unknown }).payload).toEqual(RECORD);
  });

  it("is serialised again when the body holds a lone surrogate, which the line writes escaped", () => {
    const payload = { ...RECORD, responsePayload: { half: "a\ud800b" } };
    const line = lineFor(JSON.stringify(payload).replace("\\ud800", "\ud800"));
    expect(line).toContain('"half":"a\\ud800b"');
    expect((line as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
    expect((JSON.parse(line) as { payload: unknown }).payload).toEqual(payload);
  });

  it("as written still has its terminal controls escaped (C1, bidi, DEL)", () => {
    const body = JSON.stringify({ ...RECORD, responsePayload: { text: "a\u009b31mb\u202ec\u007fd" } });
    const line = lineFor(body);
    expect(line).not.toMatch(/[\u007f-\u009f\u202e]/);
    expect(line).toContain('"text":"a\\u009b31mb\\u202ec\\u007fd"');
    expect((JSON.parse(line) as { payload: { responsePayload: unknown } }).payload.responsePayload).toEqual({
      text: "a\u009b31mb\u202ec\u007fd",
    });
  });

  it("keeps every number as written, with or without the text as written", () => {
    const numbers = '{"huge":1e400,"zero":-0,"id":12345678901234567890}';
    const compact = `${JSON.stringify(RECORD).slice(0, -'{"ok":true}}'.length)}${numbers}}`;
    expect(lineFor(compact)).toContain(`"responsePayload":${numbers}`);
    // With a line break the payload is serialised again, the numbers as written kept all the same.
    expect(lineFor(`${compact}\n`)).toContain(`"responsePayload":${numbers}`);
  });

  it("keeps a key given twice as the body gave it, with the analysis's warning", () => {
    const body = `${JSON.stringify(RECORD).slice(0, -1)},"responsePayload":{"ok":false}}`;
    const line = lineFor(body);
    expect(line).toContain(`"payload":${body},`);
    const parsed = JSON.parse(line) as {
      payload: { responsePayload: unknown };
      warnings: { message: string }[];
    };
    expect(parsed.payload.responsePayload).toEqual({ ok: false });
    expect(parsed.warnings.map((warning) => warning.message).join("\n")).toContain(
      'key "responsePayload" is given twice',
    );
  });

  it("is put in its own place whatever the other fields hold", () => {
    const envelopes = analyzeValue({ MessageId: "m-1", ReceiptHandle: "r-1", Body: JSON.stringify(RECORD) });
    const tricky = '"payload":"\u0000payload\u0000"}, "payload": {"x": 1}';
    const line = tailLine(envelopes[0]!, {
      ...facts,
      source: tricky,
      messageId: `"payload":"\u0000payload\u0000"`,
    });
    const parsed = JSON.parse(line) as { payload: unknown; source: string; messageId: string };
    expect(parsed).toMatchObject({ source: tricky, messageId: `"payload":"\u0000payload\u0000"` });
    expect(parsed.payload).toEqual(RECORD);
  });

  it("a body nested too deeply stays the string it was, not its text spliced in", () => {
    const deep = `${"[".repeat(1_500)}${"]".repeat(1_500)}`;
    const line = lineFor(deep);
    const parsed = JSON.parse(line) as { payload: unknown; valid: boolean };
    expect(parsed.payload).toBe(deep);
    expect(parsed.valid).toBe(false);
  });
});

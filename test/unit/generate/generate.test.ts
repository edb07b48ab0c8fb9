import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeValue } from "../../../src/envelopes/analyze.js";
import { UsageError } from "../../../src/errors.js";
import {
  ESM_CONDITIONS,
  GENERATE_KINDS,
  type GenerateKind,
  type GenerateOptions,
  generate,
  generateTexts,
  INVOCATION_CONDITIONS,
  RUNTIMES,
  resolveOptions,
  WRAPPERS,
  type Wrapper,
} from "../../../src/generate/index.js";

const LAYER_OF: Record<Wrapper, string | undefined> = {
  sqs: "sqs-message",
  sns: "sns-notification",
  eventbridge: "eventbridge-event",
  "lambda-sqs-event": "lambda-sqs-event",
  "lambda-sns-event": "lambda-sns-event",
  // The AWS CLI's output and an S3 object add no layer of their own.
  "cli-receive": undefined,
  s3: undefined,
};

/** What `validate` must see: the layers outermost first, and the payload's kind. */
function expectedLayers(kind: GenerateKind, options: GenerateOptions): { kind: string; layers: string[] } {
  const wrap = resolveOptions(kind, options).wrap;
  const layers = wrap
    .map((wrapper) => LAYER_OF[wrapper])
    .filter((layer): layer is string => layer !== undefined)
    .reverse();
  // A dead-letter message's body is the original event: its kind is the message that carries it.
  if (kind === "dlq-message") return { kind: layers[layers.length - 1]!, layers };
  return { kind, layers: [...layers, kind] };
}

/** Every item validates through the project's own analyzer: no error, no warning, the layers expected. */
function expectAllValid(kind: GenerateKind, options: GenerateOptions): void {
  const expected = expectedLayers(kind, options);
  let items = 0;
  for (const item of generateTexts(kind, options)) {
    items++;
    const envelopes = analyzeValue(JSON.parse(item.text), { strict: true });
    expect(envelopes).toHaveLength(1);
    const [envelope] = envelopes;
    expect(
      { valid: envelope!.valid, errors: envelope!.errors, warnings: envelope!.warnings },
      `${kind} ${JSON.stringify(options)}\n${item.text}`,
    ).toEqual({ valid: true, errors: [], warnings: [] });
    expect({ kind: envelope!.kind, layers: envelope!.layers }).toEqual(expected);
    if (kind === "dlq-message") expect(envelope!.summary.notes.join(" ")).toMatch(/dead-letter message/);
  }
  expect(items).toBe(options.count ?? 1);
}

/** Every wrapper chain of up to three layers that the generator accepts for a kind. */
function acceptedChains(kind: GenerateKind, base: GenerateOptions = {}): Wrapper[][] {
  const chains: Wrapper[][] = [[]];
  for (let length = 1; length <= 3; length++) {
    const previous = chains.filter((chain) => chain.length === length - 1);
    for (const chain of previous) for (const wrapper of WRAPPERS) chains.push([...chain, wrapper]);
  }
  return chains.filter((wrap) => {
    try {
      resolveOptions(kind, { ...base, wrap });
      return true;
    } catch (error) {
      if (error instanceof UsageError) return false;
      throw error;
    }
  });
}

describe("every kind x condition x runtime x wrapper validates", () => {
  it("accepts the chains records really travel, and only those", () => {
    const record = acceptedChains("invocation-record").map((chain) => chain.join(" "));
    expect(record).toEqual(
      expect.arrayContaining([
        "",
        "sqs",
        "sns",
        "eventbridge",
        "s3",
        "lambda-sqs-event",
        "lambda-sns-event",
        "cli-receive",
        "sns sqs",
        "sns sqs cli-receive",
        "sns lambda-sqs-event",
        "eventbridge sqs",
        "eventbridge sns sqs",
        "eventbridge lambda-sns-event",
      ]),
    );
    // Nothing goes around what a consumer finally reads, and nothing is published or queued as is twice.
    for (const refused of [
      "sqs sns",
      "sqs sqs",
      "sns sns",
      "sqs eventbridge",
      "s3 sqs",
      "lambda-sqs-event sqs",
    ]) {
      expect(record).not.toContain(refused);
    }
    expect(acceptedChains("esm-failure-record").some((chain) => chain.includes("eventbridge"))).toBe(false);
    expect(acceptedChains("processing-result").some((chain) => chain.includes("s3"))).toBe(false);
    expect(acceptedChains("dlq-message").map((chain) => chain.join(" "))).toEqual(
      expect.arrayContaining(["", "sqs", "lambda-sqs-event", "cli-receive", "sqs cli-receive"]),
    );
  });

  it("invocation-record: each condition, runtime and accepted wrapper chain", () => {
    for (const wrap of acceptedChains("invocation-record")) {
      for (const condition of INVOCATION_CONDITIONS) {
        if (wrap.includes("s3") && condition === "Success") continue;
        for (const runtime of RUNTIMES) {
          expectAllValid("invocation-record", { condition, runtime, wrap, seed: 11, count: 2 });
        }
      }
    }
  });

  it("esm-failure-record: each source, condition and accepted wrapper chain", () => {
    for (const wrap of acceptedChains("esm-failure-record")) {
      for (const source of ["kinesis", "dynamodb", "kafka"] as const) {
        for (const condition of ESM_CONDITIONS) {
          if (condition === "MaximumPayloadSizeExceeded" && source !== "kafka") continue;
          expectAllValid("esm-failure-record", { source, condition, wrap, seed: 5, count: 2 });
        }
      }
    }
  });

  it("dlq-message and processing-result: each accepted wrapper chain", () => {
    for (const wrap of acceptedChains("dlq-message"))
      expectAllValid("dlq-message", { wrap, seed: 3, count: 2 });
    for (const wrap of acceptedChains("processing-result")) {
      for (const status of ["SUCCESS", "FAILURE"] as const) {
        expectAllValid("processing-result", { wrap, status, seed: 9, count: 2 });
      }
    }
  });

  it("property: random options either validate, item by item, or are refused with a UsageError", () => {
    const chains = new Map(GENERATE_KINDS.map((kind) => [kind, acceptedChains(kind)]));
    const jsonText = fc
      .tuple(fc.json({ maxDepth: 3 }), fc.constantFrom(0, 1, 2))
      .map(([text, indent]) => (indent === 0 ? text : JSON.stringify(JSON.parse(text), null, indent)));
    const errorObject = fc
      .record({ errorMessage: fc.string(), errorType: fc.string() })
      .map((value) => JSON.stringify(value, null, 1));
    // Each option is given one time in three; unset keys are left out, as a caller would.
    const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary, weight: 1 });
    const optional = (fields: Record<string, fc.Arbitrary<unknown>>) =>
      fc
        .record({
          chain: fc.nat(),
          seed: fc.nat(),
          count: fc.integer({ min: 1, max: 3 }),
          ...Object.fromEntries(
            Object.entries(fields).map(([key, arbitrary]) => [key, sometimes(arbitrary)]),
          ),
        })
        .map((record) =>
          Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)),
        );
    const functionName = fc.constantFrom(
      "orders",
      "a_b-9",
      "arn:aws:lambda:eu-west-1:123456789012:function:f:live",
    );
    const error = fc.oneof(
      fc.string({ minLength: 1 }),
      fc.string().map((message) => `TypeError: ${message}`),
    );
    // Options that apply to each kind appear or not; a few that do not apply are added, to be refused.
    const perKind: Record<GenerateKind, fc.Arbitrary<Record<string, unknown>>> = {
      "invocation-record": optional({
        condition: fc.constantFrom(...INVOCATION_CONDITIONS),
        runtime: fc.constantFrom(...RUNTIMES),
        error,
        responseJson: fc.oneof(jsonText, errorObject),
        attempts: fc.integer({ min: 0, max: 4 }),
        requestJson: jsonText,
        function: functionName,
        qualifier: fc.constantFrom("$LATEST", "7", "live"),
      }),
      "esm-failure-record": optional({
        condition: fc.constantFrom(...ESM_CONDITIONS),
        source: fc.constantFrom("kinesis", "dynamodb", "kafka"),
        attempts: fc.integer({ min: 0, max: 12 }),
        function: functionName,
        qualifier: fc.constantFrom("$LATEST", "7", "live"),
      }),
      "dlq-message": optional({ error, requestJson: jsonText, function: functionName }),
      "processing-result": optional({
        status: fc.constantFrom("SUCCESS", "FAILURE"),
        error,
        requestJson: jsonText,
      }),
    };
    const inapplicable = fc.oneof(
      { arbitrary: fc.constant({}), weight: 9 },
      {
        arbitrary: fc.constantFrom<Partial<GenerateOptions>>(
          { runtime: "go" },
          { source: "kafka" },
          { status: "SUCCESS" },
        ),
        weight: 1,
      },
    );
    const options = fc
      .constantFrom(...GENERATE_KINDS)
      .chain((kind) =>
        fc
          .tuple(fc.constant(kind), perKind[kind], inapplicable)
          .map(([k, rest, extra]) => ({ kind: k, ...rest, ...extra })),
      ) as fc.Arbitrary<GenerateOptions & { kind: GenerateKind; chain: number }>;
    let generated = 0;
    let refused = 0;
    fc.assert(
      fc.property(options, ({ kind, chain, ...rest }) => {
        const accepted = chains.get(kind)!;
        const generation: GenerateOptions = { ...rest, wrap: accepted[chain % accepted.length]! };
        try {
          resolveOptions(kind, generation);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          expect(error.message).not.toMatch(/\n/);
          refused++;
          return;
        }
        expectAllValid(kind, generation);
        generated++;
      }),
      { numRuns: 400 },
    );
    // Not a property that holds because everything was refused.
    expect(generated).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(20);
  });
});

describe("--seed reproduces", () => {
  it("the same seed and options give the same items; another seed gives others", () => {
    const options: GenerateOptions = { seed: 42, count: 4, wrap: ["sns", "sqs"] };
    const texts = (seed: number) =>
      [...generateTexts("invocation-record", { ...options, seed })].map((item) => item.text);
    expect(texts(42)).toEqual(texts(42));
    expect(texts(43)).not.toEqual(texts(42));
    // The first items of a longer run are the items of a shorter one.
    expect(
      [...generateTexts("invocation-record", { ...options, count: 2 })].map((item) => item.text),
    ).toEqual(texts(42).slice(0, 2));
  });

  it("property: any seed and kind reproduce exactly, S3 keys included", () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...GENERATE_KINDS), (seed, kind) => {
        const wrap: Wrapper[] = kind === "invocation-record" || kind === "esm-failure-record" ? ["s3"] : [];
        const once = [...generateTexts(kind, { seed, count: 2, wrap })];
        expect([...generateTexts(kind, { seed, count: 2, wrap })]).toEqual(once);
      }),
      { numRuns: 50 },
    );
  });

  it("a seed fixes the times too; without one, generate() starts from the time given", () => {
    const [first] = generate("invocation-record", { seed: 1 });
    const [again] = generate("invocation-record", { seed: 1 });
    expect(first!.value.timestamp).toBe(again!.value.timestamp);
    const [now] = generate("invocation-record", { time: new Date("2030-05-06T07:08:09.010Z") });
    expect(now!.value.timestamp).toBe("2030-05-06T07:08:09.010Z");
  });
});

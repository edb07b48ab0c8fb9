/**
 * Matches the envelopes that arrive against the ones the demo expects, and says at the end what is missing,
 * what is wrong and what nobody asked for.
 */
import type { AnalyzedEnvelope } from "../envelopes/types.js";
import { describeExpected, type ExpectedEnvelope, mismatches, orderIdOf } from "./scenario.js";

export interface Arrival {
  envelope: AnalyzedEnvelope;
  /** "sns:order-success", "sqs:order-invocation-failure". */
  source: string;
  messageId?: string;
  receivedAt: Date;
  /** The expectation it answers; undefined for an envelope the demo did not expect. */
  expected?: ExpectedEnvelope;
  /** What is wrong with it; empty when it is exactly what was expected. */
  problems: string[];
}

export interface DemoVerdict {
  ok: boolean;
  missing: ExpectedEnvelope[];
  /** Arrivals with problems, unexpected ones included. */
  wrong: Arrival[];
}

export class DemoTracker {
  readonly arrivals: Arrival[] = [];
  readonly #expected: ExpectedEnvelope[];
  readonly #answered = new Map<ExpectedEnvelope, Arrival>();
  /** The id AWS gave each order: the SQS MessageId, or the async Invoke's RequestId. */
  readonly #identities = new Map<string, string>();
  #onComplete?: () => void;

  constructor(expected: ExpectedEnvelope[]) {
    this.#expected = expected;
  }

  get expected(): readonly ExpectedEnvelope[] {
    return this.#expected;
  }

  /** Resolves once every expected envelope has arrived (right or wrong). */
  readonly complete: Promise<void> = new Promise((resolve) => {
    this.#onComplete = resolve;
  });

  /** Records the MessageId or RequestId that AWS returned for an order, checked when the demo ends. */
  identify(orderId: string, id: string): void {
    this.#identities.set(orderId, id);
  }

  record(envelope: AnalyzedEnvelope, source: string, receivedAt: Date, messageId?: string): Arrival {
    const orderId = orderIdOf(envelope);
    const expected = this.#expected.find(
      (candidate) => candidate.order.orderId === orderId && !this.#answered.has(candidate),
    );
    const arrival: Arrival = { envelope, source, receivedAt, messageId, expected, problems: [] };
    if (expected) {
      arrival.problems = mismatches(expected, envelope, source);
      this.#answered.set(expected, arrival);
    } else {
      arrival.problems = [
        orderId === undefined
          ? "it names no order of this demo"
          : `order ${orderId} was already answered (a duplicate delivery)`,
      ];
    }
    this.arrivals.push(arrival);
    if (this.#answered.size === this.#expected.length) this.#onComplete?.();
    return arrival;
  }

  /** The final verdict, including the check that each envelope carries the id AWS returned for its order. */
  verdict(): DemoVerdict {
    for (const [expected, arrival] of this.#answered) {
      const id = this.#identities.get(expected.order.orderId);
      const carried = carriedId(arrival.envelope);
      if (id !== undefined && carried !== id) {
        const name = expected.kind === "processing-result" ? "message_id" : "requestId";
        arrival.problems.push(`${name} is ${carried ?? "missing"}, but AWS returned ${id} for the order`);
      }
    }
    const missing = this.#expected.filter((expected) => !this.#answered.has(expected));
    const wrong = this.arrivals.filter((arrival) => arrival.problems.length > 0);
    return { ok: missing.length === 0 && wrong.length === 0, missing, wrong };
  }
}

function carriedId(envelope: AnalyzedEnvelope): string | undefined {
  if (envelope.kind === "invocation-record") return envelope.summary.requestId;
  const payload = envelope.payload as { message_id?: unknown } | null;
  return typeof payload?.message_id === "string" ? payload.message_id : undefined;
}

/** One line per problem, for the error message: "order 1003: processing result FAILURE ... never arrived". */
export function describeVerdict(verdict: DemoVerdict): string[] {
  const lines = verdict.missing.map((expected) => `missing: ${describeExpected(expected)}`);
  for (const arrival of verdict.wrong) {
    const what = arrival.expected
      ? `wrong: ${describeExpected(arrival.expected)}`
      : `unexpected: ${arrival.envelope.kind ?? "payload of no known kind"} at ${arrival.source}`;
    lines.push(`${what}: ${arrival.problems.join("; ")}`);
  }
  return lines;
}

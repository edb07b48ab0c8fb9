import type { DestinationDelivery } from "./destination-delivery.js";
import {
  DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  type EventInvokeConfig,
} from "./event-invoke-config.js";
import { buildInvocationRecord, type RecordCondition } from "./invocation-record.js";
import type { LocalLogger } from "./local-logger.js";
import { type Lineage, withInvocation } from "./recursion-lineage.js";
import type { InvocationOutcome } from "./sandbox.js";

/** What the queue needs from its function; read at each step, so configuration changes apply at once. */
export interface AsyncFunctionHandle {
  name: string;
  /** The ARN as invoked, qualified, as records carry it (…:function:NAME:$LATEST, …:NAME:1, …:NAME:alias). */
  qualifiedArn: string;
  eventInvokeConfig(): EventInvokeConfig | undefined;
  /** The dead-letter queue or topic of the version that would run the event now, if it has one. */
  deadLetterTarget(): string | undefined;
  /** Sends a failed event to the dead-letter target (RequestID, ErrorCode and ErrorMessage attributes). */
  sendDeadLetter(
    letter: { target: string; requestId: string; event: string; errorCode: string; errorMessage: string },
    lineage: Lineage,
  ): Promise<void>;
  reservedConcurrency(): number | undefined;
  /** The function's key in a recursion lineage. */
  lineageKey: string;
  /** Whether recursive loop detection stops an event of this lineage (and says so on the log). */
  recursionStopped(lineage: Lineage): boolean;
  /** Runs the event on the version the qualifier resolves to now; says which (a number for an alias). */
  invoke(
    requestId: string,
    payload: string,
    lineage: Lineage,
  ): Promise<{ outcome: InvocationOutcome; executedVersion: string }>;
}

export interface AsyncInvocationQueueOptions {
  delivery: DestinationDelivery;
  logger: LocalLogger;
  /** Multiplies AWS's async timings: the retry delays and the maximum event age. */
  timeScale: number;
  /** How many events of this function run at the same time. */
  concurrency: number;
  now?: () => Date;
}

interface QueuedEvent {
  requestId: string;
  payload: string;
  receivedAt: number;
  attempts: number;
  lastOutcome?: InvocationOutcome;
  /** The version that ran the last attempt. */
  executedVersion?: string;
  /** The chain of requests the event belongs to (recursive loop detection). */
  lineage: Lineage;
}

/** Lambda waits about one minute before the first retry of a failed event and about two before the second. */
const RETRY_DELAYS_SECONDS = [60, 120];

/**
 * The asynchronous side of one function, as Lambda's internal event queue behaves: events run in arrival
 * order, a function error is retried up to MaximumRetryAttempts times after AWS's delays (scaled), an event
 * older than MaximumEventAgeInSeconds (scaled by the same factor, so the outcome is the one AWS would give) is
 * discarded, and every outcome becomes an invocation record for the configured destination.
 */
export class AsyncInvocationQueue {
  private readonly ready: QueuedEvent[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private readonly now: () => Date;

  constructor(
    private readonly fn: AsyncFunctionHandle,
    private readonly options: AsyncInvocationQueueOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  enqueue(requestId: string, payload: string, lineage: Lineage): void {
    if (this.stopped) return;
    this.ready.push({ requestId, payload, receivedAt: this.now().getTime(), attempts: 0, lineage });
    this.pump();
  }

  /** Drops what is queued and waiting for a retry (the function was deleted or the stack stops). */
  stop(): void {
    this.stopped = true;
    this.ready.length = 0;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.options.concurrency && this.ready.length > 0) {
      const event = this.ready.shift()!;
      this.running += 1;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.running -= 1;
        this.pump();
      };
      this.process(event, release)
        .catch((error: unknown) =>
          this.options.logger.error(
            `${this.fn.name}: async event ${event.requestId} dropped: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .finally(release);
    }
  }

  /**
   * One attempt at an event. `release` frees its place among the events running at once as soon as the
   * function has answered: the record's delivery does not hold up the next event (its sandbox is free).
   */
  private async process(event: QueuedEvent, release: () => void): Promise<void> {
    const config = this.fn.eventInvokeConfig();
    if (this.fn.reservedConcurrency() === 0) {
      await this.finish(event, "ZeroReservedConcurrency", config);
      return;
    }
    const maximumAgeMs =
      (config?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000 * this.options.timeScale;
    if (this.now().getTime() - event.receivedAt > maximumAgeMs) {
      await this.finish(event, "EventAgeExceeded", config);
      return;
    }
    if (event.attempts === 0 && this.fn.recursionStopped(event.lineage)) {
      // AWS would hand the event to a dead-letter queue or on-failure destination; the record it sends then
      // is not documented, so the local stack drops the event rather than invent one.
      this.options.logger.warn(`${this.fn.name}: async event ${event.requestId} dropped (recursive loop)`);
      return;
    }
    const { outcome, executedVersion } = await this.fn.invoke(event.requestId, event.payload, event.lineage);
    release();
    // Deleted or stopped meanwhile: the event goes nowhere, as on AWS when a function is deleted.
    if (this.stopped) return;
    event.attempts += 1;
    event.lastOutcome = outcome;
    event.executedVersion = executedVersion;
    if (outcome.functionError === undefined) {
      await this.finish(event, "Success", this.fn.eventInvokeConfig());
      return;
    }
    const retries = this.fn.eventInvokeConfig()?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
    if (event.attempts > retries) {
      await this.finish(event, "RetriesExhausted", this.fn.eventInvokeConfig());
      return;
    }
    const delayMs = (RETRY_DELAYS_SECONDS[event.attempts - 1] ?? 120) * 1000 * this.options.timeScale;
    this.options.logger.info(
      `${this.fn.name}: attempt ${event.attempts} of ${event.requestId} failed; retrying in ${formatDelay(delayMs)}`,
    );
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.stopped) return;
      this.ready.push(event);
      this.pump();
    }, delayMs);
    this.retryTimers.add(timer);
  }

  private async finish(
    event: QueuedEvent,
    condition: RecordCondition,
    config: EventInvokeConfig | undefined,
  ): Promise<void> {
    if (condition !== "Success") await this.sendDeadLetter(event);
    const destination = condition === "Success" ? config?.onSuccess : config?.onFailure;
    if (destination === undefined) {
      this.options.logger.info(
        `${this.fn.name}: ${event.requestId} ended ${condition}; no destination configured`,
      );
      return;
    }
    const outcome = condition === "ZeroReservedConcurrency" ? undefined : event.lastOutcome;
    const record = buildInvocationRecord({
      timestamp: this.now(),
      requestId: event.requestId,
      functionArn: this.fn.qualifiedArn,
      condition,
      approximateInvokeCount: event.attempts,
      requestPayload: event.payload,
      response: outcome && {
        executedVersion: event.executedVersion ?? "$LATEST",
        functionError: outcome.functionError,
        payload: outcome.payload,
      },
    });
    // What the function's run sends on belongs to the same chain, one invocation longer.
    const lineage = outcome ? withInvocation(event.lineage, this.fn.lineageKey) : event.lineage;
    await this.options.delivery.deliver(
      { destination, functionName: this.fn.name, requestId: event.requestId, condition },
      record,
      lineage,
    );
  }
  /**
   * The dead-letter queue gets the event itself when it failed after running (alongside any on-failure
   * destination, as on AWS): ErrorCode 200 and the function's errorMessage, as AWS's recorded DLQ message
   * shows. An event discarded before it ever ran (zero reserved concurrency, too old) has no such error; what
   * AWS sends then is not documented, so the local stack only logs it.
   */
  private async sendDeadLetter(event: QueuedEvent): Promise<void> {
    const target = this.fn.deadLetterTarget();
    if (target === undefined) return;
    const outcome = event.lastOutcome;
    if (!outcome) {
      this.options.logger.warn(
        `${this.fn.name}: ${event.requestId} never ran; not sent to its dead-letter target ${target}`,
      );
      return;
    }
    await this.fn.sendDeadLetter(
      {
        target,
        requestId: event.requestId,
        event: event.payload,
        errorCode: "200",
        errorMessage: errorMessageOf(outcome.payload),
      },
      withInvocation(event.lineage, this.fn.lineageKey),
    );
  }
}

function errorMessageOf(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // not JSON: the payload itself says what went wrong
  }
  return payload;
}

function formatDelay(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

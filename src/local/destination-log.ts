/** One record the stack sent to a function as its Lambda destination. */
export interface DestinationInvocation {
  sequence: number;
  requestId: string;
  receivedAt: string;
  /** The record, as text. */
  payload: string;
}

/** Records kept per function; the oldest go first. */
const DESTINATION_LOG_SIZE = 1_000;

/**
 * What the stack sent to each function as its Lambda destination, newest last, numbered across all functions:
 * AWS offers no way to read another function's input, but the local stack knows it (`tail function:NAME`
 * reads it through the service, after the last sequence number it saw).
 */
export class DestinationLog {
  private readonly byFunction = new Map<string, DestinationInvocation[]>();
  private sequence = 0;

  add(functionName: string, requestId: string, payload: string, at: Date = new Date()): void {
    const log = this.byFunction.get(functionName) ?? [];
    this.sequence += 1;
    log.push({ sequence: this.sequence, requestId, receivedAt: at.toISOString(), payload });
    if (log.length > DESTINATION_LOG_SIZE) log.shift();
    this.byFunction.set(functionName, log);
  }

  /** The function's entries after a sequence number, oldest first. */
  after(functionName: string, sequence: number): DestinationInvocation[] {
    return (this.byFunction.get(functionName) ?? []).filter((entry) => entry.sequence > sequence);
  }
}

import type { InvocationOutcome, InvocationRequest, Sandbox } from "./sandbox.js";

/**
 * The warm execution environments of one function. Reuses an idle sandbox when there is one, starts another
 * while fewer than `maxSize` exist, and otherwise queues the invocation (locally a wait is kinder than
 * Lambda's throttling error). `reset()` retires every sandbox, e.g. after UpdateFunctionCode.
 */
export class SandboxPool {
  private readonly idle: Sandbox[] = [];
  /** Every sandbox not yet retired, idle or busy. */
  private readonly all = new Set<Sandbox>();
  private readonly waiters: Array<() => void> = [];
  private live = 0;
  private generation = 0;
  private readonly generations = new WeakMap<Sandbox, number>();
  private stopped = false;

  constructor(
    private readonly startSandbox: () => Promise<Sandbox>,
    private maxSize: number,
  ) {}

  setMaxSize(maxSize: number): void {
    this.maxSize = maxSize;
    this.wake();
  }

  async invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    const sandbox = await this.acquire();
    try {
      return await sandbox.invoke(request);
    } finally {
      this.release(sandbox);
    }
  }

  reset(): void {
    this.generation += 1;
    for (const sandbox of this.idle.splice(0)) this.retire(sandbox);
  }

  /** Ends every environment, busy ones too (their invocations end as crashes), and refuses new work. */
  stop(): void {
    this.stopped = true;
    this.reset();
    for (const sandbox of this.all) this.retire(sandbox);
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async acquire(): Promise<Sandbox> {
    for (;;) {
      if (this.stopped) throw new Error("the function was deleted or the stack stopped");
      const warm = this.idle.pop();
      if (warm) {
        if (warm.alive) return warm;
        this.retire(warm);
        continue;
      }
      if (this.live < Math.max(1, this.maxSize)) {
        this.live += 1;
        try {
          const sandbox = await this.startSandbox();
          this.generations.set(sandbox, this.generation);
          this.all.add(sandbox);
          return sandbox;
        } catch (error) {
          this.live -= 1;
          this.wake();
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private release(sandbox: Sandbox): void {
    if (!sandbox.alive || this.stopped || this.generations.get(sandbox) !== this.generation) {
      this.retire(sandbox);
    } else {
      this.idle.push(sandbox);
    }
    this.wake();
  }

  private retire(sandbox: Sandbox): void {
    sandbox.dispose();
    if (this.all.delete(sandbox)) this.live -= 1;
  }

  private wake(): void {
    this.waiters.shift()?.();
  }
}

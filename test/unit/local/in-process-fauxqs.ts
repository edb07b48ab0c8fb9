/**
 * A real fauxqs app for one test at a time, called in process as the stack calls it (through InProcessAws),
 * with the stack's trace-header watcher installed, and a list of the actions sent to it.
 */
import { buildApp } from "fauxqs";
import { afterEach, beforeEach } from "vitest";
import { type InjectTarget, InProcessAws } from "../../../src/local/in-process-aws.js";
import { SqsTraceHeaders } from "../../../src/local/sqs-trace-headers.js";

const HOST = "127.0.0.1:4566";

export interface InProcessFauxqs {
  app: ReturnType<typeof buildApp>;
  aws: InProcessAws;
  traceHeaders: SqsTraceHeaders;
  /** The actions sent, in order, as `actionOf` names them (undefined: not listed). */
  actions: string[];
}

/** Builds the app before each test and closes it after; `use` receives each test's. */
export function useInProcessFauxqs(
  actionOf: (options: Parameters<InjectTarget["inject"]>[0]) => string | undefined,
  use: (fauxqs: InProcessFauxqs) => void,
): void {
  let app: ReturnType<typeof buildApp> | undefined;
  beforeEach(async () => {
    const built = buildApp({ logger: false, defaultRegion: "us-east-1" });
    app = built;
    const traceHeaders = new SqsTraceHeaders();
    traceHeaders.install(built);
    await built.ready();
    const actions: string[] = [];
    const target: InjectTarget = {
      inject: (options) => {
        const action = actionOf(options);
        if (action !== undefined) actions.push(action);
        return built.inject(options);
      },
    };
    use({ app: built, aws: new InProcessAws(target, "us-east-1", () => HOST), traceHeaders, actions });
  });
  afterEach(async () => {
    await app?.close();
  });
}

/** Every message the queue holds, received until it answers none (short polls). */
export async function receiveAll(
  aws: InProcessAws,
  queueUrl: string,
): Promise<Array<{ MessageId: string; Body: string }>> {
  const all: Array<{ MessageId: string; Body: string }> = [];
  for (;;) {
    const { Messages = [] } = await aws.sqs<{ Messages?: Array<{ MessageId: string; Body: string }> }>(
      "ReceiveMessage",
      { QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 },
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
  }
}

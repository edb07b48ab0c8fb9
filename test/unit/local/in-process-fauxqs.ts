/**
 * A real fauxqs app for one test at a time, called in process as the stack calls it (through InProcessAws),
 * with the stack's trace-header watcher installed, and a list of the actions sent to it. With `direct`, the
 * app has the stack's handle on fauxqs's stores and SQS sends skip the request, as in the stack.
 */
import { buildApp } from "fauxqs";
import { afterEach, beforeEach } from "vitest";
import { createFauxqsStores } from "../../../src/local/fauxqs-stores.js";
import { type InjectTarget, InProcessAws } from "../../../src/local/in-process-aws.js";
import { SqsTraceHeaders } from "../../../src/local/sqs-trace-headers.js";

const HOST = "127.0.0.1:4566";

export interface InProcessFauxqs {
  app: ReturnType<typeof buildApp>;
  aws: InProcessAws;
  traceHeaders: SqsTraceHeaders;
  /** The actions sent, in order, as `actionOf` names them (undefined: not listed), direct calls included. */
  actions: string[];
  /** Those of them that went as requests. */
  requested: string[];
}

/** Builds the app before each test and closes it after; `use` receives each test's. */
export function useInProcessFauxqs(
  actionOf: (options: Parameters<InjectTarget["inject"]>[0]) => string | undefined,
  use: (fauxqs: InProcessFauxqs) => void,
  options: { direct?: boolean } = {},
): void {
  let app: ReturnType<typeof buildApp> | undefined;
  beforeEach(async () => {
    const fauxqs = options.direct ? await createFauxqsStores() : undefined;
    if (options.direct && fauxqs?.sqs === undefined)
      throw new Error("fauxqs's SQS handlers are not reachable");
    const built = buildApp({ logger: false, defaultRegion: "us-east-1", stores: fauxqs?.stores });
    app = built;
    const traceHeaders = new SqsTraceHeaders();
    traceHeaders.install(built);
    await built.ready();
    const actions: string[] = [];
    const requested: string[] = [];
    const target: InjectTarget = {
      inject: (options) => {
        const action = actionOf(options);
        if (action !== undefined) {
          actions.push(action);
          requested.push(action);
        }
        return built.inject(options);
      },
    };
    const call = fauxqs?.sqs;
    const direct =
      call &&
      ({
        call: (action, body) => {
          actions.push(action);
          return call(action, body);
        },
        traceHeaders,
      } satisfies ConstructorParameters<typeof InProcessAws>[3]);
    use({
      app: built,
      aws: new InProcessAws(target, "us-east-1", () => HOST, direct),
      traceHeaders,
      actions,
      requested,
    });
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

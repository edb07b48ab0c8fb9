import type { BuildAppOptions } from "fauxqs";
import { InProcessAwsError } from "./in-process-aws.js";

type Stores = NonNullable<BuildAppOptions["stores"]>;

/** The part of fauxqs's SQS queue the event source mappings rely on: its FIFO group locks. */
interface FauxqsQueue {
  fifoLockedGroups?: Map<string, number>;
}

interface FauxqsSqsStore {
  getQueueByArn(arn: string): FauxqsQueue | undefined;
}

/** The SQS actions the stack calls in fauxqs without a request around them: every record it delivers is one. */
export type DirectSqsAction = "SendMessage" | "SendMessageBatch";

/**
 * Runs one of fauxqs's SQS actions on the stack's SQS store, as fauxqs's router runs it for a request with
 * this (parsed) body: its answer document, or the InProcessAwsError a request would have ended with (the SQS
 * error's code, or "Error" for a fault of fauxqs's own, which it answers with a 500). The body is handed over,
 * not copied.
 */
export type DirectSqsCall = (
  action: DirectSqsAction,
  body: Record<string, unknown>,
) => Record<string, unknown>;

export interface FauxqsInternals {
  stores: Stores;
  /** Undefined when fauxqs's action handlers are not where this version keeps them. */
  sqs?: DirectSqsCall;
}

const sqsStores = new WeakMap<object, FauxqsSqsStore>();

/**
 * fauxqs's stores, made here so that the stack keeps a handle on the SQS one (buildApp takes them as an
 * option but does not give them back), and its SendMessage and SendMessageBatch handlers bound to that store.
 * Neither is exported by fauxqs's entry point: they are loaded from beside it, the way buildApp itself loads
 * them (package.json pins fauxqs's version). Undefined if the stores are not where this version keeps them:
 * buildApp then makes its own, FIFO batches are what fauxqs gives, and every call goes through requests.
 */
export async function createFauxqsStores(): Promise<FauxqsInternals | undefined> {
  let stores: Stores;
  let load: (file: string) => Promise<Record<string, unknown>>;
  try {
    const entry = import.meta.resolve("fauxqs");
    load = (file: string) => import(new URL(file, entry).href);
    const [sqs, sns, s3] = await Promise.all([
      load("./sqs/sqsStore.js"),
      load("./sns/snsStore.js"),
      load("./s3/s3Store.js"),
    ]);
    stores = {
      sqsStore: new (sqs.SqsStore as new () => Stores["sqsStore"])(),
      snsStore: new (sns.SnsStore as new () => Stores["snsStore"])(),
      s3Store: new (s3.S3Store as new () => Stores["s3Store"])(),
    };
  } catch {
    return undefined;
  }
  return { stores, sqs: await loadDirectSqs(load, stores.sqsStore) };
}

type FauxqsAction = (body: Record<string, unknown>, store: unknown) => Record<string, unknown>;

async function loadDirectSqs(
  load: (file: string) => Promise<Record<string, unknown>>,
  store: unknown,
): Promise<DirectSqsCall | undefined> {
  try {
    const [send, sendBatch, errors] = await Promise.all([
      load("./sqs/actions/sendMessage.js"),
      load("./sqs/actions/sendMessageBatch.js"),
      load("./common/errors.js"),
    ]);
    const actions: Record<DirectSqsAction, unknown> = {
      SendMessage: send.sendMessage,
      SendMessageBatch: sendBatch.sendMessageBatch,
    };
    const SqsError = errors.SqsError;
    if (
      typeof actions.SendMessage !== "function" ||
      typeof actions.SendMessageBatch !== "function" ||
      typeof SqsError !== "function"
    )
      return undefined;
    return (action, body) => {
      try {
        return (actions[action] as FauxqsAction)(body, store);
      } catch (error) {
        if (error instanceof (SqsError as new () => Error))
          throw new InProcessAwsError(String((error as { code?: unknown }).code), error.message);
        throw new InProcessAwsError("Error", error instanceof Error ? error.message : String(error));
      }
    };
  } catch {
    return undefined;
  }
}

/** Lets whoever holds `owner` (the stack's in-process AWS client) reach the SQS store's group locks. */
export function attachSqsStore(owner: object, stores: Stores | undefined): void {
  if (stores) sqsStores.set(owner, stores.sqsStore as unknown as FauxqsSqsStore);
}

/**
 * The message groups of a FIFO queue that have messages in flight, with how many. fauxqs hands out one
 * message per group and then locks the group until that message is deleted or visible again; undefined when
 * the store is not reachable (the poller then takes what fauxqs gives).
 */
export function fifoGroupLocks(owner: object, queueArn: string): Map<string, number> | undefined {
  const locks = sqsStores.get(owner)?.getQueueByArn(queueArn)?.fifoLockedGroups;
  return locks instanceof Map ? locks : undefined;
}

import type { BuildAppOptions } from "fauxqs";

type Stores = NonNullable<BuildAppOptions["stores"]>;

/** The part of fauxqs's SQS queue the event source mappings rely on: its FIFO group locks. */
interface FauxqsQueue {
  fifoLockedGroups?: Map<string, number>;
}

interface FauxqsSqsStore {
  getQueueByArn(arn: string): FauxqsQueue | undefined;
}

const sqsStores = new WeakMap<object, FauxqsSqsStore>();

/**
 * fauxqs's stores, made here so that the stack keeps a handle on the SQS one (buildApp takes them as an
 * option but does not give them back). The classes are not exported by fauxqs's entry point: they are loaded
 * from beside it, the way buildApp itself loads them (package.json pins fauxqs's version). Undefined if they
 * are not where this version keeps them: buildApp then makes its own, and FIFO batches are what fauxqs gives.
 */
export async function createFauxqsStores(): Promise<Stores | undefined> {
  try {
    const entry = import.meta.resolve("fauxqs");
    const load = (file: string) => import(new URL(file, entry).href);
    const [sqs, sns, s3] = await Promise.all([
      load("./sqs/sqsStore.js"),
      load("./sns/snsStore.js"),
      load("./s3/s3Store.js"),
    ]);
    return { sqsStore: new sqs.SqsStore(), snsStore: new sns.SnsStore(), s3Store: new s3.S3Store() };
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

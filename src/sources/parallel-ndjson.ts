/**
 * A large NDJSON file read by worker threads and the main thread: the main thread cuts the file into segments
 * of whole lines, numbers their lines and items (a cheap scan of the bytes), and hands each segment to a
 * worker, which turns it into items and whatever the caller's worker module makes of them; while every worker
 * has its segments queued, the main thread takes the next one itself. Results come back in input order, with
 * the same line numbers, item indexes and byte offsets as a single-thread read of the file; at most a few
 * segments are in flight at once, so the data held does not grow with the file (each worker is a V8 isolate
 * of its own, though, whose resident memory grows somewhat over a long run).
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type { Worker } from "node:worker_threads";
import { sniffNdjson } from "./read-items.js";

/** Files larger than this are read by worker threads (when there are PARALLEL_MIN_CORES cores). */
export const PARALLEL_MIN_BYTES = 50 * 1024 * 1024;
/**
 * Two cores are enough: the main thread and one worker. On the benchmark's realistic mix (149 MB) they took
 * 0.92 (-q) and 0.97 (--json) of the bare JSON.parse + Ajv loop's time, in five interleaved rounds on a
 * 2-core machine, where two workers beside a main thread that only read took 1.02 and 1.06.
 */
export const PARALLEL_MIN_CORES = 2;
/**
 * Worker threads at the most, besides the main thread, which works too: each costs its own heap, and its
 * own start-up and compiling of the hot code (see parallelNdjson).
 */
const MAX_WORKERS = 2;
/** Bytes per segment sent to a worker (a longer line makes its segment longer). */
const SEGMENT_BYTES = 256 * 1024;
/**
 * Segments queued per worker: one being worked on, two waiting. The main thread also writes the output, so
 * a segment it takes can last longer than one of the worker's; with two queued the worker sometimes ran dry
 * (--json on the realistic mix: 1.03 of the bare loop's time against 0.97 with three, five interleaved rounds).
 */
const IN_FLIGHT_PER_WORKER = 3;
/** Segments read and not yet given back in order, at most: bounds the memory held for results. */
const WINDOW = 8;
/**
 * The memory a segment is read into: room for the segment and what is left of a line cut at the last one's
 * end. Such buffers are read into again once their segment is done (on the main thread, or handed back by a
 * worker), and the file is read into the same dozen of them from start to end: a fresh buffer for every
 * segment was memory the kernel had to map and zero each time.
 */
const SEGMENT_CAPACITY = 2 * SEGMENT_BYTES;
/** Buffers kept for reuse, at most: more than are ever in flight at once. */
const SPARE_BUFFERS = WINDOW + 4;
const WORKER_YOUNG_GENERATION_MB = 4;
const LINE_FEED = 0x0a;
const SNIFF_BYTES = 256 * 1024;

/** What a worker module posts once it is set up and can take segments. */
export const WORKER_READY = "ready";

/**
 * What a worker receives: whole lines (the input's last line too when `last`), where they start. Its answer
 * may hand `bytes` back, transferred, as `spent` (see SpentSegment): the next segments are read into them.
 */
export interface Segment {
  seq: number;
  bytes: Uint8Array;
  lineNumber: number;
  index: number;
  consumed: number;
  last: boolean;
}

/** What a worker's answer may add: the segment's bytes, given back (and transferred) once it is done. */
export interface SpentSegment {
  spent?: Uint8Array;
}

/** A large NDJSON file that the worker path can read. */
export interface ParallelPlan {
  path: string;
  /** Where the first line starts (after a byte order mark). */
  start: number;
  size: number;
}

/**
 * Whether `source` should be read by worker threads: a regular file over `minBytes` whose first line makes
 * it NDJSON and which holds at least two items in its first 256 KB (a one-item file is a document).
 */
export function parallelPlan(
  source: string,
  cwd: string,
  minBytes: number,
  minCores = PARALLEL_MIN_CORES,
): ParallelPlan | undefined {
  if (source === "-") return undefined;
  const path = resolve(cwd, source);
  let fd: number | undefined;
  try {
    const info = statSync(path);
    if (!info.isFile() || info.size <= minBytes || cores() < Math.max(2, minCores)) return undefined;
    fd = openSync(path, "r");
    const head = Buffer.allocUnsafe(Math.min(SNIFF_BYTES, info.size));
    const length = readSync(fd, head, 0, head.length, 0);
    const sniffed = sniffNdjson(head.subarray(0, length));
    if (!sniffed.ndjson) return undefined;
    const body = head.subarray(sniffed.start, length);
    let items = 0;
    let lineStart = 0;
    for (let newline = body.indexOf(LINE_FEED); newline !== -1 && items < 2; ) {
      if (!isBlankLine(body, lineStart, newline)) items++;
      lineStart = newline + 1;
      newline = body.indexOf(LINE_FEED, lineStart);
    }
    return items >= 2 ? { path, start: sniffed.start, size: info.size } : undefined;
  } catch {
    // Whatever went wrong, the single-thread reader meets it again and reports it.
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The results of every segment of the file, in input order. Worker threads (`workers`, or one a core but one,
 * at most MAX_WORKERS) run the module `workerUrl`, which receives `workerData`, posts WORKER_READY once it is
 * set up, then receives Segment messages and answers each with one message (`{ seq, ...its result }`), which
 * should give the segment's bytes back (`spent`, transferred): they are read into again, as are those of a
 * segment `local` has returned from, which must not keep them. The main thread reads, keeps the ready workers
 * busy and hands back the results, and runs `local` on a segment itself whenever every ready worker has
 * IN_FLIGHT_PER_WORKER segments queued, and while no worker is ready yet (`validate`'s takes some 90 ms to
 * load its modules); `waitForWorkers` keeps it from starting before a worker is ready, which lets even a
 * small file reach the workers, and `mainThreadWorks: false` leaves every segment to the workers. On 2 cores
 * the main thread and one worker cost less than two workers with the main thread only reading: every V8
 * isolate that runs the hot code compiles it again (TurboFan, on V8's own threads, about a billion
 * instructions each under callgrind) and one worker fewer starts up. Throws what reading the file throws
 * (after the results of the lines read before it).
 */
export async function* parallelNdjson<R extends { seq: number } & SpentSegment>(
  plan: ParallelPlan,
  workerUrl: URL,
  workerData: unknown,
  local: (segment: Segment) => R,
  {
    waitForWorkers = false,
    workers: asked,
    mainThreadWorks = true,
  }: { waitForWorkers?: boolean; workers?: number; mainThreadWorks?: boolean } = {},
): AsyncGenerator<R> {
  // Loaded here, not at start-up: a one-file validate never pays for the worker machinery.
  const { Worker } = await import("node:worker_threads");
  const inlineAgain = compileWithoutInlining();
  const count = asked ?? Math.max(1, Math.min(MAX_WORKERS, cores() - 1));
  const workers: Worker[] = [];
  const busy: number[] = [];
  const ready: boolean[] = [];
  let readyCount = 0;
  const done = new Map<number, R>();
  const spare: ArrayBuffer[] = [];
  const giveBack = (bytes: Uint8Array) => {
    if (spare.length < SPARE_BUFFERS && bytes.buffer.byteLength === SEGMENT_CAPACITY) {
      spare.push(bytes.buffer as ArrayBuffer);
    }
  };
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  for (let index = 0; index < count; index++) {
    // A small young generation: a worker holds two segments at a time, and its memory counts in the peak.
    const worker = new Worker(workerUrl, {
      workerData,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    worker.on("message", (result: R | typeof WORKER_READY) => {
      if (result === WORKER_READY) {
        ready[index] = true;
        readyCount++;
        if (readyCount === count) keepYoungGenerationsSmall();
        notify();
        return;
      }
      busy[index]!--;
      if (result.spent) {
        giveBack(result.spent);
        result.spent = undefined;
      }
      done.set(result.seq, result);
      notify();
    });
    worker.on("error", (error) => {
      failure ??= error;
      notify();
    });
    worker.on("exit", (code) => {
      if (code !== 0) failure ??= new Error(`a worker thread stopped (exit code ${code})`);
      notify();
    });
    workers.push(worker);
    busy.push(0);
    ready.push(false);
  }
  const fd = openSync(plan.path, "r");
  try {
    const segments = segmentsOf(fd, plan, spare);
    let read = 0;
    let next = 0;
    let finished = false;
    const take = (): Segment | undefined => {
      if (finished || read - next >= WINDOW) return undefined;
      const segment = segments.next();
      if (segment.done) {
        finished = true;
        return undefined;
      }
      read++;
      return segment.value;
    };
    const mainThreadTakes = () => {
      if (readyCount === 0) return !waitForWorkers;
      if (!mainThreadWorks) return false;
      for (let index = 0; index < count; index++) {
        if (ready[index] && busy[index]! < IN_FLIGHT_PER_WORKER) return false;
      }
      return true;
    };
    for (;;) {
      // Keep every ready worker busy.
      for (let index = 0; index < count; index++) {
        while (ready[index] && busy[index]! < IN_FLIGHT_PER_WORKER) {
          const segment = take();
          if (!segment) break;
          busy[index]!++;
          workers[index]!.postMessage(segment, [segment.bytes.buffer as ArrayBuffer]);
        }
      }
      const result = done.get(next);
      if (result) {
        done.delete(next);
        next++;
        yield result;
        continue;
      }
      if (failure) throw failure;
      if (finished && next === read) return;
      // Every ready worker has its segments queued, or none is ready yet: the main thread takes one.
      const segment = mainThreadTakes() ? take() : undefined;
      // Asking for it may have found the end.
      if (finished && next === read) return;
      if (segment) {
        done.set(segment.seq, local(segment));
        giveBack(segment.bytes);
        // Let the workers' answers in.
        await new Promise<void>((resume) => setImmediate(resume));
        continue;
      }
      await new Promise<void>((resume) => {
        wake = resume;
      });
    }
  } finally {
    closeSync(fd);
    await Promise.all(workers.map((worker) => worker.terminate()));
    inlineAgain();
  }
}

/**
 * Turns TurboFan's inlining off while the threads run, and returns what turns it on again. Every isolate
 * compiles the hot code again, on V8's own threads, and on 2 cores those compete with the two threads that
 * run it: without inlining, each optimised function is smaller to compile. On the realistic mix (Node 20,
 * 2 cores, five interleaved rounds) `--json` took 1.45-1.56 s without inlining and 1.53-1.62 s with it, and
 * `-q` 1.32-1.71 s against 1.40-1.78 s; on one thread it made no difference, so it is left on there. V8's
 * flags are the process's (the workers' too), and V8 reads this one as it starts each compile. Measured on
 * Node 20 (V8 11) only, so elsewhere nothing changes.
 */
function compileWithoutInlining(): () => void {
  if (!process.versions.v8.startsWith("11.")) return () => {};
  const v8 = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
  v8.setFlagsFromString("--no-turbo-inlining");
  return () => v8.setFlagsFromString("--turbo-inlining");
}

/**
 * Stops V8 growing the young generations any further. The main thread's young generation otherwise grows
 * to 32 MB over a long file (it receives results that wait their turn, so they survive a scavenge or two),
 * and the memory of the segments and writes it has let go waits for those rarer scavenges: on the 1 GB file
 * (--json, 2 workers) peak RSS was 143-176 MiB, median 167, in sixteen runs without this and 143-148 MiB,
 * median 146, in eight with it; the main thread then stays at 4 MB, and the workers are at their 4 MB limit
 * by the time they are ready. V8's flags are the process's and a worker starting up undoes this one, hence
 * once every worker is ready. The main thread then scavenges more often: with validate-segment.ts's
 * result buffer, 3% more instructions under callgrind (20,000 lines of the realistic mix, every segment on
 * the workers), not seen in the wall or CPU time of whole runs. Measured on Node 20 (V8 11); elsewhere it
 * is left alone, as V8 writes to stdout about a flag it does not know and some later versions raise the
 * factor to 2 anyway.
 */
function keepYoungGenerationsSmall() {
  if (!process.versions.v8.startsWith("11.")) return;
  (createRequire(import.meta.url)("node:v8") as typeof import("node:v8")).setFlagsFromString(
    "--semi-space-growth-factor=1",
  );
}

/**
 * The file cut into segments of whole lines, each numbered (lines, items, bytes) where it starts. Each is
 * read into a buffer from `spare` when one is there, else into a new one of SEGMENT_CAPACITY bytes (larger
 * for a line longer than that, and then never kept). Not zeroed (allocUnsafeSlow has a memory of its own,
 * not the shared pool's, which a worker can be given): only the bytes read are ever looked at, and zeroing
 * them cost the main thread 28 million instructions on 20,000 lines of the realistic mix under callgrind.
 */
function* segmentsOf(fd: number, plan: ParallelPlan, spare: ArrayBuffer[]): Generator<Segment> {
  let position = plan.start;
  let carry: Buffer = Buffer.alloc(0);
  const cursor = { lineNumber: 0, index: 0, consumed: 0 };
  for (let seq = 0; ; seq++) {
    // Room for a segment after what is carried over, as long as a segment always was.
    const size = carry.length + SEGMENT_BYTES;
    const reused = size <= SEGMENT_CAPACITY ? spare.pop() : undefined;
    let bytes = reused
      ? Buffer.from(reused, 0, size)
      : Buffer.from(Buffer.allocUnsafeSlow(Math.max(size, SEGMENT_CAPACITY)).buffer, 0, size);
    carry.copy(bytes);
    let filled = carry.length;
    let last = false;
    let cut: number;
    for (;;) {
      if (filled === bytes.length) {
        // Full: cut after the last line feed, or make room for a line longer than a segment.
        const newline = bytes.lastIndexOf(LINE_FEED);
        if (newline !== -1) {
          cut = newline + 1;
          break;
        }
        const larger = Buffer.allocUnsafeSlow(bytes.length * 2);
        bytes.copy(larger);
        bytes = larger;
      }
      const read = readSync(fd, bytes, filled, bytes.length - filled, position);
      if (read === 0) {
        last = true;
        cut = filled;
        break;
      }
      position += read;
      filled += read;
    }
    const segmentBytes = new Uint8Array(bytes.buffer, bytes.byteOffset, cut);
    carry = Buffer.from(bytes.subarray(cut, filled));
    const segment: Segment = { seq, bytes: segmentBytes, ...cursor, last };
    countLines(bytes.subarray(0, cut), cursor, last);
    yield segment;
    if (last) return;
  }
}

/** Moves the cursor past whole lines: a line is an item unless it is blank (as `String.trim` says). */
function countLines(
  bytes: Buffer,
  cursor: { lineNumber: number; index: number; consumed: number },
  last: boolean,
) {
  let start = 0;
  for (let newline = bytes.indexOf(LINE_FEED); newline !== -1; newline = bytes.indexOf(LINE_FEED, start)) {
    if (!isBlankLine(bytes, start, newline)) cursor.index++;
    cursor.lineNumber++;
    start = newline + 1;
  }
  if (last && start < bytes.length && !isBlankLine(bytes, start, bytes.length)) cursor.index++;
  cursor.consumed += bytes.length;
}

/** True when the line is empty or only white space once decoded (String.trim's white space, U+FEFF too). */
function isBlankLine(bytes: Buffer, start: number, end: number): boolean {
  if (start === end) return true;
  const first = bytes[start]!;
  // A JSON line starts with a printable ASCII character; only white space, and the lead bytes of the
  // non-ASCII white space characters (C2, E1, E2, E3, EF), need a closer look.
  if (first > 0x20 && first < 0x7f) return false;
  return bytes.toString("utf8", start, end).trim() === "";
}

/** The cores this process may use; node:os is loaded only for a file big enough to ask. */
function cores(): number {
  const { availableParallelism } = createRequire(import.meta.url)("node:os") as typeof import("node:os");
  return availableParallelism();
}

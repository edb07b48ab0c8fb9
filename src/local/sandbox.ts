import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { type LocalLogger, silentLogger } from "./local-logger.js";
import { type RuntimeApiReply, type RuntimeApiRequest, RuntimeApiServer } from "./runtime-api-server.js";
import type { RuntimeCommand } from "./runtimes.js";

export interface SandboxSpec {
  functionName: string;
  command: RuntimeCommand;
  /** The function's environment, without AWS_LAMBDA_RUNTIME_API (each sandbox has its own). */
  environment: Record<string, string>;
  codeDirectory: string;
  timeoutSeconds: number;
  memorySize: number;
  version: string;
}

export interface InvocationRequest {
  requestId: string;
  /** The event as JSON text, passed to the runtime byte for byte. */
  payload: string;
  invokedFunctionArn: string;
  /** X-Ray trace header of this invocation (Lambda-Runtime-Trace-Id), carrying its recursion lineage. */
  traceId: string;
}

export interface InvocationOutcome {
  requestId: string;
  /** What the runtime answered: the result's JSON, or an error object's JSON. */
  payload: string;
  /** "Unhandled" when the function failed (error thrown, timeout, crash, init error). */
  functionError?: "Unhandled";
  /** START ... END ... REPORT lines and everything the function wrote in between. */
  logs: string;
  coldStart: boolean;
  durationMs: number;
}

interface CurrentInvocation {
  request: InvocationRequest;
  delivered: boolean;
  /** Whether the runtime was started again for this invocation (it may be, once). */
  restarted?: boolean;
  startedAt: number;
  output: string;
  timer?: NodeJS.Timeout;
  resolve(outcome: InvocationOutcome): void;
}

/** One of the child's two output pipes: the part of a line not yet ended, and whether the end mark came. */
interface OutputStream {
  pending: string;
  marked: boolean;
}

/**
 * How an invocation ended, for the REPORT line. Lambda's current log format adds "Status: timeout" after a
 * time-out and "Status: error" with "Error Type: Runtime.ExitError" after a runtime crash (Lambda developer
 * guide, "Lambda execution environment lifecycle", "Failures during the invoke phase": "REPORT RequestId: ...
 * Max Memory Used: 31 MB Init Duration: 80.00 ms Status: error Error Type: Runtime.ExitError" and "...
 * Status: timeout").
 */
interface EndStatus {
  status: "error" | "timeout";
  errorType?: string;
}

/** How long a runtime may take to start and ask for its first event (Lambda's init phase limit). */
const INIT_TIMEOUT_MS = 10_000;
/**
 * How long a finished invocation waits for the end marks on stdout and stderr before its log is closed
 * anyway (a function that closed or took over its own output descriptors never writes them).
 */
const OUTPUT_DRAIN_MS = 1_000;
/** Logs kept per invocation; LogType Tail returns the last 4 KB of them. */
const MAX_LOG_CHARS = 64 * 1024;
const RUNTIME_PATH = "/2018-06-01/runtime";
const NEXT_PATH = `${RUNTIME_PATH}/invocation/next`;
const INIT_ERROR_PATH = `${RUNTIME_PATH}/init/error`;
const INVOCATION_PREFIX = `${RUNTIME_PATH}/invocation/`;
/** Room for /proc/PID/status (about 1.5 kB on Linux); VmHWM is in its first half. Shared: reads are synchronous. */
const statusBuffer = Buffer.alloc(8192);
/**
 * What a runtime may post as a response or an error: AWS's Runtime API answers 413 "Exceeded maximum allowed
 * payload size (6291556 bytes)." past it, and the invocation fails with Function.ResponseSizeTooLarge.
 */
export const MAX_RESPONSE_BYTES = 6_291_556;
/** The names Go (Lambda's init process) gives the signals a runtime can die of: "signal: killed". */
const SIGNAL_NAMES: Record<string, string> = {
  SIGKILL: "killed",
  SIGTERM: "terminated",
  SIGSEGV: "segmentation fault",
  SIGABRT: "aborted",
  SIGBUS: "bus error",
  SIGFPE: "floating point exception",
  SIGILL: "illegal instruction",
  SIGINT: "interrupt",
  SIGHUP: "hangup",
  SIGQUIT: "quit",
  SIGPIPE: "broken pipe",
  SIGTRAP: "trace/breakpoint trap",
  SIGALRM: "alarm clock",
  SIGUSR1: "user defined signal 1",
  SIGUSR2: "user defined signal 2",
};

/**
 * One execution environment: a child process running a runtime bootstrap, and the Runtime API server that
 * process polls for events. Serves one invocation at a time and stays warm between them; a timeout kills it,
 * a crash or an init error ends it (the pool then starts a fresh one).
 *
 * The Runtime API listens on 127.0.0.1 only, under a path prefix made of 128 random bits that only the child
 * learns (AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT/SECRET): another local process, or a web page, that finds the
 * port can neither read the next event nor post a result.
 */
export class Sandbox {
  private child?: ChildProcess;
  private waitingNext?: RuntimeApiReply;
  private current?: CurrentInvocation;
  /**
   * The invocation whose response just came in, until its log is complete. The function wrote its output
   * before it posted the response, but output and response arrive on different descriptors and the response
   * can be read first, by any margin. So the bootstrap, just before it posts, writes an end mark (a NUL, this
   * sandbox's secret and the request id) on stdout and on stderr, and the log is closed once both marks have
   * been read: everything the function wrote before it returned is then in.
   */
  private finishing?: { invocation: CurrentInvocation; complete(): void; timer: NodeJS.Timeout };
  private readonly streams: Record<"stdout" | "stderr", OutputStream> = {
    stdout: { pending: "", marked: false },
    stderr: { pending: "", marked: false },
  };
  /** The highest resident memory the runtime process has used, in kB (Linux's VmHWM), when last read. */
  private peakMemoryKb?: number;
  /** /proc/PID/status of the runtime process, kept open while it runs. */
  private status?: { pid: number; fd: number };
  private initError?: string;
  private dead = false;
  private invocations = 0;
  private readonly spawnedAt = performance.now();
  private initDurationMs?: number;
  private initTimer?: NodeJS.Timeout;
  private runtimeApiPort = 0;
  private readonly secret = Buffer.from(randomBytes(16).toString("base64url"));
  /** What the bootstrap writes before the request id of the invocation it is about to answer. */
  private readonly markPrefix = `\u0000${this.secret.toString()} `;
  private readonly server: RuntimeApiServer;

  private constructor(
    private readonly spec: SandboxSpec,
    private readonly logger: LocalLogger,
  ) {
    this.server = new RuntimeApiServer({
      authorize: (target) => this.authorizedPath(target),
      forbidden: {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ errorMessage: "Forbidden", errorType: "Runtime.Forbidden" }),
      },
      maxBodyBytes: MAX_RESPONSE_BYTES,
      handle: (request, reply) => this.handleRuntimeApi(request, reply),
    });
  }

  static async start(spec: SandboxSpec, logger: LocalLogger): Promise<Sandbox> {
    const sandbox = new Sandbox(spec, logger);
    sandbox.spawn(await sandbox.server.listen());
    return sandbox;
  }

  get alive(): boolean {
    return !this.dead;
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    if (this.dead || this.current) throw new Error("sandbox is not available");
    return new Promise((resolve) => {
      this.current = { request, delivered: false, startedAt: performance.now(), output: "", resolve };
      if (this.initError !== undefined) {
        this.finish(this.initError, true, { waitForOutput: false });
        return;
      }
      if (this.waitingNext) {
        const response = this.waitingNext;
        this.waitingNext = undefined;
        this.deliver(response);
      }
    });
  }

  dispose(): void {
    this.dead = true;
    clearTimeout(this.initTimer);
    if (this.child && this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill("SIGKILL");
    this.waitingNext?.destroy();
    this.closeStatus();
    this.server.close();
  }

  private spawn(runtimeApiPort: number): void {
    this.runtimeApiPort = runtimeApiPort;
    const { command, args } = this.spec.command;
    const child = spawn(command, args, {
      cwd: this.spec.codeDirectory,
      env: {
        ...this.spec.environment,
        AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${runtimeApiPort}/${this.secret.toString()}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (text: string) => this.onOutput("stdout", text));
    child.stderr?.on("data", (text: string) => this.onOutput("stderr", text));
    child.on("error", (error) => {
      this.logger.error(`${this.spec.functionName}: cannot start ${command}: ${error.message}`);
      this.onExit(null, null);
    });
    // "close" rather than "exit": it fires once stdout and stderr are drained, so the logs are complete.
    child.on("close", (code, signal) => this.onExit(code, signal));
    this.initTimer = setTimeout(() => {
      if (!this.current?.delivered) this.timeOut();
    }, INIT_TIMEOUT_MS);
  }

  /** Output of one pipe, split in lines: end marks are taken out, the rest goes to the invocation's log. */
  private onOutput(name: "stdout" | "stderr", text: string): void {
    const stream = this.streams[name];
    const pending = stream.pending + text;
    stream.pending = "";
    // One pass with a cursor, and one append per run of ordinary lines: a chunk of many short lines costs
    // its own length, not its length times its number of lines.
    let from = 0;
    let kept = 0;
    let mark = pending.indexOf(this.markPrefix);
    for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n", from)) {
      const lineStart = from;
      from = newline + 1;
      if (mark < 0 || mark > newline) continue;
      // A line the function left unended when it returned comes before the mark.
      this.appendOutput(pending.slice(kept, mark) + (mark > lineStart ? "\n" : ""));
      kept = from;
      // The marks usually come before the answer they announce, sometimes after it.
      const invocation = this.current ?? this.finishing?.invocation;
      if (pending.slice(mark + this.markPrefix.length, newline) === invocation?.request.requestId) {
        stream.marked = true;
        if (this.streams.stdout.marked && this.streams.stderr.marked) this.finishing?.complete();
      }
      mark = pending.indexOf(this.markPrefix, from);
    }
    this.appendOutput(pending.slice(kept, from));
    stream.pending = pending.slice(from);
    // A line that never ends is still kept, in pieces.
    if (stream.pending.length > MAX_LOG_CHARS) {
      this.appendOutput(stream.pending);
      stream.pending = "";
    }
  }

  /** Lines that were written but not yet ended go to the log as they are (the invocation is over). */
  private flushPendingOutput(): void {
    for (const stream of Object.values(this.streams)) {
      if (stream.pending !== "") this.appendOutput(`${stream.pending}\n`);
      stream.pending = "";
    }
  }

  private appendOutput(text: string): void {
    if (text === "") return;
    if (this.logger !== silentLogger) {
      for (const line of text.split("\n")) {
        if (line !== "") this.logger.info(`[${this.spec.functionName}] ${line}`);
      }
    }
    const target = this.current ?? this.finishing?.invocation;
    if (target) {
      target.output += text;
      if (target.output.length > MAX_LOG_CHARS) target.output = target.output.slice(-MAX_LOG_CHARS);
    }
  }

  /**
   * Reads the runtime's peak resident memory; where /proc is missing, the REPORT line goes without it. The
   * status file stays open for the process's life and is read again from its start each time (one read
   * instead of an open, a read and a close after every invocation).
   */
  private samplePeakMemory(): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.child?.exitCode !== null || this.child?.signalCode !== null) return;
    try {
      if (this.status?.pid !== pid) {
        this.closeStatus();
        this.status = { pid, fd: openSync(`/proc/${pid}/status`, "r") };
      }
      const length = readSync(this.status.fd, statusBuffer, 0, statusBuffer.length, 0);
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(statusBuffer.toString("latin1", 0, length));
      if (match) this.peakMemoryKb = Math.max(this.peakMemoryKb ?? 0, Number(match[1]));
    } catch {
      // Not Linux, or the process is gone: keep the last reading.
      this.closeStatus();
    }
  }

  private closeStatus(): void {
    if (this.status === undefined) return;
    try {
      closeSync(this.status.fd);
    } catch {
      // already closed
    }
    this.status = undefined;
  }

  /**
   * The child ended (its pipes are drained by now): an invocation under way fails the way current AWS
   * runtimes report it. The log carries no line of its own for it: Lambda's current format says it on the
   * REPORT line ("Status: error Error Type: Runtime.ExitError").
   */
  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.finishing?.complete();
    const waiting = this.current;
    if (
      !this.dead &&
      waiting &&
      !waiting.delivered &&
      !waiting.restarted &&
      this.initDurationMs !== undefined &&
      this.initError === undefined
    ) {
      // The runtime ended after its last answer and before it asked for this invocation (a process.exit just
      // after posting an error, as the Node.js runtime does after an uncaught exception): as Lambda does, the
      // environment is initialized again for the waiting invocation, not failed with it.
      waiting.restarted = true;
      clearTimeout(this.initTimer);
      this.waitingNext = undefined;
      this.streams.stdout = { pending: "", marked: false };
      this.streams.stderr = { pending: "", marked: false };
      this.spawn(this.runtimeApiPort);
      return;
    }
    const wasAlive = !this.dead;
    this.dispose();
    if (!wasAlive && !this.current) return;
    if (this.current) {
      const requestId = this.current.request.requestId;
      const reason =
        signal !== null
          ? `Runtime exited with error: signal: ${SIGNAL_NAMES[signal] ?? signal}`
          : code !== null && code !== 0
            ? `Runtime exited with error: exit status ${code}`
            : "Runtime exited without providing a reason";
      const errorMessage = `RequestId: ${requestId} Error: ${reason}`;
      this.finish(this.initError ?? JSON.stringify({ errorType: "Runtime.ExitError", errorMessage }), true, {
        waitForOutput: false,
        ...(this.initError === undefined ? { end: { status: "error", errorType: "Runtime.ExitError" } } : {}),
      });
    }
  }

  /**
   * The invocation (or the init) ran out of time: the runtime is killed, and the log is closed once its pipes
   * are drained (what it wrote up to the deadline is in), or after OUTPUT_DRAIN_MS if something it started
   * keeps them open.
   */
  private timeOut(): void {
    const current = this.current;
    if (!current) {
      this.dispose();
      return;
    }
    const seconds = this.spec.timeoutSeconds.toFixed(2);
    this.finish(
      JSON.stringify({
        errorType: "Sandbox.Timedout",
        errorMessage: `RequestId: ${current.request.requestId} Error: Task timed out after ${seconds} seconds`,
      }),
      true,
      { waitForOutput: "close", end: { status: "timeout" } },
    );
    this.dispose();
  }

  private deliver(reply: RuntimeApiReply): void {
    const current = this.current!;
    current.delivered = true;
    this.streams.stdout.marked = false;
    this.streams.stderr.marked = false;
    // VmHWM only grows, and finish() reads it after every invocation: here it is read only once, so that a
    // runtime that dies during its first invocation still has a figure for its REPORT line.
    if (this.peakMemoryKb === undefined) this.samplePeakMemory();
    clearTimeout(this.initTimer);
    if (this.initDurationMs === undefined) this.initDurationMs = performance.now() - this.spawnedAt;
    current.startedAt = performance.now();
    const deadline = Date.now() + this.spec.timeoutSeconds * 1000;
    current.timer = setTimeout(() => this.timeOut(), this.spec.timeoutSeconds * 1000);
    reply.send(
      200,
      {
        "content-type": "application/json",
        "lambda-runtime-aws-request-id": current.request.requestId,
        "lambda-runtime-deadline-ms": String(deadline),
        "lambda-runtime-invoked-function-arn": current.request.invokedFunctionArn,
        "lambda-runtime-trace-id": current.request.traceId,
      },
      current.request.payload,
    );
  }

  /**
   * Ends the current invocation. After an answer from the runtime (`waitForOutput`), the log is closed once
   * the runtime's end marks are read (or OUTPUT_DRAIN_MS passes); after a crash, a time-out or an init error
   * it is closed at once, with what was written so far.
   */
  private finish(
    payload: string,
    failed: boolean,
    options: { waitForOutput: boolean | "close"; end?: EndStatus } = { waitForOutput: true },
  ): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    clearTimeout(current.timer);
    this.invocations += 1;
    const coldStart = this.invocations === 1;
    const durationMs = performance.now() - current.startedAt;
    // The log (and its REPORT line's Max Memory Used) is made when it is read: an answered invocation's is read
    // at once or never (an asynchronous one), and the runtime's peak only grows. After a crash or a time-out
    // the runtime is read now, before it is gone.
    const answered = options.waitForOutput === true;
    if (!answered) this.samplePeakMemory();
    const log = () => {
      if (answered) this.samplePeakMemory();
      return this.invocationLog(current, durationMs, coldStart, options.end);
    };
    // Without both end marks, a line left unended is the invocation's; after them, it is a later write's.
    const complete = (flush: boolean) => {
      if (this.finishing?.invocation === current) {
        clearTimeout(this.finishing.timer);
        this.finishing = undefined;
      }
      if (flush) this.flushPendingOutput();
      let logs: string | undefined;
      current.resolve({
        requestId: current.request.requestId,
        payload,
        ...(failed ? { functionError: "Unhandled" as const } : {}),
        get logs() {
          logs ??= log();
          return logs;
        },
        coldStart,
        durationMs,
      });
    };
    const marked = this.streams.stdout.marked && this.streams.stderr.marked;
    if (!options.waitForOutput || (options.waitForOutput === true && marked) || this.dead) {
      complete(!marked);
      return;
    }
    let completed = false;
    const once = (flush: boolean) => {
      if (!completed) {
        completed = true;
        complete(flush);
      }
    };
    // Waiting for the end marks (an answer) or for the pipes to close (a killed runtime): in the second case
    // a line left unended is the invocation's too.
    const flushAtEnd = options.waitForOutput === "close";
    this.finishing = {
      invocation: current,
      complete: () => once(flushAtEnd),
      timer: setTimeout(() => once(true), OUTPUT_DRAIN_MS),
    };
  }

  /**
   * START, the function's output, END and REPORT, as Lambda writes them: "REPORT RequestId: ...\tDuration:
   * 933.59 ms\tBilled Duration: 934 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tInit Duration: 111.23
   * ms\t" (Lambda developer guide, "Lambda execution environment lifecycle"; the fields are tab-separated and
   * the line ends with a tab in the log a synchronous invoke returns).
   */
  private invocationLog(
    invocation: CurrentInvocation,
    durationMs: number,
    coldStart: boolean,
    end: EndStatus | undefined,
  ): string {
    const { requestId } = invocation.request;
    const fields = [
      `REPORT RequestId: ${requestId}`,
      `Duration: ${durationMs.toFixed(2)} ms`,
      `Billed Duration: ${Math.max(1, Math.ceil(durationMs))} ms`,
      `Memory Size: ${this.spec.memorySize} MB`,
    ];
    if (this.peakMemoryKb !== undefined) {
      fields.push(`Max Memory Used: ${Math.max(1, Math.round(this.peakMemoryKb / 1024))} MB`);
    }
    if (coldStart && this.initDurationMs !== undefined) {
      fields.push(`Init Duration: ${this.initDurationMs.toFixed(2)} ms`);
    }
    if (end) fields.push(`Status: ${end.status}`);
    if (end?.errorType) fields.push(`Error Type: ${end.errorType}`);
    const output = invocation.output;
    const body = output === "" || output.endsWith("\n") ? output : `${output}\n`;
    return `START RequestId: ${requestId} Version: ${this.spec.version}\n${body}END RequestId: ${requestId}\n${fields.join("\t")}\t\n`;
  }

  /** A request from the runtime (its target already checked: this sandbox's secret comes first). */
  private handleRuntimeApi(request: RuntimeApiRequest, reply: RuntimeApiReply): void {
    const { method, path, size } = request;
    if (method === "GET" && path === NEXT_PATH) {
      if (this.current && !this.current.delivered) this.deliver(reply);
      else this.waitingNext = reply;
      return;
    }
    if (method === "POST" && path === INIT_ERROR_PATH) {
      this.samplePeakMemory();
      this.initError =
        size === 0 || size > MAX_RESPONSE_BYTES
          ? JSON.stringify({ errorMessage: "Init error", errorType: "Runtime.Unknown" })
          : request.body.toString("utf8");
      accepted(reply);
      return;
    }
    const answer = method === "POST" ? invocationAnswer(path) : undefined;
    if (answer && this.current?.delivered && this.current.request.requestId === answer.requestId) {
      if (size > MAX_RESPONSE_BYTES) {
        reply.send(
          413,
          { "content-type": "application/json" },
          JSON.stringify({
            errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
            errorType: "RequestEntityTooLarge",
          }),
        );
        this.finish(
          JSON.stringify({
            errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
            errorType: "Function.ResponseSizeTooLarge",
          }),
          true,
        );
        return;
      }
      accepted(reply);
      const body = request.body.toString("utf8");
      if (answer.kind === "response") this.finish(body === "" ? "null" : body, false);
      else this.finish(body, true);
      return;
    }
    reply.send(
      400,
      { "content-type": "application/json" },
      JSON.stringify({ errorMessage: "Invalid request ID", errorType: "InvalidRequestID" }),
    );
  }

  /** The Runtime API path of a request that starts with this sandbox's secret; undefined for any other. */
  private authorizedPath(url: string): string | undefined {
    if (!url.startsWith("/")) return undefined;
    const slash = url.indexOf("/", 1);
    if (slash < 0) return undefined;
    const given = Buffer.from(url.slice(1, slash));
    if (given.length !== this.secret.length || !timingSafeEqual(given, this.secret)) return undefined;
    const path = url.slice(slash);
    return path.startsWith(`${RUNTIME_PATH}/`) ? path : undefined;
  }
}

function accepted(reply: RuntimeApiReply): void {
  reply.send(202, { "content-type": "application/json" }, '{"status":"OK"}');
}

/** /2018-06-01/runtime/invocation/ID/response or .../error: the request id and which of the two. */
function invocationAnswer(path: string): { requestId: string; kind: "response" | "error" } | undefined {
  if (!path.startsWith(INVOCATION_PREFIX)) return undefined;
  const slash = path.indexOf("/", INVOCATION_PREFIX.length);
  if (slash <= INVOCATION_PREFIX.length) return undefined;
  const kind = path.slice(slash + 1);
  if (kind !== "response" && kind !== "error") return undefined;
  return { requestId: path.slice(INVOCATION_PREFIX.length, slash), kind };
}

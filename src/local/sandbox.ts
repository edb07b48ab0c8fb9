import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, timingSafeEqual } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalLogger } from "./local-logger.js";
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
  startedAt: number;
  output: string;
  timer?: NodeJS.Timeout;
  resolve(outcome: InvocationOutcome): void;
}

/** How long a runtime may take to start and ask for its first event (Lambda's init phase limit). */
const INIT_TIMEOUT_MS = 10_000;
/** Logs kept per invocation; LogType Tail returns the last 4 KB of them. */
const MAX_LOG_CHARS = 64 * 1024;
const RUNTIME_PATH = "/2018-06-01/runtime";
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
  private waitingNext?: http.ServerResponse;
  private current?: CurrentInvocation;
  /**
   * The invocation whose response just came in, until its log is assembled: the function wrote its output to
   * stdout before it posted the response, but the two arrive on different descriptors and the response can
   * be read first, so the log waits one turn of the event loop for what the pipe still holds.
   */
  private finishing?: CurrentInvocation;
  private initError?: string;
  private dead = false;
  private invocations = 0;
  private readonly spawnedAt = Date.now();
  private initDurationMs?: number;
  private initTimer?: NodeJS.Timeout;
  private readonly secret = Buffer.from(randomBytes(16).toString("base64url"));

  private constructor(
    private readonly spec: SandboxSpec,
    private readonly server: http.Server,
    private readonly logger: LocalLogger,
  ) {}

  static async start(spec: SandboxSpec, logger: LocalLogger): Promise<Sandbox> {
    const server = http.createServer();
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const sandbox = new Sandbox(spec, server, logger);
    server.on("request", (request, response) => sandbox.handleRuntimeApi(request, response));
    sandbox.spawn((server.address() as AddressInfo).port);
    return sandbox;
  }

  get alive(): boolean {
    return !this.dead;
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    if (this.dead || this.current) throw new Error("sandbox is not available");
    return new Promise((resolve) => {
      this.current = { request, delivered: false, startedAt: Date.now(), output: "", resolve };
      if (this.initError !== undefined) {
        this.finish(this.initError, true);
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
    this.server.close();
    this.server.closeAllConnections();
  }

  private spawn(runtimeApiPort: number): void {
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
    child.stdout?.on("data", (text: string) => this.onOutput(text));
    child.stderr?.on("data", (text: string) => this.onOutput(text));
    child.on("error", (error) => {
      this.logger.error(`${this.spec.functionName}: cannot start ${command}: ${error.message}`);
      this.onExit(null, null);
    });
    // "close" rather than "exit": it fires once stdout and stderr are drained, so the logs are complete.
    child.on("close", (code, signal) => this.onExit(code, signal));
    this.initTimer = setTimeout(() => {
      if (this.initDurationMs === undefined) this.timeOut();
    }, INIT_TIMEOUT_MS);
  }

  private onOutput(text: string): void {
    for (const line of text.split("\n")) {
      if (line !== "") this.logger.info(`[${this.spec.functionName}] ${line}`);
    }
    const target = this.current ?? this.finishing;
    if (target) {
      target.output += text;
      if (target.output.length > MAX_LOG_CHARS) target.output = target.output.slice(-MAX_LOG_CHARS);
    }
  }

  /** The child ended: an invocation under way fails the way current AWS runtimes report it. */
  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
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
      if (this.initError === undefined) this.onOutput(`${errorMessage}\nRuntime.ExitError\n`);
      this.finish(this.initError ?? JSON.stringify({ errorType: "Runtime.ExitError", errorMessage }), true);
    }
  }

  private timeOut(): void {
    const current = this.current;
    this.dispose();
    if (!current) return;
    const seconds = this.spec.timeoutSeconds.toFixed(2);
    this.finish(
      JSON.stringify({
        errorType: "Sandbox.Timedout",
        errorMessage: `RequestId: ${current.request.requestId} Error: Task timed out after ${seconds} seconds`,
      }),
      true,
    );
  }

  private deliver(response: http.ServerResponse): void {
    const current = this.current!;
    current.delivered = true;
    if (this.initDurationMs === undefined) {
      this.initDurationMs = Date.now() - this.spawnedAt;
      clearTimeout(this.initTimer);
    }
    current.startedAt = Date.now();
    const deadline = current.startedAt + this.spec.timeoutSeconds * 1000;
    current.timer = setTimeout(() => this.timeOut(), this.spec.timeoutSeconds * 1000);
    const body = Buffer.from(current.request.payload, "utf8");
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": body.length,
      "lambda-runtime-aws-request-id": current.request.requestId,
      "lambda-runtime-deadline-ms": String(deadline),
      "lambda-runtime-invoked-function-arn": current.request.invokedFunctionArn,
      "lambda-runtime-trace-id": current.request.traceId,
    });
    response.end(body);
  }

  private finish(payload: string, failed: boolean): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    clearTimeout(current.timer);
    this.invocations += 1;
    const coldStart = this.invocations === 1;
    const durationMs = Date.now() - current.startedAt;
    const { requestId } = current.request;
    const report = [
      `REPORT RequestId: ${requestId}`,
      `Duration: ${durationMs.toFixed(2)} ms`,
      `Billed Duration: ${Math.max(1, Math.ceil(durationMs))} ms`,
      `Memory Size: ${this.spec.memorySize} MB`,
      ...(coldStart && this.initDurationMs !== undefined
        ? [`Init Duration: ${this.initDurationMs.toFixed(2)} ms`]
        : []),
    ].join("\t");
    this.finishing = current;
    setImmediate(() => {
      if (this.finishing === current) this.finishing = undefined;
      const output =
        current.output === "" || current.output.endsWith("\n") ? current.output : `${current.output}\n`;
      const logs = `START RequestId: ${requestId} Version: ${this.spec.version}\n${output}END RequestId: ${requestId}\n${report}\t\n`;
      current.resolve({
        requestId,
        payload,
        ...(failed ? { functionError: "Unhandled" as const } : {}),
        logs,
        coldStart,
        durationMs,
      });
    });
  }

  private handleRuntimeApi(request: http.IncomingMessage, response: http.ServerResponse): void {
    const path = this.authorizedPath(request.url ?? "");
    if (path === undefined) {
      // Not this sandbox's child: refuse without reading the body or touching the invocation.
      request.resume();
      response.writeHead(403, { "content-type": "application/json", connection: "close" });
      response.end(JSON.stringify({ errorMessage: "Forbidden", errorType: "Runtime.Forbidden" }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is counted, not kept: a runaway response cannot grow the stack's memory.
      if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
    });
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (request.method === "GET" && path === `${RUNTIME_PATH}/invocation/next`) {
        if (this.current && !this.current.delivered) this.deliver(response);
        else this.waitingNext = response;
        return;
      }
      if (request.method === "POST" && path === `${RUNTIME_PATH}/init/error`) {
        this.initError =
          size === 0 || size > MAX_RESPONSE_BYTES
            ? JSON.stringify({ errorMessage: "Init error", errorType: "Runtime.Unknown" })
            : body;
        accepted(response);
        return;
      }
      const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
      if (
        request.method === "POST" &&
        match &&
        this.current?.delivered &&
        this.current.request.requestId === match[1]
      ) {
        if (size > MAX_RESPONSE_BYTES) {
          response.writeHead(413, { "content-type": "application/json" });
          response.end(
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
        accepted(response);
        if (match[2] === "response") this.finish(body === "" ? "null" : body, false);
        else this.finish(body, true);
        return;
      }
      response.writeHead(400, { "content-type": "application/json" });
      response.end(JSON.stringify({ errorMessage: "Invalid request ID", errorType: "InvalidRequestID" }));
    });
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

function accepted(response: http.ServerResponse): void {
  response.writeHead(202, { "content-type": "application/json" });
  response.end('{"status":"OK"}');
}

/**
 * The Node.js runtime's bootstrap, run by the sandbox as `node bootstrap.mjs`. It speaks the Lambda Runtime
 * API like the real runtime interface client does and reproduces its error objects
 * (`{errorType, errorMessage, trace}`), its console line format and its init-error types
 * (Runtime.ImportModuleError, Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound).
 *
 * Stack traces read as on AWS: the function's files under /var/task (`file:///var/task/index.mjs:21:11`), the
 * runtime's frame as `Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:...)` and the handler's
 * as `Runtime.handler` (it is called as a method of a Runtime object, like the managed runtime calls it).
 * The files stay where the stack keeps them; only what the runtime reports is rewritten.
 * Before it answers an invocation it writes an end mark on stdout and stderr, which the sandbox takes out of
 * the log (it tells the sandbox that everything written before has been read).
 * Kept as a string so that the compiled package needs no extra files beside dist/ (tsc only emits .ts).
 * It must not contain backticks or dollar-brace sequences.
 */
export const NODE_BOOTSTRAP_SOURCE = String.raw`
import * as net from "node:net";
import fs from "node:fs";
import * as path from "node:path";
import util from "node:util";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// host:port, then the sandbox's secret path prefix: /SECRET/2018-06-01/runtime/...
const runtimeApi = process.env.AWS_LAMBDA_RUNTIME_API;
const prefixAt = runtimeApi.indexOf("/");
const apiAddress = prefixAt < 0 ? runtimeApi : runtimeApi.slice(0, prefixAt);
const apiPrefix = prefixAt < 0 ? "" : runtimeApi.slice(prefixAt);
const apiHost = apiAddress.slice(0, apiAddress.lastIndexOf(":"));
const apiPort = apiAddress.slice(apiAddress.lastIndexOf(":") + 1);
const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerSpec = process.env._HANDLER;
const bootstrapPath = process.argv[1];
const endMarkPrefix = "\u0000" + apiPrefix.slice(1) + " ";
const stdoutStream = process.stdout;
const writeStdout = process.stdout.write.bind(process.stdout);
const writeStderr = process.stderr.write.bind(process.stderr);
let currentRequestId;

// A runtime does not outlive its stack (ended in any way, SIGKILL included): it ends when its Runtime API
// connection is gone (the loop at the end), when its output can no longer be written (EPIPE: the stack read
// it), and when its parent is no longer the stack (an invocation that never returns notices nothing else).
function stackGone() {
  process.exit(1);
}
process.stdout.on("error", stackGone);
process.stderr.on("error", stackGone);
const stackPid = process.ppid;
setInterval(() => {
  if (process.ppid !== stackPid) stackGone();
}, 1000).unref();

const bootstrapUrl = pathToFileURL(bootstrapPath).href;

// Where AWS keeps what the stack keeps elsewhere: the function's code, this runtime, the shared node_modules.
const publicPaths = [];
function addPublicPath(local, shown) {
  if (!local) return;
  const variants = new Set([local]);
  try {
    variants.add(fs.realpathSync(local));
  } catch {}
  for (const variant of variants) {
    publicPaths.push([pathToFileURL(variant).href, "file://" + shown], [variant, shown]);
  }
}
addPublicPath(bootstrapPath, "/var/runtime/index.mjs");
addPublicPath(taskRoot, "/var/task");
for (const entry of (process.env.NODE_PATH || "").split(path.delimiter)) {
  if (entry !== "" && path.isAbsolute(entry)) addPublicPath(entry, "/var/runtime/node_modules");
}
// Longest first, so that a folder inside another one is rewritten by its own rule.
publicPaths.sort((a, b) => b[0].length - a[0].length);

function publicText(text) {
  if (typeof text !== "string") return text;
  let result = text;
  for (const [local, shown] of publicPaths) {
    let at = result.indexOf(local);
    while (at >= 0) {
      const next = result.charAt(at + local.length);
      // Only whole path components: /tmp/f1 must not rewrite /tmp/f10.
      if (next === "" || !/[A-Za-z0-9_.-]/.test(next)) {
        result = result.slice(0, at) + shown + result.slice(at + local.length);
        at = result.indexOf(local, at + shown.length);
      } else {
        at = result.indexOf(local, at + 1);
      }
    }
  }
  return result;
}

// V8 builds every stack trace through this hook: the frames name the public paths, and the trace ends at the
// runtime's frame that called the handler, as the managed runtime's traces do. With source maps on
// (NODE_OPTIONS=--enable-source-maps) Node's own hook stays, for the mapped positions; the runtime's reports
// are then rewritten afterwards (stackLines).
const handlerCallFrame = "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:";
if (!process.sourceMapsEnabled) Error.prepareStackTrace = (error, callSites) => {
  let header;
  try {
    header = Error.prototype.toString.call(error);
  } catch {
    header = "Error";
  }
  const lines = [header];
  for (const site of callSites) {
    let frame;
    try {
      frame = String(site);
    } catch {
      frame = "<unknown>";
    }
    lines.push("    at " + frame);
    let file;
    try {
      file = site.getFileName();
    } catch {}
    if ((file === bootstrapUrl || file === bootstrapPath) && site.getFunctionName() === "handleOnceNonStreaming") break;
  }
  return publicText(lines.join("\n"));
};

/**
 * Tells the sandbox that everything written so far for this invocation is out: see sandbox.ts. Returns a
 * promise only when a mark could not be written at once (a full pipe).
 */
function writeEndMarks(requestId) {
  const mark = endMarkPrefix + requestId + "\n";
  const pending = [writeMark(process.stdout, writeStdout, 1, mark), writeMark(process.stderr, writeStderr, 2, mark)].filter(Boolean);
  return pending.length === 0 ? undefined : Promise.all(pending);
}

// After what the function wrote to the stream: straight to the descriptor when the stream holds none of it
// or the function ended the stream, through the stream otherwise. A mark the stream wrote through at once
// (what it buffers is then empty) is out; for one it queued, its callback is awaited, never more than half a
// second for a stream that does not call back.
function writeMark(stream, write, descriptor, mark) {
  if (stream.destroyed || stream.writableEnded) {
    try {
      fs.writeSync(descriptor, mark);
    } catch {}
    return undefined;
  }
  const rest = writeAround(stream, descriptor, mark);
  if (rest.length === 0) return undefined;
  let written = false;
  let onWritten;
  try {
    write(rest, () => {
      written = true;
      if (onWritten) onWritten();
    });
  } catch {
    return undefined;
  }
  if (written || stream.writableLength === 0) return undefined;
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 500);
    onWritten = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

// What the runtime itself writes (console lines, end marks) goes straight to the descriptor when the stream
// holds nothing the function wrote: one system call instead of the stream's machinery, and still after all of
// it. Returns what is left for the stream: nothing once it is out; all of it when the stream has something
// queued or was ended, or when the pipe is full (EAGAIN: the stream queues it); the rest of it when the pipe
// took only part.
function writeAround(stream, descriptor, text) {
  if (stream.writableLength !== 0 || stream.destroyed || stream.writableEnded) return text;
  let written;
  try {
    written = fs.writeSync(descriptor, text);
  } catch {
    return text;
  }
  return written >= Buffer.byteLength(text, "utf8") ? "" : Buffer.from(text, "utf8").subarray(written);
}

// The Runtime API client: HTTP/1.1 on one kept-alive socket. Requests may be pipelined, and are when the
// answer to an invocation and the request for the next event leave together (one write); answers come back in
// order. A hand-written request and response parser costs the runtime a fraction of node:http's work per
// invocation; what the stack's Runtime API answers is small and always carries a Content-Length (chunked
// bodies and bodies ended by the connection's close are read too).
let apiSocket;
let received = Buffer.alloc(0);
// Chunks of a body still short of its Content-Length: kept apart and joined once, when the body is whole
// (joining at every chunk would copy a 6 MB event some hundred times).
let waiting = [];
let waitingBytes = 0;
/** Bytes "received" must hold before the next answer can be parsed (0: unknown, parse at every chunk). */
let needed = 0;
/** Requests sent on apiSocket and not answered yet, oldest first. */
const unanswered = [];
/** Requests made in this tick, written together at its end (to outgoingSocket). */
let outgoing = "";
let outgoingSocket;

function connect() {
  const socket = net.connect({ host: apiHost, port: Number(apiPort), noDelay: true });
  received = Buffer.alloc(0);
  waiting = [];
  waitingBytes = 0;
  needed = 0;
  socket.on("data", (chunk) => {
    if (socket !== apiSocket) return;
    waiting.push(chunk);
    waitingBytes += chunk.length;
    if (received.length + waitingBytes < needed) return;
    joinWaiting();
    readAnswers(socket, false);
  });
  // An error is followed by "close", which fails what is still unanswered; an idle connection that fails is
  // simply replaced next time.
  socket.on("error", () => {});
  socket.on("close", () => {
    if (socket !== apiSocket) return;
    joinWaiting();
    readAnswers(socket, true);
    apiSocket = undefined;
    const error = new Error("socket hang up");
    error.code = "ECONNRESET";
    for (const waiter of unanswered.splice(0)) waiter.reject(error);
  });
  return socket;
}

function joinWaiting() {
  if (waiting.length === 0) return;
  received =
    received.length === 0 && waiting.length === 1 ? waiting[0] : Buffer.concat([received, ...waiting]);
  waiting = [];
  waitingBytes = 0;
}

function readAnswers(socket, ended) {
  while (unanswered.length > 0) {
    let parsed;
    try {
      parsed = parseResponse(received, ended);
    } catch (error) {
      for (const waiter of unanswered.splice(0)) waiter.reject(error);
      socket.destroy();
      return;
    }
    if (!parsed) return;
    if (parsed.need !== undefined) {
      needed = parsed.need;
      return;
    }
    needed = 0;
    received = received.subarray(parsed.consumed);
    unanswered.shift().resolve({ headers: parsed.headers, body: parsed.body });
    if (parsed.close) {
      socket.destroy();
      return;
    }
  }
}

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    if (!apiSocket || apiSocket.destroyed) apiSocket = connect();
    let head = method + " " + apiPrefix + "/2018-06-01/runtime" + urlPath + " HTTP/1.1\r\nHost: " + apiAddress + "\r\n";
    if (headers !== undefined) for (const name in headers) head += name + ": " + headers[name] + "\r\n";
    if (body !== undefined) head += "Content-Length: " + Buffer.byteLength(body, "utf8") + "\r\n";
    head += "\r\n";
    unanswered.push({ resolve, reject });
    // Requests made in the same tick leave in one write of one string: heads are ASCII, bodies UTF-8.
    if (outgoingSocket !== apiSocket) flushOutgoing();
    if (outgoing === "") {
      outgoingSocket = apiSocket;
      process.nextTick(flushOutgoing);
    }
    outgoing += body === undefined ? head : head + body;
  });
}

function flushOutgoing() {
  const socket = outgoingSocket;
  const text = outgoing;
  outgoingSocket = undefined;
  outgoing = "";
  if (socket !== undefined && text !== "") socket.write(text);
}

/**
 * The first complete response in the bytes read so far ({status, headers, body, close, consumed}); {need}
 * when the body is not all there yet (the bytes it takes in all), or undefined while the head is not.
 */
function parseResponse(bytes, ended) {
  const headEnd = bytes.indexOf("\r\n\r\n");
  if (headEnd < 0) {
    if (ended) throw new Error("the Runtime API closed the connection mid-response");
    return undefined;
  }
  const lines = bytes.toString("latin1", 0, headEnd).split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!status) throw new Error("not an HTTP response from the Runtime API");
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : headers[name] + ", " + value;
  }
  const close = /\bclose\b/i.test(headers.connection ?? "");
  const start = headEnd + 4;
  if (/\bchunked\b/i.test(headers["transfer-encoding"] ?? "")) {
    const chunks = [];
    let at = start;
    for (;;) {
      const lineEnd = bytes.indexOf("\r\n", at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(bytes.toString("latin1", at, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error("bad chunk from the Runtime API");
      if (size === 0) {
        // The last chunk, then trailers (none here) and an empty line.
        const trailerEnd = bytes.indexOf("\r\n\r\n", lineEnd);
        if (trailerEnd < 0) return undefined;
        return { status: Number(status[1]), headers, body: Buffer.concat(chunks), close, consumed: trailerEnd + 4 };
      }
      if (bytes.length < lineEnd + 2 + size + 2) return undefined;
      chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  if (headers["content-length"] !== undefined) {
    const length = Number(headers["content-length"]);
    if (bytes.length < start + length) {
      if (ended) throw new Error("the Runtime API closed the connection mid-response");
      return { need: start + length };
    }
    return { status: Number(status[1]), headers, body: bytes.subarray(start, start + length), close, consumed: start + length };
  }
  if (!ended) return undefined;
  return { status: Number(status[1]), headers, body: bytes.subarray(start), close: true, consumed: bytes.length };
}

function postError(urlPath, errorObject) {
  const body = safeStringify(errorObject);
  const headers = { "content-type": "application/json" };
  // The error type also travels as a header, which cannot carry every string a function may name its error
  // with (a newline or an escape sequence would make the request itself fail): the body has it anyway.
  const type = errorObject.errorType;
  if (typeof type === "string" && /^[\t\x20-\x7e]*$/.test(type)) headers["lambda-runtime-function-error-type"] = type;
  return request("POST", urlPath, body, headers);
}

function safeStringify(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ errorType: "Runtime.MarshalError", errorMessage: "Unable to stringify the error", trace: [] });
  }
}

function isError(value) {
  return util.types.isNativeError(value) || value instanceof Error;
}

function stackLines(error) {
  let stack;
  try {
    stack = error.stack;
  } catch {}
  if (typeof stack !== "string") return [];
  const lines = publicText(stack).split("\n");
  const last = lines.findIndex((line) => line.startsWith(handlerCallFrame));
  return last < 0 ? lines : lines.slice(0, last + 1);
}

// What the runtime posts for a failed invocation: {errorType, errorMessage, trace} (the managed runtime's
// toRapidResponse), with the public paths.
function toErrorObject(error) {
  try {
    if (isError(error)) {
      return { errorType: error.name, errorMessage: publicText(error.message), trace: stackLines(error) };
    }
    return { errorType: typeof error, errorMessage: publicText(String(error)), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage: "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
    };
  }
}

// An error as the managed runtime writes it to the log after "Invoke Error" or "Uncaught Exception": a tab,
// then JSON with errorType, errorMessage, code, the error's own enumerable properties and its stack as lines.
function formattedError(error) {
  const replacer = (_key, value) => {
    if (!isError(value)) return value;
    const shown = Object.assign({ errorType: value.name, errorMessage: publicText(value.message), code: value.code }, value);
    if (typeof value.stack === "string") shown.stack = stackLines(value);
    return shown;
  };
  try {
    return "\t" + JSON.stringify(error, replacer);
  } catch {
    return "\t" + safeStringify(toErrorObject(error));
  }
}

// A runtime error object (an init error) in the same layout: its trace is its stack.
function formattedErrorObject(object) {
  return "\t" + safeStringify({ errorType: object.errorType, errorMessage: object.errorMessage, stack: object.trace ?? [] });
}

// Console lines as the managed runtime writes them: timestamp, request id, level, message. A message of
// several lines stays one entry, its line breaks kept (the runtime writes each entry as one frame of its
// telemetry log). AWS_LAMBDA_LOG_LEVEL (set by LoggingConfig) mutes the levels below it.
const levels = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
const minimumLevel = levels[String(process.env.AWS_LAMBDA_LOG_LEVEL ?? "").toUpperCase()] ?? levels.TRACE;
function logLine(level, args) {
  if (levels[level] < minimumLevel) return;
  const line = new Date().toISOString() + "\t" + (currentRequestId ?? "undefined") + "\t" + level + "\t" + util.format(...args) + "\n";
  const rest = writeAround(stdoutStream, 1, line);
  if (rest.length !== 0) writeStdout(rest);
}
for (const [method, level] of [["trace", "TRACE"], ["debug", "DEBUG"], ["info", "INFO"], ["log", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["fatal", "FATAL"]]) {
  console[method] = (...args) => logLine(level, args);
}

function moduleFile(moduleRelative) {
  for (const extension of [".js", ".mjs", ".cjs"]) {
    const candidate = path.resolve(taskRoot, moduleRelative + extension);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function loadModule(file) {
  if (file.endsWith(".mjs")) return import(pathToFileURL(file).href);
  const require = createRequire(file);
  try {
    return require(file);
  } catch (error) {
    if (error && error.code === "ERR_REQUIRE_ESM") return import(pathToFileURL(file).href);
    throw error;
  }
}

// The managed runtime's init error classes: their traces are the runtime's own frames (where it found the
// problem), named as the managed runtime's are (_loadUserApp, then the functions that called it).
class ImportModuleError extends Error {}
ImportModuleError.prototype.name = "Runtime.ImportModuleError";
class UserCodeSyntaxError extends Error {}
UserCodeSyntaxError.prototype.name = "Runtime.UserCodeSyntaxError";
class HandlerNotFound extends Error {}
HandlerNotFound.prototype.name = "Runtime.HandlerNotFound";
class CallbackHandlerDeprecated extends Error {}
CallbackHandlerDeprecated.prototype.name = "Runtime.CallbackHandlerDeprecated";
const runtimeMajor = Number(/^AWS_Lambda_nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV ?? "")?.[1] ?? 0);
const nodejs24OrLater = runtimeMajor >= 24;
const CALLBACK_HANDLER_REMOVED =
  "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.";

async function _loadUserApp(file, moduleRelative) {
  // Suspended once, like the managed runtime's loader is before it reports a module it cannot find, so that
  // every init error's trace is the same chain: _loadUserApp, then async load, start and the runtime's main.
  await undefined;
  if (file === undefined) {
    throw new ImportModuleError("Error: Cannot find module '" + moduleRelative + "'\nRequire stack:\n- /var/runtime/index.mjs");
  }
  try {
    return await loadModule(file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UserCodeSyntaxError(publicText(String(error)));
    if (error && (error.code === "MODULE_NOT_FOUND" || error.code === "ERR_MODULE_NOT_FOUND")) {
      throw new ImportModuleError(publicText(String(error)));
    }
    throw error;
  }
}

async function load() {
  const dot = handlerSpec.lastIndexOf(".");
  const moduleRelative = dot > 0 ? handlerSpec.slice(0, dot) : handlerSpec;
  const exportPath = dot > 0 ? handlerSpec.slice(dot + 1) : "";
  const loaded = await _loadUserApp(moduleFile(moduleRelative), moduleRelative);
  let handler = loaded;
  for (const part of exportPath.split(".")) handler = handler == null ? undefined : handler[part];
  if (handler === undefined && loaded && loaded.default) {
    handler = loaded.default;
    for (const part of exportPath.split(".")) handler = handler == null ? undefined : handler[part];
  }
  if (handler === undefined) throw new HandlerNotFound(handlerSpec + " is undefined or not exported");
  if (typeof handler !== "function") throw new HandlerNotFound(handlerSpec + " is not a function");
  // Node.js 24's runtime refuses a callback handler (three parameters) at init
  // (aws-lambda-nodejs-runtime-interface-client, src/function/callback-deprecation.ts).
  if (nodejs24OrLater && handler.length >= 3) throw new CallbackHandlerDeprecated(CALLBACK_HANDLER_REMOVED);
  return handler;
}

async function start() {
  try {
    return await load();
  } catch (error) {
    const object = toErrorObject(error);
    // Node.js 24's runtime labels the entry "Init Error", the earlier ones "Uncaught Exception".
    console.error(nodejs24OrLater ? "Init Error" : "Uncaught Exception", formattedError(isError(error) ? error : new Error(error)));
    await postError("/init/error", object).catch(() => {});
    process.exit(1);
  }
}

function makeContext(headers, requestId) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

// Named as the managed runtime's class and method, so that stack traces show "Runtime.handler" and
// "Runtime.handleOnceNonStreaming" as AWS's do.
class Runtime {
  constructor(handler) {
    this.handler = handler;
  }

  handleOnceNonStreaming(event, context) {
    let settle;
    const outcome = new Promise((resolve, reject) => {
      settle = { resolve, reject };
    });
    let settled = false;
    const finish = (succeeded, value) => {
      if (!settled) {
        settled = true;
        if (succeeded) settle.resolve(value);
        else settle.reject(value);
      }
    };
    const callback = (error, result) => (error == null ? finish(true, result) : finish(false, error));
    context.done = callback;
    context.succeed = (result) => finish(true, result);
    context.fail = (error) => finish(false, error ?? new Error("handled"));
    try {
      const returned = this.handler(event, context, callback);
      if (returned && typeof returned.then === "function") {
        returned.then((value) => finish(true, value), (error) => finish(false, error));
      } else if (this.handler.length < 3) {
        finish(true, returned);
      }
    } catch (error) {
      finish(false, error);
    }
    return outcome;
  }
}

process.on("uncaughtException", async (error) => {
  const object = toErrorObject(error);
  console.error("Uncaught Exception", formattedError(error));
  if (currentRequestId) {
    await writeEndMarks(currentRequestId);
    await postError("/invocation/" + currentRequestId + "/error", object).catch(() => {});
  }
  process.exit(129);
});
// As the managed runtime: the rejection becomes a Runtime.UnhandledPromiseRejection whose message is the
// reason as a string, with the reason and the promise as its own properties (Errors.js), which the log shows:
// "Unhandled Promise Rejection \t{"errorType":"Runtime.UnhandledPromiseRejection","errorMessage":"TypeError:
// ...","reason":{"errorType":"TypeError",...,"stack":[...]},"promise":{},"stack":[...]}".
class UnhandledPromiseRejection extends Error {
  constructor(message, reason, promise) {
    super(message);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = "Runtime.UnhandledPromiseRejection";

process.on("unhandledRejection", async (reason, promise) => {
  let text;
  try {
    text = reason?.toString();
  } catch {
    text = "";
  }
  const error = new UnhandledPromiseRejection(publicText(text), reason, promise);
  console.error("Unhandled Promise Rejection", formattedError(error));
  if (currentRequestId) {
    await writeEndMarks(currentRequestId);
    await postError("/invocation/" + currentRequestId + "/error", toErrorObject(error)).catch(() => {});
  }
  process.exit(128);
});

const runtime = new Runtime(await start());
let next = request("GET", "/invocation/next");
for (;;) {
  let invocation;
  try {
    invocation = await next;
  } catch {
    stackGone();
  }
  const requestId = invocation.headers["lambda-runtime-aws-request-id"];
  currentRequestId = requestId;
  // As the managed runtime does: the AWS SDKs copy it onto their requests (recursive loop detection).
  if (invocation.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = invocation.headers["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  let body;
  let failure;
  try {
    const event = JSON.parse(invocation.body.toString("utf8"));
    const result = await runtime.handleOnceNonStreaming(event, makeContext(invocation.headers, requestId));
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (error) {
      throw { errorType: "Runtime.MarshalError", errorMessage: "Unable to stringify response body", trace: [] };
    }
  } catch (error) {
    const runtimeError = error && typeof error === "object" && !isError(error) && "errorType" in error;
    failure = runtimeError ? error : toErrorObject(error);
    console.error("Invoke Error", runtimeError ? formattedErrorObject(error) : formattedError(isError(error) ? error : new Error(error)));
  }
  const marking = writeEndMarks(requestId);
  if (marking) await marking;
  // The answer and the request for the next event leave together.
  const answered =
    failure === undefined
      ? request("POST", "/invocation/" + requestId + "/response", body, { "content-type": "application/json" })
      : postError("/invocation/" + requestId + "/error", failure);
  next = request("GET", "/invocation/next");
  // Should the answer fail, this one fails too: the runtime ends with the first, not with an unhandled rejection.
  next.catch(() => {});
  try {
    await answered;
  } catch {
    stackGone();
  }
}
`;

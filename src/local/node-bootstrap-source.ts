/**
 * The Node.js runtime's bootstrap, run by the sandbox as `node bootstrap.mjs`. It speaks the Lambda Runtime
 * API like the real runtime interface client does and reproduces its error objects
 * (`{errorType, errorMessage, trace}`), its console line format and its init-error types
 * (Runtime.ImportModuleError, Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound).
 * Kept as a string so that the compiled package needs no extra files beside dist/ (tsc only emits .ts).
 * It must not contain backticks or dollar-brace sequences.
 */
export const NODE_BOOTSTRAP_SOURCE = String.raw`
import * as http from "node:http";
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
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerSpec = process.env._HANDLER;
const bootstrapPath = process.argv[1];
let currentRequestId;

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: apiHost, port: Number(apiPort), path: apiPrefix + "/2018-06-01/runtime" + urlPath, method, agent, headers },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
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

function toErrorObject(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: typeof error.stack === "string" ? error.stack.split("\n") : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function typedError(type, error) {
  const message = error instanceof Error ? error.name + ": " + error.message : String(error);
  const object = { errorType: type, errorMessage: message, trace: [] };
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack.split("\n") : [];
  object.trace = [type + ": " + message, ...stack.slice(1)];
  return object;
}

// Console lines as the managed runtime writes them: timestamp, request id, level, message.
for (const [method, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"], ["trace", "TRACE"]]) {
  console[method] = (...args) => {
    process.stdout.write(new Date().toISOString() + "\t" + (currentRequestId ?? "undefined") + "\t" + level + "\t" + util.format(...args).replace(/\n/g, "\r") + "\n");
  };
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

async function loadHandler() {
  const dot = handlerSpec.lastIndexOf(".");
  const moduleRelative = dot > 0 ? handlerSpec.slice(0, dot) : handlerSpec;
  const exportPath = dot > 0 ? handlerSpec.slice(dot + 1) : "";
  const file = moduleFile(moduleRelative);
  if (file === undefined) {
    const error = new Error("Cannot find module '" + moduleRelative + "'\nRequire stack:\n- " + bootstrapPath);
    throw typedError("Runtime.ImportModuleError", error);
  }
  let loaded;
  try {
    loaded = await loadModule(file);
  } catch (error) {
    if (error instanceof SyntaxError) throw typedError("Runtime.UserCodeSyntaxError", error);
    if (error && (error.code === "MODULE_NOT_FOUND" || error.code === "ERR_MODULE_NOT_FOUND")) {
      throw typedError("Runtime.ImportModuleError", error);
    }
    throw toErrorObject(error);
  }
  let handler = loaded;
  for (const part of exportPath.split(".")) handler = handler == null ? undefined : handler[part];
  if (handler === undefined && loaded && loaded.default) {
    handler = loaded.default;
    for (const part of exportPath.split(".")) handler = handler == null ? undefined : handler[part];
  }
  if (handler === undefined) {
    throw { errorType: "Runtime.HandlerNotFound", errorMessage: handlerSpec + " is undefined or not exported", trace: [] };
  }
  if (typeof handler !== "function") {
    throw { errorType: "Runtime.HandlerNotFound", errorMessage: handlerSpec + " is not a function", trace: [] };
  }
  return handler;
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

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn, value) => {
      if (!settled) {
        settled = true;
        fn(value);
      }
    };
    const callback = (error, result) => (error == null ? settle(resolve, result) : settle(reject, error));
    context.done = callback;
    context.succeed = (result) => settle(resolve, result);
    context.fail = (error) => settle(reject, error ?? new Error("handled"));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") {
        returned.then((value) => settle(resolve, value), (error) => settle(reject, error));
      } else if (handler.length < 3) {
        settle(resolve, returned);
      }
    } catch (error) {
      settle(reject, error);
    }
  });
}

process.on("uncaughtException", async (error) => {
  const object = toErrorObject(error);
  if (currentRequestId) await postError("/invocation/" + currentRequestId + "/error", object).catch(() => {});
  console.error("Uncaught Exception", safeStringify(object));
  process.exit(129);
});
process.on("unhandledRejection", async (reason) => {
  const inner = reason instanceof Error ? reason.name + ": " + reason.message : String(reason);
  const object = { errorType: "Runtime.UnhandledPromiseRejection", errorMessage: inner, trace: ["Runtime.UnhandledPromiseRejection: " + inner] };
  if (currentRequestId) await postError("/invocation/" + currentRequestId + "/error", object).catch(() => {});
  console.error("Unhandled Promise Rejection", safeStringify(object));
  process.exit(128);
});

let handler;
try {
  handler = await loadHandler();
} catch (errorObject) {
  const object = errorObject && typeof errorObject === "object" && "errorType" in errorObject ? errorObject : toErrorObject(errorObject);
  console.error(object.errorType + ": " + object.errorMessage);
  await postError("/init/error", object).catch(() => {});
  process.exit(1);
}

for (;;) {
  const next = await request("GET", "/invocation/next");
  const requestId = next.headers["lambda-runtime-aws-request-id"];
  currentRequestId = requestId;
  // As the managed runtime does: the AWS SDKs copy it onto their requests (recursive loop detection).
  if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  try {
    const event = JSON.parse(next.body.toString("utf8"));
    const result = await runHandler(handler, event, makeContext(next.headers, requestId));
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (error) {
      throw { errorType: "Runtime.MarshalError", errorMessage: "Unable to stringify response body", trace: [] };
    }
    await request("POST", "/invocation/" + requestId + "/response", body, { "content-type": "application/json" });
  } catch (error) {
    const object = error && typeof error === "object" && !(error instanceof Error) && "errorType" in error ? error : toErrorObject(error);
    console.error("Invoke Error", safeStringify(object));
    await postError("/invocation/" + requestId + "/error", object);
  }
}
`;

/**
 * The error object each runtime reports, in the key order each runtime writes on AWS, with
 * stack traces shaped like theirs. Returned as compact JSON text, ready to be spliced into a record.
 */
import type { Runtime } from "./options.js";
import type { Random } from "./random.js";

export interface ErrorSite {
  rng: Random;
  requestId: string;
  functionName: string;
  /** Package or module name for the stack trace. */
  module: string;
  /** The function that failed, in the handler's code. */
  step: string;
}

const json = JSON.stringify;

/** Node.js: {errorType, errorMessage, trace}; trace is error.stack split in lines. */
export function nodeError(type: string, message: string, site: ErrorSite): string {
  const { rng } = site;
  const file = rng.pick(["index.mjs", "index.js", "handler.mjs"]);
  const url = file.endsWith(".mjs") ? `file:///var/task/${file}` : `/var/task/${file}`;
  const trace = [
    ...`${type}: ${message}`.split("\n"),
    `    at ${site.step} (${url}:${rng.int(20, 140)}:${rng.int(5, 40)})`,
    `    at Runtime.handler (${url}:${rng.int(5, 19)}:${rng.int(5, 30)})`,
    `    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:${rng.pick([1173, 1205, 1306])}:29)`,
  ];
  return `{"errorType":${json(type)},"errorMessage":${json(message)},"trace":${json(trace)}}`;
}

/** Python 3.12 and later: {errorMessage, errorType, requestId, stackTrace}, one string per frame. */
export function pythonError(type: string, message: string, site: ErrorSite): string {
  const { rng } = site;
  const step = site.step.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  const stackTrace = [
    `  File "/var/task/app.py", line ${rng.int(30, 90)}, in lambda_handler\n    return ${step}(event)\n`,
    `  File "/var/task/${site.module}.py", line ${rng.int(10, 200)}, in ${step}\n    raise ${type}(reason)\n`,
  ];
  return `{"errorMessage":${json(message)},"errorType":${json(type)},"requestId":${json(site.requestId)},"stackTrace":${json(stackTrace)}}`;
}

/** Java: {errorMessage, errorType, stackTrace, cause?}; frames are "class.method(File.java:line)". */
export function javaError(type: string, message: string, site: ErrorSite): string {
  const { rng } = site;
  const handlerClass = `com.example.${site.module}.Handler`;
  const frames = (depth: number) => [
    `${handlerClass}.${site.step}(Handler.java:${rng.int(40, 160)})`,
    ...(depth > 1 ? [`${handlerClass}.handleRequest(Handler.java:${rng.int(20, 39)})`] : []),
    "java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(Unknown Source)",
    "java.base/java.lang.reflect.Method.invoke(Unknown Source)",
  ];
  const withCause = rng.chance(0.3);
  const cause = withCause
    ? `,"cause":{"errorMessage":${json(`${message} (caused by an upstream failure)`)},"errorType":"java.io.UncheckedIOException","stackTrace":${json(frames(1))}}`
    : "";
  return `{"errorMessage":${json(message)},"errorType":${json(type)},"stackTrace":${json(frames(2))}${cause}}`;
}

/**
 * Go: {errorMessage, errorType} for a returned error (errorType is the error's type name, e.g.
 * errorString); a panic adds stackTrace frames {path, line, label}, as aws-lambda-go's messages.go shapes
 * them.
 */
export function goError(type: string, message: string, site: ErrorSite, panic: boolean): string {
  if (!panic) return `{"errorMessage":${json(message)},"errorType":${json(type)}}`;
  const { rng } = site;
  const stackTrace = [
    { path: "github.com/aws/aws-lambda-go/lambda/errors.go", line: 39, label: "lambdaPanicResponse" },
    {
      path: "github.com/aws/aws-lambda-go/lambda/invoke_loop.go",
      line: 102,
      label: "callBytesHandlerFunc.func1",
    },
    { path: "runtime/panic.go", line: rng.pick([770, 785, 791]), label: "gopanic" },
    { path: `github.com/example/${site.module}/handler.go`, line: rng.int(30, 180), label: site.step },
    { path: `github.com/example/${site.module}/main.go`, line: rng.int(20, 60), label: "handleRequest" },
  ];
  return `{"errorMessage":${json(message)},"errorType":${json(type)},"stackTrace":${json(stackTrace)}}`;
}

export function runtimeError(runtime: Runtime, type: string, message: string, site: ErrorSite): string {
  switch (runtime) {
    case "nodejs":
      return nodeError(type, message, site);
    case "python":
      return pythonError(type, message, site);
    case "java":
      return javaError(type, message, site);
    case "go":
      return goError(type, message, site, site.rng.chance(0.25));
  }
}

/** What Lambda reports when the function ran out of time; the same on every runtime. */
export function timeoutError(requestId: string, message: string): string {
  return `{"errorType":"Sandbox.Timedout","errorMessage":${json(`RequestId: ${requestId} Error: ${message}`)}}`;
}

/** What Lambda reports when the process exited or crashed: no errorType at all. */
export function crashError(requestId: string): string {
  return `{"errorMessage":${json(`RequestId: ${requestId} Process exited before completing request`)}}`;
}

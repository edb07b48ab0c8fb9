/**
 * The Python runtime's bootstrap, run by the sandbox as `python3 bootstrap.py` with the system's python3.
 * Standard library only. It speaks the Lambda Runtime API and reproduces the real runtime's error objects:
 * `{errorMessage, errorType, stackTrace}` in that key order, plus `requestId` from python3.12 on, and its
 * init errors (Runtime.ImportModuleError, Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound).
 * Kept as a string so that the compiled package needs no extra files beside dist/.
 * It must not contain backticks or dollar-brace sequences.
 */
export const PYTHON_BOOTSTRAP_SOURCE = String.raw`
import http.client
import importlib
import json
import os
import sys
import time
import traceback

# host:port, then the sandbox's secret path prefix: /SECRET/2018-06-01/runtime/...
api_address, slash, api_secret = os.environ["AWS_LAMBDA_RUNTIME_API"].partition("/")
api_prefix = slash + api_secret
api_host, _, api_port = api_address.rpartition(":")
connection = http.client.HTTPConnection(api_host, int(api_port))
handler_spec = os.environ["_HANDLER"]
runtime = os.environ.get("AWS_EXECUTION_ENV", "AWS_Lambda_python3.12").replace("AWS_Lambda_python", "")
try:
    adds_request_id = tuple(int(part) for part in runtime.split(".")[:2]) >= (3, 12)
except ValueError:
    adds_request_id = True


def call(method, path, body=None, headers=None):
    connection.request(method, api_prefix + "/2018-06-01/runtime" + path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.headers, response.read()


def post_error(path, error):
    headers = {"Content-Type": "application/json"}
    # The error type also travels as a header, which cannot carry every string an exception class may be
    # named with: the body has it anyway.
    error_type = error.get("errorType")
    if isinstance(error_type, str) and all(c == "\t" or " " <= c <= "~" for c in error_type):
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    call("POST", path, json.dumps(error).encode("utf-8"), headers)


def error_object(error_type, message, stack, request_id=None):
    error = {"errorMessage": message, "errorType": error_type}
    if request_id is not None and adds_request_id:
        error["requestId"] = request_id
    error["stackTrace"] = stack
    return error


def init_error(error_type, message, stack):
    return error_object(error_type, message, stack, "" if adds_request_id else None)


class LambdaContext:
    def __init__(self, headers, request_id):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load_handler():
    module_path, _, function_name = handler_spec.rpartition(".")
    module_name = module_path.replace("/", ".")
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise RuntimeError(init_error("Runtime.ImportModuleError",
                                      "Unable to import module '%s': %s" % (module_path, error), []))
    except SyntaxError as error:
        raise RuntimeError(init_error("Runtime.UserCodeSyntaxError",
                                      "Syntax error in module '%s': %s" % (module_path, error),
                                      ['  File "%s" Line %s\n    %s\n' % (error.filename, error.lineno, (error.text or "").strip())]))
    except Exception as error:
        stack = traceback.format_list(traceback.extract_tb(error.__traceback__)[1:])
        raise RuntimeError(init_error(type(error).__name__, str(error), stack))
    handler = getattr(module, function_name, None)
    if handler is None:
        raise RuntimeError(init_error("Runtime.HandlerNotFound",
                                      "Handler '%s' missing on module '%s'" % (function_name, module_path), []))
    return handler


try:
    handler = load_handler()
except RuntimeError as failure:
    error = failure.args[0]
    print("[ERROR] %s: %s" % (error["errorType"], error["errorMessage"]), flush=True)
    post_error("/init/error", error)
    sys.exit(1)

while True:
    headers, body = call("GET", "/invocation/next")
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    # As the managed runtime does: the AWS SDKs copy it onto their requests (recursive loop detection).
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        event = json.loads(body.decode("utf-8"))
        result = handler(event, LambdaContext(headers, request_id))
    except Exception as error:
        stack = traceback.format_list(traceback.extract_tb(error.__traceback__)[1:])
        failure = error_object(type(error).__name__, str(error), stack, request_id)
        print("[ERROR] %s: %s" % (failure["errorType"], failure["errorMessage"]), flush=True)
        post_error("/invocation/%s/error" % request_id, failure)
        continue
    try:
        payload = json.dumps(result).encode("utf-8")
    except (TypeError, ValueError) as error:
        failure = error_object("Runtime.MarshalError", "Unable to marshal response: %s" % error, [], request_id)
        post_error("/invocation/%s/error" % request_id, failure)
        continue
    call("POST", "/invocation/%s/response" % request_id, payload, {"Content-Type": "application/json"})
`;

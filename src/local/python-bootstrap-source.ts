/**
 * The Python runtime's bootstrap, run by the sandbox as `python3 bootstrap.py` with the system's python3.
 * Standard library only. It speaks the Lambda Runtime API and reproduces the real runtime's error objects:
 * `{errorMessage, errorType, stackTrace}` in that key order, plus `requestId` from python3.12 on, and its
 * init errors (Runtime.ImportModuleError, Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound).
 *
 * Like the managed runtime (the AWS Lambda Python runtime interface client, awslambdaric/bootstrap.py), it
 * puts a handler on the root logger that writes "[LEVEL]\t<UTC time>.<ms>Z\t<request id>\t<message>\n",
 * logs an unhandled error as "[ERROR] Type: message" then "Traceback (most recent call last):" and the frames
 * (indented with no-break spaces, one log entry), and builds stack traces from (file, line, function, code)
 * tuples with its own frames left out. Paths are shown as on AWS: the function's files under /var/task, the
 * standard library under /var/lang/lib/pythonX.Y. Before it answers an invocation it writes an end mark on
 * stdout and stderr, which the sandbox takes out of the log.
 * Kept as a string so that the compiled package needs no extra files beside dist/.
 * It must not contain backticks or dollar-brace sequences.
 */
export const PYTHON_BOOTSTRAP_SOURCE = String.raw`
import http.client
import importlib
import json
import logging
import os
import sys
import sysconfig
import threading
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
current_request_id = None

# Where AWS keeps what the stack keeps elsewhere: the function's code, the standard library, site-packages.
public_paths = []


def add_public_path(local, shown):
    if not local:
        return
    for variant in {local, os.path.realpath(local)}:
        public_paths.append((variant.rstrip(os.sep), shown))


add_public_path(os.environ.get("LAMBDA_TASK_ROOT"), "/var/task")
add_public_path(os.path.abspath(__file__), "/var/runtime/bootstrap.py")
version_folder = "python%d.%d" % sys.version_info[:2]
for key, shown in (("purelib", "site-packages"), ("platlib", "site-packages"), ("stdlib", ""), ("platstdlib", "")):
    try:
        folder = sysconfig.get_paths()[key]
    except KeyError:
        continue
    add_public_path(folder, "/var/lang/lib/" + version_folder + ("/" + shown if shown else ""))
public_paths.sort(key=lambda pair: len(pair[0]), reverse=True)


def public_path(filename):
    for local, shown in public_paths:
        if filename == local or filename.startswith(local + os.sep):
            return shown + filename[len(local):]
    return filename


def public_text(text):
    for local, shown in public_paths:
        text = text.replace(local + os.sep, shown + "/")
    return text


def stack_trace(tb):
    frames = [(public_path(frame.filename), frame.lineno, frame.name, frame.line) for frame in traceback.extract_tb(tb)]
    # The runtime's own frames lead the traceback; the first one of the function's and all after it stay.
    for index, frame in enumerate(frames):
        if not frame[0].endswith("/bootstrap.py"):
            return traceback.format_list(frames[index:])
    return traceback.format_list(frames)


def write_end_marks(request_id):
    """Tells the sandbox that everything written so far for this invocation is out: see sandbox.ts."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    mark = ("\0" + api_secret + " " + request_id + "\n").encode("utf-8")
    for descriptor in (1, 2):
        try:
            os.write(descriptor, mark)
        except OSError:
            pass


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_request_id or ""
        return True


class LambdaLoggerHandler(logging.Handler):
    def emit(self, record):
        try:
            sys.stdout.write(self.format(record))
            sys.stdout.flush()
        except Exception:
            self.handleError(record)


def setup_logging():
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(LambdaLoggerFilter())
    root = logging.getLogger()
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in ("DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL", "FATAL"):
        root.setLevel({"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level))
    root.addHandler(handler)


def log_error(error):
    """An unhandled error as one log entry: its lines joined, the traceback indented with no-break spaces."""
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            description += ":"
        description += " " + error["errorMessage"]
    lines = [description]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


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
                                      public_text("Syntax error in module '%s': %s" % (module_path, error)),
                                      ['  File "%s" Line %s\n    %s' % (public_path(error.filename or ""), error.lineno, error.text)]))
    except Exception as error:
        raise RuntimeError(init_error(type(error).__name__, public_text(str(error)), stack_trace(error.__traceback__)))
    handler = getattr(module, function_name, None)
    if handler is None:
        raise RuntimeError(init_error("Runtime.HandlerNotFound",
                                      "Handler '%s' missing on module '%s'" % (function_name, module_path), []))
    return handler


# What the managed runtime logs (as a warning) before an init error (awslambdaric/lambda_literals.py).
UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in "
    "rare cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed "
    "runtimes, runtime updates can be triggered by a function change, or can be applied automatically. To "
    "determine if the runtime has been updated, check the runtime version in the INIT_START log entry. If this "
    "error correlates with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)

def watch_stack(stack_pid):
    # A runtime does not outlive its stack (ended in any way, SIGKILL included): a handler still running when
    # it went notices nothing else. An idle runtime ends anyway, its Runtime API connection gone.
    while True:
        time.sleep(1)
        if os.getppid() != stack_pid:
            os._exit(1)


threading.Thread(target=watch_stack, args=(os.getppid(),), daemon=True).start()
setup_logging()
try:
    handler = load_handler()
except RuntimeError as failure:
    error = failure.args[0]
    logging.warning(UNHANDLED_EXCEPTION_WARNING)
    log_error(error)
    post_error("/init/error", error)
    sys.exit(1)

while True:
    headers, body = call("GET", "/invocation/next")
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    current_request_id = request_id
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
        failure = error_object(type(error).__name__, public_text(str(error)), stack_trace(error.__traceback__), request_id)
        log_error(failure)
        write_end_marks(request_id)
        post_error("/invocation/%s/error" % request_id, failure)
        continue
    try:
        payload = json.dumps(result).encode("utf-8")
    except (TypeError, ValueError) as error:
        failure = error_object("Runtime.MarshalError", "Unable to marshal response: %s" % error, [], request_id)
        log_error(failure)
        write_end_marks(request_id)
        post_error("/invocation/%s/error" % request_id, failure)
        continue
    write_end_marks(request_id)
    call("POST", "/invocation/%s/response" % request_id, payload, {"Content-Type": "application/json"})
`;

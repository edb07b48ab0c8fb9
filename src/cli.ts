/**
 * Commander registrations only. Each action normalises its options and lazy-imports its command, so that
 * `--help`, `validate` and `show` never load the AWS SDK.
 */
import { readFileSync } from "node:fs";
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import type { GenerateCommandOptions } from "./commands/generate.js";
import { parseDuration } from "./duration.js";
import { UsageError } from "./errors.js";
import type { AwsOptions, CommandContext, Io, OutputOptions } from "./io.js";
import * as accepted from "./option-values.js";
import { printable } from "./printable.js";
import { createColors } from "./render/colors.js";
import { outputWidth } from "./render/wrap.js";

/**
 * The version of the package this copy was installed from. src/cli.ts, dist/cli.js and the bundled
 * dist/main.js all sit one folder below package.json, so one relative URL serves the three.
 */
export const VERSION = packageVersion(new URL("../package.json", import.meta.url));

function packageVersion(manifestUrl: URL): string {
  try {
    const manifest: unknown = JSON.parse(readFileSync(manifestUrl, "utf8"));
    const version = (manifest as { version?: unknown }).version;
    if (typeof version === "string") return printable(version);
  } catch {
    // An install without its package.json still runs every command; only --version has less to say.
  }
  return "unknown";
}

interface GlobalFlags {
  json?: boolean;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  local?: boolean;
  requestTimeout?: number;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * An option's value checked as commander parses it: a bad one is a usage error (exit 2) on one line that
 * names the option and the value (commander's part) and what is accepted (the check's).
 */
function checked<T>(check: (value: string) => T) {
  return (value: string): T => {
    try {
      return check(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/**
 * Commander's error text with every control character escaped (a value given may hold a newline or an
 * escape sequence), keeping its own line breaks: the final one and the "(Did you mean ...?)" line.
 */
function printableUsageError(text: string): string {
  const final = text.endsWith("\n") ? "\n" : "";
  const body = final ? text.slice(0, -1) : text;
  return body.split("\n(Did you mean").map(printable).join("\n(Did you mean") + final;
}

function wholeNumber(min: number, max: number) {
  return checked((value) => accepted.wholeNumber(value, min, max));
}

/**
 * A web origin for `local --allow-origin`, as a browser sends it in Origin: http(s)://host[:port] and nothing
 * more; anything else could never match, so it is a mistake to say at once.
 */
function webOrigin(value: string, previous: string[] = []): string[] {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const ok =
    url !== undefined &&
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.origin === value.replace(/\/$/, "");
  if (!ok || url === undefined) {
    throw new InvalidArgumentError(
      "use an origin as a browser sends it: scheme, host and port, such as http://localhost:3000",
    );
  }
  return [...previous, url.origin];
}

/** A duration of at least `minMs` (timeouts: at least 1 ms; ages may be 0). */
function duration(flag: string, minMs: number) {
  return checked((value) => parseDuration(value, flag, minMs));
}

/** Builds the context a command runs with from the global flags. */
async function makeContext(io: Io, flags: GlobalFlags): Promise<CommandContext> {
  const output: OutputOptions = {
    json: flags.json === true,
    quiet: flags.quiet === true,
    verbose: flags.verbose === true,
  };
  const aws: AwsOptions = {
    profile: flags.profile,
    region: flags.region,
    endpointUrl: flags.endpointUrl,
    local: flags.local === true,
    requestTimeoutMs: flags.requestTimeout,
  };
  const colorFlag = flags.color === false ? false : undefined;
  return {
    io,
    output,
    aws,
    colors: await createColors({ isTTY: io.stdout.isTTY, env: io.env, colorFlag }),
    errorColors: await createColors({ isTTY: io.stderr.isTTY, env: io.env, colorFlag }),
    width: outputWidth(io.stdout.isTTY ? io.columns?.() : undefined),
  };
}

const EXIT_CODES = `
Exit codes: 0 success or all valid; 1 invalid payload, failure outcome or failed operation
            (an endpoint that refuses connections included); 2 usage error or unreadable input;
            3 timed out waiting (a --timeout that passed before the endpoint answered included).`;

/**
 * Turns a command's typed action into commander's: the positional arguments, the command's own options and
 * the context built from the global ones. Commander hands them over untyped; each command's argument tuple and
 * flag interface below say what its definition makes commander produce (pinned by test/unit/cli/argv.test.ts).
 */
type Runner = <Args extends unknown[], Flags>(
  action: (context: CommandContext, args: Args, flags: Flags) => Promise<number>,
) => (...params: unknown[]) => Promise<void>;

/** Defines one command (arguments, options, help, action) on the Command its name made. */
type Registration = (command: Command, run: Runner) => void;

export function buildProgram(io: Io, state: { exitCode: number }, argv: string[] = []): Command {
  const program = new Command("lambda-dest");
  program
    .description(
      "Fire events at AWS Lambda Destinations and see, validated and readable, what Lambda did with them.",
    )
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander quotes the value given, which may hold control characters: shown escaped, never raw.
      outputError: (text, write) => write(printableUsageError(text)),
    })
    .showHelpAfterError("(add --help for usage)")
    // A fixed width off a terminal keeps piped help (and its snapshot test) stable.
    .configureHelp({
      showGlobalOptions: true,
      sortSubcommands: false,
      helpWidth: io.stdout.isTTY ? undefined : 100,
    })
    .option("--json", "machine-readable output: one JSON document, or NDJSON for streams")
    .option("--no-color", "no colors (NO_COLOR and FORCE_COLOR are honoured too)")
    .option("-q, --quiet", "only data and errors; no progress or notes")
    .option("-v, --verbose", "more detail, and stack traces on errors")
    .option("--profile <name>", "AWS profile to use", checked(accepted.profileName))
    .option("--region <region>", "AWS region", checked(accepted.region))
    .option(
      "--endpoint-url <url>",
      "one endpoint for every AWS service (e.g. a local stack)",
      checked(accepted.endpointUrl),
    )
    .option("--local", "use the embedded local stack at http://127.0.0.1:4566 (region us-east-1)")
    .option(
      "--request-timeout <duration>",
      "give up on an AWS request with no answer after this long, retried once (default 10s; a long poll or --sync invoke adds its own wait)",
      duration("--request-timeout", 1),
    )
    .addHelpText(
      "after",
      `
Examples:
  $ lambda-dest validate record.json            check an envelope against the bundled schemas
  $ lambda-dest show message.json               explain an envelope, layer by layer
  $ lambda-dest local                           start SQS, SNS, S3 and Lambda on 127.0.0.1:4566
  $ lambda-dest invoke my-fn '{"a":1}' --wait   invoke async and wait for the destination record
  $ lambda-dest tail function:my-fn             watch a function's destinations
  $ lambda-dest generate invocation-record      a realistic record to test a consumer with
  $ source <(lambda-dest completion bash)       tab completion in this shell
${EXIT_CODES}`,
    );

  // Only the command being run is registered when argv names one: building all of them, with their options
  // and help, is a measurable share of a one-file `validate`. `--help` and unknown commands get them all.
  const wanted = commandNamed(argv);
  const run: Runner =
    <Args extends unknown[], Flags>(
      action: (context: CommandContext, args: Args, flags: Flags) => Promise<number>,
    ) =>
    async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const context = await makeContext(io, command.optsWithGlobals<GlobalFlags>());
      state.exitCode = await action(context, params.slice(0, -2) as Args, params[params.length - 2] as Flags);
    };
  for (const name of COMMAND_NAMES) {
    if (wanted === undefined || wanted === name) REGISTRATIONS[name](program.command(name), run);
  }
  return program;
}

/** The options commander collects for each command, by the camelCase names it gives them. */
interface ValidateFlags {
  schema?: string;
  strict?: boolean;
  threads?: number;
}

interface ShowFlags {
  raw?: boolean;
  schema?: string;
}

interface InputFlags {
  file?: string;
  lines?: boolean;
  attribute?: string[];
  groupId?: string;
  dedupId?: string;
}

interface SendFlags extends InputFlags {
  delay?: number;
}

interface PublishFlags extends InputFlags {
  subject?: string;
}

interface InvokeFlags {
  file?: string;
  qualifier?: string;
  sync?: boolean;
  wait?: boolean;
  timeout?: number;
}

const UNTIL_CHOICES = ["success", "failure", "any"] as const;
const ONLY_CHOICES = ["success", "failure"] as const;

interface TailFlags {
  max?: number;
  timeout?: number;
  until?: (typeof UNTIL_CHOICES)[number];
  only?: (typeof ONLY_CHOICES)[number];
  function?: string;
  consume?: boolean;
  out?: string;
  since?: string;
  pattern?: string;
  concurrency?: number;
  qualifier?: string;
}

/** generate takes its options as commander gives them and checks them itself. */
type GenerateFlags = Partial<Omit<GenerateCommandOptions, "kind">>;

interface LocalFlags {
  port: number;
  init?: string;
  function?: string[];
  realTiming?: boolean;
  allowOrigin?: string[];
}

interface DemoFlags {
  python?: boolean;
}

const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;

interface DoctorFlags {
  all?: boolean;
  qualifier?: string;
}

interface ReplayFlags {
  function?: string;
  qualifier?: string;
  sync?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  delete?: boolean;
  includeSuccess?: boolean;
  max?: number;
  rate?: number;
  concurrency?: number;
  out?: string;
  skipReplayed?: string;
  wait?: boolean;
  timeout?: number;
}

/** `--rate N/s` (or a bare N): invocations started per second, 0.1 to 1000. */
function replayRate(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(value.trim());
  const rate = match ? Number(match[1]) : Number.NaN;
  if (!(rate >= 0.1 && rate <= 1000)) {
    throw new InvalidArgumentError("give invocations per second, such as 5/s or 0.5/s (0.1 to 1000)");
  }
  return rate;
}

interface CleanupFlags {
  olderThan?: number;
  force?: boolean;
  dryRun?: boolean;
}

function addInputOptions(command: Command): Command {
  return command
    .option("--file <path>", "read the body from a file ('-' for stdin)", checked(accepted.filePath))
    .option("--lines", "send each line of the input as its own message")
    .option(
      "--attribute <name=value>",
      "message attribute: name=value (String), name=Number:42, name=Binary:@file; repeatable",
      collect,
    )
    .option("--group-id <id>", "message group id (FIFO)", checked(accepted.messageTag))
    .option(
      "--dedup-id <id>",
      "deduplication id (FIFO without content-based deduplication)",
      checked(accepted.messageTag),
    );
}

/** Every command, in the order --help lists them; the key is the command's name. */
const REGISTRATIONS = {
  validate: (command, run) => {
    command
      .description("validate envelopes against the bundled JSON Schemas (files, globs, or stdin)")
      .argument("[files...]", "files or globs; '-' or none reads stdin")
      .option("--schema <kind|path>", "force a bundled kind or your own JSON Schema file")
      .option("--strict", "treat warnings as failures")
      .option(
        "--threads <n>",
        "threads validating an NDJSON file over 50 MB, this one and n-1 workers (1-8; default one a core, up to 3; 1: least memory)",
        wholeNumber(1, 8),
      )
      .addHelpText(
        "after",
        `
  Examples:
    $ lambda-dest validate record.json
    $ lambda-dest validate 'captures/*.json' --json
    $ aws sqs receive-message --queue-url "$Q" | lambda-dest validate
    $ lambda-dest validate events.ndjson --schema invocation-record --strict`,
      )
      .action(
        run(async (context, [files]: [string[]], flags: ValidateFlags) => {
          const { runValidate } = await import("./commands/validate.js");
          return runValidate(
            { files, schema: flags.schema, strict: flags.strict === true, threads: flags.threads },
            context,
          );
        }),
      );
  },

  show: (command, run) => {
    command
      .description("pretty-print envelopes: a summary line, then the payload, errors set out")
      .argument("[files...]", "files or globs; '-' or none reads stdin")
      .option("--raw", "print the untouched JSON")
      .option("--schema <kind|path>", "force a bundled kind or your own JSON Schema file")
      .addHelpText(
        "after",
        `
  Examples:
    $ lambda-dest show failure.json
    $ aws sqs receive-message --queue-url "$Q" | lambda-dest show`,
      )
      .action(
        run(async (context, [files]: [string[]], flags: ShowFlags) => {
          const { runShow } = await import("./commands/show.js");
          return runShow({ files, raw: flags.raw === true, schema: flags.schema }, context);
        }),
      );
  },

  schemas: (command, run) => {
    command
      .description("list the bundled kinds, or print one schema")
      .argument("[kind]", "the kind whose schema to print")
      .addHelpText(
        "after",
        `
  Examples:
    $ lambda-dest schemas
    $ lambda-dest schemas invocation-record > invocation-record.schema.json`,
      )
      .action(
        run(async (context, [kind]: [string | undefined]) => {
          const { runSchemas } = await import("./commands/schemas.js");
          return runSchemas({ kind }, context);
        }),
      );
  },

  send: (command, run) => {
    addInputOptions(
      command
        .description("send an SQS message (or each line with --lines)")
        .argument("<queue>", "queue name, URL or ARN")
        .argument("[body]", "message body; else --file or stdin"),
    )
      .option("--delay <seconds>", "delay delivery by this many seconds (0-900)", wholeNumber(0, 900))
      .addHelpText(
        "after",
        `
  Examples:
    $ lambda-dest send orders '{"orderId": 1}'
    $ lambda-dest send orders --file order.json --attribute source=cli --attribute priority=Number:5
    $ cat orders.ndjson | lambda-dest send orders --lines
    $ lambda-dest send orders.fifo '{"id":1}' --group-id customer-7`,
      )
      .action(
        run(async (context, [queue, body]: [string, string | undefined], flags: SendFlags) => {
          const { runSend } = await import("./commands/send.js");
          return runSend(
            {
              queue,
              body,
              file: flags.file,
              lines: flags.lines === true,
              attributes: flags.attribute ?? [],
              groupId: flags.groupId,
              dedupId: flags.dedupId,
              delaySeconds: flags.delay,
            },
            context,
          );
        }),
      );
  },

  publish: (command, run) => {
    addInputOptions(
      command
        .description("publish an SNS message (or each line with --lines)")
        .argument("<topic>", "topic name or ARN")
        .argument("[message]", "message; else --file or stdin"),
    )
      .option("--subject <text>", "message subject (1-99 characters, one line)", checked(accepted.snsSubject))
      .addHelpText(
        "after",
        `
  Examples:
    $ lambda-dest publish order-events '{"orderId": 1}' --subject test
    $ lambda-dest publish arn:aws:sns:eu-west-1:123456789012:alerts --file alert.json`,
      )
      .action(
        run(async (context, [topic, message]: [string, string | undefined], flags: PublishFlags) => {
          const { runPublish } = await import("./commands/publish.js");
          return runPublish(
            {
              topic,
              message,
              file: flags.file,
              lines: flags.lines === true,
              attributes: flags.attribute ?? [],
              groupId: flags.groupId,
              dedupId: flags.dedupId,
              subject: flags.subject,
            },
            context,
          );
        }),
      );
  },

  invoke: (command, run) => {
    command
      .description(
        "invoke a function asynchronously (or --sync), and optionally --wait for its destination record",
      )
      .argument("<function>", "function name or ARN")
      .argument("[payload]", "JSON event; else --file or stdin; default {}")
      .option("--file <path>", "read the payload from a file ('-' for stdin)", checked(accepted.filePath))
      .option("--qualifier <alias|version>", "version or alias to invoke", checked(accepted.qualifier))
      .option("--sync", "invoke synchronously (RequestResponse): print the result and the log tail")
      .option("--wait", "watch the destinations, invoke, and print the record whose requestId matches")
      .option(
        "--timeout <duration>",
        "give up after this long, setup included (exit 3); default 5m with --wait",
        duration("--timeout", 1),
      )
      .addHelpText(
        "after",
        `
  Examples:
    $ lambda-dest invoke order-processor '{"orderId": 1}'
    $ lambda-dest invoke order-processor --file event.json --wait --timeout 10m
    $ lambda-dest invoke order-processor '{"orderId": 1}' --sync`,
      )
      .action(
        run(async (context, [fn, payload]: [string, string | undefined], flags: InvokeFlags) => {
          if (flags.sync && flags.wait) throw new UsageError("--sync and --wait cannot be combined");
          const { runInvoke } = await import("./commands/invoke.js");
          return runInvoke(
            {
              functionName: fn,
              payload,
              file: flags.file,
              qualifier: flags.qualifier,
              sync: flags.sync === true,
              wait: flags.wait === true,
              timeoutMs: flags.timeout,
            },
            context,
          );
        }),
      );
  },

  tail: (command, run) => {
    command
      .description(
        "stream destination envelopes from a topic, a queue, a bucket, or a function's destinations",
      )
      .argument(
        "<target>",
        "topic or queue (name, URL or ARN; sns:NAME / sqs:NAME force one), events:BUS, s3://BUCKET[/PREFIX], or function:NAME",
      )
      .option("--max <n>", "exit after n envelopes", wholeNumber(1, Number.MAX_SAFE_INTEGER))
      .option(
        "--timeout <duration>",
        "exit after this long (exit 3 if it passes before the endpoint answered, or with --until/--max)",
        duration("--timeout", 1),
      )
      .addOption(new Option("--until <outcome>", "exit after the first such envelope").choices(UNTIL_CHOICES))
      .addOption(new Option("--only <outcome>", "show only these envelopes").choices(ONLY_CHOICES))
      .option("--function <name>", "show only envelopes of this function")
      .option(
        "--consume",
        "SQS: delete each message after it is written (default: peek and release); see below for pipes",
      )
      .option("--out <file>", "also append NDJSON to this file", checked(accepted.filePath))
      .option(
        "--qualifier <qualifier>",
        "function: only: the version or alias whose destinations to follow (default: unqualified)",
        checked(accepted.qualifier),
      )
      .option(
        "--concurrency <n>",
        "--consume: receive loops per queue (default 3; more for a busy queue, as AWS advises)",
        wholeNumber(1, 50),
      )
      .option(
        "--since <duration|time>",
        "s3:// only: also show objects written since then (10m, 2h, or an ISO time); default: only new ones",
      )
      .option(
        "--pattern <json|@file>",
        "events: only: the event pattern of the temporary rule (default: Lambda's destination events)",
      )
      .addHelpText(
        "after",
        `
  events:BUS: a rule of lambda-dest's own (tagged, removed on exit) sends what --pattern matches to a
  temporary queue; a user's rules are never touched.

  s3://BUCKET[/PREFIX]: the prefix is listed every 2 s (ListObjectsV2, one request per 1,000 keys; under a
  function's folder aws/lambda/async/NAME/, where Lambda's keys sort by time, only the last few minutes are
  listed) and each new object is read once (GetObject, at most 16 MiB). Nothing is written to the bucket.

  --consume and pipes: a message is deleted once its envelope was written. A terminal or a file has then
  taken it; a pipe has only buffered it, and a reader that exits early (| head -1) never reads the rest.
  So when stdout is a pipe, messages are written one batch at a time and deleted only if the reader is
  still there shortly after it was written: a reader that stops deletes nothing more (at least once; the
  messages it did not take come back after their visibility timeout). A reader that stays, then exits
  later without reading what it had buffered, can still lose that part: use --max N to take exactly N,
  or --out FILE for a copy on disk.

  Examples:
    $ lambda-dest tail function:order-processor
    $ lambda-dest tail order-results --until failure --timeout 5m
    $ lambda-dest tail sqs:order-failures --consume --json --max 100 > failures.ndjson
    $ lambda-dest tail s3://order-failures/aws/lambda/async/order-processor/ --since 1h
    $ lambda-dest tail events:orders --pattern '{"detail-type":[{"prefix":"Lambda Function"}]}'`,
      )
      .action(
        run(async (context, [target]: [string], flags: TailFlags) => {
          const { runTail } = await import("./commands/tail.js");
          return runTail(
            {
              target,
              max: flags.max,
              timeoutMs: flags.timeout,
              until: flags.until,
              only: flags.only,
              functionName: flags.function,
              consume: flags.consume === true,
              out: flags.out,
              since: flags.since,
              pattern: flags.pattern,
              concurrency: flags.concurrency,
              qualifier: flags.qualifier,
            },
            context,
          );
        }),
      );
  },

  generate: (command, run) => {
    command
      .description("print realistic, valid envelopes for consumers' tests (NDJSON with --count)")
      .argument("<kind>", "invocation-record, esm-failure-record, dlq-message or processing-result")
      .option(
        "--condition <condition>",
        "Success, RetriesExhausted, EventAgeExceeded, ZeroReservedConcurrency; stream records: RetryAttemptsExhausted, RecordAgeExceeded, MaximumPayloadSizeExceeded (default: a mix)",
      )
      .option("--function <name|arn>", "the function (an ARN sets region, account and qualifier)")
      .option("--qualifier <qualifier>", "$LATEST (default), a version or an alias")
      .option(
        "--runtime <runtime>",
        "nodejs, python, java or go: the error object and stack trace of failures",
      )
      .option("--error <'Type: message'>", "the failure's error type and message")
      .option("--attempts <n>", "approximateInvokeCount")
      .option("--request <json|@file>", "the original event, kept byte for byte ('@-' reads stdin)")
      .option("--response <json|@file>", "the handler's return value, or the error object of a failure")
      .option("--source <source>", "esm-failure-record: kinesis, dynamodb or kafka")
      .option("--status <status>", "processing-result: SUCCESS or FAILURE")
      .option(
        "--wrap <wrapper>",
        "sqs, sns, eventbridge, s3, lambda-sqs-event, lambda-sns-event or cli-receive; repeatable, innermost first",
        collect,
      )
      .option("--count <n>", "how many items (NDJSON, one per line)")
      .option("--seed <n>", "the same seed and options give the same items")
      .option("--pretty", "indented (several items: one JSON array)")
      .addHelpText(
        "after",
        `
  Examples:
    $ lambda-dest generate invocation-record --condition RetriesExhausted --runtime python
    $ lambda-dest generate invocation-record --wrap sns --wrap sqs --pretty   # SNS notification in an SQS message
    $ lambda-dest generate invocation-record --request @event.json --error "ValueError: bad order" --seed 7
    $ lambda-dest generate esm-failure-record --source kinesis --count 100 > discarded.ndjson
    $ lambda-dest generate dlq-message --wrap lambda-sqs-event | lambda-dest validate`,
      )
      .action(
        run(async (context, [kind]: [string], flags: GenerateFlags) => {
          const { runGenerate } = await import("./commands/generate.js");
          return runGenerate(
            { ...flags, kind, wrap: flags.wrap ?? [], pretty: flags.pretty === true },
            context,
          );
        }),
      );
  },

  local: (command, run) => {
    command
      .description("run the embedded local stack (SQS, SNS, S3, Lambda with destinations) on 127.0.0.1")
      .option("--port <port>", "port to listen on (0-65535; 0 picks a free one)", wholeNumber(0, 65535), 4566)
      .option("--init <file>", "JSON file of queues, topics, subscriptions and functions to create at start")
      .option(
        "--function <name=path>",
        "register a function from a local file or folder; repeatable",
        collect,
      )
      .option("--real-timing", "use AWS's real retry delays (about 1 and 2 minutes) instead of scaled ones")
      .option(
        "--allow-origin <url>",
        "let web pages from this origin (e.g. http://localhost:3000) call the stack; repeatable",
        webOrigin,
      )
      .addHelpText(
        "after",
        `
  Examples:
    $ lambda-dest local
    $ lambda-dest local --port 4577 --function hello=./hello/index.mjs`,
      )
      .action(
        run(async (context, _args: [], flags: LocalFlags) => {
          const { runLocal } = await import("./commands/local.js");
          return runLocal(
            {
              port: flags.port,
              init: flags.init,
              functions: flags.function ?? [],
              realTiming: flags.realTiming === true,
              allowOrigins: flags.allowOrigin ?? [],
            },
            context,
          );
        }),
      );
  },

  demo: (command, run) => {
    command
      .description("run the order-processor scenario end to end on an in-process local stack")
      .option("--python", "deploy the Python version of the example function")
      .addHelpText(
        "after",
        `
  Examples:
    $ lambda-dest demo
    $ lambda-dest demo --python`,
      )
      .action(
        run(async (context, _args: [], flags: DemoFlags) => {
          const { runDemo } = await import("./commands/demo.js");
          return runDemo({ python: flags.python === true }, context);
        }),
      );
  },

  cleanup: (command, run) => {
    command
      .description("delete temporary queues and subscriptions that an interrupted tail left behind")
      .option(
        "--older-than <duration>",
        "only queues created longer ago than this",
        duration("--older-than", 0),
      )
      .option(
        "--force",
        "also delete queues that a running tail refreshed in the last 5 minutes (that tail then stops)",
      )
      .option("--dry-run", "list what would be deleted")
      .addHelpText(
        "after",
        `
  A running tail refreshes the tag lambda-dest:heartbeat on its temporary queue every minute; a queue
  refreshed (or created) in the last 5 minutes is kept, and said so, unless --force.

  Examples:
    $ lambda-dest cleanup --dry-run
    $ lambda-dest cleanup --older-than 1h`,
      )
      .action(
        run(async (context, _args: [], flags: CleanupFlags) => {
          const { runCleanup } = await import("./commands/cleanup.js");
          return runCleanup(
            {
              olderThanMs: flags.olderThan,
              dryRun: flags.dryRun === true,
              force: flags.force === true,
            },
            context,
          );
        }),
      );
  },

  replay: (command, run) => {
    command
      .description("send failed events back to their function, byte for byte, after a plan you confirm")
      .argument(
        "[source...]",
        "a queue (name, URL, ARN; sqs:NAME forces one), s3://BUCKET/PREFIX, or files/globs ('-' or none: stdin)",
      )
      .option("--function <name>", "invoke this function (required for dead-letter messages)")
      .option(
        "--qualifier <alias|version>",
        "invoke this version or alias (default: the one each record names)",
        checked(accepted.qualifier),
      )
      .option("--sync", "invoke synchronously (RequestResponse) and report each result")
      .option("--dry-run", "print the plan only; invoke nothing, delete nothing")
      .option("-y, --yes", "replay without asking (needed when there is no terminal)")
      .option("--delete", "queue: delete each message once its replay was accepted (default: only peek)")
      .option("--include-success", "replay Success records too")
      .option("--max <n>", "read and replay at most n values (default 1000)", wholeNumber(1, 100_000))
      .option("--rate <n/s>", "start at most n invocations per second", checked(replayRate))
      .option("--concurrency <n>", "invocations in flight at once (default 4)", wholeNumber(1, 100))
      .option(
        "--out <file>",
        "append the replay log: one NDJSON line per replayed value",
        checked(accepted.filePath),
      )
      .option("--wait", "follow each replay to its new destination record, then print a table")
      .option(
        "--timeout <duration>",
        "--wait: give up waiting after this long (exit 3); default 5m",
        duration("--timeout", 1),
      )
      .option(
        "--skip-replayed <file>",
        "skip what a replay log shows as accepted (rerun after an interruption)",
        checked(accepted.filePath),
      )
      .addHelpText(
        "after",
        `
  Failure records are re-invoked with their requestPayload exactly as the record holds it (1e400, -0, key
  order and spacing survive). Dead-letter messages send their body to --function. Success records are
  skipped (--include-success), ZeroReservedConcurrency ones are replayed only once the function has
  concurrency again, and Kinesis/DynamoDB/Kafka failure records are explained: they point at a batch.
  A queue's messages are held while the replay runs and given back at the end; only --delete removes
  them, each after its replay was accepted (with --wait: once its new record says Success). Exit 0 when
  every replay was accepted (with --wait: succeeded), 1 otherwise, 3 when --wait timed out.

  Examples:
    $ lambda-dest replay order-failures --dry-run
    $ lambda-dest replay sqs:order-failures --wait --delete --yes --rate 5/s
    $ lambda-dest replay order-dlq --function order-processor --qualifier live --yes`,
      )
      .action(
        run(async (context, [sources]: [string[]], flags: ReplayFlags) => {
          if (flags.wait && flags.sync) throw new UsageError("--sync and --wait cannot be combined");
          const { runReplay } = await import("./commands/replay.js");
          return runReplay(
            {
              sources,
              functionName: flags.function,
              qualifier: flags.qualifier,
              sync: flags.sync === true,
              dryRun: flags.dryRun === true,
              yes: flags.yes === true,
              delete: flags.delete === true,
              includeSuccess: flags.includeSuccess === true,
              max: flags.max,
              rate: flags.rate,
              concurrency: flags.concurrency,
              out: flags.out,
              skipReplayed: flags.skipReplayed,
              wait: flags.wait === true,
              timeoutMs: flags.timeout,
            },
            context,
          );
        }),
      );
  },

  doctor: (command, run) => {
    command
      .description("say why destination records would not arrive, with a fix for each ✗")
      .argument("[functions...]", "function names or ARNs")
      .option("--all", "every function in the region")
      .option(
        "--qualifier <alias|version>",
        "check only this alias or version (default: the unqualified function and every qualifier with a config)",
        checked(accepted.qualifier),
      )
      .addHelpText(
        "after",
        `
  Reads only. Exit 0 when nothing is ✗, 1 when something is. The execution role's permissions are asked
  of IAM's policy simulator (iam:SimulatePrincipalPolicy); where it cannot be asked (no permission, or the
  local stack) that check says "could not check".

  Examples:
    $ lambda-dest doctor order-processor
    $ lambda-dest doctor --all --json`,
      )
      .action(
        run(async (context, [functions]: [string[]], flags: DoctorFlags) => {
          const { runDoctor } = await import("./commands/doctor.js");
          return runDoctor({ functions, all: flags.all === true, qualifier: flags.qualifier }, context);
        }),
      );
  },

  completion: (command, run) => {
    command
      .description("print a shell completion script for commands, options and kind names")
      .addArgument(new Argument("<shell>", "the shell to complete in").choices(COMPLETION_SHELLS))
      .addHelpText(
        "after",
        `
  Load it in the running shell, or put that line in the shell's start-up file:
    bash  ~/.bashrc                  zsh  ~/.zshrc (after compinit)      fish  ~/.config/fish/config.fish

  Examples:
    $ source <(lambda-dest completion bash)
    $ source <(lambda-dest completion zsh)
    $ lambda-dest completion fish > ~/.config/fish/completions/lambda-dest.fish`,
      )
      .action(
        run(async (context, [shell]: [(typeof COMPLETION_SHELLS)[number]]) => {
          const { runCompletion, describeProgram } = await import("./commands/completion.js");
          // Every command's registration, not only this one's: the script is generated from them.
          const everything = buildProgram(context.io, { exitCode: 0 });
          return runCompletion({ shell, program: describeProgram(everything) }, context);
        }),
      );
  },
} satisfies Record<string, Registration>;

export type CommandName = keyof typeof REGISTRATIONS;

/** Derived from the registrations, so that start-up finds every command it can register. */
export const COMMAND_NAMES = Object.keys(REGISTRATIONS) as CommandName[];
const COMMAND_NAME_SET: ReadonlySet<string> = new Set(COMMAND_NAMES);

/** Global options that take a value: the value is not the command's name. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(["--profile", "--region", "--endpoint-url", "--request-timeout"]);

/** The command that argv runs, when it names one and asks for no global help. */
export function commandNamed(argv: string[]): CommandName | undefined {
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    if (token === "--") return undefined;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(token)) {
      index++;
      continue;
    }
    if (token.startsWith("-")) continue;
    return COMMAND_NAME_SET.has(token) ? (token as CommandName) : undefined;
  }
  return undefined;
}

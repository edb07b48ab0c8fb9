/**
 * `lambda-dest completion bash|zsh|fish`: a completion script generated from the commander registrations
 * (every command, its options and arguments, and the choices declared on them), so that it cannot drift
 * from the program. Values that commander does not know are named here once, from the lists the rest of
 * the program uses: the bundled kinds, generate's kinds, conditions, runtimes, sources and wrappers.
 * The script is static (no call back into lambda-dest at each Tab: Node's start-up would be felt).
 */
import type { Command, Option } from "commander";
import { KINDS } from "../envelopes/types.js";
import { ExitCode } from "../errors.js";
import {
  ESM_CONDITIONS,
  ESM_SOURCES,
  GENERATE_KINDS,
  INVOCATION_CONDITIONS,
  RUNTIMES,
  WRAPPERS,
} from "../generate/options.js";
import type { CommandContext } from "../io.js";

export type Shell = "bash" | "zsh" | "fish";

export interface CompletionOption {
  /** "--verbose" */
  long: string;
  /** "-v" */
  short?: string;
  description: string;
  /** It takes a value (the next word). */
  takesValue: boolean;
  /** The values it accepts, when they are a known few. */
  values?: readonly string[];
  /** Its value is a path. */
  path: boolean;
}

export interface CompletionArgument {
  name: string;
  values?: readonly string[];
  path: boolean;
  variadic: boolean;
}

export interface CompletionCommand {
  name: string;
  description: string;
  options: CompletionOption[];
  arguments: CompletionArgument[];
}

export interface ProgramDescription {
  name: string;
  options: CompletionOption[];
  commands: CompletionCommand[];
}

/** Option values commander is not told of (generate checks its own options), by the option's long name. */
const OPTION_VALUES: Record<string, readonly string[]> = {
  "--schema": KINDS,
  "--condition": [...INVOCATION_CONDITIONS, ...ESM_CONDITIONS],
  "--runtime": RUNTIMES,
  "--source": ESM_SOURCES,
  "--status": ["SUCCESS", "FAILURE"],
  "--wrap": WRAPPERS,
};

/** Positional values, by "command argument". */
const ARGUMENT_VALUES: Record<string, readonly string[]> = {
  "schemas kind": KINDS,
  "generate kind": GENERATE_KINDS,
};

/** An option's value is a path when its placeholder says so: <path>, <file>, <kind|path> (not <json|@file>). */
const PATH_PLACEHOLDER = /<(?:[^>]*\|)?(?:path|file)(?:\|[^>]*)?>/;

function describeOption(option: Option): CompletionOption | undefined {
  if (!option.long || option.hidden) return undefined;
  const values = option.argChoices ?? OPTION_VALUES[option.long];
  return {
    long: option.long,
    ...(option.short ? { short: option.short } : {}),
    description: option.description,
    takesValue: option.required || option.optional,
    ...(values ? { values } : {}),
    path: PATH_PLACEHOLDER.test(option.flags),
  };
}

function describeOptions(command: Command): CompletionOption[] {
  return command.options.map(describeOption).filter((option) => option !== undefined);
}

/** What the completion scripts need to know of the program, read from its registrations. */
export function describeProgram(program: Command): ProgramDescription {
  const options = describeOptions(program);
  // Commander's own --help and --version are added to the help, not to `options`, until it is shown.
  if (!options.some((option) => option.long === "--help")) {
    options.push({
      long: "--help",
      short: "-h",
      description: "display help",
      takesValue: false,
      path: false,
    });
  }
  return {
    name: program.name(),
    options,
    commands: program.commands.map((command) => ({
      name: command.name(),
      description: command.description(),
      options: describeOptions(command),
      arguments: command.registeredArguments.map((argument) => {
        const values = argument.argChoices ?? ARGUMENT_VALUES[`${command.name()} ${argument.name()}`];
        return {
          name: argument.name(),
          ...(values ? { values } : {}),
          path: argument.name() === "files",
          variadic: argument.variadic,
        };
      }),
    })),
  };
}

export interface CompletionOptions {
  shell: Shell;
  program: ProgramDescription;
}

export async function runCompletion(options: CompletionOptions, context: CommandContext): Promise<number> {
  context.io.stdout.write(completionScript(options.shell, options.program));
  return ExitCode.ok;
}

export function completionScript(shell: Shell, program: ProgramDescription): string {
  if (shell === "bash") return bashScript(program);
  if (shell === "zsh") return zshScript(program);
  return fishScript(program);
}

/** Our own words (names, kinds) only; anything else would need quoting in a script. */
const WORD = /^[A-Za-z0-9_.:@$-]+$/;

function words(list: readonly string[]): string {
  for (const word of list) if (!WORD.test(word)) throw new Error(`cannot complete ${JSON.stringify(word)}`);
  return list.join(" ");
}

function optionWords(options: CompletionOption[]): string[] {
  return options.flatMap((option) => (option.short ? [option.short, option.long] : [option.long]));
}

/** The shell function's name: lambda-dest → _lambda_dest. */
function functionName(program: ProgramDescription): string {
  return `_${program.name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

function bashScript(program: ProgramDescription): string {
  const fn = functionName(program);
  const takesValue: string[] = [];
  const valueCases: string[] = [];
  for (const option of program.options) {
    if (!option.takesValue) continue;
    for (const flag of optionWords([option])) takesValue.push(`*" ${flag}"`);
    if (option.values) valueCases.push(`      *" ${option.long}") ${fn}_reply "${words(option.values)}" ;;`);
    else if (option.path) valueCases.push(`      *" ${option.long}") ${fn}_files ;;`);
  }
  const commandOptionCases: string[] = [];
  const argumentCases: string[] = [];
  for (const command of program.commands) {
    for (const option of command.options) {
      if (!option.takesValue) continue;
      for (const flag of optionWords([option])) takesValue.push(`"${command.name} ${flag}"`);
      const key = `"${command.name} ${option.long}"`;
      if (option.values) valueCases.unshift(`      ${key}) ${fn}_reply "${words(option.values)}" ;;`);
      else if (option.path) valueCases.unshift(`      ${key}) ${fn}_files ;;`);
    }
    // The program's options go after a command too, but --version only before one.
    const shared = program.options.filter((option) => option.long !== "--version");
    commandOptionCases.push(
      `      ${command.name}) ${fn}_reply "${words([...optionWords(command.options), ...optionWords(shared)])}" ;;`,
    );
    command.arguments.forEach((argument, position) => {
      const at = argument.variadic ? `"${command.name} "*` : `"${command.name} ${position}"`;
      if (argument.values) argumentCases.push(`    ${at}) ${fn}_reply "${words(argument.values)}" ;;`);
      else if (argument.path) argumentCases.push(`    ${at}) ${fn}_files ;;`);
    });
  }
  const commands = words(program.commands.map((command) => command.name));
  return `# ${program.name} completion for bash. Load it with: source <(${program.name} completion bash)
${fn}_takes_value() {
  case "$1 $2" in
    ${takesValue.join(" | ")}) return 0 ;;
  esac
  return 1
}

# Candidates among the words given, or among file names (one a line: a name may hold spaces).
${fn}_reply() { COMPREPLY=($(compgen -W "$1" -- "$cur")); }
${fn}_files() {
  local IFS=$'\\n'
  COMPREPLY=($(compgen -f -- "$cur"))
}

${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD - 1]}"
  local command="" position=0 i word
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ${fn}_takes_value "$command" "$word"; then
      i=$((i + 1))
    elif [[ $word != -* ]]; then
      if [[ -z $command ]]; then command="$word"; else position=$((position + 1)); fi
    fi
  done
  if [[ $COMP_CWORD -gt 1 ]] && ${fn}_takes_value "$command" "$prev"; then
    case "$command $prev" in
${valueCases.join("\n")}
    esac
    return 0
  fi
  if [[ $cur == -* ]]; then
    case "$command" in
      "") ${fn}_reply "${words(optionWords(program.options))}" ;;
${commandOptionCases.join("\n")}
    esac
    return 0
  fi
  if [[ -z $command ]]; then
    ${fn}_reply "${commands}"
    return 0
  fi
  case "$command $position" in
${argumentCases.join("\n")}
  esac
  return 0
}

complete -o default -F ${fn} ${program.name}
`;
}

/** zsh runs the bash function through its bashcompinit layer: one script, one behaviour. */
function zshScript(program: ProgramDescription): string {
  return `#compdef ${program.name}
# ${program.name} completion for zsh. Load it with: source <(${program.name} completion zsh)
autoload -U +X compinit && { (( $+functions[compdef] )) || compinit; }
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)
  .split("\n")
  .filter((line) => !line.startsWith("# "))
  .join("\n")}`;
}

/** A fish single-quoted string: only backslash and the quote are special there. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (char) => `\\${char}`)}'`;
}

function fishOption(prefix: string, option: CompletionOption): string {
  const flags = [...(option.short ? [`-s ${option.short.slice(1)}`] : []), `-l ${option.long.slice(2)}`].join(
    " ",
  );
  const value = option.values
    ? ` -x -a ${fishQuote(words(option.values))}`
    : option.path
      ? " -r -F"
      : option.takesValue
        ? " -x"
        : "";
  return `${prefix} ${flags}${value} -d ${fishQuote(option.description)}`;
}

function fishScript(program: ProgramDescription): string {
  const name = program.name;
  const lines = [
    `# ${name} completion for fish. Load it with: ${name} completion fish | source`,
    `complete -c ${name} -f`,
  ];
  const commands = words(program.commands.map((command) => command.name));
  for (const command of program.commands) {
    lines.push(
      `complete -c ${name} -n ${fishQuote(`not __fish_seen_subcommand_from ${commands}`)} -a ${command.name} -d ${fishQuote(command.description)}`,
    );
  }
  for (const option of program.options) lines.push(fishOption(`complete -c ${name}`, option));
  for (const command of program.commands) {
    const when = `complete -c ${name} -n ${fishQuote(`__fish_seen_subcommand_from ${command.name}`)}`;
    for (const option of command.options) lines.push(fishOption(when, option));
    for (const argument of command.arguments) {
      if (argument.values) lines.push(`${when} -a ${fishQuote(words(argument.values))}`);
      else if (argument.path) lines.push(`${when} -F`);
    }
  }
  return `${lines.join("\n")}\n`;
}

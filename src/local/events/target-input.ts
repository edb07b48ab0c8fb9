/**
 * What a target receives (the PutTargets members Input, InputPath and InputTransformer), as the EventBridge
 * user guide ("Transforming target input") describes it. Without any of them the target gets the whole event.
 */

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface TargetInput {
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

export interface RuleContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

/** The message text a target gets for `event`. */
export function targetPayload(
  target: TargetInput,
  event: Record<string, unknown>,
  rule: RuleContext,
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const value = selectPath(event, target.InputPath);
    return value === undefined ? "null" : JSON.stringify(value);
  }
  if (target.InputTransformer !== undefined) return transform(target.InputTransformer, event, rule);
  return JSON.stringify(event);
}

/** A JSON path of the form `$`, `$.a.b`, `$.a[0]`, `$['a-b']`: what EventBridge input paths use. */
export function parseJsonPath(path: string): Array<string | number> | undefined {
  if (!path.startsWith("$")) return undefined;
  const steps: Array<string | number> = [];
  let rest = path.slice(1);
  const forms: Array<[RegExp, (text: string) => string | number]> = [
    [/^\.([^.[\]]+)/, (text) => text],
    [/^\[(\d+)\]/, (text) => Number(text)],
    [/^\['([^']*)'\]/, (text) => text],
    [/^\["([^"]*)"\]/, (text) => text],
  ];
  while (rest !== "") {
    const form = forms.find(([regex]) => regex.test(rest));
    if (!form) return undefined;
    const match = form[0].exec(rest)!;
    steps.push(form[1](match[1]!));
    rest = rest.slice(match[0].length);
  }
  return steps;
}

export function selectPath(value: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  if (!steps) return undefined;
  let current: unknown = value;
  for (const step of steps) {
    if (typeof step === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Fills `<name>` placeholders of the template: inside a JSON string a value goes in as text (a string without
 * its quotes), elsewhere as JSON; a path with no value gives null (or nothing inside a string). The predefined
 * variables `aws.events.rule-arn`, `aws.events.rule-name`, `aws.events.event.ingestion-time` and
 * `aws.events.event` / `aws.events.event.json` (the whole event) are always available.
 */
function transform(transformer: InputTransformer, event: Record<string, unknown>, rule: RuleContext): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {}))
    values.set(name, selectPath(event, path));
  const predefined: Record<string, unknown> = {
    "aws.events.rule-arn": rule.ruleArn,
    "aws.events.rule-name": rule.ruleName,
    "aws.events.event.ingestion-time": rule.ingestionTime,
    "aws.events.event": event,
    "aws.events.event.json": event,
  };
  const template = transformer.InputTemplate;
  let output = "";
  let inString = false;
  for (let index = 0; index < template.length; index++) {
    const char = template[index]!;
    if (char === "\\" && inString) {
      output += char + (template[index + 1] ?? "");
      index++;
      continue;
    }
    if (char === '"') {
      inString = !inString;
      output += char;
      continue;
    }
    if (char === "<") {
      const close = template.indexOf(">", index);
      const name = close < 0 ? "" : template.slice(index + 1, close);
      const known = values.has(name) || name in predefined;
      if (close >= 0 && known && /^[A-Za-z0-9_.-]+$/.test(name)) {
        const value = values.has(name) ? values.get(name) : predefined[name];
        output += inString ? asText(value) : value === undefined ? "null" : JSON.stringify(value);
        index = close;
        continue;
      }
    }
    output += char;
  }
  return output;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return JSON.stringify(text).slice(1, -1);
}

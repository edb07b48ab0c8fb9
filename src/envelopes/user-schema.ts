import { UsageError } from "../errors.js";
import type { ForcedSchema } from "./analyze.js";
import { findingsFromAjv } from "./schema-errors.js";

/**
 * Compiles a user's own JSON Schema (draft-07, 2019-09 or 2020-12, chosen by its $schema). Ajv is loaded
 * only here, so the bundled kinds never pay for it.
 */
export async function compileUserSchema(text: string, path: string): Promise<ForcedSchema> {
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--schema ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new UsageError(`--schema ${path} is not a JSON Schema (expected an object)`);
  }
  const dialect = typeof schema.$schema === "string" ? schema.$schema : "";
  const { default: addFormats } = await import("ajv-formats");
  const options = { strict: false, allErrors: true, validateSchema: true } as const;
  let ajv: import("ajv").default;
  if (dialect.includes("2020-12")) {
    const { Ajv2020 } = await import("ajv/dist/2020.js");
    ajv = new Ajv2020(options) as unknown as import("ajv").default;
  } else if (dialect.includes("2019-09")) {
    const { Ajv2019 } = await import("ajv/dist/2019.js");
    ajv = new Ajv2019(options) as unknown as import("ajv").default;
  } else {
    const { Ajv } = await import("ajv");
    ajv = new Ajv(options);
  }
  addFormats(ajv as never);
  let validate: import("ajv").ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new UsageError(`--schema ${path} does not compile: ${(error as Error).message}`, { cause: error });
  }
  const name = typeof schema.title === "string" && schema.title ? schema.title : path;
  return {
    name,
    validate: (value) =>
      validate(value) ? [] : findingsFromAjv(validate.errors as never, { schema: () => schema, data: value }),
  };
}

/** Resolves `--schema <kind|path>`: a bundled kind by name, else a schema file. */
export async function resolveSchemaOption(
  option: string | undefined,
  cwd: string,
): Promise<ForcedSchema | undefined> {
  if (option === undefined) return undefined;
  const { isKind, KIND_INFO } = await import("./kinds.js");
  if (isKind(option)) return { kind: option };
  const { readFileSync } = await import("node:fs");
  const { resolve } = await import("node:path");
  let text: string;
  try {
    text = readFileSync(resolve(cwd, option), "utf8");
  } catch (error) {
    const kinds = Object.keys(KIND_INFO).join(", ");
    throw new UsageError(
      `--schema "${option}" is neither a bundled kind (${kinds}) nor a readable schema file`,
      {
        cause: error,
      },
    );
  }
  return compileUserSchema(text, option);
}

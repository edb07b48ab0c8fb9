import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { KINDS } from "../../../src/envelopes/types.js";

const schemaDir = join(import.meta.dirname, "../../../schemas");

describe("bundled schemas", () => {
  const files = readdirSync(schemaDir).filter((name) => name.endsWith(".schema.json"));

  it("has exactly one schema file per kind", () => {
    expect(files.map((name) => name.replace(".schema.json", "")).sort()).toEqual([...KINDS].sort());
  });

  it.each(files)("%s compiles in Ajv strict mode", (file) => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    addFormats.default(ajv);
    const schema = JSON.parse(readFileSync(join(schemaDir, file), "utf8"));
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toMatch(new RegExp(`/${file}$`));
    expect(() => ajv.compile(schema)).not.toThrow();
  });
});

// Compiles one schema into a standalone ES module for the baseline (Ajv 2020 + ajv-formats, allErrors
// false: the cheapest configuration, stopping at the first error), so the baseline pays no compile time.
import { readFileSync, writeFileSync } from "node:fs";
import { _, Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import addFormats from "ajv-formats";

export function compileBaselineValidator(schemaPath, outputPath) {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: false,
    code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
  // The generated code require()s Ajv's runtime helpers; resolve them from this repository.
  const header = `import { createRequire } from "node:module";\nconst require = createRequire(${JSON.stringify(import.meta.url)});\n`;
  writeFileSync(outputPath, header + standaloneCode.default(ajv, validate).replace(/^"use strict";/, ""));
}

/**
 * The baseline for the realistic mix: one standalone validator of `anyOf` every bundled schema (Ajv stops
 * at the first that matches), so each line is parsed once and checked against the kinds, as a bare loop
 * would. It checks the outer layer only: lambda-dest also parses and validates every layer inside.
 */
export function compileMixBaselineValidator(schemaPaths, outputPath) {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: false,
    code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats.default(ajv);
  const ids = schemaPaths.map((path) => {
    const schema = JSON.parse(readFileSync(path, "utf8"));
    ajv.addSchema(schema);
    return schema.$id;
  });
  const validate = ajv.compile({ anyOf: ids.map((id) => ({ $ref: id })) });
  const header = `import { createRequire } from "node:module";\nconst require = createRequire(${JSON.stringify(import.meta.url)});\n`;
  writeFileSync(outputPath, header + standaloneCode.default(ajv, validate).replace(/^"use strict";/, ""));
}

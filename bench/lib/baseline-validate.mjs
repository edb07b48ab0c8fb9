// The throughput baseline: read an NDJSON file line by line (readline), JSON.parse each line and run one
// precompiled Ajv validator on it. Usage: node baseline-validate.mjs <validator.mjs> <file.ndjson>
// Prints "<valid> valid, <invalid> invalid" and exits 1 when any line is invalid.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [validatorPath, dataPath] = process.argv.slice(2);
const { default: validate } = await import(pathToFileURL(validatorPath).href);
let valid = 0;
let invalid = 0;
const lines = createInterface({ input: createReadStream(dataPath), crlfDelay: Number.POSITIVE_INFINITY });
for await (const line of lines) {
  if (line === "") continue;
  if (validate(JSON.parse(line))) valid++;
  else invalid++;
}
process.stdout.write(`${valid} valid, ${invalid} invalid\n`);
process.exitCode = invalid > 0 ? 1 : 0;

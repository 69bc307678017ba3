// Lints Dockerfiles offline with dockerfile-utils (the validator of the VS Code Docker extension):
// syntax, unknown instructions and flags, bad durations, ports, JSON forms, duplicate stages.
// hadolint is neither packaged by Debian bookworm nor published on npm, so this is what runs here.
// Usage: node lint-dockerfile.mjs <Dockerfile>...  Prints one JSON line per diagnostic; exit 1 on any.
import { readFileSync } from "node:fs";
import { validate, ValidationSeverity } from "dockerfile-utils";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint-dockerfile.mjs <Dockerfile>...");
  process.exit(2);
}
// Every rule as an error, warnings included: a clean file has no diagnostic at all.
const strict = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};
let count = 0;
for (const file of files) {
  for (const diagnostic of validate(readFileSync(file, "utf8"), strict)) {
    count++;
    console.log(JSON.stringify({ file, line: diagnostic.range.start.line + 1, code: diagnostic.code, message: diagnostic.message }));
  }
}
console.error(`${files.length} Dockerfile(s), ${count} diagnostic(s)`);
process.exit(count > 0 ? 1 : 0);

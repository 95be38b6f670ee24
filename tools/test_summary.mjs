// Adds up vitest's JSON reports of the Node and Deno passes into one closing line: "tests: N passed, N failed, N skipped".
import { existsSync, readFileSync } from "node:fs";

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`no report at ${file}: that vitest pass did not finish`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  // a file that fails to load counts as a failed suite with no failed test
  failed += Math.max(report.numFailedTests, report.numFailedTestSuites);
  skipped += report.numPendingTests + report.numTodoTests;
  if (report.numTotalTests === 0) failed += 1; // a pass that ran nothing is a failure
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);

// Prints the closing line CI reads ("N passed, N failed, N skipped") from vitest's JSON report and exits
// non-zero when a test failed, when none ran, or when the report is missing.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test/.output/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  console.error(`no vitest report at ${file}: the test run did not finish`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A file that fails outside any test (import error, failing hook) counts as one failure.
const brokenFiles = (report.testResults ?? []).filter(
  (r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

#!/usr/bin/env node
// `npm test`: build (the e2e tests start the built bridge and console), run every Vitest
// project, then print one closing line `N passed, N failed, N skipped` for CI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false });

const build = run('npm', ['run', 'build', '--silent']);
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(build.status ?? 1);
}

mkdirSync('test-artifacts', { recursive: true });
const report = 'test-artifacts/vitest-report.json';
const vitest = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);

let summary = '';
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
} catch {
  summary = `0 passed, 1 failed`;
}
console.log(summary);
process.exit(vitest.status ?? 1);

#!/usr/bin/env node
// `npm test`: build (the e2e tests start the built bridge and console), run every Vitest
// project, then print one closing line `N passed, N failed, N skipped` for CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false });

// The tests run against real peers from Debian (PEERS.md). On a fresh machine, install the
// missing ones when we may (root with apt-get); otherwise say exactly what to install.
const PEERS = {
  'coap-client-notls': 'libcoap3-bin',
  'coap-client-openssl': 'libcoap3-bin',
  'coap-client-gnutls': 'libcoap3-bin',
  'gnutls-cli': 'gnutls-bin',
  openssl: 'openssl',
  chromium: 'chromium',
  // The mbed TLS interop client (test/support/mbedtls/) is compiled by the tests: a compiler and
  // the headers, the latter checked by path since the package has no command.
  gcc: 'gcc',
  '/usr/include/mbedtls/ssl.h': 'libmbedtls-dev',
};
const has = (bin) => (bin.startsWith('/') ? existsSync(bin) : spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0);
const missing = [...new Set(Object.entries(PEERS).filter(([bin]) => !has(bin)).map(([, pkg]) => pkg))];
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && has('apt-get')) {
    console.log(`installing test peers: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
    if (!install || install.status !== 0) {
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
  } else {
    console.error(`the tests need Debian packages: sudo apt-get install -y ${missing.join(' ')}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

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

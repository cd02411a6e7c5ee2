/**
 * The operator's restart, as it happens: the built bridge process (`node bridge/dist/main.js`,
 * needs `npx tsc -b`) is stopped with SIGTERM, a new process starts on the same data folder, and
 * the device's next Update (libcoap's coap-client-notls) is answered 2.04 under its old id.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRATIONS_FILE } from '../../bridge/src/registry/registration-file.js';
import { REPO, startBridgeProcess, type BridgeProcess } from '../e2e/e2e-support.js';
import { runLibcoap } from '../support/libcoap.js';

const running: BridgeProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});

async function start(dataDir: string): Promise<BridgeProcess> {
  if (!existsSync(join(REPO, 'bridge/dist/main.js'))) throw new Error('bridge/dist/main.js is missing: run `npx tsc -b` first');
  const p = await startBridgeProcess([], dataDir);
  running.push(p);
  return p;
}

describe('a bridge process restarted with SIGTERM', () => {
  it("keeps the device's registration: its next Update under the old Location-Path is answered 2.04", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'restart-process-'));
    const first = await start(dataDir);
    const reg = await runLibcoap('coap-client-notls', ['-B', '5', '-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', `coap://127.0.0.1:${first.coapPort}/rd?ep=process-dev&lt=300`]);
    expect(reg.code).toBe('2.01');
    const id = reg.locationPath[1]!;

    await first.stop();
    running.splice(running.indexOf(first), 1);
    expect(first.child.exitCode).toBe(0);
    expect(first.stderr).toMatch(/INFO  registrations saved for the next start registrations=1 /);
    expect(existsSync(join(dataDir, REGISTRATIONS_FILE))).toBe(true);

    const second = await start(dataDir);
    expect(second.stderr).toMatch(/INFO  registrations restored from the last run restored=1 expiredWhileStopped=0 unreadable=0 noLongerAllowed=0/);
    expect(existsSync(join(dataDir, REGISTRATIONS_FILE))).toBe(false);
    const update = await runLibcoap('coap-client-notls', ['-B', '5', '-m', 'post', `coap://127.0.0.1:${second.coapPort}/rd/${id}`]);
    expect(update.code).toBe('2.04');
  });
});

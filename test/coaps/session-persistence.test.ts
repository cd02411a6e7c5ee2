/**
 * Resumable DTLS sessions survive a bridge restart: openssl s_client (nobody's code here) saves
 * its session against one bridge process, the bridge stops and saves its resumable sessions, a new
 * bridge on the same data folder starts, and s_client resumes with an abbreviated handshake. The
 * saved file is private while it exists and gone once read; a credential changed in between
 * still gets a full handshake.
 */
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import { CredentialStore } from '../../bridge/src/security/credential-store.js';
import { DTLS_SESSIONS_FILE } from '../../bridge/src/security/dtls-session-file.js';
import { runPeer } from '../dtls/peers.js';
import { startTestBridge } from '../support/bridge-in-process.js';

const KEY_HEX = Buffer.from('restart-secret').toString('hex');
const bridges: Bridge[] = [];
afterEach(async () => {
  for (const b of bridges.splice(0)) await b.close();
});

async function start(dataDir: string): Promise<Bridge> {
  const { bridge } = await startTestBridge({ coapsPort: 0, dataDir });
  bridges.push(bridge);
  return bridge;
}

async function stop(b: Bridge): Promise<void> {
  bridges.splice(bridges.indexOf(b), 1);
  await b.close();
}

const sClient = (port: number, session: string[], key = KEY_HEX) => ['s_client', '-dtls1_2', '-psk_identity', 'dev1-id', '-psk', key, '-cipher', 'PSK-AES128-CCM8', '-connect', `127.0.0.1:${port}`, ...session];

describe('DTLS sessions across a bridge restart', () => {
  it('lets a device resume its session with an abbreviated handshake after the bridge restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sessions-restart-'));
    const clientSession = join(mkdtempSync(join(tmpdir(), 's-client-')), 'session.pem');
    const first = await start(dataDir);
    first.credentials.put({ endpoint: 'dev1', mode: 'psk', identity: 'dev1-id', keyHex: KEY_HEX });
    const full = await runPeer('openssl', sClient(first.coapsPort!, ['-sess_out', clientSession]), { until: /New, TLSv1\.2/, timeoutMs: 8_000 });
    expect(full.output).toMatch(/^New, TLSv1\.2, Cipher is PSK-AES128-CCM8/m);

    await stop(first);
    const file = join(dataDir, DTLS_SESSIONS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await start(dataDir);
    expect(existsSync(file)).toBe(false); // read and gone: secrets do not sit on disk while the bridge runs
    const again = await runPeer('openssl', sClient(second.coapsPort!, ['-sess_in', clientSession]), { until: /Reused, TLSv1\.2/, timeoutMs: 8_000 });
    expect(again.output).toMatch(/^Reused, TLSv1\.2, Cipher is PSK-AES128-CCM8/m);
    expect(second.coaps!.transport.server.stats()).toMatchObject({ resumptions: 1, handshakesCompleted: 1 });
  });

  it('gives a full handshake instead when the key changed while the bridge was down', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sessions-rekey-'));
    const clientSession = join(mkdtempSync(join(tmpdir(), 's-client-')), 'session.pem');
    const first = await start(dataDir);
    first.credentials.put({ endpoint: 'dev1', mode: 'psk', identity: 'dev1-id', keyHex: KEY_HEX });
    await runPeer('openssl', sClient(first.coapsPort!, ['-sess_out', clientSession]), { until: /New, TLSv1\.2/, timeoutMs: 8_000 });
    await stop(first);

    // the operator rotates the key with the `credentials` command while the bridge is down
    const newKey = Buffer.from('another-secret').toString('hex');
    CredentialStore.open(join(dataDir, 'credentials.json')).put({ endpoint: 'dev1', mode: 'psk', identity: 'dev1-id', keyHex: newKey });
    const second = await start(dataDir);
    expect(second.coaps!.transport.server.resumableSessions()).toHaveLength(1); // restored, to be re-checked when offered
    const again = await runPeer('openssl', sClient(second.coapsPort!, ['-sess_in', clientSession], newKey), { until: /New, TLSv1\.2|Reused/, timeoutMs: 8_000 });
    expect(again.output).toMatch(/^New, TLSv1\.2, Cipher is PSK-AES128-CCM8/m);
    expect(second.coaps!.transport.server.stats()).toMatchObject({ resumptions: 0, resumptionsRefused: 1, handshakesCompleted: 1 });
  });

  it('creates its data folder readable by its owner only', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'sessions-fresh-')), 'data');
    await start(dataDir);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('starts without restoring anything from a damaged session file, and removes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sessions-broken-'));
    writeFileSync(join(dataDir, DTLS_SESSIONS_FILE), '{"version":1,"sessions":[{"id":"AAAA"', { mode: 0o600 });
    const b = await start(dataDir);
    expect(existsSync(join(dataDir, DTLS_SESSIONS_FILE))).toBe(false);
    expect(b.coaps!.transport.server.resumableSessions()).toEqual([]);
  });
});

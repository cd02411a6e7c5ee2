/**
 * Refused connections end to end: real DTLS and CoAP clients nobody here wrote (libcoap's
 * OpenSSL and GnuTLS builds, openssl s_client) are turned away by the bridge, and a console on
 * the WebSocket sees each refusal pushed live, folded when it repeats, with what the device
 * presented and why, and never a key.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Refusal, ServerMessage } from '@lwm2m-console/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../bridge/src/bridge.js';
import { DEFAULT_CONFIG } from '../../bridge/src/config.js';
import { TestClient } from '../../bridge/src/console/console-test-kit.js';
import { generateCertificateAuthority } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { runPeer } from '../dtls/peers.js';
import { startTestBridge, waitUntil } from '../support/bridge-in-process.js';
import { runLibcoap } from '../support/libcoap.js';
import { certificatePem } from '../support/pki-files.js';

const KEY_TEXT = 'refusal-secret-1';
const KEY_HEX = Buffer.from(KEY_TEXT).toString('hex');

let bridge: Bridge;
let console_: TestClient;
let coaps: string;

beforeAll(async () => {
  // A fleet CA, so the bridge offers ECDHE-ECDSA to certificate clients such as s_client.
  const fleetCa = join(mkdtempSync(join(tmpdir(), 'refusals-ca-')), 'fleet-ca.pem');
  writeFileSync(fleetCa, certificatePem(generateCertificateAuthority('Fleet CA').certificateDer));
  ({ bridge } = await startTestBridge({ coapsPort: 0, trustCaFile: fleetCa }));
  coaps = `coaps://127.0.0.1:${bridge.coapsPort}`;
  bridge.credentials.put({ endpoint: 'dev-a', mode: 'psk', identity: 'dev-a-id', keyHex: KEY_HEX });
  bridge.credentials.put({ endpoint: 'dev-b', mode: 'psk', identity: 'dev-b-id', keyHex: Buffer.from('other-secret').toString('hex') });
  console_ = await TestClient.connect(bridge.console!.url.replace('http', 'ws') + '/ws');
  await console_.next('away');
});
afterAll(async () => {
  console_.close();
  await bridge.close();
});

/** Every refusal the console was pushed so far, latest state per id. */
function pushed(): Refusal[] {
  const byId = new Map<number, Refusal>();
  for (const m of console_.received) if (m.type === 'refusals' && m.requestId === undefined) for (const r of m.refusals) byId.set(r.id, r);
  return [...byId.values()];
}

async function refusalLike(expected: Partial<Refusal>): Promise<Refusal> {
  const matches = (r: Refusal) => Object.entries(expected).every(([k, v]) => r[k as keyof Refusal] === v);
  await waitUntil(() => pushed().some(matches), 5_000, `a refusal like ${JSON.stringify(expected)}`);
  return pushed().find(matches)!;
}

const psk = (bin: string, identity: string, key: string, uri: string) => runLibcoap(bin, ['-B', '5', '-u', identity, '-k', key, '-m', 'post', '-t', '40', '-e', '</1/0>', uri]).catch(() => undefined);

describe('refused connections, as a console sees them', () => {
  it('shows a wrong key as the bad_record_mac we sent, with the identity and whose it is, and folds the retry into a count', async () => {
    await psk('coap-client-openssl', 'dev-a-id', 'not-the-key', `${coaps}/rd?ep=dev-a&lt=60`);
    const first = await refusalLike({ stage: 'handshake', identity: 'dev-a-id', endpoint: 'dev-a', outcome: 'bad_record_mac' });
    expect(first).toMatchObject({ transport: 'coaps', count: 1, address: '127.0.0.1', reason: 'client Finished record failed authentication' });
    await psk('coap-client-gnutls', 'dev-a-id', 'not-the-key', `${coaps}/rd?ep=dev-a&lt=60`);
    await waitUntil(() => pushed().find((r) => r.id === first.id)!.count === 2, 5_000, 'the retry folded into the same entry');
    expect(bridge.store.getByEndpoint('dev-a')).toBeUndefined();
  });

  it('shows an unknown identity with the identity the device claimed', async () => {
    await psk('coap-client-gnutls', 'ghost-id', KEY_TEXT, `${coaps}/rd?ep=ghost&lt=60`);
    const r = await refusalLike({ stage: 'handshake', identity: 'ghost-id', outcome: 'unknown_psk_identity' });
    expect(r.endpoint).toBeUndefined();
  });

  it("shows a 4.03 Register: plain CoAP for a secured endpoint, and a DTLS identity naming another endpoint's ep", async () => {
    const plain = await runLibcoap('coap-client-notls', ['-B', '5', '-m', 'post', '-t', '40', '-e', '</1/0>', `coap://127.0.0.1:${bridge.coapPort}/rd?ep=dev-a&lt=60`]);
    expect(plain.code).toBe('4.03');
    await refusalLike({ stage: 'register', transport: 'coap', endpoint: 'dev-a', outcome: '4.03' });
    const other = await runLibcoap('coap-client-openssl', ['-B', '5', '-u', 'dev-b-id', '-k', 'other-secret', '-m', 'post', '-t', '40', '-e', '</1/0>', `${coaps}/rd?ep=dev-a&lt=60`]);
    expect(other.code).toBe('4.03');
    const r = await refusalLike({ stage: 'register', transport: 'coaps', endpoint: 'dev-a', identity: 'dev-b-id' });
    expect(r.outcome).toBe('4.03');
  });

  it("shows an Update refused with 4.03 with the endpoint whose registration another identity tried to change", async () => {
    const reg = await runLibcoap('coap-client-openssl', ['-B', '5', '-u', 'dev-a-id', '-k', KEY_TEXT, '-m', 'post', '-t', '40', '-e', '</1/0>', `${coaps}/rd?ep=dev-a&lt=60`]);
    expect(reg.code).toBe('2.01');
    const id = reg.locationPath[1]!;
    const update = await runLibcoap('coap-client-gnutls', ['-B', '5', '-u', 'dev-b-id', '-k', 'other-secret', '-m', 'post', `${coaps}/rd/${id}?lt=90`]);
    expect(update.code).toBe('4.03');
    await refusalLike({ stage: 'update', transport: 'coaps', identity: 'dev-b-id', endpoint: 'dev-a', outcome: '4.03' });
    expect(bridge.store.getById(id)?.lifetime).toBe(60);
  });

  it('folds Updates for registrations this bridge does not hold (as after a restart) into one line', async () => {
    for (const id of ['gone1', 'gone2', 'gone3']) {
      const r = await runLibcoap('coap-client-notls', ['-B', '5', '-m', 'post', `coap://127.0.0.1:${bridge.coapPort}/rd/${id}?lt=60`]);
      expect(r.code).toBe('4.04');
    }
    const r = await refusalLike({ stage: 'update', transport: 'coap', outcome: '4.04' });
    await waitUntil(() => pushed().find((x) => x.id === r.id)!.count === 3, 5_000, 'three Updates folded');
    expect(r.reason).toBe('no such registration (the device must register again, e.g. after a bridge restart)');
  });

  it('shows a device that refuses the server certificate with the alert it sent', async () => {
    // s_client trusts only a CA that did not sign the bridge's certificate: it ends the handshake.
    const dir = mkdtempSync(join(tmpdir(), 'refusals-'));
    const foreignCa = join(dir, 'foreign-ca.pem');
    writeFileSync(foreignCa, certificatePem(generateCertificateAuthority('Someone else').certificateDer));
    await runPeer('openssl', ['s_client', '-dtls1_2', '-cipher', 'ECDHE-ECDSA-AES128-CCM8', '-CAfile', foreignCa, '-verify_return_error', '-connect', `127.0.0.1:${bridge.coapsPort}`], { timeoutMs: 10_000 });
    await waitUntil(() => pushed().some((x) => x.outcome.endsWith('(from the device)')), 5_000, 'a refusal the device sent');
    const fromDevice = pushed().find((x) => x.outcome.endsWith('(from the device)'))!;
    // OpenSSL answers a server certificate it cannot chain with unknown_ca (RFC 5246 §7.2.2).
    expect(fromDevice).toMatchObject({ stage: 'handshake', transport: 'coaps', outcome: 'unknown_ca (from the device)', reason: 'the device ended the handshake with unknown_ca' });
  });

  it('answers getRefusals with every refusal, oldest first, and no message ever carries a key', async () => {
    console_.sendJson({ type: 'getRefusals', v: 1, requestId: 'r1' });
    const isAnswer = (m: ServerMessage): m is Extract<ServerMessage, { type: 'refusals' }> => m.type === 'refusals' && m.requestId === 'r1';
    await waitUntil(() => console_.received.some(isAnswer), 5_000, 'the getRefusals answer');
    const all = console_.received.find(isAnswer)!;
    expect(all.refusals.length).toBeGreaterThanOrEqual(5);
    const times = all.refusals.map((r) => r.lastAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const wire = JSON.stringify(console_.received);
    for (const secret of [KEY_TEXT, KEY_HEX, 'other-secret', Buffer.from('other-secret').toString('hex')]) expect(wire).not.toContain(secret);
  });
});

describe('refused connections in the bridge log', () => {
  it('logs the first refusal of each kind once, with no key, however often the device retries', async () => {
    const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const log = Object.fromEntries(
      (['error', 'warn', 'info', 'debug'] as const).map((level) => [level, (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, fields })]),
    ) as unknown as Parameters<typeof startBridge>[1]['log'];
    const dataDir = mkdtempSync(join(tmpdir(), 'refusals-log-'));
    const b = await startBridge({ ...DEFAULT_CONFIG, coapHost: '127.0.0.1', coapPort: 0, coapsPort: -1, httpHost: '127.0.0.1', httpPort: 0, dataDir }, { log });
    try {
      b.credentials.put({ endpoint: 'logged-dev', mode: 'psk', identity: 'logged-id', keyHex: KEY_HEX });
      for (let i = 0; i < 3; i++) {
        const r = await runLibcoap('coap-client-notls', ['-B', '5', '-m', 'post', '-t', '40', '-e', '</1/0>', `coap://127.0.0.1:${b.coapPort}/rd?ep=logged-dev&lt=60`]);
        expect(r.code).toBe('4.03');
      }
      const refusedLines = lines.filter((l) => l.message === 'connection refused');
      expect(refusedLines).toHaveLength(1);
      expect(refusedLines[0]).toMatchObject({ level: 'info', fields: { stage: 'register', transport: 'coap', endpoint: 'logged-dev', outcome: '4.03' } });
      expect(b.refusals.list()).toMatchObject([{ endpoint: 'logged-dev', count: 3 }]);
      expect(JSON.stringify(lines)).not.toContain(KEY_HEX);
    } finally {
      await b.close();
    }
  });
});

/**
 * A DTLS registration kept across a bridge restart still belongs to the identity that made it:
 * libcoap's OpenSSL and GnuTLS clients (nobody's code here) register with PSK against one bridge
 * process; after a restart on the same data folder the same identity, in a new handshake, updates
 * it (2.04), while another identity and plain CoAP are refused (4.03). A credential deleted while
 * the bridge was down takes its registration with it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import { CredentialStore } from '../../bridge/src/security/credential-store.js';
import { restartableBridges } from '../support/bridge-in-process.js';
import { runLibcoap } from '../support/libcoap.js';

const bridges = restartableBridges({ coapsPort: 0 });
afterEach(() => bridges.closeAll());
const start = (dataDir: string) => bridges.start(dataDir);
const stop = (b: Bridge) => bridges.stop(b);

const psk = (bin: string, identity: string, key: string, args: string[]) => runLibcoap(bin, ['-B', '8', '-u', identity, '-k', key, ...args]);

/** A data folder where psk-dev (identity psk-dev-id, key `secretkey`) and psk-other (other-id, `otherkey`) have credentials. */
function dataFolder(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'coaps-restart-'));
  const credentials = CredentialStore.open(join(dataDir, 'credentials.json'));
  credentials.put({ endpoint: 'psk-dev', mode: 'psk', identity: 'psk-dev-id', keyHex: Buffer.from('secretkey').toString('hex') });
  credentials.put({ endpoint: 'psk-other', mode: 'psk', identity: 'other-id', keyHex: Buffer.from('otherkey').toString('hex') });
  return dataDir;
}

describe.each(['coap-client-openssl', 'coap-client-gnutls'])('%s: a DTLS registration across a restart', (bin) => {
  it('is updated by the same identity in a new handshake (2.04), and refused to another identity and to plain CoAP (4.03)', async () => {
    const dataDir = dataFolder();
    const first = await start(dataDir);
    const reg = await psk(bin, 'psk-dev-id', 'secretkey', ['-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', `coaps://127.0.0.1:${first.bridge.coapsPort}/rd?ep=psk-dev&lt=300`]);
    expect(reg.code).toBe('2.01');
    const id = reg.locationPath[1]!;
    await stop(first.bridge);

    const { bridge } = await start(dataDir);
    expect(bridge.store.getById(id)).toMatchObject({ endpoint: 'psk-dev', transport: 'coaps', security: { mode: 'psk', identity: 'psk-dev-id' } });
    const coaps = `coaps://127.0.0.1:${bridge.coapsPort}`;

    expect((await psk(bin, 'other-id', 'otherkey', ['-m', 'post', `${coaps}/rd/${id}?lt=5`])).code).toBe('4.03');
    expect((await runLibcoap('coap-client-notls', ['-B', '5', '-m', 'post', `coap://127.0.0.1:${bridge.coapPort}/rd/${id}?lt=5`])).code).toBe('4.03');
    expect((await psk(bin, 'other-id', 'otherkey', ['-m', 'delete', `${coaps}/rd/${id}`])).code).toBe('4.03');
    expect(bridge.store.getById(id)?.lifetime).toBe(300);

    expect((await psk(bin, 'psk-dev-id', 'secretkey', ['-m', 'post', `${coaps}/rd/${id}?lt=90`])).code).toBe('2.04');
    expect(bridge.store.getById(id)?.lifetime).toBe(90);
    expect((await psk(bin, 'psk-dev-id', 'secretkey', ['-m', 'delete', `${coaps}/rd/${id}`])).code).toBe('2.02');
  });
});

describe('a DTLS registration whose credential was deleted while the bridge was down', () => {
  it('is not restored, and the log counts it as no longer allowed', async () => {
    const dataDir = dataFolder();
    const first = await start(dataDir);
    const coaps = `coaps://127.0.0.1:${first.bridge.coapsPort}`;
    const gone = await psk('coap-client-openssl', 'psk-dev-id', 'secretkey', ['-m', 'post', '-t', '40', '-e', '</1/0>', `${coaps}/rd?ep=psk-dev&lt=300`]);
    const kept = await psk('coap-client-openssl', 'other-id', 'otherkey', ['-m', 'post', '-t', '40', '-e', '</1/0>', `${coaps}/rd?ep=psk-other&lt=300`]);
    expect([gone.code, kept.code]).toEqual(['2.01', '2.01']);
    await stop(first.bridge);

    // the operator deletes psk-dev's credential with the `credentials` command while the bridge is down
    expect(CredentialStore.open(join(dataDir, 'credentials.json')).remove('psk-dev')).toBe(true);
    const { bridge, log } = await start(dataDir);
    expect(bridge.store.getById(gone.locationPath[1]!)).toBeUndefined();
    expect(bridge.store.getById(kept.locationPath[1]!)?.endpoint).toBe('psk-other');
    expect(log.find((l) => l.includes('registrations restored from the last run'))).toMatch(/restored=1 .*noLongerAllowed=1/);
  });
});

describe('a DTLS registration when the bridge comes back with CoAPS switched off', () => {
  it('is not restored (no device could update it), and the log counts it as no longer allowed', async () => {
    const dataDir = dataFolder();
    const first = await start(dataDir);
    const reg = await psk('coap-client-gnutls', 'psk-dev-id', 'secretkey', ['-m', 'post', '-t', '40', '-e', '</1/0>', `coaps://127.0.0.1:${first.bridge.coapsPort}/rd?ep=psk-dev&lt=300`]);
    expect(reg.code).toBe('2.01');
    await stop(first.bridge);

    const { bridge, log } = await bridges.start(dataDir, { coapsPort: -1 });
    expect(bridge.coapsPort).toBeUndefined();
    expect(bridge.store.getById(reg.locationPath[1]!)).toBeUndefined();
    expect(log.find((l) => l.includes('registrations restored from the last run'))).toMatch(/restored=0 .*noLongerAllowed=1/);
  });
});

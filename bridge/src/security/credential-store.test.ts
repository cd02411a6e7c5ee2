import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CredentialStore } from './credential-store.js';

describe('CredentialStore', () => {
  it('keeps credentials in a file only its owner can read, and reloads them', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'creds-')), 'sec', 'credentials.json');
    const store = CredentialStore.open(file);
    expect(store.put({ endpoint: 'dev1', mode: 'psk', identity: 'dev1', keyHex: '7365637265746b6579' })).toMatchObject({ ok: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    const again = CredentialStore.open(file);
    expect(again.pskKeyFor('dev1')?.toString()).toBe('secretkey');
  });

  it('never returns key material in a view', () => {
    const store = CredentialStore.open(undefined);
    const r = store.put({ endpoint: 'dev1', mode: 'psk', identity: 'id', keyHex: 'aabbccdd' });
    expect(JSON.stringify(r)).not.toContain('aabbccdd');
    expect(JSON.stringify(store.list())).not.toContain('aabbccdd');
  });

  it('generates a key when none is given and returns it once', () => {
    const store = CredentialStore.open(undefined);
    const r = store.put({ endpoint: 'dev1', mode: 'psk', identity: 'id' });
    expect(r.ok && r.generatedKeyHex).toMatch(/^[0-9a-f]{32}$/);
    expect(store.pskKeyFor('id')?.toString('hex')).toBe(r.ok ? r.generatedKeyHex : '');
  });

  it('refuses bad keys, empty or duplicate identities', () => {
    const store = CredentialStore.open(undefined);
    expect(store.put({ endpoint: 'a', mode: 'psk', identity: 'id', keyHex: 'xyz' }).ok).toBe(false);
    expect(store.put({ endpoint: 'a', mode: 'psk', identity: '', keyHex: '00' }).ok).toBe(false);
    expect(store.put({ endpoint: 'a', mode: 'psk', identity: 'id', keyHex: '00' }).ok).toBe(true);
    expect(store.put({ endpoint: 'b', mode: 'psk', identity: 'id', keyHex: '00' }).ok).toBe(false);
  });

  it('indexes raw public keys by fingerprint and forgets removed endpoints', () => {
    const store = CredentialStore.open(undefined);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const r = store.put({ endpoint: 'rpk-1', mode: 'rpk', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    expect(r.ok).toBe(true);
    const fp = r.ok ? r.credential.fingerprint! : '';
    expect(store.endpointForFingerprint(fp)).toBe('rpk-1');
    expect(store.remove('rpk-1')).toBe(true);
    expect(store.endpointForFingerprint(fp)).toBeUndefined();
    expect(store.put({ endpoint: 'x', mode: 'rpk', publicKey: 'not a key' }).ok).toBe(false);
  });

  it('finds the endpoint of a PSK identity, and follows an identity changed or removed', () => {
    const store = CredentialStore.open(undefined);
    store.put({ endpoint: 'dev1', mode: 'psk', identity: 'id-1', keyHex: '00' });
    expect(store.endpointForPskIdentity('id-1')).toBe('dev1');
    store.put({ endpoint: 'dev1', mode: 'psk', identity: 'id-2', keyHex: '00' });
    expect(store.endpointForPskIdentity('id-1')).toBeUndefined();
    expect(store.endpointForPskIdentity('id-2')).toBe('dev1');
    store.remove('dev1');
    expect(store.endpointForPskIdentity('id-2')).toBeUndefined();
  });

  it('reports a credential revoked when it is removed or replaced by another, not when saved unchanged', () => {
    const store = CredentialStore.open(undefined);
    const revoked: unknown[] = [];
    store.onRevoked((r) => revoked.push(r));
    store.put({ endpoint: 'dev1', mode: 'psk', identity: 'id-1', keyHex: '00' });
    store.put({ endpoint: 'dev1', mode: 'psk', identity: 'id-1', keyHex: '00' }); // same key: nothing to cut
    expect(revoked).toEqual([]);
    store.put({ endpoint: 'dev1', mode: 'psk', identity: 'id-1', keyHex: '01' }); // key rotated
    store.put({ endpoint: 'dev1', mode: 'x509' }); // mode changed
    store.remove('dev1');
    expect(revoked).toEqual([
      { endpoint: 'dev1', mode: 'psk', identity: 'id-1' },
      { endpoint: 'dev1', mode: 'psk', identity: 'id-1' },
      { endpoint: 'dev1', mode: 'x509', identity: 'dev1' },
    ]);
  });

  it('reports revocations another process made in the file, on reload', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'creds-')), 'credentials.json');
    const store = CredentialStore.open(file);
    store.put({ endpoint: 'a', mode: 'psk', identity: 'id-a', keyHex: '00' });
    store.put({ endpoint: 'b', mode: 'psk', identity: 'id-b', keyHex: '00' });
    const other = CredentialStore.open(file); // the `credentials` command
    other.remove('a');
    const revoked: unknown[] = [];
    store.onRevoked((r) => revoked.push(r));
    expect(store.reload()).toEqual({ ok: true });
    expect(revoked).toEqual([{ endpoint: 'a', mode: 'psk', identity: 'id-a' }]);
  });

  it('refuses a file that is not a credentials file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'creds-')), 'credentials.json');
    writeFileSync(file, '{"hello":1}');
    expect(() => CredentialStore.open(file)).toThrow(/not a credentials file/);
    expect(readFileSync(file, 'utf8')).toBe('{"hello":1}');
  });
});

describe('CredentialStore.reload', () => {
  it('picks up what another process wrote, and keeps the old state when the file is broken', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'creds-')), 'credentials.json');
    const bridgeView = CredentialStore.open(file);
    const cli = CredentialStore.open(file);
    cli.put({ endpoint: 'dev9', mode: 'psk', identity: 'id9', keyHex: '0099' });
    expect(bridgeView.pskKeyFor('id9')).toBeUndefined();
    expect(bridgeView.reload()).toEqual({ ok: true });
    expect(bridgeView.pskKeyFor('id9')?.toString('hex')).toBe('0099');
    writeFileSync(file, '{broken');
    expect(bridgeView.reload().ok).toBe(false);
    expect(bridgeView.pskKeyFor('id9')?.toString('hex')).toBe('0099');
  });
});

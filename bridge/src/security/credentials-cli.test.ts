import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCredentialsCli } from './credentials-cli.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'cli-'));

describe('credentials command line', () => {
  it('adds a PSK with a given key, lists it without the key, removes it', () => {
    const dir = dataDir();
    expect(runCredentialsCli(['add', '--endpoint', 'dev1', '--psk-identity', 'dev1-id', '--psk-key', '7365637265746b6579', '--data-dir', dir], {}).code).toBe(0);
    const list = runCredentialsCli(['list', '--data-dir', dir], {});
    expect(list.out.join('\n')).toContain('dev1\tpsk\tdev1-id');
    expect(list.out.join('\n')).not.toContain('7365637265746b6579');
    expect(readFileSync(join(dir, 'credentials.json'), 'utf8')).toContain('7365637265746b6579');
    expect(runCredentialsCli(['remove', '--endpoint', 'dev1', '--data-dir', dir], {}).code).toBe(0);
    expect(runCredentialsCli(['list', '--data-dir', dir], {}).out).toEqual(['no credentials']);
  });

  it('generates a key when none is given and prints it once', () => {
    const r = runCredentialsCli(['add', '--endpoint', 'dev2', '--psk-identity', 'dev2', '--data-dir', dataDir()], {});
    expect(r.out.join('\n')).toMatch(/generated PSK key \(shown once\): [0-9a-f]{32}/);
  });

  it('adds a raw public key from a PEM file and prints its fingerprint', () => {
    const dir = dataDir();
    const file = join(dir, 'pub.pem');
    writeFileSync(file, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }));
    const r = runCredentialsCli(['add', '--endpoint', 'dev3', '--rpk-file', file, '--data-dir', dir], {});
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/fingerprint: [0-9a-f]{64}/);
  });

  it('explains what is wrong with a bad command', () => {
    expect(runCredentialsCli(['add', '--psk-identity', 'x'], {}).code).toBe(2);
    expect(runCredentialsCli(['add', '--endpoint', 'a', '--psk-identity', 'a', '--psk-key', 'zz', '--data-dir', dataDir()], {})).toMatchObject({ code: 1 });
    expect(runCredentialsCli(['frobnicate'], {}).out.join(' ')).toContain('usage');
  });
});

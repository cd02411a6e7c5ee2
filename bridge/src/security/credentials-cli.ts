#!/usr/bin/env node
/**
 * `npm run credentials -- <command>`: manage device credentials from scripts. Writes the same
 * file the bridge reads (a running bridge reloads it). Keys are accepted, never printed back,
 * except a generated PSK, printed once so it can be put on the device.
 *
 *   list
 *   add --endpoint EP --psk-identity ID [--psk-key HEX]    (no key: one is generated)
 *   add --endpoint EP --rpk-file PUBLIC_KEY.pem
 *   add --endpoint EP --x509                              (certificate CN = EP, chained to --trust-ca)
 *   remove --endpoint EP
 * Every command takes --data-dir DIR (default: data, or LWM2M_DATA_DIR).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialInput } from '@lwm2m-console/shared';
import { CredentialStore } from './credential-store.js';

const USAGE = `usage: npm run credentials -- list | add --endpoint EP (--psk-identity ID [--psk-key HEX] | --rpk-file FILE | --x509) | remove --endpoint EP   [--data-dir DIR]`;

export function runCredentialsCli(argv: readonly string[], env: Record<string, string | undefined>): { code: number; out: string[] } {
  const [command, ...rest] = argv;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) return { code: 2, out: [`unexpected argument ${a}`, USAGE] };
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(a, '');
    else flags.set(a, rest[++i]!);
  }
  const dataDir = flags.get('--data-dir') || env.LWM2M_DATA_DIR || 'data';
  const store = CredentialStore.open(join(dataDir, 'credentials.json'));
  const endpoint = flags.get('--endpoint');
  switch (command) {
    case 'list': {
      const list = store.list();
      if (list.length === 0) return { code: 0, out: ['no credentials'] };
      return { code: 0, out: list.map((c) => `${c.endpoint}\t${c.mode}\t${c.identity ?? c.fingerprint ?? '(certificate CN)'}`) };
    }
    case 'add': {
      if (!endpoint) return { code: 2, out: ['--endpoint is required', USAGE] };
      let input: CredentialInput;
      if (flags.has('--psk-identity')) {
        input = { endpoint, mode: 'psk', identity: flags.get('--psk-identity')! };
        const key = flags.get('--psk-key');
        if (key) input.keyHex = key;
      } else if (flags.has('--rpk-file')) {
        let publicKey: string;
        try {
          publicKey = readFileSync(flags.get('--rpk-file')!, 'utf8');
        } catch (error) {
          return { code: 1, out: [`cannot read ${flags.get('--rpk-file')}: ${(error as Error).message}`] };
        }
        input = { endpoint, mode: 'rpk', publicKey };
      } else if (flags.has('--x509')) {
        input = { endpoint, mode: 'x509' };
      } else {
        return { code: 2, out: ['choose --psk-identity, --rpk-file or --x509', USAGE] };
      }
      const r = store.put(input);
      if (!r.ok) return { code: 1, out: [r.error] };
      const out = [`stored ${r.credential.mode} credential for ${endpoint}`];
      if (r.generatedKeyHex) out.push(`generated PSK key (shown once): ${r.generatedKeyHex}`);
      if (r.credential.fingerprint) out.push(`public key fingerprint: ${r.credential.fingerprint}`);
      return { code: 0, out };
    }
    case 'remove':
      if (!endpoint) return { code: 2, out: ['--endpoint is required', USAGE] };
      return store.remove(endpoint) ? { code: 0, out: [`removed ${endpoint}`] } : { code: 1, out: [`no credentials for ${endpoint}`] };
    default:
      return { code: 2, out: [USAGE] };
  }
}

if (process.argv[1]?.endsWith('credentials-cli.js')) {
  try {
    const r = runCredentialsCli(process.argv.slice(2), process.env);
    for (const line of r.out) (r.code === 0 ? process.stdout : process.stderr).write(line + '\n');
    process.exit(r.code);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}

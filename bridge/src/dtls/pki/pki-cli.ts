/**
 * Operator tool for LwM2M device credentials of the ECDHE-ECDSA suite:
 *
 *   node bridge/dist/dtls/pki/pki-cli.js ca --cn "Fleet CA" --out DIR
 *       -> DIR/ca.pem, DIR/ca.key (P-256, self-signed, 10 years)
 *   node bridge/dist/dtls/pki/pki-cli.js issue --ca DIR --cn ENDPOINT [--days 365] [--key dev.key] --out DIR2
 *       -> DIR2/ENDPOINT.pem (CN = endpoint name, signed by the CA) and, without --key, DIR2/ENDPOINT.key
 *   node bridge/dist/dtls/pki/pki-cli.js fingerprint --key FILE
 *       -> the RFC 7250 raw-public-key identity (SHA-256 hex of the SPKI) of a public or private key PEM
 *   node bridge/dist/dtls/pki/pki-cli.js server-key --data-dir DIR
 *       -> the bridge's own public key (PEM, hex DER, fingerprint) for devices in Security Mode 1,
 *          whose Security object holds the server's raw public key ("Server Public Key", 0/x/4)
 *
 * Private keys are written with mode 0600 and never printed.
 */
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateCertificateAuthority, issueCertificate } from './certificate-authority.js';
import { serverIdentityToPem } from './server-identity.js';
import { SERVER_CERT_FILE } from './server-identity-store.js';
import { spkiFingerprint } from './verify.js';

type Args = Map<string, string>;

function parseArgs(argv: string[]): { command: string | undefined; args: Args } {
  const args: Args = new Map();
  for (let i = 1; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (!flag.startsWith('--') || value === undefined) throw new UsageError(`expected --flag value, got ${flag}`);
    args.set(flag.slice(2), value);
  }
  return { command: argv[0], args };
}

class UsageError extends Error {}

function need(args: Args, name: string): string {
  const v = args.get(name);
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

function writeKey(path: string, key: KeyObject): void {
  writeFileSync(path, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

/** Endpoint names become file names; keep them to a safe alphabet there. */
const fileName = (cn: string) => cn.replace(/[^A-Za-z0-9._-]/g, '_');

/** Runs one command; returns the lines to print. Throws UsageError or I/O errors. */
export function runPkiCli(argv: string[]): string[] {
  const { command, args } = parseArgs(argv);
  switch (command) {
    case 'ca': {
      const out = need(args, 'out');
      mkdirSync(out, { recursive: true });
      const ca = generateCertificateAuthority(need(args, 'cn'));
      writeFileSync(join(out, 'ca.pem'), serverIdentityToPem(ca).certPem);
      writeKey(join(out, 'ca.key'), ca.privateKey);
      return [`wrote ${join(out, 'ca.pem')} and ${join(out, 'ca.key')}`];
    }
    case 'issue': {
      const caDir = need(args, 'ca');
      const cn = need(args, 'cn');
      const out = need(args, 'out');
      const days = Number(args.get('days') ?? 365);
      if (!Number.isInteger(days) || days < 1 || days > 36500) throw new UsageError('--days must be a whole number of days from 1 to 36500');
      const caCert = new X509Certificate(readFileSync(join(caDir, 'ca.pem')));
      const caKey = createPrivateKey(readFileSync(join(caDir, 'ca.key')));
      mkdirSync(out, { recursive: true });
      let publicKey: KeyObject;
      const lines: string[] = [];
      const keyFile = args.get('key');
      if (keyFile) {
        publicKey = createPublicKey(readFileSync(keyFile));
      } else {
        const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        publicKey = pair.publicKey;
        writeKey(join(out, `${fileName(cn)}.key`), pair.privateKey);
        lines.push(`wrote ${join(out, `${fileName(cn)}.key`)}`);
      }
      if (publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new UsageError('the device key must be ECDSA P-256');
      const der = issueCertificate({ subjectCN: cn, subjectPublicKey: publicKey, issuerKey: caKey, issuerCertDer: caCert.raw, validDays: days });
      writeFileSync(join(out, `${fileName(cn)}.pem`), new X509Certificate(der).toString());
      lines.push(`wrote ${join(out, `${fileName(cn)}.pem`)} (CN=${cn}, ${days} days)`);
      return lines;
    }
    case 'fingerprint': {
      const key = createPublicKey(readFileSync(need(args, 'key')));
      return [spkiFingerprint(key.export({ type: 'spki', format: 'der' }))];
    }
    case 'server-key': {
      const dir = need(args, 'data-dir');
      const cert = new X509Certificate(readFileSync(join(dir, SERVER_CERT_FILE)));
      const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
      return [cert.publicKey.export({ type: 'spki', format: 'pem' }).toString().trimEnd(), `spki-der-hex ${spki.toString('hex')}`, `fingerprint ${spkiFingerprint(spki)}`];
    }
    default:
      throw new UsageError(
        'commands: ca --cn NAME --out DIR | issue --ca DIR --cn ENDPOINT --out DIR [--days N] [--key FILE] | fingerprint --key FILE | server-key --data-dir DIR',
      );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    for (const line of runPkiCli(process.argv.slice(2))) console.log(line);
  } catch (err) {
    console.error(err instanceof UsageError ? `usage: ${err.message}` : `error: ${(err as Error).message}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

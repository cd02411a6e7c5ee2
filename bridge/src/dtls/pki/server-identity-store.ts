/**
 * "The server's own key pair and self-signed certificate are generated on first start and kept":
 * the identity lives in two PEM files in the data directory, the key readable by the owner only.
 * Files are written to a temporary name and renamed, so a crash never leaves half a key behind.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomically } from '../../lib/atomic-file.js';
import { join } from 'node:path';
import { generateServerIdentity, serverIdentityFromPem, serverIdentityToPem, type IdentityOptions, type ServerIdentity } from './server-identity.js';

export const SERVER_KEY_FILE = 'dtls-server-key.pem';
export const SERVER_CERT_FILE = 'dtls-server-cert.pem';


/**
 * Loads the kept identity from `dataDir`, or generates and keeps one. Throws (a configuration
 * error for the operator) when only one of the two files exists or they do not belong together.
 */
export function loadOrCreateServerIdentity(
  dataDir: string,
  commonName: string,
  options: IdentityOptions & { now?: Date } = {},
): { identity: ServerIdentity; created: boolean } {
  const keyPath = join(dataDir, SERVER_KEY_FILE);
  const certPath = join(dataDir, SERVER_CERT_FILE);
  const haveKey = existsSync(keyPath);
  const haveCert = existsSync(certPath);
  if (haveKey && haveCert) {
    try {
      return { identity: serverIdentityFromPem(readFileSync(keyPath, 'utf8'), readFileSync(certPath, 'utf8')), created: false };
    } catch (err) {
      throw new Error(`cannot use the DTLS server identity in ${dataDir}: ${(err as Error).message}`);
    }
  }
  if (haveKey !== haveCert) {
    throw new Error(`${haveKey ? certPath : keyPath} is missing; remove ${haveKey ? keyPath : certPath} to generate a new server identity`);
  }
  mkdirSync(dataDir, { recursive: true });
  const identity = generateServerIdentity(commonName, options.now, options);
  const pem = serverIdentityToPem(identity);
  writeFileAtomically(keyPath, pem.keyPem, 0o600);
  writeFileAtomically(certPath, pem.certPem, 0o644);
  return { identity, created: true };
}

/**
 * Key and certificate files for tests that hand them to real peers (libcoap, mbed TLS, the
 * bridge's --trust-ca): a temporary folder to write them into, and DER certificates as PEM.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Returns a writer into a fresh temporary folder: `write(name, content)` gives the file's path. */
export function tempFileWriter(prefix: string): (name: string, content: string | Buffer) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
}

export const certificatePem = (der: Buffer): string => new X509Certificate(der).toString();

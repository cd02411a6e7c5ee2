/** Helpers for tests that check our PKI output with independent tools (OpenSSL, GnuTLS certtool). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  path(name: string): string;
  write(name: string, content: string | Buffer): string;
  read(name: string): Buffer;
  remove(): void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), 'dtls-pki-'));
  return {
    path: (name) => join(dir, name),
    write: (name, content) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    },
    read: (name) => readFileSync(join(dir, name)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a tool; returns exit status and combined output instead of throwing. */
export function run(cmd: string, args: string[], input?: Buffer): { status: number; out: string; stdout: Buffer } {
  try {
    const stdout = execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
    return { status: 0, out: stdout.toString('latin1'), stdout };
  } catch (e) {
    const err = e as { status?: number; stdout?: Buffer; stderr?: Buffer };
    return { status: err.status ?? -1, out: `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`, stdout: err.stdout ?? Buffer.alloc(0) };
  }
}

export function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

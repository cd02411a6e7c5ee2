/**
 * Runs the mbed TLS DTLS 1.2 CoAP client (test/support/mbedtls/dtls-coap-client.c) against a
 * server: compiled once per test run with the system gcc against Debian's libmbedtls-dev, so the
 * tests exercise the real mbed TLS handshake code that Zephyr, Wakaama and Anjay devices ship.
 * A missing compiler or header fails the test with the Debian package to install; never a skip.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./mbedtls/dtls-coap-client.c', import.meta.url));

export type MbedtlsSecurity =
  | { psk: { identity: string; keyHex: string }; cbc?: boolean }
  | { cert: { certFile: string; keyFile: string; caFile: string } };

export interface MbedtlsRequest {
  host?: string;
  port: number;
  security: MbedtlsSecurity;
  /** CoAP messages sent over the first connection, one record each. */
  requests: Buffer[];
  /** When given, a second connection resumes the first session and sends these. */
  resume?: Buffer[];
  /** DTLS handshake retransmission cap and response wait, per connection (ms). */
  timeoutMs?: number;
}

export interface MbedtlsResult {
  /** Exit status 0: handshake(s) done and every request answered. */
  ok: boolean;
  /** Negotiated suite per connection, IANA name (`TLS-PSK-WITH-AES-128-CCM-8` → `TLS_PSK_WITH_AES_128_CCM_8`). */
  cipherSuites: string[];
  /** Per connection: whether the server agreed to the extended master secret (RFC 7627), which the client always offers. */
  extendedMasterSecret: boolean[];
  /** Responses to `requests`, then to `resume`, as received. */
  responses: Buffer[];
  /** Whether the second handshake was abbreviated (undefined without `resume`). */
  resumed: boolean | undefined;
  /** Description of the fatal alert the server sent during the handshake, if any (RFC 5246 §7.2). */
  alert: number | undefined;
  /** The client's `error: …` line when it failed. */
  error: string | undefined;
  stderr: string;
}

let binary: Promise<string> | undefined;

/** Compiles the client once per test run (per worker) into a temporary folder. */
export function mbedtlsClientBinary(): Promise<string> {
  binary ??= new Promise((resolve, reject) => {
    const out = join(mkdtempSync(join(tmpdir(), 'mbedtls-client-')), 'dtls-coap-client');
    execFile('gcc', ['-O1', '-o', out, SOURCE, '-lmbedtls', '-lmbedx509', '-lmbedcrypto'], { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve(out);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('gcc not found: install the Debian package gcc (apt-get install -y gcc)'));
      if (/mbedtls\/.*No such file|cannot find -lmbed/.test(stderr)) {
        return reject(new Error(`mbed TLS headers or libraries missing: install the Debian package libmbedtls-dev (apt-get install -y libmbedtls-dev)\n${stderr}`));
      }
      reject(new Error(`compiling ${SOURCE} failed:\n${stderr}`));
    });
  });
  return binary;
}

/** Runs one client process; resolves (never rejects) with what it printed, once it exits or is killed. */
export async function runMbedtlsClient(r: MbedtlsRequest): Promise<MbedtlsResult> {
  const bin = await mbedtlsClientBinary();
  const timeoutMs = r.timeoutMs ?? 3000;
  const args = [r.host ?? '127.0.0.1', String(r.port)];
  if ('psk' in r.security) {
    args.push('--psk', r.security.psk.identity, r.security.psk.keyHex);
    if (r.security.cbc) args.push('--cbc');
  } else {
    args.push('--cert', r.security.cert.certFile, r.security.cert.keyFile, r.security.cert.caFile);
  }
  args.push('--timeout', String(timeoutMs), ...r.requests.map((b) => b.toString('hex')));
  if (r.resume) args.push('--resume', ...r.resume.map((b) => b.toString('hex')));
  // Bound the whole process: two handshakes plus one wait per request, plus slack.
  const killAfter = timeoutMs * (2 + r.requests.length + (r.resume?.length ?? 0)) + 5000;
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: killAfter, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const line = (prefix: string) => stderr.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length).trim());
      const resumed = line('resumed:')[0];
      resolve({
        ok: !error,
        cipherSuites: line('ciphersuite:').map((s) => s.replaceAll('-', '_')),
        extendedMasterSecret: line('extended master secret:').map((s) => s === 'yes'),
        responses: stdout.split('\n').filter((l) => /^[0-9a-f]+$/.test(l)).map((l) => Buffer.from(l, 'hex')),
        resumed: resumed === undefined ? undefined : resumed === 'yes',
        alert: line('alert received:').map(Number)[0],
        error: line('error:')[0] ?? (error?.killed ? `killed after ${killAfter} ms` : undefined),
        stderr,
      });
    });
  });
}

/**
 * Real parts for console end-to-end tests: the built bridge process, headless Chromium,
 * and libcoap's coap-client-notls as the device.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(REPO, 'test-artifacts');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with the command to run instead of skipping when the build is missing. */
export function requireBuild(): void {
  for (const f of ['bridge/dist/main.js', 'web/dist/index.html']) {
    if (!existsSync(join(REPO, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
}

export interface BridgeProcess {
  child: ChildProcess;
  coapPort: number;
  httpUrl: string;
  httpPort: number;
  stdout: string;
  stderr: string;
  stop(): Promise<void>;
}

/** Starts `node bridge/dist/main.js` and reads the ports it prints. */
export async function startBridgeProcess(args: string[] = [], dataDir = mkdtempSync(join(tmpdir(), 'console-e2e-'))): Promise<BridgeProcess> {
  const child = spawn(
    process.execPath,
    [join(REPO, 'bridge/dist/main.js'), '--coap-host', '127.0.0.1', '--coap-port', '0', '--coaps-port', '-1', '--http-port', '0', '--data-dir', dataDir, ...args],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const proc: BridgeProcess = {
    child,
    coapPort: 0,
    httpUrl: '',
    httpPort: 0,
    stdout: '',
    stderr: '',
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  child.stderr!.on('data', (d: Buffer) => (proc.stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bridge did not start:\n${proc.stdout}\n${proc.stderr}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`bridge exited with ${code}:\n${proc.stderr}`)));
    child.stdout!.on('data', (d: Buffer) => {
      proc.stdout += d.toString();
      const coap = /coap listening on udp:\/\/[^\s]*:(\d+)/.exec(proc.stdout);
      const http = /console listening on (http:\/\/[^\s]+)/.exec(proc.stdout);
      if (coap && http) {
        clearTimeout(timer);
        proc.coapPort = Number(coap[1]);
        proc.httpUrl = http[1]!;
        proc.httpPort = Number(new URL(proc.httpUrl).port);
        resolve();
      }
    });
  });
  return proc;
}

/** A fresh Chromium profile per run. */
export async function launchChromium(viewport = { width: 1440, height: 900 }): Promise<BrowserContext> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
}

/** Runs coap-client-notls; resolves with its output (verbose, so Location-Path shows). */
export function coapClient(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('coap-client-notls', ['-B', '5', '-v', '6', ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`coap-client-notls ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

/** The registration id from a Register's `Location-Path:rd, Location-Path:ID` (libcoap -v output). */
export function locationId(output: string): string {
  const m = /Location-Path:rd, Location-Path:([^\s,\]]+)/.exec(output);
  if (!m) throw new Error(`no Location-Path in:\n${output}`);
  return m[1]!;
}

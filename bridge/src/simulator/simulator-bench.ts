/**
 * `node --expose-gc bridge/dist/simulator/simulator-bench.js [count]`: forks the real bridge
 * on loopback, registers `count` simulated devices (default 10,000) from this one process,
 * and prints registration time, this process's memory per device, and de-register time.
 * Figures are printed, never asserted.
 */

import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from './simulator.js';

const count = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

interface Stats {
  registrations: number;
  rss: number;
  heapUsed: number;
}

async function main(): Promise<void> {
  const mainJs = fileURLToPath(new URL('../main.js', import.meta.url));
  const dataDir = mkdtempSync(join(tmpdir(), 'sim-bench-'));
  const child = fork(mainJs, ['--coap-host', '127.0.0.1', '--coap-port', '0', '--coaps-port', '-1', '--http-port', '0', '--data-dir', dataDir, '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    execArgv: ['--expose-gc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /coap listening on udp:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error('bridge exited')));
  });
  const stats = () =>
    new Promise<Stats>((resolve) => {
      child.once('message', (m) => resolve(m as Stats));
      child.send({ type: 'stats', gc: true });
    });

  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const sim = startSimulator({ count, server: { host: '127.0.0.1', port }, lifetime: 600, prefix: 'bench-', concurrency: 200 });
  const ok = await sim.started;
  const registerMs = performance.now() - t0;
  gc?.();
  const after = process.memoryUsage();
  const bridgeStats = await stats();
  const perDevice = (after.rss - before.rss) / count;
  process.stdout.write(
    [
      `devices            ${ok}/${count} registered in ${(registerMs / 1000).toFixed(2)} s (${Math.round((ok / registerMs) * 1000)}/s, 200 in flight)`,
      `simulator rss      ${mib(after.rss)} (+${mib(after.rss - before.rss)}, ${(perDevice / 1024).toFixed(1)} KiB per device incl. socket)`,
      `simulator heap     ${mib(after.heapUsed)} (+${mib(after.heapUsed - before.heapUsed)}, ${((after.heapUsed - before.heapUsed) / count / 1024).toFixed(1)} KiB per device)`,
      `bridge             ${bridgeStats.registrations} registrations, rss ${mib(bridgeStats.rss)}, heap ${mib(bridgeStats.heapUsed)}`,
    ].join('\n') + '\n',
  );
  const t1 = performance.now();
  await sim.stop();
  const left = (await stats()).registrations;
  process.stdout.write(`de-register        ${count} in ${((performance.now() - t1) / 1000).toFixed(2)} s, ${left} left on the bridge\n`);
  child.kill('SIGTERM');
}

main().catch((e: unknown) => {
  process.stderr.write(`simulator-bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

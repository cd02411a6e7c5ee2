/**
 * `npm run bench:downlink`: device operations through the bridge (issue 4).
 *
 * 1. Read round trips per second against 1,000 simulated devices: the bridge runs in this
 *    process and the bench calls `bridge.operations.perform` (the same entry the console's
 *    `operation` message uses) with a fixed number in flight, round-robin over the endpoints;
 *    the devices run in a separate simulator process on real UDP.
 * 2. Execute latency seen by an operator: headless Chromium on the device page sends Executes
 *    from the console's operation form one after the other; each is timed from the click to
 *    the frame after the result (CoAP code) is in the DOM.
 * Prints figures; asserts nothing (they are recorded in docs/console.md, "Device operations").
 *
 * Options: --devices 1000 --in-flight 64 --seconds 10 --path /3/0 --executes 200 --gap-ms 100
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { startBridge, type Bridge } from '../bridge.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
}
function textOption(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const DEVICES = option('devices', 1000);
const IN_FLIGHT = option('in-flight', 64);
const SECONDS = option('seconds', 10);
const READ_PATH = textOption('path', '/3/0');
const EXECUTES = option('executes', 200);
/** Pause between Executes: an operator clicking fast, and under the console's message budget. */
const GAP_MS = option('gap-ms', 100);
const PREFIX = 'dl-';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const fmt = (n: number) => n.toFixed(1);

async function startDevices(coapPort: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(REPO, 'bridge/dist/simulator/main.js'), '--count', String(DEVICES), '--server', `coap://127.0.0.1:${coapPort}`, '--lifetime', '600', '--prefix', PREFIX, '--quiet'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not register ${DEVICES} devices:\n${out}`)), 120_000);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}:\n${out}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /simulate: (\d+)\/(\d+) registered/.exec(out);
      if (m) {
        clearTimeout(timer);
        if (m[1] !== m[2]) reject(new Error(`only ${m[1]}/${m[2]} devices registered`));
        else resolve();
      }
    });
  });
  return child;
}

async function readThroughput(bridge: Bridge): Promise<void> {
  const width = Math.max(4, String(DEVICES - 1).length);
  const endpoints = Array.from({ length: DEVICES }, (_, i) => `${PREFIX}${String(i).padStart(width, '0')}`);
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let next = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const endpoint = endpoints[next++ % endpoints.length]!;
      const t0 = performance.now();
      const r = await bridge.operations.perform({ op: 'read', endpoint, path: READ_PATH }, 'bench');
      if (r.ok) latencies.push(performance.now() - t0);
      else failures.set(r.error?.code ?? r.code ?? '?', (failures.get(r.error?.code ?? r.code ?? '?') ?? 0) + 1);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `read ${READ_PATH} x ${DEVICES} devices, ${IN_FLIGHT} in flight, ${fmt(elapsed)} s: ${Math.round(latencies.length / elapsed).toLocaleString('en-US')} round trips/s ` +
      `(${latencies.length.toLocaleString('en-US')} ok, ${[...failures].map(([k, v]) => `${v} ${k}`).join(', ') || '0 failed'}); ` +
      `latency p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(latencies.at(-1) ?? NaN)} ms\n`,
  );
}

/**
 * Runs in the page (a string: the bridge is compiled without DOM types). Each Execute is done
 * when the result element shows a code after having shown "pending"; "shown" is the next
 * painted frame.
 */
function executeLoop(count: number, gapMs: number): string {
  return `(async () => {
    const form = document.querySelector('[data-test="operation-form"]');
    const button = form.querySelector('[data-test="op-run"]');
    const out = [];
    const codes = {};
    for (let i = 0; i < ${count}; i++) {
      const t0 = performance.now();
      await new Promise((resolve) => {
        let sawPending = false;
        const observer = new MutationObserver(() => {
          const el = form.querySelector('[data-test="op-result"]');
          if (el && el.classList.contains('op-pending')) sawPending = true;
          else if (sawPending && el && el.dataset.code) {
            observer.disconnect();
            codes[el.dataset.code] = (codes[el.dataset.code] || 0) + 1;
            resolve();
          }
        });
        observer.observe(form, { subtree: true, childList: true, attributes: true, characterData: true });
        button.click();
      });
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      out.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, ${gapMs}));
    }
    return { out, codes };
  })()`;
}

async function consoleExecuteLatency(bridge: Bridge): Promise<void> {
  const url = bridge.console?.url;
  if (!url) throw new Error('the console is off');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const endpoint = `${PREFIX}${'0'.padStart(Math.max(4, String(DEVICES - 1).length), '0')}`;
    await page.goto(`${url}/devices/${endpoint}`);
    await page.locator('[data-test="operation-form"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-test="op-kind"]').selectOption('execute');
    // Device object, Reset Error Code: executable, no side effect on the registration.
    await page.locator('[data-test="op-path"]').fill('/3/0/12');
    const samples = (await page.evaluate(executeLoop(EXECUTES, GAP_MS))) as { out: number[]; codes: Record<string, number> };
    const sorted = [...samples.out].sort((a, b) => a - b);
    process.stdout.write(
      `console Execute /3/0/12 click → result painted, ${EXECUTES} one after the other (${GAP_MS} ms apart): p50 ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(percentile(sorted, 99))} ms, ` +
        `max ${fmt(sorted.at(-1) ?? NaN)} ms (codes ${JSON.stringify(samples.codes)})\n`,
    );
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'downlink-bench-'));
  const loaded = loadConfig(['--coap-host', '127.0.0.1', '--coap-port', '0', '--coaps-port', '-1', '--http-port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {});
  if (!loaded.ok) throw new Error(loaded.error);
  const bridge = await startBridge(loaded.config, { log: createLogger('warn') });
  let devices: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    devices = await startDevices(bridge.coapPort);
    process.stdout.write(`${DEVICES} simulated devices registered in ${fmt((performance.now() - t0) / 1000)} s (separate process, real UDP)\n`);
    await readThroughput(bridge);
    await consoleExecuteLatency(bridge);
  } finally {
    devices?.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    await bridge.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`downlink bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);

/**
 * `npm run bench:console`: how fast the console shows what the registry does.
 *
 * Drives the built bridge process over real UDP CoAP (10,000 registrations, then 1,000
 * Update events/s) while headless Chromium pages show the fleet, and measures:
 * - Register datagram sent → its row in the DOM (p50 / p99 / max), per browser page;
 * - frames per second in each page during the load;
 * - a cold page load of a 100,000-registration fleet (navigation → row + total shown);
 * - frames per second while scrolling those 100,000 rows.
 * Prints figures; asserts nothing (targets are in docs/console.md).
 *
 * Options: --registered 10000 --rate 1000 --seconds 10 --probe-rate 20 --big 100000 --browsers 2
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generate, parse, type NamedOption, type ParsedPacket } from 'coap-packet';
import { chromium, type Browser, type Page } from 'playwright-core';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
}
const REGISTERED = option('registered', 10_000);
const RATE = option('rate', 1000);
const SECONDS = option('seconds', 10);
const PROBE_RATE = option('probe-rate', 20);
const BIG = option('big', 100_000);
const BROWSERS = option('browsers', 2);

const wallNow = () => performance.timeOrigin + performance.now();

// ------------------------------------------------------------------ the bridge process

async function startBridge(): Promise<{ coapPort: number; url: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'console-bench-'));
  const child = spawn(
    process.execPath,
    [join(REPO, 'bridge/dist/main.js'), '--coap-host', '127.0.0.1', '--coap-port', '0', '--coaps-port', '-1', '--http-port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bridge exited with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const coap = /coap listening on udp:\/\/[^\s]*:(\d+)/.exec(out);
      const http = /console listening on (http:\/\/\S+)/.exec(out);
      if (coap && http) {
        resolve({
          coapPort: Number(coap[1]),
          url: http[1]!,
          stop: () => new Promise((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))),
        });
      }
    });
  });
}

// ------------------------------------------------------------------ a CoAP load client

/**
 * Confirmable requests from a pool of UDP sockets. Each socket sends at most 50,000 messages
 * so a Message ID is never reused within the exchange lifetime (RFC 7252 §4.8.2: 247 s) —
 * the bridge would answer a reused ID from its deduplication cache.
 */
class CoapLoad {
  private sockets: dgram.Socket[] = [];
  private current: dgram.Socket | undefined;
  private sentOnCurrent = 0;
  private readonly pending = new Map<string, { resolve: (p: ParsedPacket) => void; timer: NodeJS.Timeout }>();
  private mid = 1;
  failures = 0;

  constructor(private readonly port: number) {}

  private async socket(): Promise<dgram.Socket> {
    if (this.current && this.sentOnCurrent < 50_000) return this.current;
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
    s.on('message', (msg) => {
      let p: ParsedPacket;
      try {
        p = parse(msg);
      } catch {
        return;
      }
      const key = p.token.toString('hex');
      const w = this.pending.get(key);
      if (!w) return;
      this.pending.delete(key);
      clearTimeout(w.timer);
      w.resolve(p);
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    this.sockets.push(s);
    this.current = s;
    this.sentOnCurrent = 0;
    return s;
  }

  /** Sends one request; `onSent` runs right after the datagram is handed to the kernel. */
  async request(path: string[], query: string[], payload: string | undefined, onSent?: () => void): Promise<ParsedPacket | undefined> {
    const s = await this.socket();
    this.sentOnCurrent++;
    this.mid = (this.mid + 1) & 0xffff;
    const token = Buffer.alloc(6);
    token.writeUIntBE(Math.floor(Math.random() * 2 ** 48), 0, 6);
    const options: NamedOption[] = path.map((p) => ({ name: 'Uri-Path', value: Buffer.from(p) }));
    if (payload !== undefined) options.push({ name: 'Content-Format', value: Buffer.from([40]) });
    for (const q of query) options.push({ name: 'Uri-Query', value: Buffer.from(q) });
    const bytes = generate({ code: '0.02', confirmable: true, messageId: this.mid, token, options, payload: Buffer.from(payload ?? '') });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(token.toString('hex'));
        this.failures++;
        resolve(undefined);
      }, 10_000);
      this.pending.set(token.toString('hex'), { resolve, timer });
      s.send(bytes, this.port, '127.0.0.1', () => onSent?.());
    });
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}

const locationId = (p: ParsedPacket | undefined) =>
  p?.options.filter((o) => o.name === 'Location-Path').map((o) => o.value.toString())[1];

async function registerMany(load: CoapLoad, prefix: string, from: number, to: number, concurrency: number): Promise<string[]> {
  const ids: string[] = [];
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      const reply = await load.request(['rd'], [`ep=${prefix}${String(i).padStart(6, '0')}`, 'lt=86400', 'lwm2m=1.1'], '</1/0>,</3/0>,</4/0>');
      const id = locationId(reply);
      if (id) ids.push(id);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}

// ------------------------------------------------------------------ browser side

/**
 * Runs in each page before the app: counts animation frames and records when a probe row is
 * first added to the DOM. A string because the bridge's TypeScript has no DOM types.
 */
const WATCH_SCRIPT = `
  window.__seen = {};
  window.__frames = 0;
  const frame = () => { window.__frames++; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  // Rows are recycled by position, so a probe shows up either as an added row or as an
  // existing row whose data-endpoint changed: watch both.
  const note = (row, t) => {
    const ep = row.dataset.endpoint;
    if (ep && ep.startsWith('probe-') && window.__seen[ep] === undefined) window.__seen[ep] = t;
  };
  new MutationObserver((records) => {
    const t = performance.timeOrigin + performance.now();
    for (const r of records) {
      if (r.type === 'attributes') { if (r.target instanceof HTMLElement) note(r.target, t); continue; }
      for (const n of r.addedNodes) {
        if (!(n instanceof HTMLElement)) continue;
        if (n.matches('[data-endpoint]')) note(n, t);
        for (const row of n.querySelectorAll('[data-endpoint]')) note(row, t);
      }
    }
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-endpoint'] });
`;

const SCROLL_SCRIPT = `(async () => {
  const el = document.querySelector('.fleet-body');
  let frames = 0, longest = 0;
  const start = performance.now();
  let last = start;
  await new Promise((resolve) => {
    const step = (t) => {
      frames++;
      longest = Math.max(longest, t - last);
      last = t;
      el.scrollTop += 1200;
      if (t - start < 3000) requestAnimationFrame(step); else resolve();
    };
    requestAnimationFrame(step);
  });
  return { fps: (frames * 1000) / (performance.now() - start), longest, rows: document.querySelectorAll('.fleet-body .fleet-row').length };
})()`;

/** Records when the fleet total reads `total` and a row is on screen, checked every frame. */
const loadedScript = (total: number) => `
  const want = ${JSON.stringify(total.toLocaleString('en-US'))};
  const check = () => {
    const t = document.querySelector('[data-test="total-registered"]');
    if (t && t.textContent.trim() === want && document.querySelector('.fleet-body .fleet-row')) window.__loadedAt = performance.now();
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
`;

/** Evaluates an expression in our own page (trusted: it only reads what WATCH_SCRIPT wrote). */
async function evalIn<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

async function openWatcher(browser: Browser, url: string, expectTotal: number): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.addInitScript({ content: WATCH_SCRIPT });
  await page.goto(url);
  await page.locator('[data-test="total-registered"]', { hasText: expectTotal.toLocaleString('en-US') }).waitFor({ timeout: 60_000 });
  // Newest registrations on top, probes only: each new probe row lands in view.
  await page.fill('[data-test="fleet-search"]', 'probe-');
  await page.locator('.head-cell', { hasText: 'Registered' }).click();
  await page.locator('.head-cell', { hasText: 'Registered' }).click();
  return page;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const bridge = await startBridge();
  const load = new CoapLoad(bridge.coapPort);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  console.log(`console bench: ${REGISTERED} registered, ${RATE} Update events/s for ${SECONDS} s, ${PROBE_RATE} probe Registers/s, ${BROWSERS} browser page(s); then ${BIG} registrations cold load`);
  try {
    let t0 = performance.now();
    const ids = await registerMany(load, 'load-', 0, REGISTERED, 128);
    console.log(`registered ${ids.length} over CoAP in ${ms(performance.now() - t0)} (${load.failures} timeouts)`);

    const pages: Page[] = [];
    for (let b = 0; b < BROWSERS; b++) pages.push(await openWatcher(browser, bridge.url, ids.length));
    const framesBefore = await Promise.all(pages.map((p) => evalIn<number>(p, 'window.__frames')));

    // Steady phase: RATE Updates/s spread over 10 ms slots, plus timed probe Registers.
    const sentAt = new Map<string, number>();
    const slotMs = 10;
    const perSlot = Math.max(1, Math.round((RATE * slotMs) / 1000));
    const probeEvery = Math.max(1, Math.round(1000 / PROBE_RATE / slotMs));
    const inflight: Promise<unknown>[] = [];
    let u = 0;
    let probe = 0;
    t0 = performance.now();
    for (let slot = 0; performance.now() - t0 < SECONDS * 1000; slot++) {
      const slotStart = t0 + slot * slotMs;
      for (let k = 0; k < perSlot; k++) inflight.push(load.request(['rd', ids[u++ % ids.length]!], [], undefined));
      if (slot % probeEvery === 0) {
        const ep = `probe-${String(probe++).padStart(5, '0')}`;
        inflight.push(load.request(['rd'], [`ep=${ep}`, 'lt=86400'], '</1/0>,</3/0>', () => sentAt.set(ep, wallNow())));
      }
      if (inflight.length > 4000) await Promise.all(inflight.splice(0));
      const wait = slotStart + slotMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const steadyMs = performance.now() - t0;
    await Promise.all(inflight.splice(0));
    await new Promise((r) => setTimeout(r, 1500));
    console.log(`steady phase: ${u} Updates + ${probe} probe Registers in ${ms(steadyMs)} = ${Math.round(((u + probe) * 1000) / steadyMs)} events/s (${load.failures} timeouts)`);

    for (const [i, page] of pages.entries()) {
      const { seen, frames } = await evalIn<{ seen: Record<string, number>; frames: number }>(page, '({ seen: window.__seen, frames: window.__frames })');
      const lat: number[] = [];
      let missing = 0;
      for (const [ep, at] of sentAt) {
        const s = seen[ep];
        if (s === undefined) missing++;
        else lat.push(s - at);
      }
      lat.sort((a, b) => a - b);
      const fps = ((frames - framesBefore[i]!) * 1000) / (steadyMs + 1500);
      console.log(
        `page ${i + 1}: Register → row in DOM p50 ${ms(percentile(lat, 50))}, p99 ${ms(percentile(lat, 99))}, max ${ms(lat.at(-1) ?? NaN)} over ${lat.length} probes (${missing} not seen); ${fps.toFixed(1)} frames/s`,
      );
    }
    for (const p of pages) await p.context().close();

    // Cold load of a big fleet.
    if (BIG > ids.length + probe) {
      t0 = performance.now();
      const more = await registerMany(load, 'bulk-', 0, BIG - ids.length - probe, 256);
      console.log(`registered ${more.length} more over CoAP in ${ms(performance.now() - t0)} (${load.failures} timeouts)`);
    }
    const total = Number(((await (await fetch(`${bridge.url}/healthz`)).json()) as { registrations: number }).registrations);
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    let wsBytes = 0;
    let wsFrames = 0;
    page.on('websocket', (ws) => ws.on('framereceived', (f) => {
      wsFrames++;
      wsBytes += typeof f.payload === 'string' ? Buffer.byteLength(f.payload) : f.payload.length;
    }));
    await page.addInitScript({ content: loadedScript(total) });
    await page.goto(bridge.url);
    // Poll from outside (the console's CSP forbids string evaluation inside the page); the
    // time itself was taken in the page, on the frame where the condition first held.
    const deadline = Date.now() + 60_000;
    while ((await evalIn<number | null>(page, 'window.__loadedAt ?? null')) === null) {
      if (Date.now() > deadline) throw new Error('the console did not show the fleet within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const loadMs = await evalIn<number>(page, 'window.__loadedAt');
    console.log(`cold load of ${total} registrations: ${ms(loadMs)} from navigation to rows and total on screen (${wsFrames} WebSocket frames, ${(wsBytes / 1e6).toFixed(1)} MB)`);

    // Scroll the whole list for 3 s and count frames.
    const scroll = await evalIn<{ fps: number; longest: number; rows: number }>(page, SCROLL_SCRIPT);
    console.log(`scrolling ${total} rows: ${scroll.fps.toFixed(1)} frames/s, longest frame ${ms(scroll.longest)}, ${scroll.rows} rows in the DOM`);
    await ctx.close();
  } finally {
    load.close();
    await browser.close();
    await bridge.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

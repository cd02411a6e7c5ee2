/**
 * Measurement hooks for benchmarks, reachable only over the IPC channel of a parent process
 * that forked the bridge (never over the network): heap after GC, registrations held, and the
 * worst event-loop stall since the last reset.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Bridge } from './bridge.js';

export interface DiagnosticsReply {
  type: 'stats';
  heapUsed: number;
  rss: number;
  registrations: number;
  maxStallMs: number;
  /** 99th percentile of the event-loop delay since the last reset. */
  p99DelayMs: number;
  coap: Bridge['coap']['stats'];
}

export function serveDiagnosticsOverIpc(bridge: Bridge): void {
  if (!process.send) return;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  logStallsTo(process.stderr, Number(process.env.BENCH_STALL_LOG_MS ?? 0));
  process.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null) return;
    const m = message as { type?: unknown; gc?: unknown; reset?: unknown };
    if (m.type !== 'stats') return;
    if (m.gc === true) (globalThis as { gc?: () => void }).gc?.();
    const reply: DiagnosticsReply = {
      type: 'stats',
      heapUsed: process.memoryUsage().heapUsed,
      rss: process.memoryUsage.rss(),
      registrations: bridge.store.size,
      maxStallMs: delay.max / 1e6,
      p99DelayMs: delay.percentile(99) / 1e6,
      coap: { ...bridge.coap.stats },
    };
    if (m.reset === true) delay.reset();
    process.send!(reply);
  });
}

/**
 * Prints every event-loop stall longer than `thresholdMs` with its start and end on the
 * monotonic clock in microseconds: the clock of V8's CPU profiles (`--cpu-prof`), so the samples
 * inside a stall can be picked out of a profile and attributed (bridge/src/bench/stall-attribution.ts).
 */
function logStallsTo(out: NodeJS.WritableStream, thresholdMs: number): void {
  if (!(thresholdMs > 0)) return;
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  let last = nowUs();
  setInterval(() => {
    const now = nowUs();
    // `performance.now()` is close to the process-relative times of --trace-gc lines.
    if (now - last > thresholdMs * 1000) out.write(`stall ${((now - last) / 1000).toFixed(1)} ms from ${last} to ${now} us (ends ${Math.round(performance.now())} ms after start)\n`);
    last = now;
  }, 2).unref();
}

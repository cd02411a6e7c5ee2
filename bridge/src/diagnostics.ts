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
  coap: Bridge['coap']['stats'];
}

export function serveDiagnosticsOverIpc(bridge: Bridge): void {
  if (!process.send) return;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
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
      coap: { ...bridge.coap.stats },
    };
    if (m.reset === true) delay.reset();
    process.send!(reply);
  });
}

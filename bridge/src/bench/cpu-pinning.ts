/**
 * Pins a benchmark's processes to CPUs: the server under test on one, its load on another.
 * Left to the scheduler on this 2-CPU machine, the two moved between CPUs and sometimes shared
 * one: the same bench:coaps run gave 3,019–4,554 handshakes/s (bridge CPU 216–327 µs each);
 * pinned, 4,472–4,587/s (211–220 µs) whichever CPU each got (docs/benchmarks.md).
 *
 * Only the main thread is pinned (`taskset -p`, not `-a`): V8's GC threads and libuv's pool stay
 * free to run on either CPU, as they would in production. BENCH_PIN=0 turns this off; without
 * `taskset` or with one CPU it does nothing.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export type BenchRole = 'server' | 'load';

const enabled = (() => {
  if (process.env.BENCH_PIN === '0' || availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Pins `pid` to CPU 0 (server) or CPU 1 (load); returns what it did, for the report. */
export function pinToCpu(pid: number, role: BenchRole): string {
  if (!enabled) return 'not pinned';
  const cpu = role === 'server' ? '0' : '1';
  try {
    execFileSync('taskset', ['-cp', cpu, String(pid)], { stdio: 'ignore' });
    return `CPU ${cpu}`;
  } catch {
    return 'not pinned';
  }
}

/** One line for a benchmark's header. */
export const PINNING_NOTE = enabled ? 'server main thread pinned to CPU 0, load to CPU 1 (BENCH_PIN=0 to let them float)' : 'processes not pinned to CPUs';

/**
 * Load process for the registration benchmark: many UDP sockets (source ports) on loopback,
 * each with a window of outstanding confirmable requests. Run as a child process; it reads a
 * JSON phase description from argv and prints one JSON result line.
 *
 * Lost requests (no answer within `timeoutMs`) are counted, not retransmitted, so the figures
 * are not flattered by retries.
 */
import dgram from 'node:dgram';
import { parse } from 'coap-packet';

export interface Phase {
  op: 'register' | 'update' | 'deregister';
  port: number;
  host: string;
  count: number;
  sockets: number;
  window: number;
  prefix: string;
  lifetime: number;
  /** Epoch ms: when set, each Register's lifetime is chosen so that all expire at this time. */
  deadline?: number;
  timeoutMs: number;
  /** For update/deregister: registration ids, from a previous register phase's output. */
  ids?: string[];
  /** Return the ids of created registrations (register phase). */
  collectIds?: boolean;
  /** Requests started per second over all sockets; unset: as fast as the window allows. */
  ratePerSecond?: number;
}

export interface PhaseResult {
  op: string;
  completed: number;
  lost: number;
  errors: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  ids?: string[];
}

const PAYLOAD = Buffer.from('</1/0>,</3/0>,</4/0>');

/** RFC 7252 §3.1 option header for a delta/length below 269. */
function option(out: number[], delta: number, value: Buffer | number[]): void {
  const ext = (n: number) => (n < 13 ? n : 13);
  out.push((ext(delta) << 4) | ext(value.length));
  if (delta >= 13) out.push(delta - 13);
  if (value.length >= 13) out.push(value.length - 13);
  for (const b of value) out.push(b);
}

/**
 * Encodes a request by hand: the generator must be much cheaper than the server it drives,
 * or the ceiling measures the generator.
 */
function requestFor(phase: Phase, n: number, messageId: number): Buffer {
  const bytes: number[] = [0x44, 0x02, messageId >> 8, messageId & 0xff, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  let payload: Buffer | undefined;
  option(bytes, 11, Buffer.from('rd')); // Uri-Path
  if (phase.op === 'register') {
    const lifetime = phase.deadline === undefined ? phase.lifetime : Math.max(1, Math.ceil((phase.deadline - Date.now()) / 1000));
    option(bytes, 1, [40]); // Content-Format 12: link-format
    option(bytes, 3, Buffer.from(`ep=${phase.prefix}${n}`)); // Uri-Query 15
    option(bytes, 0, Buffer.from(`lt=${lifetime}`));
    payload = PAYLOAD;
  } else {
    option(bytes, 0, Buffer.from(phase.ids![n % phase.ids!.length]!)); // Uri-Path
    // With a deadline, an Update keeps the registration expiring at it (the expiry storm).
    const lifetime = phase.deadline === undefined ? phase.lifetime : Math.max(1, Math.ceil((phase.deadline - Date.now()) / 1000));
    if (phase.op === 'update') option(bytes, 4, Buffer.from(`lt=${lifetime}`));
    else bytes[1] = 0x04; // DELETE
  }
  if (payload) bytes.push(0xff);
  const head = Buffer.from(bytes);
  return payload ? Buffer.concat([head, payload]) : head;
}

export async function runPhase(phase: Phase): Promise<PhaseResult> {
  const latencies = new Float64Array(phase.count);
  let completed = 0;
  let lost = 0;
  let next = 0;
  const errors: Record<string, number> = {};
  const ids: string[] = phase.collectIds ? new Array<string>(phase.count) : [];
  const started = process.hrtime.bigint();
  const rate = phase.ratePerSecond;
  const paced = () => rate === undefined || next < (rate * Number(process.hrtime.bigint() - started)) / 1e9;

  await Promise.all(
    Array.from({ length: phase.sockets }, async () => {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      const inflight = new Map<number, { n: number; at: bigint }>();
      let messageId = Math.floor(Math.random() * 0xffff);
      await new Promise<void>((done) => {
        const launch = () => {
          while (inflight.size < phase.window && next < phase.count && paced()) {
            const n = next++;
            messageId = (messageId + 1) & 0xffff;
            const mid = messageId;
            inflight.set(mid, { n, at: process.hrtime.bigint() });
            socket.send(requestFor(phase, n, mid), phase.port, phase.host);
          }
          if (inflight.size === 0 && next >= phase.count) {
            clearInterval(sweeper);
            clearInterval(pacer);
            done();
          }
        };
        // One sweep for lost requests instead of a timer per request.
        const timeoutNs = BigInt(phase.timeoutMs) * 1_000_000n;
        const sweeper = setInterval(() => {
          const now = process.hrtime.bigint();
          for (const [mid, e] of inflight) {
            if (now - e.at > timeoutNs) {
              inflight.delete(mid);
              lost++;
            }
          }
          launch();
        }, 250);
        // Paced phases start requests as time allows, not only as answers come back.
        const pacer = rate === undefined ? undefined : setInterval(launch, 2);
        socket.on('message', (msg) => {
          if (msg.length < 4) return;
          const mid = msg.readUInt16BE(2);
          const entry = inflight.get(mid);
          if (!entry) return;
          inflight.delete(mid);
          latencies[completed++] = Number(process.hrtime.bigint() - entry.at) / 1e6;
          const code = `${msg[1]! >> 5}.${String(msg[1]! & 31).padStart(2, '0')}`;
          if (!code.startsWith('2.')) errors[code] = (errors[code] ?? 0) + 1;
          if (phase.collectIds && code === '2.01') {
            const loc = parse(msg).options.filter((o) => o.name === 'Location-Path');
            if (loc[1]) ids[entry.n] = loc[1].value.toString();
          }
          launch();
        });
        launch();
      });
      socket.close();
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = latencies.subarray(0, completed).sort();
  const pct = (p: number) => (completed === 0 ? NaN : sorted[Math.min(completed - 1, Math.floor(p * completed))]!);
  const result: PhaseResult = { op: phase.op, completed, lost, errors, seconds, perSecond: completed / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99) };
  if (phase.collectIds) result.ids = ids;
  return result;
}

// Child-process entry: phase JSON on stdin, result JSON on stdout.
if (process.argv[1]?.endsWith('load-generator.js')) {
  let input = '';
  process.stdin.on('data', (d) => (input += d));
  process.stdin.on('end', () => {
    runPhase(JSON.parse(input) as Phase).then(
      (r) => process.stdout.write(JSON.stringify(r) + '\n', () => process.exit(0)),
      (e: unknown) => {
        process.stderr.write(String(e) + '\n');
        process.exit(1);
      },
    );
  });
}

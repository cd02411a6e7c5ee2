/**
 * In-memory wiring of one DtlsServer to DtlsPskClients with a fake clock: datagrams are delivered
 * asynchronously (setImmediate), like a socket would, and every datagram the server sends is kept.
 */
import { DtlsPskClient, type DtlsPskClientOptions } from '../../bridge/src/dtls/dtls-client.js';
import { DtlsServer, type DtlsServerOptions } from '../../bridge/src/dtls/dtls-server.js';

export const PSK = Buffer.from('secretkey');
export const credentials = { pskKeyFor: (id: string) => (id === 'dev1' ? PSK : id === 'dev2' ? Buffer.from('otherkey') : undefined) };

export interface Sent {
  datagram: Buffer;
  address: string;
  port: number;
}

export function memoryServer(options: Partial<DtlsServerOptions> = {}) {
  const clock = { now: 1_000_000 };
  const sent: Sent[] = [];
  const peers = new Map<string, (d: Buffer) => void>();
  /** Datagrams to these ports are "lost". */
  const blackhole = new Set<number>();
  const server = new DtlsServer({
    credentials,
    now: () => clock.now,
    tickMs: 60_000,
    send: (datagram, address, port) => {
      sent.push({ datagram, address, port });
      if (blackhole.has(port)) return;
      const deliver = peers.get(`${address}|${port}`);
      if (deliver) setImmediate(() => deliver(datagram));
    },
    ...options,
  });

  /** A client at address:port; its datagrams reach the server from wherever `from` says now. */
  function client(port: number, opts: Partial<DtlsPskClientOptions> = {}, address = '10.0.0.1') {
    const from = { address, port };
    const c = new DtlsPskClient({
      identity: 'dev1',
      key: PSK,
      retransmitMs: 0,
      send: (d) => {
        const { address: a, port: p } = from;
        setImmediate(() => server.handleDatagram(d, { address: a, port: p }));
      },
      ...opts,
    });
    peers.set(`${address}|${port}`, (d) => c.handleDatagram(d));
    return {
      c,
      from,
      /** Moves the client to a new source port (a NAT rebinding). */
      rebind(newPort: number) {
        from.port = newPort;
        peers.set(`${from.address}|${newPort}`, (d) => c.handleDatagram(d));
      },
    };
  }

  return { server, clock, sent, client, blackhole };
}

/** Lets queued deliveries run until `cond` holds (or fails after many turns). */
export async function until(cond: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}

export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

export function connected(c: DtlsPskClient): Promise<void> {
  return until(() => c.connected);
}

/**
 * A tiny LwM2M registration server for simulator tests, over a real UDP socket on
 * 127.0.0.1: answers Register (2.01 + Location-Path rd/{n}), Update (2.04), De-register
 * (2.02), records every request, and sends DM requests to devices.
 */

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { generate, parse, type ParsedPacket, type Packet } from 'coap-packet';

export interface Received {
  code: string;
  path: string;
  query: string[];
  payload: string;
  port: number;
  messageId: number;
  at: number;
}

export interface DmReply {
  code: string;
  format: number | undefined;
  payload: Buffer;
  locationPath: string[];
}

const uint = (n: number) => {
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from(out);
};
const readUint = (b: Buffer | undefined) => (b ? [...b].reduce((a, x) => a * 256 + x, 0) : undefined);

export class CoapTestServer {
  readonly received: Received[] = [];
  /** Registrations by id: endpoint and last known port. */
  readonly registrations = new Map<string, { endpoint: string; port: number }>();
  /** Drop this many incoming Register requests before answering (to test retransmission). */
  dropRegisters = 0;
  private socket!: Socket;
  private nextId = 1;
  private mid = 1;
  private readonly waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  private readonly pending = new Map<string, (r: DmReply) => void>();
  port = 0;

  async start(): Promise<void> {
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()));
    this.port = this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }

  /** Resolves with the first request (already received or future) that matches. */
  waitFor(match: (r: Received) => boolean, timeoutMs = 5000, from = 0): Promise<Received> {
    const seen = this.received.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a request')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
      });
    });
  }

  /** Send a CON DM request to a device port; resolves the reply, or undefined after timeoutMs. */
  request(
    port: number,
    code: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    opts: { accept?: number; format?: number; payload?: Buffer | string; messageId?: number; token?: Buffer; query?: string[] } = {},
    timeoutMs = 2000,
  ): Promise<DmReply | undefined> {
    const token = opts.token ?? randomBytes(4);
    const options: { name: string; value: Buffer }[] = path
      .split('/')
      .filter(Boolean)
      .map((s) => ({ name: 'Uri-Path', value: Buffer.from(s) }));
    if (opts.format !== undefined) options.push({ name: 'Content-Format', value: uint(opts.format) });
    if (opts.accept !== undefined) options.push({ name: 'Accept', value: uint(opts.accept) });
    for (const q of opts.query ?? []) options.push({ name: 'Uri-Query', value: Buffer.from(q) });
    const payload = opts.payload === undefined ? Buffer.alloc(0) : Buffer.from(opts.payload);
    const pkt = generate({ code, confirmable: true, messageId: opts.messageId ?? this.mid++ & 0xffff, token, options, payload } as Packet);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.pending.delete(token.toString('hex'));
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(token.toString('hex'), (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.socket.send(pkt, port, '127.0.0.1');
    });
  }

  /** Send raw bytes to a device port (malformed input tests). */
  sendRaw(port: number, bytes: Buffer): void {
    this.socket.send(bytes, port, '127.0.0.1');
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    let p: ParsedPacket;
    try {
      p = parse(msg);
    } catch {
      return;
    }
    if (!p.code.startsWith('0.') || p.code === '0.00') {
      const done = this.pending.get(p.token.toString('hex'));
      if (done && p.code !== '0.00') {
        this.pending.delete(p.token.toString('hex'));
        done({
          code: p.code,
          format: readUint(p.options.find((o) => o.name === 'Content-Format')?.value),
          payload: p.payload,
          locationPath: p.options.filter((o) => o.name === 'Location-Path').map((o) => o.value.toString()),
        });
      }
      return;
    }
    const path = '/' + p.options.filter((o) => o.name === 'Uri-Path').map((o) => o.value.toString()).join('/');
    const query = p.options.filter((o) => o.name === 'Uri-Query').map((o) => o.value.toString());
    const rec: Received = { code: p.code, path, query, payload: p.payload.toString(), port: rinfo.port, messageId: p.messageId, at: Date.now() };
    this.received.push(rec);
    for (const w of [...this.waiters]) {
      if (w.match(rec)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(rec);
      }
    }
    const reply = (code: string, options: { name: string; value: Buffer }[] = []) =>
      this.socket.send(generate({ code, ack: true, messageId: p.messageId, token: p.token, options } as Packet), rinfo.port, rinfo.address);
    if (p.code === '0.02' && path === '/rd') {
      if (this.dropRegisters > 0) {
        this.dropRegisters--;
        return;
      }
      const ep = query.find((q) => q.startsWith('ep='))?.slice(3) ?? '';
      const id = `r${this.nextId++}`;
      this.registrations.set(id, { endpoint: ep, port: rinfo.port });
      reply('2.01', [
        { name: 'Location-Path', value: Buffer.from('rd') },
        { name: 'Location-Path', value: Buffer.from(id) },
      ]);
    } else if (path.startsWith('/rd/')) {
      const id = path.slice(4);
      if (!this.registrations.has(id)) return reply('4.04');
      if (p.code === '0.02') reply('2.04');
      else if (p.code === '0.04') {
        this.registrations.delete(id);
        reply('2.02');
      } else reply('4.05');
    } else reply('4.04');
  }
}

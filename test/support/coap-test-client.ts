/**
 * A minimal CoAP client over a real UDP socket for integration tests: sends exactly the bytes
 * we ask for (so tests can retransmit the same Message ID or send garbage) and collects replies.
 */
import dgram from 'node:dgram';
import { generate, parse, type NamedOption, type ParsedPacket } from 'coap-packet';

export interface SendOptions {
  code?: string;
  confirmable?: boolean;
  messageId?: number;
  token?: Buffer;
  path?: string[];
  query?: string[];
  contentFormat?: number;
  payload?: string | Buffer;
  extraOptions?: NamedOption[];
}

let nextMessageId = Math.floor(Math.random() * 0xffff);

export class CoapTestClient {
  private readonly socket = dgram.createSocket('udp4');
  private readonly inbox: ParsedPacket[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly port: number) {
    this.socket.on('message', (msg) => {
      try {
        this.inbox.push(parse(msg));
      } catch {
        /* tests assert on what parses */
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(port: number): Promise<CoapTestClient> {
    const c = new CoapTestClient(port);
    await new Promise<void>((r) => c.socket.bind(0, '127.0.0.1', () => r()));
    return c;
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  build(o: SendOptions): Buffer {
    const options: NamedOption[] = [];
    for (const p of o.path ?? []) options.push({ name: 'Uri-Path', value: Buffer.from(p) });
    if (o.contentFormat !== undefined) options.push({ name: 'Content-Format', value: uint(o.contentFormat) });
    for (const q of o.query ?? []) options.push({ name: 'Uri-Query', value: Buffer.from(q) });
    options.push(...(o.extraOptions ?? []));
    return generate({
      code: o.code ?? '0.02',
      confirmable: o.confirmable ?? true,
      messageId: o.messageId ?? (nextMessageId = (nextMessageId + 1) & 0xffff),
      token: o.token ?? Buffer.from([Math.floor(Math.random() * 256), Math.floor(Math.random() * 256)]),
      options,
      payload: o.payload === undefined ? Buffer.alloc(0) : Buffer.from(o.payload),
    });
  }

  sendRaw(bytes: Buffer): void {
    this.socket.send(bytes, this.port, '127.0.0.1');
  }

  /** Sends and waits for the reply with the same token (or Message ID for empty replies). */
  async request(o: SendOptions, timeoutMs = 2000): Promise<ParsedPacket> {
    const msg = this.build(o);
    const messageId = msg.readUInt16BE(2);
    const token = msg.subarray(4, 4 + (msg[0]! & 0x0f));
    this.sendRaw(msg);
    return this.waitFor((p) => p.messageId === messageId || (token.length > 0 && p.token.equals(token)), timeoutMs);
  }

  async waitFor(match: (p: ParsedPacket) => boolean, timeoutMs = 2000): Promise<ParsedPacket> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no matching CoAP reply');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Everything received and not yet consumed. */
  drain(): ParsedPacket[] {
    return this.inbox.splice(0);
  }

  close(): void {
    this.socket.close();
  }
}

export function uint(n: number): Buffer {
  if (n === 0) return Buffer.alloc(0);
  if (n < 256) return Buffer.from([n]);
  if (n < 65536) return Buffer.from([n >> 8, n & 0xff]);
  return Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
}

export function locationOf(p: ParsedPacket): string[] {
  return p.options.filter((o) => o.name === 'Location-Path').map((o) => o.value.toString());
}

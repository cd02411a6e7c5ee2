/**
 * One UDP socket speaking CoAP for a simulated device: confirmable requests with RFC 7252
 * §4.2 retransmission and response matching (§5.3.2: piggybacked on the ACK, or separate
 * and matched by token), and incoming requests answered with a piggybacked ACK, with a
 * small duplicate cache so a retransmitted Execute is not executed twice (§4.5).
 */

import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { Packet } from 'coap-packet';
import { decodePacket, encodePacket, retransmitTimeouts, type ParsedPacket } from './coap-message.js';

export interface OutgoingRequest {
  code: 'GET' | 'POST' | 'PUT' | 'DELETE';
  options: { name: string; value: Buffer }[];
  payload?: Buffer;
}

export interface IncomingResponse {
  code: string;
  options: { name: string | number; value: Buffer }[];
  payload: Buffer;
}

/** The response to an incoming request; `undefined` means "drop it silently". */
export type RequestHandler = (req: ParsedPacket) => { code: string; options: { name: string; value: Buffer }[]; payload?: Buffer } | undefined;

interface Pending {
  token: Buffer;
  messageId: number;
  packet: Buffer;
  timer: NodeJS.Timeout | undefined;
  resolve: (r: IncomingResponse | undefined) => void;
}

/** How many answered message ids are remembered for duplicate detection. */
const DEDUP_ENTRIES = 16;

export class CoapClientSocket {
  private socket: Socket | undefined;
  private messageId = randomBytes(2).readUInt16BE(0);
  private readonly pending = new Map<string, Pending>();
  private readonly answered: { key: string; reply: Buffer }[] = [];
  localPort = 0;

  constructor(
    private readonly server: { host: string; port: number },
    private readonly onRequest: RequestHandler,
    private readonly onError: (e: Error) => void,
    private readonly ackTimeoutMs?: number,
  ) {}

  get open(): boolean {
    return this.socket !== undefined;
  }

  /** Bind a fresh socket on an ephemeral port. */
  async bind(address?: string): Promise<number> {
    const type = this.server.host.includes(':') ? 'udp6' : 'udp4';
    const s = createSocket(type);
    s.on('error', (e) => this.onError(e));
    s.on('message', (msg, rinfo) => {
      // Only the server talks to a device; anything else is dropped.
      if (rinfo.port !== this.server.port) return;
      this.receive(msg);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, address, () => {
        s.off('error', reject);
        resolve();
      });
    });
    this.socket = s;
    this.localPort = s.address().port;
    return this.localPort;
  }

  /** Close the socket; pending requests resolve `undefined`. */
  close(): void {
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.resolve(undefined);
    }
    this.pending.clear();
    this.answered.length = 0;
    const s = this.socket;
    this.socket = undefined;
    if (s) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  }

  /** Send a CON request; resolves the response, or `undefined` after MAX_RETRANSMIT. */
  request(req: OutgoingRequest): Promise<IncomingResponse | undefined> {
    const s = this.socket;
    if (!s) return Promise.resolve(undefined);
    const token = randomBytes(4);
    const messageId = this.nextMessageId();
    const packet = encodePacket({ code: req.code, confirmable: true, messageId, token, options: req.options, payload: req.payload ?? Buffer.alloc(0) } as Packet);
    return new Promise((resolve) => {
      const p: Pending = { token, messageId, packet, timer: undefined, resolve };
      this.pending.set(token.toString('hex'), p);
      const timeouts = retransmitTimeouts(this.ackTimeoutMs);
      let attempt = 0;
      const transmit = () => {
        if (!this.socket) return;
        this.send(packet);
        const wait = timeouts[attempt++];
        p.timer = setTimeout(() => {
          if (attempt < timeouts.length) transmit();
          else this.finish(p, undefined);
        }, wait);
      };
      transmit();
    });
  }

  private finish(p: Pending, r: IncomingResponse | undefined): void {
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(p.token.toString('hex'));
    p.resolve(r);
  }

  private nextMessageId(): number {
    this.messageId = (this.messageId + 1) & 0xffff;
    return this.messageId;
  }

  private send(buf: Buffer): void {
    this.socket?.send(buf, this.server.port, this.server.host, (e) => {
      if (e) this.onError(e);
    });
  }

  private receive(msg: Buffer): void {
    const p = decodePacket(msg);
    if (!p) return; // RFC 7252 §4.2: a malformed message is silently ignored (or Reset).
    const [cls] = p.code.split('.');
    if (p.code === '0.00') {
      // Empty ACK: the response will come separately; stop retransmitting (§5.2.2).
      if (p.ack) {
        for (const pend of this.pending.values()) {
          if (pend.messageId === p.messageId && pend.timer) {
            clearTimeout(pend.timer);
            pend.timer = undefined;
          }
        }
      }
      return;
    }
    if (cls === '0') {
      this.answer(p);
      return;
    }
    // A response: piggybacked (ACK) or separate (CON/NON), matched by token (§5.3.2).
    const pend = this.pending.get(p.token.toString('hex'));
    if (p.confirmable) this.send(encodePacket({ code: '0.00', ack: true, messageId: p.messageId } as Packet));
    if (!pend) return;
    if (p.ack && p.messageId !== pend.messageId) return;
    this.finish(pend, { code: p.code, options: p.options, payload: p.payload });
  }

  private answer(req: ParsedPacket): void {
    const key = `${req.messageId}`;
    const dup = this.answered.find((a) => a.key === key);
    if (dup) {
      this.send(dup.reply);
      return;
    }
    const res = this.onRequest(req);
    if (!res) return;
    const reply = encodePacket({
      code: res.code,
      ack: req.confirmable,
      confirmable: false,
      messageId: req.confirmable ? req.messageId : this.nextMessageId(),
      token: req.token,
      options: res.options,
      payload: res.payload ?? Buffer.alloc(0),
    } as Packet);
    this.answered.push({ key, reply });
    if (this.answered.length > DEDUP_ENTRIES) this.answered.shift();
    this.send(reply);
  }
}

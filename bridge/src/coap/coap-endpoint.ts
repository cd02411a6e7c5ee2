/**
 * Sits between a datagram transport (plain UDP or DTLS sessions) and the `coap` package.
 *
 * The `coap` Server and Agent accept any socket-like emitter, but with one that is not a
 * `dgram.Socket` the Server skips its duplicate cache and its error replies (FIELD-NOTES.md).
 * So this endpoint does, before the package sees a datagram:
 * - reject garbage (RFC 7252 §4.2: a malformed Confirmable message is answered with Reset),
 * - deduplicate requests by peer and Message ID (RFC 7252 §4.5) with bounded memory,
 * - bound Block1 transfers (RFC 7959) in size and number,
 * - answer CoAP ping (empty CON) with Reset (RFC 7252 §4.3),
 * - route requests to the server side and responses to the agent side (downlink),
 * and it catches anything the package throws so no datagram can stop the process.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { generate } from 'coap-packet';
import type { SessionSecurity, Transport } from '@lwm2m-console/shared';
import type { Logger } from '../log.js';
import { DedupCache, DEFAULT_DEDUP_LIMITS, type DedupLimits } from './dedup-cache.js';
import { MessageType, isRequestCode, isResponseCode, peekHeader, tokenKey } from './message-header.js';

/** Where datagrams come from and go to. */
export interface DatagramTransport {
  readonly kind: Transport;
  send(data: Uint8Array, address: string, port: number): void;
  address(): AddressInfo;
  /** CoAPS: what the DTLS session with this peer authenticated. */
  securityOf?(address: string, port: number): SessionSecurity | undefined;
}

/** The remote info the `coap` package passes along with each request (`req.rsinfo`). */
export interface PeerInfo {
  address: string;
  port: number;
  family: string;
  size: number;
  transport: Transport;
  security?: SessionSecurity;
}

export interface CoapEndpointOptions {
  now?: () => number;
  log: Logger;
  dedup?: DedupLimits;
  /** Largest request body reassembled from Block1 transfers. */
  maxBodyBytes?: number;
  /** Concurrent Block1 transfers, all peers together. */
  maxBlockTransfers?: number;
}

export interface CoapEndpointStats {
  received: number;
  malformed: number;
  duplicates: number;
  requests: number;
  responses: number;
  handlerErrors: number;
}

/** Socket-like face given to `coap`'s Server or Agent. */
class SocketFacade extends EventEmitter {
  constructor(private readonly endpoint: CoapEndpoint) {
    super();
  }
  send(buf: Buffer, offset: number, length: number, port: number, address: string, callback?: (err: Error | null, bytes?: number) => void): void {
    const data = offset === 0 && length === buf.length ? buf : buf.subarray(offset, offset + length);
    try {
      this.endpoint.sendFromStack(data, address, port);
      callback?.(null, length);
    } catch (error) {
      callback?.(error as Error);
    }
  }
  address(): AddressInfo {
    return this.endpoint.transport.address();
  }
  close(): void {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

const CODE = { badRequest: 0x80, entityIncomplete: 0x88, entityTooLarge: 0x8d, internal: 0xa0, unavailable: 0xa3 } as const;

export class CoapEndpoint {
  /** Hand to `coap.Server#listen`. */
  readonly serverSocket: SocketFacade;
  /** Hand to `new coap.Agent({ socket })`. */
  readonly agentSocket: SocketFacade;
  readonly stats: CoapEndpointStats = { received: 0, malformed: 0, duplicates: 0, requests: 0, responses: 0, handlerErrors: 0 };

  private readonly dedup: DedupCache;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly maxBodyBytes: number;
  private readonly maxBlockTransfers: number;
  /** peer|token -> last activity, for bounding Block1 transfers in progress. */
  private readonly blockTransfers = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly transport: DatagramTransport,
    options: CoapEndpointOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.dedup = new DedupCache(options.dedup ?? DEFAULT_DEDUP_LIMITS);
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.maxBlockTransfers = options.maxBlockTransfers ?? 1024;
    this.serverSocket = new SocketFacade(this);
    this.agentSocket = new SocketFacade(this);
    this.sweepTimer = setInterval(() => this.sweep(), 10_000);
    this.sweepTimer.unref();
  }

  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** Entry point for every datagram the transport receives. */
  handleDatagram(msg: Buffer, address: string, port: number): void {
    this.stats.received++;
    const peeked = peekHeader(msg);
    if (!peeked.ok) {
      this.stats.malformed++;
      // RFC 7252 §4.2: reject a malformed CON with RST if at least the header is readable.
      if (msg.length >= 4 && msg[0]! >> 6 === 1 && ((msg[0]! >> 4) & 3) === MessageType.CON) {
        this.sendReset((msg[2]! << 8) | msg[3]!, address, port);
      }
      this.log.debug('coap: dropped malformed datagram', { address, port, error: peeked.error });
      return;
    }
    const h = peeked.header;
    if (h.code === 0) {
      // RFC 7252 §4.3: an empty CON is a ping, answered with RST.
      if (h.type === MessageType.CON) return this.sendReset(h.messageId, address, port);
      return this.deliver(this.agentSocket, msg, address, port);
    }
    if (isResponseCode(h.code)) {
      this.stats.responses++;
      return this.deliver(this.agentSocket, msg, address, port);
    }
    if (!isRequestCode(h.code) || h.type === MessageType.ACK || h.type === MessageType.RST) {
      this.stats.malformed++;
      return;
    }
    const peer = `${address}:${port}`;
    const token = tokenKey(msg, h.tokenLength);
    const verdict = this.dedup.check(peer, h.messageId, token, this.now());
    if (verdict.kind === 'duplicate') {
      this.stats.duplicates++;
      this.transport.send(verdict.response, address, port);
      return;
    }
    if (verdict.kind === 'duplicate-in-progress') {
      this.stats.duplicates++;
      return;
    }
    this.stats.requests++;
    if (h.block1) {
      const refusal = this.checkBlock1(peer, token, h.block1);
      if (refusal !== undefined) return this.replyError(msg, h.type, h.messageId, h.tokenLength, refusal.code, refusal.reason, address, port);
    }
    try {
      this.deliver(this.serverSocket, msg, address, port, true);
    } catch (error) {
      this.stats.handlerErrors++;
      // The coap package throws on out-of-order or missing Block1 blocks (RFC 7959 §2.9.2: 4.08).
      const blockError = h.block1 !== undefined;
      this.log.warn('coap: request handling failed', { address, port, error });
      this.replyError(msg, h.type, h.messageId, h.tokenLength, blockError ? CODE.entityIncomplete : CODE.internal, blockError ? 'blocks missing or out of order' : 'internal error', address, port);
    }
  }

  private deliver(socket: SocketFacade, msg: Buffer, address: string, port: number, rethrow = false): void {
    const info: PeerInfo = { address, port, family: address.includes(':') ? 'IPv6' : 'IPv4', size: msg.length, transport: this.transport.kind };
    const security = this.transport.securityOf?.(address, port);
    if (security) info.security = security;
    try {
      socket.emit('message', msg, info);
    } catch (error) {
      if (rethrow) throw error;
      this.stats.handlerErrors++;
      this.log.warn('coap: agent failed on a datagram', { address, port, error });
    }
  }

  /** RFC 7959 §2.9.3: 4.13 for bodies over our limit; reserved SZX 7 is a bad request. */
  private checkBlock1(peer: string, token: string, block: { num: number; more: boolean; szx: number }): { code: number; reason: string } | undefined {
    if (block.szx === 7) return { code: CODE.badRequest, reason: 'reserved block size' };
    const size = 1 << (block.szx + 4);
    if ((block.num + 1) * size > this.maxBodyBytes + size) return { code: CODE.entityTooLarge, reason: `request body over ${this.maxBodyBytes} bytes` };
    const key = `${peer}|${token}`;
    if (!block.more) {
      this.blockTransfers.delete(key);
      return undefined;
    }
    if (!this.blockTransfers.has(key) && this.blockTransfers.size >= this.maxBlockTransfers) {
      return { code: CODE.unavailable, reason: 'too many block transfers in progress' };
    }
    this.blockTransfers.set(key, this.now());
    return undefined;
  }

  /** Called by the socket facades for everything the coap stack sends. */
  sendFromStack(data: Buffer, address: string, port: number): void {
    const peeked = peekHeader(data);
    if (peeked.ok && isResponseCode(peeked.header.code)) {
      const h = peeked.header;
      this.dedup.recordResponse(`${address}:${port}`, h.messageId, tokenKey(data, h.tokenLength), h.type === MessageType.ACK, data);
    }
    this.transport.send(data, address, port);
  }

  private sendReset(messageId: number, address: string, port: number): void {
    this.transport.send(Buffer.from([0x70, 0x00, messageId >> 8, messageId & 0xff]), address, port);
  }

  private replyError(request: Buffer, type: MessageType, messageId: number, tokenLength: number, code: number, reason: string, address: string, port: number): void {
    const token = request.subarray(4, 4 + tokenLength);
    const confirmable = type === MessageType.CON;
    const response = generate({
      ack: confirmable,
      confirmable: false,
      messageId: confirmable ? messageId : Math.floor(Math.random() * 0x10000),
      token,
      code: `${code >> 5}.${String(code & 0x1f).padStart(2, '0')}`,
      options: code === CODE.entityTooLarge ? [{ name: 'Size1', value: uint(this.maxBodyBytes) }] : [],
      payload: Buffer.from(reason),
    });
    this.sendFromStack(response, address, port);
  }

  private sweep(): void {
    const now = this.now();
    this.dedup.sweep(now);
    for (const [key, at] of this.blockTransfers) if (now - at > 60_000) this.blockTransfers.delete(key);
  }
}

function uint(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  let i = 0;
  while (i < 3 && b[i] === 0) i++;
  return b.subarray(i);
}

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
import { generate, parse, type NamedOption, type ParsedPacket } from 'coap-packet';
import type { SessionSecurity, Transport } from '@lwm2m-console/shared';
import type { Logger } from '../log.js';
import { Block1Assembler } from './block1-assembler.js';
import { DedupCache, DEFAULT_DEDUP_LIMITS, type DedupLimits } from './dedup-cache.js';
import { MessageType, isRequestCode, isResponseCode, peekHeader, tokenKey, type Block1 } from './message-header.js';

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

/**
 * The `coap` Server hands every response to a retry sender that arms a MAX_RTT (202 s) timer,
 * even for a piggybacked ACK that is never retransmitted; the timer keeps the request, the
 * response and the sender alive: about 4.5 KB per request, measured (docs/benchmarks.md). The
 * package marks the buffer with its sender; once the send has returned, an ACK or NON response
 * needs no timer, so it is released. CON responses keep theirs: they are retransmitted.
 */
function releaseRetrySender(buf: Buffer): void {
  const sender = (buf as Buffer & { sender?: { reset(): void } }).sender;
  if (!sender || buf.length < 4) return;
  const type = (buf[0]! >> 4) & 0x03;
  if (type === MessageType.CON) return;
  queueMicrotask(() => sender.reset());
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
    releaseRetrySender(buf);
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
  private readonly blocks: Block1Assembler;
  /** peer|messageId of reassembled requests whose response must echo the last Block1 option. */
  private readonly blockEcho = new Map<string, Buffer>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly transport: DatagramTransport,
    options: CoapEndpointOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.dedup = new DedupCache(options.dedup ?? DEFAULT_DEDUP_LIMITS);
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.blocks = new Block1Assembler({ maxBodyBytes: this.maxBodyBytes, maxTransfers: options.maxBlockTransfers ?? 1024, idleMs: 60_000 });
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
    let request = msg;
    if (h.block1) {
      const assembled = this.assembleBlock1(msg, h.block1, peer, address, port);
      if (!assembled) return;
      request = assembled;
    }
    try {
      this.deliver(this.serverSocket, request, address, port, true);
    } catch (error) {
      this.stats.handlerErrors++;
      this.log.warn('coap: request handling failed', { address, port, error });
      try {
        this.reply(parse(request), '5.00', [], 'internal error', address, port);
      } catch {
        /* nothing sensible to answer */
      }
    }
  }

  /**
   * RFC 7959 §2.5: answers intermediate blocks itself (2.31 Continue) and returns the complete
   * request, rebuilt as one message without Block1, once the last block is in.
   */
  private assembleBlock1(msg: Buffer, block: Block1, peer: string, address: string, port: number): Buffer | undefined {
    let packet: ParsedPacket;
    try {
      packet = parse(msg);
    } catch {
      this.stats.malformed++;
      return undefined;
    }
    const blockOption = packet.options.find((o) => o.name === 'Block1')!;
    const rest = packet.options.filter((o) => o.name !== 'Block1');
    const key = `${peer}|${packet.code}|${rest
      .filter((o) => o.name === 'Uri-Path' || o.name === 'Uri-Query')
      .map((o) => `${o.name}=${o.value.toString('hex')}`)
      .join('/')}`;
    const verdict = this.blocks.accept(key, block, packet.payload, this.now());
    switch (verdict.kind) {
      case 'continue':
        this.reply(packet, '2.31', [blockOption as NamedOption], undefined, address, port);
        return undefined;
      case 'refuse': {
        const extra: NamedOption[] = verdict.code === '4.13' ? [{ name: 'Size1', value: uint(this.maxBodyBytes) }] : [];
        this.reply(packet, verdict.code, extra, verdict.reason, address, port);
        return undefined;
      }
      case 'complete':
        // RFC 7959 §2.3: the response to the last block carries its Block1 option.
        this.blockEcho.set(`${peer}|${packet.messageId}`, blockOption.value);
        if (this.blockEcho.size > 4096) this.blockEcho.delete(this.blockEcho.keys().next().value!);
        return generate({ ...packet, options: rest as NamedOption[], payload: verdict.body }, verdict.body.length + 2048);
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

  /** Called by the socket facades for everything the coap stack sends. */
  sendFromStack(data: Buffer, address: string, port: number): void {
    const peeked = peekHeader(data);
    if (peeked.ok && isResponseCode(peeked.header.code)) {
      const h = peeked.header;
      const peer = `${address}:${port}`;
      if (this.blockEcho.size > 0) {
        const echo = this.blockEcho.get(`${peer}|${h.messageId}`);
        if (echo) {
          this.blockEcho.delete(`${peer}|${h.messageId}`);
          const response = parse(data);
          data = generate({ ...response, options: [...response.options, { name: 'Block1', value: echo }] as NamedOption[] });
        }
      }
      this.dedup.recordResponse(peer, h.messageId, tokenKey(data, h.tokenLength), h.type === MessageType.ACK, data);
    }
    this.transport.send(data, address, port);
  }

  private sendReset(messageId: number, address: string, port: number): void {
    this.transport.send(Buffer.from([0x70, 0x00, messageId >> 8, messageId & 0xff]), address, port);
  }

  /** A response generated here rather than by the coap stack (errors, 2.31 Continue). */
  private reply(request: ParsedPacket, code: string, options: NamedOption[], diagnostic: string | undefined, address: string, port: number): void {
    const confirmable = request.confirmable;
    const response = generate({
      ack: confirmable,
      confirmable: false,
      messageId: confirmable ? request.messageId : Math.floor(Math.random() * 0x10000),
      token: request.token,
      code,
      options,
      payload: diagnostic === undefined ? Buffer.alloc(0) : Buffer.from(diagnostic),
    });
    this.sendFromStack(response, address, port);
  }

  private sweep(): void {
    const now = this.now();
    this.dedup.sweep(now);
    this.blocks.evictIdle(now);
  }
}

function uint(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  let i = 0;
  while (i < 3 && b[i] === 0) i++;
  return b.subarray(i);
}

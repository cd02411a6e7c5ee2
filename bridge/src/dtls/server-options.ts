/**
 * Options, session view and counters of the DTLS server (dtls-server.ts), kept apart so the
 * CoAP layer can depend on the shapes without the machinery.
 */
import type { SessionSecurity } from '@lwm2m-console/shared';
import type { Logger } from '../log.js';
import type { DtlsCredentialResolver } from './credentials.js';
import type { KeyExchange } from './key-exchange.js';

export interface DtlsServerOptions {
  credentials: DtlsCredentialResolver;
  now?: () => number;
  log?: Logger;
  /** Established sessions kept at most; new handshakes are refused beyond it. Default 100 000. */
  maxSessions?: number;
  /** Half-open handshakes (past the cookie) at most. Default 2 000. */
  maxHandshakes?: number;
  /**
   * With `maxHandshakes` reached, a new handshake takes the slot of the oldest one if that one has
   * been open this long (ms); default 5 000. A peer that passes the cookie exchange and goes silent
   * would otherwise hold a slot for the whole retransmission schedule (about 63 s), so filling the
   * table would take only maxHandshakes / 63 such handshakes a second.
   */
  stalledHandshakeMs?: number;
  /** A session with no authentic record from its peer for this long is closed. Default 1 h. */
  idleTimeoutMs?: number;
  /** Cookie secret lifetime; cookies from the previous secret are still accepted. Default 60 s. */
  cookieRotateMs?: number;
  /** RFC 6347 §4.2.4.1: initial retransmission timer (default 1 s), doubled per retry up to 60 s. */
  retransmitInitialMs?: number;
  /** Retransmissions of one flight before the handshake is abandoned. Default 5 (about 63 s in all). */
  maxRetransmits?: number;
  /**
   * How long the final flight is kept to answer a peer's retransmitted Finished, unless the peer's
   * first application record shows it has ours. Default 240 s: RFC 6347 §4.2.4 says "at least twice
   * the default MSL defined for [TCP]", and RFC 793's MSL is 2 minutes.
   */
  flightRetentionMs?: number;
  /** Resumable sessions cached (RFC 5246 §7.3); 0 disables resumption. Default 10 000, 24 h each. */
  sessionCacheSize?: number;
  sessionCacheLifetimeMs?: number;
  /** Offer RFC 9146 Connection IDs to clients that ask. Default true. */
  connectionId?: boolean;
  /** RFC 7627 §5.3: refuse clients without extended_master_secret. Default false (many constrained clients lack it). */
  requireExtendedMasterSecret?: boolean;
  /** Largest UDP payload we send; flights are fragmented and packed to fit. Default 1200. */
  maxDatagram?: number;
  /** Largest handshake message we reassemble, and fragments per message. Defaults 16 KiB, 64. */
  maxHandshakeMessageLength?: number;
  maxFragmentsPerMessage?: number;
  /** Key exchanges by suite family. Default: PSK only. The PKI helper adds 'ecdhe_ecdsa'. */
  keyExchanges?: readonly KeyExchange[];
  /** Where datagrams go when no socket is attached (tests, benchmarks). */
  send?: (datagram: Buffer, address: string, port: number) => void;
  /** Period of the internal timer that drives retransmission and idle eviction. Default 100 ms. */
  tickMs?: number;
}

export interface DtlsSession {
  /** Opaque, unique per session. */
  readonly id: string;
  /** Current peer address (changes with RFC 9146 Connection ID). */
  readonly address: string;
  readonly port: number;
  readonly security: SessionSecurity;
}

/**
 * A handshake that ended without a session (the DtlsServer's 'handshakeFailed' event), for the
 * operator: who ended it and why. Only handshakes past the cookie exchange are reported, so a
 * flood of spoofed ClientHellos reports nothing.
 */
export interface HandshakeFailure {
  address: string;
  port: number;
  /**
   * `server`: we sent the fatal `alert`; `device`: the peer sent it; `timeout`: the peer went
   * silent; `capacity`: its ClientHello (with a valid cookie) was dropped, the server being full.
   */
  endedBy: 'server' | 'device' | 'timeout' | 'capacity';
  alert?: number;
  reason: string;
  /** What the peer presented (PSK identity, certificate CN, raw-key fingerprint), when it got that far. */
  identity?: string;
}

/** Drop and event counters, for tests and monitoring. */
export interface DtlsStats {
  sessions: number;
  handshakes: number;
  datagrams: number;
  malformed: number;
  noAssociation: number;
  shortRecords: number;
  authFailures: number;
  replays: number;
  wrongEpoch: number;
  cookiesSent: number;
  badCookies: number;
  handshakesStarted: number;
  handshakesCompleted: number;
  handshakesFailed: number;
  handshakeTimeouts: number;
  resumptions: number;
  /** Sessions a client asked to resume whose credentials no longer verify (full handshake instead). */
  resumptionsRefused: number;
  capacityRefused: number;
  /** Half-open handshakes ended to make room for a new one (`stalledHandshakeMs`). */
  handshakesEvicted: number;
  alertsSent: number;
  alertsReceived: number;
  idleEvicted: number;
  addressChanges: number;
  internalErrors: number;
}


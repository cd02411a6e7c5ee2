/**
 * CoAPS wiring: the server's own identity (generated on first start, kept in the data
 * folder), the credential resolver the DTLS handshake consults, the PSK and ECDHE-ECDSA key
 * exchanges, and the index that lets a Connection ID address change move its registration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { DtlsStatus, RegistrationEvent } from '@lwm2m-console/shared';
import { CoapEndpoint } from '../coap/coap-endpoint.js';
import type { BridgeConfig } from '../config.js';
import type { DtlsCredentialResolver } from '../dtls/credentials.js';
import { pskKeyExchange } from '../dtls/key-exchange.js';
import { createEcdheEcdsaKeyExchange } from '../dtls/pki/ecdhe-ecdsa-key-exchange.js';
import { loadOrCreateServerIdentity } from '../dtls/pki/server-identity-store.js';
import { spkiFingerprint } from '../dtls/pki/verify.js';
import { alertName } from '../dtls/wire.js';
import type { Logger } from '../log.js';
import type { HandshakeFailure } from '../dtls/dtls-server.js';
import { DtlsTransport } from '../transport/dtls-transport.js';
import type { CredentialStore } from './credential-store.js';
import { DTLS_SESSIONS_FILE, saveSessions, takeSessions } from './dtls-session-file.js';
import type { RefusedAttempt } from './refusal-log.js';

export interface Coaps {
  readonly port: number;
  readonly endpoint: CoapEndpoint;
  readonly transport: DtlsTransport;
  /** Keeps the address → registration index in step with registry events. */
  track(event: RegistrationEvent): void;
  /** The DTLS server's state for the console (counts only). */
  status(): DtlsStatus;
  close(): Promise<void>;
}

export interface CoapsOptions {
  config: BridgeConfig;
  credentials: CredentialStore;
  log: Logger;
  now: () => number;
  onPeerMoved: (registrationId: string, address: string, port: number) => void;
  /** A handshake ended without a session: for the console's refused connections. */
  onRefused?: (attempt: RefusedAttempt) => void;
}

/** Splits a PEM bundle into DER certificates. */
export function readCertificates(file: string): Buffer[] {
  const pem = readFileSync(file, 'utf8');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${file}: no PEM certificate`);
  return blocks.map((b) => new X509Certificate(b).raw);
}

/** A failed handshake as the console's refused connections show it. */
function refusedHandshake(f: HandshakeFailure, credentials: CredentialStore): RefusedAttempt {
  const alert = f.alert === undefined ? 'alert' : alertName(f.alert);
  return {
    transport: 'coaps',
    address: f.address,
    port: f.port,
    stage: 'handshake',
    identity: f.identity,
    endpoint: f.identity === undefined ? undefined : ownerOf(f.identity, credentials),
    outcome: f.endedBy === 'timeout' || f.endedBy === 'capacity' ? f.endedBy : f.endedBy === 'device' ? `${alert} (from the device)` : alert,
    reason: f.reason,
  };
}

/** The endpoint whose credential holds what the device presented: a PSK identity, a raw-key fingerprint, or a certificate CN. */
function ownerOf(identity: string, credentials: CredentialStore): string | undefined {
  return credentials.endpointForPskIdentity(identity) ?? credentials.endpointForFingerprint(identity) ?? (credentials.has(identity) ? identity : undefined);
}

export async function startCoaps(o: CoapsOptions): Promise<Coaps> {
  const { config, credentials, log } = o;
  const { identity, created } = loadOrCreateServerIdentity(config.dataDir, 'lwm2m-console');
  if (created) log.info('generated the DTLS server key pair and certificate', { dataDir: config.dataDir });
  const trustAnchors = config.trustCaFile ? readCertificates(config.trustCaFile) : [];
  const resolver: DtlsCredentialResolver = {
    pskKeyFor: (id) => credentials.pskKeyFor(id),
    // RFC 7250: a raw public key is trusted when an endpoint's credential holds exactly it.
    verifyRawPublicKey: (spki) => credentials.endpointForFingerprint(spkiFingerprint(spki)),
  };
  const transport = await DtlsTransport.bind(
    config.coapsHost,
    config.coapsPort,
    {
      credentials: resolver,
      now: o.now,
      maxSessions: config.dtlsMaxSessions,
      maxHandshakes: config.dtlsMaxHandshakes,
      sessionCacheSize: config.dtlsSessionCache,
      idleTimeoutMs: config.dtlsIdleTimeoutMs,
      keyExchanges: [pskKeyExchange, createEcdheEcdsaKeyExchange({ serverIdentity: identity, trustAnchors, now: () => new Date(o.now()) })],
    },
    log,
  );
  // Sessions a previous run could still resume (saved when it stopped; see dtls-session-file.ts).
  const sessionsFile = join(config.dataDir, DTLS_SESSIONS_FILE);
  const saved = takeSessions(sessionsFile, log);
  if (saved.length > 0) {
    transport.server.restoreSessions(saved);
    log.info('resumable DTLS sessions restored', { sessions: saved.length });
  }
  // A revoked or replaced credential ends what it authenticated now, not at the idle timeout.
  const stopRevocations = credentials.onRevoked((r) => {
    const ended = transport.server.endSessionsOf((peer) => peer.mode === r.mode && peer.identity === r.identity, 'credential revoked');
    if (ended.sessions + ended.resumable > 0) log.info('DTLS sessions ended: their credential was revoked or replaced', { endpoint: r.endpoint, ...ended });
  });
  const onRefused = o.onRefused;
  if (onRefused) transport.onHandshakeFailed((failure) => onRefused(refusedHandshake(failure, credentials)));
  const endpoint = new CoapEndpoint(transport, { log, now: o.now });
  transport.onDatagram((msg, address, port) => endpoint.handleDatagram(msg, address, port));

  /** `address:port` of a DTLS registration -> its id. Bounded by the registrations held. */
  const byAddress = new Map<string, string>();
  const key = (address: string, port: number) => `${address}:${port}`;
  transport.onPeerMoved((session, oldAddress, oldPort) => {
    const id = byAddress.get(key(oldAddress, oldPort));
    if (id) o.onPeerMoved(id, session.address, session.port);
  });

  return {
    port: transport.address().port,
    endpoint,
    transport,
    track(e) {
      const r = e.registration;
      if (r.transport !== 'coaps') return;
      if (e.type === 'ended') {
        if (byAddress.get(key(r.address, r.port)) === r.id) byAddress.delete(key(r.address, r.port));
        return;
      }
      if (e.type === 'updated' && (e.changes.address !== undefined || e.changes.port !== undefined)) {
        for (const [k, id] of byAddress) if (id === r.id && k !== key(r.address, r.port)) byAddress.delete(k);
      }
      byAddress.set(key(r.address, r.port), r.id);
    },
    status() {
      const s = transport.server.stats();
      const c = transport.server.capacity();
      return {
        sessions: s.sessions,
        maxSessions: c.maxSessions,
        handshakes: s.handshakes,
        maxHandshakes: c.maxHandshakes,
        resumable: c.resumable,
        maxResumable: c.maxResumable,
        handshakesCompleted: s.handshakesCompleted,
        handshakesFailed: s.handshakesFailed,
        handshakeTimeouts: s.handshakeTimeouts,
        resumptions: s.resumptions,
        resumptionsRefused: s.resumptionsRefused,
        capacityRefused: s.capacityRefused,
        handshakesEvicted: s.handshakesEvicted,
        authFailures: s.authFailures,
        replays: s.replays,
        malformed: s.malformed,
        idleEvicted: s.idleEvicted,
        addressChanges: s.addressChanges,
      };
    },
    async close() {
      stopRevocations();
      endpoint.close();
      try {
        const n = saveSessions(sessionsFile, transport.server.resumableSessions(), o.now());
        if (n > 0) log.info('resumable DTLS sessions saved for the next start', { sessions: n });
      } catch (error) {
        // A full disk must not stop the shutdown: the devices then get full handshakes.
        log.warn('resumable DTLS sessions not saved', { error });
      }
      await transport.close();
    },
  };
}

/**
 * Who may register which endpoint over which transport (issue 5), as a `RegistrationPolicy`:
 * - over DTLS, only when the session's authenticated identity belongs to the `ep` it names
 *   (PSK: the identity configured for that endpoint; RPK and X.509: the handshake resolved the
 *   key or certificate CN to that endpoint);
 * - over plain CoAP, never for an endpoint that has credentials, and for the others only while
 *   `allowUnsecured` is on;
 * - an Update or De-register only from the owner's identity (same session, or the same identity
 *   after a new handshake).
 */
import type { Registration } from '@lwm2m-console/shared';
import type { Authorization, Peer, RegistrationPolicy } from '../lwm2m/registration-handler.js';
import type { CredentialStore } from './credential-store.js';

export interface SecuritySettings {
  allowUnsecured: boolean;
}

const OK: Authorization = { ok: true };

export class SecurityPolicy implements RegistrationPolicy {
  constructor(
    private readonly credentials: CredentialStore,
    readonly settings: SecuritySettings,
  ) {}

  private identityBelongs(endpoint: string, peer: Peer): Authorization {
    const s = peer.security;
    if (!s?.identity) return { ok: false, reason: 'DTLS session without an authenticated identity' };
    switch (s.mode) {
      case 'psk':
        return this.credentials.pskIdentityOf(endpoint) === s.identity ? OK : { ok: false, reason: `PSK identity ${JSON.stringify(s.identity)} does not belong to endpoint ${JSON.stringify(endpoint)}` };
      case 'rpk':
        return this.credentials.modeOf(endpoint) === 'rpk' && s.identity === endpoint ? OK : { ok: false, reason: `this raw public key does not belong to endpoint ${JSON.stringify(endpoint)}` };
      case 'x509':
        return s.identity === endpoint ? OK : { ok: false, reason: `certificate CN ${JSON.stringify(s.identity)} is not endpoint ${JSON.stringify(endpoint)}` };
      default:
        return { ok: false, reason: 'unknown security mode' };
    }
  }

  authorizeRegister(endpoint: string, peer: Peer): Authorization {
    if (peer.transport === 'coaps') return this.identityBelongs(endpoint, peer);
    if (this.credentials.has(endpoint)) return { ok: false, reason: `endpoint ${JSON.stringify(endpoint)} has credentials: register over CoAPS` };
    return this.settings.allowUnsecured ? OK : { ok: false, reason: 'registration without DTLS is disabled on this server' };
  }

  authorizeChange(registration: Registration, peer: Peer): Authorization {
    if (registration.transport === 'coap') {
      return peer.transport === 'coap' ? OK : this.identityBelongs(registration.endpoint, peer);
    }
    const owner = registration.security;
    const s = peer.security;
    if (peer.transport !== 'coaps' || !s || !owner) return { ok: false, reason: 'this registration was made over DTLS; change it from its DTLS session' };
    return s.mode === owner.mode && s.identity === owner.identity ? OK : { ok: false, reason: 'not the identity that owns this registration' };
  }
}

import { describe, expect, it } from 'vitest';
import type { Registration } from '@lwm2m-console/shared';
import type { Peer } from '../lwm2m/registration-handler.js';
import { CredentialStore } from './credential-store.js';
import { SecurityPolicy } from './security-policy.js';

const plain: Peer = { address: '127.0.0.1', port: 1, transport: 'coap' };
const psk = (identity: string): Peer => ({ address: '127.0.0.1', port: 2, transport: 'coaps', security: { mode: 'psk', identity, cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8' } });

function setup(allowUnsecured = true) {
  const store = CredentialStore.open(undefined);
  expect(store.put({ endpoint: 'secure-1', mode: 'psk', identity: 'id-1', keyHex: '00112233' }).ok).toBe(true);
  expect(store.put({ endpoint: 'cert-1', mode: 'x509' }).ok).toBe(true);
  return new SecurityPolicy(store, { allowUnsecured });
}

describe('SecurityPolicy', () => {
  it('accepts a DTLS Register whose PSK identity belongs to the endpoint', () => {
    expect(setup().authorizeRegister('secure-1', psk('id-1'))).toEqual({ ok: true });
  });

  it("refuses a DTLS identity registering another endpoint's ep", () => {
    const p = setup();
    expect(p.authorizeRegister('cert-1', psk('id-1')).ok).toBe(false);
    expect(p.authorizeRegister('other', psk('id-1')).ok).toBe(false);
  });

  it('matches X.509 identities by certificate CN', () => {
    const p = setup();
    const cert = (cn: string): Peer => ({ ...plain, transport: 'coaps', security: { mode: 'x509', identity: cn } });
    expect(p.authorizeRegister('cert-1', cert('cert-1')).ok).toBe(true);
    expect(p.authorizeRegister('cert-1', cert('cert-2')).ok).toBe(false);
  });

  it('refuses plain CoAP for an endpoint with credentials, and for all when unsecured registration is off', () => {
    expect(setup().authorizeRegister('secure-1', plain).ok).toBe(false);
    expect(setup().authorizeRegister('anyone', plain).ok).toBe(true);
    expect(setup(false).authorizeRegister('anyone', plain).ok).toBe(false);
  });

  it('lets only the owning identity update a DTLS registration', () => {
    const p = setup();
    const reg = { endpoint: 'secure-1', transport: 'coaps', security: { mode: 'psk', identity: 'id-1' } } as Registration;
    expect(p.authorizeChange(reg, psk('id-1')).ok).toBe(true);
    expect(p.authorizeChange(reg, psk('id-2')).ok).toBe(false);
    expect(p.authorizeChange(reg, plain).ok).toBe(false);
  });
});

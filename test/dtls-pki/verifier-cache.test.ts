import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { ALERT } from '../../bridge/src/dtls/pki/outcome.js';
import { ClientChainVerifier, RawPublicKeyVerifier } from '../../bridge/src/dtls/pki/verifier-cache.js';

const now = new Date('2026-11-29T04:00:00Z');
const DAY = 86_400_000;
const ca = generateCertificateAuthority('Fleet CA', now);
const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const leaf = issueCertificate({ subjectCN: 'dev1', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30, now });

describe('ClientChainVerifier', () => {
  it('gives the same answer from its cache as from a full verification', () => {
    const v = new ClientChainVerifier([ca.certificateDer]);
    const first = v.verify([leaf], now);
    const second = v.verify([Buffer.from(leaf)], now);
    expect(first).toMatchObject({ ok: true, commonName: 'dev1' });
    expect(second).toEqual(first);
  });

  it('still applies the clock to a cached chain', () => {
    const v = new ClientChainVerifier([ca.certificateDer]);
    expect(v.verify([leaf], now).ok).toBe(true);
    expect(v.verify([leaf], new Date(now.getTime() + 31 * DAY))).toMatchObject({ ok: false, alert: ALERT.certificate_expired });
  });

  it('does not cache refusals: a chain refused as not yet valid is accepted once valid', () => {
    const v = new ClientChainVerifier([ca.certificateDer]);
    expect(v.verify([leaf], new Date(now.getTime() - DAY)).ok).toBe(false);
    expect(v.verify([leaf], now).ok).toBe(true);
  });

  it('forgets chains accepted under trust anchors that were replaced', () => {
    const v = new ClientChainVerifier([ca.certificateDer]);
    expect(v.verify([leaf], now).ok).toBe(true);
    v.setTrustAnchors([generateCertificateAuthority('Next CA', now).certificateDer]);
    expect(v.verify([leaf], now)).toMatchObject({ ok: false, alert: ALERT.unknown_ca });
  });

  it('evicts the least recently used entry beyond its capacity', () => {
    // A cached chain reports expiry of the "chain"; a fresh verification names the certificate.
    const other = issueCertificate({ subjectCN: 'dev2', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30, now });
    const later = new Date(now.getTime() + 31 * DAY);
    const small = new ClientChainVerifier([ca.certificateDer], 1);
    small.verify([leaf], now);
    small.verify([other], now);
    expect(small.verify([leaf], later)).toMatchObject({ reason: 'client certificate has expired' });
    expect(small.verify([other], later)).toMatchObject({ reason: 'client certificate chain has expired' });
    const big = new ClientChainVerifier([ca.certificateDer], 2);
    big.verify([leaf], now);
    big.verify([other], now);
    expect(big.verify([leaf], later)).toMatchObject({ reason: 'client certificate chain has expired' });
  });
});

describe('RawPublicKeyVerifier', () => {
  it('returns the same fingerprint and refuses the same bad keys as rawPublicKeyIdentity', () => {
    const v = new RawPublicKeyVerifier();
    const spki = device.publicKey.export({ type: 'spki', format: 'der' });
    const a = v.identify(spki);
    const b = v.identify(spki);
    expect(a.ok && b.ok && a.fingerprint === b.fingerprint).toBe(true);
    const bad = Buffer.from(spki);
    bad[bad.length - 1]! ^= 1;
    expect(v.identify(bad).ok).toBe(false);
    expect(v.identify(bad).ok).toBe(false);
  });
});

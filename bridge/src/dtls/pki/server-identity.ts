/**
 * The server's own ECDSA P-256 identity: a key pair and a self-signed X.509 v3 certificate
 * (generated on first start and kept by the caller). The certificate is what an X.509 client is
 * given in the server's Certificate message; an RFC 7250 client gets only `publicKeySpki`.
 */
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { buildCertificate, commonNameDer, parseSpki, randomSerial, OID } from './x509.js';

export interface ServerIdentity {
  privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo of the server key (RFC 7250 RawPublicKey form). */
  publicKeySpki: Buffer;
  /** DER self-signed certificate. */
  certificateDer: Buffer;
}

export interface IdentityOptions {
  /** Validity in days from `now`; default ten years. */
  validDays?: number;
  /** Optional subjectAltName dNSName entries (RFC 5280 §4.2.1.6). */
  dnsNames?: string[];
}

const DAY_MS = 86_400_000;
/** Backdated so that a client whose clock runs a little behind still accepts a fresh certificate. */
const BACKDATE_MS = 3_600_000;

/** A fresh P-256 key pair with a self-signed certificate (cA TRUE, so it can also serve as a trust anchor). */
export function generateServerIdentity(commonName: string, now: Date = new Date(), options: IdentityOptions = {}): ServerIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const certificateDer = buildCertificate({
    serial: randomSerial(randomBytes(16)),
    issuerNameDer: commonNameDer(commonName), // self-signed: issuer = subject
    subjectCN: commonName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + (options.validDays ?? 3650) * DAY_MS),
    subjectPublicKey: publicKey,
    issuerKey: privateKey,
    isCa: true,
    ...(options.dnsNames ? { dnsNames: options.dnsNames } : {}),
  });
  return { privateKey, publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }), certificateDer };
}

export function serverIdentityToPem(id: ServerIdentity): { keyPem: string; certPem: string } {
  const keyPem = id.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const certPem = new X509Certificate(id.certificateDer).toString();
  return { keyPem, certPem };
}

/**
 * Loads a kept identity. Throws (a configuration error, not a protocol outcome) when the key is
 * not P-256 or does not belong to the certificate.
 */
export function serverIdentityFromPem(keyPem: string, certPem: string): ServerIdentity {
  const privateKey = createPrivateKey(keyPem);
  const cert = new X509Certificate(certPem);
  if (!cert.checkPrivateKey(privateKey)) throw new Error('server key does not match the server certificate');
  const publicKeySpki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const spki = parseSpki(publicKeySpki);
  if (!spki.ok || spki.value.algorithm !== OID.ecPublicKey || spki.value.curve !== OID.prime256v1) {
    throw new Error('server key must be ECDSA P-256 (secp256r1)');
  }
  return { privateKey, publicKeySpki, certificateDer: cert.raw };
}

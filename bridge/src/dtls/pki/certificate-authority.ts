/**
 * A small certificate authority for operators and tests: issue a device certificate whose
 * subject CN is the LwM2M endpoint name (LwM2M Security Mode 2), signed by a CA key.
 */
import { X509Certificate, randomBytes, type KeyObject } from 'node:crypto';
import { buildCertificate, parseCertificate, randomSerial, OID } from './x509.js';
import { readDer, TAG } from './der.js';
import { generateServerIdentity, type ServerIdentity } from './server-identity.js';

export interface IssueRequest {
  /** The endpoint name; becomes the subject CN. */
  subjectCN: string;
  subjectPublicKey: KeyObject;
  issuerKey: KeyObject;
  issuerCertDer: Buffer;
  validDays: number;
  /** Start of validity; default now. */
  now?: Date;
  /** Issue an intermediate CA certificate instead of an end-entity one. */
  isCa?: boolean;
}

/** Issues a certificate (DER) signed by the issuer. Throws when the issuer certificate or key is unusable. */
export function issueCertificate(req: IssueRequest): Buffer {
  const issuer = parseCertificate(req.issuerCertDer);
  if (!issuer.ok) throw new Error(`issuer certificate: ${issuer.reason}`);
  if (!new X509Certificate(req.issuerCertDer).checkPrivateKey(req.issuerKey)) throw new Error('issuer key does not match the issuer certificate');
  const ski = issuer.value.extensions.get(OID.subjectKeyIdentifier);
  const skiNode = ski ? readDer(ski.value) : undefined;
  const now = req.now ?? new Date();
  return buildCertificate({
    serial: randomSerial(randomBytes(16)),
    // RFC 5280 §4.1.2.4: the issuer field must match the issuer's subject; copy its bytes.
    issuerNameDer: issuer.value.subjectDer,
    subjectCN: req.subjectCN,
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + req.validDays * 86_400_000),
    subjectPublicKey: req.subjectPublicKey,
    issuerKey: req.issuerKey,
    isCa: req.isCa ?? false,
    ...(skiNode?.ok && skiNode.value.tag === TAG.OCTET_STRING ? { authorityKeyId: skiNode.value.contents } : {}),
  });
}

/** A self-signed CA (same shape as a server identity). */
export function generateCertificateAuthority(commonName: string, now?: Date): ServerIdentity {
  return generateServerIdentity(commonName, now);
}

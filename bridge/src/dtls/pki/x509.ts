/**
 * X.509 v3 certificates (RFC 5280) for P-256 keys signed with ecdsa-with-SHA256: building a
 * TBSCertificate and signing it (node:crypto signs but cannot build certificates), and parsing
 * the few fields the server checks itself (subject CN, validity, extensions). Signatures of
 * received certificates are checked by node:crypto's X509Certificate, not here.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import {
  TAG, bitString, booleanTrue, contextTag, decodeBitString, decodeOid, decodeTime, expectTag, explicit,
  integer, octetString, oid, readChildren, readDer, sequence, set, time, tlv, utf8String, type DerNode, type DerResult,
} from './der.js';

export const OID = {
  ecPublicKey: '1.2.840.10045.2.1', // RFC 5480 §2.1.1
  prime256v1: '1.2.840.10045.3.1.7', // RFC 5480 §2.1.1.1 (secp256r1)
  ecdsaWithSha256: '1.2.840.10045.4.3.2', // RFC 5758 §3.2
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  anyExtendedKeyUsage: '2.5.29.37.0', // RFC 5280 §4.2.1.12
  clientAuth: '1.3.6.1.5.5.7.3.2', // RFC 5280 §4.2.1.12 id-kp-clientAuth
  rsassaPss: '1.2.840.113549.1.1.10', // RFC 4055 §3.1
  sha1: '1.3.14.3.2.26', // RFC 4055 §2.1
} as const;

/** RFC 5280 §4.2.1.3 KeyUsage bit numbers. */
export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

export interface CertificateTemplate {
  serial: Buffer;
  /** DER Name of the issuer, copied byte for byte from the issuer's subject (RFC 5280 §4.1.2.4). */
  issuerNameDer: Buffer;
  subjectCN: string;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKey: KeyObject;
  issuerKey: KeyObject;
  isCa: boolean;
  /** Key identifier of the issuer's key, placed in authorityKeyIdentifier (RFC 5280 §4.2.1.1). */
  authorityKeyId?: Buffer;
  dnsNames?: string[];
}

/** A Name holding one RDN with the common name, encoded as UTF8String (RFC 5280 §4.1.2.6). */
export function commonNameDer(cn: string): Buffer {
  return sequence(set(sequence(oid(OID.commonName), utf8String(cn))));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spkiDer: Buffer): Buffer {
  const spki = parseSpki(spkiDer);
  if (!spki.ok) throw new Error(`cannot derive key identifier: ${spki.reason}`);
  return createHash('sha1').update(spki.value.publicKey).digest();
}

function keyUsageBits(bits: number[]): Buffer {
  // DER named bit list (X.690 §11.2.2): trailing zero bits dropped, unused count set accordingly.
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return bitString(bytes, 7 - (highest & 7));
}

const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  sequence(oid(id), ...(critical ? [booleanTrue()] : []), octetString(value));

/** Builds and signs a certificate; the result is DER. */
export function buildCertificate(t: CertificateTemplate): Buffer {
  const spkiDer = t.subjectPublicKey.export({ type: 'spki', format: 'der' });
  const sigAlg = sequence(oid(OID.ecdsaWithSha256)); // RFC 5758 §3.2: parameters absent
  const usage = t.isCa ? [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] : [KEY_USAGE.digitalSignature];
  const extensions = [
    // RFC 5280 §4.2.1.9: critical in CA certificates; cA FALSE is the DEFAULT and so omitted in DER.
    extension(OID.basicConstraints, true, t.isCa ? sequence(booleanTrue()) : sequence()),
    extension(OID.keyUsage, true, keyUsageBits(usage)),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spkiDer))),
  ];
  if (t.authorityKeyId) extensions.push(extension(OID.authorityKeyIdentifier, false, sequence(tlv(contextTag(0, false), t.authorityKeyId))));
  if (t.dnsNames && t.dnsNames.length > 0) {
    extensions.push(extension(OID.subjectAltName, false, sequence(...t.dnsNames.map((n) => tlv(contextTag(2, false), Buffer.from(n, 'latin1'))))));
  }
  const tbs = sequence(
    explicit(0, integer(2n)), // v3
    integer(t.serial),
    sigAlg,
    t.issuerNameDer,
    sequence(time(t.notBefore), time(t.notAfter)),
    commonNameDer(t.subjectCN),
    spkiDer,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: t.issuerKey, dsaEncoding: 'der' });
  return sequence(tbs, sigAlg, bitString(signature));
}

/** RFC 5280 §4.1.2.2: positive, at most 20 octets; 16 random octets with the top bit clear. */
export function randomSerial(random: Buffer): Buffer {
  const s = Buffer.from(random.subarray(0, 16));
  s[0] = (s[0]! & 0x7f) | 0x01;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Parsing

export interface ParsedSpki {
  algorithm: string;
  curve: string | undefined;
  /** The subjectPublicKey bits (for EC: the SEC1 point). */
  publicKey: Buffer;
}

export function parseSpki(der: Buffer): DerResult<ParsedSpki> {
  const root = readDer(der);
  if (!root.ok) return root;
  const top = expectTag(root.value, TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  if (!top.ok) return top;
  const parts = readChildren(top.value);
  if (!parts.ok) return parts;
  if (parts.value.length !== 2) return { ok: false, reason: 'SubjectPublicKeyInfo must have two fields' };
  const alg = expectTag(parts.value[0], TAG.SEQUENCE, 'AlgorithmIdentifier');
  if (!alg.ok) return alg;
  const algParts = readChildren(alg.value);
  if (!algParts.ok) return algParts;
  // RFC 5280 §4.1.1.2: AlgorithmIdentifier is { algorithm, parameters OPTIONAL }, nothing more. Extra
  // fields would give one key several SPKI encodings, hence several raw-key fingerprints (RFC 7250 §3).
  if (algParts.value.length > 2) return { ok: false, reason: 'AlgorithmIdentifier has more than two fields' };
  const algOid = expectTag(algParts.value[0], TAG.OID, 'algorithm');
  if (!algOid.ok) return algOid;
  const algorithm = decodeOid(algOid.value.contents);
  if (!algorithm.ok) return algorithm;
  let curve: string | undefined;
  const params = algParts.value[1];
  if (params && params.tag === TAG.OID) {
    const c = decodeOid(params.contents);
    if (!c.ok) return c;
    curve = c.value;
  }
  const bits = expectTag(parts.value[1], TAG.BIT_STRING, 'subjectPublicKey');
  if (!bits.ok) return bits;
  const key = decodeBitString(bits.value.contents);
  if (!key.ok) return key;
  if (key.value.unusedBits !== 0) return { ok: false, reason: 'subjectPublicKey is not whole octets' };
  return { ok: true, value: { algorithm: algorithm.value, curve, publicKey: key.value.bytes } };
}

export interface ParsedExtension { critical: boolean; value: Buffer }

export interface ParsedCertificate {
  tbsDer: Buffer;
  /** The signatureAlgorithm OID the issuer signed with (RFC 5280 §4.1.1.2). */
  signatureAlgorithm: string;
  /** For RSASSA-PSS only: the hash OID, a parameter of the signature (RFC 4055 §3.1). */
  signatureHash: string | undefined;
  issuerDer: Buffer;
  subjectDer: Buffer;
  /** Every commonName attribute of the subject, in order. */
  subjectCNs: string[];
  notBefore: Date;
  notAfter: Date;
  spkiDer: Buffer;
  extensions: Map<string, ParsedExtension>;
}

function collectCommonNames(name: DerNode): DerResult<string[]> {
  const rdns = readChildren(name);
  if (!rdns.ok) return rdns;
  const out: string[] = [];
  for (const rdn of rdns.value) {
    const attrs = readChildren(rdn);
    if (!attrs.ok) return attrs;
    for (const attr of attrs.value) {
      const fields = readChildren(attr);
      if (!fields.ok) return fields;
      const [type, value] = fields.value;
      const t = expectTag(type, TAG.OID, 'attribute type');
      if (!t.ok) return t;
      const id = decodeOid(t.value.contents);
      if (!id.ok) return id;
      if (id.value !== OID.commonName || !value) continue;
      if (value.tag === TAG.UTF8_STRING) out.push(value.contents.toString('utf8'));
      else if (value.tag === TAG.PRINTABLE_STRING || value.tag === TAG.IA5_STRING) out.push(value.contents.toString('latin1'));
      else return { ok: false, reason: 'commonName has an unsupported string type' };
    }
  }
  return { ok: true, value: out };
}

/** Parses the fields of a DER certificate that the verifier needs (RFC 5280 §4.1). */
export function parseCertificate(der: Buffer): DerResult<ParsedCertificate> {
  const root = readDer(der);
  if (!root.ok) return root;
  const cert = readChildren(root.value);
  if (!cert.ok) return cert;
  if (root.value.tag !== TAG.SEQUENCE || cert.value.length !== 3) return { ok: false, reason: 'Certificate must be a SEQUENCE of three fields' };
  const tbsNode = expectTag(cert.value[0], TAG.SEQUENCE, 'tbsCertificate');
  if (!tbsNode.ok) return tbsNode;
  const sigAlg = readAlgorithm(cert.value[1], 'signatureAlgorithm');
  if (!sigAlg.ok) return sigAlg;
  const signatureHash = sigAlg.value.algorithm === OID.rsassaPss ? pssHash(sigAlg.value.parameters) : undefined;
  if (signatureHash && !signatureHash.ok) return signatureHash;
  const tbs = readChildren(tbsNode.value);
  if (!tbs.ok) return tbs;
  const f = [...tbs.value];
  if (f[0]?.tag === contextTag(0)) f.shift(); // version; v1 certificates have none
  const [, , issuer, validity, subject, spki, ...rest] = f;
  const issuerNode = expectTag(issuer, TAG.SEQUENCE, 'issuer');
  if (!issuerNode.ok) return issuerNode;
  const subjectNode = expectTag(subject, TAG.SEQUENCE, 'subject');
  if (!subjectNode.ok) return subjectNode;
  const spkiNode = expectTag(spki, TAG.SEQUENCE, 'subjectPublicKeyInfo');
  if (!spkiNode.ok) return spkiNode;
  const validityNode = expectTag(validity, TAG.SEQUENCE, 'validity');
  if (!validityNode.ok) return validityNode;
  const times = readChildren(validityNode.value);
  if (!times.ok) return times;
  if (times.value.length !== 2) return { ok: false, reason: 'validity must have two times' };
  const notBefore = decodeTime(times.value[0]!);
  if (!notBefore.ok) return notBefore;
  const notAfter = decodeTime(times.value[1]!);
  if (!notAfter.ok) return notAfter;
  const cns = collectCommonNames(subjectNode.value);
  if (!cns.ok) return cns;
  const extensions = new Map<string, ParsedExtension>();
  const extsWrapper = rest.find((n) => n.tag === contextTag(3));
  if (extsWrapper) {
    const inner = readChildren(extsWrapper);
    if (!inner.ok) return inner;
    const list = expectTag(inner.value[0], TAG.SEQUENCE, 'extensions');
    if (!list.ok) return list;
    const exts = readChildren(list.value);
    if (!exts.ok) return exts;
    for (const ext of exts.value) {
      const parts = readChildren(ext);
      if (!parts.ok) return parts;
      const idNode = expectTag(parts.value[0], TAG.OID, 'extnID');
      if (!idNode.ok) return idNode;
      const id = decodeOid(idNode.value.contents);
      if (!id.ok) return id;
      const critical = parts.value.length === 3 && parts.value[1]!.tag === TAG.BOOLEAN && parts.value[1]!.contents[0] !== 0;
      const valueNode = expectTag(parts.value[parts.value.length - 1], TAG.OCTET_STRING, 'extnValue');
      if (!valueNode.ok) return valueNode;
      // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
      if (extensions.has(id.value)) return { ok: false, reason: `duplicate extension ${id.value}` };
      extensions.set(id.value, { critical, value: valueNode.value.contents });
    }
  }
  return {
    ok: true,
    value: {
      tbsDer: tbsNode.value.der, signatureAlgorithm: sigAlg.value.algorithm, signatureHash: signatureHash?.value, issuerDer: issuerNode.value.der, subjectDer: subjectNode.value.der, subjectCNs: cns.value,
      notBefore: notBefore.value, notAfter: notAfter.value, spkiDer: spkiNode.value.der, extensions,
    },
  };
}

/** basicConstraints (RFC 5280 §4.2.1.9); absent means not a CA. */
export function parseBasicConstraints(ext: ParsedExtension | undefined): DerResult<{ cA: boolean; pathLen: number | undefined }> {
  if (!ext) return { ok: true, value: { cA: false, pathLen: undefined } };
  const root = readDer(ext.value);
  if (!root.ok) return root;
  const fields = readChildren(root.value);
  if (!fields.ok) return fields;
  let cA = false;
  let pathLen: number | undefined;
  for (const f of fields.value) {
    if (f.tag === TAG.BOOLEAN) cA = f.contents[0] !== 0;
    else if (f.tag === TAG.INTEGER && f.contents.length >= 1 && f.contents.length <= 2 && (f.contents[0]! & 0x80) === 0) pathLen = f.contents.readUIntBE(0, f.contents.length);
    else return { ok: false, reason: 'malformed basicConstraints' };
  }
  return { ok: true, value: { cA, pathLen } };
}

/** keyUsage (RFC 5280 §4.2.1.3) as a predicate on bit numbers; absent means unrestricted. */
export function parseKeyUsage(ext: ParsedExtension | undefined): DerResult<(bit: number) => boolean> {
  if (!ext) return { ok: true, value: () => true };
  const root = readDer(ext.value);
  if (!root.ok) return root;
  if (root.value.tag !== TAG.BIT_STRING) return { ok: false, reason: 'malformed keyUsage' };
  const bits = decodeBitString(root.value.contents);
  if (!bits.ok) return bits;
  const bytes = bits.value.bytes;
  return { ok: true, value: (bit) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0 };
}

/** extKeyUsage (RFC 5280 §4.2.1.12): the KeyPurposeId OIDs; undefined when absent (no restriction). */
export function parseExtKeyUsage(ext: ParsedExtension | undefined): DerResult<string[] | undefined> {
  if (!ext) return { ok: true, value: undefined };
  const root = readDer(ext.value);
  if (!root.ok) return root;
  if (root.value.tag !== TAG.SEQUENCE) return { ok: false, reason: 'malformed extKeyUsage' };
  const ids = readChildren(root.value);
  if (!ids.ok) return ids;
  const out: string[] = [];
  for (const node of ids.value) {
    const id = expectTag(node, TAG.OID, 'KeyPurposeId');
    if (!id.ok) return id;
    const dotted = decodeOid(id.value.contents);
    if (!dotted.ok) return dotted;
    out.push(dotted.value);
  }
  // KeyPurposeId list is SIZE (1..MAX)
  return out.length > 0 ? { ok: true, value: out } : { ok: false, reason: 'empty extKeyUsage' };
}

/** An AlgorithmIdentifier (RFC 5280 §4.1.1.2): its OID and its parameters, if any. */
function readAlgorithm(node: DerNode | undefined, what: string): DerResult<{ algorithm: string; parameters: DerNode | undefined }> {
  const seq = expectTag(node, TAG.SEQUENCE, what);
  if (!seq.ok) return seq;
  const parts = readChildren(seq.value);
  if (!parts.ok) return parts;
  const id = expectTag(parts.value[0], TAG.OID, `${what} algorithm`);
  if (!id.ok) return id;
  const algorithm = decodeOid(id.value.contents);
  if (!algorithm.ok) return algorithm;
  return { ok: true, value: { algorithm: algorithm.value, parameters: parts.value[1] } };
}

/**
 * RFC 4055 §3.1: RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1, … }.
 * The hash is a parameter, not part of the OID, and an absent one means SHA-1.
 */
function pssHash(params: DerNode | undefined): DerResult<string> {
  if (!params) return { ok: true, value: OID.sha1 };
  const seq = expectTag(params, TAG.SEQUENCE, 'RSASSA-PSS-params');
  if (!seq.ok) return seq;
  const fields = readChildren(seq.value);
  if (!fields.ok) return fields;
  const first = fields.value[0];
  if (first?.tag !== contextTag(0)) return { ok: true, value: OID.sha1 };
  const inner = readChildren(first);
  if (!inner.ok) return inner;
  if (inner.value.length !== 1) return { ok: false, reason: 'RSASSA-PSS hashAlgorithm must hold one AlgorithmIdentifier' };
  const hashAlg = readAlgorithm(inner.value[0], 'RSASSA-PSS hashAlgorithm');
  return hashAlg.ok ? { ok: true, value: hashAlg.value.algorithm } : hashAlg;
}

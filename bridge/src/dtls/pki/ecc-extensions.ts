/**
 * ClientHello extensions that decide whether TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 can be used and
 * with which certificate types, and the ServerHello extensions sent back:
 * supported_groups (10) and ec_point_formats (11) from RFC 8422 §5.1, signature_algorithms (13)
 * from RFC 5246 §7.4.1.4.1, client_certificate_type (19) and server_certificate_type (20) from
 * RFC 7250 §4.
 */
import { ALERT, fatal, ok, type Outcome } from './outcome.js';
import { TlsReader, u16List, withLength } from './tls-reader.js';
import { CERT_TYPE, NAMED_CURVE_SECP256R1, POINT_FORMAT_UNCOMPRESSED, SIG_ECDSA_SHA256, type CertificateType } from './ecc-messages.js';

export const EXT = {
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  client_certificate_type: 19,
  server_certificate_type: 20,
} as const;

export interface HelloExtension { type: number; data: Buffer }

/** What the server can do for this suite, from its configuration. */
export interface PkiCapabilities {
  /** The server has trust anchors: X.509 client certificates can be verified. */
  x509Clients: boolean;
  /** The server has a raw-public-key resolver: RFC 7250 client keys can be checked. */
  rawKeyClients: boolean;
}

export interface EccNegotiation {
  serverCertificateType: CertificateType;
  clientCertificateType: CertificateType;
  /** Extensions to add to ServerHello (RFC 8422 §5.2, RFC 7250 §4.2). */
  serverHelloExtensions: HelloExtension[];
}

function u8List(data: Buffer, min: number, what: string): Outcome<number[]> {
  const r = new TlsReader(data);
  const list = r.vector(1, min, 255, what);
  if (!list.ok) return list;
  const end = r.end(what);
  if (!end.ok) return end;
  return ok([...list.value]);
}

function u16Vector(data: Buffer, min: number, what: string): Outcome<number[]> {
  const r = new TlsReader(data);
  const list = r.vector(2, min, 0xfffe, what);
  if (!list.ok) return list;
  const end = r.end(what);
  if (!end.ok) return end;
  return u16List(list.value, what);
}

/** The first of the client's types (client preference order, RFC 7250 §4.1) that the server supports. */
function pickType(offered: readonly number[], supported: readonly CertificateType[]): CertificateType | undefined {
  for (const t of offered) {
    const match = supported.find((s) => s === t);
    if (match !== undefined) return match;
  }
  return undefined;
}

/**
 * Decides whether this suite can be negotiated with these ClientHello extensions. A failure is
 * either "suite not eligible" (the caller may still pick another suite; alert handshake_failure
 * if none is left) or a fatal protocol error that ends the handshake whatever the suite
 * (`fatalForAll`).
 */
export function negotiateEcdheEcdsa(
  extensions: ReadonlyMap<number, Buffer>,
  caps: PkiCapabilities,
): Outcome<EccNegotiation> & { fatalForAll?: boolean } {
  // RFC 8422 §4: without supported_groups the server may assume any curve; with it, secp256r1
  // must be listed or ECC suites MUST NOT be negotiated (RFC 8422 §5.1).
  const groupsData = extensions.get(EXT.supported_groups);
  if (groupsData) {
    const groups = u16Vector(groupsData, 2, 'supported_groups');
    if (!groups.ok) return { ...groups, fatalForAll: true };
    if (!groups.value.includes(NAMED_CURVE_SECP256R1)) return fatal(ALERT.handshake_failure, 'client does not support secp256r1');
  }
  // RFC 8422 §5.1.2: if ec_point_formats is sent it must contain uncompressed, else illegal_parameter.
  const formatsData = extensions.get(EXT.ec_point_formats);
  if (formatsData) {
    const formats = u8List(formatsData, 1, 'ec_point_formats');
    if (!formats.ok) return { ...formats, fatalForAll: true };
    if (!formats.value.includes(POINT_FORMAT_UNCOMPRESSED)) return { ...fatal(ALERT.illegal_parameter, 'ec_point_formats lacks uncompressed'), fatalForAll: true };
  }
  // RFC 5246 §7.4.1.4.1 says a client without signature_algorithms is to be treated as if it had
  // sent {sha1, ecdsa}. Deliberate deviation: this server then still signs with ecdsa+sha256.
  // tinydtls (Wakaama, Contiki, RIOT LwM2M clients) sends no signature_algorithms yet accepts
  // only SHA-256 ECDSA signatures, and SHA-1 signatures are not worth offering; Californium's
  // Scandium server makes the same choice. A client that lists algorithms must list this one.
  const sigData = extensions.get(EXT.signature_algorithms);
  if (sigData) {
    const sigs = u16Vector(sigData, 2, 'signature_algorithms');
    if (!sigs.ok) return { ...sigs, fatalForAll: true };
    if (!sigs.value.includes(SIG_ECDSA_SHA256)) return fatal(ALERT.handshake_failure, 'client does not accept ecdsa_secp256r1_sha256');
  }

  const serverHelloExtensions: HelloExtension[] = [];
  // RFC 8422 §5.2: a server selecting an ECC suite answers ec_point_formats with its own list.
  if (formatsData) serverHelloExtensions.push({ type: EXT.ec_point_formats, data: withLength(1, Buffer.from([POINT_FORMAT_UNCOMPRESSED])) });

  // RFC 7250 §4.2: the server picks one type from each list it received and echoes it in
  // ServerHello as a single octet; no common type is a fatal unsupported_certificate. An absent
  // extension means X.509 only (RFC 7250 §4.1).
  const clientSupported: CertificateType[] = [];
  if (caps.rawKeyClients) clientSupported.push(CERT_TYPE.RawPublicKey);
  if (caps.x509Clients) clientSupported.push(CERT_TYPE.X509);
  let clientCertificateType: CertificateType;
  let clientTypeExtension: HelloExtension | undefined;
  const clientTypes = extensions.get(EXT.client_certificate_type);
  if (clientTypes) {
    const offered = u8List(clientTypes, 1, 'client_certificate_type');
    if (!offered.ok) return { ...offered, fatalForAll: true };
    const chosen = pickType(offered.value, clientSupported);
    if (chosen === undefined) return fatal(ALERT.unsupported_certificate, 'no common client certificate type');
    clientCertificateType = chosen;
    clientTypeExtension = { type: EXT.client_certificate_type, data: Buffer.from([chosen]) };
  } else {
    // LwM2M requires mutual authentication; without the extension only X.509 is possible.
    if (!caps.x509Clients) return fatal(ALERT.handshake_failure, 'client offers only X.509 and no trust anchor is configured');
    clientCertificateType = CERT_TYPE.X509;
  }
  let serverCertificateType: CertificateType = CERT_TYPE.X509;
  const serverTypes = extensions.get(EXT.server_certificate_type);
  if (serverTypes) {
    const offered = u8List(serverTypes, 1, 'server_certificate_type');
    if (!offered.ok) return { ...offered, fatalForAll: true };
    // A client authenticating with a raw public key is in LwM2M Security Mode 1, where it holds the
    // server's raw key (Security object "Server Public Key"), not a CA: answer in kind when it
    // accepts that. libcoap's GnuTLS client lists X.509 first yet cannot verify it in that mode.
    const symmetric = clientCertificateType === CERT_TYPE.RawPublicKey && offered.value.includes(CERT_TYPE.RawPublicKey);
    const chosen = symmetric ? CERT_TYPE.RawPublicKey : pickType(offered.value, [CERT_TYPE.RawPublicKey, CERT_TYPE.X509]);
    if (chosen === undefined) return fatal(ALERT.unsupported_certificate, 'no common server certificate type');
    serverCertificateType = chosen;
    serverHelloExtensions.push({ type: EXT.server_certificate_type, data: Buffer.from([chosen]) });
  }
  if (clientTypeExtension) serverHelloExtensions.push(clientTypeExtension);
  return ok({ serverCertificateType, clientCertificateType, serverHelloExtensions });
}

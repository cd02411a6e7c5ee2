import { describe, expect, it } from 'vitest';
import { EXT, negotiateEcdheEcdsa, type PkiCapabilities } from '../../bridge/src/dtls/pki/ecc-extensions.js';
import { ALERT } from '../../bridge/src/dtls/pki/outcome.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const both: PkiCapabilities = { x509Clients: true, rawKeyClients: true };
/** A ClientHello as OpenSSL 3 sends it for ECDHE-ECDSA (groups x25519, P-256, P-384; uncompressed; ecdsa+sha256 first). */
const openssl = () =>
  new Map<number, Buffer>([
    [EXT.supported_groups, hex('0006001d00170018')],
    [EXT.ec_point_formats, hex('03000102')],
    [EXT.signature_algorithms, hex('000604030503 0603'.replace(/ /g, ''))],
  ]);

describe('ECDHE_ECDSA extension negotiation', () => {
  it('picks X.509 both ways when the client sends no RFC 7250 extensions, and echoes ec_point_formats', () => {
    const r = negotiateEcdheEcdsa(openssl(), both);
    expect(r).toEqual({
      ok: true,
      value: { serverCertificateType: 0, clientCertificateType: 0, serverHelloExtensions: [{ type: EXT.ec_point_formats, data: hex('0100') }] },
    });
  });

  it('picks raw public keys both ways for a client that offers only RawPublicKey (RFC 7250 §4.2)', () => {
    const ext = openssl();
    ext.set(EXT.client_certificate_type, hex('0102'));
    ext.set(EXT.server_certificate_type, hex('0102'));
    const r = negotiateEcdheEcdsa(ext, both);
    expect(r.ok && r.value).toMatchObject({ serverCertificateType: 2, clientCertificateType: 2 });
    expect(r.ok && r.value.serverHelloExtensions).toContainEqual({ type: EXT.server_certificate_type, data: hex('02') });
    expect(r.ok && r.value.serverHelloExtensions).toContainEqual({ type: EXT.client_certificate_type, data: hex('02') });
  });

  it('follows the client preference order among types the server supports', () => {
    const ext = openssl();
    ext.set(EXT.client_certificate_type, hex('020002'));
    ext.set(EXT.server_certificate_type, hex('020200'));
    const r = negotiateEcdheEcdsa(ext, both);
    expect(r.ok && r.value).toMatchObject({ serverCertificateType: 2, clientCertificateType: 0 });
    const noRaw = negotiateEcdheEcdsa(ext, { x509Clients: true, rawKeyClients: false });
    expect(noRaw.ok && noRaw.value.clientCertificateType).toBe(0);
  });

  it('answers a raw-public-key client with the server raw key even when it lists X.509 first (LwM2M Security Mode 1)', () => {
    const ext = openssl();
    ext.set(EXT.client_certificate_type, hex('0102'));
    ext.set(EXT.server_certificate_type, hex('020002')); // what libcoap's GnuTLS client sends with -M
    const r = negotiateEcdheEcdsa(ext, both);
    expect(r.ok && r.value).toMatchObject({ serverCertificateType: 2, clientCertificateType: 2 });
  });

  it('ends with unsupported_certificate when no certificate type is in common', () => {
    const ext = openssl();
    ext.set(EXT.client_certificate_type, hex('0102'));
    expect(negotiateEcdheEcdsa(ext, { x509Clients: true, rawKeyClients: false })).toMatchObject({ ok: false, alert: ALERT.unsupported_certificate });
    const srv = openssl();
    srv.set(EXT.server_certificate_type, hex('0101')); // OpenPGP only
    expect(negotiateEcdheEcdsa(srv, both)).toMatchObject({ ok: false, alert: ALERT.unsupported_certificate });
  });

  it('does not offer the suite to an X.509-only client when no trust anchor is configured', () => {
    expect(negotiateEcdheEcdsa(openssl(), { x509Clients: false, rawKeyClients: true })).toMatchObject({ ok: false, alert: ALERT.handshake_failure });
  });

  it('declines the suite when the client lacks secp256r1 or ecdsa+sha256 (RFC 8422 §5.1, RFC 5246 §7.4.1.4.1)', () => {
    const noCurve = openssl();
    noCurve.set(EXT.supported_groups, hex('0004001d0018'));
    expect(negotiateEcdheEcdsa(noCurve, both)).toEqual({ ok: false, alert: ALERT.handshake_failure, reason: 'client does not support secp256r1' });
    const noSig = openssl();
    noSig.set(EXT.signature_algorithms, hex('00020503'));
    expect(negotiateEcdheEcdsa(noSig, both)).toMatchObject({ ok: false, alert: ALERT.handshake_failure });
    const r = negotiateEcdheEcdsa(noCurve, both);
    expect('fatalForAll' in r).toBe(false);
  });

  it('accepts the ClientHello of tinydtls, which sends no signature_algorithms, with raw keys both ways', () => {
    // tinydtls' ECDHE-ECDSA ClientHello extensions, byte for byte: client/server_certificate_type
    // {RawPublicKey}, elliptic_curves {secp256r1}, ec_point_formats {uncompressed}.
    const tinydtls = new Map<number, Buffer>([
      [EXT.client_certificate_type, hex('0102')],
      [EXT.server_certificate_type, hex('0102')],
      [EXT.supported_groups, hex('00020017')],
      [EXT.ec_point_formats, hex('0100')],
    ]);
    const r = negotiateEcdheEcdsa(tinydtls, both);
    expect(r.ok && r.value).toMatchObject({ serverCertificateType: 2, clientCertificateType: 2 });
  });

  it('assumes any curve when supported_groups is absent (RFC 8422 §4)', () => {
    const ext = openssl();
    ext.delete(EXT.supported_groups);
    ext.delete(EXT.ec_point_formats);
    const r = negotiateEcdheEcdsa(ext, both);
    expect(r.ok && r.value.serverHelloExtensions).toEqual([]);
  });

  it('ends the handshake with illegal_parameter when ec_point_formats lacks uncompressed (RFC 8422 §5.1.2)', () => {
    const ext = openssl();
    ext.set(EXT.ec_point_formats, hex('0101'));
    expect(negotiateEcdheEcdsa(ext, both)).toMatchObject({ ok: false, alert: ALERT.illegal_parameter, fatalForAll: true });
  });

  it('answers malformed extension bodies with decode_error for every suite', () => {
    const cases: Array<[number, string]> = [
      [EXT.supported_groups, '000300170018'],
      [EXT.ec_point_formats, '0200'],
      [EXT.signature_algorithms, '0003040305'],
      [EXT.client_certificate_type, '00'],
      [EXT.server_certificate_type, '020200ff'],
    ];
    for (const [type, data] of cases) {
      const ext = openssl();
      ext.set(type, hex(data));
      expect(negotiateEcdheEcdsa(ext, both), `extension ${type}`).toMatchObject({ ok: false, alert: ALERT.decode_error, fatalForAll: true });
    }
  });
});

/**
 * RFC 6347 §4.2.1 stateless cookie exchange: a ClientHello from a peer with no association is
 * answered with a HelloVerifyRequest, and nothing is remembered, until it comes back with a cookie
 * that verifies. Only then may the server allocate a handshake.
 */
import type { CookieJar } from './cookie.js';
import { encodeHandshake, parseFragments } from './handshake-message.js';
import { type ClientHello, encodeHelloVerifyRequest, parseClientHello } from './hello.js';
import { type DtlsRecord, encodeRecord } from './record.js';
import { type AlertDescriptionCode, ContentType, HandshakeType } from './wire.js';

export type HelloAnswer =
  | { readonly kind: 'drop'; readonly reason: 'noAssociation' | 'malformed' }
  | { readonly kind: 'verify'; readonly datagram: Buffer; readonly badCookie: boolean }
  | { readonly kind: 'start'; readonly hello: ClientHello; readonly messageSeq: number; readonly body: Buffer }
  /** A ClientHello we cannot accept (e.g. DTLS 1.0 only), back with a valid cookie: answer with this fatal alert. */
  | { readonly kind: 'refuse'; readonly alert: AlertDescriptionCode; readonly reason: string };

export function answerClientHello(r: DtlsRecord, address: string, port: number, cookies: CookieJar, maxMessage: number): HelloAnswer {
  if (r.epoch !== 0 || r.type !== ContentType.handshake) return { kind: 'drop', reason: 'noAssociation' };
  const frags = parseFragments(r.fragment, maxMessage);
  const f = frags?.[0];
  // A fragmented ClientHello is dropped: reassembling it would need per-peer state.
  if (!f || frags.length !== 1 || f.type !== HandshakeType.clientHello || f.offset !== 0 || f.body.length !== f.length) {
    return { kind: 'drop', reason: 'malformed' };
  }
  const parsed = parseClientHello(f.body);
  if (!parsed.ok && !('hello' in parsed)) return { kind: 'drop', reason: 'malformed' };
  const hello = parsed.ok ? parsed.value : parsed.hello;
  if (hello.cookie.length > 0 && cookies.verify(address, port, hello.cookieInput, hello.cookie)) {
    // RFC 5246 §E.1: a client offering only older versions MUST get protocol_version (likewise
    // illegal_parameter for no null compression or a duplicate extension, RFC 5246 §7.4.1.2/§7.4.1.4).
    // Only after the cookie: the alert then goes to an address that answered us (RFC 6347 §4.2.1).
    if (!parsed.ok) return { kind: 'refuse', alert: parsed.alert, reason: parsed.reason };
    return { kind: 'start', hello, messageSeq: f.messageSeq, body: f.body };
  }
  const cookie = cookies.make(address, port, hello.cookieInput);
  // RFC 6347 §4.2.1: the HelloVerifyRequest reuses the ClientHello's record sequence number and
  // message_seq; it is smaller than the ClientHello, so it cannot amplify a spoofed source.
  const hvr = encodeHandshake(HandshakeType.helloVerifyRequest, f.messageSeq, encodeHelloVerifyRequest(cookie));
  return { kind: 'verify', datagram: encodeRecord(ContentType.handshake, 0, r.seq, hvr), badCookie: hello.cookie.length > 0 };
}

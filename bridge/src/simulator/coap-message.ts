/**
 * Thin helpers over `coap-packet` for the simulator: options as numbers and strings,
 * CON retransmission timing (RFC 7252 §4.2, §4.8). No sockets here.
 */

import { generate, parse, type ParsedPacket, type Packet } from 'coap-packet';

export type { ParsedPacket };

/** RFC 7252 §4.8 transmission parameters. */
export const ACK_TIMEOUT_MS = 2000;
export const ACK_RANDOM_FACTOR = 1.5;
export const MAX_RETRANSMIT = 4;

/**
 * RFC 7252 §4.2: the first timeout is random in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR],
 * doubled on every retransmission, at most MAX_RETRANSMIT retransmissions.
 */
export function retransmitTimeouts(ackTimeoutMs = ACK_TIMEOUT_MS, random: () => number = Math.random): number[] {
  const first = ackTimeoutMs * (1 + (ACK_RANDOM_FACTOR - 1) * random());
  return Array.from({ length: MAX_RETRANSMIT + 1 }, (_, i) => first * 2 ** i);
}

/** Decode a CoAP packet; a malformed datagram is `undefined`, never an exception. */
export function decodePacket(buf: Buffer): ParsedPacket | undefined {
  try {
    return parse(buf);
  } catch {
    return undefined;
  }
}

export function encodePacket(p: Packet): Buffer {
  return generate(p);
}

/** RFC 7252 §3.2 uint option value: big-endian, leading zero bytes dropped (0 is empty). */
export function uintOption(n: number): Buffer {
  if (n === 0) return Buffer.alloc(0);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from(bytes);
}

export function readUint(b: Buffer): number {
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

export function optionValues(p: ParsedPacket, name: string): Buffer[] {
  return p.options.filter((o) => o.name === name).map((o) => o.value);
}

export function optionUint(p: ParsedPacket, name: string): number | undefined {
  const v = optionValues(p, name)[0];
  return v === undefined ? undefined : readUint(v);
}

export function uriPath(p: ParsedPacket): string[] {
  return optionValues(p, 'Uri-Path').map((v) => v.toString('utf8'));
}

export function uriQuery(p: ParsedPacket): string[] {
  return optionValues(p, 'Uri-Query').map((v) => v.toString('utf8'));
}

/** `2.05` from a code string; coap-packet already gives `c.dd`. */
export function codeClass(code: string): number {
  return Number(code.split('.')[0]);
}

/**
 * A cheap, allocation-free look at a CoAP datagram (RFC 7252 §3) before the full parser sees
 * it: enough to reject garbage, deduplicate by Message ID, and bound Block1 transfers.
 */

export const enum MessageType {
  CON = 0,
  NON = 1,
  ACK = 2,
  RST = 3,
}

/** RFC 7959 §2.1 */
export const OPTION_BLOCK1 = 27;

export interface Block1 {
  num: number;
  more: boolean;
  /** SZX: block size is 2^(szx+4); 7 is reserved. */
  szx: number;
}

export interface Header {
  type: MessageType;
  tokenLength: number;
  /** Code as class * 32 + detail (0 = empty, 1..31 requests, 64.. responses). */
  code: number;
  messageId: number;
  /** Offset of the first option byte. */
  optionsStart: number;
  block1?: Block1;
}

export type PeekResult = { ok: true; header: Header } | { ok: false; error: string };

/**
 * Validates the header, token and option encoding. Does not decode option values except Block1.
 * RFC 7252 §3: version 1, TKL 9-15 reserved, option delta/length nibble 15 reserved except
 * the payload marker, which must be followed by a payload.
 */
export function peekHeader(buf: Uint8Array): PeekResult {
  if (buf.length < 4) return { ok: false, error: 'shorter than a CoAP header' };
  const b0 = buf[0]!;
  if (b0 >> 6 !== 1) return { ok: false, error: 'not CoAP version 1' };
  const tokenLength = b0 & 0x0f;
  if (tokenLength > 8) return { ok: false, error: 'reserved token length' };
  const code = buf[1]!;
  const type = ((b0 >> 4) & 0x03) as MessageType;
  const messageId = (buf[2]! << 8) | buf[3]!;
  const optionsStart = 4 + tokenLength;
  if (buf.length < optionsStart) return { ok: false, error: 'truncated token' };
  // RFC 7252 §4.1: an empty message has no token, options or payload.
  if (code === 0 && buf.length !== 4) return { ok: false, error: 'empty message with content' };

  const header: Header = { type, tokenLength, code, messageId, optionsStart };
  let i = optionsStart;
  let option = 0;
  while (i < buf.length) {
    const byte = buf[i]!;
    if (byte === 0xff) {
      if (i + 1 >= buf.length) return { ok: false, error: 'payload marker without payload' };
      break;
    }
    i++;
    let delta = byte >> 4;
    let length = byte & 0x0f;
    if (delta === 15 || length === 15) return { ok: false, error: 'reserved option nibble' };
    if (delta === 13) {
      if (i >= buf.length) return { ok: false, error: 'truncated option delta' };
      delta = buf[i++]! + 13;
    } else if (delta === 14) {
      if (i + 1 >= buf.length) return { ok: false, error: 'truncated option delta' };
      delta = ((buf[i]! << 8) | buf[i + 1]!) + 269;
      i += 2;
    }
    if (length === 13) {
      if (i >= buf.length) return { ok: false, error: 'truncated option length' };
      length = buf[i++]! + 13;
    } else if (length === 14) {
      if (i + 1 >= buf.length) return { ok: false, error: 'truncated option length' };
      length = ((buf[i]! << 8) | buf[i + 1]!) + 269;
      i += 2;
    }
    if (i + length > buf.length) return { ok: false, error: 'option value runs past the datagram' };
    option += delta;
    if (option === OPTION_BLOCK1) {
      // RFC 7959 §2.2: 0-3 bytes, NUM | M | SZX
      if (length > 3) return { ok: false, error: 'Block1 option longer than 3 bytes' };
      let value = 0;
      for (let k = 0; k < length; k++) value = (value << 8) | buf[i + k]!;
      header.block1 = { num: value >> 4, more: (value & 0x08) !== 0, szx: value & 0x07 };
    }
    i += length;
  }
  return { ok: true, header };
}

/** Token bytes as a string key (hex): tokens are at most 8 bytes. */
export function tokenKey(buf: Uint8Array, tokenLength: number): string {
  let s = '';
  for (let k = 0; k < tokenLength; k++) s += buf[4 + k]!.toString(16).padStart(2, '0');
  return s;
}

export const isRequestCode = (code: number) => code >= 1 && code <= 31;
export const isResponseCode = (code: number) => code >= 64;

/**
 * A minimal DER (X.690) reader and writer: only the universal types that X.509 certificates
 * and SubjectPublicKeyInfo structures of P-256 keys use, with low tag numbers (< 31) and
 * definite lengths. The reader takes untrusted bytes and returns values, never throws; it
 * enforces DER's minimal length encoding (X.690 §10.1) so that one certificate has exactly one
 * encoding, which matters because fingerprints and issuer matching compare raw bytes.
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag number n, constructed (EXPLICIT tagging or IMPLICIT SEQUENCE). */
export const contextTag = (n: number, constructed = true): number => 0x80 | (constructed ? 0x20 : 0) | n;

export interface DerNode {
  tag: number;
  /** Contents octets (a view into the input, not a copy). */
  contents: Buffer;
  /** The whole TLV, header included (a view into the input). */
  der: Buffer;
}

export type DerResult<T> = { ok: true; value: T } | { ok: false; reason: string };
const fail = <T>(reason: string): DerResult<T> => ({ ok: false, reason });

/** Reads one TLV at `offset`; `end` is the offset just after it. */
export function readTlv(input: Buffer, offset = 0): DerResult<DerNode & { end: number }> {
  if (offset + 2 > input.length) return fail('truncated DER header');
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) return fail('high tag numbers are not supported');
  let length = input[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // Four length octets cover 4 GiB, far beyond any certificate; 0x80 alone is the
    // indefinite form, which DER forbids (X.690 §10.1).
    if (count === 0 || count > 4) return fail('unsupported DER length form');
    if (offset + 2 + count > input.length) return fail('truncated DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + input[offset + 2 + i]!;
    // X.690 §10.1: the long form only when needed, with no leading zero octets.
    if (length < 0x80 || input[offset + 2] === 0) return fail('non-minimal DER length');
    header += count;
  }
  const start = offset + header;
  const end = start + length;
  if (end > input.length) return fail('DER value runs past the end of its container');
  return { ok: true, value: { tag, contents: input.subarray(start, end), der: input.subarray(offset, end), end } };
}

/** Parses `input` as exactly one TLV with nothing after it. */
export function readDer(input: Buffer): DerResult<DerNode> {
  const r = readTlv(input, 0);
  if (!r.ok) return r;
  if (r.value.end !== input.length) return fail('trailing bytes after DER value');
  return r;
}

/** The children of a constructed value (SEQUENCE, SET, EXPLICIT tag). */
export function readChildren(node: DerNode): DerResult<DerNode[]> {
  if ((node.tag & 0x20) === 0) return fail('expected a constructed DER value');
  const out: DerNode[] = [];
  let offset = 0;
  while (offset < node.contents.length) {
    const r = readTlv(node.contents, offset);
    if (!r.ok) return r;
    out.push(r.value);
    offset = r.value.end;
  }
  return { ok: true, value: out };
}

/** Reads a node and checks its tag in one step. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerResult<DerNode> {
  if (!node) return fail(`missing ${what}`);
  if (node.tag !== tag) return fail(`${what}: unexpected tag 0x${node.tag.toString(16)}`);
  return { ok: true, value: node };
}

export function decodeOid(contents: Buffer): DerResult<string> {
  if (contents.length === 0 || contents.length > 64) return fail('bad OID length');
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < contents.length; i++) {
    const byte = contents[i]!;
    // X.690 §8.19.2: no 0x80 padding at the start of a sub-identifier.
    if (value === 0 && byte === 0x80) return fail('non-minimal OID arc');
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return fail('OID arc too large');
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    } else if (i === contents.length - 1) {
      return fail('truncated OID');
    }
  }
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return { ok: true, value: [...head, ...arcs.slice(1)].join('.') };
}

/** BIT STRING contents without the unused-bits octet; only whole octets are accepted where keys are carried. */
export function decodeBitString(contents: Buffer): DerResult<{ unusedBits: number; bytes: Buffer }> {
  if (contents.length === 0) return fail('empty BIT STRING');
  const unusedBits = contents[0]!;
  if (unusedBits > 7 || (contents.length === 1 && unusedBits !== 0)) return fail('bad BIT STRING padding');
  return { ok: true, value: { unusedBits, bytes: contents.subarray(1) } };
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), the only forms RFC 5280 §4.1.2.5 allows. */
export function decodeTime(node: DerNode): DerResult<Date> {
  const text = node.contents.toString('latin1');
  let m: RegExpExecArray | null;
  let year: number;
  if (node.tag === TAG.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, otherwise 20YY.
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.tag === TAG.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    year = Number(m[1]);
  } else {
    return fail('time is not in the RFC 5280 form');
  }
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return fail('invalid calendar time');
  return { ok: true, value: date };
}

// ---------------------------------------------------------------------------------------------
// Writer

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, contents: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(contents.length), contents]);
}

export const sequence = (...children: Buffer[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(children));
export const set = (...children: Buffer[]): Buffer => tlv(TAG.SET, Buffer.concat(children));
export const explicit = (n: number, inner: Buffer): Buffer => tlv(contextTag(n), inner);
export const octetString = (bytes: Buffer): Buffer => tlv(TAG.OCTET_STRING, bytes);
export const utf8String = (text: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));
export const ia5String = (text: string): Buffer => tlv(TAG.IA5_STRING, Buffer.from(text, 'latin1'));
export const booleanTrue = (): Buffer => tlv(TAG.BOOLEAN, Buffer.from([0xff])); // X.690 §11.1: TRUE is 0xFF

/** INTEGER from a non-negative bigint or from unsigned big-endian bytes (minimal two's complement, X.690 §8.3.2). */
export function integer(value: bigint | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof value === 'bigint') {
    if (value < 0n) throw new RangeError('negative INTEGER not supported');
    let hex = value.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    bytes = Buffer.from(hex, 'hex');
  } else {
    bytes = value;
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.INTEGER, bytes);
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => Number(a));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  const push = (value: number) => {
    const group: number[] = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) group.unshift(0x80 | (v & 0x7f));
    out.push(...group);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(TAG.OID, Buffer.from(out));
}

export function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** RFC 5280 §4.1.2.5: UTCTime for years up to 2049, GeneralizedTime from 2050; seconds, 'Z', no fractions. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new RangeError('certificate time out of range');
  return year < 2050 ? tlv(TAG.UTC_TIME, Buffer.from(digits.slice(2) + 'Z', 'latin1')) : tlv(TAG.GENERALIZED_TIME, Buffer.from(digits + 'Z', 'latin1'));
}

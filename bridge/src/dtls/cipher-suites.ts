/**
 * The cipher suite table, data-driven: a suite is its IANA id and name, the key exchange that
 * produces its premaster secret, and the record cipher. Adding a suite is one entry here plus,
 * for a new key exchange, an implementation of `KeyExchange` (key-exchange.ts).
 * All suites use the TLS 1.2 SHA-256 PRF (RFC 5246 §5; RFC 6655 §6; RFC 7251 §2).
 */
export type RecordCipherName = 'aes-128-ccm8' | 'aes-128-cbc-sha256';

export interface CipherSuite {
  readonly id: number;
  /** IANA name, reported in `SessionSecurity.cipherSuite`. */
  readonly name: string;
  /** Key exchange family; the server offers the suite only if it has a `KeyExchange` of that name. */
  readonly keyExchange: 'psk' | 'ecdhe_ecdsa';
  readonly cipher: RecordCipherName;
  /** RFC 5246 §6.3 key_block layout. */
  readonly macKeyLength: number;
  readonly encKeyLength: number;
  readonly fixedIvLength: number;
}

const CCM8 = { cipher: 'aes-128-ccm8', macKeyLength: 0, encKeyLength: 16, fixedIvLength: 4 } as const;
const CBC_SHA256 = { cipher: 'aes-128-cbc-sha256', macKeyLength: 32, encKeyLength: 16, fixedIvLength: 0 } as const;

/** In server preference order (RFC 5246 §7.4.1.2 lets the server choose; CCM_8 first, LwM2M's mandatory suite). */
export const CIPHER_SUITES: readonly CipherSuite[] = [
  { id: 0xc0a8, name: 'TLS_PSK_WITH_AES_128_CCM_8', keyExchange: 'psk', ...CCM8 }, // RFC 6655 §4
  { id: 0xc0ae, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', keyExchange: 'ecdhe_ecdsa', ...CCM8 }, // RFC 7251 §2
  { id: 0x00ae, name: 'TLS_PSK_WITH_AES_128_CBC_SHA256', keyExchange: 'psk', ...CBC_SHA256 }, // RFC 5487 §3.2
];

export function suiteById(id: number): CipherSuite | undefined {
  return CIPHER_SUITES.find((s) => s.id === id);
}

export function keyBlockLength(s: CipherSuite): number {
  return 2 * (s.macKeyLength + s.encKeyLength + s.fixedIvLength);
}

/** One direction's keys, as views into the key block (RFC 5246 §6.3 order). */
export interface DirectionKeys {
  readonly macKey: Buffer;
  readonly key: Buffer;
  readonly iv: Buffer;
}

export function directionKeys(s: CipherSuite, block: Buffer, writer: 'client' | 'server'): DirectionKeys {
  const m = s.macKeyLength;
  const k = s.encKeyLength;
  const i = s.fixedIvLength;
  const c = writer === 'client';
  return {
    macKey: block.subarray(c ? 0 : m, c ? m : 2 * m),
    key: block.subarray(2 * m + (c ? 0 : k), 2 * m + (c ? k : 2 * k)),
    iv: block.subarray(2 * m + 2 * k + (c ? 0 : i), 2 * m + 2 * k + (c ? i : 2 * i)),
  };
}

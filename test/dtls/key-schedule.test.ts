import { describe, expect, it } from 'vitest';
import { directionKeys, keyBlockLength, suiteById } from '../../bridge/src/dtls/cipher-suites.js';
import { extendedMasterSecret, HmacSha256, keyBlock, masterSecret, prf, pskPremaster } from '../../bridge/src/dtls/prf.js';

const hex = (s: string) => Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');
const range = (from: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => from + i));

// Vectors computed outside this code base with OpenSSL's TLS1-PRF KDF, e.g.
// openssl kdf -keylen 40 -kdfopt digest:SHA2-256 -kdfopt hexsecret:<ms> -kdfopt seed:"key expansion" -kdfopt hexseed:<sr><cr> TLS1-PRF
const MS = range(0x00, 48);
const SERVER_RANDOM = range(0x40, 32);
const CLIENT_RANDOM = range(0x80, 32);

describe('TLS 1.2 key schedule (RFC 5246 §5, §6.3, §8.1; RFC 7627 §4)', () => {
  it('matches the published TLS 1.2 PRF SHA-256 test vector', () => {
    const out = prf(hex('9bbe436ba940f017b17652849a71db35'), 'test label', hex('a0ba9f936cda311827a6f796ffd5198c'), 100);
    expect(out.toString('hex')).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a' +
        '6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab' +
        '4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701' +
        '87347b66',
    );
  });

  it('builds the RFC 4279 PSK premaster secret', () => {
    expect(pskPremaster(Buffer.from('secretkey')).toString('hex')).toBe('0009' + '00'.repeat(9) + '0009' + Buffer.from('secretkey').toString('hex'));
  });

  it('derives the master secret from a PSK premaster as OpenSSL does', () => {
    const ms = masterSecret(pskPremaster(Buffer.from('secretkey')), CLIENT_RANDOM, SERVER_RANDOM);
    expect(ms).toEqual(hex('AC:0C:04:4D:2E:10:9E:32:2C:94:B5:45:D6:6D:88:93:EC:A0:30:95:9E:52:63:EE:69:88:07:62:65:2E:08:8E:53:19:B7:19:C4:A5:D7:B6:8F:23:27:50:E4:36:41:CB'));
  });

  it('derives the extended master secret from the session hash as OpenSSL does', () => {
    const ems = extendedMasterSecret(pskPremaster(Buffer.from('secretkey')), range(0xc0, 32));
    expect(ems).toEqual(hex('E8:A3:2D:C6:D7:FD:FA:4C:92:D9:B4:A4:55:A6:AD:B5:9E:55:CA:3D:D5:16:C9:5B:7B:3B:BD:51:61:C8:99:D8:4B:4B:01:B1:BD:DC:83:CD:1E:CA:34:9E:00:63:B0:4A'));
  });

  it('expands the CCM_8 key block into client/server keys and implicit IVs', () => {
    const suite = suiteById(0xc0a8)!;
    expect(keyBlockLength(suite)).toBe(40);
    const block = keyBlock(MS, SERVER_RANDOM, CLIENT_RANDOM, 40);
    expect(block).toEqual(hex('27:A1:F7:FE:F6:C3:AA:38:A2:5E:76:B7:68:70:9C:F4:CA:41:35:90:15:24:CC:7B:EC:BC:66:30:BE:76:A6:4B:0F:08:6C:40:AE:32:C6:E1'));
    const c = directionKeys(suite, block, 'client');
    const s = directionKeys(suite, block, 'server');
    expect(c.macKey.length).toBe(0);
    expect(c.key).toEqual(block.subarray(0, 16));
    expect(s.key).toEqual(block.subarray(16, 32));
    expect(c.iv).toEqual(hex('0f086c40'));
    expect(s.iv).toEqual(hex('ae32c6e1'));
  });

  it('expands the CBC-SHA256 key block into MAC keys then cipher keys, with no fixed IV', () => {
    const suite = suiteById(0x00ae)!;
    expect(keyBlockLength(suite)).toBe(96);
    const block = keyBlock(MS, SERVER_RANDOM, CLIENT_RANDOM, 96);
    const expected = hex(
      '27:A1:F7:FE:F6:C3:AA:38:A2:5E:76:B7:68:70:9C:F4:CA:41:35:90:15:24:CC:7B:EC:BC:66:30:BE:76:A6:4B:0F:08:6C:40:AE:32:C6:E1:5E:A7:14:D0:38:BF:5D:D8:64:57:12:1A:5B:86:2E:58:F7:B8:8A:C8:44:0C:A5:50:28:74:B0:1B:96:61:9D:2F:40:86:33:3F:3D:90:7C:07:F1:4C:91:B1:E4:29:E9:77:B6:E7:8B:1D:4F:7A:56:60:F5:EB:BC:0E:65:C4:7B:23:05:E3:36:6A:FB:1D:77:A9:6B:BB:87:85:2A:96:6B:25:B4:7F:BE:C5:95:48:15:98',
    );
    expect(block).toEqual(expected.subarray(0, 96));
    const c = directionKeys(suite, block, 'client');
    const s = directionKeys(suite, block, 'server');
    expect(c.macKey).toEqual(expected.subarray(0, 32));
    expect(s.macKey).toEqual(expected.subarray(32, 64));
    expect(c.key).toEqual(expected.subarray(64, 80));
    expect(s.key).toEqual(expected.subarray(80, 96));
    expect(c.iv.length).toBe(0);
  });
});

describe('HmacSha256 (one-shot hash with precomputed pads, RFC 2104)', () => {
  const hex = (s: string) => Buffer.from(s, 'hex');

  it('matches RFC 4231 test case 2 (short key) and case 6 (key longer than the block)', () => {
    expect(new HmacSha256(Buffer.from('Jefe')).digest(Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(new HmacSha256(Buffer.alloc(131, 0xaa)).digest(Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('hashes the concatenation of its parts, also across calls that grow the shared scratch buffer', () => {
    const mac = new HmacSha256(hex('0102030405'));
    const big = Buffer.alloc(5_000, 0x61);
    expect(mac.digest(big.subarray(0, 10), big.subarray(10))).toEqual(mac.digest(big));
    expect(mac.digest(Buffer.from('abc'))).toEqual(new HmacSha256(hex('0102030405')).digest(Buffer.from('a'), Buffer.from('bc')));
  });
});

/**
 * The node:crypto work one PSK handshake + Register costs the server, alone: the same calls the
 * bridge makes (through the same functions), on prepared inputs, with no parsing, state or I/O.
 * Part of the floor `bench:coaps` prints: no DTLS server can do less cryptography than this per
 * handshake (RFC 6347 cookie, RFC 7627 extended master secret, RFC 5246 key block and both
 * Finished, CCM_8 for the two Finished and the Register exchange).
 */
import { randomBytes } from 'node:crypto';
import { directionKeys, keyBlockLength, suiteById } from '../dtls/cipher-suites.js';
import { CookieJar } from '../dtls/cookie.js';
import { extendedMasterSecret, finishedVerifyData, keyBlock, pskPremaster, transcriptHash } from '../dtls/prf.js';
import { open, sealRecord } from '../dtls/record-protection.js';
import { ContentType, DTLS_1_2 } from '../dtls/wire.js';

const suite = suiteById(0xc0a8)!; // TLS_PSK_WITH_AES_128_CCM_8

/** Microseconds of one server handshake's cryptography, the median of `rounds` rounds of `perRound`. */
export function pskServerCryptoMicros(rounds = 7, perRound = 2_000): number {
  const cookies = new CookieJar(() => 0, 60_000);
  const psk = randomBytes(16);
  const clientHello = randomBytes(70);
  const flight2 = randomBytes(60);
  const clientKeyExchange = randomBytes(20);
  const clientRandom = randomBytes(32);
  const serverRandom = randomBytes(32);
  const finishedPlain = randomBytes(24);
  const register = randomBytes(40);
  const response = randomBytes(20);
  // The client's protected records, made once with the client's keys (a server only opens them).
  const block0 = keyBlock(extendedMasterSecret(pskPremaster(psk), transcriptHash([clientHello, flight2, clientKeyExchange])), serverRandom, clientRandom, keyBlockLength(suite));
  const clientKeys0 = directionKeys(suite, block0, 'client');
  const clientFinished = sealRecord(suite, clientKeys0, ContentType.handshake, 1, 0, finishedPlain).subarray(13);
  const clientRegister = sealRecord(suite, clientKeys0, ContentType.applicationData, 1, 1, register).subarray(13);

  const one = (): boolean => {
    const cookie = cookies.make('127.0.0.1', 40000, clientHello); // HelloVerifyRequest
    cookies.verify('127.0.0.1', 40000, clientHello, cookie); // ClientHello with the cookie
    const master = extendedMasterSecret(pskPremaster(psk), transcriptHash([clientHello, flight2, clientKeyExchange]));
    const block = keyBlock(master, serverRandom, clientRandom, keyBlockLength(suite));
    const clientKeys = directionKeys(suite, block, 'client');
    const serverKeys = directionKeys(suite, block, 'server');
    const finished = open(suite, clientKeys, { type: ContentType.handshake, version: DTLS_1_2, epoch: 1, seq: 0 }, clientFinished);
    finishedVerifyData(master, 'client', transcriptHash([clientHello, flight2, clientKeyExchange]));
    finishedVerifyData(master, 'server', transcriptHash([clientHello, flight2, clientKeyExchange, finishedPlain]));
    sealRecord(suite, serverKeys, ContentType.handshake, 1, 0, finishedPlain);
    const request = open(suite, clientKeys, { type: ContentType.applicationData, version: DTLS_1_2, epoch: 1, seq: 1 }, clientRegister);
    sealRecord(suite, serverKeys, ContentType.applicationData, 1, 1, response);
    return finished !== undefined && request !== undefined;
  };
  // the floor is only a floor if the records really authenticate (else `open` stops early)
  if (!one()) throw new Error('crypto floor: the prepared records do not open');
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < perRound; i++) one();
    const t = process.cpuUsage(t0);
    results.push((t.user + t.system) / perRound);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)]!;
}

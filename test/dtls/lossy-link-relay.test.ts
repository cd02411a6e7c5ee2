/**
 * The lossy relay itself (test/support/lossy-relay.ts): it must read DTLS record headers right,
 * act only on the planned occurrences, and report a planned loss that never happened, since the
 * lossy-link tests rely on that to fail instead of passing without any loss.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { carries, classify, Handshake, type LossRule, type LossyRelay, startLossyRelay } from '../support/lossy-relay.js';

/** A DTLS record header (RFC 6347 §4.1) around `body`. */
function record(type: number, epoch: number, seq: number, body: Buffer): Buffer {
  const h = Buffer.alloc(13);
  h[0] = type;
  h.writeUInt16BE(0xfefd, 1);
  h.writeUInt16BE(epoch, 3);
  h.writeUIntBE(seq, 5, 6);
  h.writeUInt16BE(body.length, 11);
  return Buffer.concat([h, body]);
}

/** A handshake fragment header (RFC 6347 §4.2.2) around `body`. */
function fragment(type: number, messageSeq: number, offset: number, length: number, body: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = type;
  h.writeUIntBE(length, 1, 3);
  h.writeUInt16BE(messageSeq, 4);
  h.writeUIntBE(offset, 6, 3);
  h.writeUIntBE(body.length, 9, 3);
  return Buffer.concat([h, body]);
}

const serverHelloFlight = Buffer.concat([
  record(22, 0, 1, fragment(Handshake.serverHello, 1, 0, 40, Buffer.alloc(40))),
  record(22, 0, 2, fragment(Handshake.serverHelloDone, 2, 0, 0, Buffer.alloc(0))),
]);
const finalFlight = Buffer.concat([record(20, 0, 3, Buffer.from([1])), record(22, 1, 0, Buffer.alloc(40))]);

describe('classify', () => {
  it('reads content type, epoch, sequence number and the epoch-0 handshake header of every record', () => {
    expect(classify(serverHelloFlight, 'toClient', 3)).toEqual({
      direction: 'toClient',
      n: 3,
      length: serverHelloFlight.length,
      records: [
        { contentType: 22, epoch: 0, seq: 1, length: 52, handshake: { type: 2, messageSeq: 1, fragmentOffset: 0, fragmentLength: 40 } },
        { contentType: 22, epoch: 0, seq: 2, length: 12, handshake: { type: 14, messageSeq: 2, fragmentOffset: 0, fragmentLength: 0 } },
      ],
    });
    const final = classify(finalFlight, 'toClient', 4);
    expect(final.records.map((r) => [r.contentType, r.epoch, r.handshake])).toEqual([[20, 0, undefined], [22, 1, undefined]]);
    expect([carries.changeCipherSpec(final), carries.encryptedHandshake(final), carries.handshake(Handshake.serverHello)(final)]).toEqual([true, true, false]);
  });

  it('stops at a truncated record', () => {
    expect(classify(serverHelloFlight.subarray(0, 70), 'toClient', 1).records).toHaveLength(1);
  });
});

describe('startLossyRelay', () => {
  let relay: LossyRelay | undefined;
  const sockets: dgram.Socket[] = [];
  afterEach(() => {
    relay?.stop();
    for (const s of sockets.splice(0)) s.close();
  });

  /** An echo "server" behind the relay and a "client" in front; returns what the client received. */
  async function exchange(plan: LossRule[], datagrams: Buffer[]) {
    const server = dgram.createSocket('udp4');
    const client = dgram.createSocket('udp4');
    sockets.push(server, client);
    server.on('message', (m, r) => server.send(m, r.port, r.address));
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
    relay = await startLossyRelay({ serverPort: server.address().port, plan });
    const got: Buffer[] = [];
    client.on('message', (m) => got.push(m));
    for (const d of datagrams) {
      client.send(d, relay.port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 20));
    }
    while (relay.pending() > 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    return { got, relay };
  }

  it('drops only the planned occurrence of a matching datagram and records it', async () => {
    const { got, relay } = await exchange(
      [{ label: 'the 2nd ServerHello flight back', direction: 'toClient', match: carries.handshake(Handshake.serverHello), occurrences: [2] }],
      [serverHelloFlight, finalFlight, serverHelloFlight, serverHelloFlight],
    );
    expect(got.map((d) => d[0])).toEqual([22, 20, 22]);
    expect(relay.unfired()).toEqual([]);
    expect(relay.events.map((e) => [e.label, e.action, e.datagram.direction, e.datagram.n])).toEqual([['the 2nd ServerHello flight back', 'drop', 'toClient', 3]]);
    expect(relay.describe()).toContain('toClient#3 drop [22/0 hs2 seq1, 22/0 hs14 seq2]');
  });

  it('duplicates when asked, on every match', async () => {
    const { got, relay } = await exchange([{ label: 'to server twice', direction: 'toServer', match: carries.any, occurrences: 'every', action: 'duplicate' }], [finalFlight, finalFlight]);
    expect(got).toHaveLength(4);
    expect(relay.events).toHaveLength(2);
  });

  it('delays a datagram behind the ones that follow it, and counts it pending until delivered', async () => {
    const { got, relay } = await exchange([{ label: 'the final flight, late', direction: 'toServer', match: carries.changeCipherSpec, action: 'delay', delayMs: 60 }], [finalFlight, serverHelloFlight]);
    expect(got.map((d) => d[0])).toEqual([22, 20]);
    expect(relay.pending()).toBe(0);
    expect(relay.events.map((e) => e.action)).toEqual(['delay']);
  });

  it('reports a planned loss that never happened', async () => {
    const { got, relay } = await exchange(
      [
        { label: 'a HelloVerifyRequest', direction: 'toClient', match: carries.handshake(Handshake.helloVerifyRequest) },
        { label: 'the 1st and 5th final flights', direction: 'toServer', match: carries.changeCipherSpec, occurrences: [1, 5] },
      ],
      [serverHelloFlight, finalFlight],
    );
    expect(got).toHaveLength(1);
    expect(relay.unfired()).toEqual(['a HelloVerifyRequest', 'the 1st and 5th final flights']);
  });
});

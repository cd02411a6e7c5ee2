/**
 * Revoking a device's credential cuts it off now: openssl s_client (nobody's code here) holds a
 * DTLS session open, the operator removes or rotates its PSK, and the bridge ends the session with
 * close_notify and forgets it for resumption, instead of letting it run to the idle timeout.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import { startTestBridge, waitUntil } from '../support/bridge-in-process.js';

const KEY_HEX = Buffer.from('revocable-key').toString('hex');
let bridge: Bridge | undefined;
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
});

/** s_client with stdin held open: it only leaves when the server closes the session (or we kill it). */
function holdSession(port: number) {
  const child = spawn('openssl', ['s_client', '-dtls1_2', '-psk_identity', 'rev-id', '-psk', KEY_HEX, '-cipher', 'PSK-AES128-CCM8', '-connect', `127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('latin1')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** A bridge with one PSK credential and s_client holding a session made with it. */
async function bridgeWithOpenSession() {
  ({ bridge } = await startTestBridge({ coapsPort: 0 }));
  const b = bridge;
  b.credentials.put({ endpoint: 'rev-dev', mode: 'psk', identity: 'rev-id', keyHex: KEY_HEX });
  const peer = holdSession(b.coapsPort!);
  await waitUntil(() => /New, TLSv1\.2/.test(peer.output()), 8_000, 's_client handshake').catch((e: unknown) => {
    peer.child.kill();
    throw e;
  });
  return { b, peer, server: b.coaps!.transport.server };
}

describe('credential revocation and DTLS sessions', () => {
  for (const [what, revoke] of [
    ['removed', (b: Bridge) => b.credentials.remove('rev-dev')],
    ['given a new key', (b: Bridge) => b.credentials.put({ endpoint: 'rev-dev', mode: 'psk', identity: 'rev-id', keyHex: Buffer.from('rotated-key').toString('hex') })],
  ] as const) {
    it(`ends a device's open session with close_notify once its credential is ${what}`, async () => {
      const { b, peer, server } = await bridgeWithOpenSession();
      try {
        expect(server.stats().sessions).toBe(1);
        expect(server.resumableSessions()).toHaveLength(1);
        revoke(b);
        expect(server.stats().sessions).toBe(0);
        expect(server.resumableSessions()).toHaveLength(0);
        // s_client sees the close_notify and leaves by itself, its stdin still open
        const code = await Promise.race([peer.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 5_000))]);
        expect(code).not.toBe('still running');
      } finally {
        peer.child.kill();
      }
    });
  }

  it('leaves a session alone when the credential is saved again unchanged', async () => {
    const { b, peer, server } = await bridgeWithOpenSession();
    try {
      b.credentials.put({ endpoint: 'rev-dev', mode: 'psk', identity: 'rev-id', keyHex: KEY_HEX });
      b.credentials.put({ endpoint: 'other', mode: 'psk', identity: 'other-id', keyHex: KEY_HEX });
      expect(server.stats().sessions).toBe(1);
    } finally {
      peer.child.kill();
    }
  });
});

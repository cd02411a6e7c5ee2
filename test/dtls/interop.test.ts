/**
 * Full handshakes against implementations nobody here wrote: OpenSSL 3.0 s_client, GnuTLS 3.7
 * gnutls-cli, libcoap 4.3 coap-client-openssl / coap-client-gnutls, and npm node-dtls-client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dtls } from 'node-dtls-client';
import { afterEach, describe, expect, it } from 'vitest';
import { PSK_HEX, PSK_TEXT, runPeer, startMeddlingProxy, startServer, type TestServer } from './peers.js';

let t: TestServer | undefined;
afterEach(() => {
  t?.stop();
  t = undefined;
});

const opensslArgs = (port: number, cipher: string, key = PSK_HEX, identity = 'dev1') => [
  's_client', '-dtls1_2', '-psk_identity', identity, '-psk', key, '-cipher', cipher, '-connect', `127.0.0.1:${port}`,
];
const gnutlsArgs = (port: number, cipher: string, key = PSK_HEX, identity = 'dev1') => [
  '--udp', '--pskusername', identity, '--pskkey', key,
  '--priority', `NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:${cipher}`, '-p', String(port), '127.0.0.1',
];

describe('interop: openssl s_client -dtls1_2', () => {
  for (const [cipher, suite] of [
    ['PSK-AES128-CCM8', 'TLS_PSK_WITH_AES_128_CCM_8'],
    ['PSK-AES128-CBC-SHA256', 'TLS_PSK_WITH_AES_128_CBC_SHA256'],
  ] as const) {
    it(`completes a PSK handshake with ${cipher} and echoes data both ways`, async () => {
      t = await startServer();
      const r = await runPeer('openssl', opensslArgs(t.port, cipher), { input: ['hello\n'], until: /echo:hello/ });
      expect(r.output).toContain('echo:hello');
      expect(r.output).toContain('Extended master secret: yes');
      expect(t.sessions.map((s) => s.security)).toEqual([{ mode: 'psk', identity: 'dev1', cipherSuite: suite, connectionId: false }]);
      expect(t.received.map((b) => b.toString())).toEqual(['hello\n']);
      expect(t.closed).toEqual(['close_notify']);
    });
  }

  it('gives a client with the wrong PSK a bad_record_mac alert and no session', async () => {
    t = await startServer();
    const r = await runPeer('openssl', opensslArgs(t.port, 'PSK-AES128-CCM8', '00112233'), { until: /alert|error/i });
    expect(r.output).toMatch(/alert bad record mac/);
    expect(t.sessions).toHaveLength(0);
    expect(t.server.stats()).toMatchObject({ sessions: 0, handshakes: 0, handshakesFailed: 1 });
  });

  it('resumes a saved session with an abbreviated handshake (-sess_out, then -sess_in)', async () => {
    t = await startServer();
    const file = join(mkdtempSync(join(tmpdir(), 'dtls-')), 'session.pem');
    const first = await runPeer('openssl', [...opensslArgs(t.port, 'PSK-AES128-CCM8'), '-sess_out', file], { input: ['one\n'], until: /echo:one/ });
    expect(first.output).toMatch(/^New, TLSv1.2/m);
    const again = await runPeer('openssl', [...opensslArgs(t.port, 'PSK-AES128-CCM8'), '-sess_in', file], { input: ['two\n'], until: /echo:two/ });
    expect(again.output).toMatch(/^Reused, TLSv1.2, Cipher is PSK-AES128-CCM8/m);
    expect(again.output).toContain('echo:two');
    expect(t.server.stats()).toMatchObject({ resumptions: 1, handshakesCompleted: 2 });
    expect(t.sessions[1]!.security).toEqual(t.sessions[0]!.security);
  });

  it('drops replayed and tampered copies of real records and keeps the session', async () => {
    t = await startServer();
    const proxy = await startMeddlingProxy(t.port);
    try {
      const r = await runPeer('openssl', opensslArgs(proxy.port, 'PSK-AES128-CCM8'), { input: ['one\n', 'two\n'], until: /echo:two/ });
      expect(r.output).toContain('echo:two');
      expect(t.received.map((b) => b.toString())).toEqual(['one\n', 'two\n']);
      expect(proxy.meddled()).toBeGreaterThanOrEqual(2);
      const s = t.server.stats();
      expect(s.replays).toBeGreaterThanOrEqual(2);
      expect(s.authFailures).toBeGreaterThanOrEqual(2);
    } finally {
      proxy.stop();
    }
  });
});

describe('interop: gnutls-cli --udp', () => {
  for (const [priority, suite] of [
    ['+AES-128-CCM-8', 'TLS_PSK_WITH_AES_128_CCM_8'],
    ['+AES-128-CBC:-MAC-ALL:+SHA256', 'TLS_PSK_WITH_AES_128_CBC_SHA256'],
  ] as const) {
    it(`completes a PSK handshake with ${priority} and echoes data both ways`, async () => {
      t = await startServer();
      const r = await runPeer('gnutls-cli', gnutlsArgs(t.port, priority), { input: ['hello\n'], until: /echo:hello/ });
      expect(r.output).toContain('echo:hello');
      expect(r.output).toContain('extended master secret');
      expect(t.sessions.map((s) => s.security.cipherSuite)).toEqual([suite]);
    });
  }

  it('gets CCM_8 from the server preference although GnuTLS would pick CBC', async () => {
    t = await startServer();
    const r = await runPeer('gnutls-cli', gnutlsArgs(t.port, '+AES-128-CBC:+AES-128-CCM-8:+SHA256'), { input: ['x\n'], until: /echo:x/ });
    expect(r.output).toContain('(AES-128-CCM-8)');
    expect(t.sessions.map((s) => s.security.cipherSuite)).toEqual(['TLS_PSK_WITH_AES_128_CCM_8']);
  });

  it('resumes its session on reconnect (gnutls-cli -r)', async () => {
    t = await startServer();
    const r = await runPeer('gnutls-cli', ['-r', ...gnutlsArgs(t.port, '+AES-128-CCM-8')], { until: /This is a resumed session/ });
    expect(r.output).toContain('Resume Handshake was completed');
    expect(t.server.stats()).toMatchObject({ resumptions: 1, handshakesCompleted: 2 });
  });

  it('tells a client with an unknown identity unknown_psk_identity', async () => {
    t = await startServer();
    const r = await runPeer('gnutls-cli', gnutlsArgs(t.port, '+AES-128-CCM-8', PSK_HEX, 'nobody'), { until: /alert/i });
    expect(r.output).toContain('Received alert [115]');
    expect(t.server.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('tells a client with the wrong key bad_record_mac', async () => {
    t = await startServer();
    const r = await runPeer('gnutls-cli', gnutlsArgs(t.port, '+AES-128-CCM-8', '00112233'), { until: /alert/i });
    expect(r.output).toContain('Received alert [20]');
    expect(t.sessions).toHaveLength(0);
  });
});

describe('interop: libcoap coap-client over DTLS PSK', () => {
  for (const bin of ['coap-client-openssl', 'coap-client-gnutls']) {
    it(`${bin} handshakes with PSK and gets 2.01 for a registration-like POST`, async () => {
      t = await startServer();
      const r = await runPeer(bin, ['-B', '5', '-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', '-u', 'dev1', '-k', PSK_TEXT, `coaps://127.0.0.1:${t.port}/rd?ep=dev1&lt=60`]);
      expect(r.code).toBe(0);
      expect(t.sessions.map((s) => s.security.identity)).toEqual(['dev1']);
      expect(t.sessions[0]!.security.cipherSuite).toBe('TLS_PSK_WITH_AES_128_CCM_8');
      const req = t.received[0]!;
      expect(req[1]).toBe(0x02); // POST
      expect(req.toString('latin1')).toContain('rd');
      expect(req.toString('latin1')).toContain('</1/0>,</3/0>');
    });
  }
});

describe('interop: node-dtls-client (npm, TypeScript)', () => {
  it('completes a PSK handshake with CCM_8 and echoes data both ways', async () => {
    t = await startServer();
    const port = t.port;
    const socket = dtls.createSocket({
      type: 'udp4',
      address: '127.0.0.1',
      port,
      psk: { dev1: PSK_TEXT },
      timeout: 5000,
      ciphers: ['TLS_PSK_WITH_AES_128_CCM_8'],
    });
    const reply = await new Promise<string>((resolve, reject) => {
      socket.on('connected', () => socket.send(Buffer.from('from node')));
      socket.on('message', (m: Buffer) => resolve(m.toString()));
      socket.on('error', reject);
    });
    socket.close();
    expect(reply).toBe('echo:from node');
    expect(t.sessions.map((s) => s.security)).toEqual([{ mode: 'psk', identity: 'dev1', cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8', connectionId: false }]);
  });
});

import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { isLoopbackHost, loadOrCreateAccessToken, TOKEN_FILE_NAME } from './access-token.js';
import { startHarness, TestClient, type Harness } from './console-test-kit.js';
import { resolveStaticPath } from './static-files.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.server.close();
  harness = undefined;
});

async function withStaticDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'console-dist-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  await writeFile(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
  await writeFile(join(dir, 'assets', 'app-1.css'), 'body{}');
  await writeFile(join(dir, '..', 'secret.txt'), 'outside');
  return dir;
}

describe('console static files', () => {
  it('serves assets with their content type and index.html for client routes', async () => {
    const staticDir = await withStaticDir();
    harness = await startHarness({ staticDir });
    const base = harness.server.url;
    const js = await fetch(`${base}/assets/app-1.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${base}/assets/app-1.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const route of ['/', '/devices/dev1', '/devices/a.b.c', '/activity']) {
      const page = await fetch(base + route);
      expect(page.status, route).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('id="app"');
    }
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it('never serves a file outside the app folder', async () => {
    const staticDir = await withStaticDir();
    harness = await startHarness({ staticDir });
    for (const path of ['/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00', '/..%5csecret.txt']) {
      const res = await fetch(harness.server.url + path);
      expect(await res.text(), path).not.toContain('outside');
    }
    expect(resolveStaticPath('/srv/app', '/../etc/passwd')).toEqual({ kind: 'bad-request' });
    expect(resolveStaticPath('/srv/app', '/assets/a.js')).toEqual({ kind: 'file', path: '/srv/app/assets/a.js' });
    expect(resolveStaticPath('/srv/app', '/%2e%2e/etc/passwd')).toEqual({ kind: 'bad-request' });
    expect(resolveStaticPath('/srv/app', '/%E0%A4%A')).toEqual({ kind: 'bad-request' });
  });

  it('answers malformed request targets with 400, on plain requests and upgrades, and keeps serving', async () => {
    harness = await startHarness();
    const port = harness.server.port;
    const statusLine = (text: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.write(text));
        let out = '';
        s.on('data', (d) => (out += d.toString()));
        s.on('close', () => resolve(out.split('\r\n')[0] ?? ''));
        s.on('error', () => resolve('socket error'));
        setTimeout(() => s.destroy(), 1000);
      });
    const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
    expect(await statusLine('GET //[ HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await statusLine(`GET //[ HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    expect(await statusLine(`GET /elsewhere HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n`)).toBe('HTTP/1.1 404 Not Found');
    expect((await fetch(`${harness.server.url}/healthz`)).status).toBe(200);
  });

  it('reports health as JSON', async () => {
    harness = await startHarness();
    const res = await fetch(`${harness.server.url}/healthz`);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ status: 'ok', registrations: 0, consoleClients: 0 });
  });
});

describe('console access token', () => {
  it('needs no token on loopback and treats other addresses as needing one', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com'].some(isLoopbackHost)).toBe(false);
  });

  it('creates a token once with mode 0600 and only reveals it on that first start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'console-token-'));
    const first = await loadOrCreateAccessToken(join(dir, 'data'));
    expect(first.createdToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const mode = (await stat(join(dir, 'data', TOKEN_FILE_NAME))).mode & 0o777;
    expect(mode).toBe(0o600);
    const second = await loadOrCreateAccessToken(join(dir, 'data'));
    expect(second.createdToken).toBeUndefined();
    expect(second.check.matchesToken(first.createdToken!)).toBe(true);
    expect(second.check.matchesToken(first.createdToken!.slice(1))).toBe(false);
    expect(second.check.matchesToken('')).toBe(false);
  });

  it('refuses the WebSocket and the API without the token, and accepts header, query and sign-in cookie', async () => {
    const lines: string[] = [];
    const printed: string[] = [];
    harness = await startHarness({ requireToken: true, printToken: (t) => printed.push(t) }, createLogger('debug', (l) => lines.push(l)));
    const token = (await readFile(join(harness.dataDir, TOKEN_FILE_NAME), 'utf8')).trim();
    const base = harness.server.url;
    expect(printed.join('')).toContain(token);

    await expect(TestClient.connect(harness.wsUrl)).rejects.toThrow('HTTP 401');
    await expect(TestClient.connect(`${harness.wsUrl}?token=wrong`)).rejects.toThrow('HTTP 401');
    expect(await (await fetch(`${base}/api/session`)).json()).toEqual({ authRequired: true, authorized: false });
    expect(await (await fetch(`${base}/healthz`)).json()).not.toHaveProperty('registrations');

    const viaHeader = await TestClient.connect(harness.wsUrl, { headers: { Authorization: `Bearer ${token}` } });
    await viaHeader.next('snapshot');
    viaHeader.ws.terminate();
    const viaQuery = await TestClient.connect(`${harness.wsUrl}?token=${encodeURIComponent(token)}`);
    await viaQuery.next('snapshot');
    viaQuery.ws.terminate();

    const refused = await fetch(`${base}/api/sign-in`, { method: 'POST', body: JSON.stringify({ token: 'guess' }) });
    expect(refused.status).toBe(401);
    const signIn = await fetch(`${base}/api/sign-in`, { method: 'POST', body: JSON.stringify({ token }) });
    expect(signIn.status).toBe(200);
    const setCookie = signIn.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(token);
    expect(JSON.stringify(await signIn.clone().text())).not.toContain(token);
    const cookie = setCookie.split(';')[0]!;
    expect(await (await fetch(`${base}/api/session`, { headers: { cookie } })).json()).toEqual({ authRequired: true, authorized: true });
    const viaCookie = await TestClient.connect(harness.wsUrl, { headers: { cookie } });
    await viaCookie.next('snapshot');
    viaCookie.ws.terminate();

    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).toContain('console sign-in refused');
  });

  it('does not print the token again on the next start', async () => {
    const first = await startHarness({ requireToken: true });
    await first.server.close();
    const printed: string[] = [];
    const lines: string[] = [];
    harness = await startHarness(
      { requireToken: true, dataDir: first.dataDir, printToken: (t) => printed.push(t) },
      createLogger('debug', (l) => lines.push(l)),
    );
    const token = (await readFile(join(first.dataDir, TOKEN_FILE_NAME), 'utf8')).trim();
    expect(printed).toEqual([]);
    expect(lines.join('\n')).toContain(TOKEN_FILE_NAME);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('refuses a WebSocket opened by a page from another origin', async () => {
    harness = await startHarness();
    await expect(TestClient.connect(harness.wsUrl, { headers: { Origin: 'https://evil.example' } })).rejects.toThrow('HTTP 403');
    const ok = await TestClient.connect(harness.wsUrl, { headers: { Origin: harness.server.url } });
    await ok.next('snapshot');
    ok.ws.terminate();
  });
});

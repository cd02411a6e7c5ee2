/**
 * The console server: one HTTP server for the built app (web/dist), a few JSON endpoints,
 * and the `/ws` WebSocket of the fleet hub.
 *
 * Routes (docs/console.md):
 * - `GET /healthz`          liveness; counts only for authorized callers
 * - `GET /api/session`      `{ authRequired, authorized }` — drives the sign-in screen
 * - `POST /api/sign-in`     `{ "token": "…" }` → session cookie (HttpOnly, SameSite=Strict)
 * - `POST /api/sign-out`    clears the cookie
 * - `GET /ws`               WebSocket upgrade (console protocol, shared/src/protocol.ts);
 *                            `?encoding=rows` asks for compact `snapshotRows` snapshots
 * - anything else           static files, index.html for client routes
 *
 * Access: on loopback nothing is asked. Bound elsewhere, every API call and the WebSocket
 * need the access token (Bearer header, `?token=` on the WebSocket URL, or the cookie).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ServerInfo } from '@lwm2m-console/shared';
import type { RegistrationEventBus } from '../events/registration-event-bus.js';
import type { ConsoleServices } from './console-services.js';
import type { Logger } from '../log.js';
import type { RegistrationStore } from '../registry/registration-store.js';
import {
  SESSION_COOKIE_NAME,
  isLoopbackHost,
  loadOrCreateAccessToken,
  readBearer,
  readCookie,
  type AccessCheck,
} from './access-token.js';
import { EndpointTimelines, type EndpointTimelinesOptions } from './endpoint-timelines.js';
import { FleetHub, type FleetHubTuning } from './fleet-hub.js';
import { createStaticHandler, setSecurityHeaders } from './static-files.js';

export interface ConsoleServerOptions {
  host: string;
  port: number;
  dataDir: string;
  /** Built console (web/dist). */
  staticDir: string;
  store: RegistrationStore;
  events: RegistrationEventBus;
  info: () => ServerInfo;
  log: Logger;
  now?: () => number;
  /** Require the access token. Default: required unless `host` is a loopback address. */
  requireToken?: boolean;
  /** Where a newly created token is shown, once. Default: stdout (not the log). */
  printToken?: (text: string) => void;
  hub?: Partial<FleetHubTuning>;
  timelines?: EndpointTimelinesOptions;
  /** Device operations, audit, models, credentials (issues 4 and 5). */
  services?: ConsoleServices;
}

export interface ConsoleServer {
  /** Where it listens, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  readonly tokenRequired: boolean;
  readonly hub: FleetHub;
  close(): Promise<void>;
}

const MAX_SIGN_IN_BODY = 4096;

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { log } = options;
  const tokenRequired = options.requireToken ?? !isLoopbackHost(options.host);
  let access: AccessCheck | undefined;
  if (tokenRequired) {
    const loaded = await loadOrCreateAccessToken(options.dataDir);
    access = loaded.check;
    if (loaded.createdToken !== undefined) {
      const print = options.printToken ?? ((text: string) => process.stdout.write(text));
      print(
        `console access token (shown once; also stored in ${loaded.path}):\n  ${loaded.createdToken}\n` +
          `sign in at the console, or use "Authorization: Bearer <token>"\n`,
      );
    } else {
      log.info('console access token required', { file: loaded.path });
    }
  }

  const hub = new FleetHub({
    store: options.store,
    events: options.events,
    info: options.info,
    log,
    ...(options.now ? { now: options.now } : {}),
    timelines: new EndpointTimelines(options.timelines),
    ...(options.hub ? { tuning: options.hub } : {}),
    ...(options.services ? { services: options.services } : {}),
  });
  const serveStatic = createStaticHandler(options.staticDir);
  const startedAt = Date.now();

  const authorized = (req: IncomingMessage, url: URL, allowQueryToken: boolean): boolean => {
    if (!access) return true;
    const bearer = readBearer(req.headers.authorization);
    if (bearer !== undefined && access.matchesToken(bearer)) return true;
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE_NAME);
    if (cookie !== undefined && access.matchesSession(cookie)) return true;
    const query = allowQueryToken ? url.searchParams.get('token') : null;
    return query !== null && access.matchesToken(query);
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    setSecurityHeaders(res);
    res.end(JSON.stringify(body));
  };

  const signIn = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readSmallBody(req, MAX_SIGN_IN_BODY);
    let token: unknown;
    try {
      token = body === undefined ? undefined : (JSON.parse(body) as { token?: unknown }).token;
    } catch {
      token = undefined;
    }
    if (!access) return json(res, 200, { authorized: true });
    if (typeof token !== 'string' || !access.matchesToken(token.trim())) {
      log.warn('console sign-in refused', { remote: req.socket.remoteAddress });
      return json(res, 401, { error: 'UNAUTHORIZED', message: 'that is not the access token' });
    }
    res.setHeader('Set-Cookie', `${SESSION_COOKIE_NAME}=${access.sessionValue()}; HttpOnly; SameSite=Strict; Path=/`);
    log.info('console sign-in', { remote: req.socket.remoteAddress });
    return json(res, 200, { authorized: true });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    if (!url) return json(res, 400, { error: 'BAD_MESSAGE', message: 'malformed request target' });
    const path = url.pathname;
    if (path === '/healthz') {
      const base = { status: 'ok', uptimeS: Math.round((Date.now() - startedAt) / 1000) };
      return json(res, 200, authorized(req, url, false) ? { ...base, registrations: options.store.size, consoleClients: hub.clientCount } : base);
    }
    if (path === '/api/session') return json(res, 200, { authRequired: tokenRequired, authorized: authorized(req, url, false) });
    if (path === '/api/sign-in') {
      if (req.method !== 'POST') return json(res, 405, { error: 'BAD_MESSAGE', message: 'use POST' });
      return signIn(req, res);
    }
    if (path === '/api/sign-out') {
      if (req.method !== 'POST') return json(res, 405, { error: 'BAD_MESSAGE', message: 'use POST' });
      res.setHeader('Set-Cookie', `${SESSION_COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      return json(res, 200, { authorized: false });
    }
    if (path.startsWith('/api/')) return json(res, 404, { error: 'NOT_FOUND', message: 'no such endpoint' });
    return serveStatic(req, res, path);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error('console request failed', { error, path: req.url?.split('?')[0] });
      if (!res.headersSent) json(res, 500, { error: 'INTERNAL', message: 'internal error' });
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  // maxPayload above MAX_CLIENT_MESSAGE_BYTES: frames a little too big get a TOO_LARGE reply
  // from the hub; frames far too big make ws close the connection (1009) before buffering them.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });
  wss.on('error', (error) => log.warn('console websocket server error', { error }));

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = requestUrl(req);
    if (!url) return refuse('400 Bad Request');
    if (url.pathname !== '/ws') return refuse('404 Not Found');
    // A page on another site must not read the fleet through the user's browser.
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host)) return refuse('403 Forbidden');
    if (!authorized(req, url, true)) return refuse('401 Unauthorized');
    const encoding = url.searchParams.get('encoding') === 'rows' ? 'rows' : 'objects';
    wss.handleUpgrade(req, socket, head, (ws) => hub.attach(ws, encoding));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error('console server error', { error }));
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    tokenRequired,
    hub,
    close: async () => {
      hub.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The request target as a URL, or undefined when it does not parse (`GET //[`). */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://console.invalid');
  } catch {
    return undefined;
  }
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The request body as text, or undefined when it is larger than `max` bytes. */
function readSmallBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

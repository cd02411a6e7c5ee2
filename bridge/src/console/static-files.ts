/**
 * Serves the built console (web/dist): files with their content type, index.html for client
 * routes (`/devices/dev1`, `/activity`), and nothing outside the root, however the path is
 * spelled (`..`, `%2e%2e`, `%2f`, NUL).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export type StaticResolution =
  | { kind: 'file'; path: string }
  | { kind: 'spa' }
  | { kind: 'bad-request' }
  | { kind: 'not-found' };

/**
 * Pure: maps a URL pathname to a file under `root`, the SPA fallback, or a refusal.
 * `exists` is not consulted here; the caller falls back when the file is missing.
 */
export function resolveStaticPath(root: string, pathname: string): StaticResolution {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'bad-request' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-request' };
  const absRoot = resolve(root);
  const target = resolve(join(absRoot, decoded));
  if (target !== absRoot && !target.startsWith(absRoot + sep)) return { kind: 'bad-request' };
  if (target === absRoot || decoded.endsWith('/')) return { kind: 'spa' };
  return { kind: 'file', path: target };
}

/** A client route has no file extension (`/devices/dev1`); asset paths do (`/assets/x.js`). */
function looksLikeClientRoute(pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return !last.includes('.') || pathname.startsWith('/devices/');
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/** Returns a handler for GET/HEAD of static files; answers every request it is given. */
export function createStaticHandler(root: string): (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void> {
  const indexPath = join(resolve(root), 'index.html');

  const send = async (req: IncomingMessage, res: ServerResponse, path: string, size: number, immutable: boolean) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Length', size);
    res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    setSecurityHeaders(res);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const plain = (res: ServerResponse, status: number, text: string) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    setSecurityHeaders(res);
    res.end(text + '\n');
  };

  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      plain(res, 405, 'method not allowed');
      return;
    }
    const resolution = resolveStaticPath(root, pathname);
    if (resolution.kind === 'bad-request') return plain(res, 400, 'bad path');
    if (resolution.kind === 'file') {
      const size = await fileSize(resolution.path);
      if (size !== undefined) return send(req, res, resolution.path, size, pathname.startsWith('/assets/'));
      if (!looksLikeClientRoute(pathname)) return plain(res, 404, 'not found');
    }
    const indexSize = await fileSize(indexPath);
    if (indexSize === undefined) return plain(res, 503, 'console not built: run `npm run build` (web/dist is missing)');
    return send(req, res, indexPath, indexSize, false);
  };
}

/**
 * The console access token: required when the console listens on anything but loopback.
 *
 * Generated once (32 random bytes, base64url) and stored in `<dataDir>/console-token` with
 * mode 0600. The value is handed back to the caller only on the start that created it, so it
 * can be printed once; afterwards only its file path is ever mentioned.
 *
 * The browser proves it knows the token in one of three ways (docs/console.md):
 * `Authorization: Bearer <token>`, the `token` query parameter of the WebSocket URL, or the
 * session cookie set by `POST /api/sign-in`. The cookie holds an HMAC of the token, never the
 * token itself, so nothing the bridge sends to a browser contains it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';

export const TOKEN_FILE_NAME = 'console-token';
export const SESSION_COOKIE_NAME = 'lwm2m_console_session';

export interface AccessCheck {
  /** Constant-time check of a presented token (header or query parameter). */
  matchesToken(candidate: string): boolean;
  /** Constant-time check of a session cookie value. */
  matchesSession(candidate: string): boolean;
  /** The value of the session cookie that proves the token was presented. */
  sessionValue(): string;
}

export interface LoadedToken {
  check: AccessCheck;
  /** Where the token lives, safe to log. */
  path: string;
  /** Only on the start that created the token: its value, to print once. */
  createdToken?: string;
}

/** Hashing both sides first makes the comparison constant-time even when lengths differ. */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

export function accessCheckFor(token: string): AccessCheck {
  const session = createHmac('sha256', token).update('lwm2m-console session v1').digest('base64url');
  return {
    matchesToken: (candidate) => sameSecret(candidate, token),
    matchesSession: (candidate) => sameSecret(candidate, session),
    sessionValue: () => session,
  };
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

/** Reads the token from `dataDir`, creating it (mode 0600) when there is none. */
export async function loadOrCreateAccessToken(dataDir: string): Promise<LoadedToken> {
  const path = join(dataDir, TOKEN_FILE_NAME);
  let existing: string | undefined;
  try {
    existing = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing !== undefined) {
    if (!TOKEN_SHAPE.test(existing)) {
      throw Object.assign(new Error(`${path} does not hold a valid console token; delete it to make a new one`), {
        code: 'CONSOLE_TOKEN_INVALID',
      });
    }
    return { check: accessCheckFor(existing), path };
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  // 'wx': never overwrite a token another process wrote in the meantime.
  await writeFile(path, token + '\n', { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return { check: accessCheckFor(token), path, createdToken: token };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Value of one cookie from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Bearer token from an Authorization header, or undefined. */
export function readBearer(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

/**
 * Runtime narrowing of untrusted input: `unknown` in, a typed value or a clear error out.
 * Never cast what came off the wire.
 */
import {
  PROTOCOL_VERSION,
  PROTOCOL_ERROR_CODES,
  type ClientMessage,
  type ProtocolErrorCode,
  type ServerMessage,
} from './protocol.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: ProtocolErrorCode; error: string };

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function fail(code: ProtocolErrorCode, error: string): { ok: false; code: ProtocolErrorCode; error: string } {
  return { ok: false, code, error };
}

function shortString(x: unknown, max: number): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= max;
}

/** Parses one console → bridge frame (already decoded as text). */
export function parseClientMessage(text: string): Parsed<ClientMessage> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail('BAD_JSON', 'message is not valid JSON');
  }
  if (!isRecord(data)) return fail('BAD_MESSAGE', 'message must be a JSON object');
  if (data.v !== PROTOCOL_VERSION) {
    return fail('UNSUPPORTED_VERSION', `protocol version must be ${PROTOCOL_VERSION}`);
  }
  switch (data.type) {
    case 'resync':
      return { ok: true, value: { type: 'resync', v: PROTOCOL_VERSION } };
    case 'ping':
      return { ok: true, value: { type: 'ping', v: PROTOCOL_VERSION } };
    case 'getDevice':
      if (!shortString(data.requestId, 64)) return fail('BAD_MESSAGE', 'getDevice needs a requestId');
      if (!shortString(data.endpoint, 256)) return fail('BAD_MESSAGE', 'getDevice needs an endpoint');
      return {
        ok: true,
        value: { type: 'getDevice', v: PROTOCOL_VERSION, requestId: data.requestId, endpoint: data.endpoint },
      };
    default:
      return fail('BAD_MESSAGE', `unknown message type ${JSON.stringify(String(data.type)).slice(0, 40)}`);
  }
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Parses one bridge → console frame. The console trusts its own bridge more than the bridge
 * trusts a browser, so this checks the envelope and the fields the client's state machine
 * depends on (seq, parts, arrays), not every nested field.
 */
export function parseServerMessage(text: string): Parsed<ServerMessage> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail('BAD_JSON', 'message is not valid JSON');
  }
  if (!isRecord(data)) return fail('BAD_MESSAGE', 'message must be a JSON object');
  if (data.v !== PROTOCOL_VERSION) return fail('UNSUPPORTED_VERSION', `protocol version must be ${PROTOCOL_VERSION}`);
  const m = data as Record<string, unknown> & { type: unknown };
  switch (m.type) {
    case 'hello':
      if (!isRecord(m.server) || !Array.isArray(m.server.coapUris)) return fail('BAD_MESSAGE', 'hello needs server info');
      break;
    case 'snapshot':
      if (!isCount(m.seq) || !isCount(m.part) || !isCount(m.parts) || m.part >= m.parts || !Array.isArray(m.registrations)) {
        return fail('BAD_MESSAGE', 'snapshot needs seq, part < parts and registrations');
      }
      break;
    case 'snapshotRows':
      if (!isCount(m.seq) || !isCount(m.part) || !isCount(m.parts) || m.part >= m.parts || !Array.isArray(m.rows)) {
        return fail('BAD_MESSAGE', 'snapshotRows needs seq, part < parts and rows');
      }
      break;
    case 'delta':
      if (!isCount(m.seq) || !Array.isArray(m.events)) return fail('BAD_MESSAGE', 'delta needs seq and events');
      break;
    case 'device':
      if (typeof m.requestId !== 'string' || typeof m.endpoint !== 'string' || !Array.isArray(m.timeline)) {
        return fail('BAD_MESSAGE', 'device needs requestId, endpoint and timeline');
      }
      break;
    case 'error':
      if (typeof m.message !== 'string' || !(PROTOCOL_ERROR_CODES as readonly unknown[]).includes(m.code)) {
        return fail('BAD_MESSAGE', 'error needs a known code and a message');
      }
      break;
    case 'pong':
      break;
    default:
      return fail('BAD_MESSAGE', `unknown message type ${JSON.stringify(String(m.type)).slice(0, 40)}`);
  }
  // The checks above cover what the receiving state machine relies on; the remaining
  // fields are the bridge's own output, declared in protocol.ts.
  return { ok: true, value: data as unknown as ServerMessage };
}

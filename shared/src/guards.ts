/**
 * Runtime narrowing of untrusted input: `unknown` in, a typed value or a clear error out.
 * Never cast what came off the wire.
 */
import {
  PROTOCOL_VERSION,
  type ClientMessage,
  type ProtocolErrorCode,
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

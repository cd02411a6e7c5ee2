/**
 * Runtime narrowing of untrusted input: `unknown` in, a typed value or a clear error out.
 * Never cast what came off the wire.
 */
import {
  MAX_ACTIVITY_LIMIT,
  PROTOCOL_VERSION,
  PROTOCOL_ERROR_CODES,
  type ClientMessage,
  type ProtocolErrorCode,
  type ServerMessage,
} from './protocol.js';
import { narrowCredentialInput, narrowOperationRequest } from './request-guards.js';

/**
 * A refused request that carried a usable `requestId` keeps it (`requestId`), so the answer can
 * name it: otherwise the console's request waits for its own timeout (15 s, 120 s for an
 * operation) to learn what the bridge already said.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; code: ProtocolErrorCode; error: string; requestId?: string };

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function fail(code: ProtocolErrorCode, error: string): { ok: false; code: ProtocolErrorCode; error: string } {
  return { ok: false, code, error };
}

function shortString(x: unknown, max: number): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= max;
}

/** Both directions: a JSON object of this protocol version. */
function parseEnvelope(text: string): Parsed<Record<string, unknown>> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail('BAD_JSON', 'message is not valid JSON');
  }
  if (!isRecord(data)) return fail('BAD_MESSAGE', 'message must be a JSON object');
  if (data.v !== PROTOCOL_VERSION) return fail('UNSUPPORTED_VERSION', `protocol version must be ${PROTOCOL_VERSION}`);
  return { ok: true, value: data };
}

/** Parses one console → bridge frame (already decoded as text). */
export function parseClientMessage(text: string): Parsed<ClientMessage> {
  const envelope = parseEnvelope(text);
  if (!envelope.ok) return envelope;
  const data = envelope.value;
  switch (data.type) {
    case 'resync':
      return { ok: true, value: { type: 'resync', v: PROTOCOL_VERSION } };
    case 'ping':
      return { ok: true, value: { type: 'ping', v: PROTOCOL_VERSION } };
    case 'getDevice':
      if (!shortString(data.requestId, 64)) return fail('BAD_MESSAGE', 'getDevice needs a requestId');
      if (!shortString(data.endpoint, 256)) return { ...fail('BAD_MESSAGE', 'getDevice needs an endpoint'), requestId: data.requestId };
      return {
        ok: true,
        value: { type: 'getDevice', v: PROTOCOL_VERSION, requestId: data.requestId, endpoint: data.endpoint },
      };
    default: {
      const parsed = parseRequest(data);
      return parsed.ok || !shortString(data.requestId, 64) ? parsed : { ...parsed, requestId: data.requestId };
    }
  }
}

/** Console → bridge messages that carry a requestId and a payload. */
function parseRequest(data: Record<string, unknown>): Parsed<ClientMessage> {
  const type = data.type;
  if (!shortString(data.requestId, 64)) {
    return typeof type === 'string' && REQUEST_TYPES.has(type)
      ? fail('BAD_MESSAGE', `${type} needs a requestId`)
      : fail('BAD_MESSAGE', `unknown message type ${JSON.stringify(String(type)).slice(0, 40)}`);
  }
  const requestId = data.requestId;
  const v = PROTOCOL_VERSION;
  switch (type) {
    case 'operation': {
      const r = narrowOperationRequest(data.request);
      return r.ok ? { ok: true, value: { type, v, requestId, request: r.value } } : fail('BAD_MESSAGE', `operation: ${r.error}`);
    }
    case 'getAudit':
    case 'getRefusals':
    case 'getSecurityStatus':
      return { ok: true, value: { type, v, requestId } };
    case 'uploadModel':
      if (!shortString(data.name, 255) || typeof data.xml !== 'string' || data.xml.length === 0) return fail('BAD_MESSAGE', 'uploadModel needs a name and the DDF xml');
      return { ok: true, value: { type, v, requestId, name: data.name, xml: data.xml } };
    case 'setLayout': {
      if (data.layout !== null && data.layout !== 'published' && data.layout !== 'draft') return fail('BAD_MESSAGE', 'layout must be published, draft or null');
      if (data.endpoint !== undefined && !shortString(data.endpoint, 255)) return fail('BAD_MESSAGE', 'endpoint must be text');
      if (data.layout === null && data.endpoint === undefined) return fail('BAD_MESSAGE', 'the server-wide layout cannot be reset to null');
      const m: ClientMessage = { type, v, requestId, layout: data.layout };
      if (typeof data.endpoint === 'string') m.endpoint = data.endpoint;
      return { ok: true, value: m };
    }
    case 'listCredentials':
      return { ok: true, value: { type, v, requestId } };
    case 'getActivity': {
      if (data.limit === undefined) return { ok: true, value: { type, v, requestId } };
      const limit = data.limit;
      if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_ACTIVITY_LIMIT) {
        return fail('BAD_MESSAGE', `getActivity limit must be a whole number from 1 to ${MAX_ACTIVITY_LIMIT}`);
      }
      return { ok: true, value: { type, v, requestId, limit } };
    }
    case 'putCredential': {
      const c = narrowCredentialInput(data.credential);
      return c.ok ? { ok: true, value: { type, v, requestId, credential: c.value } } : fail('BAD_MESSAGE', `putCredential: ${c.error}`);
    }
    case 'deleteCredential':
      if (!shortString(data.endpoint, 255)) return fail('BAD_MESSAGE', 'deleteCredential needs an endpoint');
      return { ok: true, value: { type, v, requestId, endpoint: data.endpoint } };
    case 'setAllowUnsecured':
      if (typeof data.allow !== 'boolean') return fail('BAD_MESSAGE', 'setAllowUnsecured needs allow: true or false');
      return { ok: true, value: { type, v, requestId, allow: data.allow } };
    default:
      return fail('BAD_MESSAGE', `unknown message type ${JSON.stringify(String(type)).slice(0, 40)}`);
  }
}

const REQUEST_TYPES = new Set(['operation', 'getActivity', 'getAudit', 'getRefusals', 'getSecurityStatus', 'uploadModel', 'setLayout', 'listCredentials', 'putCredential', 'deleteCredential', 'setAllowUnsecured']);

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** What the console's feed and merge read from each history line: a known kind and a time. */
function isActivityLine(x: unknown): boolean {
  if (!isRecord(x) || !isCount(x.at)) return false;
  if (x.kind === 'note') return typeof x.detail === 'string';
  return (x.kind === 'registered' || x.kind === 'updated' || x.kind === 'ended') && isRecord(x.registration) && typeof x.registration.endpoint === 'string';
}

/**
 * Parses one bridge → console frame. The console trusts its own bridge more than the bridge
 * trusts a browser, so this checks the envelope and the fields the client's state machine
 * depends on (seq, parts, arrays), not every nested field.
 */
export function parseServerMessage(text: string): Parsed<ServerMessage> {
  const envelope = parseEnvelope(text);
  if (!envelope.ok) return envelope;
  const data = envelope.value;
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
    case 'away':
      if (!Array.isArray(m.devices)) return fail('BAD_MESSAGE', 'away needs devices');
      break;
    case 'operationResult':
      if (typeof m.requestId !== 'string' || !isRecord(m.result) || typeof m.result.ok !== 'boolean') return fail('BAD_MESSAGE', 'operationResult needs requestId and result');
      break;
    case 'audit':
      if (!Array.isArray(m.entries)) return fail('BAD_MESSAGE', 'audit needs entries');
      break;
    case 'modelResult':
    case 'credentialResult':
      if (typeof m.requestId !== 'string' || typeof m.ok !== 'boolean') return fail('BAD_MESSAGE', `${m.type} needs requestId and ok`);
      break;
    case 'credentials':
      if (!Array.isArray(m.credentials) || typeof m.allowUnsecured !== 'boolean') return fail('BAD_MESSAGE', 'credentials needs a list and allowUnsecured');
      break;
    case 'refusals':
      if (!Array.isArray(m.refusals)) return fail('BAD_MESSAGE', 'refusals needs a list');
      break;
    case 'activity':
      if (typeof m.requestId !== 'string' || !isCount(m.seq) || !Array.isArray(m.events) || !isCount(m.capacity) || !isCount(m.recorded)) {
        return fail('BAD_MESSAGE', 'activity needs requestId, seq, events, capacity and recorded');
      }
      if (!m.events.every(isActivityLine)) return fail('BAD_MESSAGE', 'activity events need a kind and a time');
      break;
    case 'securityStatus':
      if (typeof m.requestId !== 'string' || !isCount(m.at) || (m.dtls !== undefined && !isRecord(m.dtls))) return fail('BAD_MESSAGE', 'securityStatus needs requestId, at and an optional dtls record');
      break;
    default:
      return fail('BAD_MESSAGE', `unknown message type ${JSON.stringify(String(m.type)).slice(0, 40)}`);
  }
  // The checks above cover what the receiving state machine relies on; the remaining
  // fields are the bridge's own output, declared in protocol.ts.
  return { ok: true, value: data as unknown as ServerMessage };
}

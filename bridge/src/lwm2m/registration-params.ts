/**
 * Register and Update query parameters (seed §6.1.1 Table 2; LwM2M 1.1 §6.2.1 / §6.2.2).
 * Pure: raw Uri-Query options in, typed parameters or a CoAP error outcome out.
 */
import {
  DEFAULT_LIFETIME_S,
  DEFAULT_LWM2M_VERSION,
  SUPPORTED_LWM2M_VERSIONS,
  type LwM2MVersion,
} from '@lwm2m-console/shared';

export type ParamError = { ok: false; code: '4.00' | '4.12'; reason: string };

export interface RegisterParams {
  endpoint: string;
  lifetime: number;
  lwm2mVersion: LwM2MVersion;
  binding: string;
  queueMode: boolean;
  smsNumber?: string;
  extraAttributes: Record<string, string>;
}

export interface UpdateParams {
  lifetime?: number;
  binding?: string;
  queueMode?: boolean;
  smsNumber?: string;
  extraAttributes: Record<string, string>;
}

/** The Lifetime resource is a 32-bit integer (seed B.1); zero would expire at once. */
export const MAX_LIFETIME_S = 0x7fffffff;
export const MAX_ENDPOINT_LENGTH = 255;
const MAX_QUERY_OPTIONS = 32;

/** LwM2M 1.0 §5.3.1.1 binding modes. */
const BINDINGS_1_0 = new Set(['U', 'UQ', 'S', 'SQ', 'US', 'UQS']);
/** LwM2M 1.1 §6.2.1.1: any non-empty combination of these letters, each at most once. */
const BINDING_LETTERS_1_1 = /^(?!.*(.).*\1)[UTSN]{1,4}$/;

const bad = (reason: string): ParamError => ({ ok: false, code: '4.00', reason });

/** Splits `k=v` options; a key seen twice is an error (which value would we believe?). */
function splitQuery(options: readonly string[]): { ok: true; params: Map<string, string> } | ParamError {
  if (options.length > MAX_QUERY_OPTIONS) return bad('too many query parameters');
  const params = new Map<string, string>();
  for (const option of options) {
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq);
    const value = eq < 0 ? '' : option.slice(eq + 1);
    if (key.length === 0) return bad('query parameter without a name');
    if (params.has(key)) return bad(`parameter '${key}' given twice`);
    params.set(key, value);
  }
  return { ok: true, params };
}

function parseLifetime(raw: string): number | ParamError {
  if (!/^\d{1,10}$/.test(raw)) return bad(`lt must be a whole number of seconds, got ${JSON.stringify(raw.slice(0, 20))}`);
  const lt = Number(raw);
  if (lt < 1 || lt > MAX_LIFETIME_S) return bad(`lt must be between 1 and ${MAX_LIFETIME_S}`);
  return lt;
}

function parseSms(raw: string): string | ParamError {
  // MSISDN (E.164): up to 15 digits, optionally written with a leading '+'.
  if (!/^\+?\d{1,15}$/.test(raw)) return bad('sms must be an MSISDN (digits, optional leading +)');
  return raw;
}

function parseBinding(raw: string, version: LwM2MVersion): { binding: string; queue: boolean } | ParamError {
  if (version === '1.0') {
    if (!BINDINGS_1_0.has(raw)) return bad(`b=${JSON.stringify(raw.slice(0, 8))} is not a LwM2M 1.0 binding (U, UQ, S, SQ, US, UQS)`);
    return { binding: raw, queue: raw.includes('Q') };
  }
  if (!BINDING_LETTERS_1_1.test(raw)) {
    return bad(`b=${JSON.stringify(raw.slice(0, 8))} is not a LwM2M ${version} binding (letters U, T, S, N; queue mode is the separate Q parameter)`);
  }
  return { binding: raw, queue: false };
}

function isControlFree(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20 || s.charCodeAt(i) === 0x7f) return false;
  return true;
}

const REGISTER_KEYS = new Set(['ep', 'lt', 'sms', 'lwm2m', 'b', 'Q']);

export function parseRegisterParams(options: readonly string[]): { ok: true; value: RegisterParams } | ParamError {
  const split = splitQuery(options);
  if (!split.ok) return split;
  const q = split.params;

  const endpoint = q.get('ep');
  if (endpoint === undefined || endpoint.length === 0) return bad("missing mandatory parameter 'ep' (endpoint name)");
  if (endpoint.length > MAX_ENDPOINT_LENGTH || !isControlFree(endpoint)) return bad('invalid endpoint name');

  let lwm2mVersion: LwM2MVersion = DEFAULT_LWM2M_VERSION;
  const rawVersion = q.get('lwm2m');
  if (rawVersion !== undefined) {
    const supported = SUPPORTED_LWM2M_VERSIONS.find((v) => v === rawVersion);
    if (!supported) {
      return { ok: false, code: '4.12', reason: `LwM2M version ${JSON.stringify(rawVersion.slice(0, 10))} not supported (1.0, 1.1, 1.2)` };
    }
    lwm2mVersion = supported;
  }

  let lifetime = DEFAULT_LIFETIME_S;
  const rawLifetime = q.get('lt');
  if (rawLifetime !== undefined) {
    const lt = parseLifetime(rawLifetime);
    if (typeof lt !== 'number') return lt;
    lifetime = lt;
  }

  let binding = 'U';
  let queueMode = false;
  const rawBinding = q.get('b');
  if (rawBinding !== undefined) {
    const b = parseBinding(rawBinding, lwm2mVersion);
    if ('ok' in b) return b;
    binding = b.binding;
    queueMode = b.queue;
  }
  if (q.has('Q')) {
    if (lwm2mVersion === '1.0') return bad("the Q parameter exists from LwM2M 1.1; 1.0 signals queue mode in b (UQ)");
    if (q.get('Q') !== '') return bad('Q takes no value');
    queueMode = true;
  }

  const value: RegisterParams = {
    endpoint,
    lifetime,
    lwm2mVersion,
    binding,
    queueMode,
    extraAttributes: extras(q, REGISTER_KEYS),
  };
  const rawSms = q.get('sms');
  if (rawSms !== undefined) {
    const sms = parseSms(rawSms);
    if (typeof sms !== 'string') return sms;
    value.smsNumber = sms;
  }
  return { ok: true, value };
}

const UPDATE_KEYS = new Set(['lt', 'sms', 'b', 'Q']);

/** Seed §6.1.2: every parameter of an Update is optional; only what is sent changes. */
export function parseUpdateParams(
  options: readonly string[],
  version: LwM2MVersion,
): { ok: true; value: UpdateParams } | ParamError {
  const split = splitQuery(options);
  if (!split.ok) return split;
  const q = split.params;
  if (q.has('ep')) return bad('an Update cannot change the endpoint name');
  if (q.has('lwm2m')) return bad('an Update cannot change the LwM2M version');

  const value: UpdateParams = { extraAttributes: extras(q, UPDATE_KEYS) };
  const rawLifetime = q.get('lt');
  if (rawLifetime !== undefined) {
    const lt = parseLifetime(rawLifetime);
    if (typeof lt !== 'number') return lt;
    value.lifetime = lt;
  }
  const rawBinding = q.get('b');
  if (rawBinding !== undefined) {
    const b = parseBinding(rawBinding, version);
    if ('ok' in b) return b;
    value.binding = b.binding;
    if (version === '1.0') value.queueMode = b.queue;
  }
  if (q.has('Q')) {
    if (version === '1.0') return bad("the Q parameter exists from LwM2M 1.1");
    value.queueMode = true;
  }
  const rawSms = q.get('sms');
  if (rawSms !== undefined) {
    const sms = parseSms(rawSms);
    if (typeof sms !== 'string') return sms;
    value.smsNumber = sms;
  }
  return { ok: true, value };
}

function extras(q: Map<string, string>, known: Set<string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const [k, v] of q) if (!known.has(k)) (out ??= {})[k] = v;
  return out ?? EMPTY;
}

/** One frozen empty object shared by every registration without extras (memory per registration). */
const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Conversions between LwM2M values and their text forms, and coercion of a value to a
 * resource's declared type (LwM2M 1.1 TS Core Appendix C, data types). Pure.
 */

import type { LwM2MValue, ResourceType } from '@lwm2m-console/shared';

export type ValueResult = { ok: true; value: LwM2MValue } | { ok: false; error: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A bigint as the JSON-friendly integer form: number when safe, decimal text otherwise. */
export function intValue(b: bigint): number | string {
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString();
}

/** The exact bigint of an integer value (number or decimal text); undefined if not an integer. */
export function toBigInt(v: number | string): bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : undefined;
  return /^-?\d{1,20}$/.test(v) ? BigInt(v) : undefined;
}

export function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0;
}

/** RFC 4648 §5 base64url (SenML `vd`, RFC 8428 §4.3) to standard base64. */
export function base64UrlToBase64(s: string): string | undefined {
  if (!/^[A-Za-z0-9_\-]*={0,2}$/.test(s)) return undefined;
  const std = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (std.length % 4 === 1) return undefined;
  return std + '='.repeat((4 - (std.length % 4)) % 4);
}

export function base64ToBase64Url(s: string): string {
  return s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Parse the text form of a value of a resource type (plain text format, LwM2M 1.1 §7.4.1). */
export function valueFromText(text: string, type: ResourceType): ValueResult {
  switch (type) {
    case 'String':
      return { ok: true, value: { type: 'string', value: text } };
    case 'Corelnk':
      return { ok: true, value: { type: 'corelnk', value: text } };
    case 'Integer':
    case 'Time': {
      const b = /^[+-]?\d{1,20}$/.test(text.trim()) ? BigInt(text.trim()) : undefined;
      if (b === undefined || b < INT64_MIN || b > INT64_MAX) return { ok: false, error: `"${clip(text)}" is not a 64-bit integer` };
      return type === 'Time' ? timeValue(b) : { ok: true, value: { type: 'integer', value: intValue(b) } };
    }
    case 'Unsigned Integer': {
      const b = /^\+?\d{1,20}$/.test(text.trim()) ? BigInt(text.trim()) : undefined;
      if (b === undefined || b > UINT64_MAX) return { ok: false, error: `"${clip(text)}" is not an unsigned 64-bit integer` };
      return { ok: true, value: { type: 'unsigned', value: intValue(b) } };
    }
    case 'Float': {
      const t = text.trim();
      // Number('') is 0 and Number('0x10') is 16: accept decimal notation only.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { ok: false, error: `"${clip(text)}" is not a float` };
      return { ok: true, value: { type: 'float', value: Number(t) } };
    }
    case 'Boolean':
      if (text === '1' || text === 'true') return { ok: true, value: { type: 'boolean', value: true } };
      if (text === '0' || text === 'false') return { ok: true, value: { type: 'boolean', value: false } };
      return { ok: false, error: `"${clip(text)}" is not a boolean (0 or 1)` };
    case 'Objlnk': {
      const m = /^(\d{1,5}):(\d{1,5})$/.exec(text.trim());
      const o = m ? Number(m[1]) : NaN;
      const i = m ? Number(m[2]) : NaN;
      if (!m || o > 65535 || i > 65535) return { ok: false, error: `"${clip(text)}" is not an object link (objectId:instanceId)` };
      return { ok: true, value: { type: 'objlnk', value: { objectId: o, instanceId: i } } };
    }
    case 'Opaque':
      // LwM2M 1.1 §7.4.1: opaque in plain text is base64.
      if (!isBase64(text.trim())) return { ok: false, error: 'opaque value in text form must be base64' };
      return { ok: true, value: { type: 'opaque', value: text.trim() } };
    case 'none':
      return { ok: false, error: 'an executable resource has no value' };
    default: {
      const never: never = type;
      return { ok: false, error: `unknown type ${String(never)}` };
    }
  }
}

/** The text form of a value (plain text format): booleans as 0/1, objlnk as o:i, opaque as base64. */
export function valueToText(v: LwM2MValue): string {
  switch (v.type) {
    case 'boolean':
      return v.value ? '1' : '0';
    case 'objlnk':
      return `${v.value.objectId}:${v.value.instanceId}`;
    case 'float':
      return Number.isFinite(v.value) ? String(v.value) : 'NaN';
    default:
      return String(v.value);
  }
}

function timeValue(b: bigint): ValueResult {
  if (b < BigInt(Number.MIN_SAFE_INTEGER) || b > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, error: `time ${b} is out of range` };
  }
  return { ok: true, value: { type: 'time', value: Number(b) } };
}

/**
 * Convert a value to the type a resource declares, where that is lossless: an integer
 * for a Float resource, text typed into the console for a number, a number for a Time.
 * `none` (executable) and an unknown resource keep the value as it is.
 */
export function coerceValue(v: LwM2MValue, type: ResourceType | undefined): ValueResult {
  if (type === undefined) return { ok: true, value: v };
  if (type === 'none') return { ok: false, error: 'an executable resource has no value' };
  if (v.type === 'string' || v.type === 'corelnk') return valueFromText(v.value, type);
  switch (type) {
    case 'String':
      return v.type === 'opaque' ? { ok: false, error: 'cannot use opaque bytes as a String' } : { ok: true, value: { type: 'string', value: valueToText(v) } };
    case 'Corelnk':
      return { ok: true, value: { type: 'corelnk', value: valueToText(v) } };
    case 'Integer':
    case 'Unsigned Integer':
    case 'Time':
      if (v.type === 'integer' || v.type === 'unsigned' || v.type === 'time' || (v.type === 'float' && Number.isInteger(v.value))) {
        const b = toBigInt(v.value);
        if (b === undefined) return { ok: false, error: `${String(v.value)} is not an integer` };
        return valueFromText(b.toString(), type);
      }
      return { ok: false, error: `cannot use a ${v.type} value as ${type}` };
    case 'Float':
      if (v.type === 'float') return { ok: true, value: v };
      if (v.type === 'integer' || v.type === 'unsigned' || v.type === 'time') {
        return { ok: true, value: { type: 'float', value: Number(v.value) } };
      }
      return { ok: false, error: `cannot use a ${v.type} value as Float` };
    case 'Boolean':
      if (v.type === 'boolean') return { ok: true, value: v };
      if ((v.type === 'integer' || v.type === 'unsigned') && (v.value === 0 || v.value === 1)) {
        return { ok: true, value: { type: 'boolean', value: v.value === 1 } };
      }
      return { ok: false, error: `cannot use a ${v.type} value as Boolean` };
    case 'Opaque':
      return v.type === 'opaque' ? { ok: true, value: v } : { ok: false, error: `cannot use a ${v.type} value as Opaque` };
    case 'Objlnk':
      return v.type === 'objlnk' ? { ok: true, value: v } : { ok: false, error: `cannot use a ${v.type} value as Objlnk` };
    default: {
      const never: never = type;
      return { ok: false, error: `unknown type ${String(never)}` };
    }
  }
}

/** At most 40 characters of untrusted text in an error message. */
export function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

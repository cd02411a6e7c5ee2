/**
 * Shared by the two JSON formats (SenML JSON 110 and OMA JSON 11543): resolving record
 * names to paths, and typing a JSON value with the object model. Pure.
 */

import { findResource, formatPath, parsePath, pathLevel, type LwM2MPath, type LwM2MValue, type ObjectModel } from '@lwm2m-console/shared';
import type { PathValue } from './node-tree.js';
import { base64UrlToBase64, clip, coerceValue, valueFromText } from './values.js';

/** Largest JSON payload decoded: far above any single CoAP message or block-wise Read. */
export const MAX_JSON_BYTES = 1024 * 1024;

/** A JSON value before the model types it. */
export type RawJsonValue =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'data'; base64: string }
  | { kind: 'objlnk'; value: string };

export function parseJson(payload: Buffer): { ok: true; json: unknown } | { ok: false; error: string } {
  if (payload.length > MAX_JSON_BYTES) return { ok: false, error: `JSON payload larger than ${MAX_JSON_BYTES} bytes` };
  try {
    return { ok: true, json: JSON.parse(payload.toString('utf8')) as unknown };
  } catch (e) {
    return { ok: false, error: `malformed JSON: ${(e as Error).message}` };
  }
}

/**
 * The path a record names: base name + name (RFC 8428 §4.5.1). Without a base name, an
 * empty name is the requested path itself and a relative name ("9", "6/0") is taken
 * within the requested object instance, as the LwM2M 1.0 §6.4.4 examples write them.
 */
export function resolveRecordPath(base: string, name: string, requested: LwM2MPath): { ok: true; path: LwM2MPath } | { ok: false; error: string } {
  let full = base + name;
  if (!full.startsWith('/')) full = full === '' ? formatPath(requested) : baseNameFor(requested) + full;
  const p = parsePath(full);
  if (!p.ok) return { ok: false, error: `record name "${clip(full)}" is not an LwM2M path` };
  const level = pathLevel(p.path);
  if (level === 'object' || level === 'instance') return { ok: false, error: `record "${clip(full)}" does not name a resource` };
  return p;
}

/** Type a JSON value with the resource's declared type; without one, JSON's own kind decides. */
export function typeJsonValue(raw: RawJsonValue, path: LwM2MPath, model: ObjectModel): { ok: true; value: LwM2MValue } | { ok: false; error: string } {
  const type = findResource(model, path.objectId, path.resourceId as number)?.type;
  let v: LwM2MValue;
  switch (raw.kind) {
    case 'number':
      if (!Number.isFinite(raw.value)) return { ok: false, error: `${formatPath(path)}: number is not finite` };
      v = Number.isSafeInteger(raw.value) && type !== 'Float' ? { type: 'integer', value: raw.value } : { type: 'float', value: raw.value };
      break;
    case 'string':
      // An Opaque resource's string is base64 (OMA JSON `sv`, LwM2M 1.0 §6.4.4).
      v = { type: 'string', value: raw.value };
      break;
    case 'boolean':
      v = { type: 'boolean', value: raw.value };
      break;
    case 'data':
      v = { type: 'opaque', value: raw.base64 };
      break;
    case 'objlnk': {
      const o = valueFromText(raw.value, 'Objlnk');
      if (!o.ok) return { ok: false, error: `${formatPath(path)}: ${o.error}` };
      v = o.value;
      break;
    }
  }
  const c = coerceValue(v, type);
  return c.ok ? c : { ok: false, error: `${formatPath(path)}: ${c.error}` };
}

/** A record's name relative to a base: entries are always below the base by construction. */
export function relativeName(entry: PathValue, base: string): string {
  const full = formatPath(entry.path);
  return full.startsWith(base) ? full.slice(base.length) : full;
}

/** The base name used when encoding: the requested object or instance, or a resource's instance. */
export function baseNameFor(path: LwM2MPath): string {
  if (path.instanceId === undefined) return `/${path.objectId}/`;
  return `/${path.objectId}/${path.instanceId}/`;
}

export { base64UrlToBase64 };

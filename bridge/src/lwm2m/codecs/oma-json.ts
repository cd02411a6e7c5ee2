/**
 * OMA LwM2M JSON (content format 11543; LwM2M 1.0 TS §6.4.4): `{"bn": "/3/0/", "e": [...]}`,
 * entries with `n` and one of `v` (number), `sv` (string; opaque as base64), `bv`
 * (boolean), `ov` (object link "o:i"); `bt`/`t` times are accepted and ignored. Pure.
 */

import { findResource, type LwM2MNode, type LwM2MPath, type LwM2MValue, type ObjectModel } from '@lwm2m-console/shared';
import { entriesFromNode, nodeFromEntries, type NodeResult, type PathValue } from './node-tree.js';
import { baseNameFor, parseJson, relativeName, resolveRecordPath, typeJsonValue, type RawJsonValue } from './json-records.js';
import { coerceValue } from './values.js';

export const MAX_OMA_JSON_ENTRIES = 10_000;

export function decodeOmaJson(path: LwM2MPath, payload: Buffer, model: ObjectModel): NodeResult {
  const parsed = parseJson(payload);
  if (!parsed.ok) return parsed;
  const doc = parsed.json;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, error: 'OMA JSON must be an object with an "e" array' };
  const d = doc as Record<string, unknown>;
  if (d.bn !== undefined && typeof d.bn !== 'string') return { ok: false, error: 'bn must be a string' };
  if (d.bt !== undefined && typeof d.bt !== 'number') return { ok: false, error: 'bt must be a number' };
  if (!Array.isArray(d.e)) return { ok: false, error: 'OMA JSON needs an "e" array' };
  if (d.e.length > MAX_OMA_JSON_ENTRIES) return { ok: false, error: `more than ${MAX_OMA_JSON_ENTRIES} entries` };
  const base = (d.bn as string | undefined) ?? '';
  const entries: PathValue[] = [];
  for (const [i, rec] of d.e.entries()) {
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return { ok: false, error: `entry ${i} is not an object` };
    const r = rec as Record<string, unknown>;
    if (r.n !== undefined && typeof r.n !== 'string') return { ok: false, error: `entry ${i}: n must be a string` };
    if (r.t !== undefined && typeof r.t !== 'number') return { ok: false, error: `entry ${i}: t must be a number` };
    const raw = rawValue(r);
    if (!raw.ok) return { ok: false, error: `entry ${i}: ${raw.error}` };
    const p = resolveRecordPath(base, (r.n as string | undefined) ?? '', path);
    if (!p.ok) return { ok: false, error: `entry ${i}: ${p.error}` };
    const v = typeJsonValue(raw.value, p.path, model);
    if (!v.ok) return { ok: false, error: `entry ${i}: ${v.error}` };
    entries.push({ path: p.path, value: v.value });
  }
  return nodeFromEntries(path, entries, model);
}

function rawValue(r: Record<string, unknown>): { ok: true; value: RawJsonValue } | { ok: false; error: string } {
  const present = ['v', 'sv', 'bv', 'ov'].filter((k) => r[k] !== undefined);
  if (present.length !== 1) return { ok: false, error: present.length === 0 ? 'no value (v, sv, bv or ov)' : `more than one value field (${present.join(', ')})` };
  if (r.v !== undefined) return typeof r.v === 'number' ? { ok: true, value: { kind: 'number', value: r.v } } : { ok: false, error: 'v must be a number' };
  if (r.sv !== undefined) return typeof r.sv === 'string' ? { ok: true, value: { kind: 'string', value: r.sv } } : { ok: false, error: 'sv must be a string' };
  if (r.bv !== undefined) return typeof r.bv === 'boolean' ? { ok: true, value: { kind: 'boolean', value: r.bv } } : { ok: false, error: 'bv must be a boolean' };
  return typeof r.ov === 'string' ? { ok: true, value: { kind: 'objlnk', value: r.ov } } : { ok: false, error: 'ov must be a string' };
}

function omaValueField(v: LwM2MValue): Record<string, unknown> {
  switch (v.type) {
    case 'string':
    case 'corelnk':
    case 'opaque':
      return { sv: v.value };
    case 'boolean':
      return { bv: v.value };
    case 'objlnk':
      return { ov: `${v.value.objectId}:${v.value.instanceId}` };
    case 'float':
    case 'time':
      return { v: v.value };
    case 'integer':
    case 'unsigned':
      return { v: Number(v.value) };
  }
}

export function encodeOmaJson(path: LwM2MPath, node: LwM2MNode, model: ObjectModel): { ok: true; bytes: Buffer } | { ok: false; error: string } {
  const flat = entriesFromNode(path, node);
  if (!flat.ok) return flat;
  const base = baseNameFor(path);
  const e: Record<string, unknown>[] = [];
  for (const entry of flat.entries) {
    const c = coerceValue(entry.value, findResource(model, entry.path.objectId, entry.path.resourceId as number)?.type);
    if (!c.ok) return { ok: false, error: c.error };
    e.push({ n: relativeName(entry, base), ...omaValueField(c.value) });
  }
  return { ok: true, bytes: Buffer.from(JSON.stringify({ bn: base, e }), 'utf8') };
}

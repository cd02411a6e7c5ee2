/**
 * SenML JSON (content format 110; RFC 8428, LwM2M 1.1 TS §7.4.5 and Table 7.4.5-1):
 * an array of records with `bn`/`n` names, values in `v` (number), `vs` (string),
 * `vb` (boolean), `vd` (opaque, base64url, RFC 8428 §4.3) and `vlo` (object link, LwM2M).
 * Pure.
 */

import type { LwM2MNode, LwM2MPath, LwM2MValue, ObjectModel } from '@lwm2m-console/shared';
import { entriesFromNode, nodeFromEntries, type NodeResult, type PathValue } from './node-tree.js';
import { base64UrlToBase64, baseNameFor, parseJson, relativeName, resolveRecordPath, typeJsonValue, type RawJsonValue } from './json-records.js';
import { base64ToBase64Url, coerceValue } from './values.js';
import { findResource } from '@lwm2m-console/shared';

/** Largest record count accepted in one payload. */
export const MAX_SENML_RECORDS = 10_000;

export function decodeSenmlJson(path: LwM2MPath, payload: Buffer, model: ObjectModel): NodeResult {
  const parsed = parseJson(payload);
  if (!parsed.ok) return parsed;
  const records = parsed.json;
  if (!Array.isArray(records)) return { ok: false, error: 'SenML JSON must be an array of records (RFC 8428 §4)' };
  if (records.length > MAX_SENML_RECORDS) return { ok: false, error: `more than ${MAX_SENML_RECORDS} SenML records` };
  let base = '';
  const entries: PathValue[] = [];
  for (const [i, rec] of records.entries()) {
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return { ok: false, error: `record ${i} is not an object` };
    const r = rec as Record<string, unknown>;
    // RFC 8428 §4.4: a field whose name ends with "_" must be understood; we understand none.
    const mustUnderstand = Object.keys(r).find((k) => k.endsWith('_'));
    if (mustUnderstand) return { ok: false, error: `record ${i}: unsupported must-understand field "${mustUnderstand}"` };
    if (r.bn !== undefined) {
      if (typeof r.bn !== 'string') return { ok: false, error: `record ${i}: bn must be a string` };
      base = r.bn;
    }
    if (r.n !== undefined && typeof r.n !== 'string') return { ok: false, error: `record ${i}: n must be a string` };
    const raw = rawValue(r);
    if (!raw.ok) return { ok: false, error: `record ${i}: ${raw.error}` };
    const p = resolveRecordPath(base, (r.n as string | undefined) ?? '', path);
    if (!p.ok) return { ok: false, error: `record ${i}: ${p.error}` };
    const v = typeJsonValue(raw.value, p.path, model);
    if (!v.ok) return { ok: false, error: `record ${i}: ${v.error}` };
    entries.push({ path: p.path, value: v.value });
  }
  return nodeFromEntries(path, entries, model);
}

function rawValue(r: Record<string, unknown>): { ok: true; value: RawJsonValue } | { ok: false; error: string } {
  const present = ['v', 'vs', 'vb', 'vd', 'vlo'].filter((k) => r[k] !== undefined);
  if (present.length !== 1) return { ok: false, error: present.length === 0 ? 'no value (v, vs, vb, vd or vlo)' : `more than one value field (${present.join(', ')})` };
  if (r.v !== undefined) return typeof r.v === 'number' ? { ok: true, value: { kind: 'number', value: r.v } } : { ok: false, error: 'v must be a number' };
  if (r.vs !== undefined) return typeof r.vs === 'string' ? { ok: true, value: { kind: 'string', value: r.vs } } : { ok: false, error: 'vs must be a string' };
  if (r.vb !== undefined) return typeof r.vb === 'boolean' ? { ok: true, value: { kind: 'boolean', value: r.vb } } : { ok: false, error: 'vb must be a boolean' };
  if (r.vd !== undefined) {
    const b = typeof r.vd === 'string' ? base64UrlToBase64(r.vd) : undefined;
    return b !== undefined ? { ok: true, value: { kind: 'data', base64: b } } : { ok: false, error: 'vd must be base64url text' };
  }
  return typeof r.vlo === 'string' ? { ok: true, value: { kind: 'objlnk', value: r.vlo } } : { ok: false, error: 'vlo must be a string' };
}

/** The SenML value field of a value (LwM2M 1.1 Table 7.4.5-1). */
export function senmlValueField(v: LwM2MValue): Record<string, unknown> {
  switch (v.type) {
    case 'string':
    case 'corelnk':
      return { vs: v.value };
    case 'boolean':
      return { vb: v.value };
    case 'opaque':
      return { vd: base64ToBase64Url(v.value) };
    case 'objlnk':
      return { vlo: `${v.value.objectId}:${v.value.instanceId}` };
    case 'float':
    case 'time':
      return { v: v.value };
    case 'integer':
    case 'unsigned':
      // Beyond 2^53 a JSON number loses digits; SenML has no exact integer field.
      return { v: Number(v.value) };
  }
}

export function encodeSenmlJson(path: LwM2MPath, node: LwM2MNode, model: ObjectModel): { ok: true; bytes: Buffer } | { ok: false; error: string } {
  const flat = entriesFromNode(path, node);
  if (!flat.ok) return flat;
  const base = baseNameFor(path);
  const records: Record<string, unknown>[] = [];
  for (const [i, e] of flat.entries.entries()) {
    const c = coerceValue(e.value, findResource(model, e.path.objectId, e.path.resourceId as number)?.type);
    if (!c.ok) return { ok: false, error: c.error };
    const rec: Record<string, unknown> = i === 0 ? { bn: base } : {};
    rec.n = relativeName(e, base);
    Object.assign(rec, senmlValueField(c.value));
    records.push(rec);
  }
  return { ok: true, bytes: Buffer.from(JSON.stringify(records), 'utf8') };
}

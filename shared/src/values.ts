/**
 * Typed LwM2M values and the node tree a Read returns or a Write carries
 * (LwM2M 1.1 TS Core §7.1 data types, §6.4 object/instance/resource levels).
 * JSON-serialisable, so the bridge sends them to the console as they are:
 * no Buffers, opaque bytes travel as base64 text.
 */

/** The value kinds of LwM2M 1.1 §C (Data Types), in lowercase as they travel in JSON. */
export type LwM2MValueType =
  | 'string'
  | 'integer'
  | 'unsigned'
  | 'float'
  | 'boolean'
  | 'opaque'
  | 'time'
  | 'objlnk'
  | 'corelnk';

/**
 * One typed value.
 * - `integer` / `unsigned`: a number when it is a safe integer, otherwise the exact decimal
 *   text (64-bit values beyond 2^53 would otherwise lose precision in JSON).
 * - `opaque`: bytes as standard base64.
 * - `time`: seconds since the Unix epoch (LwM2M Time is an integer of seconds).
 * - `objlnk`: Object ID and Object Instance ID (`65535:65535` is the null link).
 */
export type LwM2MValue =
  | { type: 'string'; value: string }
  | { type: 'integer'; value: number | string }
  | { type: 'unsigned'; value: number | string }
  | { type: 'float'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'opaque'; value: string }
  | { type: 'time'; value: number }
  | { type: 'objlnk'; value: { objectId: number; instanceId: number } }
  | { type: 'corelnk'; value: string };

/** Resource instance of a multiple-instance resource: `/o/i/r/ri`. */
export interface ResourceInstanceNode {
  kind: 'resourceInstance';
  id: number;
  value: LwM2MValue;
}

/** Single-instance resource with its value: `/o/i/r`. */
export interface SingleResourceNode {
  kind: 'resource';
  id: number;
  value: LwM2MValue;
}

/** Multiple-instance resource: `/o/i/r` holding resource instances. */
export interface MultipleResourceNode {
  kind: 'multipleResource';
  id: number;
  instances: ResourceInstanceNode[];
}

export type ResourceNode = SingleResourceNode | MultipleResourceNode;

/** Object instance: `/o/i`. */
export interface InstanceNode {
  kind: 'instance';
  id: number;
  resources: ResourceNode[];
}

/** Object: `/o`, with the instances the payload carried. */
export interface ObjectNode {
  kind: 'object';
  id: number;
  instances: InstanceNode[];
}

export type LwM2MNode = ObjectNode | InstanceNode | ResourceNode | ResourceInstanceNode;

/** A path in the LwM2M resource model: `/o`, `/o/i`, `/o/i/r` or `/o/i/r/ri`. */
export interface LwM2MPath {
  objectId: number;
  instanceId?: number;
  resourceId?: number;
  resourceInstanceId?: number;
}

/** Largest id on any level: ids are 16-bit, 65535 is reserved (LwM2M 1.1 §7.2). */
export const MAX_LWM2M_ID = 65534;

/**
 * Parse `/3/0/1` (leading slash optional) into a path. Returns an error text for anything
 * that is not 1 to 4 decimal ids in 0..65535 (65535 is kept for the objlnk null value only
 * on the object level, so it is rejected here).
 */
export function parsePath(text: string): { ok: true; path: LwM2MPath } | { ok: false; error: string } {
  const trimmed = text.startsWith('/') ? text.slice(1) : text;
  const parts = trimmed === '' ? [] : trimmed.split('/');
  if (parts.length < 1 || parts.length > 4) {
    return { ok: false, error: `path "${text}" must have 1 to 4 levels (/o, /o/i, /o/i/r, /o/i/r/ri)` };
  }
  const ids: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,5}$/.test(p) || Number(p) > MAX_LWM2M_ID) {
      return { ok: false, error: `path "${text}": "${p}" is not an id in 0..${MAX_LWM2M_ID}` };
    }
    ids.push(Number(p));
  }
  const path: LwM2MPath = { objectId: ids[0] as number };
  if (ids[1] !== undefined) path.instanceId = ids[1];
  if (ids[2] !== undefined) path.resourceId = ids[2];
  if (ids[3] !== undefined) path.resourceInstanceId = ids[3];
  return { ok: true, path };
}

/** `/o/i/r/ri` text of a path, as many levels as it has. */
export function formatPath(p: LwM2MPath): string {
  let s = `/${p.objectId}`;
  if (p.instanceId === undefined) return s;
  s += `/${p.instanceId}`;
  if (p.resourceId === undefined) return s;
  s += `/${p.resourceId}`;
  if (p.resourceInstanceId === undefined) return s;
  return `${s}/${p.resourceInstanceId}`;
}

/** Which level a path addresses. */
export function pathLevel(p: LwM2MPath): 'object' | 'instance' | 'resource' | 'resourceInstance' {
  if (p.instanceId === undefined) return 'object';
  if (p.resourceId === undefined) return 'instance';
  if (p.resourceInstanceId === undefined) return 'resource';
  return 'resourceInstance';
}

/** Human-readable text of a value, as the console shows it (opaque stays base64). */
export function formatValue(v: LwM2MValue): string {
  switch (v.type) {
    case 'objlnk':
      return `${v.value.objectId}:${v.value.instanceId}`;
    case 'string':
    case 'corelnk':
    case 'opaque':
      return v.value;
    case 'integer':
    case 'unsigned':
    case 'float':
    case 'time':
    case 'boolean':
      return String(v.value);
    default: {
      const never: never = v;
      return String(never);
    }
  }
}

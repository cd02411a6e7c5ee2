/**
 * The device page's view of the LwM2M object model, pure: the model in force for a device
 * (from `getDevice`'s `objects`), Server-object resources found BY NAME, typed input for
 * Write, and Read results flattened to one entry per resource.
 */
import {
  parsePath,
  resolveResource,
  type LwM2MNode,
  type LwM2MValue,
  type ObjectDefinition,
  type ObjectModel,
  type ResourceDefinition,
  type ResourceType,
} from '@lwm2m-console/shared';
import { formatCountdown, formatDuration } from './countdown.js';

/** The LwM2M Server object: the same id in the draft and the published numbering. */
export const SERVER_OBJECT_ID = 1;

/** The object definitions sent by the bridge, keyed by object id. */
export function modelOf(objects: readonly ObjectDefinition[]): ObjectModel {
  const model: Record<number, ObjectDefinition> = {};
  for (const o of objects) model[o.id] = o;
  return model;
}

export interface ServerResources {
  lifetime?: ResourceDefinition;
  disable?: ResourceDefinition;
  disableTimeout?: ResourceDefinition;
  updateTrigger?: ResourceDefinition;
}

/**
 * Server-object resources the console acts on, resolved by name: the seed's draft numbers
 * Disable 7 and Disable Timeout 8, the published LwM2M 1.x numbers them 4 and 5 (and has
 * Binding at 7, where an Execute answers 4.05). Never a hard-coded id.
 */
export function serverResources(model: ObjectModel): ServerResources {
  const out: ServerResources = {};
  const pick = (key: keyof ServerResources, name: string) => {
    const r = resolveResource(model, SERVER_OBJECT_ID, name);
    if (r) out[key] = r;
  };
  pick('lifetime', 'Lifetime');
  pick('disable', 'Disable');
  pick('disableTimeout', 'Disable Timeout');
  pick('updateTrigger', 'Registration Update Trigger');
  return out;
}

export const isReadable = (r: ResourceDefinition) => r.operations.includes('R');
export const isWritable = (r: ResourceDefinition) => r.operations.includes('W');
export const isExecutable = (r: ResourceDefinition) => r.operations === 'E';

export type InputParse = { ok: true; value: LwM2MValue } | { ok: false; error: string };

/** Operator text → the typed value a Write sends, by the resource's DDF type. */
export function parseTypedInput(type: ResourceType, text: string): InputParse {
  const t = text.trim();
  const integer = (kind: 'integer' | 'unsigned'): InputParse => {
    if (!(kind === 'integer' ? /^-?\d+$/ : /^\d+$/).test(t)) return { ok: false, error: kind === 'integer' ? 'an integer is expected' : 'an unsigned integer is expected' };
    const n = Number(t);
    // Beyond 2^53 the exact decimal text travels (values.ts), never a rounded number.
    return { ok: true, value: { type: kind, value: Number.isSafeInteger(n) ? n : t } };
  };
  switch (type) {
    case 'String':
      return { ok: true, value: { type: 'string', value: text } };
    case 'Integer':
      return integer('integer');
    case 'Unsigned Integer':
      return integer('unsigned');
    case 'Float': {
      const n = Number(t);
      return t !== '' && Number.isFinite(n) ? { ok: true, value: { type: 'float', value: n } } : { ok: false, error: 'a number is expected' };
    }
    case 'Boolean':
      if (/^(true|1)$/i.test(t)) return { ok: true, value: { type: 'boolean', value: true } };
      if (/^(false|0)$/i.test(t)) return { ok: true, value: { type: 'boolean', value: false } };
      return { ok: false, error: 'true or false is expected' };
    case 'Time': {
      if (/^\d+$/.test(t)) return { ok: true, value: { type: 'time', value: Number(t) } };
      const ms = Date.parse(t);
      return Number.isFinite(ms) ? { ok: true, value: { type: 'time', value: Math.floor(ms / 1000) } } : { ok: false, error: 'seconds since 1970 or a date is expected' };
    }
    case 'Opaque':
      return /^[A-Za-z0-9+/]*={0,2}$/.test(t) && t.length % 4 === 0 ? { ok: true, value: { type: 'opaque', value: t } } : { ok: false, error: 'base64 is expected' };
    case 'Objlnk': {
      const m = /^(\d{1,5}):(\d{1,5})$/.exec(t);
      if (!m || Number(m[1]) > 65535 || Number(m[2]) > 65535) return { ok: false, error: 'objectId:instanceId is expected' };
      return { ok: true, value: { type: 'objlnk', value: { objectId: Number(m[1]), instanceId: Number(m[2]) } } };
    }
    case 'Corelnk':
      return { ok: true, value: { type: 'corelnk', value: text } };
    case 'none':
      return { ok: false, error: 'this resource has no value (it is executable)' };
    default: {
      const never: never = type;
      return { ok: false, error: `unknown type ${String(never)}` };
    }
  }
}

/** HTML input type for a resource type (the browser helps with numbers and booleans). */
export function inputKind(type: ResourceType): 'number' | 'checkbox' | 'text' {
  if (type === 'Integer' || type === 'Unsigned Integer' || type === 'Float') return 'number';
  if (type === 'Boolean') return 'checkbox';
  return 'text';
}

/** What a Read tells about one resource: a single value, or resource instances. */
export type ResourceReading = { value: LwM2MValue } | { instances: { id: number; value: LwM2MValue }[] };

/**
 * A Read result as one reading per resource path (`/o/i/r`), whatever level was read.
 * A resource-instance read (`/o/i/r/ri`) is keyed by its own path.
 */
export function flattenReading(path: string, node: LwM2MNode): Map<string, ResourceReading> {
  const out = new Map<string, ResourceReading>();
  const parsed = parsePath(path);
  if (!parsed.ok) return out;
  const p = parsed.path;
  const putResource = (base: string, r: Extract<LwM2MNode, { kind: 'resource' | 'multipleResource' }>) => {
    out.set(`${base}/${r.id}`, r.kind === 'resource' ? { value: r.value } : { instances: r.instances.map((i) => ({ id: i.id, value: i.value })) });
  };
  switch (node.kind) {
    case 'object':
      for (const inst of node.instances) for (const r of inst.resources) putResource(`/${node.id}/${inst.id}`, r);
      break;
    case 'instance':
      for (const r of node.resources) putResource(`/${p.objectId}/${node.id}`, r);
      break;
    case 'resource':
    case 'multipleResource':
      putResource(`/${p.objectId}/${p.instanceId ?? 0}`, node);
      break;
    case 'resourceInstance':
      out.set(path, { value: node.value });
      break;
    default: {
      const never: never = node;
      return never;
    }
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');
const clockTime = (ms: number) => {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

/**
 * `12:00:03` on the same day as `now`, `2026-11-30 12:00:00` on another: a Disable Timeout of a
 * day (86400 s, the usual value) ends at the same clock time tomorrow, and "until 12:00:00"
 * alone reads as a moment that has already passed.
 */
function clockTimeFrom(ms: number, now: number): string {
  const d = new Date(ms);
  const n = new Date(now);
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) return clockTime(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clockTime(ms)}`;
}

/** The effect of a Disable, stated before the operator confirms (seed B.1). */
export function disableConfirmation(endpoint: string, timeoutSeconds: number, now: number): string {
  const unit = timeoutSeconds === 1 ? 'second' : 'seconds';
  const readable = timeoutSeconds >= 60 ? ` (${formatDuration(timeoutSeconds)})` : '';
  return `${endpoint} de-registers and is unreachable for ${timeoutSeconds} ${unit}${readable}, until ${clockTimeFrom(now + timeoutSeconds * 1000, now)}.`;
}

/** `disabled, expected back at 12:00:03 (in 2s)`, `… at 2026-11-30 12:00:00 (in 23h 59m)` or `(5s overdue)`. */
export function awayText(expectedBackAt: number, now: number): string {
  const left = expectedBackAt - now;
  const when = left >= 0 ? `in ${formatCountdown(left)}` : `${formatCountdown(-left)} overdue`;
  return `disabled, expected back at ${clockTimeFrom(expectedBackAt, now)} (${when})`;
}

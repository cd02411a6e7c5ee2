/**
 * OMA TLV (content format 11542; LwM2M 1.0 TS §6.4.3, 1.1 TS §7.4.3). Pure.
 *
 * Type byte: bits 7-6 identifier kind (00 object instance, 01 resource instance,
 * 10 multiple resource, 11 resource with value); bit 5 identifier length (0: 8 bit, 1: 16 bit);
 * bits 4-3 length field size (00: length in bits 2-0, 01/10/11: 8/16/24-bit length follows).
 * TLV carries no value types: the object model supplies them; an unknown resource decodes
 * as opaque bytes.
 */

import {
  findResource,
  formatPath,
  pathLevel,
  type InstanceNode,
  type LwM2MNode,
  type LwM2MPath,
  type LwM2MValue,
  type ObjectModel,
  type ResourceInstanceNode,
  type ResourceNode,
  type ResourceType,
} from '@lwm2m-console/shared';
import { expectedKind, type NodeResult } from './node-tree.js';
import { coerceValue, intValue, toBigInt } from './values.js';

/** Identifier kinds of the type byte's bits 7-6. */
export const TlvKind = {
  ObjectInstance: 0,
  ResourceInstance: 1,
  MultipleResource: 2,
  ResourceValue: 3,
} as const;
export type TlvKind = (typeof TlvKind)[keyof typeof TlvKind];

export interface Tlv {
  kind: TlvKind;
  id: number;
  /** Raw value bytes; for kinds 0 and 2, the nested TLVs' bytes. */
  value: Buffer;
}

/** Nesting deeper than object instance > multiple resource > resource instance is malformed. */
const MAX_DEPTH = 3;

export type TlvListResult = { ok: true; tlvs: Tlv[] } | { ok: false; error: string };

/** Split a buffer into its top-level TLVs, checking every length against the bytes present. */
export function readTlvs(buf: Buffer): TlvListResult {
  const out: Tlv[] = [];
  let i = 0;
  while (i < buf.length) {
    const at = i;
    const type = buf[i++] as number;
    const kind = (type >> 6) as TlvKind;
    const idLen = type & 0x20 ? 2 : 1;
    const lenType = (type >> 3) & 0x03;
    if (i + idLen + lenType > buf.length) return { ok: false, error: `TLV at offset ${at}: header truncated` };
    const id = idLen === 2 ? buf.readUInt16BE(i) : (buf[i] as number);
    i += idLen;
    let len = type & 0x07;
    if (lenType > 0) {
      len = buf.readUIntBE(i, lenType);
      i += lenType;
    }
    if (i + len > buf.length) {
      return { ok: false, error: `TLV at offset ${at}: length ${len} exceeds the ${buf.length - i} bytes left` };
    }
    out.push({ kind, id, value: buf.subarray(i, i + len) });
    i += len;
  }
  return { ok: true, tlvs: out };
}

/** Encode one TLV header + value with the shortest id and length fields. */
export function writeTlv(kind: TlvKind, id: number, value: Buffer): Buffer {
  const idLen = id > 0xff ? 2 : 1;
  const len = value.length;
  const lenType = len < 8 ? 0 : len <= 0xff ? 1 : len <= 0xffff ? 2 : 3;
  const header = Buffer.alloc(1 + idLen + lenType);
  header[0] = (kind << 6) | (idLen === 2 ? 0x20 : 0) | (lenType << 3) | (lenType === 0 ? len : 0);
  if (idLen === 2) header.writeUInt16BE(id, 1);
  else header[1] = id;
  if (lenType > 0) header.writeUIntBE(len, 1 + idLen, lenType);
  return Buffer.concat([header, value]);
}

/** Decode the value bytes of a resource of a given type (TS §6.4.3 data type table). */
export function decodeTlvValue(bytes: Buffer, type: ResourceType | undefined): { ok: true; value: LwM2MValue } | { ok: false; error: string } {
  switch (type) {
    case undefined:
    case 'Opaque':
      return { ok: true, value: { type: 'opaque', value: bytes.toString('base64') } };
    case 'String':
      return { ok: true, value: { type: 'string', value: bytes.toString('utf8') } };
    case 'Corelnk':
      return { ok: true, value: { type: 'corelnk', value: bytes.toString('utf8') } };
    case 'Integer':
    case 'Time': {
      if (![1, 2, 4, 8].includes(bytes.length)) return { ok: false, error: `integer of ${bytes.length} bytes (must be 1, 2, 4 or 8)` };
      const b = bytes.length === 8 ? bytes.readBigInt64BE(0) : BigInt(bytes.readIntBE(0, bytes.length));
      if (type === 'Integer') return { ok: true, value: { type: 'integer', value: intValue(b) } };
      const n = intValue(b);
      if (typeof n === 'string') return { ok: false, error: `time ${n} is out of range` };
      return { ok: true, value: { type: 'time', value: n } };
    }
    case 'Unsigned Integer': {
      if (![1, 2, 4, 8].includes(bytes.length)) return { ok: false, error: `unsigned integer of ${bytes.length} bytes (must be 1, 2, 4 or 8)` };
      const b = bytes.length === 8 ? bytes.readBigUInt64BE(0) : BigInt(bytes.readUIntBE(0, bytes.length));
      return { ok: true, value: { type: 'unsigned', value: intValue(b) } };
    }
    case 'Float':
      if (bytes.length === 4) return { ok: true, value: { type: 'float', value: bytes.readFloatBE(0) } };
      if (bytes.length === 8) return { ok: true, value: { type: 'float', value: bytes.readDoubleBE(0) } };
      return { ok: false, error: `float of ${bytes.length} bytes (must be 4 or 8)` };
    case 'Boolean':
      if (bytes.length === 1 && (bytes[0] === 0 || bytes[0] === 1)) return { ok: true, value: { type: 'boolean', value: bytes[0] === 1 } };
      return { ok: false, error: 'boolean must be one byte 0 or 1' };
    case 'Objlnk':
      if (bytes.length !== 4) return { ok: false, error: `object link of ${bytes.length} bytes (must be 4)` };
      return { ok: true, value: { type: 'objlnk', value: { objectId: bytes.readUInt16BE(0), instanceId: bytes.readUInt16BE(2) } } };
    case 'none':
      return { ok: false, error: 'an executable resource has no value' };
    default: {
      const never: never = type;
      return { ok: false, error: `unknown type ${String(never)}` };
    }
  }
}

/** Encode a value's bytes; integers take the fewest of 1, 2, 4 or 8 bytes (TS §6.4.3). */
export function encodeTlvValue(v: LwM2MValue): { ok: true; bytes: Buffer } | { ok: false; error: string } {
  switch (v.type) {
    case 'string':
    case 'corelnk':
      return { ok: true, bytes: Buffer.from(v.value, 'utf8') };
    case 'opaque':
      return { ok: true, bytes: Buffer.from(v.value, 'base64') };
    case 'boolean':
      return { ok: true, bytes: Buffer.from([v.value ? 1 : 0]) };
    case 'objlnk': {
      const b = Buffer.alloc(4);
      b.writeUInt16BE(v.value.objectId, 0);
      b.writeUInt16BE(v.value.instanceId, 2);
      return { ok: true, bytes: b };
    }
    case 'float': {
      const f = Buffer.alloc(4);
      f.writeFloatBE(v.value, 0);
      // 4 bytes only when single precision holds the value exactly.
      if (f.readFloatBE(0) === v.value || Number.isNaN(v.value)) return { ok: true, bytes: f };
      const d = Buffer.alloc(8);
      d.writeDoubleBE(v.value, 0);
      return { ok: true, bytes: d };
    }
    case 'integer':
    case 'time':
    case 'unsigned': {
      const b = toBigInt(v.value);
      if (b === undefined) return { ok: false, error: `${String(v.value)} is not an integer` };
      const signed = v.type !== 'unsigned';
      for (const size of [1, 2, 4, 8]) {
        const bits = BigInt(size * 8);
        const [min, max] = signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
        if (b < min || b > max) continue;
        const out = Buffer.alloc(size);
        writeSized(out, b, size, signed);
        return { ok: true, bytes: out };
      }
      return { ok: false, error: `${b} does not fit in 64 bits` };
    }
    default: {
      const never: never = v;
      return { ok: false, error: `unknown value ${JSON.stringify(never)}` };
    }
  }
}

function writeSized(out: Buffer, b: bigint, size: number, signed: boolean): void {
  if (size === 8) {
    if (signed) out.writeBigInt64BE(b, 0);
    else out.writeBigUInt64BE(b, 0);
  } else if (signed) out.writeIntBE(Number(b), 0, size);
  else out.writeUIntBE(Number(b), 0, size);
}

// ---------------------------------------------------------------------------------------
// Decoding a payload into a node

function resourceType(model: ObjectModel, objectId: number, resourceId: number): ResourceType | undefined {
  return findResource(model, objectId, resourceId)?.type;
}

function decodeResource(t: Tlv, objectId: number, model: ObjectModel, depth: number): { ok: true; node: ResourceNode } | { ok: false; error: string } {
  const type = resourceType(model, objectId, t.id);
  if (t.kind === TlvKind.ResourceValue) {
    const v = decodeTlvValue(t.value, type);
    return v.ok ? { ok: true, node: { kind: 'resource', id: t.id, value: v.value } } : { ok: false, error: `resource ${t.id}: ${v.error}` };
  }
  if (t.kind === TlvKind.MultipleResource) {
    if (depth >= MAX_DEPTH) return { ok: false, error: 'TLV nested too deep' };
    const inner = readTlvs(t.value);
    if (!inner.ok) return { ok: false, error: `resource ${t.id}: ${inner.error}` };
    const instances: ResourceInstanceNode[] = [];
    for (const ri of inner.tlvs) {
      if (ri.kind !== TlvKind.ResourceInstance) return { ok: false, error: `resource ${t.id}: a multiple resource may only hold resource instances` };
      const v = decodeTlvValue(ri.value, type);
      if (!v.ok) return { ok: false, error: `resource ${t.id}/${ri.id}: ${v.error}` };
      if (instances.some((x) => x.id === ri.id)) return { ok: false, error: `resource instance ${t.id}/${ri.id} appears twice` };
      instances.push({ kind: 'resourceInstance', id: ri.id, value: v.value });
    }
    return { ok: true, node: { kind: 'multipleResource', id: t.id, instances } };
  }
  return { ok: false, error: `expected a resource TLV, found kind ${t.kind} id ${t.id}` };
}

function decodeResources(tlvs: Tlv[], objectId: number, model: ObjectModel, depth: number): { ok: true; resources: ResourceNode[] } | { ok: false; error: string } {
  const resources: ResourceNode[] = [];
  for (const t of tlvs) {
    const r = decodeResource(t, objectId, model, depth);
    if (!r.ok) return r;
    if (resources.some((x) => x.id === r.node.id)) return { ok: false, error: `resource ${r.node.id} appears twice` };
    resources.push(r.node);
  }
  return { ok: true, resources };
}

function decodeInstance(t: Tlv, objectId: number, model: ObjectModel): { ok: true; node: InstanceNode } | { ok: false; error: string } {
  const inner = readTlvs(t.value);
  if (!inner.ok) return { ok: false, error: `instance ${t.id}: ${inner.error}` };
  const r = decodeResources(inner.tlvs, objectId, model, 2);
  return r.ok ? { ok: true, node: { kind: 'instance', id: t.id, resources: r.resources } } : { ok: false, error: `instance ${t.id}: ${r.error}` };
}

/** Decode a TLV payload addressed to `path` using the model's resource types. */
export function decodeTlv(path: LwM2MPath, payload: Buffer, model: ObjectModel): NodeResult {
  const top = readTlvs(payload);
  if (!top.ok) return top;
  const tlvs = top.tlvs;
  switch (pathLevel(path)) {
    case 'object': {
      // Some single-instance clients send bare resources for /o: take them as instance 0.
      if (tlvs.length > 0 && tlvs.every((t) => t.kind === TlvKind.ResourceValue || t.kind === TlvKind.MultipleResource)) {
        const r = decodeResources(tlvs, path.objectId, model, 1);
        return r.ok ? { ok: true, node: { kind: 'object', id: path.objectId, instances: [{ kind: 'instance', id: 0, resources: r.resources }] } } : r;
      }
      const instances: InstanceNode[] = [];
      for (const t of tlvs) {
        if (t.kind !== TlvKind.ObjectInstance) return { ok: false, error: `expected object instance TLVs for ${formatPath(path)}` };
        const i = decodeInstance(t, path.objectId, model);
        if (!i.ok) return i;
        if (instances.some((x) => x.id === t.id)) return { ok: false, error: `instance ${t.id} appears twice` };
        instances.push(i.node);
      }
      return { ok: true, node: { kind: 'object', id: path.objectId, instances } };
    }
    case 'instance': {
      // Either bare resources or one object-instance TLV wrapping them.
      const only = tlvs[0];
      if (tlvs.length === 1 && only && only.kind === TlvKind.ObjectInstance) {
        if (only.id !== path.instanceId) return { ok: false, error: `instance TLV ${only.id} does not match ${formatPath(path)}` };
        return decodeInstance(only, path.objectId, model);
      }
      const r = decodeResources(tlvs, path.objectId, model, 1);
      return r.ok ? { ok: true, node: { kind: 'instance', id: path.instanceId as number, resources: r.resources } } : r;
    }
    case 'resource': {
      if (tlvs.length !== 1 || !tlvs[0]) return { ok: false, error: `expected one resource TLV for ${formatPath(path)}, found ${tlvs.length}` };
      if (tlvs[0].id !== path.resourceId) return { ok: false, error: `resource TLV ${tlvs[0].id} does not match ${formatPath(path)}` };
      return decodeResource(tlvs[0], path.objectId, model, 1);
    }
    case 'resourceInstance': {
      const t = tlvs[0];
      if (tlvs.length !== 1 || !t || t.kind !== TlvKind.ResourceInstance || t.id !== path.resourceInstanceId) {
        return { ok: false, error: `expected one resource instance TLV ${path.resourceInstanceId} for ${formatPath(path)}` };
      }
      const v = decodeTlvValue(t.value, resourceType(model, path.objectId, path.resourceId as number));
      return v.ok ? { ok: true, node: { kind: 'resourceInstance', id: t.id, value: v.value } } : v;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Encoding a node

type BytesResult = { ok: true; bytes: Buffer } | { ok: false; error: string };

function encodeTyped(v: LwM2MValue, type: ResourceType | undefined, where: string): BytesResult {
  const c = coerceValue(v, type);
  if (!c.ok) return { ok: false, error: `${where}: ${c.error}` };
  const e = encodeTlvValue(c.value);
  return e.ok ? e : { ok: false, error: `${where}: ${e.error}` };
}

function encodeResourceNode(r: ResourceNode, objectId: number, instanceId: number, model: ObjectModel): BytesResult {
  const type = resourceType(model, objectId, r.id);
  const where = `/${objectId}/${instanceId}/${r.id}`;
  if (r.kind === 'resource') {
    const e = encodeTyped(r.value, type, where);
    return e.ok ? { ok: true, bytes: writeTlv(TlvKind.ResourceValue, r.id, e.bytes) } : e;
  }
  const parts: Buffer[] = [];
  for (const ri of r.instances) {
    const e = encodeTyped(ri.value, type, `${where}/${ri.id}`);
    if (!e.ok) return e;
    parts.push(writeTlv(TlvKind.ResourceInstance, ri.id, e.bytes));
  }
  return { ok: true, bytes: writeTlv(TlvKind.MultipleResource, r.id, Buffer.concat(parts)) };
}

function encodeResources(resources: ResourceNode[], objectId: number, instanceId: number, model: ObjectModel): BytesResult {
  const parts: Buffer[] = [];
  for (const r of resources) {
    const e = encodeResourceNode(r, objectId, instanceId, model);
    if (!e.ok) return e;
    parts.push(e.bytes);
  }
  return { ok: true, bytes: Buffer.concat(parts) };
}

/**
 * Encode a node addressed to `path`. An object instance is sent as its bare resources
 * (Write on /o/i, TS §5.4.3); an object as object-instance TLVs (Create, Read of /o).
 */
export function encodeTlv(path: LwM2MPath, node: LwM2MNode, model: ObjectModel): BytesResult {
  if (!expectedKind(path).includes(node.kind)) return { ok: false, error: `a ${node.kind} node cannot be sent to ${formatPath(path)}` };
  switch (node.kind) {
    case 'object': {
      const parts: Buffer[] = [];
      for (const inst of node.instances) {
        const e = encodeResources(inst.resources, path.objectId, inst.id, model);
        if (!e.ok) return e;
        parts.push(writeTlv(TlvKind.ObjectInstance, inst.id, e.bytes));
      }
      return { ok: true, bytes: Buffer.concat(parts) };
    }
    case 'instance':
      return encodeResources(node.resources, path.objectId, path.instanceId as number, model);
    case 'resource':
    case 'multipleResource':
      return encodeResourceNode(node, path.objectId, path.instanceId as number, model);
    case 'resourceInstance': {
      const type = resourceType(model, path.objectId, path.resourceId as number);
      const e = encodeTyped(node.value, type, formatPath(path));
      return e.ok ? { ok: true, bytes: writeTlv(TlvKind.ResourceInstance, node.id, e.bytes) } : e;
    }
  }
}

/**
 * LwM2M content-format codecs behind one entry point: `decodePayload` and `encodeValue`
 * pick the codec from the CoAP Content-Format number. Pure: bytes and a model in, a value
 * out; malformed input is `{ ok: false, error }`, never an exception.
 */

import type { LwM2MNode, LwM2MPath, LwM2MValue, ObjectModel } from '@lwm2m-console/shared';
import { findResource, pathLevel } from '@lwm2m-console/shared';
import type { NodeResult } from './node-tree.js';
import { decodeOmaJson, encodeOmaJson } from './oma-json.js';
import { decodeOpaque, encodeOpaque } from './opaque.js';
import { decodePlainText, encodePlainText } from './plain-text.js';
import { decodeSenmlJson, encodeSenmlJson } from './senml-json.js';
import { decodeTlv, encodeTlv } from './tlv.js';

/** CoAP Content-Format numbers used by LwM2M (IANA CoRE parameters registry). */
export const ContentFormat = {
  TEXT: 0,
  LINK_FORMAT: 40,
  OPAQUE: 42,
  SENML_JSON: 110,
  SENML_CBOR: 112,
  TLV: 11542,
  OMA_JSON: 11543,
  /** Pre-registration numbers some LwM2M 1.0 clients still send. */
  LEGACY_TLV: 1542,
  LEGACY_OMA_JSON: 1543,
} as const;

export type DecodeResult = NodeResult;
export type EncodeResult = { ok: true; payload: Buffer } | { ok: false; error: string };

/** Formats this module can decode and encode. */
export const SUPPORTED_FORMATS: readonly number[] = [
  ContentFormat.TEXT,
  ContentFormat.OPAQUE,
  ContentFormat.SENML_JSON,
  ContentFormat.TLV,
  ContentFormat.OMA_JSON,
  ContentFormat.LEGACY_TLV,
  ContentFormat.LEGACY_OMA_JSON,
];

/**
 * Formats to ask a device for, best first. LwM2M 1.0 §6.4: TLV is mandatory for clients,
 * OMA JSON optional. LwM2M 1.1 §7.4: SenML JSON replaces OMA JSON; TLV stays for 1.0 peers.
 * Plain text last: it only carries a single resource.
 */
export function preferredFormats(lwm2mVersion: string): number[] {
  if (lwm2mVersion === '1.0' || lwm2mVersion === '') return [ContentFormat.TLV, ContentFormat.OMA_JSON, ContentFormat.TEXT];
  return [ContentFormat.SENML_JSON, ContentFormat.TLV, ContentFormat.TEXT];
}

/**
 * The format for a request to `path` on a device: plain text for a single-instance
 * resource with a value (every client supports it), otherwise the first preferred one.
 */
export function formatForPath(lwm2mVersion: string, path: LwM2MPath, model: ObjectModel): number {
  const level = pathLevel(path);
  const def = path.resourceId !== undefined ? findResource(model, path.objectId, path.resourceId) : undefined;
  if (level === 'resourceInstance' || (level === 'resource' && def && !def.multipleInstances && def.type !== 'none')) {
    return def?.type === 'Opaque' ? ContentFormat.OPAQUE : ContentFormat.TEXT;
  }
  return preferredFormats(lwm2mVersion)[0] as number;
}

/** Decode a payload of content format `format` addressed to `path`, typed by `model`. */
export function decodePayload(format: number, path: LwM2MPath, payload: Uint8Array, model: ObjectModel): DecodeResult {
  const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  try {
    switch (format) {
      case ContentFormat.TEXT:
        return decodePlainText(path, buf, model);
      case ContentFormat.OPAQUE:
        return decodeOpaque(path, buf, model);
      case ContentFormat.TLV:
      case ContentFormat.LEGACY_TLV:
        return decodeTlv(path, buf, model);
      case ContentFormat.SENML_JSON:
        return decodeSenmlJson(path, buf, model);
      case ContentFormat.OMA_JSON:
      case ContentFormat.LEGACY_OMA_JSON:
        return decodeOmaJson(path, buf, model);
      default:
        return { ok: false, error: `unsupported content format ${format}` };
    }
  } catch (e) {
    // A bug, not a protocol outcome: still never escapes to the socket handler.
    return { ok: false, error: `internal decoder error: ${(e as Error).message}` };
  }
}

/** Wrap a bare value as the node of a resource or resource-instance path. */
function asNode(path: LwM2MPath, value: LwM2MNode | LwM2MValue): LwM2MNode | undefined {
  if ('kind' in value) return value;
  if (path.resourceInstanceId !== undefined) return { kind: 'resourceInstance', id: path.resourceInstanceId, value };
  if (path.resourceId !== undefined) return { kind: 'resource', id: path.resourceId, value };
  return undefined;
}

/** Encode a value or node for `path` in content format `format`, typed by `model`. */
export function encodeValue(format: number, path: LwM2MPath, value: LwM2MNode | LwM2MValue, model: ObjectModel): EncodeResult {
  const node = asNode(path, value);
  if (!node) return { ok: false, error: 'a bare value needs a resource path' };
  try {
    let r: { ok: true; bytes: Buffer } | { ok: false; error: string };
    switch (format) {
      case ContentFormat.TEXT:
        r = encodePlainText(path, node, model);
        break;
      case ContentFormat.OPAQUE:
        r = encodeOpaque(path, node, model);
        break;
      case ContentFormat.TLV:
      case ContentFormat.LEGACY_TLV:
        r = encodeTlv(path, node, model);
        break;
      case ContentFormat.SENML_JSON:
        r = encodeSenmlJson(path, node, model);
        break;
      case ContentFormat.OMA_JSON:
      case ContentFormat.LEGACY_OMA_JSON:
        r = encodeOmaJson(path, node, model);
        break;
      default:
        return { ok: false, error: `unsupported content format ${format}` };
    }
    return r.ok ? { ok: true, payload: r.bytes } : r;
  } catch (e) {
    return { ok: false, error: `internal encoder error: ${(e as Error).message}` };
  }
}

export { parseDiscover, formatDiscover, type DiscoverLink, type DiscoverResult } from './discover.js';
export { coerceValue, valueFromText, valueToText } from './values.js';
export { readTlvs, writeTlv, TlvKind, type Tlv } from './tlv.js';

/**
 * Plain text (content format 0; LwM2M 1.0 TS §6.4.1, 1.1 TS §7.4.1): the value of one
 * resource or resource instance as UTF-8 text. Booleans are 0/1, object links `o:i`,
 * opaque values base64 (1.1 §7.4.1). Pure.
 */

import { findResource, formatPath, pathLevel, type LwM2MNode, type LwM2MPath, type ObjectModel } from '@lwm2m-console/shared';
import type { NodeResult } from './node-tree.js';
import { coerceValue, valueFromText, valueToText } from './values.js';

export function decodePlainText(path: LwM2MPath, payload: Buffer, model: ObjectModel): NodeResult {
  const level = pathLevel(path);
  if (level !== 'resource' && level !== 'resourceInstance') {
    return { ok: false, error: `plain text carries one resource value, not ${formatPath(path)}` };
  }
  const def = findResource(model, path.objectId, path.resourceId as number);
  if (level === 'resource' && def?.multipleInstances) {
    return { ok: false, error: `${formatPath(path)} is a multiple-instance resource: plain text cannot carry it` };
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(payload);
  // An unknown resource's text stays a string: without a type nothing more can be said.
  const v = valueFromText(text, def?.type ?? 'String');
  if (!v.ok) return { ok: false, error: `${formatPath(path)}: ${v.error}` };
  const id = (level === 'resource' ? path.resourceId : path.resourceInstanceId) as number;
  return { ok: true, node: level === 'resource' ? { kind: 'resource', id, value: v.value } : { kind: 'resourceInstance', id, value: v.value } };
}

export function encodePlainText(path: LwM2MPath, node: LwM2MNode, model: ObjectModel): { ok: true; bytes: Buffer } | { ok: false; error: string } {
  if (node.kind !== 'resource' && node.kind !== 'resourceInstance') {
    return { ok: false, error: `plain text carries one resource value, not a ${node.kind}` };
  }
  const c = coerceValue(node.value, findResource(model, path.objectId, path.resourceId ?? -1)?.type);
  if (!c.ok) return { ok: false, error: `${formatPath(path)}: ${c.error}` };
  return { ok: true, bytes: Buffer.from(valueToText(c.value), 'utf8') };
}


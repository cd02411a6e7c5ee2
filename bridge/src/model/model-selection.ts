/**
 * Which object definitions are in force for one device: pure, no I/O.
 *
 * LwM2M 1.1 TS Core §6.2.1.1 (and 1.0 §5.3.1): the Register payload names the object
 * version with the `ver=` link attribute; a link without `ver=` means object version 1.0.
 * The seed's pre-1.0 draft numbering of the Server object is a separate layout chosen per
 * device or server-wide, never guessed.
 */

import type { ModelLayout, ObjectDefinition, ObjectLink, ObjectModel } from '@lwm2m-console/shared';

export interface DeviceModelKey {
  lwm2mVersion: string;
  objectLinks: readonly ObjectLink[];
}

/** Definitions grouped by object id, each group sorted by ascending version. */
export type DefinitionIndex = ReadonlyMap<number, readonly ObjectDefinition[]>;

/** Compare dotted versions numerically ("1.10" > "1.2"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Group definitions by id; a later definition of the same id and version replaces an earlier one. */
export function indexDefinitions(defs: readonly ObjectDefinition[]): Map<number, ObjectDefinition[]> {
  const byId = new Map<number, Map<string, ObjectDefinition>>();
  for (const d of defs) {
    let versions = byId.get(d.id);
    if (!versions) byId.set(d.id, (versions = new Map()));
    versions.set(d.version, d);
  }
  const out = new Map<number, ObjectDefinition[]>();
  for (const [id, versions] of byId) {
    out.set(id, [...versions.values()].sort((a, b) => compareVersions(a.version, b.version)));
  }
  return out;
}

/**
 * Pick one version out of the known ones: the exact version if known, otherwise the
 * highest known version below it (its resources are a subset the device also has),
 * otherwise the lowest known.
 */
export function pickVersion(versions: readonly ObjectDefinition[], wanted: string): ObjectDefinition | undefined {
  let best: ObjectDefinition | undefined;
  for (const d of versions) {
    const c = compareVersions(d.version, wanted);
    if (c === 0) return d;
    if (c < 0) best = d;
  }
  return best ?? versions[0];
}

/** The `ver=` the device registered for an object, or "1.0" (spec default). */
export function registeredVersion(links: readonly ObjectLink[], objectId: number): string {
  for (const l of links) {
    if (l.objectId !== objectId) continue;
    const v = l.version ?? l.attributes?.['ver'];
    if (v) return v;
  }
  return '1.0';
}

/**
 * The model for one device: every known object, in the version the device registered.
 * With the `draft` layout the Server object (1) is the seed's draft definition.
 */
export function selectModel(
  index: DefinitionIndex,
  draftServer: ObjectDefinition | undefined,
  device: DeviceModelKey,
  layout: ModelLayout,
): ObjectModel {
  const model: Record<number, ObjectDefinition> = {};
  for (const [id, versions] of index) {
    const d = pickVersion(versions, registeredVersion(device.objectLinks, id));
    if (d) model[id] = d;
  }
  if (layout === 'draft' && draftServer) model[1] = draftServer;
  return model;
}

/** Cache key of a device's model: layout plus the `ver=` of each linked object. */
export function modelCacheKey(device: DeviceModelKey, layout: ModelLayout): string {
  const vers: string[] = [];
  for (const l of device.objectLinks) {
    const v = l.version ?? l.attributes?.['ver'];
    if (v) vers.push(`${l.objectId}@${v}`);
  }
  vers.sort();
  return `${layout}|${device.lwm2mVersion}|${vers.join(',')}`;
}

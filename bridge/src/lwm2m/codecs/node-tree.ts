/**
 * Between the node tree (object / instance / resource / resource instance) and a flat list
 * of (full path, value) entries, which is how SenML JSON and OMA JSON carry data.
 * Also the shared check that a node fits the requested path. Pure.
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
} from '@lwm2m-console/shared';

export interface PathValue {
  /** Full path to a resource (single) or a resource instance. */
  path: LwM2MPath;
  value: LwM2MValue;
}

export type NodeResult = { ok: true; node: LwM2MNode } | { ok: false; error: string };
export type EntriesResult = { ok: true; entries: PathValue[] } | { ok: false; error: string };

/** The node kind a path of this level must hold. */
export function expectedKind(path: LwM2MPath): LwM2MNode['kind'][] {
  switch (pathLevel(path)) {
    case 'object':
      return ['object'];
    case 'instance':
      return ['instance'];
    case 'resource':
      return ['resource', 'multipleResource'];
    case 'resourceInstance':
      return ['resourceInstance'];
  }
}

/** True when `inner` is `outer` or below it. */
export function isUnder(inner: LwM2MPath, outer: LwM2MPath): boolean {
  if (inner.objectId !== outer.objectId) return false;
  if (outer.instanceId === undefined) return true;
  if (inner.instanceId !== outer.instanceId) return false;
  if (outer.resourceId === undefined) return true;
  if (inner.resourceId !== outer.resourceId) return false;
  if (outer.resourceInstanceId === undefined) return true;
  return inner.resourceInstanceId === outer.resourceInstanceId;
}

/** Flatten a node addressed by `path` into full-path entries. */
export function entriesFromNode(path: LwM2MPath, node: LwM2MNode): EntriesResult {
  if (!expectedKind(path).includes(node.kind)) {
    return { ok: false, error: `a ${node.kind} node cannot be written to ${formatPath(path)}` };
  }
  const out: PathValue[] = [];
  const addResource = (objectId: number, instanceId: number, r: ResourceNode) => {
    if (r.kind === 'resource') out.push({ path: { objectId, instanceId, resourceId: r.id }, value: r.value });
    else for (const ri of r.instances) out.push({ path: { objectId, instanceId, resourceId: r.id, resourceInstanceId: ri.id }, value: ri.value });
  };
  switch (node.kind) {
    case 'object':
      for (const inst of node.instances) for (const r of inst.resources) addResource(path.objectId, inst.id, r);
      break;
    case 'instance':
      for (const r of node.resources) addResource(path.objectId, path.instanceId ?? node.id, r);
      break;
    case 'resource':
    case 'multipleResource':
      addResource(path.objectId, path.instanceId ?? 0, node);
      break;
    case 'resourceInstance':
      out.push({ path, value: node.value });
      break;
  }
  return { ok: true, entries: out };
}

/**
 * Build the node for `path` from full-path entries. A resource is multiple when the model
 * says so or when an entry addresses one of its instances.
 */
export function nodeFromEntries(path: LwM2MPath, entries: readonly PathValue[], model: ObjectModel): NodeResult {
  for (const e of entries) {
    if (!isUnder(e.path, path)) return { ok: false, error: `${formatPath(e.path)} is outside the requested ${formatPath(path)}` };
    if (e.path.instanceId === undefined || e.path.resourceId === undefined) {
      return { ok: false, error: `${formatPath(e.path)} does not address a resource` };
    }
  }
  const instances = new Map<number, Map<number, ResourceNode>>();
  for (const e of entries) {
    const iid = e.path.instanceId as number;
    const rid = e.path.resourceId as number;
    let resources = instances.get(iid);
    if (!resources) instances.set(iid, (resources = new Map()));
    const multiple = e.path.resourceInstanceId !== undefined || findResource(model, e.path.objectId, rid)?.multipleInstances === true;
    const existing = resources.get(rid);
    if (!multiple) {
      if (existing) return { ok: false, error: `${formatPath(e.path)} appears twice` };
      resources.set(rid, { kind: 'resource', id: rid, value: e.value });
      continue;
    }
    if (e.path.resourceInstanceId === undefined) {
      return { ok: false, error: `${formatPath(e.path)} is a multiple-instance resource: a value needs a resource instance id` };
    }
    if (existing && existing.kind !== 'multipleResource') return { ok: false, error: `${formatPath(e.path)} mixes single and multiple values` };
    const m = existing ?? { kind: 'multipleResource' as const, id: rid, instances: [] as ResourceInstanceNode[] };
    if (m.instances.some((x) => x.id === e.path.resourceInstanceId)) return { ok: false, error: `${formatPath(e.path)} appears twice` };
    m.instances.push({ kind: 'resourceInstance', id: e.path.resourceInstanceId, value: e.value });
    resources.set(rid, m);
  }
  const toInstance = (iid: number): InstanceNode => ({
    kind: 'instance',
    id: iid,
    resources: [...(instances.get(iid)?.values() ?? [])].sort((a, b) => a.id - b.id),
  });
  switch (pathLevel(path)) {
    case 'object':
      return {
        ok: true,
        node: { kind: 'object', id: path.objectId, instances: [...instances.keys()].sort((a, b) => a - b).map(toInstance) },
      };
    case 'instance':
      return { ok: true, node: toInstance(path.instanceId as number) };
    case 'resource': {
      const r = instances.get(path.instanceId as number)?.get(path.resourceId as number);
      if (r) return { ok: true, node: r };
      // An empty multiple resource is valid (no instances); an empty single one is not.
      if (findResource(model, path.objectId, path.resourceId as number)?.multipleInstances) {
        return { ok: true, node: { kind: 'multipleResource', id: path.resourceId as number, instances: [] } };
      }
      return { ok: false, error: `no value for ${formatPath(path)}` };
    }
    case 'resourceInstance': {
      const r = instances.get(path.instanceId as number)?.get(path.resourceId as number);
      const ri = r?.kind === 'multipleResource' ? r.instances.find((x) => x.id === path.resourceInstanceId) : undefined;
      return ri ? { ok: true, node: ri } : { ok: false, error: `no value for ${formatPath(path)}` };
    }
  }
}

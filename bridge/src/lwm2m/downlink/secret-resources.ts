/**
 * Key material outside the Security object. The seed's draft Server object (models/draft)
 * keeps "Security Key" at resource 3, so a Read of a draft device's /1/0 would carry a key to
 * the console. Secrets never travel to a browser: a path naming such a resource is refused,
 * and an instance or object Read has them removed. Found BY NAME in the device's model, like
 * every other layout-dependent resource.
 */
import { findResource, normaliseResourceName, type LwM2MNode, type LwM2MPath, type ObjectModel, type ResourceNode } from '@lwm2m-console/shared';

/** Names (normalised) of resources that hold keys, in any object. */
const SECRET_NAMES = new Set(['Security Key', 'Secret Key', 'SMS Binding Secret Key(s)'].map(normaliseResourceName));

export function isSecretResource(model: ObjectModel, objectId: number, resourceId: number): boolean {
  const def = findResource(model, objectId, resourceId);
  return def !== undefined && SECRET_NAMES.has(normaliseResourceName(def.name));
}

/** True when `path` addresses a secret resource (or one of its instances). */
export function addressesSecret(model: ObjectModel, path: LwM2MPath): boolean {
  return path.resourceId !== undefined && isSecretResource(model, path.objectId, path.resourceId);
}

/** The node without secret resources; `objectId` is the object the node belongs to. */
export function withoutSecrets(model: ObjectModel, objectId: number, node: LwM2MNode): LwM2MNode {
  const keep = (r: ResourceNode) => !isSecretResource(model, objectId, r.id);
  switch (node.kind) {
    case 'object':
      return { ...node, instances: node.instances.map((i) => ({ ...i, resources: i.resources.filter(keep) })) };
    case 'instance':
      return { ...node, resources: node.resources.filter(keep) };
    default:
      return node;
  }
}

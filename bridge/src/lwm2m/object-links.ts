/**
 * From a parsed Register payload to the objects and instances a client offers
 * (seed §6.1.1; LwM2M 1.1 §6.2.1 adds the root path `</>;rt="oma.lwm2m"` and `ver=`).
 */
import type { ObjectLink } from '@lwm2m-console/shared';
import type { Link } from './link-format.js';

export interface ClientObjects {
  rootPath: string;
  contentFormats?: number[];
  objectLinks: ObjectLink[];
}

export type ClientObjectsResult = { ok: true; value: ClientObjects } | { ok: false; error: string };

const MAX_ID = 65535;

function parseId(segment: string): number | undefined {
  if (!/^\d{1,5}$/.test(segment)) return undefined;
  const n = Number(segment);
  return n <= MAX_ID ? n : undefined;
}

/** Normalises a root path to `/segment/…/` with a trailing slash, or `/`. */
function normaliseRoot(target: string): string {
  const trimmed = target.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

/**
 * Interprets links as LwM2M object/instance paths below the root path. Links that are not
 * object paths (e.g. `</rd>` from a confused client) are ignored, as the spec says of other
 * parameters; a payload with no usable link at all is still valid (a client may register
 * with an empty object list and add objects by Update).
 */
export function toClientObjects(links: readonly Link[]): ClientObjectsResult {
  let rootPath = '/';
  let contentFormats: number[] | undefined;
  const root = links.find((l) => l.params.rt === 'oma.lwm2m');
  if (root) {
    rootPath = normaliseRoot(root.target);
    if (root.params.ct !== undefined) {
      const formats = root.params.ct
        .split(/\s+/)
        .filter((s) => s.length > 0)
        .map(Number);
      if (formats.some((f) => !Number.isInteger(f) || f < 0 || f > 65535)) {
        return { ok: false, error: `invalid ct on root link: ${JSON.stringify(root.params.ct)}` };
      }
      contentFormats = formats;
    }
  }
  const objectLinks: ObjectLink[] = [];
  const seen = new Set<string>();
  for (const link of links) {
    if (link === root) continue;
    let path = link.target;
    if (rootPath !== '/' && path.startsWith(rootPath)) path = '/' + path.slice(rootPath.length);
    const segments = path.replace(/^\//, '').split('/');
    if (segments.length < 1 || segments.length > 2) continue;
    const objectId = parseId(segments[0]!);
    if (objectId === undefined) continue;
    let instanceId: number | undefined;
    if (segments.length === 2) {
      instanceId = parseId(segments[1]!);
      if (instanceId === undefined) continue;
    }
    const key = instanceId === undefined ? `${objectId}` : `${objectId}/${instanceId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const objectLink: ObjectLink = { objectId };
    if (instanceId !== undefined) objectLink.instanceId = instanceId;
    // Seed §6.1.1: other link parameters MUST be silently ignored unless specified; `ver` is.
    if (link.params.ver !== undefined) objectLink.version = link.params.ver;
    objectLinks.push(objectLink);
  }
  const value: ClientObjects = { rootPath, objectLinks };
  if (contentFormats) value.contentFormats = contentFormats;
  return { ok: true, value };
}

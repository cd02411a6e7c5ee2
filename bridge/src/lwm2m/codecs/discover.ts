/**
 * Discover responses (content format 40, application/link-format; LwM2M 1.0 TS §5.4.2,
 * RFC 6690 §2): `</3/0/1>;dim=2,</3/0>;pmin=10`. Parsing turns each link into an LwM2M
 * path with its attributes; formatting is what a client (the simulator) sends. Pure.
 */

import { formatPath, parsePath, type LwM2MPath } from '@lwm2m-console/shared';
import { parseLinkFormat } from '../link-format.js';

export interface DiscoverLink {
  path: LwM2MPath;
  /** Link attributes, values unquoted; a flag attribute without `=` has value ''. */
  attributes: Record<string, string>;
  /** `dim=`: number of resource instances of a multiple resource (LwM2M 1.0 §5.4.2). */
  dim?: number;
  /** `ver=`: object version, on object links. */
  version?: string;
}

export type DiscoverResult = { ok: true; links: DiscoverLink[] } | { ok: false; error: string };

/**
 * Parse a Discover payload with the one RFC 6690 parser (../link-format.ts). A link that is not
 * an LwM2M path is an error here, not skipped: Discover answers name only LwM2M paths.
 */
export function parseDiscover(text: string): DiscoverResult {
  const parsed = parseLinkFormat(text);
  if (!parsed.ok) return parsed;
  const links: DiscoverLink[] = [];
  for (const { target, params } of parsed.links) {
    const p = parsePath(target);
    if (!p.ok) return { ok: false, error: `link <${target.slice(0, 40)}>: ${p.error}` };
    const attributes: Record<string, string> = { ...params };
    const link: DiscoverLink = { path: p.path, attributes };
    if (attributes.dim !== undefined) {
      if (!/^\d{1,5}$/.test(attributes.dim)) return { ok: false, error: `dim="${attributes.dim.slice(0, 20)}" on <${target}> is not a count` };
      link.dim = Number(attributes.dim);
    }
    if (attributes.ver !== undefined) link.version = attributes.ver;
    links.push(link);
  }
  return { ok: true, links };
}

/** Format links as a Discover payload; attribute values are quoted only when they need it. */
export function formatDiscover(links: readonly DiscoverLink[]): string {
  return links
    .map((l) => {
      let s = `<${formatPath(l.path)}>`;
      const attrs: Record<string, string> = { ...l.attributes };
      if (l.version !== undefined) attrs.ver = l.version;
      if (l.dim !== undefined) attrs.dim = String(l.dim);
      for (const [k, v] of Object.entries(attrs)) {
        if (v === '') s += `;${k}`;
        else s += /^[A-Za-z0-9.\-_]+$/.test(v) ? `;${k}=${v}` : `;${k}="${v.replace(/(["\\])/g, '\\$1')}"`;
      }
      return s;
    })
    .join(',');
}

/**
 * Discover responses (content format 40, application/link-format; LwM2M 1.0 TS §5.4.2,
 * RFC 6690 §2): `</3/0/1>;dim=2,</3/0>;pmin=10`. Parsing turns each link into an LwM2M
 * path with its attributes; formatting is what a client (the simulator) sends. Pure.
 */

import { formatPath, parsePath, type LwM2MPath } from '@lwm2m-console/shared';

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

export const MAX_DISCOVER_LINKS = 10_000;
const TOKEN = /[A-Za-z0-9!#$&+\-.^_`|~*:]/;

/** Parse a Discover payload. A link that is not an LwM2M path is an error, not skipped. */
export function parseDiscover(text: string): DiscoverResult {
  const links: DiscoverLink[] = [];
  const n = text.length;
  let i = 0;
  const blanks = () => {
    while (i < n && /\s/.test(text[i] as string)) i++;
  };
  blanks();
  if (i === n) return { ok: true, links };
  for (;;) {
    blanks();
    if (text[i] !== '<') return { ok: false, error: `expected '<' at offset ${i}` };
    const close = text.indexOf('>', i + 1);
    if (close < 0) return { ok: false, error: `unterminated '<' at offset ${i}` };
    const target = text.slice(i + 1, close);
    const p = parsePath(target);
    if (!p.ok) return { ok: false, error: `link <${target.slice(0, 40)}> at offset ${i}: ${p.error}` };
    i = close + 1;
    const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
    blanks();
    while (text[i] === ';') {
      i++;
      blanks();
      const start = i;
      while (i < n && TOKEN.test(text[i] as string)) i++;
      const name = text.slice(start, i);
      if (!name) return { ok: false, error: `expected an attribute name at offset ${start}` };
      blanks();
      let value = '';
      if (text[i] === '=') {
        i++;
        blanks();
        if (text[i] === '"') {
          // RFC 6690: quoted-string may hold ',' and ';'; backslash escapes one character.
          i++;
          let out = '';
          while (i < n && text[i] !== '"') {
            if (text[i] === '\\' && i + 1 < n) i++;
            out += text[i];
            i++;
          }
          if (i >= n) return { ok: false, error: `unterminated quoted value of ${name}` };
          i++;
          value = out;
        } else {
          const vs = i;
          while (i < n && text[i] !== ',' && text[i] !== ';' && !/\s/.test(text[i] as string)) i++;
          value = text.slice(vs, i);
        }
      }
      attributes[name] = value;
      blanks();
    }
    const link: DiscoverLink = { path: p.path, attributes };
    if (attributes.dim !== undefined) {
      if (!/^\d{1,5}$/.test(attributes.dim)) return { ok: false, error: `dim="${attributes.dim.slice(0, 20)}" on <${target}> is not a count` };
      link.dim = Number(attributes.dim);
    }
    if (attributes.ver !== undefined) link.version = attributes.ver;
    links.push(link);
    if (links.length > MAX_DISCOVER_LINKS) return { ok: false, error: `more than ${MAX_DISCOVER_LINKS} links` };
    blanks();
    if (i >= n) return { ok: true, links };
    if (text[i] !== ',') return { ok: false, error: `expected ',' or end at offset ${i}` };
    i++;
  }
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

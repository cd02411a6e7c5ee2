/**
 * CoRE Link Format (RFC 6690) parser for the Register/Update payload and Discover responses.
 *
 *   Link            = link-value-list
 *   link-value-list = [ link-value *[ "," link-value ]]
 *   link-value      = "<" URI-Reference ">" *( ";" link-param )
 *   link-param      = token [ "=" ( token / quoted-string ) ]
 *
 * Tolerant where devices in the field are sloppy (blanks around separators, as in the seed's
 * own example `</1/0>, </2/0>`), strict where ambiguity would lose data (unterminated `<` or
 * quoted string is an error, not a guess). Quoted values may contain `,` and `;` (RFC 6690 §2).
 */

export interface Link {
  /** URI reference between `<` and `>`, verbatim. */
  target: string;
  /** Parameters in order of appearance; a parameter without `=` has value `''`. */
  params: Record<string, string>;
}

export type LinkParseResult = { ok: true; links: Link[] } | { ok: false; error: string };

/** Upper bound on links in one payload: a device with hundreds of objects stays well below it. */
export const MAX_LINKS = 10_000;

const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

export function parseLinkFormat(text: string): LinkParseResult {
  const links: Link[] = [];
  const n = text.length;
  let i = 0;
  const skipBlanks = () => {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
  };
  skipBlanks();
  if (i === n) return { ok: true, links };
  for (;;) {
    skipBlanks();
    if (text[i] !== '<') return { ok: false, error: `expected '<' at offset ${i}` };
    const close = text.indexOf('>', i + 1);
    if (close < 0) return { ok: false, error: `unterminated '<' at offset ${i}` };
    const target = text.slice(i + 1, close);
    if (/[<\s"]/.test(target)) return { ok: false, error: `invalid character in link target at offset ${i + 1}` };
    i = close + 1;
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    skipBlanks();
    while (text[i] === ';') {
      i++;
      skipBlanks();
      const nameStart = i;
      while (i < n && /[A-Za-z0-9!#$&+\-.^_`|~*]/.test(text[i]!)) i++;
      const name = text.slice(nameStart, i);
      if (name.length === 0) return { ok: false, error: `expected a parameter name at offset ${nameStart}` };
      skipBlanks();
      let value = '';
      if (text[i] === '=') {
        i++;
        skipBlanks();
        if (text[i] === '"') {
          let out = '';
          i++;
          for (;;) {
            if (i >= n) return { ok: false, error: `unterminated quoted value for '${name}'` };
            const c = text[i]!;
            if (c === '"') break;
            // quoted-pair (RFC 2616 §2.2, referenced by RFC 6690): backslash escapes the next char.
            if (c === '\\' && i + 1 < n) {
              out += text[i + 1];
              i += 2;
              continue;
            }
            out += c;
            i++;
          }
          i++;
          value = out;
        } else {
          const valueStart = i;
          while (i < n && text[i] !== ',' && text[i] !== ';' && !isBlank(text.charCodeAt(i))) i++;
          value = text.slice(valueStart, i);
        }
      }
      // First occurrence wins: RFC 6690 §5 lets some params repeat, none that we read do.
      if (!(name in params)) params[name] = value;
      skipBlanks();
    }
    links.push({ target, params });
    if (links.length > MAX_LINKS) return { ok: false, error: `more than ${MAX_LINKS} links` };
    skipBlanks();
    if (i >= n) return { ok: true, links };
    if (text[i] !== ',') return { ok: false, error: `expected ',' or ';' at offset ${i}` };
    i++;
    skipBlanks();
    // A trailing comma is a common device quirk; accept it rather than reject the Register.
    if (i >= n) return { ok: true, links };
  }
}

/**
 * Parser for OMA DDF object definition files (LWM2M.xsd / LWM2M-v1_1.xsd):
 * <LWM2M><Object ObjectType="MODefinition"><Name/><ObjectID/>…<Resources><Item ID="0">…
 * Untrusted input (users upload these): every problem becomes an error text naming the
 * file and the line, never an exception.
 */

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  RESOURCE_TYPES,
  type ObjectDefinition,
  type ResourceDefinition,
  type ResourceOperations,
  type ResourceType,
} from '@lwm2m-console/shared';

export type DdfParseResult =
  | { ok: true; objects: ObjectDefinition[] }
  | { ok: false; errors: string[] };

/** Largest DDF file accepted; the biggest OMA registry files are about 100 KB. */
export const MAX_DDF_BYTES = 2 * 1024 * 1024;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Keep every value as text: ids are checked here, and "0.10" must not become 0.1.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => name === 'Object' || name === 'Item',
});

/** Parse one DDF file's text; `file` names it in error messages. */
export function parseDdf(xmlText: string, file = '<upload>'): DdfParseResult {
  if (xmlText.length > MAX_DDF_BYTES) {
    return { ok: false, errors: [`${file}: larger than ${MAX_DDF_BYTES} bytes`] };
  }
  const valid = XMLValidator.validate(xmlText);
  if (valid !== true) {
    return { ok: false, errors: [`${file}:${valid.err.line}: malformed XML: ${valid.err.msg}`] };
  }
  let doc: unknown;
  try {
    doc = parser.parse(xmlText);
  } catch (e) {
    // The validator passed, so this is unexpected; still a value, not a crash.
    return { ok: false, errors: [`${file}: XML parse failed: ${(e as Error).message}`] };
  }
  const root = field(doc, 'LWM2M');
  const objectsRaw = field(root, 'Object');
  if (!Array.isArray(objectsRaw) || objectsRaw.length === 0) {
    return { ok: false, errors: [`${file}:1: no <LWM2M><Object> element`] };
  }
  const lines = new LineFinder(xmlText);
  const errors: string[] = [];
  const objects: ObjectDefinition[] = [];
  let itemIndex = 0;
  const nextItemAt = (): string => `${file}:${lines.lineOf('<Item', itemIndex++)}`;
  objectsRaw.forEach((raw: unknown, objectIndex) => {
    const at = `${file}:${lines.lineOf('<Object', objectIndex)}`;
    const obj = parseObject(raw, at, nextItemAt, errors);
    if (obj) objects.push(obj);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, objects };
}

function parseObject(
  raw: unknown,
  at: string,
  nextItemAt: () => string,
  errors: string[],
): ObjectDefinition | undefined {
  const before = errors.length;
  const name = requiredText(raw, 'Name', at, errors);
  const id = parseId(requiredText(raw, 'ObjectID', at, errors), 'ObjectID', at, errors);
  const multipleInstances = parseMultiple(requiredText(raw, 'MultipleInstances', at, errors), at, errors);
  const mandatory = parseMandatory(requiredText(raw, 'Mandatory', at, errors), at, errors);
  const version = optionalText(raw, 'ObjectVersion') || '1.0';
  const lwm2mVersion = optionalText(raw, 'LWM2MVersion') || '1.0';
  const urn = optionalText(raw, 'ObjectURN');
  const description = optionalText(raw, 'Description1');
  const resourcesNode = field(raw, 'Resources');
  const itemsRaw = field(resourcesNode, 'Item');
  const items: unknown[] = Array.isArray(itemsRaw) ? itemsRaw : [];
  const resources: ResourceDefinition[] = [];
  const seen = new Set<number>();
  for (const item of items) {
    const itemAt = nextItemAt();
    const r = parseItem(item, itemAt, errors);
    if (!r) continue;
    if (seen.has(r.id)) errors.push(`${itemAt}: duplicate resource ID ${r.id}`);
    seen.add(r.id);
    resources.push(r);
  }
  if (errors.length > before || id === undefined) return undefined;
  resources.sort((a, b) => a.id - b.id);
  const def: ObjectDefinition = {
    id,
    name: name ?? '',
    version,
    lwm2mVersion,
    multipleInstances: multipleInstances ?? false,
    mandatory: mandatory ?? false,
    description,
    resources,
  };
  if (urn) def.urn = urn;
  return def;
}

function parseItem(raw: unknown, at: string, errors: string[]): ResourceDefinition | undefined {
  const before = errors.length;
  const id = parseId(typeof field(raw, '@_ID') === 'string' ? (field(raw, '@_ID') as string) : undefined, 'Item ID', at, errors);
  const name = requiredText(raw, 'Name', at, errors);
  const operations = parseOperations(requiredText(raw, 'Operations', at, errors, true), at, errors);
  const multipleInstances = parseMultiple(requiredText(raw, 'MultipleInstances', at, errors), at, errors);
  const mandatory = parseMandatory(requiredText(raw, 'Mandatory', at, errors), at, errors);
  const type = parseType(requiredText(raw, 'Type', at, errors, true), at, errors);
  if (errors.length > before || id === undefined) return undefined;
  return {
    id,
    name: name ?? '',
    operations: operations ?? '',
    multipleInstances: multipleInstances ?? false,
    mandatory: mandatory ?? false,
    type: type ?? 'none',
    rangeEnumeration: optionalText(raw, 'RangeEnumeration'),
    units: optionalText(raw, 'Units'),
    description: optionalText(raw, 'Description'),
  };
}

function field(node: unknown, key: string): unknown {
  if (typeof node !== 'object' || node === null) return undefined;
  return (node as Record<string, unknown>)[key];
}

/** Text content of a child element; `<X></X>` parses as '' and `<X/>` as ''. */
function textOf(node: unknown, key: string): string | undefined {
  const v = field(node, key);
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // An element with attributes parses as an object; its text is under '#text'.
  const t = field(v, '#text');
  return typeof t === 'string' ? t : '';
}

function requiredText(node: unknown, key: string, at: string, errors: string[], mayBeEmpty = false): string | undefined {
  const t = textOf(node, key);
  if (t === undefined || (!mayBeEmpty && t.trim() === '')) {
    errors.push(`${at}: missing <${key}>`);
    return undefined;
  }
  return t.trim();
}

function optionalText(node: unknown, key: string): string {
  return (textOf(node, key) ?? '').trim();
}

function parseId(text: string | undefined, what: string, at: string, errors: string[]): number | undefined {
  if (text === undefined) {
    if (what === 'Item ID') errors.push(`${at}: <Item> without an ID attribute`);
    return undefined;
  }
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65534) {
    errors.push(`${at}: ${what} "${text}" is not an integer in 0..65534`);
    return undefined;
  }
  return Number(text);
}

function parseMultiple(text: string | undefined, at: string, errors: string[]): boolean | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase();
  if (t === 'multiple') return true;
  if (t === 'single') return false;
  errors.push(`${at}: <MultipleInstances> must be Multiple or Single, not "${text}"`);
  return undefined;
}

function parseMandatory(text: string | undefined, at: string, errors: string[]): boolean | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase();
  if (t === 'mandatory') return true;
  if (t === 'optional') return false;
  errors.push(`${at}: <Mandatory> must be Mandatory or Optional, not "${text}"`);
  return undefined;
}

function parseOperations(text: string | undefined, at: string, errors: string[]): ResourceOperations | undefined {
  if (text === undefined) return undefined;
  const t = text.toUpperCase().replace(/\s+/g, '');
  if (t === 'R' || t === 'W' || t === 'RW' || t === 'E' || t === '') return t;
  errors.push(`${at}: <Operations> must be R, W, RW, E or empty, not "${text}"`);
  return undefined;
}

function parseType(text: string | undefined, at: string, errors: string[]): ResourceType | undefined {
  if (text === undefined) return undefined;
  if (text === '') return 'none';
  const found = RESOURCE_TYPES.find((t) => t.toLowerCase() === text.toLowerCase());
  if (found && found !== 'none') return found;
  errors.push(`${at}: unknown resource <Type> "${text}"`);
  return undefined;
}

/** Line numbers of the n-th occurrence of a tag, for error messages. */
class LineFinder {
  constructor(private readonly text: string) {}
  lineOf(tag: string, n: number): number {
    let from = 0;
    let idx = -1;
    for (let i = 0; i <= n; i++) {
      idx = this.findTag(tag, from);
      if (idx < 0) return 1;
      from = idx + tag.length;
    }
    let line = 1;
    for (let i = 0; i < idx; i++) if (this.text.charCodeAt(i) === 10) line++;
    return line;
  }
  private findTag(tag: string, from: number): number {
    // `<Object` must not match `<ObjectID`: require a space, `>` or `/` after the name.
    let i = this.text.indexOf(tag, from);
    while (i >= 0) {
      const next = this.text[i + tag.length];
      if (next === ' ' || next === '>' || next === '/' || next === '\t' || next === '\n' || next === '\r') return i;
      i = this.text.indexOf(tag, i + 1);
    }
    return -1;
  }
}

import { describe, expect, it } from 'vitest';
import { parseLinkFormat } from './link-format.js';
import { toClientObjects } from './object-links.js';

const objects = (text: string) => {
  const links = parseLinkFormat(text);
  if (!links.ok) throw new Error(links.error);
  const r = toClientObjects(links.links);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe('parseLinkFormat', () => {
  it('parses object and object-instance links', () => {
    expect(objects('</1/0>,</3/0>,</5>').objectLinks).toEqual([
      { objectId: 1, instanceId: 0 },
      { objectId: 3, instanceId: 0 },
      { objectId: 5 },
    ]);
  });

  it('accepts blanks after commas as in the seed example', () => {
    expect(objects('</1/0>, </2/0>, </2/1>, </3/0>,</4/0>,</5>').objectLinks).toHaveLength(6);
  });

  it('reads the root path, its content formats and strips the root from object paths', () => {
    const r = objects('</lwm2m>;rt="oma.lwm2m";ct="110 11542",</lwm2m/1/0>,</lwm2m/3/0>');
    expect(r.rootPath).toBe('/lwm2m/');
    expect(r.contentFormats).toEqual([110, 11542]);
    expect(r.objectLinks).toEqual([{ objectId: 1, instanceId: 0 }, { objectId: 3, instanceId: 0 }]);
  });

  it('treats `</>;rt="oma.lwm2m"` as the default root', () => {
    const r = objects('</>;rt="oma.lwm2m";ct=11543,</1/0>');
    expect(r.rootPath).toBe('/');
    expect(r.contentFormats).toEqual([11543]);
    expect(r.objectLinks).toEqual([{ objectId: 1, instanceId: 0 }]);
  });

  it('keeps quoted values that contain commas and semicolons', () => {
    const links = parseLinkFormat('</3>;title="a,b;c";ver=1.1,</4>');
    expect(links).toEqual({
      ok: true,
      links: [
        { target: '/3', params: expect.objectContaining({ title: 'a,b;c', ver: '1.1' }) },
        { target: '/4', params: expect.any(Object) },
      ],
    });
  });

  it('records ver= on objects and ignores unknown attributes', () => {
    expect(objects('</1>;ver=1.1;foo=bar,</3/0>;obs').objectLinks).toEqual([
      { objectId: 1, version: '1.1' },
      { objectId: 3, instanceId: 0 },
    ]);
  });

  it('ignores links that are not object paths and duplicate links', () => {
    expect(objects('</rd>,</1/0/5>,</abc>,</3/0>,</3/0>').objectLinks).toEqual([{ objectId: 3, instanceId: 0 }]);
  });

  it('accepts an empty payload and a trailing comma', () => {
    expect(parseLinkFormat('')).toEqual({ ok: true, links: [] });
    expect(objects('</1/0>,').objectLinks).toHaveLength(1);
  });

  it.each([
    ['missing <', '/1/0>'],
    ['unterminated <', '</1/0'],
    ['unterminated quote', '</1>;rt="abc'],
    ['junk between links', '</1> x </2>'],
    ['parameter without name', '</1>;=3'],
  ])('rejects %s', (_name, text) => {
    expect(parseLinkFormat(text).ok).toBe(false);
  });

  it('rejects an invalid ct on the root link', () => {
    const links = parseLinkFormat('</>;rt="oma.lwm2m";ct=abc');
    expect(links.ok && toClientObjects(links.links).ok).toBe(false);
  });

  it('parses a payload with hundreds of objects', () => {
    const text = Array.from({ length: 600 }, (_, i) => `</${i}/0>;ver=1.0`).join(',');
    expect(objects(text).objectLinks).toHaveLength(600);
  });
});

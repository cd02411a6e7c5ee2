import type { Registration } from '@lwm2m-console/shared';
import { describe, expect, it } from 'vitest';
import { pack } from './packed-registration-store.js';
import { RegistrationSnapshotReader, RegistrationSnapshotWriter, SNAPSHOT_FORMAT } from './registration-snapshot.js';
import { fixtureRegistration, T0 } from './test-support.js';

const registration = fixtureRegistration;

/** A registration with every optional field set. */
const full = registration('AAAAAAAAAAA', 'dev-full', {
  lwm2mVersion: '1.0',
  binding: 'UQ',
  queueMode: true,
  smsNumber: '+15550100',
  rootPath: '/lwm2m/',
  contentFormats: [110, 112],
  extraAttributes: { apn: 'iot.example' },
  address: '2001:db8::7',
  port: 40001,
  transport: 'coaps',
  security: { mode: 'psk', identity: 'dev-full-id', cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8', connectionId: true },
  lastUpdateAt: T0 + 60_000,
  expiresAt: T0 + 360_000,
  rawLastUpdate: { query: 'lt=300', payload: '', at: T0 + 60_000 },
});

function write(list: Registration[], savedAt = T0 + 60_000): string[] {
  const w = new RegistrationSnapshotWriter();
  let text = w.header(savedAt);
  for (const r of list) text += w.entry({ packed: pack(r), objectLinks: r.objectLinks });
  text += w.footer();
  return text.split('\n');
}

function read(lines: string[], now = T0 + 120_000) {
  const reader = new RegistrationSnapshotReader(now);
  const registrations = lines.map((l) => reader.read(l)).filter((r) => r !== undefined);
  return { registrations, summary: reader.summary() };
}

/** The record line of `r` with one packed field replaced. */
function withField(r: Registration, index: number, value: unknown): string {
  const packed = JSON.parse(pack(r)) as unknown[];
  packed[index] = value;
  return JSON.stringify([-1, packed]);
}

const header = JSON.stringify({ format: SNAPSHOT_FORMAT, version: 1, savedAt: T0 });

describe('registration snapshot', () => {
  it('gives back a registration with every optional field set exactly as it was saved', () => {
    const { registrations, summary } = read(write([full, registration('BBBBBBBBBBB', 'dev-plain')]));
    expect(registrations).toEqual([full, registration('BBBBBBBBBBB', 'dev-plain')]);
    expect(summary).toEqual({ expired: 0, unreadable: 0, incomplete: false });
  });

  it('writes one links line for devices that share a links list, and shares it again when read', () => {
    const lines = write([registration('AAAAAAAAAAA', 'a'), registration('BBBBBBBBBBB', 'b'), registration('CCCCCCCCCCC', 'c', { objectLinks: [] })]);
    expect(lines.filter((l) => l.startsWith('{"links"'))).toHaveLength(1);
    const { registrations } = read(lines);
    expect(registrations[0]!.objectLinks).toBe(registrations[1]!.objectLinks);
    expect(Object.isFrozen(registrations[0]!.objectLinks)).toBe(true);
    expect(registrations[2]!.objectLinks).toEqual([]);
  });

  it('drops a registration whose lifetime ran out while the bridge was down, and counts it', () => {
    const soon = registration('AAAAAAAAAAA', 'short', { lifetime: 60, expiresAt: T0 + 60_000 });
    const later = registration('BBBBBBBBBBB', 'long');
    const lines = write([soon, later]);
    expect(read(lines, T0 + 59_999).registrations.map((r) => r.endpoint)).toEqual(['short', 'long']);
    const atDeadline = read(lines, T0 + 60_000);
    expect(atDeadline.registrations.map((r) => r.endpoint)).toEqual(['long']);
    expect(atDeadline.summary).toMatchObject({ expired: 1, unreadable: 0 });
  });

  it('skips a record whose last Update is later than the restore, so an edited time cannot keep it registered for years', () => {
    const fromTheFuture = registration('AAAAAAAAAAA', 'future', { lastUpdateAt: T0 + 10 * 365 * 86_400_000, expiresAt: T0 + 10 * 365 * 86_400_000 + 300_000 });
    const { registrations, summary } = read(write([fromTheFuture, registration('BBBBBBBBBBB', 'good')]));
    expect(registrations.map((r) => r.endpoint)).toEqual(['good']);
    expect(summary).toMatchObject({ unreadable: 1, expired: 0 });
  });

  it.each([
    ['an id the bridge never issues', 0, 'rd/../x'],
    ['an empty endpoint', 1, ''],
    ['an endpoint with a control character', 1, 'dev\n1'],
    ['a lifetime of zero', 2, 0],
    ['a fractional lifetime', 2, 1.5],
    ['an unsupported LwM2M version', 3, '9.9'],
    ['a binding LwM2M does not define', 4, 'Z'],
    ['a queue flag that is not 0 or 1', 5, true],
    ['an SMS number with letters', 6, 'call-me'],
    ['a root path without slashes', 7, 'lwm2m'],
    ['content formats out of range', 8, [70_000]],
    ['extra attributes that are not text', 9, { apn: 5 }],
    ['an address that is not an IP address', 10, 'example.com'],
    ['port 0', 11, 0],
    ['a transport other than coap or coaps', 12, 'http'],
    ['a security mode that does not exist', 13, { mode: 'none' }],
    ['an expiry later than its lifetime allows', 16, T0 + 86_400_000],
    ['a last update before the registration', 15, T0 - 1],
    ['a raw Register that is not [query, payload, at]', 17, { query: 'ep=x' }],
    ['a raw Update with a payload that is not text', 18, ['lt=60', 7, T0]],
  ])('skips and counts a record with %s, and keeps the others', (_what, index, value) => {
    const lines = write([registration('BBBBBBBBBBB', 'good')]);
    lines.splice(-2, 0, withField(registration('AAAAAAAAAAA', 'bad'), index, value));
    const { registrations, summary } = read(lines);
    expect(registrations.map((r) => r.endpoint)).toEqual(['good']);
    expect(summary).toMatchObject({ unreadable: 1 });
  });

  it('skips a DTLS registration without the identity that owns it, and one that is not JSON or names unknown links', () => {
    const lines = write([registration('BBBBBBBBBBB', 'good')]);
    const ownerless = withField(registration('AAAAAAAAAAA', 'dtls', { transport: 'coaps' }), 13, { mode: 'psk' });
    lines.splice(-2, 0, ownerless, '[-1,["AAAAAAAAAAA","cut', `[7,${pack(registration('CCCCCCCCCCC', 'no-links'))}]`, '{"links":[{"objectId":-1}]}', '"stray"');
    const { registrations, summary } = read(lines);
    expect(registrations.map((r) => r.endpoint)).toEqual(['good']);
    expect(summary).toMatchObject({ unreadable: 5 });
  });

  it('carries only the security fields it knows, and keeps __proto__ a plain attribute name', () => {
    const packed = JSON.parse(pack(full)) as unknown[];
    packed[13] = { mode: 'psk', identity: 'dev-full-id', keyHex: '00112233', admin: true };
    const line = `[-1,${JSON.stringify(packed).replace('"apn":"iot.example"', '"__proto__":"x","apn":"iot.example"')}]`;
    const [r] = read([header, line]).registrations;
    expect(r!.security).toEqual({ mode: 'psk', identity: 'dev-full-id' });
    expect(Object.getPrototypeOf(r!.extraAttributes)).toBe(Object.prototype);
    expect(Object.keys(r!.extraAttributes)).toEqual(['__proto__', 'apn']);
  });

  it('drops the whole file when it is of another format version, not a registrations file, or empty', () => {
    const lines = write([registration('AAAAAAAAAAA', 'a')]);
    const v2 = [JSON.stringify({ format: SNAPSHOT_FORMAT, version: 2, savedAt: T0 }), ...lines.slice(1)];
    expect(read(v2)).toEqual({ registrations: [], summary: { error: 'format version 2, this bridge reads version 1', expired: 0, unreadable: 0, incomplete: false } });
    expect(read(['{"version":1,"sessions":[]}', ...lines.slice(1)]).summary.error).toBe('not a registrations file');
    expect(read(['garbage', ...lines.slice(1)]).registrations).toEqual([]);
    expect(read(['']).summary.error).toBe('empty file');
  });

  it('tells a file cut short or added to from a complete one, and keeps what it could read', () => {
    const lines = write([registration('AAAAAAAAAAA', 'a'), registration('BBBBBBBBBBB', 'b')]);
    const cut = lines.slice(0, 3);
    expect(read(cut)).toMatchObject({ registrations: [{ endpoint: 'a' }], summary: { incomplete: true } });
    const extra = [...lines];
    extra.splice(2, 0, withField(registration('CCCCCCCCCCC', 'c'), 2, 60));
    expect(read(extra).summary).toMatchObject({ incomplete: true, unreadable: 1 });
    expect(read(lines).summary.incomplete).toBe(false);
  });
});

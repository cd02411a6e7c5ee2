import { describe, expect, it } from 'vitest';
import { describeChanges, describeEnd } from './fleet-text.js';
import { parseServerMessage } from './guards.js';
import { omaObjectName } from './oma-objects.js';
import type { RegistrationSummary } from './registration.js';
import { decodeSummaryRow, encodeSummaryRow } from './summary-rows.js';

describe('summary rows', () => {
  const full: RegistrationSummary = {
    id: 'r1', endpoint: 'dev1', address: '2001:db8::1', port: 5684, transport: 'coaps', lwm2mVersion: '1.2', binding: 'UQ',
    queueMode: true, smsNumber: '+15550100', lifetime: 60, registeredAt: 1, lastUpdateAt: 2, expiresAt: 60_002, objectCount: 4, securityMode: 'rpk',
  };

  it('round-trips a summary, with and without its optional fields', () => {
    expect(decodeSummaryRow(JSON.parse(JSON.stringify(encodeSummaryRow(full))))).toEqual(full);
    const { smsNumber: _s, securityMode: _m, ...bare } = full;
    expect(decodeSummaryRow(encodeSummaryRow(bare))).toEqual(bare);
  });

  it('refuses rows of the wrong shape', () => {
    const row = encodeSummaryRow(full) as unknown[];
    expect(decodeSummaryRow(row.slice(1))).toBeUndefined();
    expect(decodeSummaryRow([...row.slice(0, 4), 'tcp', ...row.slice(5)])).toBeUndefined();
    expect(decodeSummaryRow([...row.slice(0, 5), '9.9', ...row.slice(6)])).toBeUndefined();
    expect(decodeSummaryRow([...row.slice(0, 9), '60', ...row.slice(10)])).toBeUndefined();
    expect(decodeSummaryRow({ 0: 'r1' })).toBeUndefined();
  });
});

describe('parseServerMessage', () => {
  it('accepts a delta and a snapshot part', () => {
    expect(parseServerMessage('{"type":"delta","v":1,"seq":3,"serverTime":1,"events":[]}')).toMatchObject({ ok: true });
    const part = { type: 'snapshot', v: 1, seq: 0, serverTime: 1, part: 1, parts: 2, registrations: [] };
    expect(parseServerMessage(JSON.stringify(part))).toMatchObject({ ok: true, value: part });
  });

  it('rejects frames the client state machine could not trust', () => {
    expect(parseServerMessage('{"type":"delta","v":1,"seq":-1,"events":[]}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(parseServerMessage('{"type":"snapshot","v":1,"seq":1,"part":2,"parts":2,"registrations":[]}')).toMatchObject({ ok: false });
    expect(parseServerMessage('{"type":"error","v":1,"code":"NOPE","message":"x"}')).toMatchObject({ ok: false });
    expect(parseServerMessage('{"type":"hello","v":2,"server":{"coapUris":[]}}')).toMatchObject({ ok: false, code: 'UNSUPPORTED_VERSION' });
    expect(parseServerMessage('{"type":"surprise","v":1}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(parseServerMessage('nope')).toMatchObject({ ok: false, code: 'BAD_JSON' });
  });
});

describe('event wording', () => {
  it('names only what an Update changed', () => {
    expect(describeChanges({})).toBe('no changes');
    expect(describeChanges({ lifetime: 120, queueMode: true })).toBe('lifetime 120 s, queue mode on');
    expect(describeChanges({ port: 40001 })).toBe('port 40001');
    expect(describeChanges({ address: '192.0.2.7', port: 5683 })).toBe('address 192.0.2.7:5683');
    expect(describeChanges({ objectLinks: [{ objectId: 3, instanceId: 0 }] })).toBe('objects (1 link)');
  });

  it('says why a registration ended', () => {
    expect(describeEnd('deregistered')).toBe('de-registered');
    expect(describeEnd('replaced')).toBe('replaced by a new registration');
    expect(describeEnd('disabled', Date.UTC(2030, 0, 1))).toBe('disabled, expected back at 2030-01-01T00:00:00.000Z');
  });

  it('names the OMA core objects 0-7 and nothing else', () => {
    expect([0, 1, 3, 7].map(omaObjectName)).toEqual(['LwM2M Security', 'LwM2M Server', 'Device', 'Connectivity Statistics']);
    expect(omaObjectName(8)).toBeUndefined();
    expect(omaObjectName(Number('constructor'))).toBeUndefined();
  });
});

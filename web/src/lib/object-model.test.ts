import { describe, expect, it } from 'vitest';
import { awayText, disableConfirmation, flattenReading, modelOf, parseTypedInput, serverResources } from './object-model.js';
import { DRAFT_SERVER, PUBLISHED_SERVER } from '../test/server-objects.js';

const at = (h: number, m: number, s: number) => new Date(2026, 10, 29, h, m, s).getTime();

describe('Server-object resources by name', () => {
  it('finds Disable 4, Disable Timeout 5, Lifetime 1 and Update Trigger 8 in the published layout', () => {
    const r = serverResources(modelOf([PUBLISHED_SERVER]));
    expect([r.disable?.id, r.disableTimeout?.id, r.lifetime?.id, r.updateTrigger?.id]).toEqual([4, 5, 1, 8]);
  });

  it('finds Disable 7 and Disable Timeout 8 in the draft layout, and no Update Trigger', () => {
    const r = serverResources(modelOf([DRAFT_SERVER]));
    expect([r.disable?.id, r.disableTimeout?.id, r.lifetime?.id]).toEqual([7, 8, 1]);
    expect(r.updateTrigger).toBeUndefined();
  });

  it('finds nothing when the device has no Server object in its model', () => {
    expect(serverResources(modelOf([]))).toEqual({});
  });
});

describe('Disable confirmation', () => {
  it('states the effect: de-registers and is unreachable for N seconds, until the local time', () => {
    expect(disableConfirmation('dev1', 3, at(12, 0, 0))).toBe('dev1 de-registers and is unreachable for 3 seconds, until 12:00:03.');
    expect(disableConfirmation('dev1', 90, at(12, 0, 0))).toBe('dev1 de-registers and is unreachable for 90 seconds (1m 30s), until 12:01:30.');
  });

  it('gives the date when the device comes back on another day, so a day-long Disable does not read as already over', () => {
    expect(disableConfirmation('dev1', 86_400, at(12, 0, 0))).toBe('dev1 de-registers and is unreachable for 86400 seconds (1d), until 2026-11-30 12:00:00.');
    expect(disableConfirmation('dev1', 1, at(23, 59, 59))).toBe('dev1 de-registers and is unreachable for 1 second, until 2026-11-30 00:00:00.');
    expect(awayText(at(12, 0, 0) + 86_400_000, at(12, 0, 3))).toBe('disabled, expected back at 2026-11-30 12:00:00 (in 23h 59m)');
  });

  it('says when an away device is expected back, and how overdue it is, like every other countdown', () => {
    expect(awayText(at(12, 0, 3), at(12, 0, 1))).toBe('disabled, expected back at 12:00:03 (in 2s)');
    expect(awayText(at(12, 0, 3), at(12, 0, 8))).toBe('disabled, expected back at 12:00:03 (5s overdue)');
    expect(awayText(at(12, 0, 3), at(12, 2, 8))).toBe('disabled, expected back at 12:00:03 (2m 05s overdue)');
  });
});

describe('typed input for Write', () => {
  it('turns text into the value type of the resource', () => {
    expect(parseTypedInput('Integer', ' 45 ')).toEqual({ ok: true, value: { type: 'integer', value: 45 } });
    expect(parseTypedInput('Unsigned Integer', '18446744073709551615')).toEqual({ ok: true, value: { type: 'unsigned', value: '18446744073709551615' } });
    expect(parseTypedInput('Boolean', 'true')).toEqual({ ok: true, value: { type: 'boolean', value: true } });
    expect(parseTypedInput('Float', '1.5')).toEqual({ ok: true, value: { type: 'float', value: 1.5 } });
    expect(parseTypedInput('Objlnk', '3:0')).toEqual({ ok: true, value: { type: 'objlnk', value: { objectId: 3, instanceId: 0 } } });
    expect(parseTypedInput('String', ' U ')).toEqual({ ok: true, value: { type: 'string', value: ' U ' } });
  });

  it('refuses text that is not of the resource type, with a reason', () => {
    expect(parseTypedInput('Integer', '4.5')).toEqual({ ok: false, error: 'an integer is expected' });
    expect(parseTypedInput('Unsigned Integer', '-1').ok).toBe(false);
    expect(parseTypedInput('Boolean', 'yes').ok).toBe(false);
    expect(parseTypedInput('Opaque', 'not base64!').ok).toBe(false);
    expect(parseTypedInput('none', 'x').ok).toBe(false);
  });
});

describe('Read results per resource', () => {
  it('flattens an instance read into one reading per resource path, with resource instances', () => {
    const m = flattenReading('/3/0', {
      kind: 'instance',
      id: 0,
      resources: [
        { kind: 'resource', id: 0, value: { type: 'string', value: 'acme' } },
        { kind: 'multipleResource', id: 7, instances: [{ kind: 'resourceInstance', id: 0, value: { type: 'integer', value: 3800 } }] },
      ],
    });
    expect([...m.entries()]).toEqual([
      ['/3/0/0', { value: { type: 'string', value: 'acme' } }],
      ['/3/0/7', { instances: [{ id: 0, value: { type: 'integer', value: 3800 } }] }],
    ]);
  });

  it('flattens an object read across its instances, and a single resource read to its own path', () => {
    const obj = flattenReading('/1', { kind: 'object', id: 1, instances: [{ kind: 'instance', id: 2, resources: [{ kind: 'resource', id: 1, value: { type: 'integer', value: 30 } }] }] });
    expect([...obj.keys()]).toEqual(['/1/2/1']);
    const one = flattenReading('/1/0/5', { kind: 'resource', id: 5, value: { type: 'integer', value: 3 } });
    expect([...one.entries()]).toEqual([['/1/0/5', { value: { type: 'integer', value: 3 } }]]);
  });
});

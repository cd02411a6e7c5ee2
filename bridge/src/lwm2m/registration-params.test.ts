import { describe, expect, it } from 'vitest';
import { parseRegisterParams, parseUpdateParams } from './registration-params.js';

describe('parseRegisterParams', () => {
  it('applies the defaults of seed Table 2', () => {
    expect(parseRegisterParams(['ep=dev1'])).toEqual({
      ok: true,
      value: { endpoint: 'dev1', lifetime: 86400, lwm2mVersion: '1.0', binding: 'U', queueMode: false, extraAttributes: {} },
    });
  });

  it('reads every defined parameter and keeps unknown ones as extra attributes', () => {
    const r = parseRegisterParams(['ep=dev1', 'lt=300', 'sms=+4912345', 'lwm2m=1.1', 'b=UT', 'Q', 'apn=iot']);
    expect(r).toEqual({
      ok: true,
      value: {
        endpoint: 'dev1',
        lifetime: 300,
        lwm2mVersion: '1.1',
        binding: 'UT',
        queueMode: true,
        smsNumber: '+4912345',
        extraAttributes: { apn: 'iot' },
      },
    });
  });

  it('refuses a missing or empty endpoint with 4.00', () => {
    expect(parseRegisterParams(['lt=60'])).toMatchObject({ ok: false, code: '4.00' });
    expect(parseRegisterParams(['ep='])).toMatchObject({ ok: false, code: '4.00' });
  });

  it.each(['abc', '-5', '0', '1.5', '99999999999', ''])('refuses lt=%s with 4.00', (lt) => {
    expect(parseRegisterParams(['ep=d', `lt=${lt}`])).toMatchObject({ ok: false, code: '4.00' });
  });

  it('refuses an unsupported LwM2M version with 4.12', () => {
    expect(parseRegisterParams(['ep=d', 'lwm2m=2.0'])).toMatchObject({ ok: false, code: '4.12' });
    expect(parseRegisterParams(['ep=d', 'lwm2m=1.2']).ok).toBe(true);
  });

  it('validates the binding for LwM2M 1.0', () => {
    for (const b of ['U', 'UQ', 'S', 'SQ', 'US', 'UQS']) expect(parseRegisterParams(['ep=d', `b=${b}`]).ok).toBe(true);
    expect(parseRegisterParams(['ep=d', 'b=UQ'])).toMatchObject({ ok: true, value: { queueMode: true } });
    expect(parseRegisterParams(['ep=d', 'b=T'])).toMatchObject({ ok: false, code: '4.00' });
    expect(parseRegisterParams(['ep=d', 'Q'])).toMatchObject({ ok: false, code: '4.00' });
  });

  it('validates the binding for LwM2M 1.1: letters U T S N once each, queue mode separate', () => {
    expect(parseRegisterParams(['ep=d', 'lwm2m=1.1', 'b=UTSN']).ok).toBe(true);
    expect(parseRegisterParams(['ep=d', 'lwm2m=1.1', 'b=UQ'])).toMatchObject({ ok: false, code: '4.00' });
    expect(parseRegisterParams(['ep=d', 'lwm2m=1.1', 'b=UU'])).toMatchObject({ ok: false, code: '4.00' });
  });

  it('refuses a parameter given twice, an invalid sms and control characters in ep', () => {
    expect(parseRegisterParams(['ep=a', 'ep=b'])).toMatchObject({ ok: false, code: '4.00' });
    expect(parseRegisterParams(['ep=a', 'sms=call-me'])).toMatchObject({ ok: false, code: '4.00' });
    expect(parseRegisterParams(['ep=a\u0000b'])).toMatchObject({ ok: false, code: '4.00' });
  });
});

describe('parseUpdateParams', () => {
  it('returns only what is sent', () => {
    expect(parseUpdateParams([], '1.0')).toEqual({ ok: true, value: { extraAttributes: {} } });
    expect(parseUpdateParams(['lt=120'], '1.0')).toEqual({ ok: true, value: { lifetime: 120, extraAttributes: {} } });
  });

  it('refuses changing the endpoint or version and invalid values', () => {
    expect(parseUpdateParams(['ep=x'], '1.0')).toMatchObject({ ok: false, code: '4.00' });
    expect(parseUpdateParams(['lwm2m=1.1'], '1.0')).toMatchObject({ ok: false, code: '4.00' });
    expect(parseUpdateParams(['lt=x'], '1.0')).toMatchObject({ ok: false, code: '4.00' });
    expect(parseUpdateParams(['b=T'], '1.0')).toMatchObject({ ok: false, code: '4.00' });
  });

  it('sets queue mode from a 1.0 binding and from Q in 1.1', () => {
    expect(parseUpdateParams(['b=UQ'], '1.0')).toMatchObject({ ok: true, value: { binding: 'UQ', queueMode: true } });
    expect(parseUpdateParams(['Q'], '1.1')).toMatchObject({ ok: true, value: { queueMode: true } });
  });
});

import { describe, expect, it } from 'vitest';
import { auditResult } from './audit-text.js';

describe('audit result text', () => {
  it('names a device refusal instead of repeating its code', () => {
    const r = auditResult({ ok: false, code: '4.05', error: 'device answered 4.05' });
    expect(r).toEqual({ code: '4.05', text: 'Method Not Allowed, refused by the device' });
    expect(`${r.code} ${r.text}`).not.toMatch(/4\.05.*4\.05/);
  });

  it("keeps the device's own diagnostic after the name", () => {
    expect(auditResult({ ok: false, code: '4.00', error: 'device answered 4.00: value out of range' }).text).toBe('Bad Request, refused by the device: value out of range');
  });

  it('says the device refused even for a code without a name', () => {
    expect(auditResult({ ok: false, code: '4.99', error: 'device answered 4.99' })).toEqual({ code: '4.99', text: 'refused by the device' });
  });

  it('names a success code, and shows other errors as they are', () => {
    expect(auditResult({ ok: true, code: '2.04' })).toEqual({ code: '2.04', text: 'Changed' });
    expect(auditResult({ ok: false, error: 'no answer within 93 s' })).toEqual({ code: 'failed', text: 'no answer within 93 s' });
    expect(auditResult({ ok: true })).toEqual({ code: 'ok', text: '' });
  });
});

import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from './guards.js';

describe('parseClientMessage', () => {
  it('accepts a well-formed getDevice request', () => {
    const r = parseClientMessage(JSON.stringify({ type: 'getDevice', v: 1, requestId: 'r1', endpoint: 'dev1' }));
    expect(r).toEqual({ ok: true, value: { type: 'getDevice', v: 1, requestId: 'r1', endpoint: 'dev1' } });
  });
  it('rejects text that is not JSON with BAD_JSON', () => {
    expect(parseClientMessage('{nope')).toMatchObject({ ok: false, code: 'BAD_JSON' });
  });
  it('rejects another protocol version', () => {
    expect(parseClientMessage('{"type":"ping","v":99}')).toMatchObject({ ok: false, code: 'UNSUPPORTED_VERSION' });
  });
  it('rejects unknown types and non-objects', () => {
    expect(parseClientMessage('{"type":"__proto__","v":1}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(parseClientMessage('[1,2]')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(parseClientMessage('null')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
  });
  it('drops getDevice without an endpoint', () => {
    expect(parseClientMessage('{"type":"getDevice","v":1,"requestId":"x"}')).toMatchObject({ ok: false });
  });
  it('keeps the requestId of a request it refuses, so the answer can settle that request at once', () => {
    const tooLong = { type: 'putCredential', v: 1, requestId: 'r7', credential: { endpoint: 'x'.repeat(300), mode: 'psk', identity: 'x' } };
    expect(parseClientMessage(JSON.stringify(tooLong))).toEqual({ ok: false, code: 'BAD_MESSAGE', error: 'putCredential: credential needs an endpoint name of 1 to 255 characters', requestId: 'r7' });
    expect(parseClientMessage('{"type":"operation","v":1,"requestId":"r8","request":{"op":"fly"}}')).toMatchObject({ ok: false, requestId: 'r8' });
    expect(parseClientMessage('{"type":"getDevice","v":1,"requestId":"r9","endpoint":{"$ne":1}}')).toMatchObject({ ok: false, requestId: 'r9' });
    expect(parseClientMessage('{"type":"operation","v":1,"requestId":{"$gt":""}}')).not.toHaveProperty('requestId');
  });
  it('accepts getRefusals with a requestId only, and says what is missing otherwise', () => {
    expect(parseClientMessage('{"type":"getRefusals","v":1,"requestId":"r9","extra":"ignored"}')).toEqual({ ok: true, value: { type: 'getRefusals', v: 1, requestId: 'r9' } });
    expect(parseClientMessage('{"type":"getRefusals","v":1}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE', error: 'getRefusals needs a requestId' });
  });
});

describe('parseServerMessage', () => {
  it('accepts a refusals frame with a list and refuses one without', () => {
    expect(parseServerMessage('{"type":"refusals","v":1,"refusals":[]}')).toMatchObject({ ok: true });
    expect(parseServerMessage('{"type":"refusals","v":1,"refusals":{}}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
  });
});

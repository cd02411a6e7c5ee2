import { describe, expect, it } from 'vitest';
import { generate } from 'coap-packet';
import { peekHeader } from './message-header.js';

describe('peekHeader', () => {
  it('reads type, code, message id and Block1 of a real request', () => {
    const msg = generate({
      confirmable: true,
      messageId: 0x1234,
      token: Buffer.from([1, 2]),
      code: '0.02',
      options: [
        { name: 'Uri-Path', value: Buffer.from('rd') },
        { name: 'Block1', value: Buffer.from([0x2a]) },
      ],
      payload: Buffer.from('</1/0>'),
    });
    const r = peekHeader(msg);
    expect(r).toEqual({ ok: true, header: expect.objectContaining({ type: 0, code: 2, messageId: 0x1234, tokenLength: 2, block1: { num: 2, more: true, szx: 2 } }) });
  });

  it.each([
    ['too short', [0x40, 0x01]],
    ['wrong version', [0x80, 0x01, 0, 1]],
    ['reserved token length', [0x49, 0x01, 0, 1]],
    ['truncated token', [0x44, 0x01, 0, 1, 9]],
    ['empty message with bytes', [0x40, 0x00, 0, 1, 0xff]],
    ['payload marker without payload', [0x40, 0x01, 0, 1, 0xff]],
    ['reserved option nibble', [0x40, 0x01, 0, 1, 0xf1, 0]],
    ['option past the end', [0x40, 0x01, 0, 1, 0xb5, 0x72]],
  ])('rejects %s', (_n, bytes) => {
    expect(peekHeader(Uint8Array.from(bytes)).ok).toBe(false);
  });
});

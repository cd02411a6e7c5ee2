import type { ServerMessage } from '@lwm2m-console/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RefusalLog, type RefusedAttempt } from '../security/refusal-log.js';
import { RefusalRelay } from './refusal-relay.js';

const attempt = (identity: string): RefusedAttempt => ({ transport: 'coaps', address: '10.0.0.1', port: 1, stage: 'handshake', identity, outcome: 'bad_record_mac', reason: 'wrong key' });

afterEach(() => {
  vi.useRealTimers();
});

describe('RefusalRelay', () => {
  it('sends the refusals of one period as one frame, each entry once in its latest state', () => {
    vi.useFakeTimers();
    const log = new RefusalLog();
    const sent: ServerMessage[] = [];
    const relay = new RefusalRelay(log, (m) => sent.push(m), () => true, 250);
    for (let i = 0; i < 1_000; i++) log.record(attempt(i % 2 === 0 ? 'a' : 'b'), i);
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(250);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'refusals', refusals: [{ identity: 'a', count: 500 }, { identity: 'b', count: 500 }] });
    relay.close();
  });

  it('keeps nothing while no console is connected (a console asks with getRefusals when it opens)', () => {
    vi.useFakeTimers();
    const log = new RefusalLog();
    const sent: ServerMessage[] = [];
    let listening = false;
    const relay = new RefusalRelay(log, (m) => sent.push(m), () => listening, 250);
    log.record(attempt('a'), 1);
    vi.advanceTimersByTime(1_000);
    listening = true;
    log.record(attempt('b'), 2);
    vi.advanceTimersByTime(250);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ refusals: [{ identity: 'b' }] });
    relay.close();
  });
});

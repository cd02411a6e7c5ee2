import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@lwm2m-console/shared';
import { useAuditStore } from '../stores/audit.js';
import { useFleetStore } from '../stores/fleet.js';
import { useOperationsStore } from '../stores/operations.js';
import { useSecurityStore } from '../stores/security.js';
import { startedSocket } from '../test/fake-socket.js';
import { snapshot, summary } from '../test/fixtures.js';

const entry = (id: number, actor = 'console#2'): AuditEntry => ({ id, at: 1_000 + id, actor, endpoint: 'dev1', op: 'execute', path: '/1/0/8', detail: '', ok: true, code: '2.04', durationMs: 4 });

describe('bridge socket: operations, audit, away and credentials', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('correlates an operation with its result by requestId and keeps the values it read', async () => {
    const { socket, ws } = await startedSocket();
    const pending = useOperationsStore().run({ op: 'read', endpoint: 'dev1', path: '/1/0/1' });
    const sent = ws.lastSent('operation')!;
    expect(sent.request).toEqual({ op: 'read', endpoint: 'dev1', path: '/1/0/1' });
    // Another console's answer (different id) is not ours.
    ws.receive({ type: 'operationResult', v: 1, requestId: 'someone-else', result: { op: 'read', endpoint: 'dev1', path: '/1/0/1', ok: false, at: 0, durationMs: 1 } });
    ws.receive({
      type: 'operationResult',
      v: 1,
      requestId: sent.requestId,
      result: { op: 'read', endpoint: 'dev1', path: '/1/0/1', ok: true, code: '2.05', value: { kind: 'resource', id: 1, value: { type: 'integer', value: 45 } }, at: 0, durationMs: 7 },
    });
    const outcome = await pending;
    expect(outcome.kind === 'result' && outcome.result.code).toBe('2.05');
    expect(useOperationsStore().readingOf('dev1', '/1/0/1')).toEqual({ value: { type: 'integer', value: 45 } });
    expect(useOperationsStore().stateOf('dev1', '/1/0/1')?.pending).toBe(false);
    socket.stop();
  });

  it('fails operations in flight as DISCONNECTED when the socket closes', async () => {
    const { socket, ws } = await startedSocket();
    const pending = useOperationsStore().run({ op: 'execute', endpoint: 'dev1', path: '/3/0/4' });
    ws.close();
    expect(await pending).toMatchObject({ kind: 'failed', code: 'DISCONNECTED' });
    socket.stop();
  });

  it('appends audit entries pushed by the bridge without reload, merged with the getAudit answer', async () => {
    const { socket, ws } = await startedSocket();
    const audit = useAuditStore();
    const loading = audit.load();
    const req = ws.lastSent('getAudit')!;
    ws.receive({ type: 'audit', v: 1, entries: [entry(3)] });
    ws.receive({ type: 'audit', v: 1, requestId: req.requestId, entries: [entry(1), entry(2), entry(3)] });
    await loading;
    expect(audit.entries.map((e) => e.id)).toEqual([1, 2, 3]);
    ws.receive({ type: 'audit', v: 1, entries: [entry(4, 'console#7')] });
    expect(audit.entries.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(audit.pushedAt.has(4)).toBe(true);
    socket.stop();
  });

  it('keeps away devices from the away message as rows counted in the totals', async () => {
    const { socket, ws } = await startedSocket();
    ws.receive(snapshot(1, [summary('a')]));
    ws.receive({ type: 'away', v: 1, devices: [{ endpoint: 'b', registration: summary('b'), disabledAt: 1_000, expectedBackAt: 4_000 }] });
    const fleet = useFleetStore();
    expect(fleet.order).toEqual(['a', 'b']);
    expect(fleet.awayOf('b')?.expectedBackAt).toBe(4_000);
    expect(fleet.totalsAt(2_000)).toMatchObject({ registered: 1, away: 1 });
    socket.stop();
  });

  it('replaces the credential list pushed after any change, from any console', async () => {
    const { socket, ws } = await startedSocket();
    ws.receive({ type: 'credentials', v: 1, credentials: [{ endpoint: 'z', mode: 'psk', identity: 'z', createdAt: 1, updatedAt: 1 }, { endpoint: 'a', mode: 'x509', createdAt: 1, updatedAt: 2 }], allowUnsecured: false });
    const security = useSecurityStore();
    expect(security.credentials.map((c) => c.endpoint)).toEqual(['a', 'z']);
    expect(security.allowUnsecured).toBe(false);
    socket.stop();
  });
});

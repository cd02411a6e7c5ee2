/** DTLS server figures for the Security page's tests: a quiet default server, with overrides. */
import type { DtlsStatus } from '@lwm2m-console/shared';

export function dtlsStatus(over: Partial<DtlsStatus> = {}): DtlsStatus {
  return {
    sessions: 12,
    maxSessions: 100_000,
    handshakes: 1,
    maxHandshakes: 2_000,
    resumable: 30,
    maxResumable: 10_000,
    handshakesCompleted: 40,
    handshakesFailed: 3,
    handshakeTimeouts: 2,
    resumptions: 5,
    resumptionsRefused: 1,
    capacityRefused: 0,
    handshakesEvicted: 0,
    authFailures: 7,
    replays: 4,
    malformed: 9,
    idleEvicted: 6,
    addressChanges: 8,
    ...over,
  };
}

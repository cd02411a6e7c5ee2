/**
 * `node --expose-gc bridge/dist/bench/activity-history-bench.js`: what the console's activity
 * history (console/activity-history.ts) costs per registry event, in process, CPU time.
 *
 * - `fleet event`: building the FleetEvent (summary); the hub skips this while no console is
 *   open, and then the ring keeps the registry event instead.
 * - `ring record`: storing an existing object (a built FleetEvent while a console is open, the
 *   registry event while none is).
 * - `hub, no console`: the whole hub listener (timelines, away, ring) per event, and the same
 *   without the history.
 * - memory held per line, measured with 100,000-line rings of distinct events, both shapes.
 * Prints figures; asserts nothing. Run under the bench lock.
 */
import { performance } from 'node:perf_hooks';
import type { FleetEvent, RegistrationEvent } from '@lwm2m-console/shared';
import { ActivityHistory } from '../console/activity-history.js';
import { AwayDevices } from '../console/away-devices.js';
import { EndpointTimelines } from '../console/endpoint-timelines.js';
import { FleetHub } from '../console/fleet-hub.js';
import { toFleetEvent } from '../console/fleet-events.js';
import { fakeRegistration } from '../console/test-support.js';
import { RegistrationEventBus } from '../events/registration-event-bus.js';
import { silentLogger } from '../log.js';
import { MemoryRegistrationStore } from '../registry/memory-registration-store.js';

const N = 200_000;
const ROUNDS = 5;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const registrations = Array.from({ length: N }, (_, i) => fakeRegistration(`bench-${i}`));
// Registered, then an Update that changed nothing, interleaved over the fleet (so nothing folds),
// as a fill followed by keep-alives does.
const events: RegistrationEvent[] = [
  ...registrations.map((registration, i): RegistrationEvent => ({ type: 'registered', at: 1_000 + i, registration })),
  ...registrations.map((registration, i): RegistrationEvent => ({ type: 'updated', at: 2_000_000 + i, registration, changes: {} })),
];
const built: FleetEvent[] = events.map(toFleetEvent);

function cpuNsPerEvent(run: () => void): number {
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    gc();
    const t0 = process.cpuUsage();
    run();
    const t = process.cpuUsage(t0);
    samples.push(((t.user + t.system) * 1000) / events.length);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

let sink: FleetEvent | undefined;
const fleetEvent = cpuNsPerEvent(() => {
  for (const e of events) sink = toFleetEvent(e);
});
const history = new ActivityHistory();
const ringRecord = cpuNsPerEvent(() => {
  for (const e of built) history.record(e);
});
const both = cpuNsPerEvent(() => {
  for (const e of events) history.record(toFleetEvent(e));
});
const rawRecord = cpuNsPerEvent(() => {
  for (const e of events) history.record(e);
});
const answerBuild = (() => {
  const t = process.cpuUsage();
  const lines = history.recent();
  const u = process.cpuUsage(t);
  return { ms: (u.user + u.system) / 1000, lines: lines.length };
})();

const bus = new RegistrationEventBus();
const hub = new FleetHub({ store: new MemoryRegistrationStore(), events: bus, info: () => ({ version: 'bench', coapUris: [], allowUnsecured: true }), log: silentLogger, tuning: { heartbeatMs: 0 } });
const hubNoConsole = cpuNsPerEvent(() => {
  for (const e of events) bus.publish(e);
});
hub.close();
// The same listener without the history, as the hub was before it (no console: no fleet event).
const timelines = new EndpointTimelines();
const away = new AwayDevices();
const baselineBus = new RegistrationEventBus();
baselineBus.subscribe((e) => {
  timelines.record(e);
  away.record(e);
});
const hubBaseline = cpuNsPerEvent(() => {
  for (const e of events) baselineBus.publish(e);
});

// Memory: distinct events. A wire line is a FleetEvent and its summary (the registration is
// held by the registry anyway); a registry-event line holds a registration the registry may
// already have replaced, so those are made fresh here and held by the ring alone.
gc();
gc();
let before = process.memoryUsage().heapUsed;
const big = new ActivityHistory(100_000);
for (let i = 0; i < 100_000; i++) big.record(toFleetEvent(events[i]!));
gc();
gc();
const bytesPerLine = (process.memoryUsage().heapUsed - before) / 100_000;
before = process.memoryUsage().heapUsed;
const bigRaw = new ActivityHistory(100_000);
for (let i = 0; i < 100_000; i++) bigRaw.record({ type: 'ended', at: i, registration: fakeRegistration(`gone-${i}`), reason: 'expired' });
gc();
gc();
const bytesPerRawLine = (process.memoryUsage().heapUsed - before) / 100_000;
const jsonBytes = JSON.stringify(big.recent(1_000)).length / 1_000;

const t0 = performance.now();
const answer = JSON.stringify({ type: 'activity', v: 1, requestId: 'x', seq: 1, events: history.recent(), capacity: 1000, recorded: history.recorded });
const answerMs = performance.now() - t0;

const f = (ns: number) => `${ns.toFixed(0)} ns`;
console.log(`activity history, ${events.length.toLocaleString('en-US')} events, median of ${ROUNDS} rounds (CPU time per event):`);
console.log(`  build the fleet event (summary)       ${f(fleetEvent)}`);
console.log(`  ring record of a built event          ${f(ringRecord)}`);
console.log(`  build + record                        ${f(both)}`);
console.log(`  ring record of a registry event       ${f(rawRecord)}  (no console open)`);
console.log(`  whole hub listener, no console open   ${f(hubNoConsole)}  (timelines, away, ring)`);
console.log(`  same without the history              ${f(hubBaseline)}  (timelines, away: the hub before it)`);
console.log(`memory per held line: wire line ${bytesPerLine.toFixed(0)} bytes, registry event with a registration held only by it ${bytesPerRawLine.toFixed(0)} bytes (1,000 lines: ${((bytesPerRawLine * 1000) / 1024).toFixed(0)} KiB at most); JSON ${jsonBytes.toFixed(0)} bytes a line`);
console.log(`turning ${answerBuild.lines} registry-event lines into wire lines for the first getActivity: ${answerBuild.ms.toFixed(1)} ms CPU`);
console.log(`getActivity answer of ${history.size} lines: ${(answer.length / 1024).toFixed(0)} KiB, serialized in ${answerMs.toFixed(1)} ms`);
if (sink === undefined || bigRaw.size === 0) console.log('');

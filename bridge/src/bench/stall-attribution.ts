/**
 * Attributes event-loop stalls to code: reads a V8 CPU profile (`--cpu-prof`) and the stall lines
 * the bridge prints with BENCH_STALL_LOG_MS set (`stall N ms from START to END us`, monotonic
 * microseconds, the profile's clock), and prints, for each stall and for all of them together,
 * the functions the samples inside the stalls were in (self time) and their callers.
 *
 *   node bridge/dist/bench/stall-attribution.js PROFILE.cpuprofile STALL-LOG [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [profilePath, stallPath, topArg] = process.argv.slice(2);
if (!profilePath || !stallPath) {
  console.error('usage: stall-attribution PROFILE.cpuprofile STALL-LOG [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
const stalls = [...readFileSync(stallPath, 'utf8').matchAll(/stall ([\d.]+) ms from (\d+) to (\d+) us/g)].map((m) => ({
  ms: Number(m[1]),
  from: Number(m[2]),
  to: Number(m[3]),
}));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: ProfileNode) => {
  const file = n.callFrame.url.replace(/^.*\/(node_modules\/|dist\/)/, '$1');
  return `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
};
/** A sample's stack as labels, leaf first, a few frames deep. */
const stackOf = (id: number, depth: number) => {
  const out: string[] = [];
  for (let cur: number | undefined = id; cur !== undefined && out.length < depth; cur = parent.get(cur)) out.push(label(byId.get(cur)!));
  return out;
};

// Sample timestamps on the profile's clock.
const times: number[] = [];
let t = profile.startTime;
for (const d of profile.timeDeltas) times.push((t += d));

function attribute(from: number, to: number): { samples: number; self: Map<string, number>; stacks: Map<string, number> } {
  const self = new Map<string, number>();
  const stacks = new Map<string, number>();
  let samples = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i]! < from || times[i]! > to) continue;
    samples++;
    const [leaf, ...callers] = stackOf(profile.samples[i]!, 6);
    self.set(leaf!, (self.get(leaf!) ?? 0) + 1);
    const stack = [leaf, ...callers].join(' < ');
    stacks.set(stack, (stacks.get(stack) ?? 0) + 1);
  }
  return { samples, self, stacks };
}

const print = (title: string, r: ReturnType<typeof attribute>) => {
  console.log(`\n== ${title}: ${r.samples} samples`);
  for (const [name, n] of [...r.self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${String(n).padStart(7)}  ${name}`);
  console.log('-- heaviest stacks');
  for (const [stack, n] of [...r.stacks].sort((a, b) => b[1] - a[1]).slice(0, Math.ceil(top / 2))) console.log(`${String(n).padStart(7)}  ${stack}`);
};

console.log(`${stalls.length} stalls; profile ${profile.samples.length} samples from ${profile.startTime} to ${times.at(-1)} us`);
const all = { samples: 0, self: new Map<string, number>(), stacks: new Map<string, number>() };
const byLength = [...stalls].sort((a, b) => b.ms - a.ms);
for (const s of byLength) {
  const r = attribute(s.from, s.to);
  if (s === byLength[0]) print(`worst stall ${s.ms} ms`, r);
  all.samples += r.samples;
  for (const [k, v] of r.self) all.self.set(k, (all.self.get(k) ?? 0) + v);
  for (const [k, v] of r.stacks) all.stacks.set(k, (all.stacks.get(k) ?? 0) + v);
}
print(`all ${stalls.length} stalls together`, all);

/**
 * `npm run simulate -- --count N --server coap://host:port [--lifetime S] [--layout draft]
 *  [--prefix sim-] [--disable-timeout S] [--lwm2m 1.0|1.1] [--quiet]`
 * Runs N LwM2M clients until SIGINT/SIGTERM, then de-registers them all.
 */

import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.js';

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n`);
  process.exit(2);
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) fail(`--${name} must be a positive integer, not "${text}"`);
  return Number(text);
}

let args;
try {
  args = parseArgs({
    options: {
      count: { type: 'string', default: '1' },
      server: { type: 'string', default: 'coap://127.0.0.1:5683' },
      lifetime: { type: 'string' },
      layout: { type: 'string', default: 'published' },
      prefix: { type: 'string', default: 'sim-' },
      'disable-timeout': { type: 'string' },
      lwm2m: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values;
} catch (e) {
  fail((e as Error).message);
}

if (args.help) {
  process.stdout.write(
    [
      'usage: npm run simulate -- [options]',
      '  --count N               devices to run (default 1)',
      '  --server coap://h:p     LwM2M server (default coap://127.0.0.1:5683)',
      '  --lifetime S            registration lifetime in seconds (default 300)',
      '  --layout draft          Server object numbering of the seed draft (default published)',
      '  --prefix P              endpoint name prefix (default sim-)',
      '  --disable-timeout S     initial Disable Timeout resource (default 86400)',
      '  --lwm2m 1.0|1.1|1.2     lwm2m= sent on Register (default 1.1, draft 1.0)',
      '  --quiet                 no line per event',
    ].join('\n') + '\n',
  );
  process.exit(0);
}

const url = /^coap:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(args.server ?? '');
if (!url) fail(`--server must look like coap://host:port, not "${args.server}"`);
const host = (url[1] as string).replace(/^\[|\]$/g, '');
const port = url[2] ? Number(url[2]) : 5683;
if (args.layout !== 'published' && args.layout !== 'draft') fail('--layout must be published or draft');
if (args.lwm2m !== undefined && !['1.0', '1.1', '1.2'].includes(args.lwm2m)) fail('--lwm2m must be 1.0, 1.1 or 1.2');

const count = positiveInt('count', args.count, 1);
const quiet = args.quiet === true;
const t0 = Date.now();
const sim = startSimulator({
  count,
  server: { host, port },
  lifetime: positiveInt('lifetime', args.lifetime, 300),
  layout: args.layout,
  disableTimeout: positiveInt('disable-timeout', args['disable-timeout'], 86_400),
  prefix: args.prefix ?? 'sim-',
  ...(args.lwm2m ? { lwm2mVersion: args.lwm2m } : {}),
  onEvent: quiet ? undefined : (e) => process.stdout.write(`${new Date(e.at).toISOString()} ${e.endpoint} ${e.type} ${e.detail}\n`),
});

void sim.started.then((ok) => {
  const mem = process.memoryUsage();
  process.stdout.write(
    `simulate: ${ok}/${count} registered in ${Date.now() - t0} ms, rss ${(mem.rss / 1048576).toFixed(0)} MiB, heap ${(mem.heapUsed / 1048576).toFixed(0)} MiB\n`,
  );
});

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) process.exit(1); // a second Ctrl-C does not wait
  stopping = true;
  process.stdout.write(`simulate: ${signal}, de-registering ${count} devices\n`);
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

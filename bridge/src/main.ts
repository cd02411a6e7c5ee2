#!/usr/bin/env node
/**
 * `npm start`: the bridge process. Prints where it listens, stops cleanly on SIGINT/SIGTERM.
 */
import { startBridge } from './bridge.js';
import { helpText, loadConfig } from './config.js';
import { serveDiagnosticsOverIpc } from './diagnostics.js';
import { createLogger } from './log.js';

async function main(): Promise<void> {
  const loaded = loadConfig(process.argv.slice(2), process.env);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.error}\n\n${helpText()}\n`);
    process.exit(2);
  }
  if (loaded.help) {
    process.stdout.write(helpText() + '\n');
    return;
  }
  const config = loaded.config;
  const log = createLogger(config.logLevel);
  const bridge = await startBridge(config, { log });

  process.stdout.write(`coap listening on udp://${config.coapHost}:${bridge.coapPort}\n`);
  if (bridge.coapsPort !== undefined) process.stdout.write(`coaps listening on udp://${config.coapsHost}:${bridge.coapsPort}\n`);
  if (bridge.console) process.stdout.write(`console listening on ${bridge.console.url}\n`);
  serveDiagnosticsOverIpc(bridge);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    bridge.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('error while stopping', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A parent that forked us for a benchmark or test going away is a stop too.
  process.on('disconnect', () => stop('disconnect'));
}

main().catch((error: unknown) => {
  process.stderr.write(`lwm2m-console bridge failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

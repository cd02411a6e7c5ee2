import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistrationEvent } from '@lwm2m-console/shared';
import { startBridge, type Bridge } from '../../bridge/src/bridge.js';
import { DEFAULT_CONFIG, type BridgeConfig } from '../../bridge/src/config.js';
import { createLogger, silentLogger } from '../../bridge/src/log.js';

/** A real bridge on loopback with free ports, recording every event it publishes. */
export async function startTestBridge(overrides: Partial<BridgeConfig> = {}): Promise<{ bridge: Bridge; events: RegistrationEvent[] }> {
  const config: BridgeConfig = {
    ...DEFAULT_CONFIG,
    coapHost: '127.0.0.1',
    coapPort: 0,
    coapsHost: '127.0.0.1',
    coapsPort: -1,
    httpHost: '127.0.0.1',
    httpPort: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'lwm2m-test-')),
    ...overrides,
  };
  const bridge = await startBridge(config, { log: silentLogger });
  const events: RegistrationEvent[] = [];
  bridge.events.subscribe((e) => events.push(e));
  return { bridge, events };
}

export async function waitUntil(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Real bridges that a test stops and starts again on one data folder (a restart as an operator
 * does it), each with its log lines kept. `closeAll` in `afterEach` stops whatever is still up.
 */
export function restartableBridges(defaults: Partial<BridgeConfig> = {}) {
  const up: Bridge[] = [];
  return {
    async start(dataDir: string, overrides: Partial<BridgeConfig> = {}): Promise<{ bridge: Bridge; log: string[] }> {
      const log: string[] = [];
      const config: BridgeConfig = { ...DEFAULT_CONFIG, coapHost: '127.0.0.1', coapPort: 0, coapsHost: '127.0.0.1', coapsPort: -1, httpHost: '127.0.0.1', httpPort: 0, dataDir, ...defaults, ...overrides };
      const bridge = await startBridge(config, { log: createLogger('info', (line) => log.push(line)) });
      up.push(bridge);
      return { bridge, log };
    },
    async stop(bridge: Bridge): Promise<void> {
      up.splice(up.indexOf(bridge), 1);
      await bridge.close();
    },
    async closeAll(): Promise<void> {
      for (const b of up.splice(0)) await b.close();
    },
  };
}

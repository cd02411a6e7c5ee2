/**
 * Assembles the bridge: transports → CoAP endpoint → `coap` Server → registration interface →
 * registry → event bus → console. Everything here is wiring; the rules live in lwm2m/ and
 * registry/, the I/O in transport/ and console/.
 */
import { fileURLToPath } from 'node:url';
import { Server as CoapServer } from 'coap';
import type { ServerInfo } from '@lwm2m-console/shared';
import { CoapEndpoint } from './coap/coap-endpoint.js';
import type { BridgeConfig } from './config.js';
import { startConsoleServer, type ConsoleServer } from './console/console-server.js';
import { RegistrationEventBus } from './events/registration-event-bus.js';
import type { Logger } from './log.js';
import { RegistrationHandler } from './lwm2m/registration-handler.js';
import { RegistrationInterface } from './lwm2m/registration-interface.js';
import { ExpiryScheduler } from './registry/expiry-scheduler.js';
import { ExpiryWheel } from './registry/expiry-wheel.js';
import { MemoryRegistrationStore } from './registry/memory-registration-store.js';
import { newRegistrationId } from './registry/registration-id.js';
import type { RegistrationStore } from './registry/registration-store.js';
import { UdpTransport } from './transport/udp-transport.js';
import { join } from 'node:path';
import { DisableTracker } from './lwm2m/disable-tracker.js';
import { AuditLog } from './lwm2m/downlink/audit-log.js';
import { DeviceModels } from './lwm2m/downlink/device-models.js';
import { DeviceOperations } from './lwm2m/downlink/device-operations.js';
import { DeviceRequester } from './lwm2m/downlink/device-requester.js';
import { ObjectRegistry } from './model/object-registry.js';
import { listeningUris } from './transport/addresses.js';

export const BRIDGE_VERSION = '0.1.0';

export interface Bridge {
  readonly coapPort: number;
  readonly console: ConsoleServer | undefined;
  readonly store: RegistrationStore;
  readonly events: RegistrationEventBus;
  readonly handler: RegistrationHandler;
  readonly coap: CoapEndpoint;
  readonly operations: DeviceOperations;
  readonly models: DeviceModels;
  readonly audit: AuditLog;
  readonly disables: DisableTracker;
  close(): Promise<void>;
}

export interface BridgeDeps {
  log: Logger;
  now?: () => number;
  staticDir?: string;
}

export async function startBridge(config: BridgeConfig, deps: BridgeDeps): Promise<Bridge> {
  const { log } = deps;
  const now = deps.now ?? Date.now;
  const store = new MemoryRegistrationStore();
  const events = new RegistrationEventBus((error) => log.error('event listener failed', { error }));
  const expiry = new ExpiryWheel(now());
  const disables = new DisableTracker();
  const handler = new RegistrationHandler({
    store,
    expiry,
    now,
    newId: newRegistrationId,
    classifyDeregister: (registration, at) => disables.classifyDeregister(registration.id, at),
    returningFromDisable: (endpoint) => disables.returned(endpoint),
  });
  const objectRegistry = new ObjectRegistry({
    userDir: join(config.dataDir, 'models'),
    onReport: (report) => log.info('object models loaded', { ...report }),
  });
  objectRegistry.watch();
  const models = new DeviceModels(objectRegistry, config.objectLayout);
  const audit = new AuditLog();
  const requester = new DeviceRequester({ timeoutMs: config.downlinkTimeoutMs });
  const operations = new DeviceOperations({ store, requester, models, disables, audit, now });

  const udp = await UdpTransport.bind(config.coapHost, config.coapPort, log);
  const coap = new CoapEndpoint(udp, { log, now });
  udp.onDatagram((msg, address, port) => coap.handleDatagram(msg, address, port));
  // cacheSize 1: the package's own response cache is unused with a custom socket (we
  // deduplicate in CoapEndpoint) but would still fill with every response it sends.
  const coapServer = new CoapServer({ cacheSize: 1 });
  coapServer.listen(coap.serverSocket as never);
  const registrationInterface = new RegistrationInterface(handler, events, log);
  coapServer.on('request', registrationInterface.onRequest);
  coapServer.on('error', (error: unknown) => log.warn('coap server error', { error }));
  requester.attach('coap', coap);

  const scheduler = new ExpiryScheduler({ expireDue: (limit) => handler.expireDue(limit), publish: (e) => events.publish(e) });
  scheduler.start();

  const coapPort = udp.address().port;
  const info = (): ServerInfo => ({
    version: BRIDGE_VERSION,
    coapUris: listeningUris('coap', config.coapHost, coapPort),
    allowUnsecured: config.allowUnsecured,
  });

  let consoleServer: ConsoleServer | undefined;
  try {
    consoleServer = await startConsoleServer({
      host: config.httpHost,
      port: config.httpPort,
      dataDir: config.dataDir,
      staticDir: deps.staticDir ?? fileURLToPath(new URL('../../web/dist', import.meta.url)),
      store,
      events,
      info,
      log,
      now,
    });
  } catch (error) {
    log.warn('console not started', { error });
  }

  return {
    coapPort,
    console: consoleServer,
    store,
    events,
    handler,
    coap,
    operations,
    models,
    audit,
    disables,
    async close() {
      scheduler.stop();
      requester.close();
      objectRegistry.close();
      coap.close();
      await consoleServer?.close();
      await udp.close();
    },
  };
}

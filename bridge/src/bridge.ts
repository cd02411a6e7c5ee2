/**
 * Assembles the bridge: transports (UDP, DTLS) → CoAP endpoints → `coap` Servers →
 * registration interface → registry → event bus → console; and back down for device
 * operations. Everything here is wiring; the rules live in lwm2m/, registry/ and security/,
 * the I/O in transport/, dtls/ and console/.
 */
import { mkdirSync, rmSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server as CoapServer } from 'coap';
import type { AwayDevice, Registration, RegistrationEvent, ServerInfo } from '@lwm2m-console/shared';
import { CoapEndpoint } from './coap/coap-endpoint.js';
import type { BridgeConfig } from './config.js';
import { restartNote } from './console/activity-history.js';
import { AWAY_DEVICES_FILE, removeAwayDevicesFile, restoreAwayDevicesFromFile, restoreAwayRows, saveAwayDevicesToFile } from './console/away-file.js';
import { startConsoleServer, type ConsoleServer } from './console/console-server.js';
import { TokenBucket } from './console/rate-limit.js';
import { RegistrationEventBus } from './events/registration-event-bus.js';
import type { Logger } from './log.js';
import { collectAwaySnapshot } from './lwm2m/away-snapshot.js';
import { DisableTracker } from './lwm2m/disable-tracker.js';
import { AuditLog } from './lwm2m/downlink/audit-log.js';
import { consoleModels } from './lwm2m/downlink/console-models.js';
import { DeviceModels } from './lwm2m/downlink/device-models.js';
import { DeviceOperations } from './lwm2m/downlink/device-operations.js';
import { DeviceRequester } from './lwm2m/downlink/device-requester.js';
import { RegistrationHandler } from './lwm2m/registration-handler.js';
import { RegistrationInterface } from './lwm2m/registration-interface.js';
import { ObjectRegistry } from './model/object-registry.js';
import { ExpiryScheduler } from './registry/expiry-scheduler.js';
import { ExpiryWheel } from './registry/expiry-wheel.js';
import { PackedRegistrationStore } from './registry/packed-registration-store.js';
import { REGISTRATIONS_FILE, restoreRegistrationsFromFile, saveRegistrationsToFile } from './registry/registration-file.js';
import { newRegistrationId } from './registry/registration-id.js';
import type { RegistrationStore } from './registry/registration-store.js';
import { CredentialStore } from './security/credential-store.js';
import { RefusalLog, type RefusedAttempt } from './security/refusal-log.js';
import { startCoaps, type Coaps } from './security/coaps.js';
import { SecurityPolicy, type SecuritySettings } from './security/security-policy.js';
import { listeningUris } from './transport/addresses.js';
import { UdpTransport } from './transport/udp-transport.js';

export const BRIDGE_VERSION = '0.1.0';

export interface Bridge {
  readonly coapPort: number;
  /** Undefined when CoAPS is off (`coapsPort` -1). */
  readonly coapsPort: number | undefined;
  readonly console: ConsoleServer | undefined;
  readonly store: RegistrationStore;
  readonly events: RegistrationEventBus;
  readonly handler: RegistrationHandler;
  readonly coap: CoapEndpoint;
  readonly coaps: Coaps | undefined;
  readonly operations: DeviceOperations;
  readonly models: DeviceModels;
  readonly audit: AuditLog;
  readonly disables: DisableTracker;
  readonly credentials: CredentialStore;
  readonly security: SecuritySettings;
  readonly refusals: RefusalLog;
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
  const store = new PackedRegistrationStore();
  const events = new RegistrationEventBus((error) => log.error('event listener failed', { error }));
  // The data folder holds keys, credentials and saved DTLS sessions: other users stay out of it.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const credentialsFile = join(config.dataDir, 'credentials.json');
  const credentials = CredentialStore.open(credentialsFile, now);
  // The `credentials` command writes the same file; pick its changes up (rename-safe polling).
  const onCredentialsFile = () => {
    const r = credentials.reload();
    if (!r.ok) log.warn('credentials file not reloaded', { error: r.error });
  };
  watchFile(credentialsFile, { interval: 1000, persistent: false }, onCredentialsFile);
  const security: SecuritySettings = { allowUnsecured: config.allowUnsecured };
  const disables = new DisableTracker();
  const handler = new RegistrationHandler({
    store,
    expiry: new ExpiryWheel(now()),
    now,
    newId: newRegistrationId,
    policy: new SecurityPolicy(credentials, security),
    classifyDeregister: (registration, at) => disables.classifyDeregister(registration.id, at),
    returningFromDisable: (endpoint) => disables.returned(endpoint),
  });

  const userModelsDir = join(config.dataDir, 'models');
  // The folder operators drop DDF files into exists from the first start, so it can be watched.
  mkdirSync(userModelsDir, { recursive: true });
  const objectRegistry = new ObjectRegistry({
    userDir: userModelsDir,
    onReport: (report) => log.info('object models loaded', { loaded: report.loaded.length, errors: report.errors }),
  });
  objectRegistry.watch();
  const models = new DeviceModels(objectRegistry, config.objectLayout);
  const audit = new AuditLog();
  const requester = new DeviceRequester({ timeoutMs: config.downlinkTimeoutMs });
  const operations = new DeviceOperations({ store, requester, models, disables, audit, now });
  const refusals = new RefusalLog();
  // A headless bridge says in its log what the console's refused connections show: the first
  // of each kind only (repeats fold into a count), and at most 5 lines a second under a flood.
  const refusalLogLines = new TokenBucket(5, 20, now());
  const refused = (attempt: RefusedAttempt) => {
    const at = now();
    const entry = refusals.record(attempt, at);
    if (entry.count === 1 && refusalLogLines.take(at)) {
      const { id: _id, firstAt: _first, lastAt: _last, count: _count, ...fields } = entry;
      log.info('connection refused', fields);
    }
  };
  const registrationInterface = new RegistrationInterface(handler, events, log, refused);
  const publish = (list: readonly RegistrationEvent[]) => list.forEach((e) => events.publish(e));

  /** One `coap` Server per endpoint: the package's Server listens on one socket. */
  const serve = (endpoint: CoapEndpoint): CoapServer => {
    // cacheSize 1: the package's own response cache is unused with a custom socket (we
    // deduplicate in CoapEndpoint) but would still fill with every response it sends.
    const server = new CoapServer({ cacheSize: 1 });
    server.listen(endpoint.serverSocket as never);
    server.on('request', registrationInterface.onRequest);
    server.on('error', (error: unknown) => log.warn('coap server error', { error }));
    return server;
  };

  // What the last run held when it stopped, back before any transport takes traffic: the
  // registrations, so the devices' next Updates find their ids (registry/registration-file.ts), and
  // the devices away after a Disable, so an early return is still recognised; their console rows
  // come back once the console runs (console/away-file.ts).
  const registrationsFile = join(config.dataDir, REGISTRATIONS_FILE);
  const awayFile = join(config.dataDir, AWAY_DEVICES_FILE);
  const restoredOverDtls: RegistrationEvent[] = [];
  /** For the console's device timelines, as many as they keep endpoints by default. */
  const restoredEndpoints: [endpoint: string, id: string][] = [];
  const restoredAt = now();
  let restoreReport: { restored: number; expired: number } | undefined;
  let restoredAway: AwayDevice[] = [];
  if (config.keepRegistrations) {
    const onRestored = (r: Registration) => {
      if (r.transport === 'coaps') restoredOverDtls.push({ type: 'registered', at: r.lastUpdateAt, registration: r });
      if (restoredEndpoints.length < 200_000) restoredEndpoints.push([r.endpoint, r.id]);
    };
    const serves = (transport: Registration['transport']) => transport !== 'coaps' || config.coapsPort >= 0;
    restoreReport = restoreRegistrationsFromFile(registrationsFile, restoredAt, (list) => handler.restore(list, { onRestored, serves }), log);
    restoredAway = restoreAwayDevicesFromFile(awayFile, restoredAt, disables, log);
  } else {
    // switched off: files from an earlier run must not come back later
    rmSync(registrationsFile, { force: true });
    removeAwayDevicesFile(awayFile);
  }

  const udp = await UdpTransport.bind(config.coapHost, config.coapPort, log);
  const coap = new CoapEndpoint(udp, { log, now });
  udp.onDatagram((msg, address, port) => coap.handleDatagram(msg, address, port));
  serve(coap);
  requester.attach('coap', coap);

  let coaps: Coaps | undefined;
  if (config.coapsPort >= 0) {
    coaps = await startCoaps({ config, credentials, log, now, onPeerMoved: (id, address, port) => publish(handler.relocate(id, address, port).events), onRefused: refused });
    serve(coaps.endpoint);
    requester.attach('coaps', coaps.endpoint);
    events.subscribe((e) => coaps!.track(e));
    // Connection ID moves of restored DTLS registrations find them, as if they had registered in this run.
    for (const e of restoredOverDtls.splice(0)) coaps.track(e);
  }

  const scheduler = new ExpiryScheduler({ expireDue: (limit) => handler.expireDue(limit), publish: (e) => events.publish(e) });
  scheduler.start();

  const coapPort = udp.address().port;
  const coapsPort = coaps?.port;
  const info = (): ServerInfo => ({
    version: BRIDGE_VERSION,
    coapUris: [
      ...listeningUris('coap', config.coapHost, coapPort),
      ...(coapsPort !== undefined ? listeningUris('coaps', config.coapsHost, coapsPort) : []),
    ],
    allowUnsecured: security.allowUnsecured,
    objectLayout: models.serverLayout,
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
      services: {
        operations,
        audit,
        models: consoleModels(models, userModelsDir),
        credentials,
        security,
        refusals,
        dtlsStatus: () => coaps?.status(),
      },
    });
  } catch (error) {
    log.warn('console not started', { error });
  }
  const keptNote = restartNote(restoreReport, restoredAt);
  if (keptNote) consoleServer?.hub.activity.note(keptNote);
  for (const [endpoint, id] of restoredEndpoints.splice(0)) consoleServer?.hub.timelines.note(endpoint, id, restoredAt, 'kept across a restart of the bridge');
  if (consoleServer) restoreAwayRows(consoleServer.hub, restoredAway, (endpoint) => disables.isAway(endpoint), restoredAt);

  return {
    coapPort,
    coapsPort,
    console: consoleServer,
    store,
    events,
    handler,
    coap,
    coaps,
    operations,
    models,
    audit,
    disables,
    credentials,
    security,
    refusals,
    async close() {
      try {
        unwatchFile(credentialsFile, onCredentialsFile);
        scheduler.stop();
        requester.close();
        objectRegistry.close();
        coap.close();
        await consoleServer?.close();
        await coaps?.close();
        await udp.close();
      } finally {
        // After the transports: nothing changes the registry once it is saved. And even when closing
        // one of them failed: without the saves, every device would have to register again.
        if (config.keepRegistrations) {
          saveRegistrationsToFile(registrationsFile, store.packedEntries(), now(), log);
          saveAwayDevicesToFile(awayFile, collectAwaySnapshot(disables, consoleServer?.hub.away), now(), log);
        }
      }
    },
  };
}

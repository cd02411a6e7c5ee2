/**
 * Many simulated LwM2M clients in one process, each with its own UDP socket.
 * Programmatic API for tests and benchmarks; `main.ts` is the command line around it.
 */

import type { InstanceNode, ModelLayout } from '@lwm2m-console/shared';
import { ObjectRegistry } from '../model/object-registry.js';
import { SimulatedDevice, type DeviceEvent, type DeviceState } from './simulated-device.js';

export interface SimulatorOptions {
  count: number;
  server: { host: string; port: number };
  /** Registration lifetime in seconds (Server object Lifetime). Default 300. */
  lifetime?: number;
  /** Server-object numbering: published LwM2M (default) or the seed's draft. */
  layout?: ModelLayout;
  /** Initial Disable Timeout resource value in seconds. Default 86400 (seed B.1). */
  disableTimeout?: number;
  /** Endpoint name prefix; endpoints are prefix + zero-padded index. Default `sim-`. */
  prefix?: string;
  /** `lwm2m=` sent on Register. Default 1.1 (published) / 1.0 (draft). */
  lwm2mVersion?: string;
  /** Registrations in flight at once while starting. Default 200. */
  concurrency?: number;
  /** RFC 7252 ACK_TIMEOUT in ms; tests shorten it. Default 2000. */
  ackTimeoutMs?: number;
  bindAddress?: string;
  onEvent?: (e: DeviceEvent) => void;
  /** Shared object registry; one is created from models/ when absent. */
  registry?: ObjectRegistry;
}

/** What a test or benchmark sees of one device. */
export interface SimulatorDevice {
  readonly endpoint: string;
  readonly localPort: number;
  /** Location-Path of the registration (`/rd/{id}`), undefined when not registered. */
  readonly location: string | undefined;
  readonly state: DeviceState;
  readonly registrations: number;
  readonly updates: number;
  readonly lifetime: number;
  readonly lastUpdateQuery: string[];
  /** Object state as nodes: `{ 1: [instance 0], 3: [instance 0] }`. */
  objects(): Record<number, InstanceNode[]>;
  /** Send an Update now. */
  update(): Promise<boolean>;
  device: SimulatedDevice;
}

export interface Simulator {
  devices: SimulatorDevice[];
  /** Resolves when every device has tried its first Register; counts the successes. */
  started: Promise<number>;
  /** De-register every registered device, close all sockets. */
  stop(): Promise<void>;
}

function view(d: SimulatedDevice): SimulatorDevice {
  return {
    get endpoint() {
      return d.endpoint;
    },
    get localPort() {
      return d.localPort;
    },
    get location() {
      return d.location;
    },
    get state() {
      return d.state;
    },
    get registrations() {
      return d.registrations;
    },
    get updates() {
      return d.updates;
    },
    get lifetime() {
      return d.lifetime;
    },
    get lastUpdateQuery() {
      return d.lastUpdateQuery;
    },
    objects: () => d.objects.snapshot(),
    update: () => d.update(),
    device: d,
  };
}

export function startSimulator(options: SimulatorOptions): Simulator {
  const layout = options.layout ?? 'published';
  const lwm2mVersion = options.lwm2mVersion ?? (layout === 'draft' ? '1.0' : '1.1');
  const registry = options.registry ?? new ObjectRegistry();
  // Published 1.1 devices implement the 1.1 Server object and say so with ver=1.1.
  const objectLinks = layout === 'published' && lwm2mVersion !== '1.0' ? [{ objectId: 1, version: '1.1' }] : [];
  const model = registry.modelFor({ lwm2mVersion, objectLinks }, layout);
  const prefix = options.prefix ?? 'sim-';
  const width = Math.max(4, String(options.count - 1).length);
  const devices = Array.from(
    { length: options.count },
    (_, i) =>
      new SimulatedDevice({
        endpoint: `${prefix}${String(i).padStart(width, '0')}`,
        index: i,
        server: options.server,
        lifetime: options.lifetime ?? 300,
        layout,
        disableTimeout: options.disableTimeout ?? 86_400,
        lwm2mVersion,
        model,
        ...(options.ackTimeoutMs !== undefined ? { ackTimeoutMs: options.ackTimeoutMs } : {}),
        ...(options.bindAddress !== undefined ? { bindAddress: options.bindAddress } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      }),
  );
  let stopping = false;
  const started = (async () => {
    let next = 0;
    let ok = 0;
    const worker = async () => {
      while (!stopping && next < devices.length) {
        const d = devices[next++] as SimulatedDevice;
        try {
          if (await d.start()) ok++;
        } catch (e) {
          options.onEvent?.({ type: 'error', endpoint: d.endpoint, detail: (e as Error).message, at: Date.now() });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 200, devices.length) }, worker));
    return ok;
  })();
  return {
    devices: devices.map(view),
    started,
    async stop() {
      stopping = true;
      const batch = options.concurrency ?? 200;
      for (let i = 0; i < devices.length; i += batch) {
        await Promise.all(devices.slice(i, i + batch).map((d) => d.stop()));
      }
    },
  };
}

export type { DeviceEvent, DeviceState };

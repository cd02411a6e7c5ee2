/**
 * The object state of one simulated device and the LwM2M Device Management operations on
 * it (LwM2M 1.0 TS §5.4: Read, Discover, Write, Execute, Create, Delete). Pure: a request
 * in, a response and an effect out; the device shell does the I/O and the timers.
 * Resources are found by NAME in the model in force, so the published and the draft
 * Server-object layouts both come from the DDF files.
 */

import {
  findResource,
  pathLevel,
  resolveResource,
  type InstanceNode,
  type LwM2MPath,
  type LwM2MValue,
  type ObjectModel,
  type ResourceNode,
} from '@lwm2m-console/shared';
import { ContentFormat, decodePayload, encodeValue, formatDiscover, type DiscoverLink } from '../lwm2m/codecs/index.js';
import { coerceValue } from '../lwm2m/codecs/values.js';

/** What the device must do after answering. */
export type Effect = 'none' | 'disable' | 'registrationUpdate' | 'lifetimeChanged' | 'reboot';

export interface DmResponse {
  /** CoAP response code, e.g. `2.05`. */
  code: string;
  format?: number;
  payload?: Buffer;
  locationPath?: string[];
  effect: Effect;
}

export type DmMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** `exec` marks an executable resource the device implements (it has no value). */
type Slot = ResourceNode | 'exec';
type Instance = Map<number, Slot>;

export interface DeviceSeed {
  endpoint: string;
  index: number;
  serverUri: string;
  lifetime: number;
  disableTimeout: number;
  shortServerId?: number;
  now?: () => number;
}

const single = (id: number, value: LwM2MValue): ResourceNode => ({ kind: 'resource', id, value });

export class DeviceObjects {
  private readonly objects = new Map<number, Map<number, Instance>>();
  private readonly now: () => number;

  constructor(
    readonly model: ObjectModel,
    seed: DeviceSeed,
  ) {
    this.now = seed.now ?? (() => Math.floor(Date.now() / 1000));
    const ssid = seed.shortServerId ?? 1;
    this.fill(0, 0, {
      'LWM2M Server URI': { type: 'string', value: seed.serverUri },
      'Bootstrap-Server': { type: 'boolean', value: false },
      'Security Mode': { type: 'integer', value: 3 },
      'Public Key or Identity': { type: 'opaque', value: '' },
      'Server Public Key': { type: 'opaque', value: '' },
      'Secret Key': { type: 'opaque', value: '' },
      'Short Server ID': { type: 'integer', value: ssid },
    });
    this.fill(1, 0, {
      'Short Server ID': { type: 'integer', value: ssid },
      Lifetime: { type: 'integer', value: seed.lifetime },
      'Default Minimum Period': { type: 'integer', value: 0 },
      'Default Maximum Period': { type: 'integer', value: 60 },
      'Disable Timeout': { type: 'integer', value: seed.disableTimeout },
      'Notification Storing When Disabled or Offline': { type: 'boolean', value: true },
      Binding: { type: 'string', value: 'U' },
      // Draft-only resources (seed B.1); skipped when the layout has no such name.
      'LWM2M Server URI': { type: 'string', value: seed.serverUri },
      'Security Mode': { type: 'integer', value: 0 },
      'Security Key': { type: 'opaque', value: '' },
      'Creatable Objects': [{ type: 'integer', value: 3 }],
      Disable: 'exec',
      'Registration Update Trigger': 'exec',
    });
    const n = seed.index;
    this.fill(3, 0, {
      Manufacturer: { type: 'string', value: 'lwm2m-console' },
      'Model Number': { type: 'string', value: 'SIM-1' },
      'Serial Number': { type: 'string', value: `SN${String(n).padStart(8, '0')}` },
      'Firmware Version': { type: 'string', value: '1.0.0' },
      Reboot: 'exec',
      'Factory Reset': 'exec',
      'Available Power Sources': [{ type: 'integer', value: 1 }, { type: 'integer', value: 5 }],
      'Power Source Voltage': [{ type: 'integer', value: 3800 }, { type: 'integer', value: 5000 }],
      'Power Source Current': [{ type: 'integer', value: 125 }, { type: 'integer', value: 900 }],
      'Battery Level': { type: 'integer', value: 100 - (n % 60) },
      'Memory Free': { type: 'integer', value: 15 + (n % 100) },
      'Error Code': [{ type: 'integer', value: 0 }],
      'Reset Error Code': 'exec',
      'Current Time': { type: 'time', value: 0 },
      'UTC Offset': { type: 'string', value: '+00:00' },
      Timezone: { type: 'string', value: 'UTC' },
      'Supported Binding and Modes': { type: 'string', value: 'U' },
      'Device Type': { type: 'string', value: 'simulator' },
      'Hardware Version': { type: 'string', value: '1.0' },
      'Software Version': { type: 'string', value: '1.0.0' },
      'Battery Status': { type: 'integer', value: 0 },
      'Memory Total': { type: 'integer', value: 256 },
    });
  }

  /** Set resources of an instance by name; names the layout does not have are skipped. */
  private fill(objectId: number, instanceId: number, byName: Record<string, LwM2MValue | LwM2MValue[] | 'exec'>): void {
    const inst: Instance = new Map();
    for (const [name, v] of Object.entries(byName)) {
      const def = resolveResource(this.model, objectId, name);
      if (!def) continue;
      if (v === 'exec') {
        if (def.operations === 'E') inst.set(def.id, 'exec');
        continue;
      }
      if (def.operations === 'E') continue;
      const values = Array.isArray(v) ? v : [v];
      const typed = values.map((x) => {
        const c = coerceValue(x, def.type);
        return c.ok ? c.value : x;
      });
      inst.set(
        def.id,
        def.multipleInstances
          ? { kind: 'multipleResource', id: def.id, instances: typed.map((value, i) => ({ kind: 'resourceInstance' as const, id: i, value })) }
          : single(def.id, typed[0] as LwM2MValue),
      );
    }
    let instances = this.objects.get(objectId);
    if (!instances) this.objects.set(objectId, (instances = new Map()));
    instances.set(instanceId, inst);
  }

  /** Register payload links: every object instance except Security (LwM2M 1.1 §6.2.1). */
  registerLinks(): string {
    const links: string[] = [];
    for (const [oid, instances] of [...this.objects].sort((a, b) => a[0] - b[0])) {
      if (oid === 0) continue;
      const def = this.model[oid];
      if (def && def.version !== '1.0') links.push(`</${oid}>;ver=${def.version}`);
      for (const iid of [...instances.keys()].sort((a, b) => a - b)) links.push(`</${oid}/${iid}>`);
    }
    return links.join(',');
  }

  /** The value of a resource found by name in instance 0 (e.g. "Lifetime"). */
  valueByName(objectId: number, name: string, instanceId = 0): LwM2MValue | undefined {
    const def = resolveResource(this.model, objectId, name);
    const slot = def ? this.objects.get(objectId)?.get(instanceId)?.get(def.id) : undefined;
    return slot && slot !== 'exec' && slot.kind === 'resource' ? slot.value : undefined;
  }

  /** Numeric value by name, or a fallback. */
  numberByName(objectId: number, name: string, fallback: number): number {
    const v = this.valueByName(objectId, name);
    return v && (v.type === 'integer' || v.type === 'unsigned' || v.type === 'time') ? Number(v.value) : fallback;
  }

  /** JSON snapshot of all objects, for tests and the programmatic API. */
  snapshot(): Record<number, InstanceNode[]> {
    const out: Record<number, InstanceNode[]> = {};
    for (const [oid, instances] of this.objects) {
      out[oid] = [...instances].map(([iid]) => this.readInstance(oid, iid) as InstanceNode);
    }
    return out;
  }

  private readInstance(oid: number, iid: number): InstanceNode | undefined {
    const inst = this.objects.get(oid)?.get(iid);
    if (!inst) return undefined;
    const resources: ResourceNode[] = [];
    for (const [rid, slot] of [...inst].sort((a, b) => a[0] - b[0])) {
      if (slot === 'exec') continue;
      resources.push(this.live(oid, rid, slot));
    }
    return { kind: 'instance', id: iid, resources };
  }

  /** Current Time is read from the clock, not stored. */
  private live(oid: number, rid: number, node: ResourceNode): ResourceNode {
    if (oid === 3 && resolveResource(this.model, 3, 'Current Time')?.id === rid) return single(rid, { type: 'time', value: this.now() });
    return node;
  }

  /** Handle one DM request. `accept`/`contentFormat` are the CoAP options, if present. */
  handle(
    method: DmMethod,
    path: LwM2MPath,
    accept: number | undefined,
    contentFormat: number | undefined,
    payload: Buffer,
    query: readonly string[] = [],
  ): DmResponse {
    // LwM2M 1.1 §E.1: the Security object is not accessible to a LwM2M Server.
    if (path.objectId === 0) return { code: '4.01', effect: 'none' };
    // LwM2M 1.0 §5.4.4 Write-Attributes: PUT with attributes in the query and no payload.
    if (method === 'PUT' && payload.length === 0 && query.length > 0) return this.writeAttributes(path, query);
    switch (method) {
      case 'GET':
        return accept === ContentFormat.LINK_FORMAT ? this.discover(path) : this.read(path, accept);
      case 'PUT':
        return this.write(path, contentFormat, payload, true);
      case 'POST':
        if (pathLevel(path) === 'resource') return this.execute(path);
        if (pathLevel(path) === 'instance') return this.write(path, contentFormat, payload, false);
        if (pathLevel(path) === 'object') return this.create(path, contentFormat, payload);
        return { code: '4.05', effect: 'none' };
      case 'DELETE':
        return this.delete(path);
    }
  }

  private read(path: LwM2MPath, accept: number | undefined): DmResponse {
    const instances = this.objects.get(path.objectId);
    if (!instances) return { code: '4.04', effect: 'none' };
    const level = pathLevel(path);
    let node;
    if (level === 'object') {
      node = { kind: 'object' as const, id: path.objectId, instances: [...instances.keys()].sort((a, b) => a - b).map((i) => this.readInstance(path.objectId, i) as InstanceNode) };
    } else if (level === 'instance') {
      node = this.readInstance(path.objectId, path.instanceId as number);
    } else {
      const slot = instances.get(path.instanceId as number)?.get(path.resourceId as number);
      if (slot === undefined) return { code: '4.04', effect: 'none' };
      const def = findResource(this.model, path.objectId, path.resourceId as number);
      if (slot === 'exec' || (def && !def.operations.includes('R'))) return { code: '4.05', effect: 'none' };
      const live = this.live(path.objectId, path.resourceId as number, slot);
      if (level === 'resource') node = live;
      else node = live.kind === 'multipleResource' ? live.instances.find((x) => x.id === path.resourceInstanceId) : undefined;
    }
    if (!node) return { code: '4.04', effect: 'none' };
    const singleValue = node.kind === 'resource' || node.kind === 'resourceInstance' ? node.value : undefined;
    const format = accept ?? (singleValue ? (singleValue.type === 'opaque' ? ContentFormat.OPAQUE : ContentFormat.TEXT) : ContentFormat.TLV);
    if (![ContentFormat.TEXT, ContentFormat.OPAQUE, ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.OMA_JSON].includes(format as never)) {
      return { code: '4.06', effect: 'none' };
    }
    const e = encodeValue(format, path, node, this.model);
    // A format that cannot carry this node (plain text for an instance) is Not Acceptable.
    if (!e.ok) return { code: '4.06', effect: 'none' };
    return { code: '2.05', format, payload: e.payload, effect: 'none' };
  }

  /** Notification attributes are accepted and not acted on: the simulator does not Observe. */
  private writeAttributes(path: LwM2MPath, query: readonly string[]): DmResponse {
    if (!this.exists(path)) return { code: '4.04', effect: 'none' };
    const known = /^(pmin|pmax|gt|lt|st|epmin|epmax)(=[-+0-9.eE]*)?$/;
    return query.every((q) => known.test(q)) ? { code: '2.04', effect: 'none' } : { code: '4.00', effect: 'none' };
  }

  private exists(path: LwM2MPath): boolean {
    const instances = this.objects.get(path.objectId);
    if (!instances) return false;
    if (path.instanceId === undefined) return true;
    const inst = instances.get(path.instanceId);
    if (!inst) return false;
    return path.resourceId === undefined || inst.has(path.resourceId);
  }

  private discover(path: LwM2MPath): DmResponse {
    const instances = this.objects.get(path.objectId);
    if (!instances) return { code: '4.04', effect: 'none' };
    const links: DiscoverLink[] = [];
    const def = this.model[path.objectId];
    const addInstance = (iid: number, inst: Instance, withSelf: boolean) => {
      if (withSelf) links.push({ path: { objectId: path.objectId, instanceId: iid }, attributes: {} });
      for (const [rid, slot] of [...inst].sort((a, b) => a[0] - b[0])) {
        const link: DiscoverLink = { path: { objectId: path.objectId, instanceId: iid, resourceId: rid }, attributes: {} };
        if (slot !== 'exec' && slot.kind === 'multipleResource') link.dim = slot.instances.length;
        links.push(link);
      }
    };
    const level = pathLevel(path);
    if (level === 'object') {
      const self: DiscoverLink = { path: { objectId: path.objectId }, attributes: {} };
      if (def && def.version !== '1.0') self.version = def.version;
      links.push(self);
      for (const [iid, inst] of [...instances].sort((a, b) => a[0] - b[0])) addInstance(iid, inst, true);
    } else if (level === 'instance') {
      const inst = instances.get(path.instanceId as number);
      if (!inst) return { code: '4.04', effect: 'none' };
      addInstance(path.instanceId as number, inst, true);
    } else if (level === 'resource') {
      const slot = instances.get(path.instanceId as number)?.get(path.resourceId as number);
      if (slot === undefined) return { code: '4.04', effect: 'none' };
      const link: DiscoverLink = { path, attributes: {} };
      if (slot !== 'exec' && slot.kind === 'multipleResource') link.dim = slot.instances.length;
      links.push(link);
    } else {
      return { code: '4.00', effect: 'none' };
    }
    return { code: '2.05', format: ContentFormat.LINK_FORMAT, payload: Buffer.from(formatDiscover(links)), effect: 'none' };
  }

  private write(path: LwM2MPath, contentFormat: number | undefined, payload: Buffer, replace: boolean): DmResponse {
    const level = pathLevel(path);
    if (level === 'object') return { code: '4.05', effect: 'none' };
    const inst = this.objects.get(path.objectId)?.get(path.instanceId as number);
    if (!inst) return { code: '4.04', effect: 'none' };
    if (contentFormat === undefined) return { code: '4.00', effect: 'none' };
    const decoded = decodePayload(contentFormat, path, payload, this.model);
    if (!decoded.ok) return decoded.error.startsWith('unsupported content format') ? { code: '4.15', effect: 'none' } : { code: '4.00', effect: 'none' };
    let resources: ResourceNode[];
    const node = decoded.node;
    if (node.kind === 'instance') resources = node.resources;
    else if (node.kind === 'resource' || node.kind === 'multipleResource') resources = [node];
    else if (node.kind === 'resourceInstance') {
      const slot = inst.get(path.resourceId as number);
      if (!slot || slot === 'exec' || slot.kind !== 'multipleResource') return { code: '4.04', effect: 'none' };
      resources = [{ ...slot, instances: [...slot.instances.filter((x) => x.id !== node.id), node].sort((a, b) => a.id - b.id) }];
    } else return { code: '4.00', effect: 'none' };
    // LwM2M 1.0 §5.4.3: every resource written must exist in the model and be writable.
    for (const r of resources) {
      const def = findResource(this.model, path.objectId, r.id);
      if (!def) return { code: '4.04', effect: 'none' };
      if (!def.operations.includes('W')) return { code: '4.05', effect: 'none' };
    }
    const lifetimeId = path.objectId === 1 ? resolveResource(this.model, 1, 'Lifetime')?.id : undefined;
    const lifetimeBefore = lifetimeId !== undefined ? JSON.stringify(inst.get(lifetimeId)) : '';
    if (replace && level === 'instance') {
      for (const [rid, slot] of inst) if (slot !== 'exec' && findResource(this.model, path.objectId, rid)?.operations.includes('W')) inst.delete(rid);
    }
    for (const r of resources) inst.set(r.id, r);
    const changed = lifetimeId !== undefined && JSON.stringify(inst.get(lifetimeId)) !== lifetimeBefore;
    return { code: '2.04', effect: changed ? 'lifetimeChanged' : 'none' };
  }

  private execute(path: LwM2MPath): DmResponse {
    const inst = this.objects.get(path.objectId)?.get(path.instanceId as number);
    const def = findResource(this.model, path.objectId, path.resourceId as number);
    const slot = inst?.get(path.resourceId as number);
    if (!inst || !def || slot === undefined) return { code: '4.04', effect: 'none' };
    // LwM2M 1.0 §5.4.5: Execute on a resource that is not executable is 4.05.
    if (def.operations !== 'E' || slot !== 'exec') return { code: '4.05', effect: 'none' };
    const is = (name: string) => resolveResource(this.model, path.objectId, name)?.id === path.resourceId;
    if (path.objectId === 1 && is('Disable')) return { code: '2.04', effect: 'disable' };
    if (path.objectId === 1 && is('Registration Update Trigger')) return { code: '2.04', effect: 'registrationUpdate' };
    if (path.objectId === 3 && is('Reboot')) return { code: '2.04', effect: 'reboot' };
    return { code: '2.04', effect: 'none' };
  }

  private create(path: LwM2MPath, contentFormat: number | undefined, payload: Buffer): DmResponse {
    const def = this.model[path.objectId];
    const instances = this.objects.get(path.objectId);
    if (!def || !instances) return { code: '4.04', effect: 'none' };
    if (!def.multipleInstances) return { code: '4.05', effect: 'none' };
    if (contentFormat === undefined) return { code: '4.00', effect: 'none' };
    const decoded = decodePayload(contentFormat, path, payload, this.model);
    if (!decoded.ok || decoded.node.kind !== 'object' || decoded.node.instances.length > 1) return { code: '4.00', effect: 'none' };
    const given = decoded.node.instances[0];
    // A TLV of bare resources (no object-instance TLV) lets the client pick the id.
    const idGiven = given !== undefined && !(contentFormat === ContentFormat.TLV && payload.length > 0 && (payload[0] as number) >> 6 !== 0);
    let iid = idGiven ? given.id : 0;
    if (!idGiven) while (instances.has(iid)) iid++;
    if (instances.has(iid)) return { code: '4.00', effect: 'none' };
    const inst: Instance = new Map();
    for (const r of given?.resources ?? []) {
      if (!findResource(this.model, path.objectId, r.id)) return { code: '4.00', effect: 'none' };
      inst.set(r.id, r);
    }
    instances.set(iid, inst);
    return { code: '2.01', locationPath: [String(path.objectId), String(iid)], effect: 'none' };
  }

  private delete(path: LwM2MPath): DmResponse {
    if (pathLevel(path) !== 'instance') return { code: '4.05', effect: 'none' };
    const instances = this.objects.get(path.objectId);
    if (!instances?.has(path.instanceId as number)) return { code: '4.04', effect: 'none' };
    // The Server account in use and the Device object cannot be deleted by a DM server.
    if (path.objectId === 1 || path.objectId === 3) return { code: '4.05', effect: 'none' };
    instances.delete(path.instanceId as number);
    return { code: '2.02', effect: 'none' };
  }
}

/**
 * Device Management operations (LwM2M 1.1 TS Core §6.3): Read, Write, Execute, Discover,
 * Create, Delete, and the Disable flow of the seed, on a registered device. Turns a console
 * request into a CoAP exchange through `DeviceRequester`, decodes the answer with the object
 * model in force for the device, audits what changes devices, and always returns a typed
 * result: a device that answers 4.05 or not at all is a result, not an exception.
 */
import {
  formatPath,
  formatValue,
  isAudited,
  parsePath,
  resolveResource,
  type LwM2MPath,
  type ObjectModel,
  type OperationErrorCode,
  type OperationRequest,
  type OperationResult,
  type Registration,
} from '@lwm2m-console/shared';
import { ContentFormat, decodePayload, encodeValue, formatForPath, parseDiscover, preferredFormats } from '../codecs/index.js';
import type { RegistrationStore } from '../../registry/registration-store.js';
import type { DisableTracker } from '../disable-tracker.js';
import type { AuditLog } from './audit-log.js';
import type { DeviceModels } from './device-models.js';
import type { DeviceRequester, DownlinkRequest, DownlinkResponse } from './device-requester.js';
import { addressesSecret, withoutSecrets } from './secret-resources.js';

/** Seed B.1: "If this Resource is not set, a default timeout value is 86400 (1 day)." */
export const DEFAULT_DISABLE_TIMEOUT_S = 86_400;
const SECURITY_OBJECT = 0;
const SERVER_OBJECT = 1;

export interface DeviceOperationsDeps {
  store: RegistrationStore;
  requester: Pick<DeviceRequester, 'send'>;
  models: DeviceModels;
  disables: DisableTracker;
  audit: AuditLog;
  now: () => number;
}

type Outcome = Omit<OperationResult, 'op' | 'endpoint' | 'path' | 'at' | 'durationMs'>;

const fail = (code: OperationErrorCode, message: string, deviceCode?: string): Outcome => {
  const o: Outcome = { ok: false, error: { code, message } };
  if (deviceCode) o.code = deviceCode;
  return o;
};

function deviceFailure(r: DownlinkResponse, expected: string): Outcome | undefined {
  if (!r.ok) return fail(r.error === 'TIMEOUT' ? 'TIMEOUT' : 'INTERNAL', r.message);
  if (r.code !== expected) {
    const diagnostic = r.payload.length > 0 && r.payload.length < 200 ? `: ${r.payload.toString('utf8')}` : '';
    return fail('DEVICE_ERROR', `device answered ${r.code}${diagnostic}`, r.code);
  }
  return undefined;
}

export class DeviceOperations {
  constructor(private readonly deps: DeviceOperationsDeps) {}

  /** Runs one operation on behalf of `actor` (a console session id). */
  async perform(request: OperationRequest, actor: string): Promise<OperationResult> {
    const started = this.deps.now();
    const registration = this.deps.store.getByEndpoint(request.endpoint);
    let outcome: Outcome;
    let path = request.path ?? '';
    if (!registration) {
      outcome = fail('NOT_REGISTERED', `${request.endpoint} is not registered`);
    } else {
      try {
        const r = await this.dispatch(registration, request);
        outcome = r.outcome;
        path = r.path;
      } catch (error) {
        outcome = fail('INTERNAL', error instanceof Error ? error.message : String(error));
      }
    }
    const result: OperationResult = { op: request.op, endpoint: request.endpoint, path, at: started, durationMs: this.deps.now() - started, ...outcome };
    if (isAudited(request.op)) {
      const entry = {
        at: started,
        actor,
        endpoint: request.endpoint,
        op: request.op,
        path,
        detail: describe(request),
        ok: result.ok,
        durationMs: result.durationMs,
      };
      this.deps.audit.append({ ...entry, ...(result.code ? { code: result.code } : {}), ...(result.error ? { error: result.error.message } : {}) });
    }
    return result;
  }

  private async dispatch(reg: Registration, request: OperationRequest): Promise<{ outcome: Outcome; path: string }> {
    const model = this.deps.models.modelFor(reg);
    if (request.op === 'disable') return this.disable(reg, model, request.path);
    const parsed = parsePath(request.path ?? '');
    if (!parsed.ok) return { outcome: fail('BAD_REQUEST', parsed.error), path: request.path ?? '' };
    const path = parsed.path;
    const text = formatPath(path);
    // The Security object holds key material; it never travels to a browser (DEVELOPERS.md).
    if (path.objectId === SECURITY_OBJECT) return { outcome: fail('FORBIDDEN', 'the Security object (0) holds keys and is not accessible from the console'), path: text };
    // Likewise a key elsewhere (the draft Server object's "Security Key"): not read, not written
    // (a Write would put the key in the audit log every console receives).
    if (addressesSecret(model, path)) return { outcome: fail('FORBIDDEN', `${text} holds key material and is not accessible from the console`), path: text };
    const outcome = await this.run(reg, model, request, path);
    return { outcome, path: text };
  }

  private async run(reg: Registration, model: ObjectModel, request: OperationRequest, path: LwM2MPath): Promise<Outcome> {
    const text = formatPath(path);
    const send = (r: DownlinkRequest) => this.deps.requester.send(reg, r);
    switch (request.op) {
      case 'read': {
        const accept = formatForPath(reg.lwm2mVersion, path, model);
        const r = await send({ method: 'GET', path: text, accept });
        const failure = deviceFailure(r, '2.05');
        if (failure || !r.ok) return failure!;
        const format = r.contentFormat ?? accept;
        const decoded = decodePayload(format, path, r.payload, model);
        if (!decoded.ok) return { ...fail('DECODE_ERROR', decoded.error, r.code), contentFormat: format };
        return { ok: true, code: r.code, value: withoutSecrets(model, path.objectId, decoded.node), contentFormat: format };
      }
      case 'write': {
        if (request.value === undefined) return fail('BAD_REQUEST', 'write needs a value');
        if (path.resourceId === undefined && path.instanceId === undefined) return fail('BAD_REQUEST', 'write needs an instance or resource path');
        const format = formatForPath(reg.lwm2mVersion, path, model);
        const encoded = encodeValue(format, path, request.value, model);
        if (!encoded.ok) return fail('BAD_REQUEST', encoded.error);
        // LwM2M 1.1 §6.3.3: Replace is PUT, Partial Update is POST (instance level only).
        const method = request.mode === 'update' && path.resourceId === undefined ? 'POST' : 'PUT';
        const r = await send({ method, path: text, contentFormat: format, payload: encoded.payload });
        return deviceFailure(r, '2.04') ?? { ok: true, code: '2.04' };
      }
      case 'execute': {
        if (path.resourceId === undefined || path.resourceInstanceId !== undefined) return fail('BAD_REQUEST', 'execute needs a resource path /o/i/r');
        if (request.args !== undefined && !/^[\x20-\x7e]{0,255}$/.test(request.args)) return fail('BAD_REQUEST', 'execute arguments must be printable text of at most 255 characters');
        const r = await send({ method: 'POST', path: text, ...(request.args ? { payload: Buffer.from(request.args) } : {}) });
        return deviceFailure(r, '2.04') ?? { ok: true, code: '2.04' };
      }
      case 'discover': {
        const r = await send({ method: 'GET', path: text, accept: ContentFormat.LINK_FORMAT });
        const failure = deviceFailure(r, '2.05');
        if (failure || !r.ok) return failure!;
        const links = parseDiscover(r.payload.toString('utf8'));
        if (!links.ok) return fail('DECODE_ERROR', links.error, r.code);
        return { ok: true, code: r.code, links: links.links.map((l) => ({ path: formatPath(l.path), attributes: l.attributes })) };
      }
      case 'create': {
        if (path.instanceId !== undefined) return fail('BAD_REQUEST', 'create targets an object path /o');
        if (request.value === undefined) return fail('BAD_REQUEST', 'create needs the new instance');
        const format = preferredFormats(reg.lwm2mVersion)[0]!;
        const encoded = encodeValue(format, path, request.value, model);
        if (!encoded.ok) return fail('BAD_REQUEST', encoded.error);
        const r = await send({ method: 'POST', path: text, contentFormat: format, payload: encoded.payload });
        const failure = deviceFailure(r, '2.01');
        if (failure || !r.ok) return failure!;
        return { ok: true, code: r.code, ...(r.locationPath ? { location: r.locationPath } : {}) };
      }
      case 'delete': {
        if (path.instanceId === undefined || path.resourceId !== undefined) return fail('BAD_REQUEST', 'delete targets an object instance /o/i');
        const r = await send({ method: 'DELETE', path: text });
        return deviceFailure(r, '2.02') ?? { ok: true, code: '2.02' };
      }
      case 'disable':
        return fail('INTERNAL', 'unreachable');
    }
  }

  /**
   * Seed B.1 Disable: read Disable Timeout, execute Disable, and on success expect the device
   * to de-register now and come back after the timeout. Both resources are found by NAME in the
   * model in force for this device: the seed's draft numbers them 7/8, published LwM2M 4/5.
   */
  private async disable(reg: Registration, model: ObjectModel, requestedPath: string | undefined): Promise<{ outcome: Outcome; path: string }> {
    const instance = this.serverInstance(reg, requestedPath);
    if (instance === undefined) return { outcome: fail('BAD_REQUEST', 'the device registered no LwM2M Server object instance'), path: requestedPath ?? '/1' };
    const disable = resolveResource(model, SERVER_OBJECT, 'Disable');
    const timeout = resolveResource(model, SERVER_OBJECT, 'Disable Timeout');
    if (!disable) return { outcome: fail('UNRESOLVED', 'no resource named "Disable" in this device\'s Server object model'), path: `/1/${instance}` };
    const disablePath = `/1/${instance}/${disable.id}`;
    let timeoutS = DEFAULT_DISABLE_TIMEOUT_S;
    if (timeout) {
      const read = await this.run(reg, model, { op: 'read', endpoint: reg.endpoint }, { objectId: SERVER_OBJECT, instanceId: instance, resourceId: timeout.id });
      const v = read.ok && read.value?.kind === 'resource' ? read.value.value : undefined;
      if (v && (v.type === 'integer' || v.type === 'unsigned') && Number(v.value) >= 0) timeoutS = Number(v.value);
    }
    const sentAt = this.deps.now();
    const outcome = await this.run(reg, model, { op: 'execute', endpoint: reg.endpoint }, { objectId: SERVER_OBJECT, instanceId: instance, resourceId: disable.id });
    if (!outcome.ok) return { outcome, path: disablePath };
    const expectedBackAt = sentAt + timeoutS * 1000;
    this.deps.disables.expect(reg.id, reg.endpoint, sentAt, expectedBackAt);
    return { outcome: { ...outcome, expectedBackAt }, path: disablePath };
  }

  private serverInstance(reg: Registration, requestedPath: string | undefined): number | undefined {
    if (requestedPath) {
      const p = parsePath(requestedPath);
      if (p.ok && p.path.objectId === SERVER_OBJECT && p.path.instanceId !== undefined) return p.path.instanceId;
      return undefined;
    }
    return reg.objectLinks.find((l) => l.objectId === SERVER_OBJECT && l.instanceId !== undefined)?.instanceId ?? (reg.objectLinks.some((l) => l.objectId === SERVER_OBJECT) ? 0 : undefined);
  }
}

/** What the audit log says was sent: values and arguments, never more than a line. */
function describe(request: OperationRequest): string {
  const parts: string[] = [];
  if (request.mode) parts.push(request.mode);
  if (request.args) parts.push(`args ${JSON.stringify(request.args)}`);
  const v = request.value;
  if (v !== undefined) {
    if (!('kind' in v)) parts.push(`= ${JSON.stringify(formatValue(v).slice(0, 120))} (${v.type})`);
    else if (v.kind === 'resource' || v.kind === 'resourceInstance') parts.push(`= ${JSON.stringify(formatValue(v.value).slice(0, 120))} (${v.value.type})`);
    else if (v.kind === 'instance') parts.push(`instance ${v.id} with ${v.resources.length} resource(s)`);
    else if (v.kind === 'multipleResource') parts.push(`resource ${v.id} with ${v.instances.length} instance(s)`);
    else parts.push(`object ${v.id} with ${v.instances.length} instance(s)`);
  }
  return parts.join(' ');
}

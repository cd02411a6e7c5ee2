/**
 * One simulated LwM2M client: Register, periodic Update, De-register (LwM2M 1.0 TS §5.3,
 * seed §6.1), the DM operations on its objects, and the Disable flow of the Server object
 * (seed B.1: answer, de-register, stay silent for Disable Timeout seconds, register again).
 */

import type { LwM2MPath, ModelLayout, ObjectModel } from '@lwm2m-console/shared';
import { parsePath } from '@lwm2m-console/shared';
import { ContentFormat } from '../lwm2m/codecs/index.js';
import { codeClass, optionUint, optionValues, uintOption, uriPath, uriQuery, type ParsedPacket } from './coap-message.js';
import { CoapClientSocket, type IncomingResponse } from './coap-client.js';
import { DeviceObjects, type DmMethod, type DmResponse } from './device-objects.js';

export type DeviceState = 'idle' | 'registering' | 'registered' | 'disabled' | 'stopped';

export type DeviceEventType =
  | 'registered'
  | 'updated'
  | 'deregistered'
  | 'disabled'
  | 'registerFailed'
  | 'updateFailed'
  | 'request'
  | 'error';

export interface DeviceEvent {
  type: DeviceEventType;
  endpoint: string;
  /** Short human text: location, lifetime, request line, error message. */
  detail: string;
  at: number;
}

export interface SimulatedDeviceOptions {
  endpoint: string;
  index: number;
  server: { host: string; port: number };
  lifetime: number;
  layout: ModelLayout;
  /** Initial Disable Timeout resource value, seconds. */
  disableTimeout: number;
  lwm2mVersion: string;
  model: ObjectModel;
  /** RFC 7252 ACK_TIMEOUT; tests shorten it. */
  ackTimeoutMs?: number;
  /** Local address to bind; default: loopback when the server is on loopback, else all. */
  bindAddress?: string;
  onEvent?: (e: DeviceEvent) => void;
}

/** Delay before retrying a failed Register. */
const REGISTER_RETRY_MS = 5_000;

const METHOD_BY_CODE: Record<string, DmMethod> = { '0.01': 'GET', '0.02': 'POST', '0.03': 'PUT', '0.04': 'DELETE' };

export class SimulatedDevice {
  readonly endpoint: string;
  readonly objects: DeviceObjects;
  state: DeviceState = 'idle';
  /** Location-Path of the current registration, e.g. `/rd/5a3f`; undefined when not registered. */
  location: string | undefined;
  /** Registrations completed (a re-register after Disable counts again). */
  registrations = 0;
  updates = 0;
  /** Query of the last Update sent, e.g. `['lt=120']`. */
  lastUpdateQuery: string[] = [];
  private readonly socket: CoapClientSocket;
  private updateTimer: NodeJS.Timeout | undefined;
  private disableTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Lifetime sent in the last Register/Update: an Update carries `lt` only when it changed. */
  private sentLifetime = 0;

  constructor(private readonly options: SimulatedDeviceOptions) {
    this.endpoint = options.endpoint;
    this.objects = new DeviceObjects(options.model, {
      endpoint: options.endpoint,
      index: options.index,
      serverUri: `coap://${options.server.host}:${options.server.port}`,
      lifetime: options.lifetime,
      disableTimeout: options.disableTimeout,
    });
    this.socket = new CoapClientSocket(
      options.server,
      (req) => this.onRequest(req),
      (e) => this.emit('error', e.message),
      options.ackTimeoutMs,
    );
  }

  get localPort(): number {
    return this.socket.localPort;
  }

  get lifetime(): number {
    return this.objects.numberByName(1, 'Lifetime', 86_400);
  }

  /** Open the socket and register. Resolves true once registered. */
  async start(): Promise<boolean> {
    if (this.state === 'stopped') return false;
    if (!this.socket.open) await this.socket.bind(this.bindAddress());
    return this.register();
  }

  /** Register (seed §6.1.1): POST /rd?ep=&lt=&lwm2m=&b=U with the object links. */
  async register(): Promise<boolean> {
    this.state = 'registering';
    const lt = this.lifetime;
    const query = [`ep=${this.endpoint}`, `lt=${lt}`, `lwm2m=${this.options.lwm2mVersion}`, 'b=U'];
    const res = await this.socket.request({
      code: 'POST',
      options: [
        { name: 'Uri-Path', value: Buffer.from('rd') },
        { name: 'Content-Format', value: uintOption(ContentFormat.LINK_FORMAT) },
        ...query.map((q) => ({ name: 'Uri-Query', value: Buffer.from(q) })),
      ],
      payload: Buffer.from(this.objects.registerLinks()),
    });
    if (this.state !== 'registering') return false; // stopped or disabled meanwhile
    if (!res || res.code !== '2.01') {
      this.emit('registerFailed', res ? res.code : 'no response');
      this.retryTimer = setTimeout(() => void this.register(), REGISTER_RETRY_MS);
      return false;
    }
    this.location = '/' + optionValues(res as ParsedPacket, 'Location-Path').map((v) => v.toString('utf8')).join('/');
    this.sentLifetime = lt;
    this.state = 'registered';
    this.registrations++;
    this.emit('registered', `${this.location} lt=${lt} port=${this.localPort}`);
    this.scheduleUpdate();
    return true;
  }

  /** Update (seed §6.1.2): POST /rd/{id}, only changed parameters. */
  async update(): Promise<boolean> {
    if (this.state !== 'registered' || !this.location) return false;
    const lt = this.lifetime;
    const query = lt !== this.sentLifetime ? [`lt=${lt}`] : [];
    this.lastUpdateQuery = query;
    this.scheduleUpdate();
    const res = await this.socket.request({
      code: 'POST',
      options: [
        ...this.location.split('/').filter(Boolean).map((s) => ({ name: 'Uri-Path', value: Buffer.from(s) })),
        ...query.map((q) => ({ name: 'Uri-Query', value: Buffer.from(q) })),
      ],
    });
    if (this.state !== 'registered') return false;
    if (res?.code === '2.04') {
      this.sentLifetime = lt;
      this.updates++;
      this.emit('updated', `${this.location}${query.length ? ` ${query.join('&')}` : ''}`);
      return true;
    }
    this.emit('updateFailed', res ? res.code : 'no response');
    // 4.04: the server forgot us (expired or restarted): register again (LwM2M 1.1 §6.2.2).
    if (res && codeClass(res.code) === 4) {
      this.location = undefined;
      void this.register();
    }
    return false;
  }

  /** De-register (seed §6.1.3): DELETE /rd/{id}. */
  async deregister(): Promise<boolean> {
    this.clearTimers();
    const loc = this.location;
    if (!loc) return false;
    this.location = undefined;
    const res: IncomingResponse | undefined = await this.socket.request({
      code: 'DELETE',
      options: loc.split('/').filter(Boolean).map((s) => ({ name: 'Uri-Path', value: Buffer.from(s) })),
    });
    this.emit('deregistered', `${loc} ${res ? res.code : 'no response'}`);
    return res?.code === '2.02';
  }

  /**
   * Disable (seed B.1): the Execute was already answered; de-register, close the socket
   * (nothing is sent or received while disabled), register again after Disable Timeout.
   */
  async disable(): Promise<void> {
    const timeout = this.objects.numberByName(1, 'Disable Timeout', 86_400);
    this.state = 'disabled';
    await this.deregister();
    this.socket.close();
    this.emit('disabled', `for ${timeout}s`);
    this.disableTimer = setTimeout(() => {
      this.disableTimer = undefined;
      if (this.state !== 'disabled') return;
      this.state = 'idle';
      void this.start();
    }, timeout * 1000);
  }

  /** De-register if registered, then close. */
  async stop(): Promise<void> {
    const wasRegistered = this.state === 'registered';
    this.state = 'stopped';
    this.clearTimers();
    if (wasRegistered) await this.deregister();
    this.socket.close();
  }

  private bindAddress(): string | undefined {
    if (this.options.bindAddress) return this.options.bindAddress;
    const h = this.options.server.host;
    if (h === '127.0.0.1' || h === 'localhost') return '127.0.0.1';
    if (h === '::1') return '::1';
    return undefined;
  }

  private scheduleUpdate(): void {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    // Update at half the lifetime: well before expiry even with retransmissions.
    this.updateTimer = setTimeout(() => void this.update(), (this.lifetime * 1000) / 2);
  }

  private clearTimers(): void {
    for (const t of [this.updateTimer, this.disableTimer, this.retryTimer]) if (t) clearTimeout(t);
    this.updateTimer = this.disableTimer = this.retryTimer = undefined;
  }

  private onRequest(req: ParsedPacket): { code: string; options: { name: string; value: Buffer }[]; payload?: Buffer } | undefined {
    // Disabled: ignore every message from the server (seed B.1).
    if (this.state === 'disabled' || this.state === 'stopped') return undefined;
    const method = METHOD_BY_CODE[req.code];
    const segments = uriPath(req);
    const parsed = parsePath('/' + segments.join('/'));
    let res: DmResponse;
    if (!method) res = { code: '4.05', effect: 'none' };
    else if (!parsed.ok) res = { code: '4.04', effect: 'none' };
    else res = this.objects.handle(method, parsed.path, optionUint(req, 'Accept'), optionUint(req, 'Content-Format'), req.payload, uriQuery(req));
    this.emit('request', `${method ?? req.code} /${segments.join('/')} -> ${res.code}`);
    const options: { name: string; value: Buffer }[] = [];
    if (res.format !== undefined) options.push({ name: 'Content-Format', value: uintOption(res.format) });
    for (const seg of res.locationPath ?? []) options.push({ name: 'Location-Path', value: Buffer.from(seg) });
    // Effects run after the response is on the wire.
    if (res.effect !== 'none') setImmediate(() => this.applyEffect(res.effect, parsed.ok ? parsed.path : undefined));
    return { code: res.code, options, ...(res.payload ? { payload: res.payload } : {}) };
  }

  private applyEffect(effect: DmResponse['effect'], _path: LwM2MPath | undefined): void {
    switch (effect) {
      case 'disable':
        void this.disable();
        break;
      case 'registrationUpdate':
      case 'lifetimeChanged':
        // LwM2M 1.1 §6.2.2: a changed Lifetime is reported by an Update carrying lt.
        void this.update();
        break;
      case 'reboot':
      case 'none':
        break;
    }
  }

  private emit(type: DeviceEventType, detail: string): void {
    this.options.onEvent?.({ type, endpoint: this.endpoint, detail, at: Date.now() });
  }
}

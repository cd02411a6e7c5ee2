/**
 * Sends CoAP requests to a registered device with `coap`'s Agent, through the very endpoint
 * (socket, or DTLS session) the device registered through, to its current address and port:
 * the device's NAT mapping is the one its Register opened (LwM2M 1.1 §6.2: the server uses
 * the source address of the last Register/Update). Confirmable, with the Agent's RFC 7252
 * retransmission; bounded by our own timeout so an operator is never left waiting forever.
 */
import { Agent, type IncomingMessage } from 'coap';
import type { Registration, Transport } from '@lwm2m-console/shared';
import { contentFormatOf } from '../../coap/content-format.js';
import type { CoapEndpoint } from '../../coap/coap-endpoint.js';

export type CoapMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface DownlinkRequest {
  method: CoapMethod;
  /** LwM2M path below the device's root path, e.g. `/3/0/1`. */
  path: string;
  query?: string[];
  accept?: number;
  contentFormat?: number;
  payload?: Buffer;
}

export type DownlinkResponse =
  | { ok: true; code: string; contentFormat?: number; payload: Buffer; locationPath?: string }
  | { ok: false; error: 'TIMEOUT' | 'TRANSPORT'; message: string };

export interface DeviceRequesterOptions {
  /** Overall time allowed for one request, retransmissions included. */
  timeoutMs: number;
}

export class DeviceRequester {
  private readonly agents = new Map<Transport, Agent>();

  constructor(private readonly options: DeviceRequesterOptions) {}

  /** Makes requests to devices of `transport` go out through `endpoint`. */
  attach(transport: Transport, endpoint: CoapEndpoint): void {
    this.agents.set(transport, new Agent({ socket: endpoint.agentSocket as never, type: 'udp4' }));
  }

  send(registration: Registration, request: DownlinkRequest): Promise<DownlinkResponse> {
    const agent = this.agents.get(registration.transport);
    if (!agent) return Promise.resolve({ ok: false, error: 'TRANSPORT', message: `no ${registration.transport} transport for downlink` });
    const root = registration.rootPath === '/' ? '' : registration.rootPath.replace(/\/$/, '');
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r: DownlinkResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = agent.request({
        host: registration.address,
        port: registration.port,
        method: request.method,
        pathname: `${root}${request.path}`,
        query: request.query?.join('&'),
        confirmable: true,
      });
      const timer = setTimeout(() => {
        settle({ ok: false, error: 'TIMEOUT', message: `no answer from ${registration.endpoint} within ${this.options.timeoutMs} ms` });
        try {
          agent.abort(req);
        } catch {
          /* already finished */
        }
      }, this.options.timeoutMs);
      if (request.accept !== undefined) req.setOption('Accept', uint(request.accept));
      if (request.contentFormat !== undefined) req.setOption('Content-Format', uint(request.contentFormat));
      req.on('response', (res: IncomingMessage) => {
        const options = (res._packet.options ?? []) as { name: string | number; value: unknown }[];
        const format = options.find((o) => o.name === 'Content-Format');
        const location = options.filter((o) => o.name === 'Location-Path').map((o) => (Buffer.isBuffer(o.value) ? o.value.toString() : String(o.value)));
        const response: DownlinkResponse = { ok: true, code: String(res.code), payload: res.payload ?? Buffer.alloc(0) };
        if (format) response.contentFormat = contentFormatOf(format.value);
        if (location.length > 0) response.locationPath = '/' + location.join('/');
        settle(response);
      });
      req.on('error', (error: Error) => settle({ ok: false, error: 'TRANSPORT', message: error.message }));
      req.on('timeout', () => settle({ ok: false, error: 'TIMEOUT', message: `no answer from ${registration.endpoint}` }));
      req.end(request.payload);
    });
  }

  close(): void {
    for (const agent of this.agents.values()) agent.close();
  }
}

function uint(n: number): Buffer {
  if (n === 0) return Buffer.alloc(0);
  if (n < 256) return Buffer.from([n]);
  return Buffer.from([n >> 8, n & 0xff]);
}

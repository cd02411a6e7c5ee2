/**
 * Binds the `coap` Server's requests to the registration handler: routes `/rd` paths, reads
 * options, sends the outcome, and only then publishes the events (Leshan's rule: a listener
 * never sees a registration the device has not been told about).
 */
import type { IncomingMessage, OutgoingMessage } from 'coap';
import type { RefusalStage } from '@lwm2m-console/shared';
import type { RegistrationEventBus } from '../events/registration-event-bus.js';
import type { PeerInfo } from '../coap/coap-endpoint.js';
import { contentFormatOf } from '../coap/content-format.js';
import type { Logger } from '../log.js';
import type { RefusedAttempt } from '../security/refusal-log.js';
import type { HandlerResult, Peer, RegistrationHandler } from './registration-handler.js';

interface ParsedOption {
  name: string | number;
  value: unknown;
}

/** Option values as the `coap` package left them (Uri-Path and Uri-Query stay Buffers). */
function optionValues(req: IncomingMessage, name: string): unknown[] {
  const out: unknown[] = [];
  for (const o of req._packet.options as ParsedOption[] | undefined ?? []) if (o.name === name) out.push(o.value);
  return out;
}

function optionStrings(req: IncomingMessage, name: string): string[] {
  return optionValues(req, name).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/** The `ep=` a Register names, for the operator (the handler validates it; this only reads it). */
function endpointNamed(query: readonly string[]): string | undefined {
  const ep = query.find((q) => q.startsWith('ep='));
  return ep === undefined ? undefined : ep.slice(3);
}

export function peerOf(info: PeerInfo): Peer {
  const peer: Peer = { address: info.address, port: info.port, transport: info.transport };
  if (info.security) peer.security = info.security;
  return peer;
}

export class RegistrationInterface {
  constructor(
    private readonly handler: RegistrationHandler,
    private readonly events: RegistrationEventBus,
    private readonly log: Logger,
    /** Register, Update and De-register answered with a 4.xx: for the console's refused connections. */
    private readonly onRefused?: (attempt: RefusedAttempt) => void,
  ) {}

  /** `coap.Server` 'request' listener. */
  readonly onRequest = (req: IncomingMessage, res: OutgoingMessage): void => {
    const path = optionStrings(req, 'Uri-Path');
    if (path[0] !== 'rd' || path.length > 2) return this.reply(res, { code: '4.04', reason: 'not found' });
    const info = req.rsinfo as unknown as PeerInfo;
    const peer = peerOf(info);
    const method = req.method;
    let result: HandlerResult;
    let stage: RefusalStage;
    if (path.length === 1) {
      stage = 'register';
      if (method !== 'POST') return this.reply(res, { code: '4.05', reason: 'use POST /rd to register' });
      result = this.handler.register(this.requestOf(req, peer));
    } else {
      const id = path[1]!;
      stage = method === 'DELETE' ? 'deregister' : 'update';
      if (method === 'POST') result = this.handler.update(id, this.requestOf(req, peer));
      else if (method === 'DELETE') result = this.handler.deregister(id, peer);
      else return this.reply(res, { code: '4.05', reason: 'use POST to update or DELETE to de-register' });
    }
    const o = result.outcome;
    if (o.ok && o.code === '2.01') {
      res.setOption('Location-Path', o.locationPath.map((s) => Buffer.from(s)));
      this.reply(res, { code: o.code });
    } else if (o.ok) {
      this.reply(res, { code: o.code });
    } else {
      this.log.debug('registration refused', { code: o.code, reason: o.reason, address: peer.address, port: peer.port });
      this.reply(res, { code: o.code, reason: o.reason });
      this.onRefused?.({
        transport: peer.transport,
        address: peer.address,
        port: peer.port,
        stage,
        identity: peer.security?.identity,
        // the handler names it once it knows it; a Register it could not parse still shows its ep=
        endpoint: o.endpoint ?? (stage === 'register' ? endpointNamed(optionStrings(req, 'Uri-Query')) : undefined),
        outcome: o.code,
        reason: o.reason,
      });
    }
    for (const event of result.events) this.events.publish(event);
  };

  private requestOf(req: IncomingMessage, peer: Peer) {
    const formats = optionValues(req, 'Content-Format');
    return {
      query: optionStrings(req, 'Uri-Query'),
      payload: req.payload ?? Buffer.alloc(0),
      peer,
      contentFormat: formats.length > 0 ? contentFormatOf(formats[0]) : undefined,
    };
  }

  private reply(res: OutgoingMessage, r: { code: string; reason?: string }): void {
    res.code = r.code;
    // RFC 7252 §5.5.2: a diagnostic payload on an error response, plain UTF-8, no Content-Format.
    res.end(r.reason ?? undefined);
  }
}

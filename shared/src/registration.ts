/**
 * The registration model: what the server knows about one registered LwM2M client.
 * Shared by the bridge (which produces it) and the console (which renders it).
 */

/** How the device reached us: plain CoAP over UDP (5683) or CoAP over DTLS (5684). */
export type Transport = 'coap' | 'coaps';

/** LwM2M enabler versions this server accepts (`lwm2m=` on Register). */
export const SUPPORTED_LWM2M_VERSIONS = ['1.0', '1.1', '1.2'] as const;
export type LwM2MVersion = (typeof SUPPORTED_LWM2M_VERSIONS)[number];

/** Seed Table 2: lifetime when the client sends none. */
export const DEFAULT_LIFETIME_S = 86_400;
/** Seed Table 2: LwM2M version when the client sends none. */
export const DEFAULT_LWM2M_VERSION: LwM2MVersion = '1.0';

/** DTLS security mode of a session, named as in the Security object (0 PSK, 1 RPK, 2 X.509). */
export type SecurityMode = 'psk' | 'rpk' | 'x509' | 'nosec';

/** What the DTLS layer authenticated for this registration's session. Never carries key material. */
export interface SessionSecurity {
  mode: SecurityMode;
  /** PSK identity, certificate subject CN, or RPK fingerprint. */
  identity?: string;
  /** IANA name of the negotiated suite, e.g. TLS_PSK_WITH_AES_128_CCM_8. */
  cipherSuite?: string;
  /** True when RFC 9146 Connection ID is in use on the session. */
  connectionId?: boolean;
}

/** One link of the Register payload: an object, or an object instance. */
export interface ObjectLink {
  objectId: number;
  instanceId?: number;
  /** `ver=` link attribute: object version the client implements. */
  version?: string;
  /** Any other link attributes, kept verbatim (values unquoted). */
  attributes?: Record<string, string>;
}

/** The request a registration was created or last changed by, kept for the console. */
export interface RawRequest {
  /** Query string without the leading `?`. */
  query: string;
  /** Payload as text (link format), empty when none was sent. */
  payload: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface Registration {
  /** Registration id: the `{id}` in the Location-Path `rd/{id}`. Random, unguessable. */
  id: string;
  /** Endpoint Client Name (`ep`), unique on this server. */
  endpoint: string;
  /** Seconds; the registration expires this long after the last Register/Update. */
  lifetime: number;
  lwm2mVersion: LwM2MVersion;
  /** Binding mode as sent (`b`), default `U`. For 1.1+, letters only (queue is `queueMode`). */
  binding: string;
  /** Queue mode: `Q` in a 1.0 binding, or the separate `Q` parameter in 1.1+. */
  queueMode: boolean;
  /** MSISDN (`sms`), if the device supports the SMS binding. */
  smsNumber?: string;
  /** Root path of the LwM2M objects (`</path>;rt="oma.lwm2m"`), `/` when absent. */
  rootPath: string;
  /** Content formats the client advertised on the root link (`ct=`), if any. */
  contentFormats?: number[];
  objectLinks: ObjectLink[];
  /** Query parameters the spec does not define, kept verbatim. */
  extraAttributes: Record<string, string>;
  /** Source address of the last Register/Update. */
  address: string;
  port: number;
  transport: Transport;
  security?: SessionSecurity;
  /** Epoch milliseconds. */
  registeredAt: number;
  lastUpdateAt: number;
  /** `lastUpdateAt + lifetime * 1000`. */
  expiresAt: number;
  rawRegister: RawRequest;
  rawLastUpdate?: RawRequest;
}

/**
 * The fields an Update can change (seed §6.1.2: only changed parameters are sent).
 * Used both for the parsed Update request and for the `changes` of an `updated` event.
 */
export interface RegistrationChanges {
  lifetime?: number;
  binding?: string;
  queueMode?: boolean;
  smsNumber?: string;
  objectLinks?: ObjectLink[];
  rootPath?: string;
  contentFormats?: number[];
  address?: string;
  port?: number;
  extraAttributes?: Record<string, string>;
}

/**
 * What the fleet view needs of a registration: small enough that 100,000 of them fit in
 * one initial sync. The full `Registration` is fetched on demand for the device page.
 */
export interface RegistrationSummary {
  id: string;
  endpoint: string;
  address: string;
  port: number;
  transport: Transport;
  lwm2mVersion: LwM2MVersion;
  binding: string;
  queueMode: boolean;
  smsNumber?: string;
  lifetime: number;
  registeredAt: number;
  lastUpdateAt: number;
  expiresAt: number;
  objectCount: number;
  securityMode?: SecurityMode;
}

export function summarize(r: Registration): RegistrationSummary {
  const s: RegistrationSummary = {
    id: r.id,
    endpoint: r.endpoint,
    address: r.address,
    port: r.port,
    transport: r.transport,
    lwm2mVersion: r.lwm2mVersion,
    binding: r.binding,
    queueMode: r.queueMode,
    lifetime: r.lifetime,
    registeredAt: r.registeredAt,
    lastUpdateAt: r.lastUpdateAt,
    expiresAt: r.expiresAt,
    objectCount: countObjects(r.objectLinks),
  };
  if (r.smsNumber !== undefined) s.smsNumber = r.smsNumber;
  if (r.security) s.securityMode = r.security.mode;
  return s;
}

/** Number of distinct object ids in the link list. */
export function countObjects(links: readonly ObjectLink[]): number {
  const ids = new Set<number>();
  for (const l of links) ids.add(l.objectId);
  return ids.size;
}

/**
 * The console WebSocket protocol, declared once for both ends.
 *
 * Flow: on connect the bridge sends `hello`, then a `snapshot` (possibly in several parts)
 * taken at sequence number `seq`, then `delta` frames with strictly increasing `seq`
 * (each delta's seq is the previous one + 1). A client that sees a gap, or reconnects,
 * sends `resync` and receives a fresh snapshot. Deltas are batched per tick so a burst of
 * changes costs one frame per tick, not one per change.
 */
import type { EndReason } from './events.js';
import type { Registration, RegistrationChanges, RegistrationSummary } from './registration.js';
import type { SummaryRow } from './summary-rows.js';
import type { ModelLayout, ObjectDefinition } from './model.js';
import type { AuditEntry, OperationRequest, OperationResult } from './operations.js';
import type { CredentialInput, CredentialView, DtlsStatus } from './security.js';
import type { Refusal } from './refusals.js';

export const PROTOCOL_VERSION = 1;

/** One registry change, as the console needs it. */
export type FleetEvent =
  | {
      kind: 'registered';
      at: number;
      registration: RegistrationSummary;
      /** Set when the endpoint comes back after a Disable (compare `at` with `expectedBackAt`). */
      returnedFromDisable?: { disabledAt: number; expectedBackAt: number };
    }
  | { kind: 'updated'; at: number; registration: RegistrationSummary; changes: RegistrationChanges }
  | {
      kind: 'ended';
      at: number;
      registration: RegistrationSummary;
      reason: EndReason;
      expectedBackAt?: number;
    };

export type FleetEventKind = FleetEvent['kind'];

/**
 * A line of the activity feed that is no registry event, e.g. that registrations were kept
 * across a restart of the bridge. `endpoint` is absent when the note is about the whole fleet.
 */
export interface ActivityNote {
  kind: 'note';
  at: number;
  detail: string;
  endpoint?: string;
  registrationId?: string;
}

/** One line of the fleet's recent activity as the bridge keeps it (`getActivity`). */
export type ActivityEvent = FleetEvent | ActivityNote;

/** One line of an endpoint's own history, kept after the device leaves. */
export interface TimelineEntry {
  at: number;
  kind: FleetEventKind | 'note';
  registrationId: string;
  /** Human-readable detail: what changed, why it ended, how early/late a return was. */
  detail: string;
  changes?: RegistrationChanges;
  reason?: EndReason;
  /** With reason 'disabled': when the device is expected back (the console writes it in local time). */
  expectedBackAt?: number;
}

/** An endpoint that left after a Disable and is expected back (fleet view keeps its row). */
export interface AwayDevice {
  endpoint: string;
  /** The registration as it was when it left. */
  registration: RegistrationSummary;
  disabledAt: number;
  expectedBackAt: number;
}

export interface ServerInfo {
  /** Product version of the bridge. */
  version: string;
  /** URIs a device should be pointed at, e.g. `coap://192.0.2.1:5683`. */
  coapUris: string[];
  /** Whether endpoints without credentials may register over plain CoAP. */
  allowUnsecured: boolean;
  /** Server-wide Server-object numbering in force (published LwM2M or the seed's draft). */
  objectLayout?: ModelLayout;
}

// ---------------------------------------------------------------- bridge → console

export interface HelloMessage {
  type: 'hello';
  v: typeof PROTOCOL_VERSION;
  serverTime: number;
  server: ServerInfo;
}

export interface SnapshotMessage {
  type: 'snapshot';
  v: typeof PROTOCOL_VERSION;
  /** Deltas after this sequence number apply on top of this snapshot. */
  seq: number;
  serverTime: number;
  /** 0-based part index and number of parts: a large fleet is sent in several frames. */
  part: number;
  parts: number;
  registrations: RegistrationSummary[];
}

/**
 * A snapshot part in the compact row encoding (`summary-rows.ts`), sent instead of `snapshot`
 * to a console that connected with `/ws?encoding=rows`. Same seq/part/parts rules.
 */
export interface SnapshotRowsMessage {
  type: 'snapshotRows';
  v: typeof PROTOCOL_VERSION;
  seq: number;
  serverTime: number;
  part: number;
  parts: number;
  rows: SummaryRow[];
}

export interface DeltaMessage {
  type: 'delta';
  v: typeof PROTOCOL_VERSION;
  seq: number;
  serverTime: number;
  events: FleetEvent[];
}

export interface DeviceMessage {
  type: 'device';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  endpoint: string;
  /** Absent when the endpoint is not registered now. */
  registration?: Registration;
  timeline: TimelineEntry[];
  /** Object definitions in force for this device (its `ver=` and layout), for names and units. */
  objects?: ObjectDefinition[];
  /** Server-object numbering used for this device. */
  layout?: ModelLayout;
  /** Set while the endpoint is away after a Disable. */
  away?: AwayDevice;
}

/** Endpoints away after a Disable; sent after every snapshot, then kept current from deltas. */
export interface AwayMessage {
  type: 'away';
  v: typeof PROTOCOL_VERSION;
  devices: AwayDevice[];
}

/** The outcome of one `operation` request, to the console that asked. */
export interface OperationResultMessage {
  type: 'operationResult';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  result: OperationResult;
}

/**
 * Audit log: `entries` answers `getAudit` (newest last); a single new entry is pushed to every
 * console as it happens, so an operator's action reaches every open console.
 */
export interface AuditMessage {
  type: 'audit';
  v: typeof PROTOCOL_VERSION;
  requestId?: string;
  entries: AuditEntry[];
}

/** Object model management: answer to `uploadModel` / `setLayout`. */
export interface ModelResultMessage {
  type: 'modelResult';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  ok: boolean;
  /** Objects defined by an uploaded DDF file. */
  objects?: { id: number; name: string; version: string }[];
  errors?: string[];
  /** Server-wide layout after a `setLayout`. */
  serverLayout?: ModelLayout;
}

/**
 * Credentials as the console may see them (never a key), and the server's security settings.
 * Answers `listCredentials`, and is pushed to every console after any change.
 */
export interface CredentialsMessage {
  type: 'credentials';
  v: typeof PROTOCOL_VERSION;
  requestId?: string;
  credentials: CredentialView[];
  allowUnsecured: boolean;
}

/** Answer to `putCredential`, `deleteCredential` and `setAllowUnsecured`. */
export interface CredentialResultMessage {
  type: 'credentialResult';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  ok: boolean;
  credential?: CredentialView;
  error?: string;
}

/**
 * Refused connection attempts: `refusals` answers `getRefusals` with every kept entry (oldest
 * first); afterwards new and grown entries are pushed to every console, batched, and replace any
 * entry with the same id.
 */
export interface RefusalsMessage {
  type: 'refusals';
  v: typeof PROTOCOL_VERSION;
  requestId?: string;
  refusals: Refusal[];
}

/** Answers `getSecurityStatus`: the DTLS server's state now (`dtls` absent when CoAPS is off). */
export interface SecurityStatusMessage {
  type: 'securityStatus';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  at: number;
  dtls?: DtlsStatus;
}

/**
 * Answers `getActivity`: the fleet's recent activity, oldest first, up to and including the
 * delta numbered `seq`. Deltas with a seq above it come after these lines; those at or below it
 * are already among them (the bridge sends pending deltas before it answers), so a console can
 * merge history and live events without duplicates or gaps.
 */
export interface ActivityMessage {
  type: 'activity';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  seq: number;
  events: ActivityEvent[];
  /** Lines the bridge keeps at most. */
  capacity: number;
  /** Events recorded since the bridge started (more than `events.length` once the ring is full). */
  recorded: number;
}

export interface ErrorMessage {
  type: 'error';
  v: typeof PROTOCOL_VERSION;
  /** Set when the error answers a request. */
  requestId?: string;
  /** Stable code, see docs/errors.md. */
  code: ProtocolErrorCode;
  message: string;
}

export interface PongMessage {
  type: 'pong';
  v: typeof PROTOCOL_VERSION;
  serverTime: number;
}

export type ServerMessage =
  | HelloMessage
  | SnapshotMessage
  | SnapshotRowsMessage
  | DeltaMessage
  | DeviceMessage
  | ErrorMessage
  | PongMessage
  | AwayMessage
  | OperationResultMessage
  | AuditMessage
  | ModelResultMessage
  | CredentialsMessage
  | CredentialResultMessage
  | RefusalsMessage
  | SecurityStatusMessage
  | ActivityMessage;

// ---------------------------------------------------------------- console → bridge

export interface ResyncRequest {
  type: 'resync';
  v: typeof PROTOCOL_VERSION;
}

export interface GetDeviceRequest {
  type: 'getDevice';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  endpoint: string;
}

export interface PingRequest {
  type: 'ping';
  v: typeof PROTOCOL_VERSION;
}

/** Runs a device operation (read, write, execute, discover, create, delete, disable). */
export interface OperationMessage {
  type: 'operation';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  request: OperationRequest;
}

export interface GetAuditRequest {
  type: 'getAudit';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
}

/** Adds object definitions from a DDF XML file (OMA LWM2M.xsd). */
export interface UploadModelRequest {
  type: 'uploadModel';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  /** File name, for error messages. */
  name: string;
  xml: string;
}

/** Selects the Server-object layout for one endpoint, or server-wide when `endpoint` is absent. `layout: null` resets an endpoint to the server-wide one. */
export interface SetLayoutRequest {
  type: 'setLayout';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  endpoint?: string;
  layout: ModelLayout | null;
}

export interface ListCredentialsRequest {
  type: 'listCredentials';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
}

/** Adds or replaces an endpoint's credential. Keys travel console → bridge only. */
export interface PutCredentialRequest {
  type: 'putCredential';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  credential: CredentialInput;
}

export interface DeleteCredentialRequest {
  type: 'deleteCredential';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  endpoint: string;
}

export interface SetAllowUnsecuredRequest {
  type: 'setAllowUnsecured';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  allow: boolean;
}

export interface GetRefusalsRequest {
  type: 'getRefusals';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
}

export interface GetSecurityStatusRequest {
  type: 'getSecurityStatus';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
}

/** The fleet's recent activity; `limit` (1 to MAX_ACTIVITY_LIMIT) asks for only the newest lines. */
export interface GetActivityRequest {
  type: 'getActivity';
  v: typeof PROTOCOL_VERSION;
  requestId: string;
  limit?: number;
}

/** Largest `limit` a `getActivity` may ask for. */
export const MAX_ACTIVITY_LIMIT = 10_000;

export type ClientMessage =
  | ResyncRequest
  | GetDeviceRequest
  | PingRequest
  | OperationMessage
  | GetAuditRequest
  | UploadModelRequest
  | SetLayoutRequest
  | ListCredentialsRequest
  | PutCredentialRequest
  | DeleteCredentialRequest
  | SetAllowUnsecuredRequest
  | GetRefusalsRequest
  | GetSecurityStatusRequest
  | GetActivityRequest;

export const PROTOCOL_ERROR_CODES = [
  'BAD_JSON',
  'BAD_MESSAGE',
  'UNSUPPORTED_VERSION',
  'TOO_LARGE',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

/** Largest console → bridge message the bridge reads, in bytes. */
export const MAX_CLIENT_MESSAGE_BYTES = 256 * 1024;

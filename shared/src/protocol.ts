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

export const PROTOCOL_VERSION = 1;

/** One registry change, as the console needs it. */
export type FleetEvent =
  | { kind: 'registered'; at: number; registration: RegistrationSummary }
  | { kind: 'updated'; at: number; registration: RegistrationSummary; changes: RegistrationChanges }
  | {
      kind: 'ended';
      at: number;
      registration: RegistrationSummary;
      reason: EndReason;
      expectedBackAt?: number;
    };

export type FleetEventKind = FleetEvent['kind'];

/** One line of an endpoint's own history, kept after the device leaves. */
export interface TimelineEntry {
  at: number;
  kind: FleetEventKind | 'note';
  registrationId: string;
  /** Human-readable detail: what changed, why it ended, how early/late a return was. */
  detail: string;
  changes?: RegistrationChanges;
  reason?: EndReason;
}

export interface ServerInfo {
  /** Product version of the bridge. */
  version: string;
  /** URIs a device should be pointed at, e.g. `coap://192.0.2.1:5683`. */
  coapUris: string[];
  /** Whether endpoints without credentials may register over plain CoAP. */
  allowUnsecured: boolean;
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
  | PongMessage;

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

export type ClientMessage = ResyncRequest | GetDeviceRequest | PingRequest;

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
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

/**
 * Device operations (LwM2M Device Management & Service Enablement interface) as the console
 * asks for them and as the bridge reports them. Shared by both ends.
 */
import type { LwM2MNode, LwM2MValue } from './values.js';

export const OPERATION_KINDS = ['read', 'write', 'execute', 'discover', 'create', 'delete', 'disable'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** `replace` is a CoAP PUT, `update` a POST (partial update), LwM2M 1.1 §6.3.3. */
export type WriteMode = 'replace' | 'update';

export interface OperationRequest {
  op: OperationKind;
  endpoint: string;
  /** `/o`, `/o/i`, `/o/i/r` or `/o/i/r/ri`. For `disable`: the Server object instance, e.g. `/1/0` (optional). */
  path?: string;
  /** Write / Create: the node or single value to send. */
  value?: LwM2MNode | LwM2MValue;
  mode?: WriteMode;
  /** Execute arguments (LwM2M 1.1 §5.4.3: `0='a',1`), sent as text. */
  args?: string;
}

export const OPERATION_ERROR_CODES = [
  /** The endpoint is not registered now. */
  'NOT_REGISTERED',
  /** No answer within the downlink timeout (RFC 7252 retransmissions included). */
  'TIMEOUT',
  /** The device answered with a 4.xx or 5.xx code (see `code`). */
  'DEVICE_ERROR',
  /** The request itself is invalid (path, value, arguments). */
  'BAD_REQUEST',
  /** The device's answer could not be decoded. */
  'DECODE_ERROR',
  /** A resource looked up by name does not exist in the device's object model. */
  'UNRESOLVED',
  /** Refused by the bridge (e.g. the Security object, which holds keys). */
  'FORBIDDEN',
  'INTERNAL',
] as const;
export type OperationErrorCode = (typeof OPERATION_ERROR_CODES)[number];

export interface DiscoveredLink {
  path: string;
  attributes: Record<string, string>;
}

export interface OperationResult {
  op: OperationKind;
  endpoint: string;
  path: string;
  ok: boolean;
  /** CoAP response code from the device, e.g. `2.05`, `4.05`; absent when none came. */
  code?: string;
  /** Read: the decoded value. */
  value?: LwM2MNode;
  /** Discover: the links the device returned. */
  links?: DiscoveredLink[];
  /** Content-Format of the device's payload. */
  contentFormat?: number;
  error?: { code: OperationErrorCode; message: string };
  /** Disable: when the device is expected to register again (epoch ms). */
  expectedBackAt?: number;
  /** Create: Location-Path of the new instance. */
  location?: string;
  at: number;
  durationMs: number;
}

/** One line of the audit log: every Write, Execute, Create, Delete and Disable. */
export interface AuditEntry {
  id: number;
  at: number;
  /** Console session that acted (an opaque id, never a token). */
  actor: string;
  endpoint: string;
  op: OperationKind;
  path: string;
  /** What was sent, summarised (value, mode, arguments). */
  detail: string;
  ok: boolean;
  code?: string;
  error?: string;
  durationMs: number;
}

/** Operations that change a device, and so are audited. Reads and Discovers are not. */
export function isAudited(op: OperationKind): boolean {
  return op !== 'read' && op !== 'discover';
}

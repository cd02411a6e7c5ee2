/**
 * Registration events: every change to the registry emits exactly one of these, after the
 * CoAP response has been sent. The console's activity feed and fleet view are built from them.
 */
import type { Registration, RegistrationChanges } from './registration.js';

/**
 * Why a registration ended.
 * - `deregistered`: the client sent De-register.
 * - `expired`: no Update within the lifetime.
 * - `replaced`: a new Register for the same endpoint (seed §6.1.1 note).
 * - `disabled`: De-register that follows an operator's Disable execute (issue 4).
 * - `evicted`: removed by the operator or by a capacity limit.
 */
export const END_REASONS = ['deregistered', 'expired', 'replaced', 'disabled', 'evicted'] as const;
export type EndReason = (typeof END_REASONS)[number];

export interface RegisteredEvent {
  type: 'registered';
  at: number;
  registration: Registration;
  /**
   * Set when this endpoint left after a Disable: when it left and when it was expected back,
   * so the console can tell how early or late it returned (`at - expectedBackAt`).
   */
  returnedFromDisable?: { disabledAt: number; expectedBackAt: number };
}

export interface UpdatedEvent {
  type: 'updated';
  at: number;
  registration: Registration;
  /** Only the fields whose value changed (an Update that changes nothing has `{}`). */
  changes: RegistrationChanges;
}

export interface EndedEvent {
  type: 'ended';
  at: number;
  /** The registration as it was when it ended. */
  registration: Registration;
  reason: EndReason;
  /** For `disabled`: epoch ms when the device is expected to register again. */
  expectedBackAt?: number;
}

export type RegistrationEvent = RegisteredEvent | UpdatedEvent | EndedEvent;

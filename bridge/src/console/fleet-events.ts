/**
 * Registry event → what the console is sent. The fleet view needs summaries, not full
 * registrations (link payloads, raw requests), so each event shrinks before it is batched.
 */
import { summarize, type FleetEvent, type RegistrationEvent } from '@lwm2m-console/shared';

export function toFleetEvent(event: RegistrationEvent): FleetEvent {
  switch (event.type) {
    case 'registered': {
      const registered: FleetEvent = { kind: 'registered', at: event.at, registration: summarize(event.registration) };
      if (event.returnedFromDisable) registered.returnedFromDisable = event.returnedFromDisable;
      return registered;
    }
    case 'updated':
      return { kind: 'updated', at: event.at, registration: summarize(event.registration), changes: event.changes };
    case 'ended': {
      const ended: FleetEvent = { kind: 'ended', at: event.at, registration: summarize(event.registration), reason: event.reason };
      if (event.expectedBackAt !== undefined) ended.expectedBackAt = event.expectedBackAt;
      return ended;
    }
    default: {
      const unreachable: never = event;
      throw new Error(`unknown registration event ${JSON.stringify(unreachable)}`);
    }
  }
}

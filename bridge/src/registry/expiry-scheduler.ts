/**
 * The timer shell around `RegistrationHandler.expireDue`: a single interval for the whole
 * registry. Expiries are drained in chunks, yielding to the event loop between chunks, so an
 * expiry storm (a million registrations with one deadline) never blocks CoAP traffic for long.
 */
import type { RegistrationEvent } from '@lwm2m-console/shared';

export interface ExpirySchedulerOptions {
  expireDue: (limit: number) => RegistrationEvent[];
  publish: (event: RegistrationEvent) => void;
  /** How often to look for due registrations; deadlines are met within this plus one second. */
  intervalMs?: number;
  /** Registrations removed per event-loop turn. */
  chunk?: number;
}

export class ExpiryScheduler {
  private timer: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(private readonly options: ExpirySchedulerOptions) {}

  start(): void {
    this.timer = setInterval(() => this.drain(), this.options.intervalMs ?? 200);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    const chunk = this.options.chunk ?? 2000;
    const step = () => {
      const events = this.options.expireDue(chunk);
      for (const event of events) this.options.publish(event);
      if (events.length === chunk && this.timer) setImmediate(step);
      else this.draining = false;
    };
    step();
  }
}

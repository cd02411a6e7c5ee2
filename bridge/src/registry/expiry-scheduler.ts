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
  /** Registrations removed between two looks at the clock. */
  chunk?: number;
  /** Longest time spent expiring before yielding to the event loop. */
  sliceMs?: number;
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
    const chunk = this.options.chunk ?? 64;
    const sliceMs = this.options.sliceMs ?? 5;
    // Time-sliced: expire in small chunks until the slice is used up, then let CoAP traffic
    // (and the console) run before the next slice.
    const step = () => {
      const started = performance.now();
      for (;;) {
        const events = this.options.expireDue(chunk);
        for (const event of events) this.options.publish(event);
        if (events.length < chunk || !this.timer) {
          this.draining = false;
          return;
        }
        if (performance.now() - started >= sliceMs) {
          setImmediate(step);
          return;
        }
      }
    };
    step();
  }
}

import type { RegistrationEvent } from '@lwm2m-console/shared';

export type RegistrationListener = (event: RegistrationEvent) => void;

/**
 * Fan-out of registry changes. Listeners run synchronously in publish order; a listener that
 * throws is reported through `onListenerError` and never stops the others or the publisher.
 */
export class RegistrationEventBus {
  private readonly listeners = new Set<RegistrationListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  subscribe(listener: RegistrationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: RegistrationEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

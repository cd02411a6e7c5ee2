/**
 * Endpoints that left after a Disable and are expected back (seed B.1): the fleet view keeps
 * their row ("disabled, expected back at T") until they register again. Built from registry
 * events; bounded.
 */
import { summarize, type AwayDevice, type RegistrationEvent } from '@lwm2m-console/shared';

export class AwayDevices {
  private readonly byEndpoint = new Map<string, AwayDevice>();

  constructor(private readonly max = 100_000) {}

  record(event: RegistrationEvent): void {
    const endpoint = event.registration.endpoint;
    if (event.type === 'registered') {
      this.byEndpoint.delete(endpoint);
    } else if (event.type === 'ended' && event.reason === 'disabled' && event.expectedBackAt !== undefined) {
      this.byEndpoint.set(endpoint, { endpoint, registration: summarize(event.registration), disabledAt: event.at, expectedBackAt: event.expectedBackAt });
      if (this.byEndpoint.size > this.max) this.byEndpoint.delete(this.byEndpoint.keys().next().value!);
    }
  }

  get(endpoint: string): AwayDevice | undefined {
    return this.byEndpoint.get(endpoint);
  }

  list(): AwayDevice[] {
    return [...this.byEndpoint.values()];
  }

  /**
   * Rows a previous run of the bridge held when it stopped (already validated, see
   * lwm2m/away-snapshot.ts), so the fleet view still shows a disabled device after a restart.
   * An endpoint this run already knows keeps its row. Returns how many rows were added.
   */
  restore(devices: Iterable<AwayDevice>): number {
    let added = 0;
    for (const device of devices) {
      if (this.byEndpoint.has(device.endpoint)) continue;
      this.byEndpoint.set(device.endpoint, device);
      added++;
      if (this.byEndpoint.size > this.max) this.byEndpoint.delete(this.byEndpoint.keys().next().value!);
    }
    return added;
  }
}

/**
 * Which object model is in force for a device: its registered object versions (`ver=`) and
 * LwM2M version (`ObjectRegistry.modelFor`), in the Server-object layout chosen for it —
 * published LwM2M by default, the seed's draft numbering per device or server-wide.
 */
import type { ModelLayout, ObjectModel, Registration } from '@lwm2m-console/shared';
import type { ObjectRegistry } from '../../model/object-registry.js';

export class DeviceModels {
  private readonly layouts = new Map<string, ModelLayout>();

  constructor(
    readonly registry: ObjectRegistry,
    public serverLayout: ModelLayout = 'published',
  ) {}

  layoutFor(endpoint: string): ModelLayout {
    return this.layouts.get(endpoint) ?? this.serverLayout;
  }

  /** `undefined` returns the endpoint to the server-wide layout. */
  setLayout(endpoint: string, layout: ModelLayout | undefined): void {
    if (layout === undefined) this.layouts.delete(endpoint);
    else this.layouts.set(endpoint, layout);
  }

  modelFor(registration: Pick<Registration, 'endpoint' | 'lwm2mVersion' | 'objectLinks'>): ObjectModel {
    return this.registry.modelFor({ lwm2mVersion: registration.lwm2mVersion, objectLinks: registration.objectLinks }, this.layoutFor(registration.endpoint));
  }
}

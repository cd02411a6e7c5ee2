/**
 * The object-model side of the console: definitions for a device page, layout selection, and
 * DDF uploads, which are validated and then kept as files in the user models folder (so they
 * survive a restart and are loaded like dropped-in files).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelLayout, ObjectDefinition, Registration } from '@lwm2m-console/shared';
import { parseDdf } from '../../model/ddf-parser.js';
import type { ConsoleServices } from '../../console/console-services.js';
import type { DeviceModels } from './device-models.js';

export function consoleModels(models: DeviceModels, userDir: string): ConsoleServices['models'] {
  return {
    objectsFor(registration: Registration): ObjectDefinition[] {
      const model = models.modelFor(registration);
      const ids = new Set(registration.objectLinks.map((l) => l.objectId));
      return [...ids].sort((a, b) => a - b).flatMap((id) => (model[id] ? [model[id]] : []));
    },
    layoutFor: (endpoint) => models.layoutFor(endpoint),
    setLayout(endpoint: string | undefined, layout: ModelLayout | null): ModelLayout {
      if (endpoint !== undefined) models.setLayout(endpoint, layout ?? undefined);
      else if (layout !== null) models.serverLayout = layout;
      return models.serverLayout;
    },
    upload(name: string, xml: string) {
      const parsed = parseDdf(xml, name);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 80) || 'upload';
      mkdirSync(userDir, { recursive: true });
      writeFileSync(join(userDir, safe.endsWith('.xml') ? safe : `${safe}.xml`), xml, { mode: 0o644 });
      models.registry.reloadUserDir();
      return { ok: true, objects: parsed.objects.map((o) => ({ id: o.id, name: o.name, version: o.version })) };
    },
  };
}

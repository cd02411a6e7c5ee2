import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveResource, type ObjectLink } from '@lwm2m-console/shared';
import { ObjectRegistry, type ModelLoadReport } from './object-registry.js';

const device = (lwm2mVersion: string, objectLinks: ObjectLink[] = []) => ({ lwm2mVersion, objectLinks });

const userObject = (id: number, name: string) => `<LWM2M><Object ObjectType="MODefinition">
<Name>${name}</Name><ObjectID>${id}</ObjectID><MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory>
<Resources><Item ID="0"><Name>Level</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
<Mandatory>Mandatory</Mandatory><Type>Integer</Type></Item></Resources></Object></LWM2M>`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ObjectRegistry', () => {
  it('loads the built-in core objects 0 to 7 without errors', () => {
    const reg = new ObjectRegistry();
    expect(reg.builtInReport.errors).toEqual([]);
    const model = reg.modelFor(device('1.0'));
    expect(Object.keys(model).map(Number).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(model[3]?.name).toBe('Device');
  });

  it('resolves Disable to /1/x/4 and Binding stays 7 in the published layout', () => {
    const model = new ObjectRegistry().modelFor(device('1.0'), 'published');
    expect(resolveResource(model, 1, 'Disable')?.id).toBe(4);
    expect(resolveResource(model, 1, 'Disable Timeout')?.id).toBe(5);
    expect(resolveResource(model, 1, 'Lifetime')?.id).toBe(1);
    expect(resolveResource(model, 1, 'Registration Update Trigger')?.id).toBe(8);
    expect(model[1]?.resources.find((r) => r.id === 7)?.name).toBe('Binding');
  });

  it('resolves Disable to 7 and DisableTimeout to 8 in the draft layout', () => {
    const model = new ObjectRegistry().modelFor(device('1.0'), 'draft');
    expect(resolveResource(model, 1, 'Disable')).toMatchObject({ id: 7, operations: 'E' });
    expect(resolveResource(model, 1, 'disable timeout')?.id).toBe(8);
    expect(resolveResource(model, 1, 'Lifetime')?.id).toBe(1);
    expect(resolveResource(model, 1, 'Short Server ID')?.id).toBe(4);
    expect(resolveResource(model, 1, 'Registration Update Trigger')).toBeUndefined();
  });

  it('follows the object version the device registered with ver=', () => {
    const reg = new ObjectRegistry();
    const v11 = reg.modelFor(device('1.1', [{ objectId: 1, instanceId: 0, version: '1.1' }]));
    expect(v11[1]?.version).toBe('1.1');
    expect(resolveResource(v11, 1, 'Bootstrap-Request Trigger')?.id).toBe(9);
    const v10 = reg.modelFor(device('1.1', [{ objectId: 1, instanceId: 0 }]));
    expect(v10[1]?.version).toBe('1.0');
    expect(resolveResource(v10, 1, 'Bootstrap-Request Trigger')).toBeUndefined();
    // An unknown newer version falls back to the highest known one below it.
    const v12 = reg.modelFor(device('1.2', [{ objectId: 1, attributes: { ver: '1.2' } }]));
    expect(v12[1]?.version).toBe('1.1');
  });

  it('adds an uploaded DDF and reports the errors of a bad one', () => {
    const reports: ModelLoadReport[] = [];
    const reg = new ObjectRegistry({ onReport: (r) => reports.push(r) });
    const ok = reg.addDdf(userObject(33001, 'Gauge'), 'gauge.xml');
    expect(ok.ok).toBe(true);
    expect(reg.modelFor(device('1.0'))[33001]?.name).toBe('Gauge');
    const bad = reg.addDdf('<LWM2M><Object>', 'bad.xml');
    expect(bad.ok).toBe(false);
    expect(reports.at(-1)?.errors[0]).toMatch(/^bad\.xml:\d+: malformed XML/);
  });

  it('loads user files from a folder, skips bad ones, and reloads when a file is dropped in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddf-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'a.xml'), userObject(33002, 'First'));
    writeFileSync(join(dir, 'broken.xml'), '<LWM2M><Object ObjectType="MODefinition"><Name>x</Name>');
    const reports: ModelLoadReport[] = [];
    const reg = new ObjectRegistry({ userDir: dir, onReport: (r) => reports.push(r), watchDebounceMs: 20 });
    expect(reg.modelFor(device('1.0'))[33002]?.name).toBe('First');
    expect(reg.userReport.errors[0]).toContain('broken.xml');
    reg.watch();
    const reloaded = new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (reg.modelFor(device('1.0'))[33003]) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    writeFileSync(join(dir, 'b.xml'), userObject(33003, 'Second'));
    await reloaded;
    expect(reg.modelFor(device('1.0'))[33003]?.name).toBe('Second');
    reg.close();
  });

  it('reports a missing user folder instead of failing', () => {
    const reg = new ObjectRegistry({ userDir: '/nonexistent/ddf-folder' });
    expect(reg.userReport.errors[0]).toMatch(/cannot read folder: ENOENT/);
    expect(reg.modelFor(device('1.0'))[3]).toBeDefined();
  });
});

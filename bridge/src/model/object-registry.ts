/**
 * The object registry: built-in OMA DDF files shipped in `models/`, user DDF files dropped
 * into a folder at run time (watched and reloaded), and uploads through `addDdf`.
 * A bad file is reported and skipped; it never stops the process.
 */

import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelLayout, ObjectDefinition, ObjectModel } from '@lwm2m-console/shared';
import { parseDdf, type DdfParseResult } from './ddf-parser.js';
import {
  indexDefinitions,
  modelCacheKey,
  selectModel,
  type DeviceModelKey,
} from './model-selection.js';

/** `models/` at the repository root: the same depth from bridge/src/model and bridge/dist/model. */
export const BUILT_IN_MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));
/** The seed's draft Server object, kept apart from the published definitions. */
export const DRAFT_SERVER_FILE = join(BUILT_IN_MODELS_DIR, 'draft', '1-server-draft.xml');

export interface ModelLoadReport {
  /** Files (or upload names) that loaded, with the object ids they defined. */
  loaded: { file: string; objects: number[] }[];
  /** One text per problem, each naming the file and line. */
  errors: string[];
}

export interface ObjectRegistryOptions {
  builtInDir?: string;
  draftServerFile?: string;
  /** Folder of user DDF files (`*.xml`), watched when `watch()` is called. */
  userDir?: string;
  /** Called after every (re)load of the user folder and every upload. */
  onReport?: (report: ModelLoadReport) => void;
  /** Delay that gathers a burst of file events into one reload. */
  watchDebounceMs?: number;
}

/** Parse every `*.xml` in a folder (not recursive), sorted by name for a stable override order. */
export function loadDdfDir(dir: string): { definitions: ObjectDefinition[]; report: ModelLoadReport } {
  const report: ModelLoadReport = { loaded: [], errors: [] };
  const definitions: ObjectDefinition[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.xml')).sort();
  } catch (e) {
    report.errors.push(`${dir}: cannot read folder: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return { definitions, report };
  }
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      if (!statSync(path).isFile()) continue;
      text = readFileSync(path, 'utf8');
    } catch (e) {
      report.errors.push(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      continue;
    }
    const r = parseDdf(text, path);
    if (r.ok) {
      definitions.push(...r.objects);
      report.loaded.push({ file: path, objects: r.objects.map((o) => o.id) });
    } else {
      report.errors.push(...r.errors);
    }
  }
  return { definitions, report };
}

export class ObjectRegistry {
  private builtIn: ObjectDefinition[] = [];
  private user: ObjectDefinition[] = [];
  private uploaded: ObjectDefinition[] = [];
  private draftServer: ObjectDefinition | undefined;
  private index = new Map<number, ObjectDefinition[]>();
  private cache = new Map<string, ObjectModel>();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** Report of the last load of built-in files (should be empty of errors). */
  builtInReport: ModelLoadReport = { loaded: [], errors: [] };
  /** Report of the last load of the user folder. */
  userReport: ModelLoadReport = { loaded: [], errors: [] };

  constructor(private readonly options: ObjectRegistryOptions = {}) {
    this.loadBuiltIn();
    if (options.userDir) this.reloadUserDir();
  }

  /** (Re)load `models/*.xml` and the draft Server object. */
  loadBuiltIn(): ModelLoadReport {
    const { definitions, report } = loadDdfDir(this.options.builtInDir ?? BUILT_IN_MODELS_DIR);
    this.builtIn = definitions;
    const draftFile = this.options.draftServerFile ?? DRAFT_SERVER_FILE;
    try {
      const r = parseDdf(readFileSync(draftFile, 'utf8'), draftFile);
      if (r.ok) this.draftServer = r.objects.find((o) => o.id === 1);
      else report.errors.push(...r.errors);
    } catch (e) {
      report.errors.push(`${draftFile}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    this.builtInReport = report;
    this.rebuild();
    return report;
  }

  /** (Re)load the user folder; the previous user definitions are replaced. */
  reloadUserDir(): ModelLoadReport {
    if (!this.options.userDir) return { loaded: [], errors: [] };
    const { definitions, report } = loadDdfDir(this.options.userDir);
    this.user = definitions;
    this.userReport = report;
    this.rebuild();
    this.options.onReport?.(report);
    return report;
  }

  /** Watch the user folder; changes reload it after a short debounce. */
  watch(): void {
    const dir = this.options.userDir;
    if (!dir || this.watcher) return;
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.scheduleReload());
      // A watcher error (folder removed) is reported, never thrown.
      this.watcher.on('error', (e) => {
        this.options.onReport?.({ loaded: [], errors: [`${dir}: watch failed: ${String(e)}`] });
      });
    } catch (e) {
      this.options.onReport?.({ loaded: [], errors: [`${dir}: cannot watch: ${String(e)}`] });
    }
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.debounce) clearTimeout(this.debounce);
  }

  /** Parse an uploaded DDF file and add its objects (they override built-ins of the same id and version). */
  addDdf(xmlText: string, name = 'upload'): DdfParseResult {
    const r = parseDdf(xmlText, name);
    if (r.ok) {
      this.uploaded.push(...r.objects);
      this.rebuild();
      this.options.onReport?.({ loaded: [{ file: name, objects: r.objects.map((o) => o.id) }], errors: [] });
    } else {
      this.options.onReport?.({ loaded: [], errors: r.errors });
    }
    return r;
  }

  /** All known versions of one object, ascending. */
  versionsOf(objectId: number): readonly ObjectDefinition[] {
    return this.index.get(objectId) ?? [];
  }

  /** Every known definition (all versions), for the console's object browser. */
  allDefinitions(): ObjectDefinition[] {
    return [...this.index.values()].flat();
  }

  /** The draft Server object definition (seed numbering), if its file loaded. */
  draftServerDefinition(): ObjectDefinition | undefined {
    return this.draftServer;
  }

  /**
   * The definitions in force for a device: the object versions it registered (`ver=`),
   * and the Server object of the chosen layout. Memoised: 10,000 devices share a few models.
   */
  modelFor(device: DeviceModelKey, layout: ModelLayout = 'published'): ObjectModel {
    const key = modelCacheKey(device, layout);
    let m = this.cache.get(key);
    if (!m) {
      m = selectModel(this.index, this.draftServer, device, layout);
      this.cache.set(key, m);
    }
    return m;
  }

  private scheduleReload(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.reloadUserDir();
    }, this.options.watchDebounceMs ?? 100);
    this.debounce.unref?.();
  }

  private rebuild(): void {
    this.index = indexDefinitions([...this.builtIn, ...this.user, ...this.uploaded]);
    this.cache.clear();
  }
}

let shared: ObjectRegistry | undefined;

/** One registry of the built-in models per process, created on first use. */
export function defaultObjectRegistry(): ObjectRegistry {
  shared ??= new ObjectRegistry();
  return shared;
}

/** The definitions in force for a device, from the built-in models (see `ObjectRegistry.modelFor`). */
export function modelFor(device: DeviceModelKey, layout: ModelLayout = 'published'): ObjectModel {
  return defaultObjectRegistry().modelFor(device, layout);
}
